import * as assert from 'node:assert/strict';
import { compareAnnotations, explainKappa, type AnnotatedRow } from '../../../src/extension/language/agreement';

function rows(pairs: [string, string][]): AnnotatedRow[] {
  return pairs.map(([first, second], i) => ({ row: i + 2, text: `评论${i}`, first, second }));
}

describe('compareAnnotations', () => {
  it('kappa matches a hand-computed example', () => {
    // 10 rows: both 好评 on 4, both 差评 on 3, 好评/差评 on 2, 差评/好评 on 1.
    // Agreement 7/10. First annotator: 好评 6, 差评 4; second: 好评 5, 差评 5.
    // Chance = 0.6 * 0.5 + 0.4 * 0.5 = 0.5, so kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    const report = compareAnnotations(
      rows([
        ['好评', '好评'], ['好评', '好评'], ['好评', '好评'], ['好评', '好评'],
        ['差评', '差评'], ['差评', '差评'], ['差评', '差评'],
        ['好评', '差评'], ['好评', '差评'],
        ['差评', '好评'],
      ]),
    );
    assert.equal(report.compared, 10);
    assert.equal(report.agreed, 7);
    assert.ok(Math.abs(report.agreementRate - 0.7) < 1e-12);
    assert.ok(Math.abs(report.chanceAgreement - 0.5) < 1e-12);
    assert.ok(Math.abs(report.kappa - 0.4) < 1e-12);
    assert.deepEqual(report.disagreements.map((item) => item.row), [9, 10, 11]);
  });

  it('three labels and skipped rows', () => {
    // Compared rows: (A,A) (B,B) (C,A) (A,A); agreement 3/4.
    // First: A 2, B 1, C 1; second: A 3, B 1. Chance = 0.5*0.75 + 0.25*0.25 = 0.4375.
    // Kappa = (0.75 - 0.4375) / 0.5625 = 0.5555...
    const report = compareAnnotations(rows([['A', 'A'], ['B', 'B'], ['', 'A'], ['C', 'A'], ['A', 'A'], ['B', ' ']]));
    assert.equal(report.compared, 4);
    assert.equal(report.skipped, 2);
    assert.ok(Math.abs(report.kappa - 0.3125 / 0.5625) < 1e-12);
    assert.deepEqual(report.labels, ['A', 'B', 'C']);
  });

  it('one shared label leaves kappa undefined', () => {
    const report = compareAnnotations(rows([['好评', '好评'], ['好评', '好评']]));
    assert.equal(report.agreementRate, 1);
    assert.ok(Number.isNaN(report.kappa));
    assert.match(explainKappa(report), /same single label/);
  });

  it('explanation names the band', () => {
    const report = compareAnnotations(rows([['A', 'A'], ['A', 'A'], ['B', 'B'], ['B', 'A']]));
    assert.match(explainKappa(report), /Kappa 0\.50 is moderate agreement/);
    assert.match(explainKappa(report), /agree on 50\.0% of the rows/);
  });

  it('worse than chance is negative', () => {
    const report = compareAnnotations(rows([['A', 'B'], ['B', 'A']]));
    assert.equal(report.kappa, -1);
    assert.match(explainKappa(report), /below 0/);
  });
});
