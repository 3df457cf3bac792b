// Resuming a run from its checkpoint gives the weights an uninterrupted run would have: same data order,
// dropout seeds, learning-rate schedule position and optimizer moments. The trainer runs in this process.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isUserInputError } from '../../../../src/shared/errors';
import type { StartRecord, StepRecord } from '../../../../src/shared/run/types';
import type { CancellationFlag, TrainingReporter } from '../../../../src/trainer/train/reporter';
import { linearWarmupDecay } from '../../../../src/trainer/train/schedule';
import { trainProject, type TrainOptions } from '../../../../src/trainer/train/trainProject';
import { readSafetensors } from '../../../../src/trainer/weights/safetensors';
import { createProject, readRecords, type Fixture } from './projectFixture';

/** Returns a reporter that logs nothing and sets `flag.cancelled` once the step `cancelAfterStep` returns is done. */
function quietReporter(flag: CancellationFlag, cancelAfterStep?: (totalSteps: number, epochs: number) => number): TrainingReporter {
  let cancelAt = Infinity;
  return {
    log: () => undefined,
    download: () => undefined,
    started: (info) => {
      if (cancelAfterStep) cancelAt = cancelAfterStep(info.totalSteps, info.epochs);
    },
    progress: (info) => {
      if (info.step === cancelAt) flag.cancelled = true;
    },
    epoch: () => undefined,
  };
}

async function train(options: TrainOptions, cancelAfterStep?: (totalSteps: number, epochs: number) => number) {
  const flag: CancellationFlag = { cancelled: false };
  return trainProject(options, quietReporter(flag, cancelAfterStep), flag);
}

/** Largest absolute difference between same-named tensors of two safetensors files. */
function maxDifference(fileA: string, fileB: string): number {
  const a = readSafetensors(fileA).tensors;
  const b = readSafetensors(fileB).tensors;
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  let largest = 0;
  for (const [name, tensor] of a) {
    const x = tensor.data as Float32Array;
    const y = b.get(name)!.data as Float32Array;
    for (let i = 0; i < x.length; i++) largest = Math.max(largest, Math.abs(x[i] - y[i]));
  }
  return largest;
}

function stepRecords(runDir: string): StepRecord[] {
  return readRecords(runDir).filter((record): record is StepRecord => record.type === 'step');
}

function startRecords(runDir: string): StartRecord[] {
  return readRecords(runDir).filter((record): record is StartRecord => record.type === 'start');
}

describe('resume', function () {
  this.timeout(10 * 60_000);
  let fixture: Fixture;

  beforeEach(() => {
    // Dropout and warmup are on, so dropout seeds and the schedule position must carry over too.
    fixture = createProject({ training: { epochs: 3, dropout: 0.1, warmupRatio: 0.2, learningRate: 1e-3 } });
  });
  afterEach(() => fixture.remove());

  it('cancel mid-epoch then resume matches a straight run', async () => {
    const straight = await train({ projectFile: fixture.projectFile });
    assert.equal(straight.status, 'completed');

    // Stop half-way through the second epoch, then resume without --epochs.
    const interrupted = await train({ projectFile: fixture.projectFile }, (totalSteps, epochs) => {
      const stepsPerEpoch = totalSteps / epochs;
      return stepsPerEpoch + Math.floor(stepsPerEpoch / 2);
    });
    assert.equal(interrupted.status, 'cancelled');
    assert.notEqual(interrupted.runDir, straight.runDir);
    const resumed = await train({ projectFile: '', resume: interrupted.runDir });
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.runDir, interrupted.runDir);

    // The wasm backend is deterministic on one thread, so the weights agree to the last bit. The
    // tolerance only leaves room for a backend that sums in another order.
    const tolerance = 1e-6;
    for (const file of ['checkpoint/model.safetensors', 'checkpoint/optimizer.safetensors', 'best/model.safetensors']) {
      const difference = maxDifference(path.join(straight.runDir, file), path.join(resumed.runDir, file));
      assert.ok(difference <= tolerance, `${file} differs by ${difference}`);
    }

    // The resumed steps repeat the straight run's losses and learning rates.
    const expected = new Map(stepRecords(straight.runDir).map((record) => [record.step, record]));
    const actual = stepRecords(resumed.runDir);
    assert.deepEqual(
      actual.map((record) => record.step),
      [...expected.keys()],
    );
    for (const record of actual) {
      assert.equal(record.learningRate, expected.get(record.step)!.learningRate, `learning rate at step ${record.step}`);
      assert.ok(Math.abs(record.loss - expected.get(record.step)!.loss) <= 1e-5, `loss at step ${record.step}`);
    }
    assert.deepEqual(resumed.evaluation?.confusionMatrix, straight.evaluation?.confusionMatrix);
  });

  it('resume keeps the epochs the run started with', async () => {
    const interrupted = await train({ projectFile: fixture.projectFile, epochs: 2 }, () => 2);
    assert.equal(interrupted.status, 'cancelled');
    const resumed = await train({ projectFile: '', resume: interrupted.runDir });
    assert.equal(resumed.status, 'completed');

    const [first, second] = startRecords(resumed.runDir);
    assert.equal(first.epochs, 2);
    assert.equal(second.epochs, 2);
    assert.equal(second.totalSteps, first.totalSteps);
    assert.equal(second.resumedFromStep, 2);
    const state = JSON.parse(fs.readFileSync(path.join(resumed.runDir, 'checkpoint', 'state.json'), 'utf8'));
    assert.equal(state.epoch, 2);
  });

  it('--epochs on resume extends the run', async () => {
    const first = await train({ projectFile: fixture.projectFile, epochs: 2 });
    assert.equal(first.status, 'completed');
    const extended = await train({ projectFile: '', resume: first.runDir, epochs: 3 });
    assert.equal(extended.status, 'completed');

    const starts = startRecords(first.runDir);
    assert.equal(starts.length, 2);
    const stepsPerEpoch = starts[0].totalSteps / 2;
    assert.equal(starts[1].epochs, 3);
    assert.equal(starts[1].totalSteps, 3 * stepsPerEpoch);
    assert.equal(starts[1].resumedFromStep, 2 * stepsPerEpoch);

    // The schedule is rebuilt for 3 epochs and continues at the step reached, where a 3-epoch run would
    // be. The first two epochs followed the 2-epoch schedule, so the weights differ from a 3-epoch run.
    const steps = stepRecords(first.runDir);
    assert.deepEqual(
      steps.map((record) => record.step),
      steps.map((_, i) => i + 1),
    );
    const project = JSON.parse(fs.readFileSync(path.join(first.runDir, 'finetune.json'), 'utf8'));
    const warmupSteps = Math.round(project.training.warmupRatio * 3 * stepsPerEpoch);
    const firstResumed = steps[2 * stepsPerEpoch];
    assert.equal(firstResumed.learningRate, linearWarmupDecay(2 * stepsPerEpoch, { peakLearningRate: project.training.learningRate, warmupSteps, totalSteps: 3 * stepsPerEpoch }));

    // The run folder's finetune.json keeps the epochs the run started with, and the checkpoint the new ones.
    assert.equal(project.training.epochs, 2);
    const state = JSON.parse(fs.readFileSync(path.join(first.runDir, 'checkpoint', 'state.json'), 'utf8'));
    assert.equal(state.epochs, 3);
    assert.equal(state.epoch, 3);
  });

  it('--epochs below the epochs done is rejected', async () => {
    const first = await train({ projectFile: fixture.projectFile, epochs: 2 });
    await assert.rejects(
      train({ projectFile: '', resume: first.runDir, epochs: 1 }),
      (error: Error) => isUserInputError(error) && /--epochs/.test(error.message) && /\b2\b/.test(error.message),
    );
  });

  it('resume rejects a changed data file', async () => {
    const interrupted = await train({ projectFile: fixture.projectFile }, () => 2);
    assert.equal(interrupted.status, 'cancelled');
    const data = path.join(fixture.root, 'reviews.csv');
    const lines = fs.readFileSync(data, 'utf8').trim().split('\n');
    fs.writeFileSync(data, lines.slice(0, -4).join('\n') + '\n');
    await assert.rejects(
      train({ projectFile: '', resume: interrupted.runDir }),
      (error: Error) => isUserInputError(error) && error.message.includes('reviews.csv'),
    );
  });
});
