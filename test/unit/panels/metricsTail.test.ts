import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MetricsTail, metricsFileName } from '../../../src/extension/panels/metricsTail';

function stepLine(step: number): string {
  return JSON.stringify({ type: 'step', time: '2026-01-01T00:00:00Z', step, epoch: step / 10, loss: 1, learningRate: 2e-5, gradNorm: 1, samplesPerSecond: 8, tokensPerSecond: 1 }) + '\n';
}

describe('metrics tail', () => {
  let runDir: string;

  beforeEach(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-tail-'));
  });

  afterEach(() => {
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  it('reads nothing before the file exists', () => {
    const tail = new MetricsTail(runDir);
    assert.equal(tail.read(), false);
    assert.equal(tail.metrics.steps.length, 0);
  });

  it('reads only appended records', () => {
    const file = path.join(runDir, metricsFileName);
    fs.writeFileSync(file, stepLine(1));
    const tail = new MetricsTail(runDir);
    assert.equal(tail.read(), true);
    assert.equal(tail.metrics.steps.length, 1);

    fs.appendFileSync(file, stepLine(2));
    assert.equal(tail.read(), true);
    assert.deepEqual(tail.metrics.steps.map((step) => step.step), [1, 2]);
    assert.equal(tail.read(), false);
  });

  it('joins a character split across reads', () => {
    const file = path.join(runDir, metricsFileName);
    const line = Buffer.from(JSON.stringify({ type: 'end', time: '', status: 'failed', step: 1, peakMemoryBytes: 0, message: '显存不足' }) + '\n');
    // Cut inside the three UTF-8 bytes of 显.
    const cut = line.indexOf(Buffer.from('显')) + 1;
    fs.writeFileSync(file, line.subarray(0, cut));
    const tail = new MetricsTail(runDir);
    tail.read();
    assert.equal(tail.finished, false);

    fs.appendFileSync(file, line.subarray(cut));
    tail.read();
    assert.equal(tail.finished, true);
    assert.equal(tail.metrics.end?.message, '显存不足');
  });
});
