// Status bar item of the active dataset: labelled rows out of all rows, the count per label, and a
// warning with a plain explanation when the labels are too few or too unbalanced to train well.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { datasetStatsMethod, type DatasetStats } from '../../shared/protocol/server';

export function registerStatusBar(client: LanguageClient): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('finetune.datasetStats', vscode.StatusBarAlignment.Left, 50);
  item.name = vscode.l10n.t('Fine-tune dataset labels');
  item.command = 'finetune.nextUnlabelled';
  const statsByUri = new Map<string, DatasetStats>();

  const update = () => {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const stats = uri ? statsByUri.get(uri) : undefined;
    if (!stats) {
      item.hide();
      return;
    }
    const counts = Object.entries(stats.perLabel).map(([label, count]) => `${label} ${count}`).join(' · ');
    const icon = stats.warnings.length > 0 ? '$(warning)' : '$(tag)';
    item.text = `${icon} ${vscode.l10n.t('{0}/{1} labelled', stats.labelled, stats.total)} · ${counts}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(vscode.l10n.t('**{0}** of **{1}** rows are labelled.', stats.labelled, stats.total) + '\n\n');
    for (const [label, count] of Object.entries(stats.perLabel)) tooltip.appendText(`${label}: ${count}\n`);
    for (const warning of stats.warnings) tooltip.appendMarkdown('\n\n$(warning) ').appendText(warning);
    tooltip.appendMarkdown('\n\n' + vscode.l10n.t('Click to go to the next unlabelled row.'));
    tooltip.supportThemeIcons = true;
    item.tooltip = tooltip;
    item.backgroundColor = stats.warnings.length > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };

  return [
    item,
    client.onNotification(datasetStatsMethod, (stats: DatasetStats) => {
      statsByUri.set(stats.uri, stats);
      update();
    }),
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidCloseTextDocument((document) => {
      statsByUri.delete(document.uri.toString());
      update();
    }),
  ];
}
