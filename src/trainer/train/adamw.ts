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

export interface ApplyGradientsOptions {
  /**
   * Scalar that multiplies every gradient before the update, such as the clipping factor from
   * clipScale in step.ts. Scaling inside the update needs no scaled copy of every gradient.
   */
  gradientScale?: tf.Scalar;
  /** True to free each gradient as soon as its weight is updated, which lowers the peak. Default false. */
  disposeGradients?: boolean;
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
  /**
   * Weight names from the smallest weight to the largest, the order of the update. With
   * `disposeGradients`, the gradients of the smaller weights are freed by the time the largest weight,
   * usually the word embeddings, needs its temporaries.
   */
  private readonly updateOrder: string[];

  /** `weights` maps Hugging Face names to the variables this optimizer updates. */
  constructor(
    private readonly weights: Map<string, tf.Variable>,
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    // The tidy frees the zeros tensors. A variable shares its initial tensor's data, so a zeros tensor
    // left alive would keep its buffer after the first update assigns the moment new data.
    tf.tidy(() => {
      for (const [name, variable] of weights) {
        this.firstMoments.set(name, tf.variable(tf.zerosLike(variable), false));
        this.secondMoments.set(name, tf.variable(tf.zerosLike(variable), false));
      }
    });
    this.updateOrder = [...weights].sort(([, a], [, b]) => a.size - b.size).map(([name]) => name);
  }

  /**
   * Applies one update. `gradients` is keyed by weight name, and a weight without a gradient keeps its
   * value. The update runs weight by weight and frees each temporary as soon as the next operation has
   * read it, so besides the gradients at most two temporaries the size of one weight are alive at a time.
   */
  applyGradients(gradients: Map<string, tf.Tensor>, learningRate: number, options: ApplyGradientsOptions = {}): void {
    this.step++;
    const firstCorrection = 1 - this.beta1 ** this.step;
    const secondCorrection = 1 - this.beta2 ** this.step;

    for (const name of this.updateOrder) {
      const variable = this.weights.get(name)!;
      const gradient = gradients.get(name);
      if (!gradient) continue;
      const decay = this.weightDecay > 0 && !isExcludedFromWeightDecay(name) ? this.weightDecay : 0;

      // The tidy frees the scalars that the operations make from plain numbers. The temporaries the
      // size of the weight are freed explicitly as soon as they are read, because a tidy would keep
      // every one of them until it ends.
      tf.tidy(() => {
        // Each formula runs as the same operations in the same order as one expression would, so
        // freeing temporaries early changes no bit of the result.
        let scaled = gradient;
        if (options.gradientScale) {
          scaled = tf.mul(gradient, options.gradientScale);
          if (options.disposeGradients) gradient.dispose();
        }
        const square = tf.square(scaled);
        const firstIncrement = tf.mul(scaled, 1 - this.beta1);
        if (scaled !== gradient || options.disposeGradients) scaled.dispose();

        // m = beta1 m + (1 - beta1) g
        const m = this.firstMoments.get(name)!;
        assignAndDispose(m, tf.mul(m, this.beta1));
        assignAndDispose(m, tf.add(m, firstIncrement));
        firstIncrement.dispose();

        // v = beta2 v + (1 - beta2) g²
        const v = this.secondMoments.get(name)!;
        const secondIncrement = tf.mul(square, 1 - this.beta2);
        square.dispose();
        assignAndDispose(v, tf.mul(v, this.beta2));
        assignAndDispose(v, tf.add(v, secondIncrement));
        secondIncrement.dispose();

        // update = lr / (1 - beta1^t) · m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
        let update: tf.Tensor = tf.sqrt(v);
        update = replace(update, tf.div(update, Math.sqrt(secondCorrection)));
        update = replace(update, tf.add(update, this.epsilon));
        update = replace(update, tf.div(m, update));
        update = replace(update, tf.mul(update, learningRate / firstCorrection));

        // The decay uses the weight before this step's Adam update, as torch.optim.AdamW does.
        if (decay > 0) assignAndDispose(variable, tf.mul(variable, 1 - learningRate * decay));
        assignAndDispose(variable, tf.sub(variable, update));
        update.dispose();
      });
    }
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

/**
 * Points `variable` at the data of `value` and frees both the variable's previous data and the `value`
 * handle, so an update step keeps one copy of the weight instead of two.
 */
function assignAndDispose(variable: tf.Variable, value: tf.Tensor): void {
  variable.assign(value);
  value.dispose();
}

/** Frees `previous` and returns `next`, for a chain of element-wise operations that keeps one temporary. */
function replace(previous: tf.Tensor, next: tf.Tensor): tf.Tensor {
  previous.dispose();
  return next;
}
