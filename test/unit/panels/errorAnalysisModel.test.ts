import * as assert from 'node:assert/strict';
import type { Evaluation } from '../../../src/shared/run/types';
import {
  buildErrorAnalysisReport,
  escapeMarkdown,
  formatPredictionHover,
  formatPredictionLabel,
  shapeConfusion,
  sortMisclassified,
} from '../../../src/extension/panels/errorAnalysisModel';

const evaluation: Evaluation = {
  split: 'test',
  examples: 10,
  accuracy: 0.7,
  macroF1: 0.65,
  perClass: {
    差评: { precision: 0.8, recall: 0.8, f1: 0.8, support: 5 },
    好评: { precision: 0.6, recall: 0.75, f1: 0.67, support: 4 },
    中性: { precision: 0, recall: 0, f1: 0, support: 1 },
  },
  confusionMatrix: {
    labels: ['差评', '好评', '中性'],
    matrix: [
      [4, 1, 0],
      [1, 3, 0],
      [0, 1, 0],
    ],
  },
  misclassified: [
    { row: 7, text: '还行吧', label: '中性', predicted: '好评', probabilities: { 差评: 0.1, 好评: 0.6, 中性: 0.3 } },
    { row: 3, text: '<img src=x onerror=alert(1)>', label: '差评', predicted: '好评', probabilities: { 差评: 0.05, 好评: 0.87, 中性: 0.08 } },
    { row: 12, text: '一般', label: '好评', predicted: '差评', probabilities: { 差评: 0.6, 好评: 0.35, 中性: 0.05 } },
  ],
  majorityBaseline: { label: '差评', accuracy: 0.5 },
  noBetterThanMajority: false,
  target: { metric: 'accuracy', value: 0.9, met: false },
};

describe('error analysis model', () => {
  it('shapeConfusion divides each count by its row total', () => {
    const cells = shapeConfusion(['a', 'b'], [
      [3, 1],
      [0, 0],
    ]);
    assert.equal(cells[0][0].rowFraction, 0.75);
    assert.equal(cells[0][1].predictedLabel, 'b');
    assert.equal(cells[0][1].trueLabel, 'a');
    assert.equal(cells[1][0].rowFraction, 0);
  });

  it('sortMisclassified puts confident mistakes first', () => {
    const sorted = sortMisclassified(evaluation.misclassified);
    assert.deepEqual(sorted.map((item) => item.row), [3, 7, 12]);
    assert.equal(sorted[0].confidence, 0.87);
    assert.deepEqual(sorted[0].probabilities.map((entry) => entry.label), ['好评', '中性', '差评']);
  });

  it('sortMisclassified breaks ties by row', () => {
    const tied = [
      { row: 9, text: '', label: 'a', predicted: 'b', probabilities: { a: 0.4, b: 0.6 } },
      { row: 2, text: '', label: 'a', predicted: 'b', probabilities: { a: 0.4, b: 0.6 } },
    ];
    assert.deepEqual(sortMisclassified(tied).map((item) => item.row), [2, 9]);
  });

  it('buildErrorAnalysisReport keeps label order and flags', () => {
    const report = buildErrorAnalysisReport(evaluation, { runDir: '/r', runName: 'r', labelChoices: ['差评', '好评', '中性'], dataFileAvailable: true });
    assert.deepEqual(report.perClass.map((entry) => entry.label), ['差评', '好评', '中性']);
    assert.equal(report.confusion[2][1].count, 1);
    assert.equal(report.target.met, false);
    assert.equal(report.noBetterThanMajority, false);
    assert.equal(report.misclassified[0].text, '<img src=x onerror=alert(1)>');
  });

  it('buildErrorAnalysisReport falls back to matrix labels', () => {
    const report = buildErrorAnalysisReport(evaluation, { runDir: '/r', runName: 'r', labelChoices: [], dataFileAvailable: false });
    assert.deepEqual(report.labelChoices, ['差评', '好评', '中性']);
  });

  it('prediction label shows the whole percentage', () => {
    const [item] = sortMisclassified(evaluation.misclassified);
    assert.equal(formatPredictionLabel(item), 'Model predicts: 好评 (87%)');
  });

  it('prediction hover lists every probability', () => {
    const [item] = sortMisclassified(evaluation.misclassified);
    const hover = formatPredictionHover(item);
    assert.match(hover, /好评: 87%/);
    assert.match(hover, /中性: 8%/);
    assert.match(hover, /差评: 5%/);
  });

  it('escapeMarkdown neutralises markup', () => {
    assert.equal(escapeMarkdown('<b>[x](y)</b>'), '\\<b\\>\\[x\\]\\(y\\)\\</b\\>');
  });
});
