// One optimizer step of sequence classification and batched prediction, on plain typed arrays so the
// training loop can build batches without touching tensors.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradient functions. The @tensorflow/tfjs umbrella package imports this file.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { BertForSequenceClassification } from '../models/bert/model';
import type { AdamW } from './adamw';

/** A padded batch, row-major [batchSize, seqLength] for the token arrays. */
export interface Batch {
  inputIds: Int32Array;
  /** 1 for tokens, 0 for padding. */
  attentionMask: Int32Array | Float32Array;
  /** Segment ids, all 0 when omitted. */
  tokenTypeIds?: Int32Array;
  /** Class index of each row, [batchSize]. Only training reads it. */
  labels: Int32Array;
  batchSize: number;
  seqLength: number;
}

export interface TrainStepOptions {
  learningRate: number;
  /** Maximum global L2 norm of the gradients. Larger gradients are scaled down to it. */
  maxGradNorm: number;
  /** Seed of this step's dropout masks. */
  dropoutSeed: number;
}

export interface TrainStepResult {
  /** Mean cross-entropy of the batch before the update. */
  loss: number;
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: number;
}

/**
 * Runs forward, backward, gradient clipping and one AdamW update. Every tensor it creates is freed
 * before it returns, so tf.memory().numTensors is the same after each step. The clipping factor enters
 * the update instead of clipped copies of the gradients. Each gradient is freed once its weight is
 * updated, so the update needs at most two temporaries the size of one weight beyond the weights,
 * moments and gradients.
 */
export async function trainStep(
  model: BertForSequenceClassification,
  optimizer: AdamW,
  batch: Batch,
  options: TrainStepOptions,
): Promise<TrainStepResult> {
  // The tidy frees the batch tensors and keeps the loss and the gradients.
  const { value: loss, grads } = tf.tidy(() => {
    const inputs = batchTensors(batch);
    const labels = tf.tensor1d(batch.labels, 'int32');
    const variables = [...model.weights.values()];
    return tf.variableGrads(() => {
      const logits = model.logits(inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds, { training: true, dropoutSeed: options.dropoutSeed });
      return crossEntropy(logits, labels, model.numLabels);
    }, variables);
  });

  const gradients = new Map<string, tf.Tensor>();
  for (const [variableName, gradient] of Object.entries(grads)) gradients.set(model.weightNameOf(variableName), gradient);
  let gradNorm: tf.Scalar | undefined;
  let scale: tf.Scalar | undefined;
  try {
    gradNorm = globalNorm(gradients);
    scale = clipScale(gradNorm, options.maxGradNorm);
    optimizer.applyGradients(gradients, options.learningRate, { gradientScale: scale, disposeGradients: true });

    const [lossValue, normValue] = await Promise.all([loss.data(), gradNorm.data()]);
    return { loss: lossValue[0], gradNorm: normValue[0] };
  } finally {
    // The update has freed the gradients unless it threw, and disposing a tensor twice does nothing.
    tf.dispose([loss, ...gradients.values()]);
    if (gradNorm) gradNorm.dispose();
    if (scale) scale.dispose();
  }
}

/** Returns class probabilities, row-major [batchSize, numLabels]. Dropout is off. */
export async function predict(model: BertForSequenceClassification, batch: Omit<Batch, 'labels'> & { labels?: Int32Array }): Promise<Float32Array> {
  const probabilities = tf.tidy(() => {
    const inputs = batchTensors(batch);
    return tf.softmax(model.logits(inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds, { training: false }));
  });
  try {
    return (await probabilities.data()) as Float32Array;
  } finally {
    probabilities.dispose();
  }
}

/** Mean over the batch of -log softmax(logits)[label]. logits [batch, numLabels], labels [batch] int32. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, numLabels: number): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, numLabels), tf.logSoftmax(logits)), -1))) as tf.Scalar);
}

/**
 * Scales every gradient by maxNorm / (norm + 1e-6) when the global L2 norm exceeds maxNorm, as
 * torch.nn.utils.clip_grad_norm_ does. Replaces the map's tensors with scaled copies and returns the
 * norm before clipping. trainStep passes clipScale to AdamW instead, which needs no copies.
 */
export function clipByGlobalNorm(gradients: Map<string, tf.Tensor>, maxNorm: number): tf.Scalar {
  const norm = globalNorm(gradients);
  const scale = clipScale(norm, maxNorm);
  for (const [name, gradient] of gradients) gradients.set(name, tf.mul(gradient, scale));
  scale.dispose();
  return norm;
}

/**
 * Returns the L2 norm of all gradients together. Each square is freed once it is summed, so the sum
 * needs one temporary the size of a gradient at a time.
 */
export function globalNorm(gradients: Map<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    const sums: tf.Scalar[] = [];
    for (const gradient of gradients.values()) {
      const square = tf.square(gradient);
      sums.push(tf.sum(square));
      square.dispose();
    }
    return tf.sqrt(tf.addN(sums));
  });
}

/**
 * Returns min(1, maxNorm / (norm + 1e-6)), the factor clipByGlobalNorm multiplies the gradients by. It
 * stays on the device, so clipping needs no read-back.
 */
export function clipScale(norm: tf.Scalar, maxNorm: number): tf.Scalar {
  return tf.tidy(() => tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))));
}

function batchTensors(batch: Omit<Batch, 'labels'>): { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; tokenTypeIds?: tf.Tensor2D } {
  const shape: [number, number] = [batch.batchSize, batch.seqLength];
  const expected = batch.batchSize * batch.seqLength;
  if (batch.inputIds.length !== expected || batch.attentionMask.length !== expected) {
    throw new Error(`A batch of ${batch.batchSize} x ${batch.seqLength} needs ${expected} input ids and mask values, got ${batch.inputIds.length} and ${batch.attentionMask.length}`);
  }
  return {
    inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'),
    attentionMask: tf.tensor2d(batch.attentionMask, shape, 'float32'),
    tokenTypeIds: batch.tokenTypeIds ? tf.tensor2d(batch.tokenTypeIds, shape, 'int32') : undefined,
  };
}
