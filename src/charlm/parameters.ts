// The dinosaur RNN's parameters and gradients, in the course's shapes, and their checks.
//   a⟨t⟩ = tanh(Wax·x⟨t⟩ + Waa·a⟨t−1⟩ + b)      Wax (nA, nX), Waa (nA, nA), b (nA, 1)
//   ŷ⟨t⟩ = softmax(Wya·a⟨t⟩ + by)                Wya (nY, nA), by (nY, 1)
import { NDArray, random, zeros } from "../np/index";
import { formatShape } from "../np/shape";
import { describe } from "../describe";

/** The weights and biases of the RNN, as numpy arrays of the course's shapes. */
export interface Parameters {
  Wax: NDArray;
  Waa: NDArray;
  Wya: NDArray;
  b: NDArray;
  by: NDArray;
}

/** The gradients of the loss, one per parameter and of its shape; daNext (nA, 1) flows back through time. */
export interface Gradients {
  dWax: NDArray;
  dWaa: NDArray;
  dWya: NDArray;
  db: NDArray;
  dby: NDArray;
  daNext?: NDArray;
}

/** The sizes of a model: hidden units nA, input size nX and output size nY (both the vocabulary size). */
export interface Sizes {
  nA: number;
  nX: number;
  nY: number;
}

/** The gradient of each parameter, by name: dWax belongs to Wax, and so on. */
export const gradientNames = ["dWax", "dWaa", "dWya", "db", "dby"] as const;
export const parameterNames = ["Wax", "Waa", "Wya", "b", "by"] as const;

/**
 * Returns small random weights and zero biases: seeds np.random with 1, then Wax = randn(nA, nX)·0.01,
 * Waa = randn(nA, nA)·0.01, Wya = randn(nY, nA)·0.01 (in that order); b (nA, 1) and by (nY, 1) are zeros.
 */
export function initializeParameters(nA: number, nX: number, nY: number): Parameters {
  for (const [name, n] of [["nA", nA], ["nX", nX], ["nY", nY]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`initializeParameters: ${name} must be a positive integer, got ${n}`);
  }
  random.seed(1);
  const Wax = random.randn(nA, nX).mul(0.01);
  const Waa = random.randn(nA, nA).mul(0.01);
  const Wya = random.randn(nY, nA).mul(0.01);
  return { Wax, Waa, Wya, b: zeros([nA, 1]), by: zeros([nY, 1]) };
}

/**
 * Returns parameters drawn as the course's tests draw them, from np.random (seed it first): Wax = randn(nA, nX),
 * Waa = randn(nA, nA), Wya = randn(nY, nA), b = randn(nA, 1), by = randn(nY, 1), in that order, each times `scale`.
 */
export function randomParameters(nA: number, nX: number, nY: number, scale = 1): Parameters {
  return {
    Wax: random.randn(nA, nX).mul(scale), Waa: random.randn(nA, nA).mul(scale), Wya: random.randn(nY, nA).mul(scale),
    b: random.randn(nA, 1).mul(scale), by: random.randn(nY, 1).mul(scale),
  };
}

/** Returns gradients drawn from np.random as the course's clip test draws them: dWax, dWaa, dWya, db, dby = randn(...)·scale. */
export function randomGradients(nA: number, nX: number, nY: number, scale = 10): Gradients {
  const p = randomParameters(nA, nX, nY, scale);
  return { dWax: p.Wax, dWaa: p.Waa, dWya: p.Wya, db: p.b, dby: p.by };
}

/** Returns the sizes of `parameters` after checking that their shapes fit together; `fn` names the caller. */
export function checkParameters(fn: string, parameters: Parameters): Sizes {
  if (!parameters || typeof parameters !== "object") throw new Error(`${fn}: parameters must be an object {Wax, Waa, Wya, b, by}, got ${parameters}`);
  for (const name of parameterNames) {
    if (!(parameters[name] instanceof NDArray)) {
      throw new Error(`${fn}: parameters.${name} must be an np array, got ${describe(parameters[name])}`);
    }
  }
  // Each size is read where most parameters agree on it, so the one array of a wrong shape is the one named.
  const { Wax, Waa, Wya, b, by } = parameters;
  const nA = mostCommon([Waa.shape[0], Wax.shape[0], Waa.shape[1], Wya.shape[1], b.shape[0]]);
  const nX = Wax.shape[1];
  const nY = mostCommon([Wya.shape[0], by.shape[0]]);
  const expected = { Wax: [nA, nX], Waa: [nA, nA], Wya: [nY, nA], b: [nA, 1], by: [nY, 1] };
  for (const name of parameterNames) {
    const shape = parameters[name].shape;
    if (shape.join() !== expected[name].join()) {
      throw new Error(
        `${fn}: parameters.${name} has shape ${formatShape(shape)}, expected ${formatShape(expected[name])} ` +
          `(Wax ${formatShape(parameters.Wax.shape)}, Waa ${formatShape(parameters.Waa.shape)}, Wya ${formatShape(parameters.Wya.shape)}: ` +
          `Wax (nA, nX), Waa (nA, nA), Wya (nY, nA), b (nA, 1), by (nY, 1))`,
      );
    }
  }
  return { nA, nX, nY };
}

/** Returns the value that occurs most often (the first of those tied). */
function mostCommon(values: number[]): number {
  const count = (v: number) => values.filter((w) => w === v).length;
  return values.reduce((best, v) => (count(v) > count(best) ? v : best), values[0]);
}

/** Checks that each gradient has its parameter's shape; `fn` names the caller. */
export function checkGradients(fn: string, gradients: Gradients, sizes?: Sizes): void {
  if (!gradients || typeof gradients !== "object") throw new Error(`${fn}: gradients must be an object {dWax, dWaa, dWya, db, dby}, got ${gradients}`);
  for (const name of gradientNames) {
    if (!(gradients[name] instanceof NDArray)) throw new Error(`${fn}: gradients.${name} must be an np array, got ${describe(gradients[name])}`);
  }
  if (!sizes) return;
  const { nA, nX, nY } = sizes;
  const expected = { dWax: [nA, nX], dWaa: [nA, nA], dWya: [nY, nA], db: [nA, 1], dby: [nY, 1] };
  for (const name of gradientNames) {
    if (gradients[name].shape.join() !== expected[name].join()) {
      throw new Error(`${fn}: gradients.${name} has shape ${formatShape(gradients[name].shape)}, expected ${formatShape(expected[name])}, the shape of its parameter`);
    }
  }
}

/** Returns zero gradients for parameters of these sizes, with daNext (nA, 1). */
export function zeroGradients({ nA, nX, nY }: Sizes): Required<Gradients> {
  return {
    dWax: zeros([nA, nX]), dWaa: zeros([nA, nA]), dWya: zeros([nY, nA]),
    db: zeros([nA, 1]), dby: zeros([nY, 1]), daNext: zeros([nA, 1]),
  };
}

/** Returns a deep copy of the parameters (each array copied). */
export function copyParameters(parameters: Parameters): Parameters {
  return {
    Wax: parameters.Wax.copy(), Waa: parameters.Waa.copy(), Wya: parameters.Wya.copy(),
    b: parameters.b.copy(), by: parameters.by.copy(),
  };
}

