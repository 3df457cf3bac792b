// Messages between the extension host and the trainer child process (child_process.fork IPC).
// The extension sends ParentMessage; the trainer sends ChildMessage. Every field is JSON-serialisable.

import type { EpochRecord, Evaluation, RunStatus } from '../run/types';

/** Extension → trainer: start one training. Sent once, right after the child reports `ready`. */
export interface TrainRequest {
  type: 'train';
  /** Absolute path of finetune.json. */
  projectFile: string;
  epochs?: number;
  backend?: string;
  /** Run folder to resume instead of starting a new run. */
  resume?: string;
}

/** Extension → trainer: stop after the current step and write a checkpoint. */
export interface CancelRequest {
  type: 'cancel';
}

export type ParentMessage = TrainRequest | CancelRequest;

/** Trainer → extension: the child is up and listening. */
export interface ReadyMessage {
  type: 'ready';
}

/** Trainer → extension: one line for the output channel, already localised. */
export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface StartedMessage {
  type: 'started';
  runDir: string;
  backend: string;
  device: string;
  epochs: number;
  totalSteps: number;
}

export interface ProgressMessage {
  type: 'progress';
  epoch: number;
  epochs: number;
  step: number;
  totalSteps: number;
  loss: number;
}

/** Trainer → extension: bytes of a base-model file downloaded so far. */
export interface DownloadMessage {
  type: 'download';
  file: string;
  bytesDone: number;
  /** Absent when the server did not say how large the file is. */
  totalBytes?: number;
}

export interface EpochMessage {
  type: 'epoch';
  record: EpochRecord;
}

export interface DoneMessage {
  type: 'done';
  runDir: string;
  status: RunStatus;
  /** Absent when the run stopped before the test evaluation (cancelled or diverged). */
  evaluation?: Evaluation;
  /** For a cancelled run: the last step the trainer had reported when the cancel request arrived. */
  cancelRequestedAtStep?: number;
}

/** Trainer → extension: a fatal error. `kind: 'input'` means the user's files or settings are at fault. */
export interface ErrorMessage {
  type: 'error';
  kind: 'input' | 'internal';
  message: string;
  /** Stack trace or library error text for the log; never shown in a notification. */
  detail?: string;
  runDir?: string;
}

export type ChildMessage = ReadyMessage | LogMessage | StartedMessage | ProgressMessage | DownloadMessage | EpochMessage | DoneMessage | ErrorMessage;
