// Early stopping on the validation score. A learning rate of 1e-12 is below float32 resolution for the
// builtin model's weights, so they never change and the validation score cannot improve after epoch 1.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EpochRecord } from '../../../../src/shared/run/types';
import type { CancellationFlag, TrainingReporter } from '../../../../src/trainer/train/reporter';
import { trainProject } from '../../../../src/trainer/train/trainProject';
import { createProject, readRecords, type Fixture } from './projectFixture';

const frozenWeights = { learningRate: 1e-12, warmupRatio: 0 };

function quietReporter(logs: string[]): TrainingReporter {
  return { log: (_level, message) => logs.push(message), started: () => undefined, progress: () => undefined, download: () => undefined, epoch: () => undefined };
}

async function train(fixture: Fixture, logs: string[] = []) {
  const flag: CancellationFlag = { cancelled: false };
  return trainProject({ projectFile: fixture.projectFile }, quietReporter(logs), flag);
}

function epochRecords(runDir: string): EpochRecord[] {
  return readRecords(runDir).filter((record): record is EpochRecord => record.type === 'epoch');
}

describe('early stopping', function () {
  this.timeout(10 * 60_000);
  let fixture: Fixture | undefined;

  afterEach(() => fixture?.remove());

  it('patience 1 stops after one flat epoch', async () => {
    fixture = createProject({ training: { ...frozenWeights, epochs: 4, earlyStoppingPatience: 1 } });
    const logs: string[] = [];
    const result = await train(fixture, logs);
    assert.equal(result.status, 'early-stopped');

    const epochs = epochRecords(result.runDir);
    assert.deepEqual(
      epochs.map((record) => record.best),
      [true, false],
    );
    assert.equal(epochs[1].validationAccuracy, epochs[0].validationAccuracy);
    assert.ok(logs.some((message) => /stopping early\. The best model is from epoch 1\./.test(message)), logs.join('\n'));

    // The test evaluation still runs, on best/.
    assert.ok(result.evaluation);
    assert.ok(fs.existsSync(path.join(result.runDir, 'evaluation.json')));
    assert.ok(fs.existsSync(path.join(result.runDir, 'best', 'model.safetensors')));
    const records = readRecords(result.runDir);
    assert.ok(records.some((record) => record.type === 'test'));
    const end = records[records.length - 1];
    assert.ok(end.type === 'end');
    assert.equal(end.status, 'early-stopped');
    const state = JSON.parse(fs.readFileSync(path.join(result.runDir, 'checkpoint', 'state.json'), 'utf8'));
    assert.equal(state.epochsWithoutImprovement, 1);
    assert.equal(state.bestEpoch, 1);
  });

  it('patience 0 trains every epoch', async () => {
    fixture = createProject({ training: { ...frozenWeights, epochs: 3, earlyStoppingPatience: 0 } });
    const result = await train(fixture);
    assert.equal(result.status, 'completed');
    assert.equal(epochRecords(result.runDir).length, 3);
  });

  it('patience reached in the last epoch completes', async () => {
    fixture = createProject({ training: { ...frozenWeights, epochs: 2, earlyStoppingPatience: 1 } });
    const result = await train(fixture);
    assert.equal(result.status, 'completed');
    assert.equal(epochRecords(result.runDir).length, 2);
  });
});
