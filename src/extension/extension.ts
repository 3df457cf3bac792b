// Entry point of the extension host. Activation stays cheap: no TensorFlow.js and no transformers.js
// are loaded here; training runs in a child process (dist/trainer.js).

import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { activatePanels } from './panels';
import { activateLanguageFeatures } from './language';
import { activateTraining } from './training';

export function activate(context: vscode.ExtensionContext): void {
  // Shared code (src/shared) translates with @vscode/l10n; give it the bundle VS Code loaded for us.
  l10n.config({ contents: vscode.l10n.bundle ?? {} });

  const log = vscode.window.createOutputChannel('Fine-tune Studio', { log: true });
  context.subscriptions.push(log);
  log.info(`Fine-tune Studio ${context.extension.packageJSON.version as string} activated (${vscode.env.language})`);

  const services = activateTraining(context, log);
  activateLanguageFeatures(services);
  activatePanels(services);
}

export function deactivate(): void {
  // Every resource is disposed through context.subscriptions.
}
