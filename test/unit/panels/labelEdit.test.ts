import * as assert from 'node:assert/strict';
import { computeLabelEdit, type LabelEditRequest } from '../../../src/extension/panels/labelEdit';
import { isUserInputError } from '../../../src/shared/errors';

function apply(text: string, request: Omit<LabelEditRequest, 'text'>): string {
  const edit = computeLabelEdit({ ...request, text });
  return text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
}

const csv = { file: 'reviews.csv', delimiter: ',' as const, textColumn: 'review', labelColumn: 'label' };

describe('label edit', () => {
  it('replaces a plain CSV label cell', () => {
    const text = 'label,review\n好评,好喝\n差评,太甜了\n';
    assert.equal(apply(text, { ...csv, row: 3, label: '中性' }), 'label,review\n好评,好喝\n中性,太甜了\n');
  });

  it('finds the row after a multi-line quoted review', () => {
    const text = 'review,label\n"第一行\n第二行",好评\n难喝,好评\n';
    assert.equal(apply(text, { ...csv, row: 4, label: '差评' }), 'review,label\n"第一行\n第二行",好评\n难喝,差评\n');
  });

  it('keeps the quotes of a quoted label cell', () => {
    const text = 'review,label\n好喝,"好评"\n';
    assert.equal(apply(text, { ...csv, row: 2, label: '差评' }), 'review,label\n好喝,"差评"\n');
  });

  it('pads a record that lacks the label cell', () => {
    const text = 'review,extra,label\n好喝\n';
    assert.equal(apply(text, { ...csv, row: 2, label: '好评' }), 'review,extra,label\n好喝,,好评\n');
  });

  it('edits a TSV file', () => {
    const text = 'review\tlabel\r\n好喝\t好评\r\n';
    assert.equal(apply(text, { ...csv, delimiter: '\t', row: 2, label: '差评' }), 'review\tlabel\r\n好喝\t差评\r\n');
  });

  it('rejects a line inside a record', () => {
    const text = 'review,label\n"第一行\n第二行",好评\n';
    assert.throws(
      () => computeLabelEdit({ ...csv, text, row: 3, label: '差评' }),
      (error: unknown) => isUserInputError(error) && error.location.row === 3,
    );
  });

  it('rejects the header row', () => {
    assert.throws(() => computeLabelEdit({ ...csv, text: 'review,label\n好喝,好评\n', row: 1, label: '差评' }), isUserInputError);
  });

  it('sets a JSON Lines label', () => {
    const text = '{"text": "好喝", "label": "好评"}\n{"text": "难喝", "label": "好评"}\n';
    const result = apply(text, { file: 'r.jsonl', delimiter: undefined, textColumn: 'text', labelColumn: 'label', row: 2, label: '差评' });
    assert.equal(result, '{"text": "好喝", "label": "好评"}\n{"text": "难喝", "label": "差评"}\n');
  });

  it('adds a missing JSON Lines label', () => {
    const text = '{"text": "好喝"}\n';
    const result = apply(text, { file: 'r.jsonl', delimiter: undefined, textColumn: 'text', labelColumn: 'label', row: 1, label: '好评' });
    assert.deepEqual(JSON.parse(result.trim()), { text: '好喝', label: '好评' });
    assert.equal(result.split('\n').length, 2);
  });
});
