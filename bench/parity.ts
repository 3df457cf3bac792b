// Compares the TF.js BERT classifier with the same model in plain PyTorch (bench/pytorch-reference.py):
// the largest absolute difference of the logits for identical weights and inputs, and the training
// throughput of each (forward, backward, clipping and AdamW). Prints figures and asserts nothing.
//
// Usage: npx tsx bench/parity.ts [steps]   (needs /usr/bin/python3 with python3-torch)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../src/trainer/backend/select';
import { makeBertConfig } from '../src/trainer/models/bert/config';
import { BertForSequenceClassification } from '../src/trainer/models/bert/model';
import { saveBertPretrained } from '../src/trainer/models/bert/pretrained';
import { AdamW } from '../src/trainer/train/adamw';
import { trainStep, type Batch } from '../src/trainer/train/step';

// The shapes of the throughput figures in the design notes: 4 layers, 256 wide, bert-base-chinese's vocabulary.
const batchSize = 8;
const seqLength = 48;
const numLabels = 3;

async function main(): Promise<void> {
  const steps = Number(process.argv[2] ?? 10);
  const backend = await selectBackend('auto');
  console.log(`TF.js backend: ${backend.name} (${backend.device})`);

  const config = makeBertConfig({
    vocab_size: 21128,
    hidden_size: 256,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    intermediate_size: 1024,
    id2label: { '0': '差评', '1': '中性', '2': '好评' },
    label2id: { 差评: 0, 中性: 1, 好评: 2 },
  });
  const model = new BertForSequenceClassification(config, numLabels, { seed: 1 });
  const batch = makeBatch(config.vocab_size);

  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-parity-'));
  try {
    saveBertPretrained(model, folder, { id2label: config.id2label, label2id: config.label2id });
    const inputsFile = path.join(folder, 'inputs.json');
    fs.writeFileSync(inputsFile, JSON.stringify({ ...batch, inputIds: [...batch.inputIds], attentionMask: [...batch.attentionMask], labels: [...batch.labels] }));

    // Logits first, before training changes the weights.
    const tfjsLogits = await logitsOf(model, batch);

    const python = spawnSync('/usr/bin/python3', [path.join(__dirname, 'pytorch-reference.py'), folder, inputsFile, String(steps)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (python.status !== 0) throw new Error(`pytorch-reference.py failed:\n${python.stderr}`);
    const reference = JSON.parse(python.stdout) as { logits: number[]; samplesPerSecond: number; threads: number; torch: string };

    let maxDifference = 0;
    for (let i = 0; i < tfjsLogits.length; i++) maxDifference = Math.max(maxDifference, Math.abs(tfjsLogits[i] - reference.logits[i]));
    console.log(`largest absolute logit difference: ${maxDifference.toExponential(2)} (target < 1e-4)`);

    const optimizer = new AdamW(model.weights);
    const options = { learningRate: 2e-5, maxGradNorm: 1, dropoutSeed: 0 };
    await trainStep(model, optimizer, batch, options); // warm-up, not timed
    const start = process.hrtime.bigint();
    for (let step = 0; step < steps; step++) await trainStep(model, optimizer, batch, { ...options, dropoutSeed: step + 1 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const tfjsRate = (steps * batchSize) / seconds;

    console.log(`TF.js training:   ${tfjsRate.toFixed(2)} samples/s`);
    console.log(`PyTorch training: ${reference.samplesPerSecond.toFixed(2)} samples/s (torch ${reference.torch}, ${reference.threads} threads)`);
    console.log(`TF.js / PyTorch throughput: ${(tfjsRate / reference.samplesPerSecond).toFixed(3)}`);
    optimizer.dispose();
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    model.dispose();
  }
}

/** Builds a batch of random token ids with one padded row, as the trainer would. */
function makeBatch(vocabSize: number): Batch {
  const inputIds = new Int32Array(batchSize * seqLength);
  const attentionMask = new Int32Array(batchSize * seqLength);
  const labels = new Int32Array(batchSize);
  let state = 12345;
  for (let row = 0; row < batchSize; row++) {
    const length = row === batchSize - 1 ? seqLength - 10 : seqLength;
    labels[row] = row % numLabels;
    for (let position = 0; position < length; position++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      inputIds[row * seqLength + position] = position === 0 ? 101 : 1 + (state % (vocabSize - 1));
      attentionMask[row * seqLength + position] = 1;
    }
  }
  return { inputIds, attentionMask, labels, batchSize, seqLength };
}

async function logitsOf(model: BertForSequenceClassification, batch: Batch): Promise<Float32Array> {
  const tf = await import('@tensorflow/tfjs-core');
  const logits = tf.tidy(() =>
    model.logits(
      tf.tensor2d(batch.inputIds, [batch.batchSize, batch.seqLength], 'int32'),
      tf.tensor2d(batch.attentionMask, [batch.batchSize, batch.seqLength], 'float32'),
      undefined,
      { training: false },
    ),
  );
  const values = (await logits.data()) as Float32Array;
  logits.dispose();
  return values;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
