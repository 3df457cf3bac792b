// A NaN loss stops the run at once with status "diverged" and keeps the last good checkpoint. The loss
// is made NaN through FINETUNE_FAULT_NAN_AT_STEP (src/trainer/train/faults.ts), because no valid
// learning rate makes the builtin model diverge reliably. Runs the real CLI from dist/trainer.js.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainingState } from '../../../../src/trainer/train/checkpoint';
import { readSafetensors } from '../../../../src/trainer/weights/safetensors';
import { createProject, readRecords, repoRoot, runFolders, type Fixture } from './projectFixture';

const cli = path.join(repoRoot, 'bin', 'finetune.js');
const trainerBundle = path.join(repoRoot, 'dist', 'trainer.js');

function trainWithNanAt(project: Fixture, step: number, locale = 'en') {
  return spawnSync(process.execPath, [cli, 'train', 'finetune.json'], {
    cwd: project.root,
    encoding: 'utf8',
    env: { ...process.env, FINETUNE_LOCALE: locale, FINETUNE_FAULT_NAN_AT_STEP: String(step) },
    timeout: 10 * 60_000,
  });
}

/** Names of the tensors in a safetensors file that hold a NaN or infinite value. */
function nonFiniteTensors(file: string): string[] {
  const names: string[] = [];
  for (const [name, tensor] of readSafetensors(file).tensors) {
    if (!(tensor.data as Float32Array).every(Number.isFinite)) names.push(name);
  }
  return names;
}

describe('NaN loss', function () {
  this.timeout(10 * 60_000);
  let project: Fixture;

  before(() => assert.ok(fs.existsSync(trainerBundle), `${trainerBundle} is missing: run "node scripts/build.mjs" before the tests`));
  beforeEach(() => {
    // 16 steps an epoch, a checkpoint every 4.
    project = createProject({ training: { epochs: 2, batchSize: 4, checkpointEverySteps: 4 } });
  });
  afterEach(() => project.remove());

  it('stops the run as diverged', () => {
    const result = trainWithNanAt(project, 7);
    assert.equal(result.status, 1, result.stderr + result.stdout);
    assert.match(result.stderr, /The loss became NaN at step 7/);
    assert.match(result.stderr, /Lower training\.learningRate/);

    const [runDir] = runFolders(project.root);
    const records = readRecords(runDir);
    const steps = records.flatMap((record) => (record.type === 'step' ? [record.step] : []));
    assert.deepEqual(steps, [1, 2, 3, 4, 5, 6], 'no step is logged after the NaN');
    const nan = records.find((record) => record.type === 'nan');
    assert.ok(nan?.type === 'nan');
    assert.equal(nan.step, 7);
    const end = records[records.length - 1];
    assert.ok(end.type === 'end');
    assert.equal(end.status, 'diverged');
    assert.ok(!records.some((record) => record.type === 'test' || record.type === 'epoch'));
    assert.ok(!fs.existsSync(path.join(runDir, 'evaluation.json')));
  });

  it('keeps the last good checkpoint', () => {
    assert.equal(trainWithNanAt(project, 7).status, 1);
    const [runDir] = runFolders(project.root);
    const state = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoint', 'state.json'), 'utf8')) as TrainingState;
    assert.equal(state.step, 4);
    assert.deepEqual(nonFiniteTensors(path.join(runDir, 'checkpoint', 'model.safetensors')), []);
    assert.deepEqual(nonFiniteTensors(path.join(runDir, 'checkpoint', 'optimizer.safetensors')), []);
  });

  it('keeps best/ from an earlier epoch', () => {
    // Step 20 is in the second epoch, after epoch 1 saved best/ and its end-of-epoch checkpoint.
    assert.equal(trainWithNanAt(project, 20).status, 1);
    const [runDir] = runFolders(project.root);
    const state = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoint', 'state.json'), 'utf8')) as TrainingState;
    assert.equal(state.step, 16);
    assert.equal(state.epoch, 1);
    assert.deepEqual(nonFiniteTensors(path.join(runDir, 'best', 'model.safetensors')), []);
    assert.deepEqual(nonFiniteTensors(path.join(runDir, 'checkpoint', 'model.safetensors')), []);
  });

  it('advice is in Chinese for zh-cn', () => {
    const result = trainWithNanAt(project, 2, 'zh-cn');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /training\.learningRate/);
    assert.match(result.stderr, /[\u4e00-\u9fff]/);
  });
});
