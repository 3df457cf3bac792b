// "Fine-tune: Compare Annotations" compares two label columns of one file, or one column in two files
// with the same rows, row by row. Each disagreement in the result opens its row.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseDataset } from '../../shared/data/read';
import type { Example } from '../../shared/data/types';
import { UserInputError } from '../../shared/errors';
import { compareAnnotations, explainKappa, type AnnotatedRow } from './agreement';
import { detectDataFile } from './wizard';

const dataFilters = { [vscode.l10n.t('Data files')]: ['csv', 'tsv', 'txt', 'jsonl'] };

export async function compareAnnotationsCommand(log: vscode.LogOutputChannel): Promise<void> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const firstUri =
    active && /\.(csv|tsv|txt|jsonl)$/i.test(active.fsPath)
      ? active
      : (await vscode.window.showOpenDialog({ title: vscode.l10n.t('Choose the annotated data file'), filters: dataFilters }))?.[0];
  if (!firstUri) return;

  const twoColumns = vscode.l10n.t('Two label columns in this file');
  const twoFiles = vscode.l10n.t('The same label column in another file');
  const mode = await vscode.window.showQuickPick([twoColumns, twoFiles], { title: vscode.l10n.t('What do you want to compare?') });
  if (!mode) return;

  const detected = detectDataFile(fs.readFileSync(firstUri.fsPath), firstUri.fsPath);
  const columnItems = detected.columns.map((name) => ({ label: name }));
  const textColumn = (await vscode.window.showQuickPick(columnItems, { title: vscode.l10n.t('Column with the review text') }))?.label;
  if (!textColumn) return;
  const others = columnItems.filter((item) => item.label !== textColumn);

  let rows: AnnotatedRow[];
  if (mode === twoColumns) {
    const first = (await vscode.window.showQuickPick(others, { title: vscode.l10n.t('Labels of the first annotator') }))?.label;
    if (!first) return;
    const second = (await vscode.window.showQuickPick(others.filter((item) => item.label !== first), { title: vscode.l10n.t('Labels of the second annotator') }))?.label;
    if (!second) return;
    rows = pairRows(readColumn(firstUri.fsPath, textColumn, first), readColumn(firstUri.fsPath, textColumn, second), firstUri.fsPath);
  } else {
    const labelColumn = (await vscode.window.showQuickPick(others, { title: vscode.l10n.t('Label column') }))?.label;
    if (!labelColumn) return;
    const secondUri = (await vscode.window.showOpenDialog({ title: vscode.l10n.t('Choose the file of the second annotator'), filters: dataFilters }))?.[0];
    if (!secondUri) return;
    rows = pairRows(readColumn(firstUri.fsPath, textColumn, labelColumn), readColumn(secondUri.fsPath, textColumn, labelColumn), secondUri.fsPath);
  }

  const report = compareAnnotations(rows);
  log.info(`Compared annotations of ${report.compared} rows: agreement ${report.agreementRate.toFixed(3)}, kappa ${report.kappa.toFixed(3)}`);
  showReport(firstUri, report.disagreements, [
    vscode.l10n.t('Agreement {0}% on {1} rows, Cohen\'s kappa {2}', (report.agreementRate * 100).toFixed(1), report.compared, report.kappa.toFixed(2)),
    explainKappa(report),
    report.skipped > 0 ? vscode.l10n.t('{0} rows labelled by only one annotator were left out.', report.skipped) : '',
  ]);
}

function showReport(uri: vscode.Uri, disagreements: ReturnType<typeof compareAnnotations>['disagreements'], summary: string[]): void {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { row?: number }>();
  pick.title = summary[0];
  pick.placeholder = vscode.l10n.t('{0} disagreements; choose one to open its row', disagreements.length);
  pick.ignoreFocusOut = true;
  pick.matchOnDetail = true;
  pick.items = [
    { label: '$(info) ' + summary[0], detail: summary.slice(1).filter(Boolean).join(' '), alwaysShow: true },
    ...disagreements.map((item) => ({
      label: vscode.l10n.t('Row {0}: {1} ≠ {2}', item.row, item.first, item.second),
      detail: item.text,
      row: item.row,
    })),
  ];
  pick.onDidAccept(async () => {
    const row = pick.selectedItems[0]?.row;
    if (row === undefined) return;
    const position = new vscode.Position(row - 1, 0);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preserveFocus: true, preview: true });
  });
  pick.onDidHide(() => pick.dispose());
  pick.show();
}

/** Reads every row of one label column with the shared reader, labelled or not, in file order. */
function readColumn(file: string, textColumn: string, labelColumn: string): Example[] {
  const dataset = parseDataset(fs.readFileSync(file), file, { file, format: 'auto', encoding: 'auto', textColumn, labelColumn });
  return [...dataset.examples, ...dataset.unlabelled].sort((a, b) => a.row - b.row);
}

/** Pairs two readings of the same rows; the files must hold the same texts in the same order. */
function pairRows(first: Example[], second: Example[], secondFile: string): AnnotatedRow[] {
  if (first.length !== second.length) {
    throw new UserInputError(
      vscode.l10n.t('{0} has {1} rows but the first file has {2}. Compare files that hold the same rows in the same order.', path.basename(secondFile), second.length, first.length),
      { file: secondFile },
    );
  }
  return first.map((example, index) => {
    const other = second[index];
    if (other.text.trim() !== example.text.trim()) {
      throw new UserInputError(
        vscode.l10n.t('Row {0} of {1} has another text than row {2} of the first file. Compare files that hold the same rows in the same order.', other.row, path.basename(secondFile), example.row),
        { file: secondFile, row: other.row },
      );
    }
    return { row: example.row, text: example.text, first: example.rawLabel ?? '', second: other.rawLabel ?? '' };
  });
}
