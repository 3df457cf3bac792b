import * as assert from 'node:assert/strict';
import { buildEvaluation, type EvaluationInput } from '../../../src/shared/metrics/evaluation';

const input: EvaluationInput = {
  split: 'test',
  labels: ['差评', '好评'],
  trueIds: [0, 0, 0, 1, 1],
  predictedIds: [0, 0, 1, 1, 0],
  probabilities: [
    [0.9, 0.1],
    [0.8, 0.2],
    [0.3, 0.7],
    [0.2, 0.8],
    [0.6, 0.4],
  ],
  rows: [2, 3, 4, 5, 6],
  texts: ['难喝', '太甜', '一般', '好喝', '还行'],
  targetAccuracy: 0.9,
};

describe('buildEvaluation', () => {
  const evaluation = buildEvaluation(input);

  it('computes accuracy and macro-F1', () => {
    assert.equal(evaluation.examples, 5);
    assert.equal(evaluation.accuracy, 0.6);
    // 差评: precision 2/3, recall 2/3; 好评: precision 1/2, recall 1/2.
    assert.ok(Math.abs(evaluation.macroF1 - (2 / 3 + 1 / 2) / 2) < 1e-12);
  });

  it('keys per-class scores by name', () => {
    assert.deepEqual(Object.keys(evaluation.perClass), ['差评', '好评']);
    assert.equal(evaluation.perClass['好评'].support, 2);
    assert.equal(evaluation.perClass['好评'].precision, 0.5);
  });

  it('stores the confusion matrix with labels', () => {
    assert.deepEqual(evaluation.confusionMatrix, {
      labels: ['差评', '好评'],
      matrix: [
        [2, 1],
        [1, 1],
      ],
    });
  });

  it('lists misclassified rows with probabilities', () => {
    assert.deepEqual(evaluation.misclassified, [
      { row: 4, text: '一般', label: '差评', predicted: '好评', probabilities: { 差评: 0.3, 好评: 0.7 } },
      { row: 6, text: '还行', label: '好评', predicted: '差评', probabilities: { 差评: 0.6, 好评: 0.4 } },
    ]);
  });

  it('compares with the majority baseline', () => {
    assert.deepEqual(evaluation.majorityBaseline, { label: '差评', accuracy: 0.6 });
    assert.equal(evaluation.noBetterThanMajority, true);
  });

  it('checks the target', () => {
    assert.deepEqual(evaluation.target, { metric: 'accuracy', value: 0.9, met: false });
    assert.equal(buildEvaluation({ ...input, targetAccuracy: 0.6 }).target.met, true);
  });

  it('rejects inputs of different lengths', () => {
    assert.throws(() => buildEvaluation({ ...input, rows: [2, 3] }), RangeError);
  });
});
