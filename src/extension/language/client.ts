// Starting the language server (dist/server.js) through vscode-languageclient over IPC.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

/** Files the server may treat as datasets; it checks only those a finetune.json names. */
export const datasetSelector: { scheme: string; pattern: string }[] = ['csv', 'tsv', 'tab', 'txt', 'jsonl', 'ndjson'].map((extension) => ({
  scheme: 'file',
  pattern: `**/*.${extension}`,
}));

export const projectSelector: { scheme: string; pattern: string } = { scheme: 'file', pattern: '**/finetune.json' };

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/{finetune.json,*.csv,*.tsv,*.tab,*.txt,*.jsonl,*.ndjson}');
  context.subscriptions.push(watcher);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...datasetSelector, projectSelector],
    synchronize: { fileEvents: watcher },
    initializationOptions: { locale: vscode.env.language },
    outputChannel: log,
  };
  return new LanguageClient('finetuneDatasets', vscode.l10n.t('Fine-tune Studio dataset server'), serverOptions, clientOptions);
}
