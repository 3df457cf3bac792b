// The memory estimate against measured peaks on the wasm backend, the rejection of a run that cannot fit,
// and the peak memory a run reports.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { isUserInputError, type UserInputError } from '../../../../src/shared/errors';
import { initL10n } from '../../../../src/shared/l10n';
import { selectBackend } from '../../../../src/trainer/backend/select';
import { makeBertConfig } from '../../../../src/trainer/models/bert/config';
import { BertForSequenceClassification } from '../../../../src/trainer/models/bert/model';
import { AdamW } from '../../../../src/trainer/train/adamw';
import { assessTrainingMemory, estimateTrainingMemory, OPTIMIZER_FLOATS_PER_PARAMETER, WASM_MEMORY_LIMIT_BYTES, type MemoryRun } from '../../../../src/trainer/train/memory';
import type { CancellationFlag } from '../../../../src/trainer/train/reporter';
import { predict, trainStep, type Batch } from '../../../../src/trainer/train/step';
import { trainProject } from '../../../../src/trainer/train/trainProject';
import { createProject, readRecords } from './projectFixture';

const config = makeBertConfig({
  vocab_size: 2000,
  hidden_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 256,
  max_position_embeddings: 64,
  id2label: { '0': 'a', '1': 'b' },
  label2id: { a: 0, b: 1 },
});

function batchOf(batchSize: number, seqLength: number): Batch {
  const inputIds = new Int32Array(batchSize * seqLength).map((_, i) => 100 + ((i * 7919) % 1800));
  const labels = new Int32Array(batchSize).map((_, i) => i % 2);
  return { inputIds, attentionMask: new Int32Array(batchSize * seqLength).fill(1), labels, batchSize, seqLength };
}

function shapeOf(model: BertForSequenceClassification, batchSize: number, seqLength: number) {
  let parameters = 0;
  for (const weight of model.weights.values()) parameters += weight.size;
  return { parameters, hiddenSize: 64, intermediateSize: 256, layers: 2, heads: 2, batchSize, seqLength };
}

function wasmRun(batchSize: number, seqLength: number): MemoryRun {
  return { batchSize, seqLength, maxLength: seqLength, backend: 'wasm', projectFile: '/project/finetune.json' };
}

function assertWithin(actual: number, expected: number, fraction: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= fraction * expected, `${label}: estimated ${actual}, measured ${expected}`);
}

describe('memory estimate', function () {
  this.timeout(10 * 60_000);
  let model: BertForSequenceClassification;

  before(async () => {
    await selectBackend('wasm');
    model = new BertForSequenceClassification(config, 2, { seed: 1 });
  });
  after(() => model.dispose());

  /** Peak tensor bytes of a model and its optimizer during one training step, measured by tf.profile. */
  async function measureTrainingPeak(batch: Batch): Promise<number> {
    const before = tf.memory().numBytes;
    const trained = new BertForSequenceClassification(config, 2, { seed: 1 });
    const optimizer = new AdamW(trained.weights);
    const options = { learningRate: 1e-3, maxGradNorm: 1, dropoutSeed: 1 };
    await trainStep(trained, optimizer, batch, options);
    const profile = await tf.profile(async () => {
      await trainStep(trained, optimizer, batch, options);
    });
    optimizer.dispose();
    trained.dispose();
    return profile.peakBytes - before;
  }

  it('training step matches the activation peak', async () => {
    const measured = await measureTrainingPeak(batchOf(16, 32));
    const estimate = estimateTrainingMemory(shapeOf(model, 16, 32));
    assert.ok(estimate.trainingBytes > 4 * OPTIMIZER_FLOATS_PER_PARAMETER * shapeOf(model, 16, 32).parameters, 'this batch peaks while activations are alive');
    assertWithin(estimate.trainingBytes, measured, 0.1, 'training');
  });

  it('training step at batch 1 matches its peak', async () => {
    const measured = await measureTrainingPeak(batchOf(1, 4));
    assertWithin(estimateTrainingMemory(shapeOf(model, 1, 4)).trainingBytes, measured, 0.1, 'training');
  });

  it('evaluation batch matches its peak', async () => {
    const before = tf.memory().numBytes - 4 * shapeOf(model, 1, 1).parameters;
    const profile = await tf.profile(async () => {
      await predict(model, batchOf(64, 32));
    });
    assertWithin(estimateTrainingMemory(shapeOf(model, 64, 32)).evaluationBytes, profile.peakBytes - before, 0.1, 'evaluation');
  });

  it('rejects a batch beyond the wasm memory', () => {
    assert.throws(
      () => assessTrainingMemory(model, wasmRun(512, 512)),
      (error: UserInputError) => {
        assert.ok(isUserInputError(error));
        assert.equal(error.location.field, 'training.batchSize');
        assert.equal(error.location.file, '/project/finetune.json');
        assert.match(error.message, /training\.batchSize \(now 512\)/);
        assert.match(error.message, /model\.maxLength \(now 512\)/);
        assert.match(error.message, /wasm/);
        return true;
      },
    );
  });

  it('warns close to the wasm limit', () => {
    let batchSize = 1;
    while (estimateTrainingMemory(shapeOf(model, batchSize, 256)).peakBytes < 0.9 * WASM_MEMORY_LIMIT_BYTES) batchSize++;
    const assessment = assessTrainingMemory(model, wasmRun(batchSize, 256));
    assert.equal(assessment.level, 'warn');
    assert.match(assessment.message, /may run out/);
  });

  it('logs the estimate when it fits', () => {
    const assessment = assessTrainingMemory(model, wasmRun(32, 64));
    assert.equal(assessment.level, 'info');
    assert.equal(assessment.limitBytes, 2 ** 32);
    assert.match(assessment.message, /^Estimated memory for training: 0\.\d\d GB of 4\.00 GB/);
  });

  it('other backends compare with the machine', () => {
    const run: MemoryRun = { ...wasmRun(32, 64), backend: 'cpu' };
    const needed = estimateTrainingMemory(shapeOf(model, 32, 64)).peakBytes;
    assert.equal(assessTrainingMemory(model, run, 100 * needed, 0).level, 'info');
    assert.throws(() => assessTrainingMemory(model, run, needed, needed / 2), /this machine has left/);
  });

  it('rejection speaks Chinese for zh-cn', () => {
    initL10n('zh-cn');
    try {
      assert.throws(() => assessTrainingMemory(model, wasmRun(512, 512)), /[\u4e00-\u9fff].*training\.batchSize/);
    } finally {
      initL10n('en');
    }
  });
});

describe('training memory check', function () {
  this.timeout(10 * 60_000);

  it('rejects the run before its first step', async () => {
    // Batches of 1024 short reviews need about 7 GB on the builtin model, beyond the wasm memory.
    const fixture = createProject({ training: { epochs: 1, batchSize: 1024 } });
    try {
      const flag: CancellationFlag = { cancelled: false };
      const reporter = { log: () => undefined, started: () => undefined, progress: () => undefined, download: () => undefined, epoch: () => undefined };
      await assert.rejects(trainProject({ projectFile: fixture.projectFile }, reporter, flag), (error: UserInputError) => {
        assert.ok(isUserInputError(error));
        assert.equal(error.location.field, 'training.batchSize');
        assert.equal(error.location.file, fixture.projectFile);
        return true;
      });
      const runs = path.join(fixture.root, 'runs');
      const started = fs.existsSync(runs) ? fs.readdirSync(runs).filter((name) => fs.existsSync(path.join(runs, name, 'metrics.jsonl'))) : [];
      assert.deepEqual(started, [], 'no run started training');
    } finally {
      fixture.remove();
    }
  });
});

describe('peak memory report', function () {
  this.timeout(10 * 60_000);

  it('end record and log carry the peak', async () => {
    const fixture = createProject({ training: { epochs: 1 } });
    try {
      const flag: CancellationFlag = { cancelled: false };
      const logs: string[] = [];
      const reporter = { log: (_level: string, message: string) => logs.push(message), started: () => undefined, progress: () => undefined, download: () => undefined, epoch: () => undefined };
      const result = await trainProject({ projectFile: fixture.projectFile }, reporter, flag);
      assert.equal(result.status, 'completed');

      const end = readRecords(result.runDir).at(-1);
      assert.ok(end?.type === 'end');
      const estimated = logs.find((message) => message.startsWith('Estimated memory for training:'));
      assert.ok(estimated, logs.join('\n'));
      const log = fs.readFileSync(path.join(result.runDir, 'train.log'), 'utf8');
      assert.match(log, new RegExp(`Peak memory: ${Math.round(end.peakMemoryBytes / 2 ** 20)} MB`));
      // The resident set contains the wasm memory, which contains every tensor, so it exceeds the estimate.
      const estimatedGb = Number(/([\d.]+) GB of/.exec(estimated)![1]);
      assert.ok(end.peakMemoryBytes > estimatedGb * 2 ** 30, `peak ${end.peakMemoryBytes} bytes, estimate ${estimatedGb} GB`);
    } finally {
      fixture.remove();
    }
  });
});
