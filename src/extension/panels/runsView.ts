// The "Runs" tree view: every run folder of every project in the workspace, newest first, each opening
// its dashboard, with an inline action for its error analysis.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseMetrics } from './metricsSeries';
import { findProjectFiles, listRuns, metricsFileName, type RunFolder } from './runFolders';

export type RunsTreeNode = { kind: 'project'; projectFile: string } | { kind: 'run'; run: RunFolder };

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsTreeNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly activeRunDir: () => string | undefined) {}

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(node?: RunsTreeNode): Promise<RunsTreeNode[]> {
    if (!node) {
      const projectFiles = await findProjectFiles();
      // With a single project the runs are listed at the top level.
      if (projectFiles.length === 1) return listRuns(projectFiles[0]).map((run) => ({ kind: 'run', run }));
      return projectFiles.map((projectFile) => ({ kind: 'project', projectFile }));
    }
    if (node.kind === 'project') return listRuns(node.projectFile).map((run) => ({ kind: 'run', run }));
    return [];
  }

  getTreeItem(node: RunsTreeNode): vscode.TreeItem {
    if (node.kind === 'project') {
      const item = new vscode.TreeItem(path.basename(path.dirname(node.projectFile)), vscode.TreeItemCollapsibleState.Expanded);
      item.resourceUri = vscode.Uri.file(node.projectFile);
      item.iconPath = new vscode.ThemeIcon('project');
      item.contextValue = 'finetuneProject';
      return item;
    }

    const { run } = node;
    const item = new vscode.TreeItem(run.name, vscode.TreeItemCollapsibleState.None);
    const summary = summarizeRun(run.runDir, this.activeRunDir() === run.runDir);
    item.description = summary.description;
    item.tooltip = run.runDir;
    item.iconPath = new vscode.ThemeIcon(summary.icon);
    item.contextValue = run.hasEvaluation ? 'finetuneRun.evaluated' : 'finetuneRun';
    item.command = { command: 'finetune.openDashboard', title: vscode.l10n.t('Open Dashboard'), arguments: [run.runDir] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Reads a run's metrics for the status icon and the test accuracy (or status) shown beside it. */
function summarizeRun(runDir: string, active: boolean): { icon: string; description: string } {
  let text = '';
  try {
    text = fs.readFileSync(path.join(runDir, metricsFileName), 'utf8');
  } catch {
    // A run folder being created has no metrics yet.
  }
  const metrics = parseMetrics(text);
  if (active) return { icon: 'sync~spin', description: vscode.l10n.t('running, step {0}', metrics.steps.at(-1)?.step ?? 0) };
  if (metrics.test) return { icon: 'pass', description: vscode.l10n.t('test accuracy {0}', `${(metrics.test.accuracy * 100).toFixed(1)}%`) };
  switch (metrics.end?.status) {
    case 'failed':
    case 'diverged':
      return { icon: 'error', description: metrics.end.status === 'failed' ? vscode.l10n.t('failed') : vscode.l10n.t('diverged') };
    case 'completed':
    case 'early-stopped':
      return { icon: 'pass', description: vscode.l10n.t('finished') };
    case 'cancelled':
      return { icon: 'debug-stop', description: vscode.l10n.t('cancelled') };
    default:
      return { icon: 'circle-outline', description: vscode.l10n.t('interrupted') };
  }
}
