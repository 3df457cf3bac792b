// The `finetune` CLI and the trainer child process, run for real from the bundle (dist/trainer.js) on a
// copy of the sample project. `npm test` builds the bundle before the unit tests.
import * as assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildMessage, ParentMessage } from '../../../../src/shared/protocol/trainer';
import type { Evaluation, MetricsRecord } from '../../../../src/shared/run/types';

const repo = path.resolve(__dirname, '../../../..');
const cli = path.join(repo, 'bin', 'finetune.js');
const trainerBundle = path.join(repo, 'dist', 'trainer.js');
const sample = path.join(repo, 'examples', 'milk-tea');

function copySample(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'milk-tea-'));
  for (const name of fs.readdirSync(sample)) {
    if (name !== 'runs') fs.cpSync(path.join(sample, name), path.join(folder, name), { recursive: true });
  }
  return folder;
}

function runCli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FINETUNE_LOCALE: 'en' }, timeout: 10 * 60_000 });
}

function runFolders(project: string): string[] {
  const runs = path.join(project, 'runs');
  return fs.existsSync(runs) ? fs.readdirSync(runs).map((name) => path.join(runs, name)).sort() : [];
}

function metrics(runDir: string): MetricsRecord[] {
  return fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as MetricsRecord);
}

describe('finetune CLI', function () {
  this.timeout(10 * 60_000);
  let project: string;

  before(() => assert.ok(fs.existsSync(trainerBundle), `${trainerBundle} is missing: run "npm run build" before the tests`));
  beforeEach(() => (project = copySample()));
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  it('trains the sample project into a complete run folder', () => {
    const result = runCli(['train', 'finetune.json', '--epochs', '1'], project);
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /Test set: \d+ examples/);

    const [runDir] = runFolders(project);
    for (const file of ['finetune.json', 'run.json', 'split.csv', 'metrics.jsonl', 'train.log', 'evaluation.json', 'predictions.csv']) {
      assert.ok(fs.existsSync(path.join(runDir, file)), `${file} missing`);
    }
    for (const file of ['model.safetensors', 'optimizer.safetensors', 'state.json']) {
      assert.ok(fs.existsSync(path.join(runDir, 'checkpoint', file)), `checkpoint/${file} missing`);
    }
    for (const file of ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json']) {
      assert.ok(fs.existsSync(path.join(runDir, 'best', file)), `best/${file} missing`);
    }

    const config = JSON.parse(fs.readFileSync(path.join(runDir, 'best', 'config.json'), 'utf8'));
    assert.deepEqual(config.id2label, { 0: '差评', 1: '好评', 2: '中性' });
    assert.deepEqual(config.label2id, { 差评: 0, 好评: 1, 中性: 2 });

    const types = metrics(runDir).map((record) => record.type);
    assert.equal(types[0], 'start');
    assert.ok(types.includes('step'));
    assert.ok(types.includes('epoch'));
    assert.ok(types.includes('test'));
    assert.equal(types[types.length - 1], 'end');

    const evaluation = JSON.parse(fs.readFileSync(path.join(runDir, 'evaluation.json'), 'utf8')) as Evaluation;
    assert.ok(evaluation.accuracy >= 0);
    assert.ok(evaluation.accuracy <= 1);
    assert.deepEqual(evaluation.confusionMatrix.labels, ['差评', '好评', '中性']);
    assert.deepEqual(Object.keys(evaluation.perClass).sort(), ['中性', '好评', '差评'].sort());
    assert.equal(evaluation.target.metric, 'accuracy');
    assert.equal(typeof evaluation.target.met, 'boolean');
    const tested = evaluation.confusionMatrix.matrix.flat().reduce((a, b) => a + b, 0);
    assert.equal(tested, evaluation.examples);
    assert.equal(fs.readFileSync(path.join(runDir, 'predictions.csv'), 'utf8').trim().split('\n').length, evaluation.examples + 1);

    // A second run gets its own folder and leaves the first one alone.
    const firstEvaluation = fs.readFileSync(path.join(runDir, 'evaluation.json'), 'utf8');
    assert.equal(runCli(['train', 'finetune.json', '--epochs', '1'], project).status, 0);
    assert.equal(runFolders(project).length, 2);
    assert.equal(fs.readFileSync(path.join(runDir, 'evaluation.json'), 'utf8'), firstEvaluation);

    // `predict` labels new texts with the best model and rejects an empty one.
    const predicted = runCli(['predict', runDir, '珍珠奶茶很好喝，下次还来'], project);
    assert.equal(predicted.status, 0, predicted.stderr);
    assert.match(predicted.stdout, /^(差评|好评|中性)\t\d+\.\d%\t珍珠奶茶很好喝/m);
    assert.equal(runCli(['predict', runDir, '  '], project).status, 2);

    // `evaluate` scores the saved best model on the saved test split again, with the same result.
    const evaluated = runCli(['evaluate', runDir], project);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const again = JSON.parse(fs.readFileSync(path.join(runDir, 'evaluation.json'), 'utf8')) as Evaluation;
    assert.equal(again.accuracy, evaluation.accuracy);
    assert.deepEqual(again.confusionMatrix, evaluation.confusionMatrix);
  });

  it('exits 2 naming the row of a malformed record', () => {
    fs.appendFileSync(path.join(project, 'reviews.csv'), '"这一行的引号没有闭合,好评\n');
    const result = runCli(['train', 'finetune.json', '--epochs', '1'], project);
    assert.equal(result.status, 2, result.stdout + result.stderr);
    const rows = fs.readFileSync(path.join(project, 'reviews.csv'), 'utf8').trimEnd().split(/\r?\n/).length;
    assert.match(result.stderr, new RegExp(`\\b${rows}\\b`));
    assert.match(result.stderr, /reviews\.csv/);
  });

  it('exits 2 naming the field of an invalid setting', () => {
    const file = path.join(project, 'finetune.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.training = { ...json.training, learningRate: -1 };
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
    const result = runCli(['train', 'finetune.json'], project);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /training\.learningRate/);
  });

  it('exits 2 on an unknown backend name', () => {
    const result = runCli(['train', 'finetune.json', '--backend', 'gpu'], project);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--backend must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu/);
  });

  it('exits 2 on a finetune.json that is not UTF-8', () => {
    const file = path.join(project, 'finetune.json');
    const text = fs.readFileSync(file, 'utf8').replace('"milk-tea-reviews"', '"奶茶评价"');
    // "奶茶评价" in GBK: bytes that are not valid UTF-8.
    fs.writeFileSync(file, Buffer.concat([Buffer.from(text.slice(0, text.indexOf('奶茶评价')), 'utf8'), Buffer.from([0xc4, 0xcc, 0xb2, 0xe8, 0xc6, 0xc0, 0xbc, 0xdb]), Buffer.from(text.slice(text.indexOf('奶茶评价') + 4), 'utf8')]));
    const result = runCli(['train', 'finetune.json'], project);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /not saved as UTF-8/);
  });

  it('warns about a misspelt field', () => {
    const file = path.join(project, 'finetune.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.training = { ...json.training, learningrate: 0.01 };
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
    const result = runCli(['train', 'finetune.json', '--epochs', '1'], project);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /learningrate/);
    assert.match(result.stderr, /learningRate/);
  });

  it('rejects a second trainer on one run', () => {
    assert.equal(runCli(['train', 'finetune.json', '--epochs', '1'], project).status, 0);
    const [runDir] = runFolders(project);
    // This test process is alive, so its id in the lock stands for a trainer still at work.
    fs.writeFileSync(path.join(runDir, '.lock'), String(process.pid));
    const second = runCli(['train', '--resume', runDir], project);
    assert.equal(second.status, 2);
    assert.match(second.stderr, new RegExp(`process ${process.pid}`));
    fs.rmSync(path.join(runDir, '.lock'));

    // A finished run is not resumed again without more epochs.
    const finished = runCli(['train', '--resume', runDir], project);
    assert.equal(finished.status, 2);
    assert.match(finished.stderr, /already finished/);

    // The run still evaluates after the whole project folder moved.
    const moved = `${project}-moved`;
    fs.renameSync(project, moved);
    project = moved;
    const evaluated = runCli(['evaluate', path.join(moved, 'runs', path.basename(runDir))], moved);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    assert.match(evaluated.stdout, /Test set: \d+ examples/);
    assert.doesNotMatch(evaluated.stdout, /Training finished/);
  });

  it('speaks Chinese when the locale is zh-cn', () => {
    const result = spawnSync(process.execPath, [cli, 'train', 'missing.json'], { cwd: project, encoding: 'utf8', env: { ...process.env, FINETUNE_LOCALE: 'zh-cn' } });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /[\u4e00-\u9fff]/);
  });
});

describe('trainer child process', function () {
  this.timeout(10 * 60_000);
  let project: string;

  beforeEach(() => (project = copySample()));
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  /** Forks the trainer as the extension does and collects its messages until it exits. */
  function startTrainer(request: ParentMessage, onMessage: (message: ChildMessage, send: (m: ParentMessage) => void) => void) {
    const child = fork(trainerBundle, ['--child'], { env: { ...process.env, FINETUNE_LOCALE: 'en' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const messages: ChildMessage[] = [];
    const send = (message: ParentMessage) => child.connected && child.send(message);
    child.on('message', (message: ChildMessage) => {
      messages.push(message);
      if (message.type === 'ready') send(request);
      onMessage(message, send);
    });
    return new Promise<{ code: number | null; messages: ChildMessage[] }>((resolve) => child.on('exit', (code) => resolve({ code, messages })));
  }

  it('stops within a step on cancel and resumes from the checkpoint', async () => {
    const projectFile = path.join(project, 'finetune.json');
    let progressSeen = 0;
    const { code, messages } = await startTrainer({ type: 'train', projectFile, epochs: 3 }, (message, send) => {
      if (message.type === 'progress' && ++progressSeen === 2) send({ type: 'cancel' });
    });
    assert.equal(code, 0);
    const done = messages.find((message) => message.type === 'done');
    assert.ok(done, JSON.stringify(messages.slice(-3)));
    assert.ok(done.type === 'done');
    assert.equal(done.status, 'cancelled');
    const steps = messages.filter((message) => message.type === 'progress').length;
    assert.ok(done.cancelRequestedAtStep !== undefined);
    assert.ok(done.cancelRequestedAtStep >= 2);
    // The step running when the request arrived may finish; no other step may start.
    assert.ok(steps <= done.cancelRequestedAtStep + 1, `${steps} steps ran; the cancel arrived after step ${done.cancelRequestedAtStep}`);

    const state = JSON.parse(fs.readFileSync(path.join(done.runDir, 'checkpoint', 'state.json'), 'utf8'));
    assert.equal(state.step, steps);

    const resumed = runCli(['train', '--resume', done.runDir], project);
    assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
    const records = metrics(done.runDir);
    const starts = records.filter((record) => record.type === 'start');
    assert.equal(starts.length, 2);
    assert.equal(starts[1].type === 'start' && starts[1].resumedFromStep, steps);
    const stepNumbers = records.flatMap((record) => (record.type === 'step' ? [record.step] : []));
    assert.deepEqual(stepNumbers, stepNumbers.map((_, i) => i + 1), 'the resumed curve continues the interrupted one');
    assert.ok(fs.existsSync(path.join(done.runDir, 'evaluation.json')));
  });

  it('checkpoints and quits when the extension host goes away', async () => {
    const child = fork(trainerBundle, ['--child'], { env: { ...process.env, FINETUNE_LOCALE: 'en' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let runDir: string | undefined;
    let progress = 0;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') child.send({ type: 'train', projectFile: path.join(project, 'finetune.json'), epochs: 3 } satisfies ParentMessage);
      if (message.type === 'started') runDir = message.runDir;
      if (message.type === 'progress' && ++progress === 2) child.disconnect();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.ok(runDir);
    const state = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoint', 'state.json'), 'utf8'));
    assert.ok(state.step >= 2, `checkpoint at step ${state.step}`);
    const end = metrics(runDir).filter((record) => record.type === 'end').pop();
    assert.equal(end?.type === 'end' && end.status, 'cancelled');
    assert.ok(!fs.existsSync(path.join(runDir, '.lock')), 'the run lock is released');
  });

  it('reports bad input as an input error message', async () => {
    const { code, messages } = await startTrainer({ type: 'train', projectFile: path.join(project, 'nope.json') }, () => undefined);
    assert.equal(code, 2);
    const error = messages.find((message) => message.type === 'error');
    assert.ok(error);
    assert.ok(error.type === 'error');
    assert.equal(error.kind, 'input');
    assert.match(error.message, /nope\.json/);
  });
});
