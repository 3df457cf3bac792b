// BERT with a sequence-classification head, written in tfjs-core ops. It computes what Hugging Face's
// BertForSequenceClassification computes, and its weights carry that class's state-dict names and
// shapes: a Linear weight is stored as PyTorch stores it, [out, in].
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';

export interface LogitsOptions {
  /** Applies dropout when true. */
  training: boolean;
  /** Seed of the dropout masks, so a training step can be repeated exactly. Random when omitted. */
  dropoutSeed?: number;
}

export interface BertInitOptions {
  /** Seed of the weight initialisation. Default 42. */
  seed?: number;
}

/**
 * Large negative score added to padded key positions before the softmax, as the original BERT code
 * does. exp(-10000) is 0 in float32, and unlike -Infinity it keeps a fully padded row finite.
 */
const maskedScore = -10000;

let nextModelId = 0;

export class BertForSequenceClassification {
  /** Weights keyed by their Hugging Face state-dict name, such as `bert.pooler.dense.weight`. */
  readonly weights = new Map<string, tf.Variable>();
  readonly numLabels: number;

  /** Engine-wide variable names must be unique, so each model prefixes the Hugging Face names. */
  private readonly variablePrefix = `bert${nextModelId++}/`;

  constructor(
    readonly config: BertConfig,
    numLabels: number,
    options: BertInitOptions = {},
  ) {
    this.numLabels = numLabels;
    const seed = options.seed ?? 42;
    let index = 0;
    for (const [name, shape] of bertWeightShapes(config, numLabels)) {
      const initial = tf.tidy(() => initialValue(name, shape, config, seed + 7919 * index++));
      this.weights.set(name, tf.variable(initial, true, this.variablePrefix + name));
      initial.dispose();
    }
  }

  /** Maps an engine variable name (as tf.variableGrads keys its gradients) back to the Hugging Face name. */
  weightNameOf(variableName: string): string {
    return variableName.startsWith(this.variablePrefix) ? variableName.slice(this.variablePrefix.length) : variableName;
  }

  /** Re-draws one weight as a fresh model would, for example a classifier missing from a checkpoint. */
  reinitialise(name: string, seed: number): void {
    const variable = this.weight(name);
    tf.tidy(() => variable.assign(initialValue(name, variable.shape, this.config, seed)));
  }

  /**
   * Computes classification logits [batch, numLabels].
   * - inputIds: [batch, seq] int32.
   * - attentionMask: [batch, seq], 1 for tokens and 0 for padding.
   * - tokenTypeIds: [batch, seq] int32, all 0 when omitted.
   */
  logits(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, tokenTypeIds: tf.Tensor2D | undefined, options: LogitsOptions): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, seq] = inputIds.shape;
      const hiddenSize = this.config.hidden_size;
      const dropout = makeDropout(options);

      let hidden = this.embeddings(inputIds, tokenTypeIds, dropout); // [batch, seq, hidden]

      // [batch, 1, 1, seq]: 0 where a key may be attended to, a large negative number on padding.
      const maskBias = tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), maskedScore), [batch, 1, 1, seq]);
      for (let layer = 0; layer < this.config.num_hidden_layers; layer++) {
        hidden = this.encoderLayer(`bert.encoder.layer.${layer}`, hidden, maskBias, dropout); // [batch, seq, hidden]
      }

      // The pooler reads the hidden state of the first token, [CLS].
      const first = tf.reshape(tf.slice(hidden, [0, 0, 0], [batch, 1, hiddenSize]), [batch, hiddenSize]); // [batch, hidden]
      const pooled = tf.tanh(this.dense(first, 'bert.pooler.dense')); // [batch, hidden]

      const classifierDropout = this.config.classifier_dropout ?? this.config.hidden_dropout_prob;
      return this.dense(dropout(pooled, classifierDropout), 'classifier') as tf.Tensor2D; // [batch, numLabels]
    });
  }

  /** Frees every weight. The model is unusable afterwards. */
  dispose(): void {
    for (const variable of this.weights.values()) variable.dispose();
    this.weights.clear();
  }

  private embeddings(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D | undefined, dropout: Dropout): tf.Tensor3D {
    const [batch, seq] = inputIds.shape;
    const hiddenSize = this.config.hidden_size;

    const words = tf.reshape(tf.gather(this.weight('bert.embeddings.word_embeddings.weight'), tf.reshape(inputIds, [-1])), [batch, seq, hiddenSize]);
    // Positions 0..seq-1 are a slice, whose gradient is cheaper than gather's.
    const positions = tf.slice(this.weight('bert.embeddings.position_embeddings.weight'), [0, 0], [seq, hiddenSize]); // [seq, hidden]
    const tokenTypeTable = this.weight('bert.embeddings.token_type_embeddings.weight');
    const tokenTypes = tokenTypeIds
      ? tf.reshape(tf.gather(tokenTypeTable, tf.reshape(tokenTypeIds, [-1])), [batch, seq, hiddenSize])
      : tf.slice(tokenTypeTable, [0, 0], [1, hiddenSize]); // [1, hidden], broadcast over every token

    const summed = tf.add(tf.add(words, positions), tokenTypes); // [batch, seq, hidden]
    const normalised = this.layerNorm(summed, 'bert.embeddings.LayerNorm');
    return dropout(normalised, this.config.hidden_dropout_prob) as tf.Tensor3D;
  }

  private encoderLayer(prefix: string, input: tf.Tensor3D, maskBias: tf.Tensor, dropout: Dropout): tf.Tensor3D {
    const [batch, seq, hiddenSize] = input.shape;
    const heads = this.config.num_attention_heads;
    const headSize = hiddenSize / heads;

    // [batch, seq, hidden] -> [batch, heads, seq, headSize]
    const splitHeads = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [batch, seq, heads, headSize]), [0, 2, 1, 3]);
    const query = splitHeads(this.dense(input, `${prefix}.attention.self.query`));
    const key = splitHeads(this.dense(input, `${prefix}.attention.self.key`));
    const value = splitHeads(this.dense(input, `${prefix}.attention.self.value`));

    const scores = tf.add(tf.div(tf.matMul(query, key, false, true), Math.sqrt(headSize)), maskBias); // [batch, heads, seq, seq]
    const probabilities = dropout(tf.softmax(scores), this.config.attention_probs_dropout_prob); // [batch, heads, seq, seq]
    const context = tf.reshape(tf.transpose(tf.matMul(probabilities, value), [0, 2, 1, 3]), [batch, seq, hiddenSize]); // [batch, seq, hidden]

    const attentionOutput = dropout(this.dense(context, `${prefix}.attention.output.dense`), this.config.hidden_dropout_prob);
    const attended = this.layerNorm(tf.add(attentionOutput, input), `${prefix}.attention.output.LayerNorm`); // [batch, seq, hidden]

    const intermediate = gelu(this.dense(attended, `${prefix}.intermediate.dense`)); // [batch, seq, intermediate]
    const output = dropout(this.dense(intermediate, `${prefix}.output.dense`), this.config.hidden_dropout_prob); // [batch, seq, hidden]
    return this.layerNorm(tf.add(output, attended), `${prefix}.output.LayerNorm`) as tf.Tensor3D;
  }

  /** x [..., in] times weight [out, in] transposed, plus bias [out]: [..., out], as torch.nn.Linear. */
  private dense(x: tf.Tensor, prefix: string): tf.Tensor {
    const weight = this.weight(`${prefix}.weight`);
    const bias = this.weight(`${prefix}.bias`);
    const [outFeatures, inFeatures] = weight.shape;
    const rows = tf.reshape(x, [-1, inFeatures]); // [tokens, in]
    const product = tf.add(tf.matMul(rows, weight, false, true), bias); // [tokens, out]
    return tf.reshape(product, [...x.shape.slice(0, -1), outFeatures]);
  }

  /** Normalises over the last axis with a biased variance, as torch.nn.LayerNorm does. */
  private layerNorm(x: tf.Tensor, prefix: string): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.config.layer_norm_eps)));
    return tf.add(tf.mul(normalised, this.weight(`${prefix}.weight`)), this.weight(`${prefix}.bias`));
  }

  private weight(name: string): tf.Variable {
    const variable = this.weights.get(name);
    if (!variable) throw new Error(`BERT weight ${name} does not exist`);
    return variable;
  }
}

/** Names and shapes of every weight, in the order of the Hugging Face state dict. */
export function bertWeightShapes(config: BertConfig, numLabels: number): Map<string, number[]> {
  const hidden = config.hidden_size;
  const intermediate = config.intermediate_size;
  const shapes = new Map<string, number[]>();
  const linear = (prefix: string, outFeatures: number, inFeatures: number) => {
    shapes.set(`${prefix}.weight`, [outFeatures, inFeatures]);
    shapes.set(`${prefix}.bias`, [outFeatures]);
  };
  const layerNorm = (prefix: string) => {
    shapes.set(`${prefix}.weight`, [hidden]);
    shapes.set(`${prefix}.bias`, [hidden]);
  };

  shapes.set('bert.embeddings.word_embeddings.weight', [config.vocab_size, hidden]);
  shapes.set('bert.embeddings.position_embeddings.weight', [config.max_position_embeddings, hidden]);
  shapes.set('bert.embeddings.token_type_embeddings.weight', [config.type_vocab_size, hidden]);
  layerNorm('bert.embeddings.LayerNorm');
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const prefix = `bert.encoder.layer.${layer}`;
    linear(`${prefix}.attention.self.query`, hidden, hidden);
    linear(`${prefix}.attention.self.key`, hidden, hidden);
    linear(`${prefix}.attention.self.value`, hidden, hidden);
    linear(`${prefix}.attention.output.dense`, hidden, hidden);
    layerNorm(`${prefix}.attention.output.LayerNorm`);
    linear(`${prefix}.intermediate.dense`, intermediate, hidden);
    linear(`${prefix}.output.dense`, hidden, intermediate);
    layerNorm(`${prefix}.output.LayerNorm`);
  }
  linear('bert.pooler.dense', hidden, hidden);
  linear('classifier', numLabels, hidden);
  return shapes;
}

/**
 * Draws a weight as transformers' BertPreTrainedModel._init_weights does: LayerNorm weight 1 and bias 0,
 * other biases 0, matrices and embeddings normal with std initializer_range, the padding row of the
 * word embeddings 0.
 */
function initialValue(name: string, shape: number[], config: BertConfig, seed: number): tf.Tensor {
  if (name.endsWith('LayerNorm.weight')) return tf.ones(shape);
  if (name.endsWith('.bias')) return tf.zeros(shape);
  const values = tf.randomNormal(shape, 0, config.initializer_range, 'float32', seed);
  if (name === 'bert.embeddings.word_embeddings.weight' && config.pad_token_id >= 0 && config.pad_token_id < shape[0]) {
    const keep = tf.reshape(tf.oneHot([config.pad_token_id], shape[0]), [shape[0], 1]); // [vocab, 1]
    return tf.mul(values, tf.sub(1, keep));
  }
  return values;
}

/** gelu(x) = x/2 * (1 + erf(x / sqrt(2))), the exact form BERT's "gelu" names. */
function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
}

type Dropout = (x: tf.Tensor, rate: number) => tf.Tensor;

/** Returns a dropout function that draws each successive mask from its own seed. */
function makeDropout(options: LogitsOptions): Dropout {
  if (!options.training) return (x) => x;
  const base = options.dropoutSeed ?? Math.floor(Math.random() * 2 ** 31);
  let call = 0;
  return (x, rate) => {
    call++;
    return rate > 0 ? tf.dropout(x, rate, undefined, base * 1000 + call) : x;
  };
}
