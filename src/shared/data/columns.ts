// Finding the text and label columns named in finetune.json among a data file's header cells.
import { UserInputError } from '../errors';
import { t } from '../l10n';
import { trimSpaces } from './normalize';

export interface ColumnIndices {
  text: number;
  label: number;
}

/** Normalises a header cell for comparison: NFKC, then ASCII spaces and U+3000 trimmed from both ends. */
export function normalizeColumnName(name: string): string {
  return trimSpaces(name.normalize('NFKC'));
}

/**
 * Returns the index of the column called `name`, or -1. Names are compared after normalizeColumnName.
 * When no name matches exactly, a single match that differs only in letter case is accepted.
 * The first of several equal names wins.
 */
export function findColumn(columns: readonly string[], name: string): number {
  const target = normalizeColumnName(name);
  const normalized = columns.map(normalizeColumnName);
  const exact = normalized.indexOf(target);
  if (exact !== -1) return exact;

  const lowerTarget = target.toLowerCase();
  const caseless = normalized.flatMap((column, index) => (column.toLowerCase() === lowerTarget ? [index] : []));
  return caseless.length === 1 ? caseless[0] : -1;
}

/** Finds both columns or throws UserInputError listing the columns the file has. */
export function resolveColumns(columns: readonly string[], textColumn: string, labelColumn: string, file: string): ColumnIndices {
  const text = findColumn(columns, textColumn);
  if (text === -1) throw missingColumnError(columns, textColumn, 'data.textColumn', file);
  const label = findColumn(columns, labelColumn);
  if (label === -1) throw missingColumnError(columns, labelColumn, 'data.labelColumn', file);
  return { text, label };
}

function missingColumnError(columns: readonly string[], name: string, field: string, file: string): UserInputError {
  const existing = columns.map((column) => `"${column}"`).join(', ');
  return new UserInputError(
    t('Column "{0}" not found in {1}. The file has the columns {2}. Set {3} in finetune.json to one of them.', name, file, existing, field),
    { file, column: name, field },
  );
}
