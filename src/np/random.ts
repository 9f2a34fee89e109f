// RandomState: numpy's legacy random generator (np.random.RandomState, and the functions of
// np.random), reproduced draw for draw. A seed gives the same numbers as in numpy 1.x:
// the Mersenne Twister MT19937 for 32-bit words, then numpy's recipes for turning words into
// doubles, integers in a range, normal samples, choices and shuffles.

import { randomFillSync } from "crypto";
import { arange, asArray } from "./construct";
import { correctlyRoundedLog } from "./correctly-rounded-log";
import { NDArray } from "./ndarray";
import { formatShape, sizeOf, toShape } from "./shape";

/** The shape of a result: a number n for (n,), or [n, m, ...]. */
export type Size = number | number[];

/** Options of `choice`, named as numpy's keyword arguments. */
export interface ChoiceOptions {
  /** Shape of the result; without it a single value is returned. */
  size?: Size | null;
  /** Whether a value may be drawn more than once (default true). */
  replace?: boolean;
  /** Probability of each entry of `a` (default: all equal). */
  p?: number[] | NDArray | null;
}

// MT19937 parameters: 624 words of state, twisted 397 apart.
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const MAX_SEED = 2 ** 32 - 1;
// numpy's tolerance on sum(p) - 1 in choice: the square root of float64's machine epsilon.
const P_SUM_TOLERANCE = Math.sqrt(Number.EPSILON);

export class RandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;
  // The polar method makes normal samples in pairs; the second waits here for the next call.
  private hasGauss = false;
  private gauss = 0;

  /** Makes a generator seeded with `seed` (0..2**32-1), or from the operating system's entropy without one. */
  constructor(seed?: number) {
    this.seed(seed);
  }

  /** Re-seeds the generator (0..2**32-1; without a seed, from entropy) and forgets the cached normal sample. */
  seed(seed?: number): void {
    if (seed === undefined) {
      randomFillSync(this.key);
      this.key[0] = 0x80000000; // as numpy: the state is then never all zeros
    } else {
      if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
        throw new Error(`RandomState.seed: seed must be an integer between 0 and 2**32 - 1 (${MAX_SEED}), got ${seed}`);
      }
      // Knuth's initialisation (init_genrand): each word from the previous one.
      this.key[0] = seed;
      for (let i = 1; i < N; i++) {
        const prev = this.key[i - 1];
        this.key[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
      }
    }
    this.pos = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** Returns uniform samples in [0, 1): a number, or an array of the given shape (np.random.rand(2, 3)). */
  rand(): number;
  rand(...shape: number[]): NDArray;
  rand(...shape: number[]): number | NDArray {
    return this.fill("RandomState.rand", shape.length === 0 ? null : shape, () => this.nextDouble());
  }

  /** Returns standard normal samples: a number, or an array of the given shape (np.random.randn(nA, nX)). */
  randn(): number;
  randn(...shape: number[]): NDArray;
  randn(...shape: number[]): number | NDArray {
    return this.fill("RandomState.randn", shape.length === 0 ? null : shape, () => this.nextGaussian());
  }

  /** Returns uniform samples in [0, 1): a number without `size`, else an array of shape `size`. */
  random_sample(): number;
  random_sample(size: Size): NDArray;
  random_sample(size?: Size | null): number | NDArray {
    return this.fill("RandomState.random_sample", size, () => this.nextDouble());
  }

  /** The same as random_sample (numpy's alias). */
  random(): number;
  random(size: Size): NDArray;
  random(size?: Size | null): number | NDArray {
    return this.fill("RandomState.random", size, () => this.nextDouble());
  }

  /** Returns samples uniform in [low, high): a number without `size`, else an array of shape `size`. */
  uniform(low?: number, high?: number): number;
  uniform(low: number, high: number, size: Size): NDArray;
  uniform(low = 0, high = 1, size?: Size | null): number | NDArray {
    const range = high - low;
    if (!Number.isFinite(range)) {
      throw new Error(`RandomState.uniform: high - low must be finite, got low=${low}, high=${high}`);
    }
    return this.fill("RandomState.uniform", size, () => low + range * this.nextDouble());
  }

  /** Returns samples from a normal distribution of mean `loc` and standard deviation `scale`. */
  normal(loc?: number, scale?: number): number;
  normal(loc: number, scale: number, size: Size): NDArray;
  normal(loc = 0, scale = 1, size?: Size | null): number | NDArray {
    if (!(scale >= 0)) throw new Error(`RandomState.normal: scale (the standard deviation) must be >= 0, got ${scale}`);
    return this.fill("RandomState.normal", size, () => loc + scale * this.nextGaussian());
  }

  /**
   * Returns random integers in [low, high), or in [0, low) when `high` is not given:
   * a number without `size`, else an array of shape `size`.
   */
  randint(low: number, high?: number | null): number;
  randint(low: number, high: number | null | undefined, size: Size): NDArray;
  randint(low: number, high?: number | null, size?: Size | null): number | NDArray {
    if (high == null) {
      if (!(low >= 1)) throw new Error(`RandomState.randint: randint(n) draws from 0..n-1, so n must be at least 1, got ${low}`);
      [low, high] = [0, low];
    }
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new Error(`RandomState.randint: low and high must be integers of at most 2**53 in size, got low=${low}, high=${high}`);
    }
    if (low >= high) {
      throw new Error(`RandomState.randint: low must be less than high (the range [low, high) must not be empty), got low=${low}, high=${high}`);
    }
    const range = high - 1 - low;
    if (!Number.isSafeInteger(range)) throw new Error(`RandomState.randint: high - low must be at most 2**53, got ${high - low}`);
    return this.fill("RandomState.randint", size, () => low + this.boundedInteger(range));
  }

  /**
   * Returns entries of `a` drawn at random (`a` a number n means 0..n-1): a number without a size,
   * else an array of shape `size`. With `p`, entry i is drawn with probability p[i].
   * Call it as numpy, `choice(a, size, replace, p)`, or with options: `choice(27, { p: y.ravel() })`.
   */
  choice(a: number | number[] | NDArray, options: ChoiceOptions & { size: Size }): NDArray;
  choice(a: number | number[] | NDArray, options?: ChoiceOptions): number;
  choice(a: number | number[] | NDArray, size: Size, replace?: boolean, p?: number[] | NDArray | null): NDArray;
  choice(a: number | number[] | NDArray, size?: null, replace?: boolean, p?: number[] | NDArray | null): number;
  choice(
    a: number | number[] | NDArray,
    sizeOrOptions?: Size | ChoiceOptions | null,
    replaceArg = true,
    pArg: number[] | NDArray | null = null,
  ): number | NDArray {
    const fn = "RandomState.choice";
    const options = isChoiceOptions(sizeOrOptions) ? sizeOrOptions : { size: sizeOrOptions, replace: replaceArg, p: pArg };
    const shape = options.size == null ? [] : toShape(fn, options.size);
    const count = sizeOf(shape);
    const values = typeof a === "number" ? null : asArray(fn, a);
    if (values && values.ndim !== 1) throw new Error(`${fn}: a must be an integer or 1-dimensional, got an array of shape ${formatShape(values.shape)}`);
    if (values === null && !Number.isInteger(a)) throw new Error(`${fn}: a must be an integer or 1-dimensional, got ${a}`);
    const populationSize = values ? values.size : (a as number);
    if (populationSize <= 0 && count > 0) {
      throw new Error(`${fn}: a must be ${values ? "non-empty" : "greater than 0"} unless no samples are taken, got ${values ? "an empty array" : a}`);
    }
    const p = options.p == null ? null : checkProbabilities(fn, options.p, populationSize);

    let indices: number[];
    if (options.replace ?? true) {
      if (p) {
        const cdf = normalisedCdf(p);
        indices = Array.from({ length: count }, () => searchRight(cdf, this.nextDouble()));
      } else {
        indices = Array.from({ length: count }, () => this.boundedInteger(populationSize - 1));
      }
    } else {
      if (count > populationSize) {
        throw new Error(`${fn}: cannot take ${count} samples from a population of ${populationSize} without replacement (replace=false)`);
      }
      indices = p ? this.choiceWithoutReplacement(fn, p, count) : Array.from(this.permutation(populationSize).data.subarray(0, count));
    }
    const picked = values ? indices.map((i) => values.data[i]) : indices;
    return options.size == null ? picked[0] : new NDArray(Float64Array.from(picked), shape);
  }

  /**
   * Shuffles `x` in place: a JavaScript array, or an NDArray along its first axis (rows).
   * Fisher–Yates from the end: position i swaps with a random j in 0..i.
   */
  shuffle<T>(x: T[] | NDArray): void {
    if (!(x instanceof NDArray)) {
      for (let i = x.length - 1; i > 0; i--) {
        const j = this.boundedInteger(i);
        [x[i], x[j]] = [x[j], x[i]];
      }
      return;
    }
    if (x.ndim === 0) throw new Error("RandomState.shuffle: cannot shuffle a 0-d array: it has no axis to shuffle along");
    const n = x.shape[0];
    const row = n === 0 ? 0 : x.size / n;
    const saved = new Float64Array(row);
    for (let i = n - 1; i > 0; i--) {
      const j = this.boundedInteger(i);
      saved.set(x.data.subarray(i * row, (i + 1) * row));
      x.data.copyWithin(i * row, j * row, (j + 1) * row);
      x.data.set(saved, j * row);
    }
  }

  /** Returns a shuffled copy: of 0..n-1 for a number n, else of the array (rows shuffled). */
  permutation(x: number | number[] | NDArray): NDArray {
    if (typeof x === "number" && !(Number.isInteger(x) && x >= 0)) {
      throw new Error(`RandomState.permutation: x must be a non-negative integer or an array, got ${x}`);
    }
    const out = typeof x === "number" ? arange(x) : asArray("RandomState.permutation", x).copy();
    this.shuffle(out);
    return out;
  }

  /** Returns the next 32-bit word of MT19937, an integer in 0..2**32-1. */
  private next32(): number {
    if (this.pos === N) this.twist();
    let y = this.key[this.pos++];
    // Tempering: scrambles the bits of the state word.
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Regenerates the 624 words of state (MT19937's "twist"). */
  private twist(): void {
    const key = this.key;
    for (let i = 0; i < N; i++) {
      const y = (key[i] & UPPER_MASK) | (key[(i + 1) % N] & LOWER_MASK);
      key[i] = key[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.pos = 0;
  }

  /** Returns a double in [0, 1) from two words: 27 + 26 = 53 random bits. */
  private nextDouble(): number {
    const a = this.next32() >>> 5;
    const b = this.next32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Returns a standard normal sample by the polar Box–Muller method (numpy's legacy_gauss). */
  private nextGaussian(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      // A random point in the unit disc (not at its centre).
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * correctlyRoundedLog(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /**
   * Returns an integer in 0..range, as numpy's masked rejection sampling: draw words, keep the
   * bits below the smallest all-ones mask >= range, retry until the value is <= range.
   * A range of 0 draws nothing; above 2**32 - 1 each try draws two words (high word first).
   */
  private boundedInteger(range: number): number {
    if (range === 0) return 0;
    let value: number;
    if (range <= 0xffffffff) {
      const mask = allOnesAbove(range);
      do {
        value = (this.next32() & mask) >>> 0;
      } while (value > range);
    } else {
      const highMask = allOnesAbove(Math.floor(range / 2 ** 32));
      do {
        value = ((this.next32() & highMask) >>> 0) * 2 ** 32 + this.next32();
      } while (value > range);
    }
    return value;
  }

  /** numpy's choice with p and replace=false: draw, drop repeats, zero the chosen p and draw again. */
  private choiceWithoutReplacement(fn: string, p: Float64Array, count: number): number[] {
    if (p.filter((v) => v > 0).length < count) {
      throw new Error(`${fn}: p has fewer non-zero entries than the ${count} samples asked for without replacement`);
    }
    const remaining = p.slice();
    const found: number[] = [];
    while (found.length < count) {
      const uniforms = Array.from({ length: count - found.length }, () => this.nextDouble());
      for (const i of found) remaining[i] = 0;
      const cdf = normalisedCdf(remaining);
      const drawn = uniforms.map((u) => searchRight(cdf, u));
      found.push(...drawn.filter((idx, k) => drawn.indexOf(idx) === k));
    }
    return found;
  }

  /** Returns draw() for a scalar (size null or undefined), else an array of shape `size` filled in order. */
  private fill(fn: string, size: Size | null | undefined, draw: () => number): number | NDArray {
    if (size == null) return draw();
    const shape = toShape(fn, size);
    const data = new Float64Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = draw();
    return new NDArray(data, shape);
  }
}

/** Tells the options form of choice's second argument from a size. */
function isChoiceOptions(x: Size | ChoiceOptions | null | undefined): x is ChoiceOptions {
  return x != null && typeof x === "object" && !Array.isArray(x);
}

/** Returns the smallest number of the form 2**k - 1 that is >= n (n < 2**32). */
function allOnesAbove(n: number): number {
  n |= n >>> 1;
  n |= n >>> 2;
  n |= n >>> 4;
  n |= n >>> 8;
  n |= n >>> 16;
  return n >>> 0;
}

/** Returns `p` as a Float64Array after numpy's checks: 1-D, one entry per choice, no NaN, none negative, sum 1. */
function checkProbabilities(fn: string, pInput: number[] | NDArray, populationSize: number): Float64Array {
  const pArray = asArray(fn, pInput);
  if (pArray.ndim !== 1) throw new Error(`${fn}: p must be 1-dimensional, got shape ${formatShape(pArray.shape)} (p.ravel() flattens it)`);
  const p = pArray.data;
  if (p.length !== populationSize) {
    throw new Error(`${fn}: a and p must have the same size: p has ${p.length} entries for a population of ${populationSize}`);
  }
  // Kahan's compensated sum, as numpy, to test the total.
  let total = p.length > 0 ? p[0] : 0;
  let carry = 0;
  for (let i = 1; i < p.length; i++) {
    const y = p[i] - carry;
    const t = total + y;
    carry = t - total - y;
    total = t;
  }
  if (Number.isNaN(total)) throw new Error(`${fn}: probabilities p contain NaN`);
  const negative = p.findIndex((v) => v < 0);
  if (negative >= 0) throw new Error(`${fn}: probabilities p must be non-negative, got p[${negative}] = ${p[negative]}`);
  if (Math.abs(total - 1) > P_SUM_TOLERANCE) {
    throw new Error(`${fn}: probabilities p must sum to 1 (within ${P_SUM_TOLERANCE.toExponential(2)}), got a sum of ${total}`);
  }
  return p;
}

/** Returns the cumulative sums of p divided by the last one, so that the last is exactly 1. */
function normalisedCdf(p: Float64Array): Float64Array {
  const cdf = new Float64Array(p.length);
  let total = 0;
  for (let i = 0; i < p.length; i++) cdf[i] = total += p[i];
  for (let i = 0; i < cdf.length; i++) cdf[i] /= total;
  return cdf;
}

/** Returns the first index i with cdf[i] > u (numpy's searchsorted with side='right'). */
function searchRight(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] <= u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
