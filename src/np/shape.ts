// Shapes: sizes, axis numbers and numpy's broadcasting rule.

/** Returns a shape written the way numpy prints it: "(2, 3)", "(4,)" or "()". */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Returns the number of elements of an array of this shape (1 for a 0-d array). */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const n of shape) size *= n;
  return size;
}

/** Returns the shape given as `n` or `[n, m, ...]`, checked to hold non-negative integers. */
export function toShape(fn: string, shape: number | readonly number[]): number[] {
  const dims = typeof shape === "number" ? [shape] : [...shape];
  for (const n of dims) {
    if (!Number.isInteger(n)) {
      throw new Error(`${fn}: shape ${formatShape(dims)} must hold integers, got ${n}`);
    }
    if (n < 0) throw new Error(`${fn}: negative dimensions are not allowed, got shape ${formatShape(dims)}`);
  }
  return dims;
}

/** Returns `axis` as an index in 0..ndim-1 (negative axes count from the end, as in numpy). */
export function normalizeAxis(fn: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new Error(`${fn}: axis ${axis} is out of bounds for an array of dimension ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * Returns the broadcast shape of `a` and `b` (numpy's rule: align the shapes on the right;
 * two sizes are compatible when they are equal or one of them is 1).
 */
export function broadcastShapes(fn: string, a: readonly number[], b: readonly number[]): number[] {
  const ndim = Math.max(a.length, b.length);
  const out = new Array<number>(ndim);
  for (let i = 1; i <= ndim; i++) {
    const n = i <= a.length ? a[a.length - i] : 1;
    const m = i <= b.length ? b[b.length - i] : 1;
    if (n !== m && n !== 1 && m !== 1) {
      throw new Error(
        `${fn}: operands could not be broadcast together with shapes ${formatShape(a)} and ${formatShape(b)}: ` +
          `axis ${ndim - i} of the result would need ${n} and ${m} (sizes must match or one must be 1)`,
      );
    }
    out[ndim - i] = n === 1 ? m : n;
  }
  return out;
}

/**
 * Returns the strides (in elements) for reading an array of shape `shape` as if it had shape
 * `outShape`: 0 on the axes it is broadcast along.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = 1; i <= shape.length; i++) {
    const n = shape[shape.length - i];
    strides[outShape.length - i] = n === 1 ? 0 : stride;
    stride *= n;
  }
  return strides;
}
