// "Fine-tune: Import Excel": choose an .xlsx file, a sheet and columns, and write a UTF-8 CSV.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readWorkbook, sheetTable, tableToCsv } from './excel';

/** Sheet row numbers listed in the import message at most. */
const maxListedRows = 10;

/** Runs the import; returns the CSV written, or undefined when the user cancelled. */
export async function importExcel(log: vscode.LogOutputChannel, source?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const workbookUri =
    source ??
    (
      await vscode.window.showOpenDialog({
        title: vscode.l10n.t('Choose an Excel workbook to import'),
        canSelectMany: false,
        filters: { [vscode.l10n.t('Excel workbook')]: ['xlsx'] },
      })
    )?.[0];
  if (!workbookUri) return undefined;

  const sheets = await readWorkbook(workbookUri.fsPath);
  const sheet =
    sheets.length === 1
      ? sheets[0]
      : (
          await vscode.window.showQuickPick(
            sheets.map((candidate) => ({ label: candidate.name, description: vscode.l10n.t('{0} rows', candidate.rows.length), sheet: candidate })),
            { title: vscode.l10n.t('Choose the sheet with the reviews') },
          )
        )?.sheet;
  if (!sheet) return undefined;

  const table = sheetTable(sheet);
  const picked = await vscode.window.showQuickPick(
    table.columns.map((name, index) => ({
      label: name,
      description: table.rows.find((row) => (row.cells[index] ?? '').trim() !== '')?.cells[index]?.slice(0, 40) ?? '',
      picked: table.rows.some((row) => (row.cells[index] ?? '').trim() !== ''),
      index,
    })),
    { title: vscode.l10n.t('Choose the columns to import (header in sheet row {0})', table.headerRow), canPickMany: true },
  );
  if (!picked || picked.length === 0) return undefined;

  const base = path.basename(workbookUri.fsPath, path.extname(workbookUri.fsPath));
  const target = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Save the imported rows as CSV'),
    defaultUri: vscode.Uri.file(path.join(path.dirname(workbookUri.fsPath), `${base}-${sheet.name}.csv`)),
    filters: { CSV: ['csv'] },
  });
  if (!target) return undefined;

  const conversion = tableToCsv(table, picked.map((item) => item.index));
  fs.writeFileSync(target.fsPath, conversion.csv, 'utf8');
  log.info(`Imported ${conversion.rows} rows of sheet ${sheet.name} into ${target.fsPath}; dropped ${conversion.droppedRows.length} empty rows`);

  const dropped = conversion.droppedRows;
  const listed = dropped.slice(0, maxListedRows).join(', ') + (dropped.length > maxListedRows ? ', …' : '');
  const message =
    dropped.length === 0
      ? vscode.l10n.t('Imported {0} rows into {1}.', conversion.rows, path.basename(target.fsPath))
      : vscode.l10n.t('Imported {0} rows into {1}. Dropped {2} empty or formatting-only rows (sheet rows {3}).', conversion.rows, path.basename(target.fsPath), dropped.length, listed);
  void vscode.window.showInformationMessage(message);
  await vscode.window.showTextDocument(target);
  return target;
}
