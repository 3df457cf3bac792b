import * as assert from 'node:assert/strict';
import { LabelResolver, labelNames, normalizeLabel, resolveLabels } from '../../../src/shared/data/labels';
import { isUserInputError } from '../../../src/shared/errors';

describe('normalizeLabel', () => {
  it('makes number spellings equal', () => {
    for (const raw of ['1', 1, ' 1 ', '１', '\u30001', '01', '1.0', '+1']) assert.equal(normalizeLabel(raw), '1', String(raw));
  });

  it('keeps long numeric codes exact', () => {
    assert.equal(normalizeLabel('12345678901234567890'), '12345678901234567890');
  });

  it('trims names without changing them', () => {
    assert.equal(normalizeLabel(' 好评\u3000'), '好评');
  });
});

describe('LabelResolver', () => {
  const named = new LabelResolver({ 差评: 0, 好评: 1, 中性: 2 });

  it('resolves names', () => {
    assert.deepEqual(named.resolve('好评'), { kind: 'known', id: 1, name: '好评' });
    assert.deepEqual(named.resolve(' 中性 '), { kind: 'known', id: 2, name: '中性' });
  });

  it('reads numbers as ids for a named map', () => {
    assert.deepEqual(named.resolve('0'), { kind: 'known', id: 0, name: '差评' });
    assert.deepEqual(named.resolve(2), { kind: 'known', id: 2, name: '中性' });
    assert.deepEqual(named.resolve('２'), { kind: 'known', id: 2, name: '中性' });
  });

  it('reports an out-of-range id as unknown', () => {
    assert.deepEqual(named.resolve('3'), { kind: 'unknown', key: '3' });
  });

  it('treats mixed "1" and 1 alike', () => {
    const numeric = new LabelResolver({ '0': 0, '1': 1 });
    for (const raw of ['1', 1, ' 1 ', '１']) assert.deepEqual(numeric.resolve(raw), { kind: 'known', id: 1, name: '1' });
  });

  it('reads numbers only as names when names are numbers', () => {
    const stars = new LabelResolver({ '1': 0, '5': 1 });
    assert.deepEqual(stars.resolve('5'), { kind: 'known', id: 1, name: '5' });
    assert.deepEqual(stars.resolve('1'), { kind: 'known', id: 0, name: '1' });
    assert.deepEqual(stars.resolve('0'), { kind: 'unknown', key: '0' });
  });

  it('reports an empty cell as unlabelled', () => {
    for (const raw of ['', '  ', '\u3000', undefined, null]) assert.deepEqual(named.resolve(raw), { kind: 'unlabelled' });
  });

  it('reports an unknown name', () => {
    assert.deepEqual(named.resolve('一般'), { kind: 'unknown', key: '一般' });
  });

  it('rejects ids that are not 0..n-1', () => {
    assert.throws(() => new LabelResolver({ 差评: 0, 好评: 2 }), (error: unknown) => isUserInputError(error) && error.location.field === 'labels.好评');
    assert.throws(() => new LabelResolver({ 差评: 0, 好评: 0 }), isUserInputError);
  });

  it('rejects names equal after normalisation', () => {
    assert.throws(() => new LabelResolver({ '1': 0, '１': 1 }), isUserInputError);
  });

  it('rejects an empty map', () => {
    assert.throws(() => new LabelResolver({}), (error: unknown) => isUserInputError(error) && error.location.field === 'labels');
  });
});

describe('resolveLabels', () => {
  it('separates unknown labels with their rows', () => {
    const resolver = new LabelResolver({ 差评: 0, 好评: 1 });
    const examples = [
      { row: 2, text: '好喝', rawLabel: '好评' },
      { row: 3, text: '一般', rawLabel: '还行' },
      { row: 4, text: '难喝', rawLabel: '0' },
      { row: 5, text: '未标' },
    ];
    const { labelled, unknown } = resolveLabels(examples, resolver);
    assert.deepEqual(
      labelled.map((entry) => [entry.example.row, entry.label]),
      [
        [2, 1],
        [4, 0],
      ],
    );
    assert.deepEqual(unknown, [{ row: 3, rawLabel: '还行' }]);
  });

  it('orders label names by id', () => {
    assert.deepEqual(labelNames({ 好评: 1, 差评: 0 }), ['差评', '好评']);
  });
});
