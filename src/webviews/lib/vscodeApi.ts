// The VS Code webview API, typed with the panel's message and state types.

interface VsCodeApi<ToExtension, State> {
  postMessage(message: ToExtension): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<ToExtension, State>(): VsCodeApi<ToExtension, State>;

/**
 * Connects a page: `onMessage` receives every message from the extension, then `ready` is posted, so
 * the extension never posts before the page listens.
 */
export function connectPanel<ToExtension extends { type: string }, FromExtension extends { type: string }, State>(
  ready: ToExtension,
  onMessage: (message: FromExtension) => void,
): VsCodeApi<ToExtension, State> {
  const api = acquireVsCodeApi<ToExtension, State>();
  window.addEventListener('message', (event: MessageEvent<FromExtension>) => onMessage(event.data));
  api.postMessage(ready);
  return api;
}
