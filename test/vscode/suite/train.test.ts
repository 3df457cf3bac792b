import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import * as vscode from 'vscode';
import type { Evaluation, MetricsRecord } from '../../../src/shared/run/types';
import { trainSampleOnce, trainingTimeoutMs, type TrainResult } from '../helpers';

describe('finetune.train', function () {
  this.timeout(trainingTimeoutMs);

  let projectFile: string;
  let result: TrainResult | undefined;

  before(async () => {
    ({ projectFile, result } = await trainSampleOnce());
  });

  it('resolves with the run folder and status', () => {
    assert.ok(result, 'finetune.train resolved to nothing');
    assert.equal(typeof result.runDir, 'string');
    assert.ok(['completed', 'early-stopped'].includes(result.status), `status is ${result.status}`);
  });

  it('writes the run folder next to finetune.json', () => {
    assert.ok(result);
    const project = parseJsonc(fs.readFileSync(projectFile, 'utf8')) as { output?: string };
    const runsFolder = path.resolve(path.dirname(projectFile), project.output ?? 'runs');
    assert.equal(path.dirname(result.runDir), runsFolder);
    assert.match(path.basename(result.runDir), /^\d{4}.*-.+$/, 'expected runs/<timestamp>-<name>/');
    assert.ok(fs.statSync(result.runDir).isDirectory());
  });

  it('writes metrics.jsonl from start to end', () => {
    assert.ok(result);
    const lines = fs.readFileSync(path.join(result.runDir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean);
    const records = lines.map((line) => JSON.parse(line) as MetricsRecord);
    const types = records.map((record) => record.type);

    assert.equal(types[0], 'start');
    assert.ok(types.includes('epoch'), `no epoch record in ${types.join(', ')}`);
    assert.ok(types.includes('test'), `no test record in ${types.join(', ')}`);
    const end = records[records.length - 1];
    assert.equal(end.type, 'end');
    assert.equal(end.type === 'end' && end.status, result.status);
  });

  it('writes evaluation.json for the test split', () => {
    assert.ok(result);
    const evaluation = JSON.parse(fs.readFileSync(path.join(result.runDir, 'evaluation.json'), 'utf8')) as Evaluation;
    const project = parseJsonc(fs.readFileSync(projectFile, 'utf8')) as { labels?: Record<string, number> };

    assert.equal(evaluation.split, 'test');
    assert.ok(evaluation.examples > 0);
    assert.ok(evaluation.accuracy >= 0, `accuracy ${evaluation.accuracy}`);
    assert.ok(evaluation.accuracy <= 1, `accuracy ${evaluation.accuracy}`);
    assert.deepEqual([...evaluation.confusionMatrix.labels].sort(), Object.keys(project.labels ?? {}).sort());
    console.log(`      test accuracy after 1 epoch: ${evaluation.accuracy.toFixed(3)} on ${evaluation.examples} examples`);
  });

  it('trains an explicit projectFile into a new run', async () => {
    assert.ok(result);
    const firstEvaluation = fs.readFileSync(path.join(result.runDir, 'evaluation.json'), 'utf8');

    const second = await vscode.commands.executeCommand<TrainResult>('finetune.train', { projectFile, epochs: 1 });

    assert.ok(second, 'finetune.train resolved to nothing');
    assert.notEqual(second.runDir, result.runDir);
    assert.equal(path.dirname(second.runDir), path.dirname(result.runDir));
    assert.ok(fs.existsSync(path.join(second.runDir, 'evaluation.json')));
    assert.equal(fs.readFileSync(path.join(result.runDir, 'evaluation.json'), 'utf8'), firstEvaluation, 'the second run changed the first');
  });

  it('saves the best model', () => {
    assert.ok(result);
    const best = path.join(result.runDir, 'best');
    assert.ok(fs.statSync(best).isDirectory(), `${best} is missing`);
    assert.ok(fs.existsSync(path.join(best, 'config.json')), 'best/ has no config.json (Hugging Face layout)');
  });
});
