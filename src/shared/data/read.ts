// Reading a data file (CSV, TSV or JSON Lines, in any supported encoding) into examples.
import * as fs from 'node:fs';
import { UserInputError } from '../errors';
import { t } from '../l10n';
import type { DataConfig, DataFormat } from '../project/types';
import { resolveColumns } from './columns';
import { parseDelimited, type Delimiter, type DelimitedRecord } from './delimited';
import { decodeText, type TextEncoding } from './encoding';
import { resolveFormat } from './format';
import { jsonlColumns, parseJsonl, type JsonlRecord } from './jsonl';
import { trimSpaces } from './normalize';
import type { Example } from './types';

export interface Dataset {
  file: string;
  format: DataFormat;
  /** Set for CSV and TSV. */
  delimiter?: Delimiter;
  encoding: TextEncoding;
  bom: boolean;
  /** Header cells as written (CSV, TSV), or the keys of all objects in order of appearance (JSON Lines). */
  columns: string[];
  /** Rows with a non-empty label cell, in file order. */
  examples: Example[];
  /** Rows whose label cell is empty or missing, in file order. They are not trained on. */
  unlabelled: Example[];
  /** Lines of skipped records whose cells are all empty. */
  emptyRows: number[];
}

/** Reads and parses a data file. `file` is the resolved path; `data` gives format, encoding and columns. */
export function readDataset(file: string, data: DataConfig): Dataset {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserInputError(t('Data file {0} not found. Check data.file in finetune.json.', file), { file, field: 'data.file' });
    }
    throw new UserInputError(t('Data file {0} could not be read: {1}', file, (error as Error).message), { file, field: 'data.file' });
  }
  return parseDataset(bytes, file, data);
}

/**
 * Parses a data file's bytes, or text already decoded (such as an editor's document), in which case the
 * encoding is reported as UTF-8. `file` names the file in errors and picks the format.
 */
export function parseDataset(content: Uint8Array | string, file: string, data: DataConfig): Dataset {
  const decoded =
    typeof content === 'string' ? { text: content, encoding: 'utf-8' as const, bom: content.charCodeAt(0) === 0xfeff } : decodeText(content, data.encoding, file);
  const { format, delimiter } = resolveFormat(file, data.format, decoded.text);
  const base = { file, format, encoding: decoded.encoding, bom: decoded.bom };
  if (format === 'jsonl') return { ...base, ...readJsonlExamples(decoded.text, file, data) };
  return { ...base, delimiter, ...readDelimitedExamples(decoded.text, delimiter ?? ',', file, data) };
}

type ParsedRows = Pick<Dataset, 'columns' | 'examples' | 'unlabelled' | 'emptyRows'>;

function readDelimitedExamples(text: string, delimiter: Delimiter, file: string, data: DataConfig): ParsedRows {
  const { records, unterminatedQuoteLine } = parseDelimited(text, delimiter);
  if (unterminatedQuoteLine !== undefined) {
    throw new UserInputError(
      t('Row {0} of {1} opens a double quote that is never closed. Close the quote, or double it ("") inside a quoted cell.', unterminatedQuoteLine, file),
      { file, row: unterminatedQuoteLine },
    );
  }

  const emptyRows: number[] = [];
  let headerIndex = 0;
  while (headerIndex < records.length && isEmptyRecord(records[headerIndex])) emptyRows.push(records[headerIndex++].line);
  if (headerIndex === records.length) {
    throw new UserInputError(t('{0} is empty. Add a header row with the column names, then one row per review.', file), { file });
  }

  const header = records[headerIndex];
  const columns = header.fields.map((field) => field.value);
  const indices = resolveColumns(columns, data.textColumn, data.labelColumn, file);
  const needed = Math.max(indices.text, indices.label) + 1;

  const examples: Example[] = [];
  const unlabelled: Example[] = [];
  for (let i = headerIndex + 1; i < records.length; i++) {
    const record = records[i];
    if (isEmptyRecord(record)) {
      emptyRows.push(record.line);
      continue;
    }
    checkFieldCount(record, needed, columns.length, delimiter, file);
    const example = toExample(record.line, record.fields[indices.text].value, record.fields[indices.label].value);
    (example.rawLabel === undefined ? unlabelled : examples).push(example);
  }
  return { columns, examples, unlabelled, emptyRows };
}

function readJsonlExamples(text: string, file: string, data: DataConfig): ParsedRows {
  const records = parseJsonl(text, file);
  if (records.length === 0) {
    throw new UserInputError(t('{0} is empty. Write one JSON object per line, such as {"text": "好吃", "label": "好评"}.', file), { file });
  }
  const columns = jsonlColumns(records);
  const indices = resolveColumns(columns, data.textColumn, data.labelColumn, file);
  const textKey = columns[indices.text];
  const labelKey = columns[indices.label];

  const examples: Example[] = [];
  const unlabelled: Example[] = [];
  for (const record of records) {
    const example = toExample(record.line, jsonText(record, textKey, file), jsonLabel(record, labelKey, file));
    (example.rawLabel === undefined ? unlabelled : examples).push(example);
  }
  // Blank lines are not records in JSON Lines, so no row counts as empty.
  return { columns, examples, unlabelled, emptyRows: [] };
}

function toExample(row: number, text: string, rawLabel: string | undefined): Example {
  const label = rawLabel === undefined ? '' : trimSpaces(rawLabel);
  return label === '' ? { row, text } : { row, text, rawLabel: label };
}

function isEmptyRecord(record: DelimitedRecord): boolean {
  return record.fields.every((field) => trimSpaces(field.value) === '');
}

/** Rejects a row that lacks a needed column, or that has more cells than the header with text in them. */
function checkFieldCount(record: DelimitedRecord, needed: number, headerLength: number, delimiter: Delimiter, file: string): void {
  const count = record.fields.length;
  const separator = delimiter === '\t' ? t('a tab character') : t('a comma');
  // A quote left open on one row runs on until the next quote, so the row seems to lack cells, or to
  // have too many, and spans several lines.
  const wrongCount = count < needed || record.fields.slice(headerLength).some((field) => trimSpaces(field.value) !== '');
  if (wrongCount && record.endLine > record.line && record.fields.some((field) => field.quoted)) {
    throw new UserInputError(
      t('Row {0} of {1} opens a double quote that closes only on line {2}, so rows {0} to {2} read as one row. Close the quote on row {0}, or double it ("").', record.line, file, record.endLine),
      { file, row: record.line },
    );
  }
  if (count < needed) {
    throw new UserInputError(
      t('Row {0} of {1} has {2} cells but the header has {3}. Add the missing cells, separated by {4}.', record.line, file, count, headerLength, separator),
      { file, row: record.line },
    );
  }
  // Cells past the header's end are usually a review with an unquoted delimiter that was cut in two.
  const extra = record.fields.slice(headerLength);
  if (extra.some((field) => trimSpaces(field.value) !== '')) {
    throw new UserInputError(
      t('Row {0} of {1} has {2} cells but the header has {3}. Put a cell that contains {4} in double quotes.', record.line, file, count, headerLength, separator),
      { file, row: record.line },
    );
  }
}

function jsonText(record: JsonlRecord, key: string, file: string): string {
  const value = record.value[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) {
    throw new UserInputError(t('Line {0} of {1} has no "{2}" key. Add the review text under "{2}" on every line.', record.line, file, key), { file, row: record.line, column: key });
  }
  throw new UserInputError(t('The "{2}" value on line {0} of {1} is not a string. Write the text in double quotes.', record.line, file, key), { file, row: record.line, column: key });
}

function jsonLabel(record: JsonlRecord, key: string, file: string): string | undefined {
  const value = record.value[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UserInputError(t('The "{2}" value on line {0} of {1} is not a label name or number. Write a name such as "好评" or a class id.', record.line, file, key), { file, row: record.line, column: key });
}
