// NDArray: an n-dimensional array of float64 numbers, stored row-major (C order) in one
// Float64Array, with numpy's names. Every array owns contiguous data: `reshape` and `ravel`
// share it (like numpy views); `T`, `transpose`, `take` and `copy` return new data.

import { inspect } from "util";
import { formatArray } from "./format";
import { formatShape, normalizeAxis, sizeOf, toShape } from "./shape";

/** A number or nested arrays of numbers, as given to `np.array`. */
export type NestedNumbers = number | NestedNumbers[];

/** What numpy calls "array_like": an NDArray, a number, or nested arrays of numbers. */
export type ArrayInput = NDArray | NestedNumbers;

export class NDArray {
  /** The elements in row-major order: element (i, j) of a 2-D array is data[i * shape[1] + j]. */
  readonly data: Float64Array;
  /** The size of each axis, e.g. [nA, m, Tx]. */
  readonly shape: number[];

  /** Wraps `data` (not copied) as an array of shape `shape`. */
  constructor(data: Float64Array, shape: readonly number[]) {
    this.shape = toShape("NDArray", shape);
    if (data.length !== sizeOf(this.shape)) {
      throw new Error(
        `NDArray: shape ${formatShape(this.shape)} needs ${sizeOf(this.shape)} elements, got ${data.length}`,
      );
    }
    this.data = data;
  }

  /** Returns the number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Returns the number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Returns the element at `index` (one integer per axis; negative ones count from the end). */
  get(...index: number[]): number {
    return this.data[this.offset("NDArray.get", index)];
  }

  /** Sets the element at the given index to the last argument: `a.set(i, j, value)`. */
  set(...indexAndValue: number[]): void {
    const value = indexAndValue[indexAndValue.length - 1];
    this.data[this.offset("NDArray.set", indexAndValue.slice(0, -1))] = value;
  }

  /** Returns the only element of an array of size 1 as a number (numpy's `item()`). */
  item(): number {
    if (this.size !== 1) {
      throw new Error(`NDArray.item: only an array of size 1 converts to a number, this one has shape ${formatShape(this.shape)}`);
    }
    return this.data[0];
  }

  /**
   * Returns the same data seen with another shape: `a.reshape(2, 3)` or `a.reshape([2, 3])`.
   * One size may be -1: it is inferred from the others. The result shares this array's data.
   */
  reshape(...shape: (number | number[])[]): NDArray {
    const dims = shape.length === 1 && Array.isArray(shape[0]) ? [...shape[0]] : (shape as number[]);
    const unknown = dims.indexOf(-1);
    if (unknown >= 0) {
      const known = -sizeOf(dims);
      if (known === 0 || this.size % known !== 0 || dims.indexOf(-1, unknown + 1) >= 0) {
        throw new Error(`NDArray.reshape: cannot reshape an array of size ${this.size} into shape ${formatShape(dims)}`);
      }
      dims[unknown] = this.size / known;
    }
    if (sizeOf(toShape("NDArray.reshape", dims)) !== this.size) {
      throw new Error(
        `NDArray.reshape: cannot reshape an array of shape ${formatShape(this.shape)} (size ${this.size}) into shape ${formatShape(dims)}`,
      );
    }
    return new NDArray(this.data, dims);
  }

  /** Returns the elements as a 1-D array of shape (size,), sharing this array's data. */
  ravel(): NDArray {
    return new NDArray(this.data, [this.size]);
  }

  /** Returns a copy with its own data. */
  copy(): NDArray {
    return new NDArray(this.data.slice(), this.shape);
  }

  /** Returns the transpose (axes reversed), as a copy: (n, m) becomes (m, n). */
  get T(): NDArray {
    return this.transpose();
  }

  /**
   * Returns a copy with the axes permuted: axis i of the result is axis `axes[i]` of this array.
   * Without arguments the axes are reversed.
   */
  transpose(...axes: number[]): NDArray {
    const ndim = this.ndim;
    const order = axes.length === 0 ? this.shape.map((_, i) => ndim - 1 - i) : axes.map((ax) => normalizeAxis("NDArray.transpose", ax, ndim));
    if (order.length !== ndim || new Set(order).size !== ndim) {
      throw new Error(`NDArray.transpose: axes [${axes.join(", ")}] are not a permutation of the ${ndim} axes of shape ${formatShape(this.shape)}`);
    }
    const inStrides = stridesOf(this.shape);
    const outShape = order.map((ax) => this.shape[ax]);
    const strides = order.map((ax) => inStrides[ax]);
    const out = new Float64Array(this.size);
    // Walk the result in order, keeping `src` at the matching element of this array.
    const counter = new Array<number>(ndim).fill(0);
    let src = 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = this.data[src];
      for (let ax = ndim - 1; ax >= 0; ax--) {
        src += strides[ax];
        if (++counter[ax] < outShape[ax]) break;
        src -= strides[ax] * outShape[ax];
        counter[ax] = 0;
      }
    }
    return new NDArray(out, outShape);
  }

  /**
   * Returns the slice at `index` along `axis`, with that axis removed, as a copy: for x of
   * shape (nX, m, Tx), `x.take(t, 2)` is numpy's `x[:, :, t]` (or `np.take(x, t, axis=2)`), shape (nX, m).
   */
  take(index: number, axis: number): NDArray {
    const slice = this.sliceLayout("NDArray.take", index, axis);
    const out = new Float64Array(slice.outer * slice.inner);
    for (let o = 0, k = 0; o < slice.outer; o++) {
      const from = o * slice.step + slice.start;
      for (let i = 0; i < slice.inner; i++) out[k++] = this.data[from + i];
    }
    return new NDArray(out, slice.shape);
  }

  /**
   * Writes `values` into the slice at `index` along `axis` (the inverse of `take`): for a of shape
   * (nA, m, Tx), `a.setTake(t, 2, aNext)` is numpy's `a[:, :, t] = aNext` with aNext of shape (nA, m).
   * A number fills the whole slice.
   */
  setTake(index: number, axis: number, values: NDArray | number): void {
    const slice = this.sliceLayout("NDArray.setTake", index, axis);
    if (typeof values !== "number" && formatShape(values.shape) !== formatShape(slice.shape)) {
      throw new Error(
        `NDArray.setTake: values of shape ${formatShape(values.shape)} do not fit index ${index} of axis ${axis} ` +
          `of an array of shape ${formatShape(this.shape)}: expected shape ${formatShape(slice.shape)}`,
      );
    }
    for (let o = 0, k = 0; o < slice.outer; o++) {
      const to = o * slice.step + slice.start;
      for (let i = 0; i < slice.inner; i++) this.data[to + i] = typeof values === "number" ? values : values.data[k++];
    }
  }

  /** Returns the elements as nested JavaScript arrays (a number for a 0-d array), like numpy's `tolist()`. */
  tolist(): NestedNumbers {
    const build = (axis: number, offset: number): NestedNumbers => {
      if (axis === this.ndim) return this.data[offset];
      const stride = sizeOf(this.shape.slice(axis + 1));
      return Array.from({ length: this.shape[axis] }, (_, i) => build(axis + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** Returns numpy's repr of this array, e.g. "array([[1., 2.],\n       [3., 4.]])". */
  toString(): string {
    return formatArray(this.data, this.shape);
  }

  /** Shows the array like numpy when Node or a notebook prints it. */
  [inspect.custom](): string {
    return this.toString();
  }

  /** Returns the position in `data` of a full index, checked against the shape. */
  private offset(fn: string, index: number[]): number {
    if (index.length !== this.ndim) {
      throw new Error(`${fn}: an array of shape ${formatShape(this.shape)} needs ${this.ndim} indices, got ${index.length} ([${index.join(", ")}])`);
    }
    let offset = 0;
    for (let ax = 0; ax < index.length; ax++) {
      offset = offset * this.shape[ax] + checkIndex(fn, index[ax], ax, this.shape[ax]);
    }
    return offset;
  }

  /**
   * Returns where the slice at `index` along `axis` lies in `data`: `outer` runs of `inner`
   * elements, `step` apart, the first at `start`; and the slice's shape (this shape without `axis`).
   */
  private sliceLayout(fn: string, index: number, axis: number) {
    const ax = normalizeAxis(fn, axis, this.ndim);
    const inner = sizeOf(this.shape.slice(ax + 1));
    return {
      outer: sizeOf(this.shape.slice(0, ax)),
      inner,
      step: this.shape[ax] * inner,
      start: checkIndex(fn, index, ax, this.shape[ax]) * inner,
      shape: this.shape.filter((_, i) => i !== ax),
    };
  }
}

/** Returns the strides (in elements) of a row-major array of this shape. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    strides[ax] = stride;
    stride *= shape[ax];
  }
  return strides;
}

/** Returns `index` in 0..n-1 (negative indices count from the end), or throws naming the axis. */
function checkIndex(fn: string, index: number, axis: number, n: number): number {
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new Error(`${fn}: index ${index} is out of bounds for axis ${axis} with size ${n}`);
  }
  return index < 0 ? index + n : index;
}
