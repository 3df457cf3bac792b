// Computes the text edit that sets one row's label cell in a CSV, TSV or JSON Lines data file, so the
// error analysis can apply it as an undoable editor edit. Pure: no vscode import, so unit tests run it.

import { modify } from 'jsonc-parser';
import { DelimitedIndex, renderCell, type Delimiter } from '../../shared/data/delimited';
import { resolveColumns } from '../../shared/data/columns';
import { parseJsonl } from '../../shared/data/jsonl';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';

/** Replace `text.slice(start, end)` with `newText`. Offsets are UTF-16 code units. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface LabelEditRequest {
  /** Full text of the data file. */
  text: string;
  /** Name of the data file, for error messages. */
  file: string;
  /** A delimiter for CSV and TSV; undefined for JSON Lines. */
  delimiter: Delimiter | undefined;
  textColumn: string;
  labelColumn: string;
  /** 1-based line where the record starts. */
  row: number;
  label: string;
}

export function computeLabelEdit(request: LabelEditRequest): TextEdit {
  return request.delimiter === undefined ? jsonlLabelEdit(request) : delimitedLabelEdit(request, request.delimiter);
}

function delimitedLabelEdit(request: LabelEditRequest, delimiter: Delimiter): TextEdit {
  const index = new DelimitedIndex(request.text, delimiter);
  if (index.recordCount === 0) throw rowNotFound(request);
  const header = index.record(0).fields.map((field) => field.value);
  const columns = resolveColumns(header, request.textColumn, request.labelColumn, request.file);

  const recordIndex = index.recordIndexAtLine(request.row);
  if (recordIndex < 1) throw rowNotFound(request);
  const record = index.record(recordIndex);
  if (record.line !== request.row) throw rowNotFound(request);

  const field = record.fields[columns.label];
  if (field) return { start: field.start, end: field.end, newText: renderCell(request.label, delimiter, field.quoted) };

  // A short record lacks the label cell: pad it with empty cells up to the label column.
  const missing = columns.label - record.fields.length + 1;
  return { start: record.end, end: record.end, newText: delimiter.repeat(missing) + renderCell(request.label, delimiter) };
}

function jsonlLabelEdit(request: LabelEditRequest): TextEdit {
  const record = parseJsonl(request.text, request.file).find((candidate) => candidate.line === request.row);
  if (!record) throw rowNotFound(request);
  const line = request.text.slice(record.start, record.end);
  if (Object.hasOwn(record.value, request.labelColumn)) {
    const [edit] = modify(line, [request.labelColumn], request.label, {});
    return { start: record.start + edit.offset, end: record.start + edit.offset + edit.length, newText: edit.content };
  }

  // A missing key is added before the closing brace, keeping the record on one line.
  const closingBrace = record.start + line.lastIndexOf('}');
  const separator = Object.keys(record.value).length > 0 ? ', ' : '';
  return { start: closingBrace, end: closingBrace, newText: `${separator}${JSON.stringify(request.labelColumn)}: ${JSON.stringify(request.label)}` };
}

function rowNotFound(request: LabelEditRequest): UserInputError {
  return new UserInputError(
    t('Row {0} of {1} no longer starts a record, so its label was not changed. Save the file and run the training again to refresh the error analysis.', request.row, request.file),
    { file: request.file, row: request.row, column: request.labelColumn },
  );
}
