import * as assert from 'node:assert/strict';
import { accuracy, confusionMatrix, macroF1, majorityBaseline, perClassScores } from '../../../src/shared/metrics/classification';

// Ten examples over three classes, worked by hand:
//   true 0: predicted 0,0,1,0   true 1: predicted 1,1,0   true 2: predicted 2,1,2
const trueIds = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const predictedIds = [0, 0, 1, 0, 1, 1, 0, 2, 1, 2];

function close(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? ''} ${actual} != ${expected}`);
}

describe('classification metrics', () => {
  it('builds the confusion matrix with true rows', () => {
    assert.deepEqual(confusionMatrix(trueIds, predictedIds, 3), [
      [3, 1, 0],
      [1, 2, 0],
      [0, 1, 2],
    ]);
  });

  it('computes accuracy', () => {
    close(accuracy(trueIds, predictedIds), 0.7);
  });

  it('computes per-class scores', () => {
    const scores = perClassScores(confusionMatrix(trueIds, predictedIds, 3));
    const expected = [
      { precision: 3 / 4, recall: 3 / 4, f1: 3 / 4, support: 4 },
      { precision: 2 / 4, recall: 2 / 3, f1: 4 / 7, support: 3 },
      { precision: 1, recall: 2 / 3, f1: 4 / 5, support: 3 },
    ];
    scores.forEach((score, id) => {
      close(score.precision, expected[id].precision, `precision ${id}`);
      close(score.recall, expected[id].recall, `recall ${id}`);
      close(score.f1, expected[id].f1, `f1 ${id}`);
      assert.equal(score.support, expected[id].support);
    });
  });

  it('computes macro-F1', () => {
    close(macroF1(confusionMatrix(trueIds, predictedIds, 3)), (3 / 4 + 4 / 7 + 4 / 5) / 3);
  });

  it('gives 0 on division by zero', () => {
    // Class 1 is never predicted; class 2 never occurs.
    const matrix = confusionMatrix([0, 0, 1], [0, 0, 0], 3);
    const scores = perClassScores(matrix);
    assert.deepEqual(scores[1], { precision: 0, recall: 0, f1: 0, support: 1 });
    assert.deepEqual(scores[2], { precision: 0, recall: 0, f1: 0, support: 0 });
    // Class 0 has F1 0.8 and class 1 has 0. Class 2 occurs nowhere, so the macro average leaves it out,
    // as scikit-learn's f1_score does by default: (0.8 + 0) / 2.
    close(macroF1(matrix), 0.4);
  });

  it('returns 0 for no examples', () => {
    assert.equal(accuracy([], []), 0);
    assert.equal(macroF1(confusionMatrix([], [], 2)), 0);
    assert.deepEqual(majorityBaseline([], 2), { id: 0, accuracy: 0 });
  });

  it('finds the majority baseline', () => {
    assert.deepEqual(majorityBaseline(trueIds, 3), { id: 0, accuracy: 0.4 });
    assert.deepEqual(majorityBaseline([1, 2, 1, 2], 3), { id: 1, accuracy: 0.5 });
  });

  it('rejects ids out of range', () => {
    assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), RangeError);
    assert.throws(() => confusionMatrix([0], [0, 1], 3), RangeError);
  });
});
