// Resumable checkpoints in <run>/checkpoint/: model.safetensors (weights), optimizer.safetensors (AdamW
// moments) and state.json (step, epoch, position in the epoch, best score so far). The folder is written
// whole under a temporary name and then swapped in, so a crash mid-write leaves the previous checkpoint.
// A checkpoint never contains a NaN or infinite value, because it is the state a diverged run falls back to.
//
// Resuming replays the run exactly: the data order depends on (seed, epoch), dropout on (seed, step),
// and the learning rate on (step, epochs), all restored from state.json. Two things can break that
// replay, so they are checked: a data file edited since the run started (checkUnchangedExamples), and
// --epochs given on resume, which deliberately moves the end of the schedule (epochsToTrain).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserInputError } from '../../shared/errors';
import { readJson, writeJsonAtomic } from '../../shared/files';
import { t } from '../../shared/l10n';
import type { BertForSequenceClassification } from '../models/bert/model';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../weights/safetensors';
import type { AdamW } from './adamw';
import type { EncodedExample } from './batches';
import { runFiles } from './runFolder';

/** The position of the loop: enough to replay the same data order and learning-rate schedule. */
export interface TrainingState {
  /**
   * Epochs the run trains for: training.epochs of the run folder's finetune.json, or the --epochs of
   * the latest resume. The learning-rate schedule ends at the last step of the last of them.
   */
  epochs: number;
  /** Optimizer steps done. */
  step: number;
  /** 0-based epoch in progress. */
  epoch: number;
  /** Batches of that epoch already trained on. */
  batchInEpoch: number;
  /** Best validation accuracy so far (-Infinity before the first evaluation). */
  bestScore: number;
  /** Validation loss at the best score, the tie-breaker. */
  bestLoss: number;
  /** 1-based epoch of the best score. */
  bestEpoch: number;
  epochsWithoutImprovement: number;
}

interface StoredState extends Omit<TrainingState, 'bestScore' | 'bestLoss'> {
  // JSON has no Infinity: null stands for "no evaluation yet".
  bestScore: number | null;
  bestLoss: number | null;
  optimizerStep: number;
  savedAt: string;
}

/**
 * Writes the weights, optimizer moments and loop state to <run>/checkpoint/, replacing the previous
 * checkpoint only once the new one is complete. Throws, leaving the previous checkpoint, when a weight
 * or moment is NaN or infinite.
 */
export function saveCheckpoint(runDir: string, model: BertForSequenceClassification, optimizer: AdamW, state: TrainingState): void {
  const target = path.join(runDir, runFiles.checkpoint);
  const staging = `${target}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });

  writeSafetensors(path.join(staging, 'model.safetensors'), finiteTensorsToWrite(model.weights), { format: 'pt' });
  const optimizerState = optimizer.exportState();
  try {
    writeSafetensors(path.join(staging, 'optimizer.safetensors'), finiteTensorsToWrite(optimizerState.tensors));
  } finally {
    for (const tensor of optimizerState.tensors.values()) tensor.dispose();
  }
  const stored: StoredState = {
    ...state,
    bestScore: Number.isFinite(state.bestScore) ? state.bestScore : null,
    bestLoss: Number.isFinite(state.bestLoss) ? state.bestLoss : null,
    optimizerStep: optimizerState.step,
    savedAt: new Date().toISOString(),
  };
  writeJsonAtomic(path.join(staging, 'state.json'), stored);

  // Swap: the old checkpoint moves aside before the new one takes its name, then goes. When a crash
  // hit between the two renames of an earlier save, `previous` is the only checkpoint, so it stays
  // until the new one is in place.
  const previous = `${target}.previous`;
  if (fs.existsSync(target)) {
    fs.rmSync(previous, { recursive: true, force: true });
    fs.renameSync(target, previous);
  }
  fs.renameSync(staging, target);
  fs.rmSync(previous, { recursive: true, force: true });
}

/** Loads the last checkpoint of a run into the model and optimizer and returns the loop state. */
export function restoreCheckpoint(runDir: string, model: BertForSequenceClassification, optimizer: AdamW): TrainingState {
  const folder = findCheckpoint(runDir);
  const stored = readJson<StoredState>(path.join(folder, 'state.json'));

  const weights = readSafetensors(path.join(folder, 'model.safetensors')).tensors;
  for (const [name, variable] of model.weights) {
    const saved = weights.get(name);
    if (!saved) throw new UserInputError(t('The checkpoint in {0} lacks the weight {1}; it belongs to another model.', folder, name), { file: folder });
    tf.tidy(() => variable.assign(tf.tensor(saved.data as Float32Array, saved.shape, 'float32')));
  }

  const moments = readSafetensors(path.join(folder, 'optimizer.safetensors')).tensors;
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, saved] of moments) tensors.set(name, tf.tensor(saved.data as Float32Array, saved.shape, 'float32'));
  try {
    optimizer.importState({ step: stored.optimizerStep, tensors });
  } finally {
    for (const tensor of tensors.values()) tensor.dispose();
  }

  return {
    epochs: stored.epochs,
    step: stored.step,
    epoch: stored.epoch,
    batchInEpoch: stored.batchInEpoch,
    bestScore: stored.bestScore ?? -Infinity,
    bestLoss: stored.bestLoss ?? Infinity,
    bestEpoch: stored.bestEpoch,
    epochsWithoutImprovement: stored.epochsWithoutImprovement,
  };
}

/** Returns the checkpoint folder, or the previous one when a crash hit between the two renames of a save. */
function findCheckpoint(runDir: string): string {
  for (const name of [runFiles.checkpoint, `${runFiles.checkpoint}.previous`]) {
    const folder = path.join(runDir, name);
    if (fs.existsSync(path.join(folder, 'state.json'))) return folder;
  }
  throw new UserInputError(t('{0} has no checkpoint to resume from. Start a new training instead.', runDir), { file: runDir });
}

/**
 * Returns the epochs a resumed run trains for: the --epochs given on resume, or else the epochs of the
 * checkpoint. Throws UserInputError when --epochs is fewer than the epochs already started.
 */
export function epochsToTrain(state: TrainingState, requested: number | undefined): number {
  if (requested === undefined) return state.epochs;
  const started = state.epoch + (state.batchInEpoch > 0 ? 1 : 0);
  if (requested < started) {
    throw new UserInputError(
      t('--epochs {0} is fewer than the {1} epochs this run has already trained. Pass --epochs {1} or more, or leave --epochs out to finish the {2} epochs the run was planned for.', requested, started, state.epochs),
      { field: 'training.epochs' },
    );
  }
  return requested;
}

/** Returns a SHA-256 over the rows, labels and token ids of every split, in split order. */
export function fingerprintExamples(splits: Record<'train' | 'validation' | 'test', EncodedExample[]>): string {
  const hash = createHash('sha256');
  for (const name of ['train', 'validation', 'test'] as const) {
    hash.update(`${name}\n`);
    for (const example of splits[name]) hash.update(`${example.row},${example.label},${example.inputIds.join(' ')}\n`);
  }
  return hash.digest('hex');
}

/**
 * Throws UserInputError when the examples read for a resume differ from those the run started with, as
 * after an edit of the data file: the saved data order and split would no longer fit them.
 * `startedWith` is undefined for a run folder written before fingerprints were saved; it is not checked.
 */
export function checkUnchangedExamples(
  startedWith: string | undefined,
  splits: Record<'train' | 'validation' | 'test', EncodedExample[]>,
  dataFile: string,
  runDir: string,
): void {
  if (startedWith === undefined || startedWith === fingerprintExamples(splits)) return;
  throw new UserInputError(
    t('{0} has changed since the run in {1} started, so the run cannot be resumed with the same data. Undo the change to resume, or start a new training.', dataFile, runDir),
    { file: dataFile },
  );
}

/** Reads tensors for writing. Throws when one contains a NaN or infinite value. */
function finiteTensorsToWrite(tensors: Map<string, tf.Tensor>): Map<string, TensorToWrite> {
  const result = new Map<string, TensorToWrite>();
  for (const [name, tensor] of tensors) {
    const data = tensor.dataSync() as Float32Array;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new Error(`Checkpoint not written: ${name}[${i}] is ${data[i]}`);
    }
    result.set(name, { shape: tensor.shape, data });
  }
  return result;
}
