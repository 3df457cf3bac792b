// Dataset editor features: the language client, label codelenses and commands, the status bar, Excel
// import, annotation agreement and the New Project wizard.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { isUserInputError } from '../../shared/errors';
import type { ExtensionServices } from '../services';
import { createLanguageClient } from './client';
import { registerLabelling } from './labelling';
import { registerStatusBar } from './statusBar';

type DataCommands = typeof import('./dataCommands');
let dataCommands: DataCommands | undefined;

/** Loads dist/dataCommands.js on first use; a computed path keeps esbuild from inlining it here. */
function loadDataCommands(): DataCommands {
  dataCommands ??= require(path.join(__dirname, 'dataCommands.js')) as DataCommands;
  return dataCommands;
}

export function activateLanguageFeatures(services: ExtensionServices): void {
  const { context, log } = services;

  // Commands that need no server work even while it starts or after it failed.
  context.subscriptions.push(
    vscode.commands.registerCommand('finetune.importExcel', (uri?: unknown) =>
      runReportingErrors(log, 'Import Excel', () => loadDataCommands().importExcel(log, uri instanceof vscode.Uri ? uri : undefined)),
    ),
    vscode.commands.registerCommand('finetune.compareAnnotations', () =>
      runReportingErrors(log, 'Compare Annotations', () => loadDataCommands().compareAnnotationsCommand(log)),
    ),
    vscode.commands.registerCommand('finetune.newProject', () => runReportingErrors(log, 'New Project', () => loadDataCommands().newProject(log))),
  );

  const client = createLanguageClient(context, log);
  context.subscriptions.push(client, ...registerLabelling(client, log), ...registerStatusBar(client));
  client.start().then(
    () => log.info('Dataset language server started'),
    (error: unknown) => {
      log.error(`Dataset language server failed to start: ${(error as Error).stack ?? String(error)}`);
      void showError(log, vscode.l10n.t('The dataset checks could not start. Label lenses and diagnostics are unavailable.'));
    },
  );
}

/** Runs a command, showing input errors as they are and other errors as a short message plus the log. */
async function runReportingErrors(log: vscode.LogOutputChannel, name: string, command: () => Promise<unknown>): Promise<void> {
  try {
    await command();
  } catch (error) {
    if (isUserInputError(error)) {
      void vscode.window.showErrorMessage((error as Error).message);
      return;
    }
    log.error(`${name} failed: ${(error as Error).stack ?? String(error)}`);
    await showError(log, vscode.l10n.t('{0} failed: {1}', name, (error as Error).message));
  }
}

async function showError(log: vscode.LogOutputChannel, message: string): Promise<void> {
  const openLog = vscode.l10n.t('Open Log');
  if ((await vscode.window.showErrorMessage(message, openLog)) === openLog) log.show();
}
