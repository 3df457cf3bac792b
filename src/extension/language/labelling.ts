// Labelling in the editor: label codelenses for the visible rows, the commands they run, "Label as …"
// with Alt+1 … Alt+9, "Next unlabelled row", and converting a file to UTF-8.

import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import {
  convertToUtf8Method,
  datasetLabelsMethod,
  labelEditMethod,
  labelLensesMethod,
  nextUnlabelledMethod,
  type ConvertToUtf8Result,
  type DatasetLabelsResult,
  type LabelEditResult,
  type LabelLensesResult,
  type NextUnlabelledResult,
} from '../../shared/protocol/server';
import { datasetSelector } from './client';

/** Lines above and below the visible range that get lenses too, so scrolling a little shows them at once. */
const lensMarginLines = 40;
/** Delay before lenses are requested again after the visible range changed. */
const scrollDebounceMs = 150;
/** Number of "Label as …" commands, bound to Alt+1 … Alt+9. */
export const labelShortcutCount = 9;
/** Context key that is true while the active editor shows a dataset of a finetune.json. */
const isDatasetContext = 'finetune.isDataset';

export function registerLabelling(client: LanguageClient, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const lensesChanged = new vscode.EventEmitter<void>();
  let debounce: NodeJS.Timeout | undefined;

  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensesChanged.event,
    async provideCodeLenses(document) {
      const editors = vscode.window.visibleTextEditors.filter((editor) => editor.document === document);
      const ranges = editors.flatMap((editor) => editor.visibleRanges);
      if (ranges.length === 0 || client.state !== State.Running) return [];
      const firstLine = Math.max(0, Math.min(...ranges.map((range) => range.start.line)) - lensMarginLines);
      const lastLine = Math.max(...ranges.map((range) => range.end.line)) + lensMarginLines;
      const result: LabelLensesResult = await client.sendRequest(labelLensesMethod, { uri: document.uri.toString(), firstLine, lastLine });
      return result.lenses.map(
        (lens) =>
          new vscode.CodeLens(new vscode.Range(lens.line, 0, lens.line, 0), {
            title: lens.title,
            tooltip: vscode.l10n.t('Set this row\'s label to "{0}"', lens.label),
            command: 'finetune.setRowLabel',
            arguments: [document.uri.toString(), lens.line, lens.label],
          }),
      );
    },
  };

  const setRowLabel = async (uri: string, line: number, label: string, moveToNext: boolean) => {
    const result: LabelEditResult = await client.sendRequest(labelEditMethod, { uri, line, label });
    if (!result.edit) return;
    const edit = await client.protocol2CodeConverter.asWorkspaceEdit(result.edit);
    if (!(await vscode.workspace.applyEdit(edit))) {
      log.warn(`Label edit on line ${line + 1} was not applied (the document changed meanwhile)`);
      return;
    }
    if (moveToNext) revealLine(uri, result.nextUnlabelledLine);
  };

  const labelAs = async (index: number) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const uri = editor.document.uri.toString();
    const { labels }: DatasetLabelsResult = await client.sendRequest(datasetLabelsMethod, { uri });
    if (labels.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('This file is not the data file of any finetune.json in the workspace.'));
      return;
    }
    if (index >= labels.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The project has {0} labels; there is no label number {1}.', labels.length, index + 1));
      return;
    }
    await setRowLabel(uri, editor.selection.active.line, labels[index], true);
  };

  const updateContext = async (editor: vscode.TextEditor | undefined) => {
    let isDataset = false;
    if (editor && client.state === State.Running && vscode.languages.match(datasetSelector, editor.document) > 0) {
      const { labels }: DatasetLabelsResult = await client.sendRequest(datasetLabelsMethod, { uri: editor.document.uri.toString() });
      isDataset = labels.length > 0;
    }
    await vscode.commands.executeCommand('setContext', isDatasetContext, isDataset);
  };

  const disposables: vscode.Disposable[] = [
    lensesChanged,
    vscode.languages.registerCodeLensProvider(datasetSelector, provider),
    vscode.window.onDidChangeTextEditorVisibleRanges(() => {
      clearTimeout(debounce);
      debounce = setTimeout(() => lensesChanged.fire(), scrollDebounceMs);
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => void updateContext(editor)),
    client.onDidChangeState((event) => {
      if (event.newState !== State.Running) return;
      void updateContext(vscode.window.activeTextEditor);
      lensesChanged.fire();
    }),
    vscode.commands.registerCommand('finetune.setRowLabel', (uri: string, line: number, label: string) => setRowLabel(uri, line, label, false)),
    vscode.commands.registerCommand('finetune.nextUnlabelled', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      const uri = editor.document.uri.toString();
      const result: NextUnlabelledResult = await client.sendRequest(nextUnlabelledMethod, { uri, line: editor.selection.active.line });
      if (result.line === undefined) void vscode.window.showInformationMessage(vscode.l10n.t('Every row is labelled.'));
      else revealLine(uri, result.line);
    }),
    vscode.commands.registerCommand('finetune.convertToUtf8', async (uri?: string) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
      if (!target) return;
      const result: ConvertToUtf8Result = await client.sendRequest(convertToUtf8Method, { uri: target });
      log.info(`Converted a data file from ${result.encoding} to UTF-8; backup at ${result.backupFile}`);
      const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === target);
      if (document && !document.isDirty) {
        // Reopen the document so the editor decodes the new bytes as UTF-8.
        // NOTE: when the user picked GB18030 with "Reopen with Encoding", the editor keeps that choice on
        // revert and shows the UTF-8 bytes garbled until they reopen the file as UTF-8.
        await vscode.window.showTextDocument(document);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
      void vscode.window.showInformationMessage(vscode.l10n.t('Converted to UTF-8. The original file is kept as {0}.', result.backupFile));
    }),
  ];
  for (let index = 0; index < labelShortcutCount; index++) {
    disposables.push(vscode.commands.registerCommand(`finetune.labelAs${index + 1}`, () => labelAs(index)));
  }
  void updateContext(vscode.window.activeTextEditor);
  return disposables;
}

function revealLine(uri: string, line: number | undefined): void {
  if (line === undefined) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Every row is labelled.'));
    return;
  }
  const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document.uri.toString() === uri);
  if (!editor) return;
  const position = new vscode.Position(line, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
