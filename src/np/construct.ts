// Making arrays: from nested lists, filled with a value, ranges, and joined from others.

import { ArrayInput, NDArray, NestedNumbers } from "./ndarray";
import { formatShape, normalizeAxis, sizeOf, toShape } from "./shape";
import { describe } from "../describe";

/** Returns a new array holding a copy of `values` (a number gives a 0-d array), like np.array. */
export function array(values: ArrayInput): NDArray {
  return values instanceof NDArray ? values.copy() : fromNested("np.array", values);
}

/** Returns `values` itself if it is an NDArray, else a new array made from it; `fn` names the caller in errors. */
export function asArray(fn: string, values: ArrayInput): NDArray {
  return values instanceof NDArray ? values : fromNested(fn, values);
}

/** Returns an array of the given shape (`n` or `[n, m, ...]`) filled with zeros. */
export function zeros(shape: number | number[]): NDArray {
  const dims = toShape("np.zeros", shape);
  return new NDArray(new Float64Array(sizeOf(dims)), dims);
}

/** Returns an array of the given shape filled with ones. */
export function ones(shape: number | number[]): NDArray {
  return full(shape, 1);
}

/** Returns an array of the given shape filled with `value`. */
export function full(shape: number | number[], value: number): NDArray {
  const dims = toShape("np.full", shape);
  return new NDArray(new Float64Array(sizeOf(dims)).fill(value), dims);
}

/** Returns an array of zeros with the same shape as `a`. */
export function zerosLike(a: NDArray): NDArray {
  return zeros(a.shape);
}

/** Returns the 1-D array [start, start + step, ...] of the numbers below `stop`; `arange(n)` is [0, 1, ..., n-1]. */
export function arange(start: number, stop?: number, step = 1): NDArray {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`np.arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  // numpy fills start + i * delta with delta = (start + step) - start, which may round differently from step.
  const delta = start + step - start;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = start + i * delta;
  return new NDArray(out, [n]);
}

/** Returns the arrays joined along `axis`; their shapes must agree on every other axis. */
export function concatenate(arrays: ArrayInput[], axis = 0): NDArray {
  const parts = arrays.map((a) => asArray("np.concatenate", a));
  if (parts.length === 0) throw new Error("np.concatenate: needs at least one array to concatenate, got none");
  const first = parts[0];
  if (first.ndim === 0) throw new Error("np.concatenate: zero-dimensional arrays cannot be concatenated; use np.array([...]) to make a 1-D array");
  const ax = normalizeAxis("np.concatenate", axis, first.ndim);
  parts.forEach((part, k) => {
    const agrees = part.ndim === first.ndim && part.shape.every((n, i) => i === ax || n === first.shape[i]);
    if (!agrees) {
      throw new Error(
        `np.concatenate: all arrays must have the same shape except along axis ${axis}; ` +
          `array 0 has shape ${formatShape(first.shape)} and array ${k} has shape ${formatShape(part.shape)}`,
      );
    }
  });
  const outer = sizeOf(first.shape.slice(0, ax));
  const inner = sizeOf(first.shape.slice(ax + 1));
  const shape = [...first.shape];
  shape[ax] = parts.reduce((total, part) => total + part.shape[ax], 0);
  const out = new Float64Array(sizeOf(shape));
  // Each block of the result is, in turn, one block of every part.
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const part of parts) {
      const block = part.shape[ax] * inner;
      out.set(part.data.subarray(o * block, (o + 1) * block), at);
      at += block;
    }
  }
  return new NDArray(out, shape);
}

/** Returns the arrays stacked as rows (axis 0); a 1-D array of length n counts as one row of shape (1, n). */
export function vstack(arrays: ArrayInput[]): NDArray {
  const rows = arrays.map((a) => {
    const part = asArray("np.vstack", a);
    return part.ndim >= 2 ? part : part.reshape(1, part.size);
  });
  return concatenate(rows, 0);
}

/** Returns a new array from a number or rectangular nested arrays of numbers. */
function fromNested(fn: string, values: NestedNumbers): NDArray {
  const shape: number[] = [];
  for (let v = values; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const data = new Float64Array(sizeOf(shape));
  let k = 0;
  const fill = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== "number") {
        throw new Error(`${fn}: expected a number at ${path}, got ${describe(v)} (nested arrays must be rectangular)`);
      }
      data[k++] = v;
    } else if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(
        `${fn}: nested arrays must be rectangular: expected ${path} to be an array of length ${shape[depth]}, got ${describe(v)}`,
      );
    } else {
      v.forEach((item, i) => fill(item, depth + 1, `${path}[${i}]`));
    }
  };
  fill(values, 0, "values");
  return new NDArray(data, shape);
}

