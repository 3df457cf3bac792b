import * as assert from 'node:assert/strict';
import type { MetricsRecord } from '../../../src/shared/run/types';
import { appendMetricsText, emptyRunMetrics, estimateSecondsLeft, parseMetrics, toDashboardRun } from '../../../src/extension/panels/metricsSeries';

const start: MetricsRecord = {
  type: 'start',
  time: '2026-01-01T00:00:00Z',
  runId: 'r1',
  backend: 'wasm',
  device: 'CPU (1 thread)',
  examples: { train: 80, validation: 10, test: 10 },
  epochs: 2,
  batchSize: 8,
  totalSteps: 20,
};

function step(n: number, loss: number): MetricsRecord {
  return {
    type: 'step',
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, n * 2)).toISOString(),
    step: n,
    epoch: n / 10,
    loss,
    learningRate: 2e-5,
    gradNorm: 1,
    samplesPerSecond: 4,
    tokensPerSecond: 100,
  };
}

function epoch(n: number): MetricsRecord {
  return {
    type: 'epoch',
    time: '2026-01-01T00:01:00Z',
    epoch: n,
    step: n * 10,
    trainLoss: 0.5,
    trainAccuracy: 0.8,
    validationLoss: 0.6,
    validationAccuracy: 0.75,
    validationMacroF1: 0.7,
    best: true,
  };
}

function lines(records: MetricsRecord[]): string {
  return records.map((record) => JSON.stringify(record) + '\n').join('');
}

describe('metrics series', () => {
  it('parseMetrics sorts records by type', () => {
    const metrics = parseMetrics(lines([start, step(1, 1.1), step(2, 1.0), epoch(1)]));
    assert.equal(metrics.start?.backend, 'wasm');
    assert.equal(metrics.steps.length, 2);
    assert.equal(metrics.epochs.length, 1);
    assert.equal(metrics.end, undefined);
  });

  it('appendMetricsText completes a line split across reads', () => {
    const text = lines([start, step(1, 1.1)]);
    const metrics = emptyRunMetrics();
    appendMetricsText(metrics, text.slice(0, text.length - 20));
    assert.equal(metrics.steps.length, 0);
    appendMetricsText(metrics, text.slice(text.length - 20));
    assert.equal(metrics.steps.length, 1);
    assert.equal(metrics.skippedLines, 0);
  });

  it('parseMetrics counts malformed lines', () => {
    const metrics = parseMetrics('not json\n' + lines([step(1, 1)]) + '{"no":"type"}\n');
    assert.equal(metrics.skippedLines, 2);
    assert.equal(metrics.steps.length, 1);
  });

  it('a resumed start drops the replayed steps', () => {
    const resumed: MetricsRecord = { ...start, resumedFromStep: 2 };
    const metrics = parseMetrics(lines([start, step(1, 1), step(2, 0.9), step(3, 0.8), resumed, step(3, 0.7)]));
    assert.deepEqual(metrics.steps.map((record) => record.loss), [1, 0.9, 0.7]);
  });

  it('a NaN record keeps its first step', () => {
    const metrics = parseMetrics(lines([step(1, 1), { type: 'nan', time: '', step: 5, epoch: 0.5 }, { type: 'nan', time: '', step: 6, epoch: 0.6 }]));
    assert.equal(metrics.nanStep, 5);
  });

  it('toDashboardRun shapes a running run', () => {
    const metrics = parseMetrics(lines([start, step(1, 1.1), step(2, 1.0), step(3, 0.9), epoch(1)]));
    const run = toDashboardRun('/runs/a', 'a', metrics, 0.9);
    assert.equal(run.status, 'running');
    assert.equal(run.step, 3);
    assert.equal(run.totalSteps, 20);
    assert.equal(run.samplesPerSecond, 4);
    // Two seconds per step, 17 steps left.
    assert.equal(run.secondsLeft, 34);
    assert.deepEqual(run.steps.map((point) => point.loss), [1.1, 1.0, 0.9]);
    assert.equal(run.epochs[0].validationAccuracy, 0.75);
    assert.equal(run.targetAccuracy, 0.9);
  });

  it('toDashboardRun shapes a finished run', () => {
    const end: MetricsRecord = { type: 'end', time: '', status: 'completed', step: 20, peakMemoryBytes: 1 };
    const test: MetricsRecord = { type: 'test', time: '', accuracy: 0.91, macroF1: 0.9 };
    const run = toDashboardRun('/runs/a', 'a', parseMetrics(lines([start, step(1, 1), step(2, 1), test, end])));
    assert.equal(run.status, 'completed');
    assert.equal(run.secondsLeft, undefined);
    assert.deepEqual(run.test, { accuracy: 0.91, macroF1: 0.9 });
  });

  it('estimateSecondsLeft needs two steps and a total', () => {
    const records = parseMetrics(lines([step(1, 1), step(2, 1)])).steps;
    assert.equal(estimateSecondsLeft(records.slice(0, 1), 10), undefined);
    assert.equal(estimateSecondsLeft(records, undefined), undefined);
    assert.equal(estimateSecondsLeft(records, 10), 16);
  });
});
