// Estimating, before the first step, whether a model, batch size and sequence length fit in memory, so a
// run that cannot fit is rejected with advice instead of crashing mid-epoch. On the wasm backend the
// limit is the 4 GiB of a 32-bit WebAssembly memory, however much memory the machine has.
//
// A training step peaks in one of two phases, and evaluation in a third:
//   backward   weights, AdamW moments and gradients, plus the activations kept for backpropagation
//   optimizer  the AdamW update: gradients plus two temporaries the size of the weight being updated
//   evaluation forward passes of one training batch size of examples without gradients
// The coefficients below count float32 values and were fitted to tf.profile().peakBytes of real
// training steps and predictions on the wasm backend (TF.js 4.22, on a 2-core x86-64 machine; BERT
// models from 2 layers x 128 to 6 layers x 384 and 2 layers x 512, training batches 1-32, evaluation
// batches of 64, sequences 8-128). On those 14 training and 4 evaluation configurations the estimate
// was within 4% of the measured peak. The wasm heap grows in steps, so the heap itself ended 8% below
// to 21% above the tensor peak.

import * as os from 'node:os';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';
import type { BackendName } from '../../shared/project/types';
import type { BertForSequenceClassification } from '../models/bert/model';

export interface MemoryShape {
  parameters: number;
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  heads: number;
  batchSize: number;
  /** Longest sequence of a batch in tokens: the longest tokenized example, at most model.maxLength. */
  seqLength: number;
}

export interface MemoryEstimate {
  /** Estimated peak bytes of tensors during a training step. */
  trainingBytes: number;
  /** Estimated peak bytes of tensors while evaluating a batch. */
  evaluationBytes: number;
  /** The larger of the two. */
  peakBytes: number;
}

export interface MemoryAssessment {
  estimate: MemoryEstimate;
  /** Bytes available to the backend's tensors. */
  limitBytes: number;
  level: 'info' | 'warn';
  message: string;
}

export interface MemoryRun {
  batchSize: number;
  seqLength: number;
  maxLength: number;
  backend: Exclude<BackendName, 'auto'>;
  /** finetune.json, named in the error. */
  projectFile: string;
}

/** A 32-bit WebAssembly memory addresses at most 2^32 bytes. */
export const WASM_MEMORY_LIMIT_BYTES = 2 ** 32;


/**
 * Float32 values per parameter at the AdamW update: weights, two moments and gradients, plus two
 * temporaries the size of the weight being updated, so at most 6 however the parameters are split into
 * weights. tf.profile().peakBytes of the gradient norm and the update after the backward pass of a
 * batch of 1 x 8 tokens (TF.js 4.22 wasm, vocabulary 21,128) was 5.59 values per parameter for BERT
 * 2 layers x 128 and 4.87 for 4 layers x 256.
 */
export const OPTIMIZER_FLOATS_PER_PARAMETER = 6;
/** Float32 values per parameter while activations are alive: weights, two moments, gradients and more. */
const BACKWARD_FLOATS_PER_PARAMETER = 6;
/** Activations kept for backpropagation, per token, layer and hidden unit. */
const BACKWARD_FLOATS_PER_HIDDEN = 100;
/** The same, per intermediate (feed-forward) unit. */
const BACKWARD_FLOATS_PER_INTERMEDIATE = 27;
/** Attention scores, probabilities, dropout masks and their gradients, per head, layer and token pair. */
const BACKWARD_FLOATS_PER_ATTENTION_SCORE = 22;
const EVALUATION_FLOATS_PER_HIDDEN = 40;
const EVALUATION_FLOATS_PER_INTERMEDIATE = 9;
const EVALUATION_FLOATS_PER_ATTENTION_SCORE = 5.6;

/**
 * An estimate above the limit by more than this fraction clearly cannot fit, because the calibration
 * error is 4% and the process's other memory only adds to the need.
 */
const REJECT_ABOVE_LIMIT = 0.1;
/** An estimate above this fraction of the limit may not fit, and is logged as a warning. */
const WARN_ABOVE_LIMIT = 0.8;

/** Returns the estimated peak tensor memory of training and evaluation in bytes. */
export function estimateTrainingMemory(shape: MemoryShape): MemoryEstimate {
  const { parameters, hiddenSize, intermediateSize, layers, heads, batchSize, seqLength } = shape;
  const activations = (batch: number, perHidden: number, perIntermediate: number, perScore: number) =>
    batch * seqLength * layers * (perHidden * hiddenSize + perIntermediate * intermediateSize + perScore * heads * seqLength);

  const optimizer = OPTIMIZER_FLOATS_PER_PARAMETER * parameters;
  const backward = BACKWARD_FLOATS_PER_PARAMETER * parameters + activations(batchSize, BACKWARD_FLOATS_PER_HIDDEN, BACKWARD_FLOATS_PER_INTERMEDIATE, BACKWARD_FLOATS_PER_ATTENTION_SCORE);
  const evaluation = parameters + activations(batchSize, EVALUATION_FLOATS_PER_HIDDEN, EVALUATION_FLOATS_PER_INTERMEDIATE, EVALUATION_FLOATS_PER_ATTENTION_SCORE);

  const trainingBytes = 4 * Math.max(optimizer, backward);
  const evaluationBytes = 4 * evaluation;
  return { trainingBytes, evaluationBytes, peakBytes: Math.max(trainingBytes, evaluationBytes) };
}

/**
 * Estimates the memory `model` needs to train with the run's batch size and sequence length, and
 * compares it with what the backend can use. Throws UserInputError, with advice, when it clearly does
 * not fit; otherwise returns the message to log.
 */
export function assessTrainingMemory(model: BertForSequenceClassification, run: MemoryRun, totalMemoryBytes = os.totalmem(), residentBytes = process.memoryUsage().rss): MemoryAssessment {
  let parameters = 0;
  for (const weight of model.weights.values()) parameters += weight.size;
  const estimate = estimateTrainingMemory({
    parameters,
    hiddenSize: model.config.hidden_size,
    intermediateSize: model.config.intermediate_size,
    layers: model.config.num_hidden_layers,
    heads: model.config.num_attention_heads,
    batchSize: run.batchSize,
    seqLength: run.seqLength,
  });

  // wasm tensors live in the WebAssembly memory alone. Other backends share the machine's memory with
  // the rest of this process.
  // NOTE: the coefficients were measured on wasm. The native backends free temporaries differently,
  // and for tensorflow-gpu the limit that matters is the GPU's memory, which is not checked here.
  const wasm = run.backend === 'wasm';
  const limitBytes = wasm ? WASM_MEMORY_LIMIT_BYTES : totalMemoryBytes - residentBytes;
  const neededGb = gigabytes(estimate.peakBytes);
  const limitGb = gigabytes(limitBytes);

  if (estimate.peakBytes > limitBytes * (1 + REJECT_ABOVE_LIMIT)) {
    const message = wasm
      ? t(
          'Training needs about {0} GB of memory, more than the {1} GB the wasm backend can use (WebAssembly memory is 32-bit). Lower training.batchSize (now {2}) or model.maxLength (now {3}), or choose a smaller model in model.base.',
          neededGb,
          limitGb,
          run.batchSize,
          run.maxLength,
        )
      : t(
          'Training needs about {0} GB of memory, more than the {1} GB this machine has left (its total memory less what the trainer already uses). Lower training.batchSize (now {2}) or model.maxLength (now {3}), or choose a smaller model in model.base.',
          neededGb,
          limitGb,
          run.batchSize,
          run.maxLength,
        );
    throw new UserInputError(message, { file: run.projectFile, field: 'training.batchSize' });
  }
  if (estimate.peakBytes > limitBytes * WARN_ABOVE_LIMIT) {
    return {
      estimate,
      limitBytes,
      level: 'warn',
      message: t(
        'Training needs about {0} GB of memory, close to the {1} GB available, and may run out. If it does, lower training.batchSize (now {2}) or model.maxLength (now {3}).',
        neededGb,
        limitGb,
        run.batchSize,
        run.maxLength,
      ),
    };
  }
  return {
    estimate,
    limitBytes,
    level: 'info',
    message: t('Estimated memory for training: {0} GB of {1} GB available ({2} parameters, batch {3}, up to {4} tokens).', neededGb, limitGb, parameters, run.batchSize, run.seqLength),
  };
}

function gigabytes(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(2);
}
