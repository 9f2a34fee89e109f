// src/np array operations against numpy 1.24: the cases of test/fixtures/np_ops.json (written by
// np_ops.py), then indexing, views, method forms and error messages.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { inspect } from "node:util";
import * as np from "../../src/np";

type Encoded = number | string | boolean | Encoded[];
interface Case {
  op: string;
  args: unknown[];
  compare: "exact" | "reference" | "ulp";
  expected: Encoded;
}
const fixture: { arrays: Record<string, Encoded>; cases: Case[] } = JSON.parse(
  readFileSync(join(__dirname, "../fixtures/np_ops.json"), "utf8"),
);

/** Returns a fixture value with "nan", "inf" and "-inf" turned back into numbers. */
function decode(value: Encoded): unknown {
  if (Array.isArray(value)) return value.map(decode);
  return value === "nan" ? NaN : value === "inf" ? Infinity : value === "-inf" ? -Infinity : value;
}

/** Returns the array a "gen:kind:seed:shape" name stands for (see np_ops.py), from the same draws. */
function generate(name: string): np.NDArray {
  const [, kind, seed, dims] = name.split(":");
  const shape = dims.split("x").map(Number);
  if (kind === "arange") return np.arange(shape.reduce((p, n) => p * n, 1)).reshape(shape);
  const rs = new np.RandomState(Number(seed));
  const u = rs.random_sample(shape);
  const v = rs.random_sample(shape);
  const out = np.zeros(shape);
  for (let i = 0; i < out.size; i++) {
    const scale = 2 ** Math.floor(40 * v.data[i] - 20);
    const kinds: Record<string, number> = { centered: u.data[i] - 0.5, spread: (u.data[i] - 0.5) * 40, wide: (u.data[i] - 0.5) * scale, positive: u.data[i] * scale };
    out.data[i] = kinds[kind];
  }
  return out;
}

/** Returns a fixture argument as the TypeScript call takes it: names become arrays. */
function resolve(arg: unknown): unknown {
  if (typeof arg === "string") return arg.startsWith("gen:") ? generate(arg) : np.array(decode(fixture.arrays[arg]) as np.NestedNumbers);
  return Array.isArray(arg) ? arg.map(resolve) : arg;
}

// The operations of np_ops.py, called with the same positional arguments.
/* eslint-disable @typescript-eslint/no-explicit-any */
const OPS: Record<string, (...args: any[]) => unknown> = {
  add: np.add, subtract: np.subtract, multiply: np.multiply, divide: np.divide,
  tanh: np.tanh, exp: np.exp, log: np.log, sqrt: np.sqrt, square: np.square, abs: np.abs, sigmoid: np.sigmoid,
  clip: np.clip, outer: np.outer, concatenate: np.concatenate, vstack: np.vstack,
  sum: np.sum, mean: np.mean, max: np.max, argmax: np.argmax, dot: np.dot, matmul: np.matmul, norm: np.norm,
  transpose: (a: np.NDArray, ...axes: number[]) => a.transpose(...axes),
  reshape: (a: np.NDArray, ...shape: number[]) => a.reshape(...shape),
  take: (a: np.NDArray, index: number, axis: number) => a.take(index, axis),
  setTake: (a: np.NDArray, index: number, axis: number, values: np.NDArray) => {
    a.setTake(index, axis, values);
    return a;
  },
  allclose: np.allclose, arange: np.arange, repr: (a: np.NDArray) => String(a),
};

/** Returns the elements of a result in row-major order. */
function flatten(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

/** Returns the distance between two doubles in units in the last place (0 for two equal NaNs). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || a === b) return 0;
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  return Math.abs(Number(view.getBigInt64(0) - view.getBigInt64(8)));
}

const tally = { exact: 0, referenceValues: 0, ulpValues: 0, ulpEqual: 0, maxUlps: 0 };

for (const c of fixture.cases) {
  const label = `${c.op}(${c.args.map((a) => JSON.stringify(a)).join(", ")})`;
  test(`matches numpy (${c.compare}): ${label}`, () => {
    const result = OPS[c.op](...c.args.map(resolve));
    const actual = result instanceof np.NDArray ? result.tolist() : result;
    const expected = decode(c.expected);
    if (result instanceof np.NDArray) assert.equal(JSON.stringify(actual).replace(/[^[\],]/g, ""), JSON.stringify(expected).replace(/[^[\],]/g, ""), "shape");
    const got = flatten(actual) as number[];
    const want = flatten(expected) as number[];
    assert.equal(got.length, want.length);
    if (c.compare === "exact") {
      assert.deepStrictEqual(actual, expected); // Object.is on every element: -0 and NaN count
      tally.exact += got.length;
    } else if (c.compare === "reference") {
      // Bit for bit with sums in index order (the oracle checked numpy's BLAS against the same loop to 1e-14).
      assert.deepStrictEqual(actual, expected);
      tally.referenceValues += got.length;
    } else {
      got.forEach((g, i) => {
        const distance = ulps(g, want[i]);
        tally.ulpValues++;
        if (distance === 0) tally.ulpEqual++;
        tally.maxUlps = Math.max(tally.maxUlps, distance);
        assert.ok(distance <= 2, `element ${i}: ${g} vs numpy ${want[i]} (${distance} ulps apart)`);
      });
    }
  });
}

test("fixture coverage: how many values match numpy bit for bit", (t) => {
  t.diagnostic(`exact cases: ${tally.exact} values, all bit-equal to numpy`);
  t.diagnostic(
    `dot/matmul/norm: ${tally.referenceValues} values, all bit-equal to the index-order loop (numpy's BLAS within 1e-14 of it)`,
  );
  t.diagnostic(`tanh/exp/log/sigmoid: ${tally.ulpEqual} of ${tally.ulpValues} bit-equal to numpy, at most ${tally.maxUlps} ulp apart`);
  assert.ok(tally.exact > 4000 && tally.referenceValues > 500 && tally.ulpValues > 2000);
});

test("printing: util.inspect (what a notebook cell shows) gives numpy's repr", () => {
  const a = np.array([[1, 2.5], [3, -4]]);
  assert.equal(inspect(a), "array([[ 1. ,  2.5],\n       [ 3. , -4. ]])");
  assert.equal(`${np.array(0.5)}`, "array(0.5)");
});

test("reshape and ravel share data with the original, like numpy views; T, take and copy do not", () => {
  const a = np.arange(6);
  const m = a.reshape(2, 3);
  m.set(1, 2, 50);
  assert.equal(a.get(5), 50);
  a.ravel().set(0, -1);
  assert.equal(m.get(0, 0), -1);
  assert.deepEqual(a.reshape([3, -1]).shape, [3, 2]);
  const t = m.T;
  t.set(0, 0, 99);
  assert.equal(m.get(0, 0), -1);
  const row = m.take(0, 0);
  row.set(0, 7);
  assert.equal(m.get(0, 0), -1);
});

test("get and set take one index per axis; negative indices count from the end", () => {
  const x = np.zeros([2, 3, 4]);
  x.set(-1, -1, -1, 5);
  assert.equal(x.get(1, 2, 3), 5);
  assert.equal(x.data[23], 5);
  assert.equal(np.array(4).get(), 4);
  assert.equal(np.array([[3]]).item(), 3);
});

test("an RNN's time loop: take timestep t of (nX, m, Tx), and write a (nA, m) state back with setTake", () => {
  const [nA, m, Tx] = [5, 3, 4];
  const x = np.arange(2 * m * Tx).reshape(2, m, Tx);
  const a = np.zeros([nA, m, Tx]);
  for (let t = 0; t < Tx; t++) {
    const xt = x.take(t, 2);
    assert.deepEqual(xt.shape, [2, m]);
    a.setTake(t, 2, np.full([nA, m], t + xt.get(0, 0)));
  }
  assert.deepEqual(a.take(3, 2).tolist(), np.full([nA, m], 3 + 3).tolist());
  a.setTake(0, -1, 0.5);
  assert.equal(a.get(4, 2, 0), 0.5);
});

test("method forms give the same results as the functions", () => {
  const W = np.array([[1, 2], [3, 4], [5, 6]]);
  const x = np.array([[0.5], [-1]]);
  const b = np.array([[1], [2], [3]]);
  const aNext = W.dot(x).add(b).mul(2).sub(1).div(4);
  assert.deepEqual(aNext.tolist(), np.divide(np.subtract(np.multiply(np.add(np.dot(W, x), b), 2), 1), 4).tolist());
  assert.equal(W.sum(), 21);
  assert.deepEqual(W.sum(0).tolist(), [9, 12]);
  assert.deepEqual(W.sum(1, true).shape, [3, 1]);
  assert.deepEqual(W.sum(null, true).tolist(), [[21]]);
  assert.equal(W.mean(), 3.5);
  assert.equal(W.max(), 6);
  assert.equal(W.argmax(), 5);
  assert.deepEqual(W.argmax(1).tolist(), [1, 1, 1]);
  assert.deepEqual(W.clip(2, 5).tolist(), [[2, 2], [3, 4], [5, 5]]);
});

test("reductions: a number without an axis, an array with one (null: all axes)", () => {
  const a = np.array([[1, 2], [3, 4]]);
  assert.equal(np.sum(a), 10);
  assert.equal(np.sum(a, null).ndim, 0);
  assert.deepEqual(np.sum(a, null, true).shape, [1, 1]);
  assert.equal(np.sum(np.zeros([0])), 0);
  assert.ok(Number.isNaN(np.mean(np.zeros([0]))));
});

test("clip with out writes into the given array, as np.clip(g, -5, 5, out=g)", () => {
  const g = np.array([-10, 0.5, 7]);
  assert.equal(np.clip(g, -5, 5, g), g);
  assert.deepEqual(g.tolist(), [-5, 0.5, 5]);
});

test("dot of two vectors is a 0-d array whose item() is the number", () => {
  assert.equal(np.dot([1, 2, 3], [4, 5, 6]).item(), 32);
});

test("errors name the operation, the shapes and what was expected", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => np.add(np.zeros([2, 3]), np.zeros([4])), /^Error: np\.add: operands could not be broadcast together with shapes \(2, 3\) and \(4,\): axis 1 of the result would need 3 and 4 \(sizes must match or one must be 1\)$/],
    [() => np.multiply(np.zeros([2, 1, 3]), np.zeros([4, 2])), /^Error: np\.multiply: .* shapes \(2, 1, 3\) and \(4, 2\): axis 2 of the result would need 3 and 2/],
    [() => np.dot(np.zeros([2, 3]), np.zeros([4, 1])), /^Error: np\.dot: shapes \(2, 3\) and \(4, 1\) are not aligned: 3 \(dim 1\) != 4 \(dim 0\)$/],
    [() => np.dot(np.zeros([3]), np.zeros([4])), /^Error: np\.dot: shapes \(3,\) and \(4,\) are not aligned: 3 \(dim 0\) != 4 \(dim 0\)$/],
    [() => np.matmul(2, np.zeros([2])), /^Error: np\.matmul: operands must have at least 1 dimension, got shapes \(\) and \(2,\) \(use np\.multiply/],
    [() => np.dot(np.zeros([2, 2, 2]), np.zeros([2, 2])), /^Error: np\.dot: only arrays of 1 or 2 dimensions are supported here, got shapes \(2, 2, 2\) and \(2, 2\)$/],
    [() => np.arange(6).reshape(4, 2), /^Error: NDArray\.reshape: cannot reshape an array of shape \(6,\) \(size 6\) into shape \(4, 2\)$/],
    [() => np.arange(6).reshape(4, -1), /^Error: NDArray\.reshape: cannot reshape an array of size 6 into shape \(4, -1\)$/],
    [() => np.zeros([2, 3]).get(2, 0), /^Error: NDArray\.get: index 2 is out of bounds for axis 0 with size 2$/],
    [() => np.zeros([2, 3]).get(1), /^Error: NDArray\.get: an array of shape \(2, 3\) needs 2 indices, got 1 \(\[1\]\)$/],
    [() => np.zeros([2, 3]).set(0, 3, 1), /^Error: NDArray\.set: index 3 is out of bounds for axis 1 with size 3$/],
    [() => np.array([[1, 2], [3]]), /^Error: np\.array: nested arrays must be rectangular: expected values\[1\] to be an array of length 2, got an array of length 1$/],
    [() => np.array([1, "2" as unknown as number]), /^Error: np\.array: expected a number at values\[1\], got the string "2"/],
    [() => np.concatenate([np.zeros([2, 3]), np.zeros([2, 4])]), /^Error: np\.concatenate: all arrays must have the same shape except along axis 0; array 0 has shape \(2, 3\) and array 1 has shape \(2, 4\)$/],
    [() => np.zeros([5, 3, 4]).setTake(1, 2, np.zeros([5, 1])), /^Error: NDArray\.setTake: values of shape \(5, 1\) do not fit index 1 of axis 2 of an array of shape \(5, 3, 4\): expected shape \(5, 3\)$/],
    [() => np.zeros([5, 3, 4]).take(4, 2), /^Error: NDArray\.take: index 4 is out of bounds for axis 2 with size 4$/],
    [() => np.sum(np.zeros([2, 3]), 2), /^Error: np\.sum: axis 2 is out of bounds for an array of dimension 2$/],
    [() => np.max(np.zeros([0])), /^Error: np\.max: cannot reduce an array of shape \(0,\) along all axes: there are no elements to compare$/],
    [() => np.argmax(np.zeros([3, 0]), 1), /^Error: np\.argmax: cannot reduce an array of shape \(3, 0\) along axis 1/],
    [() => np.zeros([2, -1]), /^Error: np\.zeros: negative dimensions are not allowed, got shape \(2, -1\)$/],
    [() => np.clip(np.zeros([2]), 0, 1, np.zeros([3])), /^Error: np\.clip: out must have the shape of a, \(2,\), got \(3,\)$/],
    [() => new np.NDArray(new Float64Array(5), [2, 3]), /^Error: NDArray: shape \(2, 3\) needs 6 elements, got 5$/],
    [() => np.zeros([2]).item(), /^Error: NDArray\.item: only an array of size 1 converts to a number, this one has shape \(2,\)$/],
    [() => np.zeros([2, 3]).transpose(0, 0), /^Error: NDArray\.transpose: axes \[0, 0\] are not a permutation of the 2 axes of shape \(2, 3\)$/],
    [() => np.arange(0, 5, 0), /^Error: np\.arange: step must be a non-zero finite number, got 0$/],
  ];
  for (const [call, message] of cases) assert.throws(call, message);
});
