// Webview panels: training dashboard, error analysis, runs view and inline prediction decorations.
//
// Commands registered here:
//   finetune.openDashboard [runDir]        dashboard of a run (shows a run picker when no run is given or active)
//   finetune.openErrorAnalysis [runDir]    error analysis of a run (shows a run picker when none is given)
//   finetune.refreshRuns                   re-reads the run folders for the Runs view and inline predictions
//   finetune.goToDataRow file row          opens a data file at a 1-based row
//   finetune.panels.snapshot               what the panels show, for integration tests (not in the palette)

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DashboardState, ErrorAnalysisState } from '../../shared/protocol/webview';
import type { ExtensionServices } from '../services';
import { DashboardPanel, dashboardViewType } from './dashboardPanel';
import { ErrorAnalysisPanel, errorAnalysisViewType } from './errorAnalysisPanel';
import { MisclassifiedTreeProvider, PredictionDecorations, registerGoToDataRow } from './predictionDecorations';
import { evaluationFileName, isRunFolder, listAllRuns, type RunFolder } from './runFolders';
import { RunsTreeProvider, type RunsTreeNode } from './runsView';

let panelServices: ExtensionServices | undefined;
let predictions: PredictionDecorations | undefined;

export function activatePanels(services: ExtensionServices): void {
  panelServices = services;
  const { context } = services;

  const runsTree = new RunsTreeProvider(() => services.activeRunDir());
  predictions = new PredictionDecorations(services.log);
  const loadedPredictions = predictions;
  context.subscriptions.push(
    runsTree,
    loadedPredictions,
    vscode.window.registerTreeDataProvider('finetune.runs', runsTree),
    vscode.window.registerTreeDataProvider('finetune.misclassified', new MisclassifiedTreeProvider(loadedPredictions)),
    registerGoToDataRow(),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('finetune.openDashboard', (target?: string | RunsTreeNode) => openDashboard(target)),
    vscode.commands.registerCommand('finetune.openErrorAnalysis', (target?: string | RunsTreeNode) => openErrorAnalysisCommand(target)),
    vscode.commands.registerCommand('finetune.refreshRuns', async () => {
      runsTree.refresh();
      await loadedPredictions.loadWorkspace();
    }),
    vscode.commands.registerCommand('finetune.panels.snapshot', () => ({
      dashboards: DashboardPanel.snapshots(),
      errorAnalyses: ErrorAnalysisPanel.openRunDirs(),
      predictions: loadedPredictions.entries().map(({ file, item }) => ({ file, row: item.row, label: item.label, predicted: item.predicted, confidence: item.confidence })),
    })),
    vscode.window.registerWebviewPanelSerializer(dashboardViewType, {
      deserializeWebviewPanel: async (panel, state: DashboardState | undefined) => DashboardPanel.revive(services, panel, state),
    }),
    vscode.window.registerWebviewPanelSerializer(errorAnalysisViewType, {
      deserializeWebviewPanel: async (panel, state: ErrorAnalysisState | undefined) => ErrorAnalysisPanel.revive(services, panel, state),
    }),
  );

  context.subscriptions.push(
    services.onDidStartRun((event) => {
      runsTree.refresh();
      DashboardPanel.show(services, event.runDir, true);
    }),
    services.onDidFinishEpoch((event) => DashboardPanel.refreshRun(event.runDir)),
    services.onDidFinishRun((event) => {
      runsTree.refresh();
      DashboardPanel.refreshRun(event.runDir);
      if (event.evaluation) loadedPredictions.loadRun(event.runDir);
    }),
  );

  // Runs finished outside this window (the `finetune` CLI, another window) appear when their
  // evaluation.json is written.
  const evaluations = vscode.workspace.createFileSystemWatcher(`**/${evaluationFileName}`);
  const onEvaluation = (uri: vscode.Uri) => {
    const runDir = path.dirname(uri.fsPath);
    if (!isRunFolder(runDir)) return;
    runsTree.refresh();
    loadedPredictions.loadRun(runDir);
  };
  context.subscriptions.push(evaluations, evaluations.onDidCreate(onEvaluation), evaluations.onDidChange(onEvaluation));

  void loadedPredictions.loadWorkspace().catch((error: unknown) => services.log.error('Loading inline predictions failed', error));
}

/**
 * Opens the error analysis of `runDir`, for the training-finished notification. Returns false when the
 * run has no evaluation.json (a warning is shown) or the panels are not active.
 */
export function openErrorAnalysis(runDir: string): boolean {
  if (!panelServices) return false;
  return ErrorAnalysisPanel.show(panelServices, runDir) !== undefined;
}

async function openDashboard(target: string | RunsTreeNode | undefined): Promise<boolean> {
  if (!panelServices) return false;
  const runDir = runDirOf(target) ?? panelServices.activeRunDir() ?? (await pickRun(vscode.l10n.t('Pick a run to show'), () => true));
  if (!runDir) return false;
  DashboardPanel.show(panelServices, runDir);
  return true;
}

async function openErrorAnalysisCommand(target: string | RunsTreeNode | undefined): Promise<boolean> {
  const runDir = runDirOf(target) ?? (await pickRun(vscode.l10n.t('Pick a run to analyse'), (run) => run.hasEvaluation));
  return runDir ? openErrorAnalysis(runDir) : false;
}

function runDirOf(target: string | RunsTreeNode | undefined): string | undefined {
  if (typeof target === 'string') return path.resolve(target);
  if (target?.kind === 'run') return target.run.runDir;
  return undefined;
}

/** Shows a run picker, newest first. A single candidate is returned without showing the picker. */
async function pickRun(placeHolder: string, accept: (run: RunFolder) => boolean): Promise<string | undefined> {
  const runs = (await listAllRuns()).filter(accept);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No runs found. Run "Fine-tune: Train" first.'));
    return undefined;
  }
  if (runs.length === 1) return runs[0].runDir;
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ label: run.name, description: run.projectFile ? path.dirname(run.projectFile) : undefined, runDir: run.runDir })),
    { placeHolder },
  );
  return picked?.runDir;
}
