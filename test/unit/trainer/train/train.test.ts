import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../../src/trainer/backend/select';
import { makeBertConfig } from '../../../../src/trainer/models/bert/config';
import { BertForSequenceClassification } from '../../../../src/trainer/models/bert/model';
import { AdamW, isExcludedFromWeightDecay } from '../../../../src/trainer/train/adamw';
import { OPTIMIZER_FLOATS_PER_PARAMETER } from '../../../../src/trainer/train/memory';
import { linearWarmupDecay } from '../../../../src/trainer/train/schedule';
import { clipByGlobalNorm, clipScale, globalNorm, predict, trainStep, type Batch } from '../../../../src/trainer/train/step';

/**
 * Bound on the peak of one training step in float32 values per parameter, as tf.profile counts them,
 * for the embedding-heavy model of the step test. That step peaks near 6.2 at the embedding gradient,
 * because tf.profile counts the clones TF.js 4.22 saves for the backward pass, which share their data,
 * a second time. The AdamW update itself stays below OPTIMIZER_FLOATS_PER_PARAMETER. Clipped copies of
 * all gradients bring the peak to 8.6, and one tidy around the whole update to 22.
 */
const STEP_PEAK_FLOATS_PER_PARAMETER = 6.5;

function assertClose(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: ${actual}, expected ${expected}`);
}

/**
 * Twelve rows of six tokens over a vocabulary of 24: class 0 rows contain token 5, class 1 rows token
 * 6, class 2 rows token 7, at varying positions among filler tokens 10-23. Row lengths vary
 * independently of the class, so padding alone cannot separate the classes.
 */
function separableBatch(): Batch {
  const batchSize = 12;
  const seqLength = 6;
  const inputIds = new Int32Array(batchSize * seqLength);
  const attentionMask = new Int32Array(batchSize * seqLength);
  const labels = new Int32Array(batchSize);
  for (let row = 0; row < batchSize; row++) {
    const label = row % 3;
    const length = 4 + (Math.floor(row / 3) % 3);
    labels[row] = label;
    for (let position = 0; position < seqLength; position++) {
      const index = row * seqLength + position;
      if (position >= length) continue;
      attentionMask[index] = 1;
      inputIds[index] = position === 0 ? 2 : 10 + ((row * 5 + position * 3) % 14);
    }
    inputIds[row * seqLength + 1 + (row % (length - 1))] = 5 + label;
  }
  return { inputIds, attentionMask, labels, batchSize, seqLength };
}

describe('AdamW', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('update matches a hand computation', () => {
    const weight = tf.variable(tf.tensor1d([1, -2]));
    const bias = tf.variable(tf.tensor1d([0.5]));
    const optimizer = new AdamW(new Map([['dense.weight', weight], ['dense.bias', bias]]), { weightDecay: 0.1 });
    const learningRate = 0.01;

    const gradients = [
      [0.5, -1],
      [0.25, 2],
    ];
    const biasGradients = [0.3, -0.6];
    for (let step = 0; step < 2; step++) {
      const gradientMap = new Map<string, tf.Tensor>([['dense.weight', tf.tensor1d(gradients[step])], ['dense.bias', tf.tensor1d([biasGradients[step]])]]);
      optimizer.applyGradients(gradientMap, learningRate);
      tf.dispose([...gradientMap.values()]);
    }

    // Hand computation of torch.optim.AdamW, two steps, beta1 0.9, beta2 0.999, epsilon 1e-8.
    const adamw = (initial: number, grads: number[], decay: number) => {
      let p = initial;
      let m = 0;
      let v = 0;
      grads.forEach((g, i) => {
        const step = i + 1;
        p = p * (1 - learningRate * decay);
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        const mHat = m / (1 - 0.9 ** step);
        const vHat = v / (1 - 0.999 ** step);
        p = p - (learningRate * mHat) / (Math.sqrt(vHat) + 1e-8);
      });
      return p;
    };
    const weightValues = weight.dataSync();
    assertClose(weightValues[0], adamw(1, [0.5, 0.25], 0.1), 1e-6, 'weight[0]');
    assertClose(weightValues[1], adamw(-2, [-1, 2], 0.1), 1e-6, 'weight[1]');
    // The bias takes no decay.
    assertClose(bias.dataSync()[0], adamw(0.5, biasGradients, 0), 1e-6, 'bias');
    assert.equal(optimizer.step, 2);
    optimizer.dispose();
    tf.dispose([weight, bias]);
  });

  it('decay exclusions follow Hugging Face names', () => {
    assert.equal(isExcludedFromWeightDecay('bert.encoder.layer.0.attention.self.query.bias'), true);
    assert.equal(isExcludedFromWeightDecay('bert.embeddings.LayerNorm.weight'), true);
    assert.equal(isExcludedFromWeightDecay('bert.encoder.layer.3.output.LayerNorm.bias'), true);
    assert.equal(isExcludedFromWeightDecay('bert.encoder.layer.0.attention.self.query.weight'), false);
    assert.equal(isExcludedFromWeightDecay('bert.embeddings.word_embeddings.weight'), false);
    assert.equal(isExcludedFromWeightDecay('classifier.weight'), false);
  });

  it('state export and import continue identically', () => {
    const run = (resume: boolean) => {
      const weight = tf.variable(tf.tensor1d([1, 2, 3]));
      let optimizer = new AdamW(new Map([['w', weight]]));
      const gradient = new Map<string, tf.Tensor>([['w', tf.tensor1d([0.1, -0.2, 0.3])]]);
      optimizer.applyGradients(gradient, 0.1);
      if (resume) {
        const state = optimizer.exportState();
        optimizer.dispose();
        optimizer = new AdamW(new Map([['w', weight]]));
        optimizer.importState(state);
        tf.dispose([...state.tensors.values()]);
      }
      optimizer.applyGradients(gradient, 0.1);
      const values = Array.from(weight.dataSync());
      optimizer.dispose();
      tf.dispose([weight, ...gradient.values()]);
      return values;
    };
    assert.deepEqual(run(true), run(false));
  });

  it('scaled update equals clipping first', () => {
    const run = (scaleInUpdate: boolean) => {
      const weights = new Map([
        ['dense.weight', tf.variable(tf.tensor1d([1, -2, 0.5]))],
        ['dense.bias', tf.variable(tf.tensor1d([0.25]))],
      ]);
      const optimizer = new AdamW(weights);
      for (let step = 0; step < 2; step++) {
        const gradients = new Map<string, tf.Tensor>([['dense.weight', tf.tensor1d([3, -1.5 * step, 0.7])], ['dense.bias', tf.tensor1d([-4])]]);
        if (scaleInUpdate) {
          const norm = globalNorm(gradients);
          const scale = clipScale(norm, 1);
          optimizer.applyGradients(gradients, 0.01, { gradientScale: scale, disposeGradients: true });
          for (const gradient of gradients.values()) assert.ok(gradient.isDisposed, 'gradient freed by the update');
          tf.dispose([norm, scale]);
        } else {
          const originals = [...gradients.values()];
          const norm = clipByGlobalNorm(gradients, 1);
          optimizer.applyGradients(gradients, 0.01);
          for (const gradient of gradients.values()) assert.ok(!gradient.isDisposed, 'gradient kept by default');
          tf.dispose([norm, ...originals, ...gradients.values()]);
        }
      }
      const values = [...weights.values()].map((weight) => Array.from(weight.dataSync()));
      optimizer.dispose();
      tf.dispose([...weights.values()]);
      return values;
    };
    const clippedFirst = run(false);
    assert.ok(Math.abs(clippedFirst[0][0] - 1) > 1e-3, 'the update moved the weight');
    assert.deepEqual(run(true), clippedFirst);
  });

  it('update frees its temporaries', async () => {
    const size = 10_000;
    const bytesBefore = tf.memory().numBytes;
    const tensorsBefore = tf.memory().numTensors;
    const initial = tf.fill([size], 0.5);
    const weight = tf.variable(initial);
    initial.dispose();
    const optimizer = new AdamW(new Map([['dense.weight', weight]]));
    const gradient = tf.fill([size], 0.1);
    const scale = tf.scalar(0.5);

    const profile = await tf.profile(() => optimizer.applyGradients(new Map([['dense.weight', gradient]]), 0.01, { gradientScale: scale, disposeGradients: true }));
    // The weight, its two moments and the gradient, plus at most two temporaries the size of the weight,
    // which is 6 values per parameter. Scalars made from plain numbers account for the last few bytes.
    assert.ok(profile.peakBytes - bytesBefore <= 4 * OPTIMIZER_FLOATS_PER_PARAMETER * size + 256, `peak of ${(profile.peakBytes - bytesBefore) / (4 * size)} values per parameter`);
    assert.ok(gradient.isDisposed);
    // The weight and its two moments remain, so the zeros the moments started from are freed too.
    assert.equal(tf.memory().numBytes - bytesBefore, 4 * 3 * size + 4);
    assert.equal(tf.memory().numTensors - tensorsBefore, 4);
    optimizer.dispose();
    tf.dispose([weight, scale]);
  });
});

describe('learning-rate schedule', () => {
  it('rises linearly during warmup', () => {
    const options = { peakLearningRate: 2e-5, warmupSteps: 10, totalSteps: 110 };
    assert.equal(linearWarmupDecay(0, options), 0);
    assertClose(linearWarmupDecay(5, options), 1e-5, 1e-15, 'step 5');
    assertClose(linearWarmupDecay(10, options), 2e-5, 1e-15, 'step 10');
  });

  it('falls linearly to zero', () => {
    const options = { peakLearningRate: 2e-5, warmupSteps: 10, totalSteps: 110 };
    assertClose(linearWarmupDecay(60, options), 1e-5, 1e-15, 'step 60');
    assert.equal(linearWarmupDecay(110, options), 0);
    assert.equal(linearWarmupDecay(150, options), 0);
  });

  it('no warmup starts at the peak', () => {
    assert.equal(linearWarmupDecay(0, { peakLearningRate: 1e-3, warmupSteps: 0, totalSteps: 4 }), 1e-3);
    assert.equal(linearWarmupDecay(3, { peakLearningRate: 1e-3, warmupSteps: 0, totalSteps: 4 }), 2.5e-4);
  });
});

describe('train step', () => {
  const config = makeBertConfig({
    vocab_size: 24,
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 8,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    id2label: { '0': 'a', '1': 'b', '2': 'c' },
    label2id: { a: 0, b: 1, c: 2 },
  });

  before(async () => {
    await selectBackend('wasm');
  });

  it('clipping scales gradients to the maximum norm', () => {
    const gradients = new Map<string, tf.Tensor>([['a', tf.tensor1d([3, 0])], ['b', tf.tensor1d([4])]]);
    const originals = [...gradients.values()];
    const norm = clipByGlobalNorm(gradients, 1);
    assertClose(norm.dataSync()[0], 5, 1e-6, 'norm');
    assertClose(gradients.get('a')!.dataSync()[0], 0.6, 1e-6, 'a[0]');
    assertClose(gradients.get('b')!.dataSync()[0], 0.8, 1e-6, 'b[0]');
    tf.dispose([norm, ...originals, ...gradients.values()]);
  });

  it('tensor count is unchanged across steps', async () => {
    const model = new BertForSequenceClassification(config, 3, { seed: 1 });
    const optimizer = new AdamW(model.weights);
    const batch = separableBatch();
    await trainStep(model, optimizer, batch, { learningRate: 1e-3, maxGradNorm: 1, dropoutSeed: 1 });
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      await trainStep(model, optimizer, batch, { learningRate: 1e-3, maxGradNorm: 1, dropoutSeed: step });
      await predict(model, batch);
      assert.equal(tf.memory().numTensors, before, `after step ${step}`);
    }
    optimizer.dispose();
    model.dispose();
  });

  it('tiny model fits a separable token set', async () => {
    const model = new BertForSequenceClassification(config, 3, { seed: 2 });
    const optimizer = new AdamW(model.weights, { weightDecay: 0.01 });
    const batch = separableBatch();

    let first = { loss: 0, gradNorm: 0 };
    let last = first;
    for (let step = 0; step < 100; step++) {
      last = await trainStep(model, optimizer, batch, { learningRate: 2e-3, maxGradNorm: 1, dropoutSeed: step });
      if (step === 0) first = last;
      assert.ok(Number.isFinite(last.loss), `step ${step}: loss ${last.loss}`);
      assert.ok(Number.isFinite(last.gradNorm), `step ${step}: gradNorm ${last.gradNorm}`);
    }

    const probabilities = await predict(model, batch);
    let correct = 0;
    for (let row = 0; row < batch.batchSize; row++) {
      const scores = Array.from(probabilities.subarray(row * 3, row * 3 + 3));
      if (scores.indexOf(Math.max(...scores)) === batch.labels[row]) correct++;
    }
    assert.equal(correct, batch.batchSize, `accuracy ${correct}/${batch.batchSize}, loss ${first.loss} -> ${last.loss}`);
    assert.ok(last.loss < first.loss);
    for (let row = 0; row < batch.batchSize; row++) {
      assertClose(probabilities[row * 3] + probabilities[row * 3 + 1] + probabilities[row * 3 + 2], 1, 1e-5, `row ${row} sum`);
    }
    optimizer.dispose();
    model.dispose();
  });

  it('step peak stays within its bound', async () => {
    // Word embeddings hold 87% of the parameters, as in the builtin preset, and the batch is 4 tokens,
    // so the weights, moments and gradients outweigh the activations.
    const embeddingHeavy = makeBertConfig({ ...config, vocab_size: 4000, hidden_size: 32, intermediate_size: 64, max_position_embeddings: 16 });
    const batch: Batch = { inputIds: new Int32Array([2, 3999, 17, 5]), attentionMask: new Int32Array(4).fill(1), labels: new Int32Array([1]), batchSize: 1, seqLength: 4 };
    const bytesBefore = tf.memory().numBytes;
    const model = new BertForSequenceClassification(embeddingHeavy, 3, { seed: 5 });
    const optimizer = new AdamW(model.weights);
    let parameters = 0;
    for (const weight of model.weights.values()) parameters += weight.size;

    // A maximum norm this small makes every step clip.
    const options = { learningRate: 1e-3, maxGradNorm: 1e-3, dropoutSeed: 1 };
    await trainStep(model, optimizer, batch, options);
    const profile = await tf.profile(async () => {
      await trainStep(model, optimizer, batch, options);
    });
    const floatsPerParameter = (profile.peakBytes - bytesBefore) / (4 * parameters);
    assert.ok(floatsPerParameter <= STEP_PEAK_FLOATS_PER_PARAMETER, `peak of ${floatsPerParameter.toFixed(2)} values per parameter`);
    // The weights and their two moments remain between steps.
    assert.equal(tf.memory().numBytes - bytesBefore, 4 * 3 * parameters);
    optimizer.dispose();
    model.dispose();
  });

  it('one seed gives one result', async () => {
    const run = async () => {
      const model = new BertForSequenceClassification(makeBertConfig({ ...config, hidden_dropout_prob: 0.2 }), 3, { seed: 4 });
      const optimizer = new AdamW(model.weights);
      const result = await trainStep(model, optimizer, separableBatch(), { learningRate: 1e-3, maxGradNorm: 1, dropoutSeed: 9 });
      const after = await trainStep(model, optimizer, separableBatch(), { learningRate: 1e-3, maxGradNorm: 1, dropoutSeed: 10 });
      optimizer.dispose();
      model.dispose();
      return [result, after];
    };
    assert.deepEqual(await run(), await run());
  });
});
