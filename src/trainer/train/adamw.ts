// AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", 2019) as torch.optim.AdamW
// computes it: weight decay shrinks the weight directly instead of entering the gradient, and the
// moment estimates are bias-corrected.
import * as tf from '@tensorflow/tfjs-core';

export interface AdamWOptions {
  /** Decay rate of the first moment. Default 0.9. */
  beta1?: number;
  /** Decay rate of the second moment. Default 0.999. */
  beta2?: number;
  /** Added to the root of the second moment. Default 1e-8, as torch.optim.AdamW. */
  epsilon?: number;
  /** Decoupled weight decay per unit of learning rate. Default 0.01, as transformers' Trainer. */
  weightDecay?: number;
}

/** Optimizer state for a checkpoint: the step count plus `<weight>.exp_avg` and `<weight>.exp_avg_sq` tensors. */
export interface AdamWState {
  step: number;
  tensors: Map<string, tf.Tensor>;
}

/**
 * Returns true for weights that take no weight decay: biases and LayerNorm parameters, named as in
 * Hugging Face state dicts (`*.bias`, `*LayerNorm.weight`, `*LayerNorm.bias`).
 */
export function isExcludedFromWeightDecay(name: string): boolean {
  return name.endsWith('.bias') || name.endsWith('LayerNorm.weight') || name.endsWith('LayerNorm.bias');
}

export class AdamW {
  /** Number of updates applied so far. */
  step = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly firstMoments = new Map<string, tf.Variable>();
  private readonly secondMoments = new Map<string, tf.Variable>();

  /** `weights` maps Hugging Face names to the variables this optimizer updates. */
  constructor(
    private readonly weights: Map<string, tf.Variable>,
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    for (const [name, variable] of weights) {
      this.firstMoments.set(name, tf.variable(tf.zerosLike(variable), false));
      this.secondMoments.set(name, tf.variable(tf.zerosLike(variable), false));
    }
  }

  /** Applies one update. `gradients` is keyed by weight name, and a weight without a gradient keeps its value. */
  applyGradients(gradients: Map<string, tf.Tensor>, learningRate: number): void {
    this.step++;
    const firstCorrection = 1 - this.beta1 ** this.step;
    const secondCorrection = 1 - this.beta2 ** this.step;

    tf.tidy(() => {
      for (const [name, variable] of this.weights) {
        const gradient = gradients.get(name);
        if (!gradient) continue;
        const m = this.firstMoments.get(name)!;
        const v = this.secondMoments.get(name)!;
        const decay = this.weightDecay > 0 && !isExcludedFromWeightDecay(name) ? this.weightDecay : 0;

        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2)));

        // The decay uses the weight before this step's Adam update, as torch.optim.AdamW does.
        const weight = decay > 0 ? tf.mul(variable, 1 - learningRate * decay) : variable;

        const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(secondCorrection)), this.epsilon);
        const update = tf.mul(tf.div(m, denominator), learningRate / firstCorrection);
        variable.assign(tf.sub(weight, update));
      }
    });
  }

  /** Copies the state into new tensors, which the caller owns and disposes. */
  exportState(): AdamWState {
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, m] of this.firstMoments) tensors.set(`${name}.exp_avg`, tf.clone(m));
    for (const [name, v] of this.secondMoments) tensors.set(`${name}.exp_avg_sq`, tf.clone(v));
    return { step: this.step, tensors };
  }

  /** Restores state written by exportState. Throws when a moment is missing or has another shape. */
  importState(state: AdamWState): void {
    const restore = (moments: Map<string, tf.Variable>, suffix: string) => {
      for (const [name, variable] of moments) {
        const saved = state.tensors.get(`${name}${suffix}`);
        if (!saved) throw new Error(`Optimizer state lacks ${name}${suffix}`);
        if (saved.shape.join(',') !== variable.shape.join(',')) {
          throw new Error(`Optimizer state ${name}${suffix} has shape [${saved.shape}] but the weight has [${variable.shape}]`);
        }
        variable.assign(saved);
      }
    };
    restore(this.firstMoments, '.exp_avg');
    restore(this.secondMoments, '.exp_avg_sq');
    this.step = state.step;
  }

  /** Frees the moment estimates. */
  dispose(): void {
    for (const variable of [...this.firstMoments.values(), ...this.secondMoments.values()]) variable.dispose();
    this.firstMoments.clear();
    this.secondMoments.clear();
  }
}
