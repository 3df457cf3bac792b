// Terminal output of the `finetune` CLI: log lines, a progress line, one line per epoch and a summary.
import { t } from '../shared/l10n';
import type { DownloadMessage, ProgressMessage, StartedMessage } from '../shared/protocol/trainer';
import type { EpochRecord, Evaluation, RunStatus } from '../shared/run/types';
import type { LogLevel, TrainingReporter } from './train/reporter';

/** Steps between two progress lines when the output is not a terminal (CI logs, files). */
const PROGRESS_EVERY_STEPS = 20;

/** Minimum time between two download lines when the output is not a terminal. */
const DOWNLOAD_LINE_INTERVAL_MS = 5000;

/** Width of the download bar in characters. */
const BAR_WIDTH = 30;

export class ConsoleReporter implements TrainingReporter {
  private readonly interactive = Boolean(process.stdout.isTTY);
  private progressShown = false;
  private lastDownloadLine = 0;

  log(level: LogLevel, message: string): void {
    this.clearProgress();
    const stream = level === 'info' ? process.stdout : process.stderr;
    const line = level === 'info' ? message : level === 'warn' ? t('Warning: {0}', message) : t('Error: {0}', message);
    stream.write(`${line}\n`);
  }

  started(info: Omit<StartedMessage, 'type'>): void {
    this.log('info', t('Run folder: {0}', info.runDir));
  }

  progress(info: Omit<ProgressMessage, 'type'>): void {
    const line = t('Epoch {0}/{1} · step {2}/{3} · loss {4}', info.epoch, info.epochs, info.step, info.totalSteps, info.loss.toFixed(4));
    if (this.interactive) {
      process.stdout.write(`\r${line}\x1b[K`);
      this.progressShown = true;
    } else if (info.step % PROGRESS_EVERY_STEPS === 0 || info.step === info.totalSteps) {
      process.stdout.write(`${line}\n`);
    }
  }

  download(info: Omit<DownloadMessage, 'type'>): void {
    const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    const done = info.totalBytes !== undefined && info.bytesDone >= info.totalBytes;
    const text =
      info.totalBytes === undefined
        ? t('Downloading {0}: {1} MB', info.file, megabytes(info.bytesDone))
        : t('Downloading {0}: {1} of {2} MB', info.file, megabytes(info.bytesDone), megabytes(info.totalBytes));
    if (this.interactive) {
      const filled = info.totalBytes ? Math.round((BAR_WIDTH * info.bytesDone) / info.totalBytes) : 0;
      const bar = info.totalBytes ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : '';
      process.stdout.write(`\r${bar}${text}\x1b[K${done ? '\n' : ''}`);
      this.progressShown = !done;
      return;
    }
    const now = Date.now();
    if (!done && now - this.lastDownloadLine < DOWNLOAD_LINE_INTERVAL_MS) return;
    this.lastDownloadLine = now;
    process.stdout.write(`${text}\n`);
  }

  epoch(record: EpochRecord): void {
    this.log(
      'info',
      t(
        'Epoch {0} done: training loss {1}, training accuracy {2}%, validation loss {3}, validation accuracy {4}%{5}',
        record.epoch,
        record.trainLoss.toFixed(4),
        percent(record.trainAccuracy),
        record.validationLoss.toFixed(4),
        percent(record.validationAccuracy),
        record.best ? t(' (best so far, saved)') : '',
      ),
    );
  }

  /** Prints the outcome of a run: test scores per class, the target and where the files are. */
  finish(runDir: string, status: RunStatus, evaluation: Evaluation | undefined): void {
    this.clearProgress();
    if (evaluation) this.summarize(evaluation);
    const statusText: Record<RunStatus, string> = {
      completed: t('Training finished.'),
      'early-stopped': t('Training stopped early: the validation score stopped improving.'),
      cancelled: t('Training stopped; resume it with: finetune train --resume {0}', runDir),
      failed: t('Training failed.'),
      diverged: t('Training stopped because the loss became NaN or infinite. Lower the learning rate in finetune.json and train again.'),
    };
    process.stdout.write(`${statusText[status]}\n${t('Run folder: {0}', runDir)}\n`);
  }

  /** Prints test scores per class, the target and the majority-class note. */
  summarize(evaluation: Evaluation): void {
    this.clearProgress();
    const lines = [
      '',
      t('Test set: {0} examples', evaluation.examples),
      t('  accuracy {0}%, macro-F1 {1}', percent(evaluation.accuracy), evaluation.macroF1.toFixed(4)),
    ];
    for (const [label, scores] of Object.entries(evaluation.perClass)) {
      lines.push(t('  {0}: precision {1}, recall {2}, F1 {3}, support {4}', label, scores.precision.toFixed(3), scores.recall.toFixed(3), scores.f1.toFixed(3), scores.support));
    }
    lines.push(
      evaluation.target.met
        ? t('Target met: test accuracy {0}% ≥ {1}%.', percent(evaluation.accuracy), percent(evaluation.target.value))
        : t('Target not met: test accuracy {0}% < {1}%.', percent(evaluation.accuracy), percent(evaluation.target.value)),
    );
    if (evaluation.noBetterThanMajority) {
      lines.push(
        t(
          'Note: always answering "{0}" would also score {1}% on this test set, so the model has not learned more than the most common label yet.',
          evaluation.majorityBaseline.label,
          percent(evaluation.majorityBaseline.accuracy),
        ),
      );
    }
    process.stdout.write(lines.join('\n') + '\n');
  }

  private clearProgress(): void {
    if (this.progressShown) {
      process.stdout.write('\r\x1b[K');
      this.progressShown = false;
    }
  }
}

function percent(value: number): string {
  return (value * 100).toFixed(1);
}
