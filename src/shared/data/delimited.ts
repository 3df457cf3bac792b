// CSV and TSV parsing after RFC 4180, keeping the source position of every record and field so that the
// language server can map rows to editor lines and replace one cell in place.
//
// Rules: a field that starts with a double quote is quoted and may contain delimiters, line breaks and
// doubled quotes (""). Records end at CRLF, LF or a lone CR outside quotes. A final line break does not
// start another record. Files written by hand break RFC 4180 in two ways that are accepted here. A quote
// inside an unquoted field is an ordinary character. Text between a closing quote and the next
// delimiter is appended to the value as written.
// TSV uses the same quoting rules, as Excel does when it saves "Unicode text".

export type Delimiter = ',' | '\t';

/** One cell. Offsets are UTF-16 code unit offsets into the parsed text; `end` is exclusive. */
export interface DelimitedField {
  /** The cell's value: quotes removed and doubled quotes undone. */
  value: string;
  /** Offset of the first character of the cell, the opening quote when quoted. */
  start: number;
  /** Offset just past the last character of the cell, past the closing quote when quoted. */
  end: number;
  quoted: boolean;
}

export interface DelimitedRecord {
  /** 1-based line where the record starts. */
  line: number;
  /** 1-based line where the record ends; greater than `line` when a quoted field contains a line break. */
  endLine: number;
  /** Offset of the record's first character. */
  start: number;
  /** Offset just past the record's last field, before its line break. */
  end: number;
  /** Offset just past the record's line break (equal to `end` for a last record without one). */
  endWithLineBreak: number;
  fields: DelimitedField[];
}

export interface DelimitedParse {
  records: DelimitedRecord[];
  /** Line of an opening quote that is never closed: the rest of the text became one field. */
  unterminatedQuoteLine?: number;
}

const quoteCode = 0x22;
const crCode = 0x0d;
const lfCode = 0x0a;
const bomCode = 0xfeff;

/** Parses all records of a CSV or TSV text. A byte order mark left at the start of `text` is skipped. */
export function parseDelimited(text: string, delimiter: Delimiter): DelimitedParse {
  const records: DelimitedRecord[] = [];
  let unterminatedQuoteLine: number | undefined;
  let position = text.charCodeAt(0) === bomCode ? 1 : 0;
  let line = 1;
  while (position < text.length) {
    const scan = scanRecord(text, position, line, delimiter.charCodeAt(0), true);
    records.push(scan.record);
    if (scan.unterminatedQuote) unterminatedQuoteLine = line;
    position = scan.record.endWithLineBreak;
    line = scan.record.endLine + 1;
  }
  return unterminatedQuoteLine === undefined ? { records } : { records, unterminatedQuoteLine };
}

/**
 * An index of record start offsets and lines, built in one pass without building field values, so that
 * the records on a range of editor lines can be parsed on demand. Quoted line breaks make it impossible
 * to parse from an arbitrary line without knowing what came before, which is what the index stores.
 * Rebuild it after an edit: building is a single linear scan of the text.
 */
export class DelimitedIndex {
  private readonly starts: number[] = [];
  private readonly lines: number[] = [];
  private readonly endLines: number[] = [];
  /** Line of an opening quote that is never closed, as in DelimitedParse. */
  readonly unterminatedQuoteLine: number | undefined;

  constructor(
    readonly text: string,
    readonly delimiter: Delimiter,
  ) {
    let unterminatedQuoteLine: number | undefined;
    let position = text.charCodeAt(0) === bomCode ? 1 : 0;
    let line = 1;
    while (position < text.length) {
      const scan = scanRecord(text, position, line, delimiter.charCodeAt(0), false);
      this.starts.push(position);
      this.lines.push(line);
      this.endLines.push(scan.record.endLine);
      if (scan.unterminatedQuote) unterminatedQuoteLine = line;
      position = scan.record.endWithLineBreak;
      line = scan.record.endLine + 1;
    }
    this.unterminatedQuoteLine = unterminatedQuoteLine;
  }

  get recordCount(): number {
    return this.starts.length;
  }

  /** Parses the record at `index` (0-based, the header included). */
  record(index: number): DelimitedRecord {
    if (index < 0 || index >= this.starts.length) throw new RangeError(`record index ${index} out of range 0..${this.starts.length - 1}`);
    return scanRecord(this.text, this.starts[index], this.lines[index], this.delimiter.charCodeAt(0), true).record;
  }

  /** Returns the index of the record that covers 1-based `line`, or -1 when no record does. */
  recordIndexAtLine(line: number): number {
    let low = 0;
    let high = this.lines.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.lines[middle] <= line) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found === -1 || this.endLines[found] < line) return -1;
    return found;
  }

  /** Parses every record that covers at least one line in `firstLine..lastLine` (1-based, inclusive). */
  recordsInLines(firstLine: number, lastLine: number): DelimitedRecord[] {
    let index = this.recordIndexAtLine(firstLine);
    if (index === -1) index = this.firstRecordAfterLine(firstLine);
    const records: DelimitedRecord[] = [];
    for (; index < this.starts.length && this.lines[index] <= lastLine; index++) records.push(this.record(index));
    return records;
  }

  private firstRecordAfterLine(line: number): number {
    let index = 0;
    let high = this.lines.length;
    while (index < high) {
      const middle = (index + high) >> 1;
      if (this.lines[middle] > line) high = middle;
      else index = middle + 1;
    }
    return index;
  }
}

/**
 * Renders a cell value for a CSV or TSV file: quoted when it contains the delimiter, a double quote or a
 * line break, or when `keepQuotes` is true (to preserve the quoting of the cell it replaces).
 */
export function renderCell(value: string, delimiter: Delimiter, keepQuotes = false): string {
  const needsQuotes = value.includes(delimiter) || /["\r\n]/.test(value);
  if (!needsQuotes && !keepQuotes) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

/** Renders a whole record, each cell quoted only where renderCell requires it. */
export function renderRecord(values: readonly string[], delimiter: Delimiter): string {
  return values.map((value) => renderCell(value, delimiter)).join(delimiter);
}

/**
 * Maps an offset inside `field.value` to an offset in the source text, accounting for the opening quote
 * and doubled quotes, so that a match found in a cell's value can be underlined in the document.
 */
export function valueOffsetToSource(text: string, field: DelimitedField, valueOffset: number): number {
  if (!field.quoted) return field.start + valueOffset;
  let source = field.start + 1;
  let consumed = 0;
  while (consumed < valueOffset && source < field.end) {
    if (text.charCodeAt(source) === quoteCode) {
      if (text.charCodeAt(source + 1) === quoteCode) {
        source += 2;
        consumed++;
        continue;
      }
      // The closing quote: what follows it up to the delimiter maps one to one.
      return source + 1 + (valueOffset - consumed);
    }
    source++;
    consumed++;
  }
  return source;
}

interface RecordScan {
  record: DelimitedRecord;
  unterminatedQuote: boolean;
}

/** Reads one record starting at `start`. With `buildValues` false the field list stays empty. */
function scanRecord(text: string, start: number, line: number, delimiterCode: number, buildValues: boolean): RecordScan {
  const length = text.length;
  const fields: DelimitedField[] = [];
  let position = start;
  let currentLine = line;
  let unterminatedQuote = false;

  for (;;) {
    const fieldStart = position;
    const quoted = text.charCodeAt(position) === quoteCode;
    let value = '';

    if (quoted) {
      position++;
      let chunkStart = position;
      for (;;) {
        if (position >= length) {
          unterminatedQuote = true;
          if (buildValues) value += text.slice(chunkStart, position);
          break;
        }
        const code = text.charCodeAt(position);
        if (code === quoteCode) {
          if (text.charCodeAt(position + 1) === quoteCode) {
            if (buildValues) value += text.slice(chunkStart, position + 1);
            position += 2;
            chunkStart = position;
            continue;
          }
          if (buildValues) value += text.slice(chunkStart, position);
          position++;
          break;
        }
        if (code === crCode) {
          if (text.charCodeAt(position + 1) === lfCode) position++;
          currentLine++;
        } else if (code === lfCode) {
          currentLine++;
        }
        position++;
      }
    }

    // The unquoted field, or text after a closing quote, runs to the next delimiter or line break.
    const restStart = position;
    while (position < length) {
      const code = text.charCodeAt(position);
      if (code === delimiterCode || code === crCode || code === lfCode) break;
      position++;
    }
    if (buildValues) {
      if (position > restStart) value += text.slice(restStart, position);
      fields.push({ value, start: fieldStart, end: position, quoted });
    }

    if (position < length && text.charCodeAt(position) === delimiterCode) {
      position++;
      continue;
    }
    break;
  }

  const end = position;
  if (position < length) {
    if (text.charCodeAt(position) === crCode && text.charCodeAt(position + 1) === lfCode) position += 2;
    else position++;
  }
  return {
    record: { line, endLine: currentLine, start, end, endWithLineBreak: position, fields },
    unterminatedQuote,
  };
}
