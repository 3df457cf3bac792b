// One training run from finetune.json to a tested model: load the project, pick a backend, read and
// clean the data, split it, tokenize, build or load the model, then the loop, then the test evaluation.
// The loop reads top-down in the order of each step: learning rate, step (clip inside), log, checkpoint,
// cancellation. At the end of each epoch it evaluates, keeps the best model and checks early stopping.

import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { t } from '../../shared/l10n';
import type { EpochRecord, Evaluation, RunStatus } from '../../shared/run/types';
import { epochBatchOrder, makeBatch } from './batches';
import { saveCheckpoint, type TrainingState } from './checkpoint';
import { evaluateExamples, testEvaluation } from './evaluation';
import { injectNanFault } from './faults';
import { prepareRun, releaseRunLock, type PreparedRun } from './prepare';
import { mixSeed } from './random';
import type { CancellationFlag, TrainingReporter } from './reporter';
import { RunWriter, runFiles } from './runFolder';
import { linearWarmupDecay } from './schedule';
import { trainStep } from './step';
import { saveBertPretrained } from '../models/bert/pretrained';
import { writeTokenizerFiles } from '../tokenizer';

export interface TrainOptions {
  /** finetune.json of the project; ignored when `resume` names a run folder. */
  projectFile: string;
  /**
   * Overrides training.epochs. With `resume`, sets the epochs to train to, and the learning-rate schedule
   * is rebuilt for them. The run folder's finetune.json keeps the epochs the run started with.
   */
  epochs?: number;
  /** Overrides the project's backend. */
  backend?: string;
  /** Run folder whose checkpoint to continue from. */
  resume?: string;
}

export interface TrainResult {
  runDir: string;
  status: RunStatus;
  evaluation?: Evaluation;
}

/** Training examples scored in eval mode at the end of each epoch for the training accuracy. */
const TRAIN_ACCURACY_SAMPLE = 1000;

export async function trainProject(options: TrainOptions, reporter: TrainingReporter, flag: CancellationFlag): Promise<TrainResult> {
  // Lines logged before the run folder exists go to train.log as soon as it does.
  const earlyLines: string[] = [];
  const preparing: TrainingReporter = {
    log: (level, message) => {
      earlyLines.push(`[${level}] ${message}`);
      reporter.log(level, message);
    },
    started: (info) => reporter.started(info),
    progress: (info) => reporter.progress(info),
    download: (info) => reporter.download(info),
    epoch: (record) => reporter.epoch(record),
  };
  const run = await prepareRun(options, preparing);
  const writer = new RunWriter(run.runDir);
  for (const line of earlyLines) writer.log(line);
  const peakMemory = new PeakMemory();
  const log = (level: 'info' | 'warn' | 'error', message: string) => {
    writer.log(`[${level}] ${message}`);
    reporter.log(level, message);
  };
  try {
    return await trainPrepared(run, writer, log, reporter, flag, peakMemory);
  } catch (error) {
    writer.metrics({ type: 'end', time: now(), status: 'failed', step: 0, peakMemoryBytes: peakMemory.value, message: error instanceof Error ? error.message : String(error) });
    writer.log(`[error] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    throw error;
  } finally {
    run.model.dispose();
    run.optimizer.dispose();
    releaseRunLock(run.runDir);
  }
}

async function trainPrepared(
  run: PreparedRun,
  writer: RunWriter,
  log: (level: 'info' | 'warn' | 'error', message: string) => void,
  reporter: TrainingReporter,
  flag: CancellationFlag,
  peakMemory: PeakMemory,
): Promise<TrainResult> {
  const { project, model, optimizer, tokenizer, runDir } = run;
  const training = project.training;
  const train = run.splits.train;
  const stepsPerEpoch = Math.ceil(train.length / training.batchSize);
  const totalSteps = stepsPerEpoch * training.epochs;
  const warmupSteps = Math.round(training.warmupRatio * totalSteps);
  const state: TrainingState = run.resumeState ?? {
    epochs: training.epochs,
    step: 0,
    epoch: 0,
    batchInEpoch: 0,
    bestScore: -Infinity,
    bestLoss: Infinity,
    bestEpoch: 0,
    epochsWithoutImprovement: 0,
  };

  writer.metrics({
    type: 'start',
    time: now(),
    runId: path.basename(runDir),
    backend: run.backend.name,
    device: run.backend.device,
    examples: { train: train.length, validation: run.splits.validation.length, test: run.splits.test.length },
    epochs: training.epochs,
    batchSize: training.batchSize,
    totalSteps,
    ...(run.resumeState ? { resumedFromStep: run.resumeState.step } : {}),
  });
  reporter.started({ runDir, backend: run.backend.name, device: run.backend.device, epochs: training.epochs, totalSteps });

  let status: RunStatus = 'completed';
  let lastLoss = NaN;
  const tensorsAtStart = tf.memory().numTensors;

  epochs: for (let epoch = state.epoch; epoch < training.epochs; epoch++) {
    const batches = epochBatchOrder(train, training.batchSize, training.seed, epoch);
    let epochLossSum = 0;
    let epochLossCount = 0;
    let windowStart = performance.now();
    let windowSamples = 0;
    let windowTokens = 0;

    for (let b = state.batchInEpoch; b < batches.length; b++) {
      // 1. Learning rate for this step: linear warmup, then linear decay to zero.
      const learningRate = linearWarmupDecay(state.step, { peakLearningRate: training.learningRate, warmupSteps, totalSteps });

      // 2. One optimizer step: forward, loss, gradients, clipping, AdamW update.
      injectNanFault(model.weights, state.step + 1);
      const batch = makeBatch(train, batches[b], tokenizer.padTokenId);
      const { loss, gradNorm } = await trainStep(model, optimizer, batch, {
        learningRate,
        maxGradNorm: training.maxGradNorm,
        dropoutSeed: mixSeed(training.seed, state.step),
      });
      state.step++;
      state.batchInEpoch = b + 1;
      peakMemory.sample();

      // 3. A NaN or infinite loss poisons every weight it touches: stop at once, keep the last checkpoint.
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        writer.metrics({ type: 'nan', time: now(), step: state.step, epoch: epoch + b / batches.length });
        log('error', t('The loss became {0} at step {1}. Training stopped; the last good checkpoint is kept. Lower training.learningRate in finetune.json (for example to a tenth of {2}) and train again.', String(loss), state.step, training.learningRate));
        status = 'diverged';
        break epochs;
      }

      // 4. Log the step.
      epochLossSum += loss;
      epochLossCount++;
      lastLoss = loss;
      windowSamples += batch.batchSize;
      windowTokens += batch.tokens;
      const elapsed = (performance.now() - windowStart) / 1000;
      writer.metrics({
        type: 'step',
        time: now(),
        step: state.step,
        epoch: epoch + (b + 1) / batches.length,
        loss,
        learningRate,
        gradNorm,
        samplesPerSecond: windowSamples / elapsed,
        tokensPerSecond: windowTokens / elapsed,
      });
      if (elapsed > 10) {
        windowStart = performance.now();
        windowSamples = 0;
        windowTokens = 0;
      }
      reporter.progress({ epoch: epoch + 1, epochs: training.epochs, step: state.step, totalSteps, loss });

      // 5. Checkpoint every few steps, so a crash loses at most that many. The last step of an epoch is
      // saved after the evaluation instead, so every record written after a checkpoint has a later step.
      if (state.step % training.checkpointEverySteps === 0 && b + 1 < batches.length) saveCheckpoint(runDir, model, optimizer, { ...state, epoch });

      // 6. Cancellation is checked between steps; the checkpoint makes the run resumable.
      if (flag.cancelled) {
        saveCheckpoint(runDir, model, optimizer, { ...state, epoch });
        log('info', t('Training cancelled at step {0}. Checkpoint saved in {1}.', state.step, path.join(runDir, runFiles.checkpoint)));
        status = 'cancelled';
        break epochs;
      }
      // Yield to the event loop so IPC messages such as "cancel" are received between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }

    // End of epoch: evaluate on validation and on a sample of the training data.
    const validation = await evaluateExamples(model, run.splits.validation, run.numLabels, tokenizer.padTokenId, training.batchSize);
    const trainSample = await evaluateExamples(model, train.slice(0, TRAIN_ACCURACY_SAMPLE), run.numLabels, tokenizer.padTokenId, training.batchSize);
    const improved = validation.accuracy > state.bestScore || (validation.accuracy === state.bestScore && validation.loss < state.bestLoss);
    if (improved) {
      state.bestScore = validation.accuracy;
      state.bestLoss = validation.loss;
      state.bestEpoch = epoch + 1;
      state.epochsWithoutImprovement = 0;
      saveBestModel(run);
    } else {
      state.epochsWithoutImprovement++;
    }
    const record: EpochRecord = {
      type: 'epoch',
      time: now(),
      epoch: epoch + 1,
      step: state.step,
      trainLoss: epochLossCount > 0 ? epochLossSum / epochLossCount : trainSample.loss,
      trainAccuracy: trainSample.accuracy,
      validationLoss: validation.loss,
      validationAccuracy: validation.accuracy,
      validationMacroF1: validation.macroF1,
      best: improved,
    };
    writer.metrics(record);
    reporter.epoch(record);
    state.batchInEpoch = 0;
    saveCheckpoint(runDir, model, optimizer, { ...state, epoch: epoch + 1 });

    const leaked = tf.memory().numTensors - tensorsAtStart;
    if (leaked !== 0) log('warn', `tensor count changed by ${leaked} during epoch ${epoch + 1}`);

    if (training.earlyStoppingPatience > 0 && state.epochsWithoutImprovement >= training.earlyStoppingPatience && epoch + 1 < training.epochs) {
      log('info', t('Validation accuracy has not improved for {0} epochs; stopping early. The best model is from epoch {1}.', state.epochsWithoutImprovement, state.bestEpoch));
      status = 'early-stopped';
      break;
    }
  }

  let evaluation: Evaluation | undefined;
  if (status === 'completed' || status === 'early-stopped') {
    evaluation = await testEvaluation(run, log);
    writer.metrics({ type: 'test', time: now(), accuracy: evaluation.accuracy, macroF1: evaluation.macroF1 });
  }
  writer.metrics({ type: 'end', time: now(), status, step: state.step, peakMemoryBytes: peakMemory.value });
  log('info', t('Peak memory: {0} MB. Last training loss: {1}.', Math.round(peakMemory.value / 2 ** 20), Number.isFinite(lastLoss) ? lastLoss.toFixed(4) : '-'));
  return { runDir, status, evaluation };
}

/** Saves the current weights to best/ in the Hugging Face layout, with the tokenizer files. */
function saveBestModel(run: PreparedRun): void {
  const folder = path.join(run.runDir, runFiles.best);
  saveBertPretrained(run.model, folder, run.labelMaps);
  writeTokenizerFiles(run.modelFolder, folder);
}

/** The largest resident set size of this process seen during one run; wasm memory counts towards it. */
class PeakMemory {
  value = process.memoryUsage().rss;

  sample(): void {
    this.value = Math.max(this.value, process.memoryUsage().rss);
  }
}

function now(): string {
  return new Date().toISOString();
}


