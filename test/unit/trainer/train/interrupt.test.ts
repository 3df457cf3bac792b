// A trainer killed with SIGKILL mid-epoch resumes from its last checkpoint: the real CLI from
// dist/trainer.js (built by `node scripts/build.mjs`), and checkpoint writes cut at each point of the swap.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { MetricsRecord, StartRecord, StepRecord } from '../../../../src/shared/run/types';
import { selectBackend } from '../../../../src/trainer/backend/select';
import { makeBertConfig } from '../../../../src/trainer/models/bert/config';
import { BertForSequenceClassification } from '../../../../src/trainer/models/bert/model';
import { AdamW } from '../../../../src/trainer/train/adamw';
import { restoreCheckpoint, saveCheckpoint, type TrainingState } from '../../../../src/trainer/train/checkpoint';
import { readSafetensors } from '../../../../src/trainer/weights/safetensors';
import { createProject, repoRoot, runFolders, type Fixture } from './projectFixture';

const cli = path.join(repoRoot, 'bin', 'finetune.js');
const trainerBundle = path.join(repoRoot, 'dist', 'trainer.js');
const CHECKPOINT_EVERY_STEPS = 6;

function runCli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FINETUNE_LOCALE: 'en' }, timeout: 10 * 60_000 });
}

/** Parses metrics.jsonl, skipping a last line cut short by the kill. */
function parseRecords(file: string): MetricsRecord[] {
  if (!fs.existsSync(file)) return [];
  const records: MetricsRecord[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    try {
      records.push(JSON.parse(line) as MetricsRecord);
    } catch {
      // An empty or partial line.
    }
  }
  return records;
}

/**
 * Returns the step records a reader draws: a start record with resumedFromStep S replaces every earlier step record
 * past S, which the interrupted process wrote after its last checkpoint.
 */
function currentSteps(records: MetricsRecord[]): StepRecord[] {
  let steps: StepRecord[] = [];
  for (const record of records) {
    if (record.type === 'start' && record.resumedFromStep !== undefined) {
      const from = record.resumedFromStep;
      steps = steps.filter((step) => step.step <= from);
    }
    if (record.type === 'step') steps.push(record);
  }
  return steps;
}

/**
 * Starts `finetune train`, freezes it with SIGSTOP once it has logged `stopAtStep` steps, and kills it
 * with SIGKILL. Freezing first makes the files on disk the exact state the kill leaves behind.
 */
async function trainAndKill(project: Fixture, stopAtStep: number): Promise<string> {
  const child = spawn(process.execPath, [cli, 'train', 'finetune.json'], { cwd: project.root, env: { ...process.env, FINETUNE_LOCALE: 'en' }, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let runDir: string | undefined;
  while (child.exitCode === null) {
    runDir ??= runFolders(project.root)[0];
    const steps = runDir ? parseRecords(path.join(runDir, 'metrics.jsonl')).filter((record) => record.type === 'step') : [];
    if (steps.length >= stopAtStep) {
      child.kill('SIGSTOP');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(runDir, 'the trainer created no run folder');
  assert.equal(child.exitCode, null, 'the trainer finished before it could be killed');
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  return runDir;
}

describe('interrupted training', function () {
  this.timeout(10 * 60_000);
  let project: Fixture;

  before(() => assert.ok(fs.existsSync(trainerBundle), `${trainerBundle} is missing: run "node scripts/build.mjs" before the tests`));
  beforeEach(() => {
    // Batches of 4 give 16 steps an epoch. The kill lands mid-epoch, one step past the checkpoint of step
    // 6, and the trainer would have to run five more steps before the kill for the next checkpoint.
    project = createProject({ training: { epochs: 2, batchSize: 4, checkpointEverySteps: CHECKPOINT_EVERY_STEPS, dropout: 0.1 } });
  });
  afterEach(() => project.remove());

  it('SIGKILL mid-epoch resumes from the checkpoint', async () => {
    const runDir = await trainAndKill(project, CHECKPOINT_EVERY_STEPS + 1);
    const metricsFile = path.join(runDir, 'metrics.jsonl');
    const killedAt = Math.max(...parseRecords(metricsFile).flatMap((record) => (record.type === 'step' ? [record.step] : [])));
    const state = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoint', 'state.json'), 'utf8')) as TrainingState;
    assert.ok(state.step > 0, 'no checkpoint before the kill');
    assert.equal(state.step % CHECKPOINT_EVERY_STEPS, 0, `checkpoint at step ${state.step}`);
    assert.ok(killedAt > state.step, `killed at step ${killedAt}, which is the checkpoint's step: no step was lost`);
    assert.ok(killedAt - state.step <= CHECKPOINT_EVERY_STEPS, `${killedAt - state.step} steps lost`);
    assert.equal(state.epoch, 0, 'the kill landed in the first epoch');

    const resumed = runCli(['train', '--resume', runDir], project.root);
    assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
    assert.ok(fs.existsSync(path.join(runDir, 'evaluation.json')));

    const records = parseRecords(metricsFile);
    const starts = records.filter((record): record is StartRecord => record.type === 'start');
    assert.equal(starts.length, 2);
    assert.equal(starts[1].resumedFromStep, state.step);
    const end = records[records.length - 1];
    assert.ok(end.type === 'end', JSON.stringify(end));
    assert.equal(end.status, 'completed');
    assert.equal(end.step, starts[0].totalSteps);

    // The records the killed process wrote past its checkpoint stay in the file, and readers drop them.
    const resumeIndex = records.indexOf(starts[1]);
    const superseded = records.slice(0, resumeIndex).filter((record) => record.type === 'step' && record.step > state.step);
    assert.equal(superseded.length, killedAt - state.step);
    const steps = currentSteps(records);
    assert.deepEqual(
      steps.map((record) => record.step),
      steps.map((_, i) => i + 1),
    );
    assert.ok(steps.slice(state.step).every((record) => records.indexOf(record) > resumeIndex));

    // The resumed run ends with the weights of a run that was never killed.
    const straight = runCli(['train', 'finetune.json'], project.root);
    assert.equal(straight.status, 0, straight.stderr);
    const straightDir = runFolders(project.root).find((folder) => folder !== runDir)!;
    const expected = readSafetensors(path.join(straightDir, 'checkpoint', 'model.safetensors')).tensors;
    const actual = readSafetensors(path.join(runDir, 'checkpoint', 'model.safetensors')).tensors;
    for (const [name, tensor] of expected) {
      assert.deepEqual(actual.get(name)?.data, tensor.data, name);
    }
  });
});

describe('checkpoint swap', () => {
  const config = makeBertConfig({
    vocab_size: 24,
    hidden_size: 8,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 16,
    max_position_embeddings: 8,
    id2label: { '0': 'a', '1': 'b' },
    label2id: { a: 0, b: 1 },
  });
  const state = (step: number): TrainingState => ({
    epochs: 3,
    step,
    epoch: 0,
    batchInEpoch: step,
    bestScore: -Infinity,
    bestLoss: Infinity,
    bestEpoch: 0,
    epochsWithoutImprovement: 0,
  });
  let runDir: string;
  let model: BertForSequenceClassification;
  let optimizer: AdamW;

  before(async () => {
    await selectBackend('wasm');
  });
  beforeEach(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoint-'));
    model = new BertForSequenceClassification(config, 2, { seed: 1 });
    optimizer = new AdamW(model.weights);
  });
  afterEach(() => {
    optimizer.dispose();
    model.dispose();
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  it('crash between the renames keeps the previous', () => {
    saveCheckpoint(runDir, model, optimizer, state(4));
    // The state a kill leaves between "checkpoint -> checkpoint.previous" and "partial -> checkpoint".
    fs.renameSync(path.join(runDir, 'checkpoint'), path.join(runDir, 'checkpoint.previous'));
    fs.mkdirSync(path.join(runDir, 'checkpoint.partial'));
    assert.equal(restoreCheckpoint(runDir, model, optimizer).step, 4);

    // The next save must not delete the only checkpoint before the new one is in place.
    saveCheckpoint(runDir, model, optimizer, state(8));
    assert.equal(restoreCheckpoint(runDir, model, optimizer).step, 8);
    assert.deepEqual(fs.readdirSync(runDir), ['checkpoint']);
  });

  it('crash mid-write keeps the last checkpoint', () => {
    saveCheckpoint(runDir, model, optimizer, state(4));
    fs.mkdirSync(path.join(runDir, 'checkpoint.partial'));
    fs.writeFileSync(path.join(runDir, 'checkpoint.partial', 'model.safetensors'), 'cut short');
    assert.equal(restoreCheckpoint(runDir, model, optimizer).step, 4);
  });

  it('NaN weights are never written', () => {
    saveCheckpoint(runDir, model, optimizer, state(4));
    const [name, first] = [...model.weights][0];
    tf.tidy(() => first.assign(tf.fill(first.shape, NaN)));
    assert.throws(() => saveCheckpoint(runDir, model, optimizer, state(8)), new RegExp(name.replace(/\./g, '\\.')));
    assert.equal(restoreCheckpoint(runDir, model, optimizer).step, 4);
    const saved = readSafetensors(path.join(runDir, 'checkpoint', 'model.safetensors')).tensors.get(name)!;
    assert.ok((saved.data as Float32Array).every(Number.isFinite));
  });
});
