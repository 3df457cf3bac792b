// Services shared by the extension's feature modules: one log channel, run lifecycle events and the disposal
// scope of the whole extension. Each feature module gets this object in its activate function.

import * as vscode from 'vscode';
import type { EpochRecord, Evaluation, RunStatus } from '../shared/run/types';

export interface RunStartedEvent {
  runDir: string;
  projectFile: string;
}

export interface RunEpochEvent {
  runDir: string;
  record: EpochRecord;
}

export interface RunFinishedEvent {
  runDir: string;
  projectFile: string;
  status: RunStatus;
  evaluation?: Evaluation;
}

export interface ExtensionServices {
  context: vscode.ExtensionContext;
  /** The "Fine-tune Studio" output channel. Never log review text: it is the user's customers' data. */
  log: vscode.LogOutputChannel;
  onDidStartRun: vscode.Event<RunStartedEvent>;
  onDidFinishEpoch: vscode.Event<RunEpochEvent>;
  onDidFinishRun: vscode.Event<RunFinishedEvent>;
  /** Run folder of the training in progress, if any. */
  activeRunDir(): string | undefined;
}
