// Saving and loading BertForSequenceClassification in the Hugging Face folder layout: config.json plus
// model.safetensors, with the state-dict names transformers uses, so either side reads the other's files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserInputError } from '../../../shared/errors';
import { t } from '../../../shared/l10n';
import { readPytorchCheckpoint } from '../../weights/pytorch';
import { writeFileAtomic } from '../../../shared/files';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../weights/safetensors';
import { parseBertConfig, type BertConfig } from './config';
import { BertForSequenceClassification } from './model';

export interface LabelMaps {
  /** Label names by class index, with string keys ("0": "好评"). */
  id2label: Record<string, string>;
  /** Class index by label name. */
  label2id: Record<string, number>;
}

/** Weights that loading a checkpoint initialised, resized or skipped, for the trainer log. */
export interface WeightLoadReport {
  /** Model weights absent from the checkpoint, left at their fresh initialisation (the classifier of a base model, for example). */
  initialised: string[];
  /** Checkpoint weights with another shape than the model's (a classifier for another label count), re-initialised. */
  resized: string[];
  /** Checkpoint names the model does not use, such as the `cls.*` pre-training heads. */
  ignored: string[];
}

/** A checkpoint tensor decoded to float32 (floating-point dtypes) or int32 (integer dtypes). */
export interface CheckpointTensorData {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Reads the tensors of a checkpoint format other than safetensors, such as pytorch_model.bin. */
export type CheckpointReader = (file: string) => Map<string, CheckpointTensorData> | Promise<Map<string, CheckpointTensorData>>;

export interface LoadBertOptions {
  /** Seed for weights the checkpoint lacks. Default 42. */
  seed?: number;
  /** Reads pytorch_model.bin when the folder has no model.safetensors. Default: readPytorchCheckpoint of weights/pytorch.ts. */
  readPytorchCheckpoint?: CheckpointReader;
}

/** Writes config.json and model.safetensors into `folder`, each atomically. */
export function saveBertPretrained(model: BertForSequenceClassification, folder: string, labels: LabelMaps): void {
  fs.mkdirSync(folder, { recursive: true });

  const config = {
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    ...model.config,
    id2label: labels.id2label,
    label2id: labels.label2id,
    problem_type: 'single_label_classification',
    torch_dtype: 'float32',
  };
  writeFileAtomic(path.join(folder, 'config.json'), JSON.stringify(config, null, 2) + '\n');

  const tensors = new Map<string, TensorToWrite>();
  for (const [name, variable] of model.weights) {
    tensors.set(name, { shape: variable.shape, data: variable.dataSync() as Float32Array });
  }
  // transformers rejects safetensors files whose metadata lacks a format it supports, such as "pt".
  writeSafetensors(path.join(folder, 'model.safetensors'), tensors, { format: 'pt' });
}

/**
 * Builds a classifier from a Hugging Face BERT folder (config.json plus model.safetensors, or
 * pytorch_model.bin through `readPytorchCheckpoint`). The label maps replace the checkpoint's.
 */
export async function loadBertForSequenceClassification(
  folder: string,
  numLabels: number,
  labels: LabelMaps,
  options: LoadBertOptions = {},
): Promise<{ model: BertForSequenceClassification; report: WeightLoadReport }> {
  const configFile = path.join(folder, 'config.json');
  if (!fs.existsSync(configFile)) {
    throw new UserInputError(t('{0} is missing. A model folder needs config.json next to its weights.', configFile), { file: configFile });
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (error) {
    throw new UserInputError(t('{0} is not valid JSON: {1}', configFile, String(error)), { file: configFile });
  }
  const config: BertConfig = { ...parseBertConfig(json, configFile), id2label: labels.id2label, label2id: labels.label2id };

  const { tensors, file } = await readCheckpoint(folder, options);
  const model = new BertForSequenceClassification(config, numLabels, { seed: options.seed });
  try {
    const report = assignCheckpoint(model, tensors, file, options.seed ?? 42);
    return { model, report };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function readCheckpoint(folder: string, options: LoadBertOptions): Promise<{ tensors: Map<string, CheckpointTensorData>; file: string }> {
  const safetensorsFile = path.join(folder, 'model.safetensors');
  if (fs.existsSync(safetensorsFile)) return { tensors: readSafetensors(safetensorsFile).tensors, file: safetensorsFile };

  const pytorchFile = path.join(folder, 'pytorch_model.bin');
  if (fs.existsSync(pytorchFile)) {
    const reader = options.readPytorchCheckpoint ?? readPytorchCheckpoint;
    return { tensors: await reader(pytorchFile), file: pytorchFile };
  }
  throw new UserInputError(t('No model weights found in {0}: expected model.safetensors or pytorch_model.bin.', folder), { file: folder });
}

/**
 * Copies checkpoint tensors into the model's variables under their canonical names. A wrong shape
 * outside the classifier means a different architecture and raises UserInputError naming the file.
 */
export function assignCheckpoint(model: BertForSequenceClassification, tensors: Map<string, CheckpointTensorData>, file: string, seed: number): WeightLoadReport {
  const report: WeightLoadReport = { initialised: [], resized: [], ignored: [] };
  const assigned = new Set<string>();

  for (const [storedName, tensor] of tensors) {
    const name = canonicalWeightName(storedName);
    const variable = model.weights.get(name);
    if (!variable || tensor.data instanceof Int32Array) {
      report.ignored.push(storedName);
      continue;
    }
    if (!sameShape(variable.shape, tensor.shape)) {
      if (name.startsWith('classifier.')) {
        report.resized.push(name);
        continue;
      }
      throw new UserInputError(
        t('Weight {0} in {1} has shape [{2}] but the model expects [{3}]. Check that config.json belongs to these weights.', storedName, file, tensor.shape.join(', '), variable.shape.join(', ')),
        { file },
      );
    }
    tf.tidy(() => variable.assign(tf.tensor(tensor.data, tensor.shape, 'float32')));
    assigned.add(name);
  }

  let index = 0;
  for (const name of model.weights.keys()) {
    const position = index++;
    if (assigned.has(name)) continue;
    // The constructor already drew every weight. A resized one is drawn again from its own seed.
    if (report.resized.includes(name)) model.reinitialise(name, seed + 7919 * position);
    else report.initialised.push(name);
  }
  return report;
}

/**
 * Maps a checkpoint name to the BertForSequenceClassification name: adds the `bert.` prefix that
 * BertModel checkpoints lack and renames the TensorFlow-era `LayerNorm.gamma` / `LayerNorm.beta`.
 */
export function canonicalWeightName(name: string): string {
  let canonical = name.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  const headless = !canonical.startsWith('bert.') && !canonical.startsWith('classifier.') && !canonical.startsWith('cls.');
  if (headless) canonical = `bert.${canonical}`;
  return canonical;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
