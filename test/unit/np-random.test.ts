// RandomState against numpy 1.24's legacy generator: every value of test/fixtures/np_random.json
// (written by np_random.py) must come out bit for bit, and every call numpy rejects must throw.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as np from "../../src/np";
import { correctlyRoundedLog } from "../../src/np/correctly-rounded-log";

type Call = [method: string, args: unknown[]];
interface Case {
  name: string;
  seed: number;
  calls: Call[];
  results: unknown[];
  crDiffs: [call: number, element: number, value: number][];
}
interface Fixture {
  cases: Case[];
  errors: { method: string; args: unknown[]; numpy: string }[];
  accepted: { method: string; args: unknown[]; result: unknown }[];
  logs: { x: number[]; correct: number[] };
}
const fixture: Fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/np_random.json"), "utf8"));

/** Runs one fixture call on `rs` and returns its result as plain numbers or nested arrays. */
function run(rs: np.RandomState, [method, args]: Call): unknown {
  if (method === "shuffle") {
    const [values, kind] = args as [number[], string];
    const x = kind === "ndarray" ? np.array(values) : [...values];
    rs.shuffle(x);
    return x instanceof np.NDArray ? x.tolist() : x;
  }
  const result = (rs as unknown as Record<string, (...a: unknown[]) => unknown>)[method](...args);
  if (method === "seed") return null;
  return result instanceof np.NDArray ? result.tolist() : result;
}

/** Returns the elements of a number or nested arrays in row-major order. */
function flatten(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flatten) : value === null ? [] : [value as number];
}

/** Returns the distance between two doubles in units in the last place. */
function ulps(a: number, b: number): number {
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  return Math.abs(Number(view.getBigInt64(0) - view.getBigInt64(8)));
}

let valuesCompared = 0;
let bitEqualToNumpy = 0;

for (const c of fixture.cases) {
  test(`RandomState matches numpy: ${c.name}`, () => {
    const rs = new np.RandomState(c.seed);
    c.calls.forEach((call, k) => {
      const actual = run(rs, call);
      const expected = flatten(c.results[k]);
      const got = flatten(actual);
      assert.equal(got.length, expected.length, `call ${k} ${JSON.stringify(call).slice(0, 80)}: number of values`);
      const known = new Map(c.crDiffs.filter(([call]) => call === k).map(([, i, value]) => [i, value]));
      got.forEach((value, i) => {
        valuesCompared++;
        const cr = known.get(i);
        if (cr === undefined) {
          assert.ok(Object.is(value, expected[i]), `call ${k} ${call[0]}, element ${i}: got ${value}, numpy gives ${expected[i]}`);
          bitEqualToNumpy++;
        } else {
          // glibc's log misrounds here: we match the correctly rounded replay, one ulp from numpy.
          assert.ok(Object.is(value, cr), `call ${k}, element ${i}: got ${value}, the correctly rounded replay gives ${cr}`);
          assert.equal(ulps(value, expected[i]), 1);
        }
      });
      // Shapes too, not only the values in order.
      if (Array.isArray(c.results[k])) assert.equal(JSON.stringify(actual).replace(/[^[\],]/g, ""), JSON.stringify(c.results[k]).replace(/[^[\],]/g, ""));
    });
  });
}

test("fixture coverage: every random value is checked, and all but the known glibc cases equal numpy bit for bit", (t) => {
  const known = fixture.cases.reduce((n, c) => n + c.crDiffs.length, 0);
  t.diagnostic(`${bitEqualToNumpy} of ${valuesCompared} values bit-equal to numpy; ${known} differ by 1 ulp where glibc's log is not correctly rounded`);
  assert.ok(valuesCompared >= 1900);
  assert.equal(bitEqualToNumpy + known, valuesCompared);
});

test("numbers without a size, arrays with one: rand() is a number, rand(2, 3) an NDArray of shape (2, 3)", () => {
  const rs = new np.RandomState(0);
  assert.equal(typeof rs.rand(), "number");
  assert.deepEqual(rs.rand(2, 3).shape, [2, 3]);
  assert.deepEqual(rs.randint(0, 5, 4).shape, [4]);
  assert.equal(typeof rs.choice(5), "number");
  assert.deepEqual(rs.choice(5, { size: [2, 2] }).shape, [2, 2]);
});

test("choice with an options object draws the same as numpy's positional form", () => {
  const p = [0.1, 0.2, 0.3, 0.4];
  const a = new np.RandomState(9);
  const b = new np.RandomState(9);
  assert.deepEqual(a.choice(4, { size: 6, p }).tolist(), b.choice(4, 6, true, p).tolist());
  assert.deepEqual(a.choice(4, { size: 3, replace: false }).tolist(), b.choice(4, 3, false).tolist());
  assert.equal(a.choice(4, { p: np.array(p) }), b.choice(4, null, true, p));
});

test("np.random is a module-level RandomState: np.random.seed(0) then rand() gives numpy's first value", () => {
  const seed0 = fixture.cases.find((c) => c.name === "uniform doubles, seed 0")!;
  np.random.seed(0);
  assert.equal(np.random.rand(), seed0.results[0]);
  assert.deepEqual(np.random.rand(5).tolist(), seed0.results[1]);
});

test("shuffle moves any kind of element the way it moves numbers (the dinosaur lesson shuffles names)", () => {
  const names = ["aachenosaurus", "aardonyx", "abdallahsaurus", "abelisaurus", "abrictosaurus", "abrosaurus"];
  const order = names.map((_, i) => i);
  new np.RandomState(0).shuffle(names);
  new np.RandomState(0).shuffle(order);
  const original = ["aachenosaurus", "aardonyx", "abdallahsaurus", "abelisaurus", "abrictosaurus", "abrosaurus"];
  assert.deepEqual(names, order.map((i) => original[i]));
  assert.notDeepEqual(names, original);
});

test("without a seed, generators start from entropy: two of them differ", () => {
  assert.notDeepEqual(new np.RandomState().rand(4).tolist(), new np.RandomState().rand(4).tolist());
});

test("arguments at the edge of numpy's checks are accepted with numpy's result", () => {
  for (const { method, args, result } of fixture.accepted) {
    assert.ok(Object.is(run(new np.RandomState(0), [method, args]), result), `${method}(${JSON.stringify(args)})`);
  }
});

// What our message must say for each call numpy rejects: the function, the argument and why.
const expectedErrors: Record<string, RegExp> = {
  'seed[-1]': /^Error: RandomState\.seed: seed must be an integer between 0 and 2\*\*32 - 1 \(4294967295\), got -1$/,
  'seed[4294967296]': /^Error: RandomState\.seed: .* got 4294967296$/,
  'seed[1.5]': /^Error: RandomState\.seed: seed must be an integer .* got 1\.5$/,
  'rand[-1]': /^Error: RandomState\.rand: negative dimensions are not allowed, got shape \(-1,\)$/,
  'randn[2,-3]': /^Error: RandomState\.randn: negative dimensions are not allowed, got shape \(2, -3\)$/,
  'random_sample[[-2]]': /^Error: RandomState\.random_sample: negative dimensions/,
  'randint[5,5]': /^Error: RandomState\.randint: low must be less than high .* got low=5, high=5$/,
  'randint[0]': /^Error: RandomState\.randint: randint\(n\) draws from 0\.\.n-1, so n must be at least 1, got 0$/,
  'randint[10,3,2]': /^Error: RandomState\.randint: low must be less than high .* got low=10, high=3$/,
  'randint[0,5,-1]': /^Error: RandomState\.randint: negative dimensions are not allowed, got shape \(-1,\)$/,
  'uniform[0,"inf"]': /^Error: RandomState\.uniform: high - low must be finite, got low=0, high=Infinity$/,
  'normal[0,-1]': /^Error: RandomState\.normal: scale \(the standard deviation\) must be >= 0, got -1$/,
  'choice[0]': /^Error: RandomState\.choice: a must be greater than 0 unless no samples are taken, got 0$/,
  'choice[5,6,false]': /^Error: RandomState\.choice: cannot take 6 samples from a population of 5 without replacement/,
  'choice[3,null,true,[0.5,0.5]]': /^Error: RandomState\.choice: a and p must have the same size: p has 2 entries for a population of 3$/,
  'choice[2,null,true,[1.5,-0.5]]': /^Error: RandomState\.choice: probabilities p must be non-negative, got p\[1\] = -0\.5$/,
  'choice[2,null,true,[0.5,0.6]]': /^Error: RandomState\.choice: probabilities p must sum to 1 \(within 1\.49e-8\), got a sum of 1\.1$/,
  'choice[2,null,true,[0.5,0.50000002]]': /^Error: RandomState\.choice: probabilities p must sum to 1 .* got a sum of 1\.0000000199+$/,
  'choice[3,2,false,[1,0,0]]': /^Error: RandomState\.choice: p has fewer non-zero entries than the 2 samples asked for without replacement$/,
  'choice[[[1,2]]]': /^Error: RandomState\.choice: a must be an integer or 1-dimensional, got an array of shape \(1, 2\)$/,
  'choice[2,null,true,[[0.5,0.5]]]': /^Error: RandomState\.choice: p must be 1-dimensional, got shape \(1, 2\) \(p\.ravel\(\) flattens it\)$/,
};

test("every call numpy rejects is rejected, with a message naming the function, the argument and why", () => {
  assert.equal(fixture.errors.length, Object.keys(expectedErrors).length);
  for (const { method, args } of fixture.errors) {
    const key = method + JSON.stringify(args);
    const callArgs = args.map((a) => (a === "inf" ? Infinity : a)); // JSON has no infinity
    assert.ok(key in expectedErrors, `no expected message for ${key}`);
    assert.throws(() => run(new np.RandomState(0), [method, callArgs]), expectedErrors[key], key);
  }
});

test("rejected beyond numpy: a negative permutation length, non-integer bounds, a NaN in p", () => {
  const rs = new np.RandomState(0);
  assert.throws(() => rs.permutation(-3), /^Error: RandomState\.permutation: x must be a non-negative integer or an array, got -3$/);
  assert.throws(() => rs.randint(0.5, 3), /^Error: RandomState\.randint: low and high must be integers .* got low=0\.5, high=3$/);
  assert.throws(() => rs.choice(2, { p: [NaN, 1] }), /^Error: RandomState\.choice: probabilities p contain NaN$/);
  assert.throws(() => rs.shuffle(np.array(3)), /^Error: RandomState\.shuffle: cannot shuffle a 0-d array/);
});

test("correctly rounded log: equals the correctly rounded value for every fixture input", (t) => {
  const { x, correct } = fixture.logs;
  let mathLogDiffers = 0;
  x.forEach((xi, i) => {
    assert.ok(Object.is(correctlyRoundedLog(xi), correct[i]), `log(${xi}): got ${correctlyRoundedLog(xi)}, correctly rounded ${correct[i]}`);
    if (Math.log(xi) !== correct[i]) mathLogDiffers++;
  });
  t.diagnostic(`${x.length} inputs; Math.log differs from the correctly rounded value for ${mathLogDiffers}`);
  assert.equal(correctlyRoundedLog(0), -Infinity);
  assert.equal(correctlyRoundedLog(Infinity), Infinity);
  assert.ok(Number.isNaN(correctlyRoundedLog(-1)) && Number.isNaN(correctlyRoundedLog(NaN)));
});
