// The error analysis of one run: scores, confusion matrix and misclassified reviews from evaluation.json,
// with "Go to Row" and "Set Label to …" acting on the data file as undoable editor edits.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ErrorAnalysisState, ErrorAnalysisToExtension, ExtensionToErrorAnalysis } from '../../shared/protocol/webview';
import type { FinetuneProject } from '../../shared/project/types';
import { labelNames } from '../../shared/data/labels';
import { resolveFormat } from '../../shared/data/format';
import { UserInputError, isUserInputError } from '../../shared/errors';
import type { ExtensionServices } from '../services';
import { buildErrorAnalysisReport } from './errorAnalysisModel';
import { computeLabelEdit } from './labelEdit';
import { readEvaluation, readRunProject, resolveDataFile } from './runFolders';
import { errorAnalysisStrings } from './strings';
import { panelWebviewOptions, renderPanelHtml } from './webviewHtml';

export const errorAnalysisViewType = 'finetune.errorAnalysis';

export class ErrorAnalysisPanel {
  private static readonly panels = new Map<string, ErrorAnalysisPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows the error analysis of `runDir`; returns undefined when the run has no evaluation.json. */
  static show(services: ExtensionServices, runDir: string): ErrorAnalysisPanel | undefined {
    const existing = ErrorAnalysisPanel.panels.get(runDir);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    if (!readEvaluation(runDir)) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('The run {0} has no test results (evaluation.json). It stopped before the test: train again to the end.', path.basename(runDir)),
      );
      return undefined;
    }
    const panel = vscode.window.createWebviewPanel(
      errorAnalysisViewType,
      vscode.l10n.t('Errors: {0}', path.basename(runDir)),
      vscode.ViewColumn.Active,
      panelWebviewOptions(services.context.extensionUri),
    );
    return new ErrorAnalysisPanel(services, panel, runDir);
  }

  static revive(services: ExtensionServices, panel: vscode.WebviewPanel, state: ErrorAnalysisState | undefined): void {
    if (!state?.runDir || !readEvaluation(state.runDir)) {
      panel.dispose();
      return;
    }
    panel.webview.options = panelWebviewOptions(services.context.extensionUri);
    new ErrorAnalysisPanel(services, panel, state.runDir);
  }

  static openRunDirs(): string[] {
    return [...ErrorAnalysisPanel.panels.keys()];
  }

  private constructor(
    private readonly services: ExtensionServices,
    private readonly panel: vscode.WebviewPanel,
    private readonly runDir: string,
  ) {
    ErrorAnalysisPanel.panels.set(runDir, this);
    panel.iconPath = vscode.Uri.joinPath(services.context.extensionUri, 'media', 'finetune.svg');
    panel.webview.html = renderPanelHtml(panel.webview, services.context.extensionUri, 'errorAnalysis', errorAnalysisStrings().title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: ErrorAnalysisToExtension) => this.onMessage(message)),
      panel.onDidDispose(() => this.dispose()),
    );
    services.log.info(`Error analysis opened for ${runDir}`);
  }

  private async onMessage(message: ErrorAnalysisToExtension): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          this.postInit();
          break;
        case 'goToRow':
          await this.goToRow(message.row);
          break;
        case 'setLabel':
          await this.setLabel(message.row, message.label);
          break;
      }
    } catch (error) {
      if (isUserInputError(error)) {
        void vscode.window.showWarningMessage(error.message);
        return;
      }
      this.services.log.error(`Error analysis of ${this.runDir}: ${message.type} failed`, error);
      void vscode.window.showErrorMessage(vscode.l10n.t('The error analysis could not complete the action. See the Fine-tune Studio log for details.'));
    }
  }

  private postInit(): void {
    const evaluation = readEvaluation(this.runDir);
    if (!evaluation) return;
    const project = readRunProject(this.runDir);
    const dataFile = project ? resolveDataFile(this.runDir, project) : undefined;
    const report = buildErrorAnalysisReport(evaluation, {
      runDir: this.runDir,
      runName: path.basename(this.runDir),
      labelChoices: project ? labelNames(project.labels) : [],
      dataFileAvailable: dataFile !== undefined && fs.existsSync(dataFile),
    });
    this.post({ type: 'init', strings: errorAnalysisStrings(), report });
  }

  private dataFile(): { file: string; project: FinetuneProject } {
    const project = readRunProject(this.runDir);
    if (!project) throw new Error(`finetune.json missing in ${this.runDir}`);
    return { file: resolveDataFile(this.runDir, project), project };
  }

  private async goToRow(row: number): Promise<void> {
    const { file } = this.dataFile();
    await revealRow(file, row);
  }

  private async setLabel(row: number, label: string): Promise<void> {
    const { file, project } = this.dataFile();
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const text = document.getText();
    // Saving a file the editor decoded with the wrong encoding (a GB18030 file read as UTF-8, say)
    // would destroy the replaced bytes, so no edit is made then.
    if (text.includes('\uFFFD')) {
      throw new UserInputError(
        vscode.l10n.t(
          '{0} contains characters the editor could not decode, so its label was not changed. Reopen the file with its encoding (for example GB18030) through "Reopen with Encoding" and try again.',
          path.basename(file),
        ),
        { file, row },
      );
    }
    const format = resolveFormat(file, project.data.format, text);
    const edit = computeLabelEdit({
      text,
      file: path.basename(file),
      delimiter: format.delimiter,
      textColumn: project.data.textColumn,
      labelColumn: project.data.labelColumn,
      row,
      label,
    });

    const workspaceEdit = new vscode.WorkspaceEdit();
    const range = new vscode.Range(document.positionAt(edit.start), document.positionAt(edit.end));
    workspaceEdit.replace(document.uri, range, edit.newText);
    if (!(await vscode.workspace.applyEdit(workspaceEdit))) {
      throw new Error(`applyEdit was rejected for row ${row} of ${file}`);
    }
    this.services.log.info(`Error analysis set the label of row ${row} in ${file}`);
    this.post({ type: 'labelChanged', row, label });
  }

  private post(message: ExtensionToErrorAnalysis): void {
    void this.panel.webview.postMessage(message);
  }

  private dispose(): void {
    ErrorAnalysisPanel.panels.delete(this.runDir);
    this.disposables.forEach((disposable) => disposable.dispose());
  }
}

/** Opens a data file with the cursor at the start of 1-based `row`. */
export async function revealRow(file: string, row: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const line = Math.min(Math.max(row - 1, 0), document.lineCount - 1);
  const position = new vscode.Position(line, 0);
  const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
}
