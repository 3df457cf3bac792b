// Training feature: the commands "Fine-tune: Train", "Resume Interrupted Run", "Stop Current Run" and
// "Show Log", the trainer child process and the run events other features listen to.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChildMessage, TrainRequest } from '../../shared/protocol/trainer';
import type { Evaluation, RunStatus } from '../../shared/run/types';
import type { ExtensionServices, RunEpochEvent, RunFinishedEvent, RunStartedEvent } from '../services';
import { registerChooseModel } from './chooseModel';
import { pickProjectFile } from './projectFiles';
import { TrainerProcess } from './trainerProcess';

/** Arguments tests and other commands may pass to `finetune.train`. */
export interface TrainCommandArgs {
  projectFile?: string;
  epochs?: number;
  backend?: string;
  /** Run folder to resume. */
  resume?: string;
}

export interface TrainCommandResult {
  runDir?: string;
  status: RunStatus;
  evaluation?: Evaluation;
}

interface ActiveTraining {
  process: TrainerProcess;
  runDir?: string;
}

export function activateTraining(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): ExtensionServices {
  const started = new vscode.EventEmitter<RunStartedEvent>();
  const epochs = new vscode.EventEmitter<RunEpochEvent>();
  const finished = new vscode.EventEmitter<RunFinishedEvent>();
  context.subscriptions.push(started, epochs, finished);

  let active: ActiveTraining | undefined;
  const services: ExtensionServices = {
    context,
    log,
    onDidStartRun: started.event,
    onDidFinishEpoch: epochs.event,
    onDidFinishRun: finished.event,
    activeRunDir: () => active?.runDir,
  };

  const runTraining = async (args: TrainCommandArgs = {}): Promise<TrainCommandResult | undefined> => {
    if (active) {
      const stop = vscode.l10n.t('Stop Training');
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('A training is already running. Stop it before starting another.'), stop);
      if (choice === stop) active.process.cancel();
      return undefined;
    }
    const projectFile = args.projectFile ?? (args.resume ? path.join(args.resume, 'finetune.json') : await pickProjectFile(vscode.l10n.t('Which project do you want to train?')));
    if (!projectFile) return undefined;
    await saveIfDirty(projectFile);

    const request: TrainRequest = { type: 'train', projectFile, epochs: args.epochs, backend: args.backend, resume: args.resume };
    const endpoint = vscode.workspace.getConfiguration('finetune').get<string>('hub.endpoint', '').trim();
    const trainer = new TrainerProcess(context.asAbsolutePath('dist/trainer.js'), request, vscode.env.language, endpoint ? { FINETUNE_HUB_ENDPOINT: endpoint } : {});
    const training: ActiveTraining = { process: trainer };
    active = training;
    log.info(`trainer started for ${projectFile}${args.resume ? ` (resuming ${args.resume})` : ''}`);
    trainer.onOutput((line) => log.info(`[trainer] ${line}`));

    try {
      return await followTraining(trainer, training, projectFile);
    } finally {
      trainer.dispose();
      active = undefined;
    }
  };

  const followTraining = (trainer: TrainerProcess, training: ActiveTraining, projectFile: string): Thenable<TrainCommandResult> =>
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Fine-tune Studio: training'), cancellable: true },
      (progress, token) =>
        new Promise<TrainCommandResult>((resolve) => {
          let done: (TrainCommandResult & { runDir: string }) | undefined;
          let failure: string | undefined;
          let reportedFraction = 0;
          token.onCancellationRequested(() => {
            log.info('training cancelled by the user; waiting for the current step and checkpoint');
            progress.report({ message: vscode.l10n.t('Stopping after the current step…') });
            trainer.cancel();
          });

          trainer.onMessage((message: ChildMessage) => {
            switch (message.type) {
              case 'log':
                log[message.level](message.message);
                break;
              case 'started':
                training.runDir = message.runDir;
                log.info(`run folder ${message.runDir}, backend ${message.backend} on ${message.device}`);
                started.fire({ runDir: message.runDir, projectFile });
                break;
              case 'progress': {
                const fraction = message.totalSteps > 0 ? message.step / message.totalSteps : 0;
                const increment = Math.max(0, fraction - reportedFraction) * 100;
                reportedFraction = Math.max(reportedFraction, fraction);
                progress.report({
                  increment,
                  message: vscode.l10n.t('Epoch {0}/{1} · step {2}/{3} · loss {4}', message.epoch, message.epochs, message.step, message.totalSteps, message.loss.toFixed(4)),
                });
                break;
              }
              case 'download': {
                const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
                progress.report({
                  message:
                    message.totalBytes === undefined
                      ? vscode.l10n.t('Downloading {0}: {1} MB', message.file, megabytes(message.bytesDone))
                      : vscode.l10n.t('Downloading {0}: {1} of {2} MB', message.file, megabytes(message.bytesDone), megabytes(message.totalBytes)),
                });
                break;
              }
              case 'epoch':
                if (training.runDir) epochs.fire({ runDir: training.runDir, record: message.record });
                break;
              case 'done':
                done = { runDir: message.runDir, status: message.status, evaluation: message.evaluation };
                break;
              case 'error':
                failure = message.message;
                log.error(message.message);
                if (message.detail) log.error(message.detail);
                break;
            }
          });

          void trainer.exited.then((exit) => {
            const runDir = done?.runDir ?? training.runDir;
            if (done) {
              finished.fire({ runDir: done.runDir, projectFile, status: done.status, evaluation: done.evaluation });
              void showOutcome(done);
              resolve(done);
              return;
            }
            const message =
              failure ??
              vscode.l10n.t('The trainer stopped unexpectedly (exit code {0}, signal {1}). The run folder keeps the last checkpoint.', String(exit.code), String(exit.signal));
            log.error(`trainer exited without finishing: code ${exit.code}, signal ${exit.signal}`);
            if (runDir) finished.fire({ runDir, projectFile, status: 'failed' });
            void showFailure(message);
            resolve({ runDir, status: 'failed' });
          });
        }),
    );

  const showOutcome = async (result: TrainCommandResult): Promise<void> => {
    const openFolder = vscode.l10n.t('Open Run Folder');
    const errorAnalysis = vscode.l10n.t('Error Analysis');
    const evaluation = result.evaluation;
    let text: string;
    if (result.status === 'cancelled') {
      text = vscode.l10n.t('Training stopped. A checkpoint was saved; run "Fine-tune: Resume Interrupted Run" to continue.');
    } else if (result.status === 'diverged') {
      text = vscode.l10n.t('Training stopped because the loss became NaN or infinite. Lower the learning rate in finetune.json and train again.');
    } else if (evaluation) {
      const accuracy = (evaluation.accuracy * 100).toFixed(1);
      const target = (evaluation.target.value * 100).toFixed(0);
      text = evaluation.target.met
        ? vscode.l10n.t('Training finished: test accuracy {0}% (target {1}%: met).', accuracy, target)
        : vscode.l10n.t('Training finished: test accuracy {0}% (target {1}%: not met).', accuracy, target);
    } else {
      text = vscode.l10n.t('Training finished.');
    }
    const hasAnalysis = evaluation !== undefined && (await vscode.commands.getCommands(true)).includes('finetune.openErrorAnalysis');
    const choice = await vscode.window.showInformationMessage(text, ...(hasAnalysis ? [errorAnalysis, openFolder] : [openFolder]));
    if (choice === openFolder && result.runDir) {
      // Inside the workspace the explorer shows the folder (this also works in a browser); elsewhere the
      // operating system's file manager does.
      const folder = vscode.Uri.file(result.runDir);
      const command = vscode.workspace.getWorkspaceFolder(folder) ? 'revealInExplorer' : 'revealFileInOS';
      await vscode.commands.executeCommand(command, folder);
    } else if (choice === errorAnalysis && result.runDir) {
      await vscode.commands.executeCommand('finetune.openErrorAnalysis', result.runDir);
    }
  };

  const showFailure = async (message: string): Promise<void> => {
    const openLog = vscode.l10n.t('Open Log');
    if ((await vscode.window.showErrorMessage(message, openLog)) === openLog) log.show();
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('finetune.train', (args?: TrainCommandArgs) => runTraining(args)),
    vscode.commands.registerCommand('finetune.resumeTraining', async (runDir?: string | vscode.Uri) => {
      const folder = runDir instanceof vscode.Uri ? runDir.fsPath : (runDir ?? (await pickRunFolder()));
      if (!folder) return undefined;
      return runTraining({ projectFile: path.join(folder, 'finetune.json'), resume: folder });
    }),
    vscode.commands.registerCommand('finetune.stopTraining', () => {
      if (active) active.process.cancel();
      else void vscode.window.showInformationMessage(vscode.l10n.t('No training is running.'));
    }),
    vscode.commands.registerCommand('finetune.showLog', () => log.show()),
    registerChooseModel(),
    { dispose: () => active?.process.dispose() },
  );
  return services;
}

async function pickRunFolder(): Promise<string | undefined> {
  const checkpoints = await vscode.workspace.findFiles('**/runs/*/checkpoint/state.json', '**/node_modules/**');
  if (checkpoints.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No run with a checkpoint was found. Start a training with "Fine-tune: Train".'));
    return undefined;
  }
  const runs = checkpoints.map((uri) => path.dirname(path.dirname(uri.fsPath))).sort().reverse();
  const picked = await vscode.window.showQuickPick(
    runs.map((runDir) => ({ label: path.basename(runDir), description: vscode.workspace.asRelativePath(runDir), runDir })),
    { placeHolder: vscode.l10n.t('Which run do you want to resume?') },
  );
  return picked?.runDir;
}

async function saveIfDirty(file: string): Promise<void> {
  const document = vscode.workspace.textDocuments.find((doc) => doc.uri.fsPath === file);
  if (document?.isDirty) await document.save();
}
