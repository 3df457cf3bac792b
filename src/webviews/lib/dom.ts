// Small DOM helpers. Every string given to them becomes a text node or an attribute value, never HTML,
// so reviews such as `<img src=x onerror=...>` show as typed.

export type Child = Node | string | number | undefined | null | false;

export interface ElementOptions {
  className?: string;
  /** Attribute values are set with setAttribute, never parsed as HTML. */
  attributes?: Record<string, string | number | boolean | undefined>;
}

/** Creates an element with text or element children. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, options?: ElementOptions, ...children: Child[]): HTMLElementTagNameMap[K];
export function element(tag: string, options?: ElementOptions, ...children: Child[]): HTMLElement;
export function element(tag: string, options: ElementOptions = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  for (const [name, value] of Object.entries(options.attributes ?? {})) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Creates a vscode-elements button that calls `onClick` on click and on Enter or Space. */
export function button(label: string, onClick: () => void, options: { secondary?: boolean; disabled?: boolean; title?: string } = {}): HTMLElement {
  const node = element('vscode-button', { attributes: { secondary: options.secondary, disabled: options.disabled, title: options.title } }, label);
  node.addEventListener('click', () => {
    if (!node.hasAttribute('disabled')) onClick();
  });
  return node;
}

/** Replaces `{0}`, `{1}`, … in a localised template. */
export function format(template: string, ...values: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => (Number(index) < values.length ? String(values[Number(index)]) : match));
}

export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}
