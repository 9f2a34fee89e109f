// Element-by-element functions. The binary ones broadcast like numpy: a (n, 1) column and a
// (1, m) row give (n, m); a number works as an array of any shape.

import { asArray } from "./construct";
import { ArrayInput, NDArray } from "./ndarray";
import { broadcastShapes, broadcastStrides, formatShape, sizeOf } from "./shape";

/** The four arithmetic operations, by numpy's names. */
type Arithmetic = "add" | "subtract" | "multiply" | "divide";

/** Returns x op y. (A switch on a name, rather than a callback per element, keeps the loops fast.) */
function arithmetic(op: Arithmetic, x: number, y: number): number {
  switch (op) {
    case "add":
      return x + y;
    case "subtract":
      return x - y;
    case "multiply":
      return x * y;
    case "divide":
      return x / y;
  }
}

/** Returns `a op b` element by element, with `a` and `b` broadcast together; shape: the broadcast shape. */
function broadcastOp(op: Arithmetic, a: ArrayInput, b: ArrayInput): NDArray {
  const fn = `np.${op}`;
  const x = asArray(fn, a);
  const y = asArray(fn, b);
  const xd = x.data;
  const yd = y.data;
  if (x.ndim === y.ndim && x.shape.every((n, i) => n === y.shape[i])) {
    // The common case, equal shapes, in one plain loop.
    const out = new Float64Array(xd.length);
    for (let i = 0; i < out.length; i++) out[i] = arithmetic(op, xd[i], yd[i]);
    return new NDArray(out, x.shape);
  }
  const { shape, rowLength, xRows, yRows, xStep, yStep } = broadcastRows(fn, x.shape, y.shape);
  const out = new Float64Array(rowLength * xRows.length);
  for (let r = 0, i = 0; r < xRows.length; r++) {
    for (let j = 0; j < rowLength; j++) out[i++] = arithmetic(op, xd[xRows[r] + j * xStep], yd[yRows[r] + j * yStep]);
  }
  return new NDArray(out, shape);
}

/**
 * Returns how to walk two broadcast operands row by row (a row: along the last axis of the
 * broadcast shape): where each row starts in x.data and y.data, and the step along a row in each
 * (0 where that operand is broadcast, e.g. a (n, 1) column added to a (n, m) array).
 */
function broadcastRows(fn: string, xShape: number[], yShape: number[]) {
  const shape = broadcastShapes(fn, xShape, yShape);
  const ndim = shape.length;
  const sx = broadcastStrides(xShape, shape);
  const sy = broadcastStrides(yShape, shape);
  const rowLength = ndim === 0 ? 1 : shape[ndim - 1];
  const rows = rowLength === 0 ? 0 : sizeOf(shape) / rowLength;
  const xRows = new Int32Array(rows);
  const yRows = new Int32Array(rows);
  // An odometer over the axes before the last: step the last axis that has not wrapped.
  const counter = new Array<number>(ndim).fill(0);
  for (let r = 1; r < rows; r++) {
    let px = xRows[r - 1];
    let py = yRows[r - 1];
    for (let ax = ndim - 2; ax >= 0; ax--) {
      px += sx[ax];
      py += sy[ax];
      if (++counter[ax] < shape[ax]) break;
      px -= sx[ax] * shape[ax];
      py -= sy[ax] * shape[ax];
      counter[ax] = 0;
    }
    xRows[r] = px;
    yRows[r] = py;
  }
  return { shape, rowLength, xRows, yRows, xStep: sx[ndim - 1] ?? 0, yStep: sy[ndim - 1] ?? 0 };
}

/** Returns f(x) for each element x of `a`, same shape; `fn` names the caller in errors. */
function mapOp(fn: string, a: ArrayInput, f: (x: number) => number): NDArray {
  const x = asArray(fn, a);
  const out = new Float64Array(x.size);
  for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]);
  return new NDArray(out, x.shape);
}

/** Returns a + b, broadcast; shape: the broadcast shape. */
export function add(a: ArrayInput, b: ArrayInput): NDArray {
  return broadcastOp("add", a, b);
}

/** Returns a - b, broadcast; shape: the broadcast shape. */
export function subtract(a: ArrayInput, b: ArrayInput): NDArray {
  return broadcastOp("subtract", a, b);
}

/** Returns a * b element by element (not the matrix product: see np.dot), broadcast. */
export function multiply(a: ArrayInput, b: ArrayInput): NDArray {
  return broadcastOp("multiply", a, b);
}

/** Returns a / b element by element, broadcast. */
export function divide(a: ArrayInput, b: ArrayInput): NDArray {
  return broadcastOp("divide", a, b);
}

/** Returns tanh of each element, same shape. */
export function tanh(a: ArrayInput): NDArray {
  return mapOp("np.tanh", a, Math.tanh);
}

/** Returns e to the power of each element, same shape. */
export function exp(a: ArrayInput): NDArray {
  return mapOp("np.exp", a, Math.exp);
}

/** Returns the natural logarithm of each element, same shape (NaN for negative elements, -Infinity for 0). */
export function log(a: ArrayInput): NDArray {
  return mapOp("np.log", a, Math.log);
}

/** Returns the square root of each element, same shape. */
export function sqrt(a: ArrayInput): NDArray {
  return mapOp("np.sqrt", a, Math.sqrt);
}

/** Returns each element squared, same shape. */
export function square(a: ArrayInput): NDArray {
  return mapOp("np.square", a, (x) => x * x);
}

/** Returns the absolute value of each element, same shape. */
export function abs(a: ArrayInput): NDArray {
  return mapOp("np.abs", a, Math.abs);
}

/** Returns the logistic sigmoid 1 / (1 + exp(-x)) of each element, same shape (not in numpy; the course defines it). */
export function sigmoid(a: ArrayInput): NDArray {
  return mapOp("np.sigmoid", a, (x) => 1 / (1 + Math.exp(-x)));
}

/**
 * Returns `a` with each element limited to [lo, hi], same shape. With `out` (e.g. `a` itself,
 * as numpy's `np.clip(g, -5, 5, out=g)`) the result is written there and `out` is returned.
 */
export function clip(a: ArrayInput, lo: number, hi: number, out?: NDArray): NDArray {
  const x = asArray("np.clip", a);
  if (out && (out.ndim !== x.ndim || out.shape.some((n, i) => n !== x.shape[i]))) {
    throw new Error(`np.clip: out must have the shape of a, ${formatShape(x.shape)}, got ${formatShape(out.shape)}`);
  }
  const result = out ?? new NDArray(new Float64Array(x.size), x.shape);
  for (let i = 0; i < x.size; i++) {
    // numpy's minimum(maximum(x, lo), hi): NaN stays NaN, and hi wins if lo > hi.
    const v = x.data[i] < lo ? lo : x.data[i];
    result.data[i] = v > hi ? hi : v;
  }
  return result;
}

/**
 * Returns true when every |a - b| <= atol + rtol * |b| (broadcast), as np.allclose: NaN is never
 * close, an infinity only to the same infinity.
 */
export function allclose(a: ArrayInput, b: ArrayInput, rtol = 1e-5, atol = 1e-8): boolean {
  const x = asArray("np.allclose", a);
  const y = asArray("np.allclose", b);
  const { rowLength, xRows, yRows, xStep, yStep } = broadcastRows("np.allclose", x.shape, y.shape);
  for (let r = 0; r < xRows.length; r++) {
    for (let j = 0; j < rowLength; j++) {
      const u = x.data[xRows[r] + j * xStep];
      const v = y.data[yRows[r] + j * yStep];
      const close = u === v || (Number.isFinite(u) && Number.isFinite(v) && Math.abs(u - v) <= atol + rtol * Math.abs(v));
      if (!close) return false;
    }
  }
  return true;
}
