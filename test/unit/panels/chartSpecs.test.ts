import * as assert from 'node:assert/strict';
import type { DashboardRun, DashboardStrings } from '../../../src/shared/protocol/webview';
import { chartSpecs } from '../../../src/webviews/lib/chartSpecs';

const strings = new Proxy({} as DashboardStrings, { get: (_target, key) => String(key) });

function run(name: string, targetAccuracy?: number): DashboardRun {
  return {
    runDir: `/runs/${name}`,
    name,
    status: 'completed',
    step: 2,
    steps: [
      { step: 1, epoch: 0.5, loss: 1.2, learningRate: 1e-5 },
      { step: 2, epoch: 1, loss: 0.9, learningRate: 2e-5 },
    ],
    epochs: [
      { epoch: 1, trainLoss: 0.9, trainAccuracy: 0.7, validationLoss: 1.0, validationAccuracy: 0.65, best: true },
      { epoch: 2, trainLoss: 0.6, trainAccuracy: 0.8, validationLoss: 0.8, validationAccuracy: 0.75, best: true },
    ],
    targetAccuracy,
  };
}

describe('dashboard chart specs', () => {
  it('single run draws four charts', () => {
    const specs = chartSpecs([run('a', 0.9)], strings);
    assert.deepEqual(specs.map((spec) => spec.id), ['step-loss', 'epoch-loss', 'epoch-accuracy', 'learning-rate']);
    assert.deepEqual(specs[0].series[0].points, [{ x: 1, y: 1.2 }, { x: 2, y: 0.9 }]);
    assert.deepEqual(specs[3].series[0].points.map((point) => point.y), [1e-5, 2e-5]);
  });

  it('validation series are dashed', () => {
    const [, epochLoss] = chartSpecs([run('a')], strings);
    assert.deepEqual(epochLoss.series.map((series) => [series.label, series.dashed ?? false]), [
      ['trainLoss', false],
      ['validationLoss', true],
    ]);
    assert.deepEqual(epochLoss.series[1].points.map((point) => point.y), [1.0, 0.8]);
  });

  it('target line spans the drawn epochs', () => {
    const accuracy = chartSpecs([run('a', 0.9)], strings)[2];
    const target = accuracy.series.find((series) => series.label === 'target');
    assert.deepEqual(target?.points, [{ x: 1, y: 0.9 }, { x: 2, y: 0.9 }]);
    assert.deepEqual(accuracy.yRange, [0, 1]);
  });

  it('no target line without a target', () => {
    const accuracy = chartSpecs([run('a')], strings)[2];
    assert.equal(accuracy.series.some((series) => series.label === 'target'), false);
  });

  it('overlaid runs keep one colour each', () => {
    const [stepLoss, epochLoss, accuracy] = chartSpecs([run('a', 0.9), run('b', 0.8)], strings);
    assert.deepEqual(stepLoss.series.map((series) => [series.label, series.colorIndex]), [
      ['a: loss', 0],
      ['b: loss', 1],
    ]);
    assert.deepEqual(epochLoss.series.map((series) => series.colorIndex), [0, 0, 1, 1]);
    assert.equal(accuracy.series.some((series) => series.label === 'target'), false);
  });
});
