// The training dashboard: live and finished runs' curves from metrics.jsonl, advice, and a Stop button.
// One panel per primary run; other runs can be overlaid to compare. A serializer restores the panel
// after a window reload from the run folders kept in the webview's state.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DashboardState, DashboardToExtension, ExtensionToDashboard, AdviceAction } from '../../shared/protocol/webview';
import { adviseOnRun } from '../../shared/advice/rules';
import type { ExtensionServices } from '../services';
import { toDashboardRun } from './metricsSeries';
import { MetricsTail } from './metricsTail';
import { findProjectFileForRun, listAllRuns, readRunProject } from './runFolders';
import { openProjectSetting } from './projectSettings';
import { dashboardStrings } from './strings';
import { panelWebviewOptions, renderPanelHtml } from './webviewHtml';

export const dashboardViewType = 'finetune.dashboard';

/** How often an active run's metrics.jsonl is checked for new lines, in milliseconds. */
const TAIL_INTERVAL_MS = 1000;

export class DashboardPanel {
  private static readonly panels = new Map<string, DashboardPanel>();

  private tails: MetricsTail[];
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows the dashboard of `runDir`, creating it when none is open. */
  static show(services: ExtensionServices, runDir: string, preserveFocus = false): DashboardPanel {
    const existing = DashboardPanel.panels.get(runDir);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      dashboardViewType,
      vscode.l10n.t('Training: {0}', path.basename(runDir)),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      panelWebviewOptions(services.context.extensionUri),
    );
    return new DashboardPanel(services, panel, [runDir]);
  }

  /** Restores a dashboard after a window reload. */
  static revive(services: ExtensionServices, panel: vscode.WebviewPanel, state: DashboardState | undefined): void {
    const runDirs = (state?.runDirs ?? []).filter((runDir) => fs.existsSync(runDir));
    if (runDirs.length === 0) {
      panel.dispose();
      return;
    }
    panel.webview.options = panelWebviewOptions(services.context.extensionUri);
    new DashboardPanel(services, panel, runDirs);
  }

  /** Re-reads the metrics of every open dashboard showing `runDir`. */
  static refreshRun(runDir: string): void {
    for (const dashboard of DashboardPanel.panels.values()) {
      if (dashboard.tails.some((tail) => tail.runDir === runDir)) dashboard.refresh();
    }
  }

  /** Returns a summary of each open dashboard, for integration tests. */
  static snapshots(): { runDirs: string[]; ready: boolean; lastEpoch?: number; lastStep?: number; status: string }[] {
    return [...DashboardPanel.panels.values()].map((dashboard) => {
      const primary = dashboard.tails[0].metrics;
      return {
        runDirs: dashboard.tails.map((tail) => tail.runDir),
        ready: dashboard.ready,
        lastEpoch: primary.epochs.at(-1)?.epoch,
        lastStep: primary.steps.at(-1)?.step,
        status: primary.end?.status ?? 'running',
      };
    });
  }

  private constructor(
    private readonly services: ExtensionServices,
    private readonly panel: vscode.WebviewPanel,
    runDirs: string[],
  ) {
    this.tails = runDirs.map((runDir) => new MetricsTail(runDir));
    DashboardPanel.panels.set(runDirs[0], this);
    const strings = dashboardStrings();
    panel.iconPath = vscode.Uri.joinPath(services.context.extensionUri, 'media', 'finetune.svg');
    panel.webview.html = renderPanelHtml(panel.webview, services.context.extensionUri, 'dashboard', strings.title, true);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: DashboardToExtension) => this.onMessage(message)),
      panel.onDidChangeViewState(() => this.schedule()),
      panel.onDidDispose(() => this.dispose()),
    );
    services.log.info(`Dashboard opened for ${runDirs.join(', ')}`);
  }

  get primaryRunDir(): string {
    return this.tails[0].runDir;
  }

  private async onMessage(message: DashboardToExtension): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.tails.forEach((tail) => tail.read());
        this.post({ type: 'init', strings: dashboardStrings(), ...this.snapshot() });
        this.schedule();
        break;
      case 'stopTraining':
        await vscode.commands.executeCommand('finetune.stopTraining');
        break;
      case 'adviceAction':
        await this.runAdviceAction(message.action);
        break;
      case 'addRun':
        await this.pickRunToCompare();
        break;
      case 'removeRun':
        if (message.runDir !== this.primaryRunDir) {
          this.tails = this.tails.filter((tail) => tail.runDir !== message.runDir);
          this.postUpdate();
        }
        break;
      case 'openErrorAnalysis':
        await vscode.commands.executeCommand('finetune.openErrorAnalysis', message.runDir);
        break;
    }
  }

  private async runAdviceAction(action: AdviceAction): Promise<void> {
    switch (action.kind) {
      case 'stopTraining':
        await vscode.commands.executeCommand('finetune.stopTraining');
        break;
      case 'openErrorAnalysis':
        await vscode.commands.executeCommand('finetune.openErrorAnalysis', this.primaryRunDir);
        break;
      case 'openSetting': {
        const projectFile = findProjectFileForRun(this.primaryRunDir);
        if (!projectFile) {
          void vscode.window.showWarningMessage(vscode.l10n.t('No finetune.json was found above the run folder {0}.', this.primaryRunDir));
          return;
        }
        await openProjectSetting(projectFile, action.field);
        break;
      }
    }
  }

  private async pickRunToCompare(): Promise<void> {
    const shown = new Set(this.tails.map((tail) => tail.runDir));
    const runs = (await listAllRuns()).filter((run) => !shown.has(run.runDir));
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There is no other run to compare with.'));
      return;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((run) => ({ label: run.name, description: run.projectFile ? path.dirname(run.projectFile) : undefined, runDir: run.runDir })),
      { placeHolder: vscode.l10n.t('Pick a run to compare with') },
    );
    if (!picked) return;
    const tail = new MetricsTail(picked.runDir);
    tail.read();
    this.tails.push(tail);
    this.postUpdate();
  }

  /** Reads new metrics and posts them when anything changed. */
  refresh(): void {
    if (!this.ready) return;
    const changed = this.tails.map((tail) => tail.read()).some(Boolean);
    if (changed) this.postUpdate();
    this.schedule();
  }

  /** Polls while a shown run is still active and the panel is visible. */
  private schedule(): void {
    const active = this.tails.some((tail) => !tail.finished);
    if (active && this.panel.visible && this.ready) {
      this.timer ??= setInterval(() => this.refresh(), TAIL_INTERVAL_MS);
    } else if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private snapshot(): Omit<ExtensionToDashboard & { type: 'update' }, 'type'> {
    const activeRunDir = this.services.activeRunDir();
    const runs = this.tails.map((tail) => {
      const project = readRunProject(tail.runDir);
      const run = toDashboardRun(tail.runDir, path.basename(tail.runDir), tail.metrics, project?.targets.accuracy);
      // A run without an end record and without a live trainer was interrupted.
      if (run.status === 'running' && activeRunDir !== tail.runDir) {
        run.status = 'cancelled';
        run.secondsLeft = undefined;
      }
      return run;
    });
    const primary = this.tails[0].metrics;
    const project = readRunProject(this.primaryRunDir);
    const running = primary.end === undefined && activeRunDir === this.primaryRunDir;
    const advice = adviseOnRun({
      steps: primary.steps,
      epochs: primary.epochs,
      nanStep: primary.nanStep,
      status: primary.end?.status ?? (running ? 'running' : 'cancelled'),
      test: primary.test,
      targetAccuracy: project?.targets.accuracy ?? 0,
      learningRate: project?.training.learningRate ?? 0,
    });
    return { runs, advice };
  }

  private postUpdate(): void {
    this.post({ type: 'update', ...this.snapshot() });
  }

  private post(message: ExtensionToDashboard): void {
    void this.panel.webview.postMessage(message);
  }

  private dispose(): void {
    if (this.timer) clearInterval(this.timer);
    DashboardPanel.panels.delete(this.primaryRunDir);
    this.disposables.forEach((disposable) => disposable.dispose());
  }
}
