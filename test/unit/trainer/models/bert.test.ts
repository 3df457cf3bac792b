import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../../src/trainer/backend/select';
import { makeBertConfig, parseBertConfig, type BertConfig } from '../../../../src/trainer/models/bert/config';
import { BertForSequenceClassification, bertWeightShapes } from '../../../../src/trainer/models/bert/model';
import { canonicalWeightName, loadBertForSequenceClassification, saveBertPretrained } from '../../../../src/trainer/models/bert/pretrained';
import { crossEntropy } from '../../../../src/trainer/train/step';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../../../src/trainer/weights/safetensors';
import { isUserInputError } from '../../../../src/shared/errors';

const labels = { id2label: { '0': '差评', '1': '中性', '2': '好评' }, label2id: { 差评: 0, 中性: 1, 好评: 2 } };

function tinyConfig(fields: Partial<BertConfig> = {}): BertConfig {
  return makeBertConfig({
    vocab_size: 20,
    hidden_size: 8,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 16,
    max_position_embeddings: 16,
    ...labels,
    ...fields,
  });
}

/** Two rows of five tokens; the second row ends with two padding tokens. */
function tinyInputs(): { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; tokenTypeIds: tf.Tensor2D } {
  return {
    inputIds: tf.tensor2d([[2, 5, 7, 9, 3], [2, 11, 4, 0, 0]], [2, 5], 'int32'),
    attentionMask: tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], [2, 5], 'int32'),
    tokenTypeIds: tf.tensor2d([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], [2, 5], 'int32'),
  };
}

describe('BERT classifier', () => {
  let folder: string;

  before(async () => {
    await selectBackend('wasm');
  });

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-test-'));
  });

  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('logits have shape [batch, numLabels]', () => {
    const model = new BertForSequenceClassification(tinyConfig(), 3);
    const inputs = tinyInputs();
    const logits = model.logits(inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds, { training: false });
    assert.deepEqual(logits.shape, [2, 3]);
    tf.dispose([logits, ...Object.values(inputs)]);
    model.dispose();
  });

  it('weights carry Hugging Face names and shapes', () => {
    const model = new BertForSequenceClassification(tinyConfig(), 3);
    assert.deepEqual(model.weights.get('bert.embeddings.word_embeddings.weight')?.shape, [20, 8]);
    assert.deepEqual(model.weights.get('bert.encoder.layer.1.attention.self.query.weight')?.shape, [8, 8]);
    assert.deepEqual(model.weights.get('bert.encoder.layer.0.intermediate.dense.weight')?.shape, [16, 8]);
    assert.deepEqual(model.weights.get('bert.encoder.layer.0.output.dense.weight')?.shape, [8, 16]);
    assert.deepEqual(model.weights.get('classifier.weight')?.shape, [3, 8]);
    assert.equal(model.weights.size, 5 + 2 * 16 + 4);
    model.dispose();
  });

  it('initialisation is seeded and zeroes the padding row', () => {
    const first = new BertForSequenceClassification(tinyConfig(), 3, { seed: 7 });
    const second = new BertForSequenceClassification(tinyConfig(), 3, { seed: 7 });
    const embeddings = first.weights.get('bert.embeddings.word_embeddings.weight')!.arraySync() as number[][];
    assert.ok(embeddings[0].every((value) => value === 0), `padding row is ${embeddings[0]}`);
    assert.deepEqual(second.weights.get('bert.embeddings.word_embeddings.weight')!.arraySync(), embeddings);
    assert.deepEqual(Array.from(first.weights.get('bert.embeddings.LayerNorm.weight')!.dataSync()), new Array(8).fill(1));
    first.dispose();
    second.dispose();
  });

  it('padding tokens do not change logits', () => {
    const model = new BertForSequenceClassification(tinyConfig(), 3);
    const mask = tf.tensor2d([[1, 1, 1, 0, 0]], [1, 5], 'int32');
    const first = model.logits(tf.tensor2d([[2, 5, 7, 0, 0]], [1, 5], 'int32'), mask, undefined, { training: false });
    const second = model.logits(tf.tensor2d([[2, 5, 7, 13, 17]], [1, 5], 'int32'), mask, undefined, { training: false });
    const a = first.dataSync();
    const b = second.dataSync();
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `logit ${i}: ${a[i]} vs ${b[i]}`);
    tf.dispose([first, second, mask]);
    model.dispose();
  });

  it('dropout with one seed repeats exactly', () => {
    const model = new BertForSequenceClassification(tinyConfig({ hidden_dropout_prob: 0.3 }), 3);
    const inputs = tinyInputs();
    const run = (seed: number) => {
      const logits = model.logits(inputs.inputIds, inputs.attentionMask, undefined, { training: true, dropoutSeed: seed });
      const values = Array.from(logits.dataSync());
      logits.dispose();
      return values;
    };
    assert.deepEqual(run(5), run(5));
    assert.notDeepEqual(run(5), run(6));
    tf.dispose(Object.values(inputs));
    model.dispose();
  });

  it('gradients match finite differences', () => {
    // A wide initialisation makes the gradients of the lower layers large enough to measure in float32.
    const model = new BertForSequenceClassification(tinyConfig({ initializer_range: 0.5 }), 3, { seed: 3 });
    const inputs = tinyInputs();
    const targets = tf.tensor1d([2, 0], 'int32');
    const loss = () => crossEntropy(model.logits(inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds, { training: false }), targets, 3);

    const { grads } = tf.variableGrads(loss, [...model.weights.values()]);
    const probes: [string, number][] = [
      ['classifier.weight', 4],
      ['bert.pooler.dense.weight', 9],
      ['bert.encoder.layer.1.output.dense.weight', 20],
      ['bert.encoder.layer.0.attention.self.query.weight', 13],
      ['bert.encoder.layer.0.attention.self.value.bias', 3],
      ['bert.encoder.layer.1.intermediate.dense.weight', 30],
      ['bert.encoder.layer.0.attention.output.LayerNorm.weight', 5],
      ['bert.embeddings.word_embeddings.weight', 7 * 8 + 2],
      ['bert.embeddings.token_type_embeddings.weight', 8 + 1],
      ['bert.embeddings.position_embeddings.weight', 3 * 8 + 6],
    ];
    const epsilon = 1e-2;
    for (const [name, index] of probes) {
      const variable = model.weights.get(name)!;
      const analytic = grads[variable.name].dataSync()[index];
      const original = variable.dataSync().slice();
      const lossAt = (delta: number) => {
        const changed = original.slice();
        changed[index] += delta;
        variable.assign(tf.tensor(changed, variable.shape));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const numeric = (lossAt(epsilon) - lossAt(-epsilon)) / (2 * epsilon);
      variable.assign(tf.tensor(original, variable.shape));
      assert.ok(
        Math.abs(analytic - numeric) <= 2e-4 + 0.01 * Math.abs(numeric),
        `${name}[${index}]: analytic ${analytic}, finite difference ${numeric}`,
      );
    }
    tf.dispose([grads, targets, ...Object.values(inputs)]);
    model.dispose();
  });

  it('save then load gives identical logits', async () => {
    const model = new BertForSequenceClassification(tinyConfig(), 3, { seed: 11 });
    saveBertPretrained(model, folder, labels);

    const config = JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8'));
    assert.deepEqual(config.architectures, ['BertForSequenceClassification']);
    assert.deepEqual(config.id2label, labels.id2label);
    assert.deepEqual(config.label2id, labels.label2id);
    assert.equal(config.hidden_size, 8);
    assert.equal(readSafetensors(path.join(folder, 'model.safetensors')).metadata.format, 'pt');

    const { model: loaded, report } = await loadBertForSequenceClassification(folder, 3, labels);
    assert.deepEqual(report, { initialised: [], resized: [], ignored: [] });
    const inputs = tinyInputs();
    const expected = model.logits(inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds, { training: false });
    const actual = loaded.logits(inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds, { training: false });
    assert.deepEqual(Array.from(actual.dataSync()), Array.from(expected.dataSync()));
    tf.dispose([expected, actual, ...Object.values(inputs)]);
    model.dispose();
    loaded.dispose();
  });

  it('base checkpoint loads with a new classifier', async () => {
    // A BertModel checkpoint as older conversions wrote it: no "bert." prefix, LayerNorm gamma/beta,
    // an MLM head and a position_ids buffer, and no classifier.
    const config = tinyConfig();
    const source = new BertForSequenceClassification(config, 3, { seed: 5 });
    const tensors = new Map<string, TensorToWrite>();
    for (const [name, variable] of source.weights) {
      if (name.startsWith('classifier.')) continue;
      const stored = name.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
      tensors.set(stored, { shape: variable.shape, data: variable.dataSync() as Float32Array });
    }
    tensors.set('cls.predictions.bias', { shape: [20], data: new Float32Array(20) });
    tensors.set('embeddings.position_ids', { shape: [1, 16], data: Int32Array.from({ length: 16 }, (_, i) => i) });
    writeSafetensors(path.join(folder, 'model.safetensors'), tensors);
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ ...config, architectures: ['BertForMaskedLM'] }));

    const { model, report } = await loadBertForSequenceClassification(folder, 3, labels);
    assert.deepEqual(report.initialised.sort(), ['classifier.bias', 'classifier.weight']);
    assert.deepEqual(report.ignored.sort(), ['cls.predictions.bias', 'embeddings.position_ids']);
    assert.deepEqual(
      model.weights.get('bert.encoder.layer.1.output.LayerNorm.weight')!.arraySync(),
      source.weights.get('bert.encoder.layer.1.output.LayerNorm.weight')!.arraySync(),
    );
    assert.equal(model.config.id2label['2'], '好评');
    source.dispose();
    model.dispose();
  });

  it('classifier with other label count is resized', async () => {
    const source = new BertForSequenceClassification(tinyConfig(), 2);
    saveBertPretrained(source, folder, { id2label: { '0': 'a', '1': 'b' }, label2id: { a: 0, b: 1 } });
    const { model, report } = await loadBertForSequenceClassification(folder, 3, labels);
    assert.deepEqual(report.resized.sort(), ['classifier.bias', 'classifier.weight']);
    assert.deepEqual(model.weights.get('classifier.weight')!.shape, [3, 8]);
    source.dispose();
    model.dispose();
  });

  it('encoder shape mismatch names the file', async () => {
    const source = new BertForSequenceClassification(tinyConfig(), 3);
    saveBertPretrained(source, folder, labels);
    const config = JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ ...config, intermediate_size: 32 }));
    await assert.rejects(loadBertForSequenceClassification(folder, 3, labels), (error: unknown) => {
      assert.ok(isUserInputError(error));
      assert.equal(error.location.file, path.join(folder, 'model.safetensors'));
      return true;
    });
    source.dispose();
  });

  it('pytorch_model.bin goes through the reader hook', async () => {
    const source = new BertForSequenceClassification(tinyConfig(), 3, { seed: 8 });
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, variable] of source.weights) tensors.set(name, { shape: variable.shape, data: variable.dataSync() as Float32Array });
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(tinyConfig()));
    fs.writeFileSync(path.join(folder, 'pytorch_model.bin'), '');
    const requested: string[] = [];

    const { model, report } = await loadBertForSequenceClassification(folder, 3, labels, {
      readPytorchCheckpoint: (file) => {
        requested.push(file);
        return tensors;
      },
    });

    assert.deepEqual(requested, [path.join(folder, 'pytorch_model.bin')]);
    assert.deepEqual(report.initialised, []);
    assert.deepEqual(model.weights.get('classifier.weight')!.arraySync(), source.weights.get('classifier.weight')!.arraySync());
    source.dispose();
    model.dispose();
  });

  it('missing weights file is reported', async () => {
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(tinyConfig()));
    await assert.rejects(loadBertForSequenceClassification(folder, 3, labels), (error: unknown) => isUserInputError(error));
  });

  it('config rejects heads that do not divide hidden_size', () => {
    assert.throws(
      () => parseBertConfig({ hidden_size: 10, num_attention_heads: 4 }, 'model/config.json'),
      (error: unknown) => isUserInputError(error) && error.location.field === 'hidden_size' && error.location.file === 'model/config.json',
    );
  });

  it('config rejects other model types', () => {
    assert.throws(
      () => parseBertConfig({ model_type: 'roberta' }, 'config.json'),
      (error: unknown) => isUserInputError(error) && error.location.field === 'model_type',
    );
    assert.throws(
      () => parseBertConfig({ model_type: 'bert', position_embedding_type: 'relative_key' }, 'config.json'),
      (error: unknown) => isUserInputError(error) && error.location.field === 'position_embedding_type',
    );
    assert.equal(parseBertConfig({ model_type: 'bert', position_embedding_type: 'absolute', vocab_size: 21128 }).vocab_size, 21128);
  });

  it('canonical names follow BertForSequenceClassification', () => {
    assert.equal(canonicalWeightName('embeddings.LayerNorm.gamma'), 'bert.embeddings.LayerNorm.weight');
    assert.equal(canonicalWeightName('bert.encoder.layer.0.output.LayerNorm.beta'), 'bert.encoder.layer.0.output.LayerNorm.bias');
    assert.equal(canonicalWeightName('classifier.weight'), 'classifier.weight');
    assert.equal(canonicalWeightName('cls.predictions.bias'), 'cls.predictions.bias');
    assert.ok(bertWeightShapes(tinyConfig(), 3).has('bert.pooler.dense.bias'));
  });
});
