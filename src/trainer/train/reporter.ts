// Destinations of the trainer's progress: the terminal for the CLI, IPC messages for the extension.
import type { ChildMessage, DownloadMessage, ProgressMessage, StartedMessage } from '../../shared/protocol/trainer';
import type { EpochRecord } from '../../shared/run/types';

export type LogLevel = 'info' | 'warn' | 'error';

export interface TrainingReporter {
  log(level: LogLevel, message: string): void;
  started(info: Omit<StartedMessage, 'type'>): void;
  progress(info: Omit<ProgressMessage, 'type'>): void;
  /** Download progress of a base-model file; called often, so implementations throttle their output. */
  download(info: Omit<DownloadMessage, 'type'>): void;
  epoch(record: EpochRecord): void;
}

/** A flag the loop checks between steps; set by "cancel" from the extension or Ctrl+C in the CLI. */
export interface CancellationFlag {
  cancelled: boolean;
}

export class IpcReporter implements TrainingReporter {
  /** The last optimizer step reported, 0 before the first. */
  lastStep = 0;

  constructor(private readonly send: (message: ChildMessage) => void) {}

  log(level: LogLevel, message: string): void {
    this.send({ type: 'log', level, message });
  }

  started(info: Omit<StartedMessage, 'type'>): void {
    this.send({ type: 'started', ...info });
  }

  progress(info: Omit<ProgressMessage, 'type'>): void {
    this.lastStep = info.step;
    this.send({ type: 'progress', ...info });
  }

  download(info: Omit<DownloadMessage, 'type'>): void {
    const now = Date.now();
    if (now - this.lastDownloadMessage < DOWNLOAD_MESSAGE_INTERVAL_MS && info.bytesDone !== info.totalBytes) return;
    this.lastDownloadMessage = now;
    this.send({ type: 'download', ...info });
  }

  epoch(record: EpochRecord): void {
    this.send({ type: 'epoch', record });
  }

  private lastDownloadMessage = 0;
}

/** Minimum time between two download messages: a notification cannot show more, and IPC stays quiet. */
const DOWNLOAD_MESSAGE_INTERVAL_MS = 250;
