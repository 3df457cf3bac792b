// Converting one sheet of an .xlsx workbook into a UTF-8 CSV that the trainer and the dataset editor
// read: a header row, the chosen columns, and a column with each row's original sheet row number so
// that a row can be found again in the workbook. Pure: no VS Code API.

import { renderRecord } from '../../shared/data/delimited';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';

export interface WorkbookSheet {
  name: string;
  /** Cell texts by sheet row; index 0 is sheet row 1. Empty cells are ''. */
  rows: string[][];
}

/** A sheet as a table: its header row, then the rows with any content. */
export interface SheetTable {
  /** 1-based sheet row of the header: the first row with any content. */
  headerRow: number;
  columns: string[];
  rows: { sheetRow: number; cells: string[] }[];
}

export interface CsvConversion {
  csv: string;
  /** Data rows written. */
  rows: number;
  /** Sheet rows below the header dropped because the chosen columns are empty there. */
  droppedRows: number[];
}

/** Name of the column that keeps each row's sheet row number. */
export const sheetRowColumn = 'sheet_row';

/** Reads every sheet of an .xlsx file (a path or its bytes). */
export async function readWorkbook(input: string | Buffer, file = typeof input === 'string' ? input : 'workbook.xlsx'): Promise<WorkbookSheet[]> {
  // read-excel-file is an ES module, so it is loaded with import() from this CommonJS code.
  const { default: readXlsxFile } = await import('read-excel-file/node');
  let sheets: Awaited<ReturnType<typeof readXlsxFile>>;
  try {
    sheets = await readXlsxFile(input);
  } catch (error) {
    throw new UserInputError(
      t('{0} could not be read as an Excel workbook ({1}). Save it as .xlsx from Excel or WPS; the older .xls format is not supported.', file, (error as Error).message),
      { file },
    );
  }
  return sheets.map((sheet) => ({ name: sheet.sheet, rows: sheet.data.map((row) => row.map(cellText)) }));
}

/**
 * Finds a sheet's header (its first row with any content) and the rows below it. Rows whose cells are
 * all empty, which includes rows that only carry formatting such as a fill colour, are left out.
 * NOTE: read-excel-file drops empty rows at the end of a sheet itself, so those are never seen here.
 */
export function sheetTable(sheet: WorkbookSheet): SheetTable {
  const headerIndex = sheet.rows.findIndex((row) => row.some((cell) => cell.trim() !== ''));
  if (headerIndex === -1) {
    throw new UserInputError(t('Sheet "{0}" is empty. Choose a sheet with a header row and one row per review.', sheet.name), { column: sheet.name });
  }
  const header = sheet.rows[headerIndex];
  const width = Math.max(...sheet.rows.map((row) => row.length));
  const columns = Array.from({ length: width }, (_, i) => (header[i] ?? '').trim() || t('column {0}', i + 1));
  const rows = sheet.rows.slice(headerIndex + 1).map((cells, offset) => ({ sheetRow: headerIndex + offset + 2, cells }));
  return { headerRow: headerIndex + 1, columns, rows };
}

/**
 * Writes the chosen columns (indices into `table.columns`) as CSV text, with the sheet row number as the
 * last column, and drops rows whose chosen cells are all empty.
 */
export function tableToCsv(table: SheetTable, chosen: readonly number[]): CsvConversion {
  if (chosen.length === 0) throw new UserInputError(t('Choose at least one column to import.'));
  const header = [...chosen.map((index) => table.columns[index]), sheetRowColumn];
  const lines = [renderRecord(header, ',')];
  const droppedRows: number[] = [];
  for (const row of table.rows) {
    const cells = chosen.map((index) => row.cells[index] ?? '');
    if (cells.every((cell) => cell.trim() === '')) {
      droppedRows.push(row.sheetRow);
      continue;
    }
    lines.push(renderRecord([...cells, String(row.sheetRow)], ','));
  }
  return { csv: lines.join('\r\n') + '\r\n', rows: lines.length - 1, droppedRows };
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) {
    const iso = cell.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return String(cell);
}
