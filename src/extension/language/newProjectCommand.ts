// "Fine-tune: New Project": choose a data file, confirm the detected columns and labels, and write
// finetune.json next to the data file.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { renderRecord } from '../../shared/data/delimited';
import { decodeText, encodeText } from '../../shared/data/encoding';
import { builtinTinyChineseBert } from '../../shared/project/presets';
import { importExcel } from './excelCommand';
import { buildProjectJson, detectDataFile, proposeLabels } from './wizard';

export async function newProject(log: vscode.LogOutputChannel): Promise<void> {
  let dataUri = (
    await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Choose the data file with your reviews'),
      filters: { [vscode.l10n.t('Data files')]: ['csv', 'tsv', 'txt', 'jsonl', 'xlsx'] },
    })
  )?.[0];
  if (!dataUri) return;
  if (dataUri.fsPath.toLowerCase().endsWith('.xlsx')) {
    dataUri = await importExcel(log, dataUri);
    if (!dataUri) return;
  }

  const bytes = fs.readFileSync(dataUri.fsPath);
  const detected = detectDataFile(bytes, dataUri.fsPath);
  const sample = (column: number) => detected.values[column]?.find((value) => value.trim() !== '')?.slice(0, 40) ?? '';
  const columnItems = detected.columns.map((name, index) => ({ label: name, description: sample(index), index }));

  const encodingNote = vscode.l10n.t('Detected {0}{1}, {2}.', detected.encoding.toUpperCase(), detected.bom ? ' (BOM)' : '', detected.format.toUpperCase());
  const textItem = await pickColumn(columnItems, detected.textColumn, vscode.l10n.t('Which column holds the review text? ({0})', encodingNote));
  if (!textItem) return;
  const labelItem = await pickColumn(
    columnItems.filter((item) => item.index !== textItem.index),
    detected.labelColumn,
    vscode.l10n.t('Which column holds the label?'),
  );
  if (!labelItem) return;

  let textColumn = textItem.label;
  let labelColumn = labelItem.label;
  if (!detected.hasHeader) {
    const add = vscode.l10n.t('Add a header row');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} has no header row. Fine-tune Studio needs one to find the columns. Add the header "text" and "label" to the file?', path.basename(dataUri.fsPath)),
      { modal: true },
      add,
    );
    if (answer !== add) return;
    const header = detected.columns.map((_, index) => headerName(index, textItem.index, labelItem.index));
    const body = decodeText(bytes, detected.encoding, dataUri.fsPath).text;
    const lineBreak = /\r\n/.test(body) ? '\r\n' : '\n';
    fs.writeFileSync(dataUri.fsPath, encodeText(renderRecord(header, detected.delimiter ?? ',') + lineBreak + body, detected.encoding, detected.bom));
    textColumn = 'text';
    labelColumn = 'label';
  }

  const proposed = Object.keys(proposeLabels(detected.values[labelItem.index] ?? []));
  const labelInput = await vscode.window.showInputBox({
    title: vscode.l10n.t('Label names, separated by commas (found in the data: {0})', proposed.length),
    value: proposed.join(', '),
    validateInput: (value) => (splitLabels(value).length < 2 ? vscode.l10n.t('Enter at least two label names.') : undefined),
  });
  if (labelInput === undefined) return;
  const labels = Object.fromEntries(splitLabels(labelInput).map((name, id) => [name, id]));

  const builtin = { label: builtinTinyChineseBert.id, description: vscode.l10n.t('offline, untrained, about {0} MB', builtinTinyChineseBert.sizeMb) };
  const other = { label: vscode.l10n.t('Another model…'), description: vscode.l10n.t('a Hugging Face id such as bert-base-chinese, or a local folder') };
  const modelChoice = await vscode.window.showQuickPick([builtin, other], { title: vscode.l10n.t('Base model') });
  if (!modelChoice) return;
  const base =
    modelChoice === builtin
      ? builtin.label
      : await vscode.window.showInputBox({ title: vscode.l10n.t('Hugging Face model id or model folder'), value: 'bert-base-chinese' });
  if (!base) return;

  const projectFolder = path.dirname(dataUri.fsPath);
  const name = await vscode.window.showInputBox({ title: vscode.l10n.t('Project name'), value: path.basename(projectFolder) });
  if (!name) return;
  const projectFile = path.join(projectFolder, 'finetune.json');
  if (fs.existsSync(projectFile)) {
    const overwrite = vscode.l10n.t('Overwrite');
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('{0} already exists. Overwrite it?', projectFile), { modal: true }, overwrite);
    if (answer !== overwrite) return;
  }

  fs.writeFileSync(projectFile, buildProjectJson({ name, dataFile: dataUri.fsPath, projectFolder, textColumn, labelColumn, labels, base }), 'utf8');
  log.info(`Wrote ${projectFile} (${Object.keys(labels).length} labels, model ${base})`);
  await vscode.window.showTextDocument(vscode.Uri.file(projectFile));
}

async function pickColumn<T extends vscode.QuickPickItem & { index: number }>(items: T[], guess: number, title: string): Promise<T | undefined> {
  const ordered = [...items.filter((item) => item.index === guess), ...items.filter((item) => item.index !== guess)];
  return vscode.window.showQuickPick(ordered, { title });
}

function headerName(index: number, textIndex: number, labelIndex: number): string {
  if (index === textIndex) return 'text';
  if (index === labelIndex) return 'label';
  return `column${index + 1}`;
}

function splitLabels(value: string): string[] {
  const names = value
    .split(/[,，、]/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return [...new Set(names)];
}
