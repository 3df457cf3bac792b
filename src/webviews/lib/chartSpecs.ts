// The dashboard's four charts as data: which series each draws from the runs' metrics. Pure, so unit
// tests check the shaping without a browser.

import type { DashboardRun, DashboardStrings } from '../../shared/protocol/webview';
import type { ChartSeries, ChartSpec } from './charts';

export type DashboardChartId = 'step-loss' | 'epoch-loss' | 'epoch-accuracy' | 'learning-rate';

/**
 * Builds the step loss, epoch loss, epoch accuracy and learning-rate charts. Each run keeps its palette
 * slot across charts, and validation series are dashed. With several runs, series names carry the run
 * name and the target line is left out, since runs may have different targets.
 */
export function chartSpecs(runs: DashboardRun[], text: DashboardStrings): (ChartSpec & { id: DashboardChartId })[] {
  const overlay = runs.length > 1;
  const name = (run: DashboardRun, series: string) => (overlay ? `${run.name}: ${series}` : series);
  return [
    {
      id: 'step-loss',
      title: text.stepLossChart,
      xLabel: text.step,
      yLabel: text.loss,
      series: runs.map((run, index) => ({ label: name(run, text.loss), colorIndex: index, points: run.steps.map((point) => ({ x: point.step, y: point.loss })) })),
    },
    {
      id: 'epoch-loss',
      title: text.epochLossChart,
      xLabel: text.epoch,
      yLabel: text.loss,
      showPoints: true,
      integerX: true,
      series: runs.flatMap((run, index) => [
        { label: name(run, text.trainLoss), colorIndex: index, points: run.epochs.map((point) => ({ x: point.epoch, y: point.trainLoss })) },
        { label: name(run, text.validationLoss), colorIndex: index, dashed: true, points: run.epochs.map((point) => ({ x: point.epoch, y: point.validationLoss })) },
      ]),
    },
    {
      id: 'epoch-accuracy',
      title: text.epochAccuracyChart,
      xLabel: text.epoch,
      yLabel: text.accuracy,
      yRange: [0, 1],
      showPoints: true,
      integerX: true,
      series: [
        ...runs.flatMap((run, index) => [
          { label: name(run, text.trainAccuracy), colorIndex: index, points: run.epochs.map((point) => ({ x: point.epoch, y: point.trainAccuracy })) },
          { label: name(run, text.validationAccuracy), colorIndex: index, dashed: true, points: run.epochs.map((point) => ({ x: point.epoch, y: point.validationAccuracy })) },
        ]),
        ...(overlay ? [] : targetSeries(runs[0], text)),
      ],
    },
    {
      id: 'learning-rate',
      title: text.learningRateChart,
      xLabel: text.step,
      yLabel: text.learningRate,
      exponent: true,
      series: runs.map((run, index) => ({
        label: name(run, text.learningRate),
        colorIndex: index,
        points: run.steps.map((point) => ({ x: point.step, y: point.learningRate })),
      })),
    },
  ];
}

/** Builds a flat dashed line at the project's accuracy target, across the epochs drawn so far. */
function targetSeries(run: DashboardRun, text: DashboardStrings): ChartSeries[] {
  const target = run.targetAccuracy;
  if (target === undefined || run.epochs.length === 0) return [];
  const first = run.epochs[0].epoch;
  const last = run.epochs[run.epochs.length - 1].epoch;
  return [{ label: text.target, colorIndex: 4, dashed: true, points: [{ x: first, y: target }, { x: last, y: target }] }];
}

