// Training feature: the "Fine-tune: Train" command, the trainer child process and run events.
import * as vscode from 'vscode';
import type { ExtensionServices, RunEpochEvent, RunFinishedEvent, RunStartedEvent } from '../services';

export function activateTraining(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): ExtensionServices {
  const started = new vscode.EventEmitter<RunStartedEvent>();
  const epochs = new vscode.EventEmitter<RunEpochEvent>();
  const finished = new vscode.EventEmitter<RunFinishedEvent>();
  context.subscriptions.push(started, epochs, finished);
  context.subscriptions.push(vscode.commands.registerCommand('finetune.showLog', () => log.show()));
  return {
    context,
    log,
    onDidStartRun: started.event,
    onDidFinishEpoch: epochs.event,
    onDidFinishRun: finished.event,
    activeRunDir: () => undefined,
  };
}
