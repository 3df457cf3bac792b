// Entry of dist/trainer.js: the `finetune` CLI, or, with --child, the trainer process the extension forks.
//
//   finetune train <finetune.json> [--epochs N] [--backend NAME] [--resume <run folder>]
//     --resume continues from the run's last checkpoint. With --epochs, the learning-rate schedule is
//     rebuilt for the new number of epochs; without it, the run ends as it was planned.
//   finetune evaluate <run folder>
//   finetune predict <run folder> <text> [<text> ...]
//
// Exit codes: 0 success, 2 invalid input (the message names the file, row or field), 130 stopped with
// Ctrl+C (a checkpoint is saved), 1 other failures.

import { isUserInputError } from '../shared/errors';
import { initL10n, t } from '../shared/l10n';
import type { ChildMessage, ParentMessage } from '../shared/protocol/trainer';
import { evaluateRun, predictTexts } from './evaluate/evaluateRun';
import { ConsoleReporter } from './consoleReporter';
import { IpcReporter, type CancellationFlag } from './train/reporter';
import { trainProject } from './train/trainProject';

const EXIT_INPUT = 2;
const EXIT_FAILURE = 1;
/** Exit code of a run stopped with Ctrl+C, as shells report a process ended by SIGINT (128 + 2). */
const EXIT_CANCELLED = 130;

/** How long a trainer whose extension host disconnected may take to checkpoint before it quits. */
const ORPHAN_GRACE_MS = 60_000;

/** Characters of each text echoed by `predict`; longer texts are cut with an ellipsis. */
const PREDICTION_TEXT_SHOWN = 80;

const backendNames = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

interface ParsedArgs {
  command: string;
  positional: string[];
  options: Record<string, string>;
}

async function main(argv: string[]): Promise<number> {
  initL10n();
  if (argv[0] === '--child') return runChild();

  const args = parseArgs(argv);
  if (!args) {
    process.stdout.write(usage());
    return argv.length === 0 || argv.includes('--help') || argv.includes('-h') ? 0 : EXIT_INPUT;
  }
  const reporter = new ConsoleReporter();
  const flag: CancellationFlag = { cancelled: false };
  process.on('SIGINT', () => {
    if (flag.cancelled) process.exit(EXIT_CANCELLED);
    flag.cancelled = true;
    reporter.log('warn', t('Stopping after the current step and saving a checkpoint; press Ctrl+C again to quit at once.'));
  });
  // SIGTERM (a service manager's stop, a closing terminal) is handled as a cancel: finish the step and
  // keep a checkpoint.
  process.on('SIGTERM', () => {
    flag.cancelled = true;
  });

  try {
    switch (args.command) {
      case 'train': {
        const epochs = args.options.epochs === undefined ? undefined : parsePositiveInteger(args.options.epochs, '--epochs');
        const result = await trainProject(
          { projectFile: args.positional[0], epochs, backend: args.options.backend, resume: args.options.resume },
          reporter,
          flag,
        );
        reporter.finish(result.runDir, result.status, result.evaluation);
        if (result.status === 'cancelled') return EXIT_CANCELLED;
        return result.status === 'failed' || result.status === 'diverged' ? EXIT_FAILURE : 0;
      }
      case 'evaluate': {
        const evaluation = await evaluateRun(args.positional[0], reporter);
        reporter.summarize(evaluation);
        return 0;
      }
      case 'predict': {
        const texts = args.positional.slice(1);
        const empty = texts.findIndex((text) => text.trim() === '');
        if (empty >= 0) {
          process.stderr.write(`${t('Text {0} is empty. Pass the review to label in quotes, for example "奶茶太甜了".', empty + 1)}\n`);
          return EXIT_INPUT;
        }
        const predictions = await predictTexts(args.positional[0], texts, reporter);
        for (const prediction of predictions) {
          const displayedText = prediction.text.length > PREDICTION_TEXT_SHOWN ? `${prediction.text.slice(0, PREDICTION_TEXT_SHOWN)}…` : prediction.text;
          process.stdout.write(`${prediction.label}\t${(prediction.confidence * 100).toFixed(1)}%\t${displayedText}\n`);
        }
        return 0;
      }
      default:
        return EXIT_INPUT;
    }
  } catch (error) {
    if (isUserInputError(error)) {
      process.stderr.write(`${t('Error: {0}', error.message)}\n`);
      return EXIT_INPUT;
    }
    process.stderr.write(`${t('Training failed: {0}', error instanceof Error ? error.message : String(error))}\n`);
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return EXIT_FAILURE;
  }
}

/** Serves one training request from the extension over IPC, then exits. */
function runChild(): Promise<number> {
  // Messages are dropped once the extension host is gone; the run folder still records everything.
  const send = (message: ChildMessage) => {
    // The callback keeps a write that fails as the channel closes (EPIPE) from crashing the process.
    if (process.connected) process.send?.(message, undefined, {}, () => undefined);
  };
  const reporter = new IpcReporter(send);
  const flag: CancellationFlag = { cancelled: false };
  let cancelRequestedAtStep: number | undefined;
  let training = false;

  // A crash must reach the extension as a message, never as a silent exit.
  const reportFatal = (error: unknown) => {
    send({ type: 'error', kind: 'internal', message: t('The trainer crashed: {0}', error instanceof Error ? error.message : String(error)), detail: error instanceof Error ? error.stack : undefined });
    setTimeout(() => process.exit(EXIT_FAILURE), 100);
  };
  process.on('uncaughtException', reportFatal);
  process.on('unhandledRejection', reportFatal);
  // The extension host ends a trainer with SIGTERM when its window closes: stop after the step with a
  // checkpoint, as a cancel does.
  process.on('SIGTERM', () => {
    flag.cancelled = true;
  });

  return new Promise((resolve) => {
    process.on('message', (message: ParentMessage) => {
      if (message.type === 'cancel') {
        flag.cancelled = true;
        cancelRequestedAtStep ??= reporter.lastStep;
        return;
      }
      if (message.type !== 'train' || training) return;
      training = true;
      trainProject({ projectFile: message.projectFile, epochs: message.epochs, backend: message.backend, resume: message.resume }, reporter, flag).then(
        (result) => {
          send({ type: 'done', runDir: result.runDir, status: result.status, evaluation: result.evaluation, cancelRequestedAtStep });
          resolve(0);
        },
        (error: unknown) => {
          const input = isUserInputError(error);
          send({
            type: 'error',
            kind: input ? 'input' : 'internal',
            message: input ? (error as Error).message : t('Training failed: {0}', error instanceof Error ? error.message : String(error)),
            detail: error instanceof Error ? error.stack : undefined,
          });
          resolve(input ? EXIT_INPUT : EXIT_FAILURE);
        },
      );
    });
    // The extension stops us by closing the channel; leave then instead of lingering as an orphan.
    // Without the extension host (window closed, host crashed) the run cannot be followed, so it stops
    // after the current step with a checkpoint, and quits anyway if that takes too long.
    process.on('disconnect', () => {
      if (!training) process.exit(EXIT_FAILURE);
      flag.cancelled = true;
      setTimeout(() => process.exit(EXIT_FAILURE), ORPHAN_GRACE_MS).unref();
    });
    send({ type: 'ready' });
  });
}

function parseArgs(argv: string[]): ParsedArgs | undefined {
  const [command, ...rest] = argv;
  if (!command || !['train', 'evaluate', 'predict'].includes(command)) return undefined;
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2);
      const value = inline ?? rest[++i];
      if (!['epochs', 'backend', 'resume'].includes(name) || value === undefined) {
        process.stderr.write(`${t('Unknown option or missing value: {0}', arg)}\n`);
        return undefined;
      }
      if (name === 'backend' && !backendNames.includes(value)) {
        process.stderr.write(`${t('--backend must be one of {0}, not "{1}".', backendNames.join(', '), value)}\n`);
        return undefined;
      }
      options[name] = value;
    } else {
      positional.push(arg);
    }
  }
  const required = command === 'predict' ? 2 : 1;
  if (positional.length < required && !(command === 'train' && options.resume)) return undefined;
  if (command === 'train' && positional.length === 0 && options.resume) positional.push(`${options.resume}/finetune.json`);
  return { command, positional, options };
}

function parsePositiveInteger(value: string, option: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    process.stderr.write(`${t('{0} must be a whole number of at least 1, not "{1}".', option, value)}\n`);
    process.exit(EXIT_INPUT);
  }
  return parsed;
}

function usage(): string {
  return [
    t('Usage:'),
    '  finetune train <finetune.json> [--epochs N] [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu]',
    '  finetune train --resume <run folder> [--epochs N]',
    '  finetune evaluate <run folder>',
    '  finetune predict <run folder> <text> [<text> ...]',
    '',
  ].join('\n');
}

void main(process.argv.slice(2)).then((code) => {
  // Child mode exits when the extension disconnects; the CLI exits once its output is flushed.
  if (process.argv[2] !== '--child') process.exitCode = code;
  else process.exit(code);
});
