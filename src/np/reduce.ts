// Reductions: sum, mean, max and argmax over all elements or along one axis.
// `np.sum(a)` returns a number; `np.sum(a, axis, keepdims)` returns an array (axis null: all axes).

import { asArray } from "./construct";
import { ArrayInput, NDArray } from "./ndarray";
import { formatShape, normalizeAxis, sizeOf } from "./shape";

/** Reduces `count` elements of `data`, `stride` apart from `start`, to one number. */
type LineReducer = (data: Float64Array, start: number, count: number, stride: number) => number;

/** Returns the sum of all elements, added in numpy's order so that it equals np.sum bit for bit. */
export function sum(a: ArrayInput): number;
/** Returns the sums along `axis` (null: all axes): the shape of `a` without that axis, or with size 1 there if keepdims. */
export function sum(a: ArrayInput, axis: number | null, keepdims?: boolean): NDArray;
export function sum(a: ArrayInput, axis?: number | null, keepdims = false): number | NDArray {
  return reduce("np.sum", a, axis, keepdims, true, sumLine);
}

/** Returns the mean of all elements (the sum divided by the count, as numpy). */
export function mean(a: ArrayInput): number;
/** Returns the means along `axis` (null: all axes), shaped as for np.sum. */
export function mean(a: ArrayInput, axis: number | null, keepdims?: boolean): NDArray;
export function mean(a: ArrayInput, axis?: number | null, keepdims = false): number | NDArray {
  return reduce("np.mean", a, axis, keepdims, true, (data, start, count, stride) => sumLine(data, start, count, stride) / count);
}

/** Returns the largest element (NaN if any element is NaN, as numpy). */
export function max(a: ArrayInput): number;
/** Returns the largest elements along `axis` (null: all axes), shaped as for np.sum. */
export function max(a: ArrayInput, axis: number | null, keepdims?: boolean): NDArray;
export function max(a: ArrayInput, axis?: number | null, keepdims = false): number | NDArray {
  return reduce("np.max", a, axis, keepdims, false, (data, start, count, stride) => data[start + argmaxLine(data, start, count, stride) * stride]);
}

/** Returns the flat index of the largest element (the first one if tied; the first NaN if any). */
export function argmax(a: ArrayInput): number;
/** Returns the indices of the largest elements along `axis` (null: flat index), shaped as for np.sum. */
export function argmax(a: ArrayInput, axis: number | null, keepdims?: boolean): NDArray;
export function argmax(a: ArrayInput, axis?: number | null, keepdims = false): number | NDArray {
  return reduce("np.argmax", a, axis, keepdims, false, argmaxLine);
}

/**
 * Applies `line` to all elements (axis undefined or null) or to each line along `axis`.
 * `emptyOk` says whether an empty line has a value (a sum of nothing is 0; a max of nothing is an error).
 */
function reduce(fn: string, a: ArrayInput, axis: number | null | undefined, keepdims: boolean, emptyOk: boolean, line: LineReducer): number | NDArray {
  const x = asArray(fn, a);
  const ax = axis == null ? null : normalizeAxis(fn, axis, x.ndim);
  if (!emptyOk && (ax === null ? x.size : x.shape[ax]) === 0) {
    throw new Error(`${fn}: cannot reduce an array of shape ${formatShape(x.shape)} along ${ax === null ? "all axes" : `axis ${axis}`}: there are no elements to compare`);
  }
  if (ax === null) {
    const value = line(x.data, 0, x.size, 1);
    if (axis === undefined && !keepdims) return value;
    return new NDArray(Float64Array.of(value), keepdims ? x.shape.map(() => 1) : []);
  }
  const count = x.shape[ax];
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) out[o * inner + i] = line(x.data, o * count * inner + i, count, inner);
  }
  const shape = keepdims ? x.shape.map((n, i) => (i === ax ? 1 : n)) : x.shape.filter((_, i) => i !== ax);
  return new NDArray(out, shape);
}

// numpy adds a contiguous line in blocks of 8192 (its buffer size), each block by pairwise
// summation; along any other axis it adds one element after the other.
const BLOCK = 8192;

/** Returns the sum of a line, in the order numpy adds it. */
function sumLine(data: Float64Array, start: number, count: number, stride: number): number {
  let total = 0;
  if (stride === 1) {
    for (let from = 0; from < count; from += BLOCK) total += pairwiseSum(data, start + from, Math.min(BLOCK, count - from));
  } else {
    for (let k = 0; k < count; k++) total += data[start + k * stride];
  }
  return total;
}

/**
 * Returns the sum of data[start .. start+n-1] by numpy's pairwise summation: below 8 elements
 * one by one; up to 128 with 8 running sums combined as a tree; above that split in two halves.
 * The rounding error then grows like log(n) instead of n.
 */
function pairwiseSum(data: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let total = 0;
    for (let i = 0; i < n; i++) total += data[start + i];
    return total;
  }
  if (n <= 128) {
    const r = data.slice(start, start + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += data[start + i + j];
    }
    let total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) total += data[start + i];
    return total;
  }
  const half = Math.floor(n / 2) - (Math.floor(n / 2) % 8);
  return pairwiseSum(data, start, half) + pairwiseSum(data, start + half, n - half);
}

/** Returns the position in its line of the largest element (first if tied, first NaN if any). */
function argmaxLine(data: Float64Array, start: number, count: number, stride: number): number {
  let best = 0;
  for (let k = 0; k < count; k++) {
    const v = data[start + k * stride];
    if (Number.isNaN(v)) return k;
    if (v > data[start + best * stride]) best = k;
  }
  return best;
}
