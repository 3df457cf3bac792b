// JSON Lines: one JSON object per line. Blank lines are ignored.
import { UserInputError } from '../errors';
import { t } from '../l10n';

export interface JsonlRecord {
  /** 1-based line number. */
  line: number;
  /** Offset of the line's first character in the parsed text. */
  start: number;
  /** Offset just past the line's last character, before its line break. */
  end: number;
  value: Record<string, unknown>;
}

/**
 * Parses JSON Lines text. Lines end at CRLF, LF or a lone CR. Throws UserInputError naming the line
 * when a line is not valid JSON or contains something other than an object.
 */
export function parseJsonl(text: string, file: string): JsonlRecord[] {
  const records: JsonlRecord[] = [];
  const lineBreak = /\r\n|\n|\r/g;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  while (start <= text.length) {
    const match = lineBreak.exec(text);
    const end = match ? match.index : text.length;
    const source = text.slice(start, end);
    if (source.trim() !== '') records.push({ line, start, end, value: parseObjectLine(source, line, file) });
    if (!match) break;
    start = match.index + match[0].length;
    line++;
  }
  return records;
}

/** Lists the keys of all records in order of first appearance, as the columns of a JSON Lines file. */
export function jsonlColumns(records: readonly JsonlRecord[]): string[] {
  const columns = new Set<string>();
  for (const record of records) for (const key of Object.keys(record.value)) columns.add(key);
  return [...columns];
}

function parseObjectLine(source: string, line: number, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new UserInputError(
      t('Line {0} of {1} is not valid JSON ({2}). Write one JSON object per line, such as {"text": "好吃", "label": "好评"}.', line, file, (error as Error).message),
      { file, row: line },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserInputError(t('Line {0} of {1} is not a JSON object. Write one object per line, such as {"text": "好吃", "label": "好评"}.', line, file), {
      file,
      row: line,
    });
  }
  return value as Record<string, unknown>;
}
