// Checks a parsed finetune.json against the rules in rules.ts and the checks that span several fields
// (label ids, split ratios, columns, model presets). Every problem is collected with its position.

import { findNodeAtLocation, type JSONPath, type Node } from 'jsonc-parser';
import { t } from '../l10n';
import type { LineIndex, ProjectProblem } from './problems';
import { builtinPresets, findPreset } from './presets';
import {
  defaultModel,
  defaultSplit,
  defaultTask,
  ignoredRootKeys,
  projectRule,
  type FieldRule,
  type MapRule,
  type NumberRule,
  type SectionRule,
  type StringRule,
} from './rules';

export interface ValidationResult {
  /** Fields that passed their rules, nested as in the file. Invalid and unknown fields are left out. */
  values: Record<string, unknown>;
  problems: ProjectProblem[];
}

/** A range of the text: 0-based offset and length in UTF-16 code units. */
interface Span {
  offset: number;
  length: number;
}

/** Split ratios may differ from a sum of 1 by this much, which absorbs decimal rounding such as 0.7 + 0.2 + 0.1. */
const splitSumTolerance = 1e-6;

/** Validates the whole project. `root` is the tree jsonc-parser built from the file's text. */
export function validateProjectTree(root: Node, lines: LineIndex): ValidationResult {
  const validator = new Validator(lines);
  const values = validator.checkRoot(root);
  if (values !== undefined) validator.checkAcrossFields(root, values);
  return { values: values ?? {}, problems: validator.problems };
}

class Validator {
  readonly problems: ProjectProblem[] = [];

  constructor(private readonly lines: LineIndex) {}

  checkRoot(root: Node): Record<string, unknown> | undefined {
    if (root.type !== 'object') {
      this.error('', root, t('finetune.json must contain one object in curly braces, such as {0}.', projectRule.example));
      return undefined;
    }
    return this.checkSection(root, projectRule, '');
  }

  checkAcrossFields(root: Node, values: Record<string, unknown>): void {
    const task = (values.task as string | undefined) ?? defaultTask;
    if (task === 'faq') {
      // NOTE: rejected until the trainer trains a GPT-2 language-model head on question/answer pairs.
      const message = t(
        'task "faq" (answering customer questions) is not supported yet. Use "classification" to sort reviews into labels.',
      );
      this.error('task', valueNode(root, ['task']), message);
    }
    if (task === 'classification' && findNodeAtLocation(root, ['labels']) === undefined) {
      const message = t(
        '{0} is missing. Add it, for example {1}.',
        'labels', `"labels": ${(projectRule.properties.labels as MapRule).example}`,
      );
      this.error('labels', keyOrNode(root), message);
    }

    this.checkLabelIds(root);
    this.checkSplitSum(root, values.split as Record<string, number> | undefined);
    this.checkColumns(root, values.data as Record<string, string> | undefined);
    this.checkModel(root, values.model as Record<string, unknown> | undefined);
  }

  /** Ids must be 0..n-1 and unique, so that they index the n outputs of the classification head. */
  private checkLabelIds(root: Node): void {
    const labels = findNodeAtLocation(root, ['labels']);
    if (labels?.type !== 'object' || labels.children === undefined) return;

    const count = labels.children.length;
    const names = new Map<number, string>();
    for (const property of labels.children) {
      const [keyNode, idNode] = property.children ?? [];
      if (keyNode === undefined || idNode?.type !== 'number' || !Number.isInteger(idNode.value) || idNode.value < 0) continue;
      const name = keyNode.value as string;
      const id = idNode.value as number;
      const fieldPath = joinPath('labels', name);
      if (id > count - 1) {
        const message = t(
          '{0} must be a whole number from 0 to {1}: with {2} labels the ids are 0 to {1}, each used once.',
          fieldPath, count - 1, count,
        );
        this.error(fieldPath, idNode, message);
        continue;
      }
      const other = names.get(id);
      if (other !== undefined) {
        const message = t(
          '{0} uses id {1}, which label {2} already uses. Give each label its own id from 0 to {3}.',
          fieldPath, id, other, count - 1,
        );
        this.error(fieldPath, idNode, message);
        continue;
      }
      names.set(id, name);
    }
  }

  private checkSplitSum(root: Node, split: Record<string, number> | undefined): void {
    const splitNode = findNodeAtLocation(root, ['split']);
    if (splitNode?.type !== 'object') return;
    // A ratio that failed its own rule is already reported, so the sum would only repeat it.
    for (const name of ['train', 'validation', 'test']) {
      if (findNodeAtLocation(splitNode, [name]) !== undefined && split?.[name] === undefined) return;
    }

    const ratios = { ...defaultSplit, ...split };
    const sum = ratios.train + ratios.validation + ratios.test;
    if (Math.abs(sum - 1) > splitSumTolerance) {
      const roundedSum = Number(sum.toPrecision(6));
      const message = t(
        'split.train, split.validation and split.test must add up to 1, but they add up to {0}. For example, use 0.8, 0.1 and 0.1.',
        roundedSum,
      );
      this.error('split', keyOrNode(splitNode), message);
    }
  }

  private checkColumns(root: Node, data: Record<string, string> | undefined): void {
    if (data?.textColumn === undefined || data.textColumn !== data.labelColumn) return;
    const message = t(
      'data.labelColumn must name a different column from data.textColumn ({0}): one column holds the text, the other its label.',
      data.textColumn,
    );
    this.error('data.labelColumn', valueNode(root, ['data', 'labelColumn']), message);
  }

  private checkModel(root: Node, model: Record<string, unknown> | undefined): void {
    const base = model?.base as string | undefined;
    if (base?.startsWith('builtin:') && findPreset(base) === undefined) {
      const known = builtinPresets.map((preset) => preset.id).join(', ');
      const message = t(
        'model.base names {0}, which is not a built-in model. Use one of {1}, a Hugging Face model id such as bert-base-chinese, or a local model folder.',
        base, known,
      );
      this.error('model.base', valueNode(root, ['model', 'base']), message);
      return;
    }

    const preset = findPreset(base ?? defaultModel.base);
    const maxLength = model?.maxLength as number | undefined;
    const positions = preset?.architecture?.max_position_embeddings;
    if (maxLength !== undefined && positions !== undefined && maxLength > positions) {
      const message = t(
        'model.maxLength is {0}, but {1} reads at most {2} tokens. Use {2} or less.',
        maxLength, preset!.id, positions,
      );
      this.error('model.maxLength', valueNode(root, ['model', 'maxLength']), message);
    }
  }

  checkSection(node: Node, rule: SectionRule, sectionPath: string): Record<string, unknown> | undefined {
    if (node.type !== 'object') {
      this.error(sectionPath, node, t('{0} must be an object in curly braces, such as {1}.', sectionPath, rule.example));
      return undefined;
    }

    const values: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (const property of node.children ?? []) {
      const [keyNode, child] = property.children ?? [];
      if (keyNode === undefined) continue;
      const key = keyNode.value as string;
      const fieldPath = joinPath(sectionPath, key);
      this.warnIfRepeated(seen, key, fieldPath, keyNode);

      const childRule = rule.properties[key];
      if (childRule === undefined) {
        if (sectionPath === '' && ignoredRootKeys.includes(key)) continue;
        this.reportUnknownField(keyNode, sectionPath, key, rule);
        continue;
      }
      // A property without a value only occurs in text with a syntax error, which is reported already.
      if (child === undefined) continue;
      const value = this.checkField(child, childRule, fieldPath);
      if (value === undefined) delete values[key];
      else values[key] = value;
    }

    for (const key of rule.required) {
      if (seen.has(key)) continue;
      const fieldPath = joinPath(sectionPath, key);
      const message = t(
        '{0} is missing. Add it, for example {1}.',
        fieldPath, `"${key}": ${exampleOf(rule.properties[key])}`,
      );
      this.error(fieldPath, keyOrNode(node), message);
    }
    return values;
  }

  private checkField(node: Node, rule: FieldRule, fieldPath: string): unknown {
    switch (rule.type) {
      case 'object':
        return this.checkSection(node, rule, fieldPath);
      case 'map':
        return this.checkMap(node, rule, fieldPath);
      case 'boolean':
        if (node.type === 'boolean') return node.value as boolean;
        this.error(fieldPath, node, t('{0} must be true or false.', fieldPath));
        return undefined;
      case 'string':
        return this.checkString(node, rule, fieldPath);
      default:
        return this.checkNumber(node, rule, fieldPath);
    }
  }

  private checkNumber(node: Node, rule: NumberRule, fieldPath: string): number | undefined {
    const value = node.value as unknown;
    const valid =
      node.type === 'number' &&
      typeof value === 'number' &&
      (rule.type === 'number' || Number.isInteger(value)) &&
      (rule.minimum === undefined || value >= rule.minimum) &&
      (rule.exclusiveMinimum === undefined || value > rule.exclusiveMinimum) &&
      (rule.maximum === undefined || value <= rule.maximum) &&
      (rule.exclusiveMaximum === undefined || value < rule.exclusiveMaximum);
    if (valid) return value;
    this.error(fieldPath, node, describeNumberRule(fieldPath, rule));
    return undefined;
  }

  private checkString(node: Node, rule: StringRule, fieldPath: string): string | undefined {
    const value = node.value as unknown;
    if (node.type !== 'string' || typeof value !== 'string') {
      const message = rule.enum
        ? t('{0} must be one of {1}.', fieldPath, quoteAll(rule.enum))
        : t('{0} must be text in double quotes, such as {1}.', fieldPath, JSON.stringify(rule.example));
      this.error(fieldPath, node, message);
      return undefined;
    }
    if (rule.enum && !rule.enum.includes(value)) {
      this.error(fieldPath, node, t('{0} must be one of {1}.', fieldPath, quoteAll(rule.enum)));
      return undefined;
    }
    if (rule.minLength !== undefined && value.length < rule.minLength) {
      this.error(fieldPath, node, t('{0} must not be empty. Write something like {1}.', fieldPath, JSON.stringify(rule.example)));
      return undefined;
    }
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      const message = t(
        '{0} must be at most {1} characters long, such as {2}.',
        fieldPath, rule.maxLength, JSON.stringify(rule.example),
      );
      this.error(fieldPath, node, message);
      return undefined;
    }
    if (rule.pattern !== undefined && !new RegExp(rule.pattern, 'u').test(value)) {
      // Only the project name has a pattern, because it becomes part of a folder name.
      const message = t(
        '{0} must not start with a dot or contain \\ / : * ? " < > | or control characters, because it becomes part of a folder name. Use something like {1}.',
        fieldPath, JSON.stringify(rule.example),
      );
      this.error(fieldPath, node, message);
      return undefined;
    }
    return value;
  }

  private checkMap(node: Node, rule: MapRule, mapPath: string): Record<string, unknown> | undefined {
    if (node.type !== 'object') {
      this.error(mapPath, node, t('{0} must be an object in curly braces, such as {1}.', mapPath, rule.example));
      return undefined;
    }

    const entries: Record<string, unknown> = {};
    const seen = new Set<string>();
    let valid = true;
    for (const property of node.children ?? []) {
      const [keyNode, child] = property.children ?? [];
      if (keyNode === undefined) continue;
      const key = keyNode.value as string;
      const fieldPath = joinPath(mapPath, key);
      this.warnIfRepeated(seen, key, fieldPath, keyNode);

      if (key.length < rule.keys.minLength) {
        const message = t(
          '{0} has an empty name. Give the entry a name, such as {1}, or remove it.',
          mapPath, rule.example,
        );
        this.error(fieldPath, keyNode, message);
        valid = false;
        continue;
      }
      if (rule.keys.pattern !== undefined && !new RegExp(rule.keys.pattern, 'u').test(key)) {
        // Only label names have a pattern, because label cells are trimmed before they are looked up.
        const message = t(
          '{0} starts or ends with a space. Remove the space, because label cells are compared without surrounding spaces.',
          fieldPath,
        );
        this.error(fieldPath, keyNode, message);
        valid = false;
        continue;
      }
      if (child === undefined) continue;
      const value = this.checkField(child, rule.values, fieldPath);
      if (value === undefined) valid = false;
      else entries[key] = value;
    }

    if (rule.minProperties !== undefined && seen.size < rule.minProperties) {
      this.error(mapPath, node, t('{0} must have at least {1} entries, such as {2}.', mapPath, rule.minProperties, rule.example));
      valid = false;
    }
    return valid ? entries : undefined;
  }

  private reportUnknownField(keyNode: Node, sectionPath: string, key: string, rule: SectionRule): void {
    const fieldPath = joinPath(sectionPath, key);
    const suggestion = suggestField(key, Object.keys(rule.properties)) ?? suggestFieldElsewhere(key, sectionPath);
    const message =
      suggestion === undefined
        ? t('{0} is not a known field and is ignored. Check its spelling or remove it.', fieldPath)
        : t('{0} is not a known field and is ignored. Did you mean {1}?', fieldPath, suggestion);
    this.warning(fieldPath, keyNode, message);
  }

  private error(fieldPath: string, span: Span, message: string): void {
    this.report('error', fieldPath, span, message);
  }

  /** Warns about a key set twice in one object: JSON parsers keep only its last value. */
  private warnIfRepeated(seen: Set<string>, key: string, fieldPath: string, keyNode: Node): void {
    if (seen.has(key)) {
      this.warning(fieldPath, keyNode, t('{0} is set more than once, and only the last value is used. Remove the other copies.', fieldPath));
    }
    seen.add(key);
  }

  private warning(fieldPath: string, span: Span, message: string): void {
    this.report('warning', fieldPath, span, message);
  }

  private report(severity: ProjectProblem['severity'], fieldPath: string, span: Span, message: string): void {
    const { line, column } = this.lines.position(span.offset);
    this.problems.push({ severity, path: fieldPath, line, column, offset: span.offset, length: span.length, message });
  }
}

/** Joins a JSON path the way users read it: `training.learningRate`, or `labels["a.b"]` for keys with dots or spaces. */
export function joinPath(parent: string, key: string): string {
  const plain = /^[^\s.[\]"']+$/u.test(key);
  if (!plain) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

function describeNumberRule(fieldPath: string, rule: NumberRule): string {
  const { minimum, exclusiveMinimum, maximum, exclusiveMaximum, example } = rule;
  if (rule.type === 'integer' && exclusiveMinimum === undefined && exclusiveMaximum === undefined) {
    if (minimum !== undefined && maximum !== undefined) {
      return t('{0} must be a whole number from {1} to {2}, such as {3}.', fieldPath, minimum, maximum, example);
    }
    if (minimum !== undefined) return t('{0} must be a whole number of at least {1}, such as {2}.', fieldPath, minimum, example);
  }
  if (rule.type === 'number' && exclusiveMinimum !== undefined) {
    if (maximum !== undefined) {
      return t('{0} must be a number greater than {1} and at most {2}, such as {3}.', fieldPath, exclusiveMinimum, maximum, example);
    }
    if (exclusiveMaximum !== undefined) {
      return t('{0} must be a number greater than {1} and less than {2}, such as {3}.', fieldPath, exclusiveMinimum, exclusiveMaximum, example);
    }
    return t('{0} must be a number greater than {1}, such as {2}.', fieldPath, exclusiveMinimum, example);
  }
  if (rule.type === 'number' && minimum !== undefined) {
    if (maximum !== undefined) return t('{0} must be a number from {1} to {2}, such as {3}.', fieldPath, minimum, maximum, example);
    if (exclusiveMaximum !== undefined) {
      return t('{0} must be a number of at least {1} and less than {2}, such as {3}.', fieldPath, minimum, exclusiveMaximum, example);
    }
  }
  // Reached only when rules.ts gains a combination of bounds that has no message yet.
  throw new Error(`No message describes the bounds of ${fieldPath}`);
}

/** Returns the closest name among `candidates`, ignoring case, when it is within a typo's distance. */
function suggestField(key: string, candidates: string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = key.length <= 4 ? 1 : 2;
  return bestDistance <= allowed ? best : undefined;
}

/** Finds a field of another section with this name, for a field written in the wrong section. */
function suggestFieldElsewhere(key: string, sectionPath: string): string | undefined {
  const paths: string[] = [];
  collectFieldPaths(projectRule, '', paths);
  const elsewhere = paths.filter((fieldPath) => parentOf(fieldPath) !== sectionPath);
  const lastSegments = elsewhere.map((fieldPath) => fieldPath.slice(fieldPath.lastIndexOf('.') + 1));
  const match = suggestField(key, lastSegments);
  return match === undefined ? undefined : elsewhere[lastSegments.indexOf(match)];
}

function collectFieldPaths(rule: SectionRule, sectionPath: string, paths: string[]): void {
  for (const [key, child] of Object.entries(rule.properties)) {
    const fieldPath = joinPath(sectionPath, key);
    paths.push(fieldPath);
    if (child.type === 'object') collectFieldPaths(child, fieldPath, paths);
  }
}

function parentOf(fieldPath: string): string {
  const dot = fieldPath.lastIndexOf('.');
  return dot === -1 ? '' : fieldPath.slice(0, dot);
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const distance: number[][] = Array.from({ length: rows }, () => new Array<number>(columns).fill(0));
  for (let i = 0; i < rows; i++) distance[i][0] = i;
  for (let j = 0; j < columns; j++) distance[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      distance[i][j] = Math.min(distance[i - 1][j] + 1, distance[i][j - 1] + 1, distance[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance[i][j] = Math.min(distance[i][j], distance[i - 2][j - 2] + 1);
      }
    }
  }
  return distance[rows - 1][columns - 1];
}

function exampleOf(rule: FieldRule): string {
  switch (rule.type) {
    case 'object':
    case 'map':
      return rule.example;
    case 'boolean':
      return String(rule.default);
    case 'string':
      return JSON.stringify(rule.example);
    default:
      return String(rule.example);
  }
}

function quoteAll(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

/** Finds the value at `path`, or returns the root when the path is absent. Callers pass only paths that exist. */
function valueNode(root: Node, path: JSONPath): Node {
  return findNodeAtLocation(root, path) ?? root;
}

/**
 * The key of the property that contains `node` (`"split"` in `"split": {…}`), or the opening brace of the
 * root object, so that a diagnostic about a whole object does not underline all of it.
 */
function keyOrNode(node: Node): Span {
  const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
  return key ?? { offset: node.offset, length: 1 };
}
