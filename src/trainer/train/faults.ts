// Faults injected on request, so that tests drive the trainer's recovery paths through the real CLI.
//
//   FINETUNE_FAULT_NAN_AT_STEP=N   before optimizer step N (1-based), every value of one weight becomes
//                                  NaN, so that step's loss is NaN as in a diverging run.
//
// A real divergence cannot be forced through finetune.json: training.learningRate is capped at 1, and
// with gradient clipping and LayerNorm the builtin model stays finite even at that rate.

import * as tf from '@tensorflow/tfjs-core';

/** Sets the first of `weights` to NaN when `step` is the step FINETUNE_FAULT_NAN_AT_STEP names. */
export function injectNanFault(weights: Map<string, tf.Variable>, step: number, env: NodeJS.ProcessEnv = process.env): void {
  if (env.FINETUNE_FAULT_NAN_AT_STEP === undefined || Number(env.FINETUNE_FAULT_NAN_AT_STEP) !== step) return;
  const [first] = weights.values();
  tf.tidy(() => first.assign(tf.fill(first.shape, NaN)));
}
