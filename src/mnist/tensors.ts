// Lesson 2's digits as tensors, made per batch, scaled to [0, 1], and disposed by whoever asked for them.
import { numClasses, pick, shiftDigit, subset } from "../data/mnist";
import type { MnistSet } from "../data/mnist";
import { RandomState } from "../np/random";
import { tf } from "../tf/backend";

/** Returns the flat pixels of digits start…end−1 as a float32 tensor [N, 784], still 0–255. */
export function pixelsTensor(set: MnistSet, start = 0, end = set.count): tf.Tensor2D {
  const part = subset(set, start, end);
  return tf.tensor2d(Float32Array.from(part.images), [part.count, set.rows * set.cols]);
}

/** Returns flat pixels [N, 784] (0–255) as sequences [N, 28, 28] scaled to [0, 1]: row t of a digit is step t. */
export function toSequences(pixels: tf.Tensor2D): tf.Tensor3D {
  if (pixels.rank !== 2 || pixels.shape[1] !== 28 * 28) {
    throw new Error(`toSequences: pixels must have shape [N, 784], got [${pixels.shape.join(", ")}].`);
  }
  return tf.tidy(() => tf.div(tf.reshape(pixels, [pixels.shape[0], 28, 28]), 255) as tf.Tensor3D);
}

/** Returns digits start…end−1 as a float32 tensor [N, 28, 28] scaled to [0, 1]. */
export function imagesTensor(set: MnistSet, start = 0, end = set.count): tf.Tensor3D {
  const part = subset(set, start, end);
  const scaled = new Float32Array(part.images.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = part.images[i] / 255;
  return tf.tensor3d(scaled, [part.count, set.rows, set.cols]);
}

/** Returns the labels of digits start…end−1: one-hot float32 [N, 10], or integers int32 [N] when oneHot is false. */
export function labelsTensor(set: MnistSet, start = 0, end = set.count, oneHot = true): tf.Tensor {
  const part = subset(set, start, end);
  if (!oneHot) return tf.tensor1d(Int32Array.from(part.labels), "int32");
  const hot = new Float32Array(part.count * numClasses);
  part.labels.forEach((label, i) => (hot[i * numClasses + label] = 1));
  return tf.tensor2d(hot, [part.count, numClasses]);
}

/** One batch: xs [B, 28, 28] in [0, 1], ys one-hot [B, 10] (or int32 [B]), and which digits of the set they are. */
export interface Batch {
  xs: tf.Tensor3D;
  ys: tf.Tensor;
  indices: Int32Array;
}

/** How batches are drawn: order, seed, label encoding, and random shifts (augmentation). */
export interface BatchOptions {
  /** Random order (default true), seeded by `seed` (default 0). */
  shuffle?: boolean;
  seed?: number;
  /** One-hot labels [B, 10] (default) or integers [B]. */
  oneHot?: boolean;
  /** Moves each digit by a random whole number of pixels from −shift to shift, across and down (default 0). */
  shift?: number;
}

/**
 * Yields the set in batches of `batchSize` (the last may be smaller), in a seeded random order unless
 * `shuffle: false`. Each batch's tensors are disposed when the next batch is asked for or the loop ends
 * (also by break or throw): keep a tensor past that with tf.clone / tf.keep.
 */
export function* batches(set: MnistSet, batchSize: number, opts: BatchOptions = {}): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batches: batchSize must be a whole number ≥ 1, got ${batchSize}.`);
  const shift = opts.shift ?? 0;
  if (!Number.isInteger(shift) || shift < 0 || shift >= set.rows) throw new Error(`batches: shift must be a whole number from 0 to ${set.rows - 1}, got ${shift}.`);
  const rng = new RandomState(opts.seed ?? 0);
  const order = opts.shuffle === false ? null : rng.permutation(set.count).data;
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const indices = Int32Array.from({ length: n }, (_, k) => (order ? order[start + k] : start + k));
    const part = pick(set, indices);
    if (shift > 0) {
      for (let k = 0; k < n; k++) shiftDigit(part, k, rng.randint(-shift, shift + 1), rng.randint(-shift, shift + 1));
    }
    const batch = { xs: imagesTensor(part), ys: labelsTensor(part, 0, n, opts.oneHot ?? true), indices };
    try {
      yield batch;
    } finally {
      tf.dispose([batch.xs, batch.ys]);
    }
  }
}
