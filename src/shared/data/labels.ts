// Mapping raw label cells (好评, "1", 1, " 1 ", "１") to the class ids of the project's label map.
import { UserInputError } from '../errors';
import { t } from '../l10n';
import type { Example } from './types';
import { trimSpaces } from './normalize';

export type LabelResolution =
  | { kind: 'known'; id: number; name: string }
  | { kind: 'unlabelled' }
  /** `key` is the normalised form that matched no label. */
  | { kind: 'unknown'; key: string };

export interface UnknownLabel {
  row: number;
  rawLabel: string;
}

export interface LabelledRow {
  example: Example;
  label: number;
}

/**
 * Normalises a label cell: NFKC (so full-width １ becomes 1), spaces and U+3000 trimmed, and numbers
 * written as integers in canonical form, so that "1", 1, " 1 ", "01", "1.0" and "１" are all "1".
 */
export function normalizeLabel(raw: string | number | boolean): string {
  const text = trimSpaces(String(raw).normalize('NFKC'));
  const integer = /^([+-]?)0*(\d+?)(?:\.0*)?$/.exec(text);
  if (!integer) return text;
  // Written out as text, not through Number, so that long numeric codes keep every digit.
  const sign = integer[1] === '-' && integer[2] !== '0' ? '-' : '';
  return sign + integer[2];
}

/** Label names ordered by id, for confusion matrices and reports. */
export function labelNames(labels: Record<string, number>): string[] {
  const names: string[] = [];
  for (const [name, id] of Object.entries(labels)) names[id] = name;
  return names;
}

/**
 * Resolves raw label cells against a label map `{ name: id }` with ids 0..n-1.
 *
 * A cell matches a name when both normalise to the same string. When no name of the map is a number, a
 * cell holding an integer 0..n-1 is taken as the class id, so a file labelled 0/1 works with the map
 * { "差评": 0, "好评": 1 }. When some name is a number (such as the star ratings { "1": 0, "5": 1 }),
 * numbers are names only, because reading them as ids too would be ambiguous.
 */
export class LabelResolver {
  readonly names: string[];
  private readonly byKey = new Map<string, number>();
  private readonly numbersAreIds: boolean;

  constructor(labels: Record<string, number>) {
    this.names = validateLabelMap(labels);
    for (const [name, id] of Object.entries(labels)) this.byKey.set(normalizeLabel(name), id);
    this.numbersAreIds = ![...this.byKey.keys()].some(isInteger);
  }

  resolve(raw: string | number | boolean | null | undefined): LabelResolution {
    if (raw === null || raw === undefined) return { kind: 'unlabelled' };
    const key = normalizeLabel(raw);
    if (key === '') return { kind: 'unlabelled' };

    const id = this.byKey.get(key);
    if (id !== undefined) return { kind: 'known', id, name: this.names[id] };
    if (this.numbersAreIds && isInteger(key)) {
      const asId = Number(key);
      if (asId >= 0 && asId < this.names.length) return { kind: 'known', id: asId, name: this.names[asId] };
    }
    return { kind: 'unknown', key };
  }
}

/** Splits examples into labelled rows and rows whose label matches no name of the map. */
export function resolveLabels(examples: readonly Example[], resolver: LabelResolver): { labelled: LabelledRow[]; unknown: UnknownLabel[] } {
  const labelled: LabelledRow[] = [];
  const unknown: UnknownLabel[] = [];
  for (const example of examples) {
    const resolution = resolver.resolve(example.rawLabel);
    if (resolution.kind === 'known') labelled.push({ example, label: resolution.id });
    else if (resolution.kind === 'unknown') unknown.push({ row: example.row, rawLabel: example.rawLabel ?? '' });
  }
  return { labelled, unknown };
}

/** Checks that ids are 0..n-1, each used once, and that no two names normalise alike. Returns names by id. */
function validateLabelMap(labels: Record<string, number>): string[] {
  const entries = Object.entries(labels);
  if (entries.length === 0) {
    throw new UserInputError(t('"labels" in finetune.json is empty. Add each label name with a class id, such as {"差评": 0, "好评": 1}.'), {
      field: 'labels',
    });
  }

  const names: string[] = [];
  const keys = new Map<string, string>();
  for (const [name, id] of entries) {
    if (!Number.isInteger(id) || id < 0 || id >= entries.length || names[id] !== undefined) {
      throw new UserInputError(
        t('Label "{0}" has id {1}. Give the labels in finetune.json the ids 0 to {2}, each used once.', name, String(id), entries.length - 1),
        { field: `labels.${name}` },
      );
    }
    const key = normalizeLabel(name);
    const clash = keys.get(key);
    if (clash !== undefined) {
      throw new UserInputError(t('Labels "{0}" and "{1}" in finetune.json are the same after normalisation. Remove one of them.', clash, name), {
        field: `labels.${name}`,
      });
    }
    keys.set(key, name);
    names[id] = name;
  }
  return names;
}

function isInteger(key: string): boolean {
  return /^[+-]?\d+$/.test(key);
}
