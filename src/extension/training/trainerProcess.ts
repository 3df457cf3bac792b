// The trainer child process as seen from the extension host: dist/trainer.js forked with an IPC channel.
// TensorFlow.js and transformers.js load only in that process, never in the extension host.

import { fork, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import type { ChildMessage, ParentMessage, TrainRequest } from '../../shared/protocol/trainer';

/** How long a cancelled trainer may take to finish its step and write a checkpoint before it is killed. */
const CANCEL_GRACE_MS = 60_000;

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One forked trainer running one training. */
export class TrainerProcess implements vscode.Disposable {
  private readonly child: ChildProcess;
  private readonly messages = new vscode.EventEmitter<ChildMessage>();
  private readonly output = new vscode.EventEmitter<string>();
  private killTimer: NodeJS.Timeout | undefined;
  readonly onMessage = this.messages.event;
  /** Lines the trainer printed on stdout or stderr (library warnings, crashes). */
  readonly onOutput = this.output.event;
  readonly exited: Promise<TrainerExit>;

  /** `env` adds variables to the extension host's environment, such as the hub mirror setting. */
  constructor(trainerScript: string, request: TrainRequest, locale: string, env: Record<string, string> = {}) {
    this.child = fork(trainerScript, ['--child'], {
      env: { ...process.env, ...env, FINETUNE_LOCALE: locale, ELECTRON_RUN_AS_NODE: '1' },
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.emitLines(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.emitLines(chunk));
    this.child.on('message', (message: ChildMessage) => {
      // The request goes out only once the child listens, so it cannot be lost during start-up.
      if (message.type === 'ready') this.send(request);
      this.messages.fire(message);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        clearTimeout(this.killTimer);
        resolve({ code, signal });
      });
      this.child.on('error', (error) => {
        this.output.fire(`trainer process error: ${error.message}`);
        resolve({ code: null, signal: null });
      });
    });
  }

  /** Asks the trainer to stop after the current step; kills it if it does not exit in time. */
  cancel(): void {
    this.send({ type: 'cancel' });
    this.killTimer ??= setTimeout(() => this.child.kill('SIGKILL'), CANCEL_GRACE_MS);
  }

  dispose(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    clearTimeout(this.killTimer);
    this.messages.dispose();
    this.output.dispose();
  }

  private send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  private emitLines(chunk: string): void {
    for (const line of chunk.split(/\r?\n/)) if (line.trim()) this.output.fire(line);
  }
}
