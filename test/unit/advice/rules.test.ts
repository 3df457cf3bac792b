import * as assert from 'node:assert/strict';
import type { EpochRecord, StepRecord } from '../../../src/shared/run/types';
import {
  adviseOnDivergingLoss,
  adviseOnNanLoss,
  adviseOnOverfitting,
  adviseOnRun,
  adviseOnTarget,
  adviseOnUnderfitting,
  formatLearningRate,
  smoothLoss,
  validationLossRising,
  type AdviceInput,
} from '../../../src/shared/advice/rules';

function steps(losses: number[]): StepRecord[] {
  return losses.map((loss, i) => ({
    type: 'step',
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    step: i + 1,
    epoch: (i + 1) / losses.length,
    loss,
    learningRate: 2e-5,
    gradNorm: 1,
    samplesPerSecond: 16,
    tokensPerSecond: 700,
  }));
}

type EpochNumbers = [trainLoss: number, trainAccuracy: number, validationLoss: number, validationAccuracy: number];

function epochs(rows: EpochNumbers[], bestEpoch?: number): EpochRecord[] {
  return rows.map(([trainLoss, trainAccuracy, validationLoss, validationAccuracy], i) => ({
    type: 'epoch',
    time: '2026-01-01T00:00:00Z',
    epoch: i + 1,
    step: (i + 1) * 100,
    trainLoss,
    trainAccuracy,
    validationLoss,
    validationAccuracy,
    validationMacroF1: validationAccuracy,
    best: bestEpoch === i + 1,
  }));
}

function input(overrides: Partial<AdviceInput>): AdviceInput {
  return { steps: [], epochs: [], status: 'running', targetAccuracy: 0.9, learningRate: 2e-5, ...overrides };
}

const healthyEpochs: EpochNumbers[] = [
  [0.8, 0.75, 0.7, 0.78],
  [0.5, 0.86, 0.45, 0.85],
  [0.35, 0.9, 0.38, 0.88],
];

/** A loss falling from 1.1 towards 0.3 with small alternating noise. */
const fallingLosses = Array.from({ length: 100 }, (_, i) => 0.3 + 0.8 * Math.exp(-i / 20) + (i % 2 === 0 ? 0.03 : -0.03));

describe('advice rules', () => {
  describe('NaN loss', () => {
    it('fires on a NaN record and proposes a tenth of the learning rate', () => {
      const advice = adviseOnNanLoss(input({ nanStep: 42, learningRate: 5e-4 }));
      assert.ok(advice);
      assert.equal(advice.id, 'nan-loss');
      assert.match(advice.message, /42/);
      assert.match(advice.message, /5e-4/);
      assert.match(advice.message, /5e-5/);
      assert.deepEqual(advice.buttons[0].action, { kind: 'openSetting', field: 'training.learningRate' });
    });

    it('fires on a run that ended as diverged', () => {
      assert.equal(adviseOnNanLoss(input({ status: 'diverged', steps: steps([1, 2]) }))?.id, 'nan-loss');
    });

    it('stays quiet on a finite loss', () => {
      assert.equal(adviseOnNanLoss(input({ steps: steps(fallingLosses) })), undefined);
    });
  });

  describe('diverging loss', () => {
    it('fires when the smoothed loss doubles its minimum', () => {
      const losses = [...fallingLosses.slice(0, 40), ...Array.from({ length: 40 }, (_, i) => 0.5 + i * 0.1)];
      const advice = adviseOnDivergingLoss(input({ steps: steps(losses) }));
      assert.ok(advice);
      assert.equal(advice.id, 'diverging-loss');
      assert.deepEqual(advice.buttons[0].action, { kind: 'stopTraining' });
    });

    it('stays quiet on a noisy falling loss', () => {
      assert.equal(adviseOnDivergingLoss(input({ steps: steps(fallingLosses) })), undefined);
    });

    it('stays quiet on a tiny rise near zero loss', () => {
      const losses = [...Array.from({ length: 40 }, () => 0.01), ...Array.from({ length: 40 }, () => 0.027)];
      assert.equal(adviseOnDivergingLoss(input({ steps: steps(losses) })), undefined);
    });

    it('stays quiet with fewer steps than one window', () => {
      assert.equal(adviseOnDivergingLoss(input({ steps: steps([1, 5, 10]) })), undefined);
    });

    it('leaves a NaN loss to the NaN rule', () => {
      const losses = Array.from({ length: 60 }, (_, i) => 0.5 + i);
      assert.equal(adviseOnDivergingLoss(input({ steps: steps(losses), nanStep: 60 })), undefined);
    });
  });

  describe('overfitting', () => {
    it('fires on a training accuracy well above validation', () => {
      const advice = adviseOnOverfitting(input({ epochs: epochs([[0.6, 0.8, 0.6, 0.78], [0.2, 0.97, 0.55, 0.8]], 2) }));
      assert.ok(advice);
      assert.equal(advice.id, 'overfitting');
      assert.match(advice.message, /97\.0%/);
      assert.match(advice.message, /80\.0%/);
    });

    it('fires on validation loss rising while training loss falls', () => {
      const rows: EpochNumbers[] = [
        [0.7, 0.8, 0.5, 0.8],
        [0.5, 0.84, 0.55, 0.8],
        [0.4, 0.87, 0.6, 0.79],
      ];
      const advice = adviseOnOverfitting(input({ epochs: epochs(rows, 1) }));
      assert.ok(advice);
      assert.match(advice.message, /epoch 1/);
    });

    it('offers to stop only while the run is active', () => {
      const rows: EpochNumbers[] = [[0.2, 0.99, 0.9, 0.7]];
      const running = adviseOnOverfitting(input({ epochs: epochs(rows) }));
      const finished = adviseOnOverfitting(input({ epochs: epochs(rows), status: 'completed' }));
      assert.ok(running?.buttons.some((button) => button.action.kind === 'stopTraining'));
      assert.ok(!finished?.buttons.some((button) => button.action.kind === 'stopTraining'));
      assert.ok(finished?.buttons.some((button) => button.action.kind === 'openSetting' && button.action.field === 'training.epochs'));
    });

    it('stays quiet on a healthy run', () => {
      assert.equal(adviseOnOverfitting(input({ epochs: epochs(healthyEpochs, 3) })), undefined);
    });

    it('stays quiet on a single rise of validation loss', () => {
      const rows: EpochNumbers[] = [
        [0.7, 0.8, 0.5, 0.8],
        [0.5, 0.84, 0.45, 0.82],
        [0.4, 0.87, 0.47, 0.82],
      ];
      assert.equal(adviseOnOverfitting(input({ epochs: epochs(rows) })), undefined);
    });
  });

  describe('underfitting', () => {
    it('fires when both accuracies stay low', () => {
      const rows: EpochNumbers[] = [
        [1.05, 0.4, 1.04, 0.41],
        [1.0, 0.45, 1.01, 0.43],
      ];
      const advice = adviseOnUnderfitting(input({ epochs: epochs(rows) }));
      assert.ok(advice);
      assert.equal(advice.id, 'underfitting');
      const fields = advice.buttons.map((button) => (button.action.kind === 'openSetting' ? button.action.field : ''));
      assert.deepEqual(fields, ['training.epochs', 'training.learningRate', 'model.base']);
    });

    it('waits for the second epoch', () => {
      assert.equal(adviseOnUnderfitting(input({ epochs: epochs([[1.05, 0.4, 1.04, 0.41]]) })), undefined);
    });

    it('stays quiet on a healthy run', () => {
      assert.equal(adviseOnUnderfitting(input({ epochs: epochs(healthyEpochs) })), undefined);
    });
  });

  describe('target', () => {
    it('reports a met target', () => {
      const advice = adviseOnTarget(input({ status: 'completed', test: { accuracy: 0.93, macroF1: 0.9 } }));
      assert.equal(advice?.id, 'target-met');
      assert.match(advice?.message ?? '', /93\.0%/);
    });

    it('reports a missed target with the error analysis button', () => {
      const advice = adviseOnTarget(input({ status: 'completed', test: { accuracy: 0.81, macroF1: 0.8 } }));
      assert.equal(advice?.id, 'target-missed');
      assert.deepEqual(advice?.buttons[0].action, { kind: 'openErrorAnalysis' });
    });

    it('stays quiet before the test', () => {
      assert.equal(adviseOnTarget(input({})), undefined);
    });
  });

  it('adviseOnRun lists the urgent advice first', () => {
    const rows: EpochNumbers[] = [[0.2, 0.99, 0.9, 0.7]];
    const ids = adviseOnRun(input({ nanStep: 3, epochs: epochs(rows), status: 'diverged' })).map((advice) => advice.id);
    assert.deepEqual(ids, ['nan-loss', 'overfitting']);
  });

  it('smoothLoss averages a trailing window', () => {
    assert.deepEqual(smoothLoss(steps([1, 2, 3, 4]), 2).map((point) => point.loss), [1.5, 2.5, 3.5]);
  });

  it('validationLossRising needs every epoch to rise', () => {
    const rising = epochs([[1, 0, 0.5, 0], [0.9, 0, 0.6, 0], [0.8, 0, 0.7, 0]]);
    assert.equal(validationLossRising(rising, 2), true);
    assert.equal(validationLossRising(rising.slice(0, 2), 2), false);
  });

  it('formatLearningRate writes exponents', () => {
    assert.equal(formatLearningRate(2e-5), '2e-5');
    assert.equal(formatLearningRate(0.0003), '3e-4');
  });
});
