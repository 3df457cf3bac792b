import * as assert from 'node:assert/strict';
import { epochBatchOrder, evaluationBatchOrder, makeBatch, type EncodedExample } from '../../../../src/trainer/train/batches';

function examples(count: number): EncodedExample[] {
  return Array.from({ length: count }, (_, i) => ({ row: i + 2, inputIds: [101, ...Array.from({ length: 1 + (i * 7) % 13 }, () => 5), 102], label: i % 3 }));
}

describe('batches', () => {
  it('uses every example once per epoch', () => {
    const data = examples(103);
    const order = epochBatchOrder(data, 8, 42, 0);
    const seen = order.flat().sort((a, b) => a - b);
    assert.deepEqual(seen, data.map((_, i) => i));
    assert.equal(order.length, Math.ceil(103 / 8));
  });

  it('replays the same order for the same seed and epoch', () => {
    const data = examples(60);
    assert.deepEqual(epochBatchOrder(data, 4, 7, 3), epochBatchOrder(data, 4, 7, 3));
    assert.notDeepEqual(epochBatchOrder(data, 4, 7, 3), epochBatchOrder(data, 4, 7, 4));
  });

  it('groups texts of similar length', () => {
    const data = examples(400);
    const padding = (order: number[][]) =>
      order.reduce((sum, batch) => {
        const longest = Math.max(...batch.map((i) => data[i].inputIds.length));
        return sum + batch.reduce((inner, i) => inner + longest - data[i].inputIds.length, 0);
      }, 0);
    const bucketed = padding(epochBatchOrder(data, 8, 1, 0));
    const sequential = padding(Array.from({ length: 50 }, (_, b) => Array.from({ length: 8 }, (_, k) => b * 8 + k)));
    assert.ok(bucketed < sequential / 2, `bucketed padding ${bucketed} vs sequential ${sequential}`);
  });

  it('pads a batch to its longest example', () => {
    const data: EncodedExample[] = [
      { row: 2, inputIds: [101, 9, 102], label: 1 },
      { row: 3, inputIds: [101, 9, 9, 9, 102], label: 0 },
    ];
    const batch = makeBatch(data, [0, 1], 0);
    assert.equal(batch.seqLength, 5);
    assert.deepEqual([...batch.inputIds], [101, 9, 102, 0, 0, 101, 9, 9, 9, 102]);
    assert.deepEqual([...batch.attentionMask], [1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    assert.deepEqual([...batch.labels], [1, 0]);
    assert.equal(batch.tokens, 8);
  });

  it('orders evaluation batches by length', () => {
    const data = examples(30);
    const lengths = evaluationBatchOrder(data, 30)[0].map((i) => data[i].inputIds.length);
    assert.deepEqual(lengths, [...lengths].sort((a, b) => a - b));
  });
});
