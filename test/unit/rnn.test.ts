// src/rnn against a numpy implementation of the same equations (test/fixtures/rnn_cells.py writes
// rnn_cells.json): every output of every function to 1e-12, for shapes including m = 1 and T_x = 1; then the
// backward passes against numerical gradients, and the shape errors.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as np from "../../src/np/index";
import * as rnn from "../../src/rnn/index";

type Nested = number | Nested[];
interface Case {
  seed: number;
  dims: { n_x: number; n_a: number; n_y: number; m: number; T_x: number };
  [fn: string]: unknown;
}
const fixture: { cases: Case[]; dynamics: Record<string, unknown> } = JSON.parse(
  readFileSync(join(__dirname, "../fixtures/rnn_cells.json"), "utf8"),
);

/** Asserts |actual − expected| ≤ 1e-12 · max(1, |expected|) entry by entry, with equal shapes. */
function assertClose(label: string, actual: np.NDArray | number[], expected: Nested, tol = 1e-12): void {
  const a = actual instanceof np.NDArray ? actual : np.array(actual);
  const e = np.array(expected);
  assert.deepEqual(a.shape, e.shape, `${label}: shape`);
  for (let i = 0; i < e.size; i++) {
    const [x, y] = [a.data[i], e.data[i]];
    assert.ok(Math.abs(x - y) <= tol * Math.max(1, Math.abs(y)), `${label}: entry ${i} is ${x}, numpy says ${y}`);
  }
}

/** Asserts that every array of `expected` matches the same name in `actual`, and that there are no others. */
function assertAll(label: string, actual: Record<string, np.NDArray>, expected: Record<string, Nested>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${label}: names`);
  for (const [name, value] of Object.entries(expected)) assertClose(`${label}.${name}`, actual[name], value);
}

/** The inputs of a fixture case, drawn in rnn_cells.py's order. */
function inputs(c: Case) {
  const { n_x: nX, n_a: nA, n_y: nY, m, T_x: Tx } = c.dims;
  const rng = new np.RandomState(c.seed);
  const x = rng.randn(nX, m, Tx);
  const a0 = rng.randn(nA, m);
  const c0 = rng.randn(nA, m);
  const da = rng.randn(nA, m, Tx);
  const dc = rng.randn(nA, m);
  const rnnParameters = rnn.randomRnnParameters(rng, nA, nX, nY);
  const lstmParameters = rnn.randomLstmParameters(rng, nA, nX, nY);
  const gruParameters = rnn.randomGruParameters(rng, nA, nX, nY);
  return { x, xt: x.take(0, 2), a0, c0, da, daNext: da.take(0, 2), dc, rnnParameters, lstmParameters, gruParameters };
}

const expected = (c: Case, fn: string) => c[fn] as Record<string, Nested>;

for (const c of fixture.cases) {
  const d = c.dims;
  describe(`numpy case seed ${c.seed}: n_x ${d.n_x}, n_a ${d.n_a}, n_y ${d.n_y}, m ${d.m}, T_x ${d.T_x}`, () => {
    const v = inputs(c);

    test("rnnCellForward and rnnCellBackward", () => {
      const [aNext, ytPred, cache] = rnn.rnnCellForward(v.xt, v.a0, v.rnnParameters);
      assertAll("rnnCellForward", { aNext, ytPred }, expected(c, "rnnCellForward"));
      assertAll("rnnCellBackward", rnn.rnnCellBackward(v.daNext, cache), expected(c, "rnnCellBackward"));
    });

    test("rnnForward, rnnBackward and stateJacobianNorms", () => {
      const [a, yPred, caches] = rnn.rnnForward(v.x, v.a0, v.rnnParameters);
      assertAll("rnnForward", { a, yPred }, expected(c, "rnnForward"));
      assertAll("rnnBackward", rnn.rnnBackward(v.da, caches), expected(c, "rnnBackward"));
      assertClose("stateJacobianNorms", rnn.stateJacobianNorms(caches, d.m - 1), c.stateJacobianNorms as Nested);
    });

    test("lstmCellForward (with its gates) and lstmCellBackward", () => {
      const [aNext, cNext, ytPred, cache] = rnn.lstmCellForward(v.xt, v.a0, v.c0, v.lstmParameters);
      const { ft, it, cct, ot } = cache;
      assertAll("lstmCellForward", { aNext, cNext, ytPred, ft, it, cct, ot }, expected(c, "lstmCellForward"));
      assertAll("lstmCellBackward", rnn.lstmCellBackward(v.daNext, v.dc, cache), expected(c, "lstmCellBackward"));
    });

    test("lstmForward and lstmBackward", () => {
      const [a, y, cSeq, caches] = rnn.lstmForward(v.x, v.a0, v.lstmParameters);
      assertAll("lstmForward", { a, y, c: cSeq }, expected(c, "lstmForward"));
      assertAll("lstmBackward", rnn.lstmBackward(v.da, caches), expected(c, "lstmBackward"));
    });

    test("gruCellForward (with its gates) and gruForward", () => {
      const [aNext, ytPred, cache] = rnn.gruCellForward(v.xt, v.a0, v.gruParameters);
      const { rt, ut, cct } = cache;
      assertAll("gruCellForward", { aNext, ytPred, rt, ut, cct }, expected(c, "gruCellForward"));
      const [a, y] = rnn.gruForward(v.x, v.a0, v.gruParameters);
      assertAll("gruForward", { a, y }, expected(c, "gruForward"));
    });
  });
}

describe("vanishing and exploding gradients", () => {
  test("orthogonalWeights matches numpy's Gram–Schmidt, and every eigenvalue has modulus 1.1", () => {
    const q = rnn.orthogonalWeights(6, 1.1, new np.RandomState(3));
    assertClose("orthogonalWeights", q, fixture.dynamics.orthogonalWeights as Nested);
    // QᵀQ = 1.1² I: the columns are orthogonal, each of length 1.1.
    assertClose("QᵀQ", q.T.dot(q), identity(6, 1.21), 1e-13);
    assertClose("numpy's eigenvalue moduli", fixture.dynamics.eigenvalueModuli as number[], np.full([6], 1.1).tolist(), 1e-12);
  });

  test("at rest (a = 0, x = 0) the Jacobian is Waa^k, so its norm is ρ^k·√n_a", () => {
    const rng = new np.RandomState(0);
    const parameters = { ...rnn.randomRnnParameters(rng, 4, 2, 2), Waa: rnn.orthogonalWeights(4, 1.5, rng), ba: np.zeros([4, 1]) };
    const [, , caches] = rnn.rnnForward(np.zeros([2, 1, 10]), np.zeros([4, 1]), parameters);
    const norms = rnn.stateJacobianNorms(caches);
    assertClose("norms", norms, norms.map((_, k) => 1.5 ** (k + 1) * 2), 1e-12);
  });

  test("clipByGlobalNorm scales all gradients by maxNorm / norm, as numpy; below maxNorm it changes nothing", () => {
    const v = inputs(fixture.cases[0]);
    const [, , caches] = rnn.rnnForward(v.x, v.a0, v.rnnParameters);
    const grads = rnn.rnnBackward(v.da, caches);
    const [clipped, total] = rnn.clipByGlobalNorm(grads, 1);
    assertClose("norm", [total], [fixture.dynamics.clipNorm as number]);
    assertAll("clipped", clipped, fixture.dynamics.clipped as Record<string, Nested>);
    const [same, again] = rnn.clipByGlobalNorm(clipped, 5);
    assert.ok(Math.abs(again - 1) < 1e-12);
    assertAll("unchanged", same, fixture.dynamics.clipped as Record<string, Nested>);
  });
});

function identity(n: number, scale: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? scale : 0)));
}

describe("gradient checks of every backward pass (relative error < 1e-7)", () => {
  const v = inputs(fixture.cases[0]);
  const [daNext, dcNext, da] = [v.daNext, v.dc, v.da];
  // J = Σ da ∗ a (+ Σ dc ∗ c): a scalar whose gradient with respect to a is da, as the backward passes assume.
  const project = (weights: np.NDArray, values: np.NDArray) => np.multiply(weights, values).sum();
  const { Wy: _Wy, by: _by, ...lstmGates } = v.lstmParameters; // the output layer is not part of the backward passes

  test("rnnCellBackward", () => {
    const [, , cache] = rnn.rnnCellForward(v.xt, v.a0, v.rnnParameters);
    const params = { xt: v.xt, aPrev: v.a0, Wax: v.rnnParameters.Wax, Waa: v.rnnParameters.Waa, ba: v.rnnParameters.ba };
    const f = (p: rnn.Params) => project(daNext, rnn.rnnCellForward(p.xt, p.aPrev, { ...v.rnnParameters, ...p })[0]);
    assert.ok(rnn.gradCheck(f, params, rnn.rnnCellBackward(daNext, cache)) < 1e-7);
  });

  test("rnnBackward", () => {
    const [, , caches] = rnn.rnnForward(v.x, v.a0, v.rnnParameters);
    const params = { x: v.x, a0: v.a0, Wax: v.rnnParameters.Wax, Waa: v.rnnParameters.Waa, ba: v.rnnParameters.ba };
    const f = (p: rnn.Params) => project(da, rnn.rnnForward(p.x, p.a0, { ...v.rnnParameters, ...p })[0]);
    const errors = rnn.gradCheckEach(f, params, rnn.rnnBackward(da, caches));
    for (const [name, error] of Object.entries(errors)) assert.ok(error < 1e-7, `${name}: ${error}`);
  });

  test("lstmCellBackward", () => {
    const [, , , cache] = rnn.lstmCellForward(v.xt, v.a0, v.c0, v.lstmParameters);
    const params = { xt: v.xt, aPrev: v.a0, cPrev: v.c0, ...lstmGates };
    const f = (p: rnn.Params) => {
      const [aNext, cNext] = rnn.lstmCellForward(p.xt, p.aPrev, p.cPrev, { ...v.lstmParameters, ...p });
      return project(daNext, aNext) + project(dcNext, cNext);
    };
    assert.ok(rnn.gradCheck(f, params, rnn.lstmCellBackward(daNext, dcNext, cache)) < 1e-7);
  });

  test("lstmBackward", () => {
    const [, , , caches] = rnn.lstmForward(v.x, v.a0, v.lstmParameters);
    const params = { x: v.x, a0: v.a0, ...lstmGates };
    const f = (p: rnn.Params) => project(da, rnn.lstmForward(p.x, p.a0, { ...v.lstmParameters, ...p })[0]);
    assert.ok(rnn.gradCheck(f, params, rnn.lstmBackward(da, caches)) < 1e-7);
  });

  test("gradCheck finds a wrong gradient, leaves the parameters as they were, and names a missing one", () => {
    const [, , cache] = rnn.rnnCellForward(v.xt, v.a0, v.rnnParameters);
    const params = { Waa: v.rnnParameters.Waa, ba: v.rnnParameters.ba };
    const before = params.Waa.copy();
    const f = (p: rnn.Params) => project(daNext, rnn.rnnCellForward(v.xt, v.a0, { ...v.rnnParameters, ...p })[0]);
    const grads = rnn.rnnCellBackward(daNext, cache);
    const wrong = { ...grads, dba: grads.dba.mul(2) };
    assert.ok(rnn.gradCheck(f, params, wrong) > 1e-2);
    const each = rnn.gradCheckEach(f, params, wrong);
    assert.ok(each.Waa < 1e-7 && Math.abs(each.ba - 1 / 3) < 1e-6, JSON.stringify(each));
    assert.deepEqual(params.Waa.data, before.data);
    assert.throws(() => rnn.gradCheck(f, { Wya: v.rnnParameters.Wya }, grads), /gradCheck: grads\.dWya is missing: the gradient of params\.Wya \(grads has dxt, daPrev, dWax, dWaa, dba\)/);
    assert.throws(() => rnn.gradCheck(f, { Waa: v.rnnParameters.Waa }, { dWaa: np.zeros([5, 4]) }), /gradCheck: grads\.dWaa has shape \(5, 4\), expected \(5, 5\), the shape of params\.Waa/);
  });
});

describe("shapes are checked at the door", () => {
  const v = inputs(fixture.cases[0]); // n_x 3, n_a 5, n_y 2, m 10, T_x 4

  test("a parameter of the wrong shape is named, with its shape, the expected one and where that came from", () => {
    assert.throws(
      () => rnn.rnnCellForward(v.xt, v.a0, { ...v.rnnParameters, Waa: np.zeros([5, 4]) }),
      { message: "rnnCellForward: parameters.Waa has shape (5, 4), expected (5, 5) = (n_a, n_a); n_a = 5 comes from aPrev, of shape (5, 10)" },
    );
    assert.throws(
      () => rnn.rnnForward(v.x, v.a0, { ...v.rnnParameters, Wax: np.zeros([5, 2]) }),
      { message: "rnnForward: parameters.Wax has shape (5, 2), expected (5, 3) = (n_a, n_x); n_a = 5 comes from a0, of shape (5, 10); n_x = 3 comes from x, of shape (3, 10, 4)" },
    );
    assert.throws(
      () => rnn.lstmCellForward(v.xt, v.a0, v.c0, { ...v.lstmParameters, Wo: np.zeros([5, 5]) }),
      { message: "lstmCellForward: parameters.Wo has shape (5, 5), expected (5, 8) = (n_a, n_a+n_x); n_a = 5 comes from aPrev, of shape (5, 10); n_x = 3 comes from xt, of shape (3, 10)" },
    );
    assert.throws(
      () => rnn.gruCellForward(v.xt, v.a0, { ...v.gruParameters, bu: np.zeros([5]) }),
      { message: "gruCellForward: parameters.bu has shape (5,), expected (5, 1) = (n_a, 1); n_a = 5 comes from aPrev, of shape (5, 10)" },
    );
  });

  test("inputs that disagree on m or n_a, and missing parameters", () => {
    assert.throws(() => rnn.rnnCellForward(v.xt, np.zeros([5, 9]), v.rnnParameters), /rnnCellForward: aPrev has shape \(5, 9\), expected \(5, 10\) = \(n_a, m\); m = 10 comes from xt, of shape \(3, 10\)/);
    assert.throws(() => rnn.lstmCellForward(v.xt, v.a0, np.zeros([4, 10]), v.lstmParameters), /lstmCellForward: cPrev has shape \(4, 10\), expected \(5, 10\)/);
    const { Wya: _, ...noWya } = v.rnnParameters;
    assert.throws(() => rnn.rnnCellForward(v.xt, v.a0, noWya as rnn.RnnParameters), /rnnCellForward: parameters\.Wya is missing \(expected an array of shape \(n_y, n_a\)\)/);
    assert.throws(() => rnn.rnnForward(v.xt, v.a0, v.rnnParameters), { message: "rnnForward: x has shape (3, 10), expected (3, 10, T_x) = (n_x, m, T_x)" });
  });

  test("backward passes check the upstream gradient against the cache", () => {
    const [, , cache] = rnn.rnnCellForward(v.xt, v.a0, v.rnnParameters);
    assert.throws(() => rnn.rnnCellBackward(np.zeros([5, 1]), cache), { message: "rnnCellBackward: daNext has shape (5, 1), expected (5, 10) = (n_a, m); n_a = 5 comes from cache.aNext, of shape (5, 10); m = 10 comes from cache.aNext, of shape (5, 10)" });
    const [, , caches] = rnn.rnnForward(v.x, v.a0, v.rnnParameters);
    assert.throws(() => rnn.rnnBackward(np.zeros([5, 10, 3]), caches), /rnnBackward: da has shape \(5, 10, 3\), expected \(5, 10, 4\) = \(n_a, m, T_x\)/);
    const [, , , lstmCache] = rnn.lstmCellForward(v.xt, v.a0, v.c0, v.lstmParameters);
    assert.throws(() => rnn.lstmCellBackward(v.daNext, np.zeros([10, 5]), lstmCache), /lstmCellBackward: dcNext has shape \(10, 5\), expected \(5, 10\)/);
  });

  test("softmax columns sum to 1 and do not overflow; rows() is numpy's a[start:end]", () => {
    const p = rnn.softmax(np.array([[1000, 1], [1000, 2], [999, 3]]));
    assertClose("column sums", p.sum(0), [1, 1]);
    assertClose("first column", p.take(0, 1), [1 / (2 + Math.exp(-1)), 1 / (2 + Math.exp(-1)), Math.exp(-1) / (2 + Math.exp(-1))], 1e-15);
    assert.deepEqual(rnn.rows(np.arange(12).reshape(4, 3), 1, 3).tolist(), [[3, 4, 5], [6, 7, 8]]);
    assert.throws(() => rnn.rows(np.zeros([4, 3]), 2, 5), /rows: cannot take rows 2\.\.4 of an array of shape \(4, 3\)/);
  });
});
