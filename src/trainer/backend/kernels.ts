// Kernels that the TF.js wasm and cpu backends (4.22) lack or run too slowly for BERT training.
//
// - UnsortedSegmentSum: the gradient of `gather` (the embedding lookup) needs it. The wasm backend has
//   no such kernel, and the cpu backend's own builds one mask per segment, which takes seconds per call
//   at a vocabulary of 21,128 rows.
// - BatchMatMul on wasm: only one 2-D product without transposes reaches the XNNPACK path (about
//   26 GFLOP/s for 1024³ on one thread). A transposed or batched product runs at 0.3-2.5 GFLOP/s, and
//   every matMul gradient is transposed. The replacement below turns each case into explicit
//   transposes plus non-transposed 2-D products, which made a BERT training step about 9 times faster
//   (4 layers, 256 wide, batch 8, sequence 48, measured on a 2-core x86 machine).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type TensorInfo = tf.TensorInfo;

/** The kernel function signature TF.js passes to every kernel. */
interface KernelArgs<Inputs, Attrs> {
  inputs: Inputs;
  backend: tf.KernelBackend;
  attrs: Attrs;
}

/** The part of the cpu backend's API this file uses. */
interface CpuBackendLike extends tf.KernelBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): TensorInfo;
}

const registered = new Set<string>();

/**
 * Registers the fast UnsortedSegmentSum for `backendName` and, on wasm, the matMul routing. Safe to
 * call more than once.
 */
export function registerTrainingKernels(backendName: 'wasm' | 'cpu'): void {
  if (registered.has(backendName)) return;
  registered.add(backendName);

  if (tf.getKernel(tf.UnsortedSegmentSum, backendName)) tf.unregisterKernel(tf.UnsortedSegmentSum, backendName);
  tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName, kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });

  if (backendName === 'wasm') {
    const original = tf.getKernel(tf.BatchMatMul, 'wasm');
    if (!original) throw new Error('The wasm backend has no BatchMatMul kernel to route');
    const originalMatMul = original.kernelFunc as unknown as MatMulKernel;
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel({
      kernelName: tf.BatchMatMul,
      backendName: 'wasm',
      setupFunc: original.setupFunc,
      kernelFunc: ((args: MatMulArgs) => routedBatchMatMul(args, originalMatMul)) as unknown as tf.KernelFunc,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// UnsortedSegmentSum

type SegmentSumArgs = KernelArgs<{ x: TensorInfo; segmentIds: TensorInfo }, { numSegments: number }>;

/**
 * Sums the slices of `x` that share a segment id: out[segmentIds[i], ...] += x[i, ...]. Ids outside
 * [0, numSegments) are dropped, as TensorFlow does. Works on any backend whose data `readSync` returns.
 */
export function unsortedSegmentSum({ inputs, backend, attrs }: SegmentSumArgs): TensorInfo {
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs;
  const values = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;

  const idCount = tf.util.sizeFromShape(segmentIds.shape);
  const sliceSize = idCount === 0 ? 0 : values.length / idCount;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const result = x.dtype === 'int32' ? new Int32Array(numSegments * sliceSize) : new Float32Array(numSegments * sliceSize);

  for (let i = 0; i < idCount; i++) {
    const id = ids[i];
    if (id < 0 || id >= numSegments) continue;
    const source = i * sliceSize;
    const target = id * sliceSize;
    for (let j = 0; j < sliceSize; j++) result[target + j] += values[source + j];
  }
  return makeTensorInfo(backend, outShape, x.dtype, result);
}

function makeTensorInfo(backend: tf.KernelBackend, shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array): TensorInfo {
  if (isWasm(backend)) return backend.makeOutput(shape, dtype, undefined, values);
  return (backend as CpuBackendLike).makeTensorInfo(shape, dtype, values);
}

function isWasm(backend: tf.KernelBackend): backend is BackendWasm {
  return typeof (backend as Partial<BackendWasm>).typedArrayFromHeap === 'function';
}

// ---------------------------------------------------------------------------------------------------
// BatchMatMul routing (wasm only)

type MatMulArgs = KernelArgs<{ a: TensorInfo; b: TensorInfo }, { transposeA: boolean; transposeB: boolean }>;
type MatMulKernel = (args: MatMulArgs) => TensorInfo;

/**
 * Computes a batched matMul with transposes through explicit Transpose kernels and 2-D non-transposed
 * products of the original kernel. Batch dimensions must match or one side must have batch size 1.
 * Other broadcasts go to the original kernel.
 */
export function routedBatchMatMul(args: MatMulArgs, original: MatMulKernel): TensorInfo {
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs;
  const backend = args.backend as BackendWasm;

  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const batchesMatch = batchA === batchB || batchA === 1 || batchB === 1;
  const alreadyFast = !transposeA && !transposeB && batchA === 1 && batchB === 1;
  if (alreadyFast || !batchesMatch || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);

  const outShape = [
    ...tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)),
    m,
    n,
  ];

  // Bring both operands to [batch, rows, columns] in the layout the product reads: a as [M, K], b as [K, N].
  const aRows = transposeA ? transposeLastTwo(backend, view(a, [batchA, k, m])) : view(a, [batchA, m, k]);
  const bRows = transposeB ? transposeLastTwo(backend, view(b, [batchB, n, k])) : view(b, [batchB, k, n]);

  let out: TensorInfo;
  if (batchB === 1) {
    // One right-hand matrix for every batch: a single [batchA * M, K] x [K, N] product.
    const product = multiply2d(backend, original, view(aRows, [batchA * m, k]), view(bRows, [k, n]));
    out = { ...product, shape: outShape };
  } else {
    out = multiplyPerBatch(backend, original, aRows, bRows, Math.max(batchA, batchB), m, k, n);
    out.shape = outShape;
  }

  if (transposeA) backend.disposeData(aRows.dataId);
  if (transposeB) backend.disposeData(bRows.dataId);
  return out;
}

/** Runs one 2-D product per batch entry, copying each operand slice into its own heap buffer. */
function multiplyPerBatch(
  backend: BackendWasm,
  original: MatMulKernel,
  a: TensorInfo,
  b: TensorInfo,
  batch: number,
  m: number,
  k: number,
  n: number,
): TensorInfo {
  const batchA = a.shape[0];
  const out = backend.makeOutput([batch, m, n], 'float32');

  for (let i = 0; i < batch; i++) {
    const aSlice = batchA === 1 ? view(a, [m, k]) : backend.makeOutput([m, k], 'float32');
    const bSlice = backend.makeOutput([k, n], 'float32');

    // Heap views are taken after every allocation, because a malloc may grow (and so replace) the heap.
    if (batchA !== 1) {
      backend.typedArrayFromHeap(aSlice).set(backend.typedArrayFromHeap(a).subarray(i * m * k, (i + 1) * m * k));
    }
    backend.typedArrayFromHeap(bSlice).set(backend.typedArrayFromHeap(b).subarray(i * k * n, (i + 1) * k * n));

    const product = multiply2d(backend, original, aSlice, bSlice);
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(product), i * m * n);

    backend.disposeData(product.dataId);
    backend.disposeData(bSlice.dataId);
    if (batchA !== 1) backend.disposeData(aSlice.dataId);
  }
  return out;
}

function multiply2d(backend: BackendWasm, original: MatMulKernel, a: TensorInfo, b: TensorInfo): TensorInfo {
  return original({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } });
}

/** Transposes the last two axes of a rank-3 tensor into a new buffer. */
function transposeLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const transpose = tf.getKernel(tf.Transpose, 'wasm')!.kernelFunc;
  return transpose({ inputs: { x }, backend, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
}

/** Reinterprets a tensor's buffer with another shape of the same size, without a reference of its own. */
function view(x: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: x.dataId, shape, dtype: x.dtype };
}
