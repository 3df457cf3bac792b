// The language server's model of one open dataset document: its rows, with the source offsets of each
// row's text and label cells, read through the shared CSV/TSV/JSONL parsers. CSV and TSV rows are parsed
// on demand from a record index, so codelenses for a visible range never parse the whole file.

import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { DelimitedIndex, type Delimiter, type DelimitedRecord, renderCell, valueOffsetToSource } from '../shared/data/delimited';
import { findColumn } from '../shared/data/columns';
import { trimSpaces } from '../shared/data/normalize';
import { t } from '../shared/l10n';
import type { DataFormat } from '../shared/project/types';

/** Location of a cell in the document, as UTF-16 offsets into the document text. */
export interface CellLocation {
  /** The cell as written, quotes included. */
  start: number;
  end: number;
  quoted: boolean;
}

export interface DatasetRow {
  /** 0-based index among data rows (the header excluded). */
  index: number;
  /** 0-based first and last document line of the record. */
  line: number;
  endLine: number;
  /** Offsets of the whole record, without and with its line break. */
  start: number;
  end: number;
  endWithLineBreak: number;
  text: string;
  /** Undefined when the record has no text cell (a short CSV record, a JSONL object without the key). */
  textCell?: CellLocation;
  rawLabel?: string;
  labelCell?: CellLocation;
  /** Set for a JSONL line that is not a JSON object; the row has no text and no label then. */
  parseError?: string;
  /** True for a CSV or TSV record whose cells are all empty, which readers skip. */
  blank?: boolean;
  /** Cells of a CSV or TSV record, against the header's `headerCells`. */
  cellCount?: number;
}

export interface DatasetColumns {
  textColumn: string;
  labelColumn: string;
}

export type ColumnProblem = { kind: 'missingColumn'; column: string; field: 'data.textColumn' | 'data.labelColumn'; existing: string[] };

export abstract class DatasetDocument {
  constructor(
    readonly text: string,
    readonly columns: DatasetColumns,
  ) {}

  abstract readonly format: DataFormat;
  abstract readonly rowCount: number;
  /** Set when a configured column is absent from the header; rows then carry no text or label. */
  abstract readonly columnProblems: ColumnProblem[];
  /** Cells in the header row of a CSV or TSV file; 0 for JSON Lines. */
  abstract readonly headerCells: number;

  abstract row(index: number): DatasetRow;
  /** The row whose record covers 0-based `line`, or undefined for the header and blank lines. */
  abstract rowAtLine(line: number): DatasetRow | undefined;
  /** Rows whose record starts or continues on the 0-based lines `firstLine..lastLine`. */
  abstract rowsInLines(firstLine: number, lastLine: number): DatasetRow[];
  /** Text that replaces a label cell (or inserts it when the row lacks one) with `label`. */
  abstract labelEdit(row: DatasetRow, label: string): { start: number; end: number; newText: string };
  /** Maps an offset inside the text cell's value to a document offset. */
  abstract textOffset(row: DatasetRow, valueOffset: number): number;
  /** Text that replaces the text cell so its value becomes `value`. */
  abstract textEdit(row: DatasetRow, value: string): { start: number; end: number; newText: string };

  /** Iterates over every row. Rows may be parsed afresh, without the cache that row() keeps. */
  *rows(): IterableIterator<DatasetRow> {
    for (let index = 0; index < this.rowCount; index++) yield this.row(index);
  }
}

/** Opens a document in `format`; `delimiter` is required for CSV and TSV. */
export function openDataset(text: string, format: DataFormat, columns: DatasetColumns, delimiter?: Delimiter): DatasetDocument {
  if (format === 'jsonl') return new JsonlDataset(text, columns);
  return new DelimitedDataset(text, columns, delimiter ?? (format === 'tsv' ? '\t' : ','));
}

class DelimitedDataset extends DatasetDocument {
  readonly format: DataFormat;
  readonly columnProblems: ColumnProblem[] = [];
  readonly header: string[];
  readonly headerCells: number;
  private readonly index: DelimitedIndex;
  private readonly textIndex: number;
  private readonly labelIndex: number;
  /** Rows parsed by row(), for lenses and quick fixes; a full pass through rows() does not fill it. */
  private readonly cache = new Map<number, DatasetRow>();

  constructor(
    text: string,
    columns: DatasetColumns,
    readonly delimiter: Delimiter,
  ) {
    super(text, columns);
    this.format = delimiter === '\t' ? 'tsv' : 'csv';
    this.index = new DelimitedIndex(text, delimiter);
    this.header = this.index.recordCount > 0 ? this.index.record(0).fields.map((field) => field.value) : [];
    this.headerCells = this.header.length;
    this.textIndex = findColumn(this.header, columns.textColumn);
    this.labelIndex = findColumn(this.header, columns.labelColumn);
    if (this.textIndex === -1) {
      this.columnProblems.push({ kind: 'missingColumn', column: columns.textColumn, field: 'data.textColumn', existing: this.header });
    }
    if (this.labelIndex === -1) {
      this.columnProblems.push({ kind: 'missingColumn', column: columns.labelColumn, field: 'data.labelColumn', existing: this.header });
    }
  }

  get rowCount(): number {
    return Math.max(0, this.index.recordCount - 1);
  }

  row(index: number): DatasetRow {
    let row = this.cache.get(index);
    if (!row) {
      row = this.toRow(this.index.record(index + 1), index);
      this.cache.set(index, row);
    }
    return row;
  }

  override *rows(): IterableIterator<DatasetRow> {
    for (let index = 0; index < this.rowCount; index++) yield this.cache.get(index) ?? this.toRow(this.index.record(index + 1), index);
  }

  rowAtLine(line: number): DatasetRow | undefined {
    const recordIndex = this.index.recordIndexAtLine(line + 1);
    if (recordIndex < 1) return undefined;
    return this.row(recordIndex - 1);
  }

  rowsInLines(firstLine: number, lastLine: number): DatasetRow[] {
    return this.index
      .recordsInLines(firstLine + 1, lastLine + 1)
      .map((record) => {
        const index = this.index.recordIndexAtLine(record.line) - 1;
        return index < 0 ? undefined : this.row(index);
      })
      .filter((row): row is DatasetRow => row !== undefined);
  }

  labelEdit(row: DatasetRow, label: string): { start: number; end: number; newText: string } {
    if (row.labelCell) {
      return { start: row.labelCell.start, end: row.labelCell.end, newText: renderCell(label, this.delimiter, row.labelCell.quoted) };
    }
    // The record stops before the label column: pad it with empty cells up to that column.
    const record = this.index.record(row.index + 1);
    const missing = this.labelIndex - record.fields.length + 1;
    return { start: row.end, end: row.end, newText: this.delimiter.repeat(missing) + renderCell(label, this.delimiter) };
  }

  textOffset(row: DatasetRow, valueOffset: number): number {
    const record = this.index.record(row.index + 1);
    return valueOffsetToSource(this.text, record.fields[this.textIndex], valueOffset);
  }

  textEdit(row: DatasetRow, value: string): { start: number; end: number; newText: string } {
    const cell = row.textCell!;
    return { start: cell.start, end: cell.end, newText: renderCell(value, this.delimiter, cell.quoted) };
  }

  private toRow(record: DelimitedRecord, index: number): DatasetRow {
    const textField = this.textIndex === -1 ? undefined : record.fields[this.textIndex];
    const labelField = this.labelIndex === -1 ? undefined : record.fields[this.labelIndex];
    const rawLabel = labelField === undefined ? undefined : trimSpaces(labelField.value);
    return {
      blank: record.fields.every((field) => trimSpaces(field.value) === '') || undefined,
      cellCount: record.fields.length,
      index,
      line: record.line - 1,
      endLine: record.endLine - 1,
      start: record.start,
      end: record.end,
      endWithLineBreak: record.endWithLineBreak,
      text: textField?.value ?? '',
      textCell: textField && { start: textField.start, end: textField.end, quoted: textField.quoted },
      rawLabel: rawLabel === '' ? undefined : rawLabel,
      labelCell: labelField && { start: labelField.start, end: labelField.end, quoted: labelField.quoted },
    };
  }
}

class JsonlDataset extends DatasetDocument {
  readonly format: DataFormat = 'jsonl';
  readonly headerCells = 0;
  readonly columnProblems: ColumnProblem[] = [];
  private readonly rowList: DatasetRow[] = [];
  private readonly rowByLine = new Map<number, DatasetRow>();

  constructor(text: string, columns: DatasetColumns) {
    super(text, columns);
    const lineBreak = /\r\n|\n|\r/g;
    let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    let line = 0;
    for (;;) {
      const match = lineBreak.exec(text);
      const end = match ? match.index : text.length;
      const endWithLineBreak = match ? match.index + match[0].length : text.length;
      if (text.slice(start, end).trim() !== '') {
        const row = this.toRow(start, end, endWithLineBreak, line);
        this.rowList.push(row);
        this.rowByLine.set(line, row);
      }
      if (!match) break;
      start = endWithLineBreak;
      line++;
    }
  }

  get rowCount(): number {
    return this.rowList.length;
  }

  row(index: number): DatasetRow {
    return this.rowList[index];
  }

  rowAtLine(line: number): DatasetRow | undefined {
    return this.rowByLine.get(line);
  }

  rowsInLines(firstLine: number, lastLine: number): DatasetRow[] {
    const rows: DatasetRow[] = [];
    for (let line = firstLine; line <= lastLine; line++) {
      const row = this.rowByLine.get(line);
      if (row) rows.push(row);
    }
    return rows;
  }

  labelEdit(row: DatasetRow, label: string): { start: number; end: number; newText: string } {
    const rendered = JSON.stringify(label);
    if (row.labelCell) return { start: row.labelCell.start, end: row.labelCell.end, newText: rendered };
    // Add the key before the closing brace of the object.
    const closing = this.text.lastIndexOf('}', row.end);
    const isEmptyObject = /^\{\s*$/.test(this.text.slice(row.start, closing));
    const separator = isEmptyObject ? '' : ', ';
    return { start: closing, end: closing, newText: `${separator}${JSON.stringify(this.columns.labelColumn)}: ${rendered}` };
  }

  textOffset(row: DatasetRow, valueOffset: number): number {
    // Escapes such as \n make source and value offsets differ, so map through the escaped prefix.
    // NOTE: this assumes the file escapes as JSON.stringify does; a line written with \u597d for 好 maps
    // offsets after that escape a few characters early.
    const cell = row.textCell!;
    const prefix = JSON.stringify(row.text.slice(0, valueOffset));
    return cell.start + prefix.length - 1;
  }

  textEdit(row: DatasetRow, value: string): { start: number; end: number; newText: string } {
    const cell = row.textCell!;
    return { start: cell.start, end: cell.end, newText: JSON.stringify(value) };
  }

  private toRow(start: number, end: number, endWithLineBreak: number, line: number): DatasetRow {
    const source = this.text.slice(start, end);
    const row: DatasetRow = { index: this.rowList.length, line, endLine: line, start, end, endWithLineBreak, text: '' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch (error) {
      row.parseError = t('This line is not valid JSON ({0}). Write one JSON object per line, such as {"text": "好吃", "label": "好评"}.', (error as Error).message);
      return row;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      row.parseError = t('This line is not a JSON object. Write one object per line, such as {"text": "好吃", "label": "好评"}.');
      return row;
    }

    const tree = parseTree(source)!;
    const textNode = findNodeAtLocation(tree, [this.columns.textColumn]);
    const labelNode = findNodeAtLocation(tree, [this.columns.labelColumn]);
    if (textNode) {
      row.text = typeof textNode.value === 'string' ? textNode.value : String(textNode.value ?? '');
      row.textCell = { start: start + textNode.offset, end: start + textNode.offset + textNode.length, quoted: textNode.type === 'string' };
    }
    if (labelNode) {
      const value = labelNode.value as unknown;
      const rawLabel = value === null || value === undefined ? '' : trimSpaces(String(value));
      if (rawLabel !== '') row.rawLabel = rawLabel;
      row.labelCell = { start: start + labelNode.offset, end: start + labelNode.offset + labelNode.length, quoted: labelNode.type === 'string' };
    }
    return row;
  }
}
