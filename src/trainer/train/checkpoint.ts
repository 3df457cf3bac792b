// Resumable checkpoints in <run>/checkpoint/: model.safetensors (weights), optimizer.safetensors (AdamW
// moments) and state.json (step, epoch, position in the epoch, best score so far). The folder is written
// whole under a temporary name and then swapped in, so a crash mid-write leaves the previous checkpoint.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserInputError } from '../../shared/errors';
import { readJson, writeJsonAtomic } from '../../shared/files';
import { t } from '../../shared/l10n';
import type { BertForSequenceClassification } from '../models/bert/model';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../weights/safetensors';
import type { AdamW } from './adamw';
import { runFiles } from './runFolder';

/** Where the loop stands; enough to replay the same data order and learning-rate schedule. */
export interface TrainingState {
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

export function saveCheckpoint(runDir: string, model: BertForSequenceClassification, optimizer: AdamW, state: TrainingState): void {
  const target = path.join(runDir, runFiles.checkpoint);
  const staging = `${target}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });

  writeSafetensors(path.join(staging, 'model.safetensors'), tensorsToWrite(model.weights), { format: 'pt' });
  const optimizerState = optimizer.exportState();
  try {
    writeSafetensors(path.join(staging, 'optimizer.safetensors'), tensorsToWrite(optimizerState.tensors));
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

  // Swap: the old checkpoint moves aside before the new one takes its name, then goes.
  const previous = `${target}.previous`;
  fs.rmSync(previous, { recursive: true, force: true });
  if (fs.existsSync(target)) fs.renameSync(target, previous);
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
    step: stored.step,
    epoch: stored.epoch,
    batchInEpoch: stored.batchInEpoch,
    bestScore: stored.bestScore ?? -Infinity,
    bestLoss: stored.bestLoss ?? Infinity,
    bestEpoch: stored.bestEpoch,
    epochsWithoutImprovement: stored.epochsWithoutImprovement,
  };
}

/** The checkpoint folder, or the previous one when a crash hit between the two renames of a save. */
function findCheckpoint(runDir: string): string {
  for (const name of [runFiles.checkpoint, `${runFiles.checkpoint}.previous`]) {
    const folder = path.join(runDir, name);
    if (fs.existsSync(path.join(folder, 'state.json'))) return folder;
  }
  throw new UserInputError(t('{0} has no checkpoint to resume from. Start a new training instead.', runDir), { file: runDir });
}

function tensorsToWrite(tensors: Map<string, tf.Tensor>): Map<string, TensorToWrite> {
  const result = new Map<string, TensorToWrite>();
  for (const [name, tensor] of tensors) result.set(name, { shape: tensor.shape, data: tensor.dataSync() as Float32Array });
  return result;
}
