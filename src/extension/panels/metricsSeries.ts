// Reads metrics.jsonl into the series the dashboard draws. Pure: no vscode import, so unit tests run it.
// The file may be read while the trainer appends to it, so a partial last line is kept for the next read.

import type { EndRecord, EpochRecord, MetricsRecord, StartRecord, StepRecord, TestRecord } from '../../shared/run/types';
import type { DashboardRun } from '../../shared/protocol/webview';

export interface RunMetrics {
  start?: StartRecord;
  steps: StepRecord[];
  epochs: EpochRecord[];
  /** Step of the first NaN loss. */
  nanStep?: number;
  test?: TestRecord;
  end?: EndRecord;
  /** Text after the last newline, not yet a complete record. */
  pending: string;
  /** Lines that were not valid JSON records. */
  skippedLines: number;
}

/** Step records used to estimate throughput and time left. */
export const RATE_WINDOW_STEPS = 20;

export function emptyRunMetrics(): RunMetrics {
  return { steps: [], epochs: [], pending: '', skippedLines: 0 };
}

/** Parses a whole metrics.jsonl text. */
export function parseMetrics(text: string): RunMetrics {
  const metrics = emptyRunMetrics();
  appendMetricsText(metrics, text);
  return metrics;
}

/**
 * Adds newly appended text of metrics.jsonl to `metrics`. A line without its newline yet is kept in
 * `pending` and completed by the next call.
 */
export function appendMetricsText(metrics: RunMetrics, chunk: string): void {
  const text = metrics.pending + chunk;
  const lines = text.split('\n');
  metrics.pending = lines.pop() ?? '';
  for (const line of lines) {
    if (line.trim() === '') continue;
    const record = parseRecord(line);
    if (record) addRecord(metrics, record);
    else metrics.skippedLines++;
  }
}

function parseRecord(line: string): MetricsRecord | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string') {
      return value as MetricsRecord;
    }
  } catch {
    // Counted as skipped by the caller.
  }
  return undefined;
}

function addRecord(metrics: RunMetrics, record: MetricsRecord): void {
  switch (record.type) {
    case 'start':
      // A resumed start replays the steps after its checkpoint, so drop what the interrupted start
      // logged past that point.
      if (record.resumedFromStep !== undefined) {
        const from = record.resumedFromStep;
        metrics.steps = metrics.steps.filter((step) => step.step <= from);
        metrics.epochs = metrics.epochs.filter((epoch) => epoch.step <= from);
        metrics.end = undefined;
      }
      metrics.start = record;
      break;
    case 'step':
      metrics.steps.push(record);
      break;
    case 'epoch':
      metrics.epochs.push(record);
      break;
    case 'nan':
      metrics.nanStep ??= record.step;
      break;
    case 'test':
      metrics.test = record;
      break;
    case 'end':
      metrics.end = record;
      break;
  }
}

/** Shapes one run's metrics for the dashboard. */
export function toDashboardRun(runDir: string, name: string, metrics: RunMetrics, targetAccuracy?: number): DashboardRun {
  const lastStep = metrics.steps.at(-1);
  const running = metrics.end === undefined;
  const recent = metrics.steps.slice(-RATE_WINDOW_STEPS);
  const samplesPerSecond = recent.length > 0 ? recent.reduce((sum, step) => sum + step.samplesPerSecond, 0) / recent.length : undefined;
  return {
    runDir,
    name,
    status: metrics.end?.status ?? 'running',
    backend: metrics.start?.backend,
    device: metrics.start?.device,
    step: lastStep?.step ?? 0,
    totalSteps: metrics.start?.totalSteps,
    samplesPerSecond,
    secondsLeft: running ? estimateSecondsLeft(metrics.steps, metrics.start?.totalSteps) : undefined,
    steps: metrics.steps.map((step) => ({ step: step.step, epoch: step.epoch, loss: step.loss, learningRate: step.learningRate })),
    epochs: metrics.epochs.map((epoch) => ({
      epoch: epoch.epoch,
      trainLoss: epoch.trainLoss,
      trainAccuracy: epoch.trainAccuracy,
      validationLoss: epoch.validationLoss,
      validationAccuracy: epoch.validationAccuracy,
      best: epoch.best,
    })),
    test: metrics.test ? { accuracy: metrics.test.accuracy, macroF1: metrics.test.macroF1 } : undefined,
    targetAccuracy,
    endMessage: metrics.end?.message,
  };
}

/**
 * Estimates the seconds until `totalSteps` from the step rate over the last RATE_WINDOW_STEPS records,
 * using the records' own timestamps. Time spent in evaluations between epochs is not counted.
 */
export function estimateSecondsLeft(steps: StepRecord[], totalSteps: number | undefined): number | undefined {
  if (totalSteps === undefined || steps.length < 2) return undefined;
  const window = steps.slice(-RATE_WINDOW_STEPS);
  const first = window[0];
  const last = window[window.length - 1];
  const seconds = (Date.parse(last.time) - Date.parse(first.time)) / 1000;
  const stepsDone = last.step - first.step;
  if (!(seconds > 0) || !(stepsDone > 0)) return undefined;
  return Math.max(0, ((totalSteps - last.step) * seconds) / stepsDone);
}
