// Batches with dynamic padding and length bucketing: texts of similar length share a batch, so little
// compute goes to [PAD] tokens, while the batch order stays random from epoch to epoch.

import { createRandom, mixSeed, shuffle } from './random';

/** One tokenized example. */
export interface EncodedExample {
  /** 1-based row in the data file. */
  row: number;
  inputIds: number[];
  label: number;
}

/** A padded batch in flat typed arrays, [batchSize, seqLength] row-major. */
export interface Batch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels: Int32Array;
  batchSize: number;
  seqLength: number;
  /** Indices into the example list the batch was built from. */
  indices: number[];
  /** Non-padding tokens in the batch. */
  tokens: number;
}

/** How many batches of similar length are formed from one shuffled pool before the pool is sorted. */
const BUCKET_POOL_BATCHES = 50;

/**
 * Returns the example order of one epoch as batches of indices. The order depends only on the seed, the
 * epoch and the examples, so a resumed run replays it exactly.
 */
export function epochBatchOrder(examples: EncodedExample[], batchSize: number, seed: number, epoch: number): number[][] {
  const random = createRandom(mixSeed(seed, epoch));
  const order = shuffle(
    examples.map((_, index) => index),
    random,
  );
  const batches: number[][] = [];
  const poolSize = batchSize * BUCKET_POOL_BATCHES;
  for (let start = 0; start < order.length; start += poolSize) {
    const pool = order.slice(start, start + poolSize);
    // A stable sort by length keeps the shuffled order among equal lengths.
    pool.sort((a, b) => examples[a].inputIds.length - examples[b].inputIds.length);
    for (let offset = 0; offset < pool.length; offset += batchSize) {
      batches.push(pool.slice(offset, offset + batchSize));
    }
  }
  return shuffle(batches, random);
}

/** Batches in length order for evaluation, where order does not matter and padding does. */
export function evaluationBatchOrder(examples: EncodedExample[], batchSize: number): number[][] {
  const order = examples.map((_, index) => index).sort((a, b) => examples[a].inputIds.length - examples[b].inputIds.length);
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}

/** Pads the examples at `indices` to their longest member with `padTokenId`. */
export function makeBatch(examples: EncodedExample[], indices: number[], padTokenId: number): Batch {
  const batchSize = indices.length;
  let seqLength = 1;
  for (const index of indices) seqLength = Math.max(seqLength, examples[index].inputIds.length);

  const inputIds = new Int32Array(batchSize * seqLength).fill(padTokenId);
  const attentionMask = new Int32Array(batchSize * seqLength);
  const labels = new Int32Array(batchSize);
  let tokens = 0;
  indices.forEach((index, b) => {
    const ids = examples[index].inputIds;
    inputIds.set(ids, b * seqLength);
    attentionMask.fill(1, b * seqLength, b * seqLength + ids.length);
    labels[b] = examples[index].label;
    tokens += ids.length;
  });
  return { inputIds, attentionMask, labels, batchSize, seqLength, indices, tokens };
}
