// Inline predictions: after each misclassified test row of a project's latest evaluated run, the data
// file shows "Model predicts: 差评 (87%)" with every probability on hover, and the "Misclassified
// Reviews" tree view lists the same rows. Both reload when a run finishes; editing a row's text clears
// its decoration because the prediction no longer describes that text.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MisclassifiedView } from '../../shared/protocol/webview';
import { formatPredictionHover, formatPredictionLabel, sortMisclassified } from './errorAnalysisModel';
import { findProjectFiles, listRuns, readEvaluation, readRunProject, resolveDataFile } from './runFolders';
import { revealRow } from './errorAnalysisPanel';

/** Misclassified rows of one data file, keyed by 0-based editor line of the record's first line. */
interface FilePredictions {
  file: string;
  runDir: string;
  byLine: Map<number, MisclassifiedView>;
}

export class PredictionDecorations implements vscode.Disposable {
  private readonly files = new Map<string, FilePredictions>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly decorationType = vscode.window.createTextEditorDecorationType({
    after: {
      margin: '0 0 0 2em',
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      this.decorationType,
      this.changed,
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.decorate(editor))),
      vscode.workspace.onDidChangeTextDocument((event) => this.onDocumentChanged(event)),
    );
  }

  /** Loads the latest evaluated run of every project in the workspace. */
  async loadWorkspace(): Promise<void> {
    for (const projectFile of await findProjectFiles()) {
      const latest = listRuns(projectFile).find((run) => run.hasEvaluation);
      if (latest) this.loadRun(latest.runDir, false);
    }
    this.redraw();
  }

  /** Replaces the predictions of the run's data file with those of `runDir`. */
  loadRun(runDir: string, redraw = true): void {
    const evaluation = readEvaluation(runDir);
    const project = readRunProject(runDir);
    if (!evaluation || !project) return;
    const file = resolveDataFile(runDir, project);
    const byLine = new Map<number, MisclassifiedView>();
    for (const item of sortMisclassified(evaluation.misclassified)) byLine.set(item.row - 1, item);
    this.files.set(normalizePath(file), { file, runDir, byLine });
    this.log.info(`Inline predictions loaded from ${runDir}: ${byLine.size} misclassified rows of ${file}`);
    if (redraw) this.redraw();
  }

  /**
   * Lists every file's misclassified rows, most confident first. Rows are where the records are now,
   * after edits above them moved them.
   */
  entries(): { file: string; item: MisclassifiedView }[] {
    const entries: { file: string; item: MisclassifiedView }[] = [];
    for (const predictions of this.files.values()) {
      for (const [line, item] of predictions.byLine) entries.push({ file: predictions.file, item: { ...item, row: line + 1 } });
    }
    return entries.sort((a, b) => b.item.confidence - a.item.confidence || a.item.row - b.item.row);
  }

  /** Returns the prediction decorated on 0-based `line` of `file`, for tests and commands. */
  predictionAt(file: string, line: number): MisclassifiedView | undefined {
    return this.files.get(normalizePath(file))?.byLine.get(line);
  }

  private redraw(): void {
    vscode.window.visibleTextEditors.forEach((editor) => this.decorate(editor));
    this.changed.fire();
  }

  private decorate(editor: vscode.TextEditor): void {
    const predictions = this.files.get(normalizePath(editor.document.uri.fsPath));
    if (editor.document.uri.scheme !== 'file' || !predictions) {
      editor.setDecorations(this.decorationType, []);
      return;
    }
    const options: vscode.DecorationOptions[] = [];
    for (const [line, item] of predictions.byLine) {
      if (line >= editor.document.lineCount) continue;
      const end = editor.document.lineAt(line).range.end;
      const hover = new vscode.MarkdownString(formatPredictionHover(item));
      hover.isTrusted = false;
      hover.supportHtml = false;
      options.push({
        range: new vscode.Range(end, end),
        hoverMessage: hover,
        renderOptions: { after: { contentText: formatPredictionLabel(item) } },
      });
    }
    editor.setDecorations(this.decorationType, options);
  }

  /**
   * Drops the predictions of edited lines and moves those below an edit by the lines it added or removed.
   * NOTE: only the first line of a multi-line quoted record is watched, so an edit further down such a
   * record keeps its decoration.
   */
  private onDocumentChanged(event: vscode.TextDocumentChangeEvent): void {
    const predictions = this.files.get(normalizePath(event.document.uri.fsPath));
    if (!predictions || event.contentChanges.length === 0) return;

    // Applied bottom-up, each change's range stays valid in the coordinates the previous one left.
    const changes = [...event.contentChanges].sort((a, b) => b.range.start.compareTo(a.range.start));
    let byLine = predictions.byLine;
    for (const change of changes) {
      const firstLine = change.range.start.line;
      const lastLine = change.range.end.line;
      const delta = (change.text.match(/\r\n|\r|\n/g)?.length ?? 0) - (lastLine - firstLine);
      const moved = new Map<number, MisclassifiedView>();
      for (const [line, item] of byLine) {
        if (line < firstLine) moved.set(line, item);
        else if (line > lastLine) moved.set(line + delta, item);
      }
      byLine = moved;
    }
    const removed = predictions.byLine.size - byLine.size;
    predictions.byLine = byLine;
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document === event.document) this.decorate(editor);
    }
    if (removed > 0) this.changed.fire();
  }

  dispose(): void {
    this.disposables.forEach((disposable) => disposable.dispose());
  }
}

/** The "Misclassified Reviews" tree view. */
export class MisclassifiedTreeProvider implements vscode.TreeDataProvider<{ file: string; item: MisclassifiedView }> {
  readonly onDidChangeTreeData: vscode.Event<void>;

  constructor(private readonly predictions: PredictionDecorations) {
    this.onDidChangeTreeData = predictions.onDidChange;
  }

  getChildren(node?: { file: string; item: MisclassifiedView }): { file: string; item: MisclassifiedView }[] {
    return node ? [] : this.predictions.entries();
  }

  getTreeItem({ file, item }: { file: string; item: MisclassifiedView }): vscode.TreeItem {
    const treeItem = new vscode.TreeItem(
      vscode.l10n.t('Row {0}: {1} → {2} ({3})', item.row, item.label, item.predicted, `${Math.round(item.confidence * 100)}%`),
    );
    treeItem.description = item.text.length > 60 ? `${item.text.slice(0, 60)}…` : item.text;
    treeItem.tooltip = `${path.basename(file)}:${item.row}\n${item.text}`;
    treeItem.iconPath = new vscode.ThemeIcon('warning');
    treeItem.command = { command: 'finetune.goToDataRow', title: vscode.l10n.t('Go to Row'), arguments: [file, item.row] };
    return treeItem;
  }
}

export function registerGoToDataRow(): vscode.Disposable {
  return vscode.commands.registerCommand('finetune.goToDataRow', (file: string, row: number) => revealRow(file, row));
}

/** Compares paths the way the file system does: case-insensitively on Windows and macOS. */
function normalizePath(file: string): string {
  const resolved = path.resolve(file);
  return process.platform === 'linux' ? resolved : resolved.toLowerCase();
}
