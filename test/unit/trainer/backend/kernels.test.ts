import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../../src/trainer/backend/select';
import { isUserInputError } from '../../../../src/shared/errors';

/** Deterministic pseudo-random floats in [-1, 1). */
function randomValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

function size(shape: number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/** Runs `compute` on `backend` and returns the values and shape of its result. */
async function runOn(backend: 'wasm' | 'cpu', compute: () => tf.Tensor): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const result = compute();
  const values = (await result.data()) as Float32Array;
  const shape = result.shape;
  result.dispose();
  return { values, shape };
}

function assertClose(actual: Float32Array, expected: Float32Array, tolerance: number, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * (1 + Math.abs(expected[i])), `${label}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe('wasm training kernels', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  after(async () => {
    await tf.setBackend('wasm');
  });

  const matMulCases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
    { a: [7, 5], b: [5, 3], transposeA: false, transposeB: false },
    { a: [7, 5], b: [3, 5], transposeA: false, transposeB: true },
    { a: [5, 7], b: [5, 3], transposeA: true, transposeB: false },
    { a: [5, 7], b: [3, 5], transposeA: true, transposeB: true },
    { a: [4, 6, 5], b: [4, 5, 3], transposeA: false, transposeB: false },
    { a: [4, 6, 5], b: [4, 3, 5], transposeA: false, transposeB: true },
    { a: [4, 5, 6], b: [4, 5, 3], transposeA: true, transposeB: false },
    { a: [4, 6, 5], b: [1, 5, 3], transposeA: false, transposeB: false },
    { a: [1, 6, 5], b: [4, 3, 5], transposeA: false, transposeB: true },
    { a: [4, 6, 5], b: [5, 3], transposeA: false, transposeB: false },
    { a: [2, 3, 6, 4], b: [2, 3, 5, 4], transposeA: false, transposeB: true },
    { a: [2, 3, 4, 6], b: [2, 3, 4, 5], transposeA: true, transposeB: false },
    { a: [2, 3, 6, 4], b: [2, 3, 4, 5], transposeA: false, transposeB: false },
    { a: [2, 1, 6, 4], b: [1, 3, 4, 5], transposeA: false, transposeB: false },
  ];

  for (const [index, testCase] of matMulCases.entries()) {
    const name = `matMul ${JSON.stringify(testCase.a)} x ${JSON.stringify(testCase.b)}` +
      `${testCase.transposeA ? ' transposeA' : ''}${testCase.transposeB ? ' transposeB' : ''} matches cpu`;
    it(name, async () => {
      const a = randomValues(size(testCase.a), 11 + index);
      const b = randomValues(size(testCase.b), 101 + index);
      const compute = () => tf.matMul(tf.tensor(a, testCase.a), tf.tensor(b, testCase.b), testCase.transposeA, testCase.transposeB);

      const expected = await runOn('cpu', compute);
      const actual = await runOn('wasm', compute);

      assert.deepEqual(actual.shape, expected.shape);
      assertClose(actual.values, expected.values, 1e-5, name);
    });
  }

  it('matMul routing leaks no wasm memory', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor(randomValues(2 * 3 * 6 * 4, 5), [2, 3, 6, 4]);
    const b = tf.tensor(randomValues(2 * 3 * 5 * 4, 6), [2, 3, 5, 4]);
    tf.matMul(a, b, false, true).dispose();
    const before = tf.memory();
    tf.matMul(a, b, false, true).dispose();
    tf.tidy(() => {
      tf.matMul(tf.transpose(a, [0, 1, 3, 2]), b, true, true);
    });
    const after = tf.memory();
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numBytes, before.numBytes);
    assert.equal(after.numDataBuffers, before.numDataBuffers);
    tf.dispose([a, b]);
  });

  const segmentCases: { xShape: number[]; numSegments: number }[] = [
    { xShape: [12, 5], numSegments: 4 },
    { xShape: [9, 2, 3], numSegments: 7 },
    { xShape: [6], numSegments: 3 },
  ];

  for (const testCase of segmentCases) {
    it(`unsortedSegmentSum of ${JSON.stringify(testCase.xShape)} into ${testCase.numSegments} segments matches cpu`, async () => {
      const x = randomValues(size(testCase.xShape), 3);
      const rows = testCase.xShape[0];
      // Repeated ids, an unused segment and one id out of range, which TensorFlow drops.
      const ids = Int32Array.from({ length: rows }, (_, i) => (i === rows - 1 ? testCase.numSegments : (i * 5) % (testCase.numSegments - 1)));
      const compute = () => tf.unsortedSegmentSum(tf.tensor(x, testCase.xShape), tf.tensor1d(ids, 'int32'), testCase.numSegments);

      const actual = await runOn('wasm', compute);
      const expected = await runOn('cpu', compute);

      const sliceSize = size(testCase.xShape.slice(1));
      const reference = new Float32Array(testCase.numSegments * sliceSize);
      ids.forEach((id, row) => {
        if (id >= testCase.numSegments) return;
        for (let j = 0; j < sliceSize; j++) reference[id * sliceSize + j] += x[row * sliceSize + j];
      });

      assert.deepEqual(actual.shape, [testCase.numSegments, ...testCase.xShape.slice(1)]);
      assertClose(actual.values, expected.values, 1e-6, 'against cpu');
      assertClose(actual.values, reference, 1e-6, 'against the loop');
    });
  }

  it('gather gradient on wasm matches cpu', async () => {
    const table = randomValues(10 * 4, 8);
    const weights = randomValues(6 * 4, 9);
    const indices = [3, 1, 3, 9, 0, 3];
    const compute = () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d(indices, 'int32')), tf.tensor(weights, [6, 4]))))(tf.tensor(table, [10, 4]));

    const actual = await runOn('wasm', compute);
    const expected = await runOn('cpu', compute);

    assertClose(actual.values, expected.values, 1e-6, 'gather gradient');
  });
});

describe('selectBackend', () => {
  after(async () => {
    await tf.setBackend('wasm');
  });

  it('wasm selection reports its device', async () => {
    const selected = await selectBackend('wasm');
    assert.equal(selected.name, 'wasm');
    assert.match(selected.device, /WebAssembly, 1 thread/);
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('auto explains every faster backend it skipped', async () => {
    const selected = await selectBackend('auto');
    const order = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
    assert.equal(selected.reasons.length, order.indexOf(selected.name));
    for (const reason of selected.reasons) assert.ok(reason.length > 0);
  });

  it('unavailable named backend names the backend field', async () => {
    let installed = true;
    try {
      require.resolve('@tensorflow/tfjs-node-gpu');
    } catch {
      installed = false;
    }
    const failure = await selectBackend('tensorflow-gpu').then(
      () => undefined,
      (error: unknown) => error,
    );

    // With the package installed (and a GPU present) the request may succeed instead.
    if (installed && failure === undefined) {
      assert.equal(tf.getBackend(), 'tensorflow');
      return;
    }
    assert.ok(isUserInputError(failure), String(failure));
    assert.equal(failure.location.field, 'backend');
    assert.match(failure.message, /tensorflow-gpu/);
  });

  it('cpu backend gets the fast segment sum', async () => {
    const selected = await selectBackend('cpu');
    assert.equal(selected.name, 'cpu');
    const sum = tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor1d([2, 0, 2], 'int32'), 21128);
    const values = await sum.data();
    assert.deepEqual(sum.shape, [21128, 2]);
    assert.deepEqual(Array.from(values.slice(0, 6)), [3, 4, 0, 0, 6, 8]);
    sum.dispose();
  });
});
