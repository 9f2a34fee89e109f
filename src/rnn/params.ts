// The parameters of each cell, named as in the lesson, and random ones drawn in a fixed order, so that a
// seed gives every machine the same numbers (the order of Coursera's "Building your RNN step by step").
import { NDArray, RandomState } from "../np/index";

/** Arrays by name: parameters, inputs or gradients ("dWax" is the gradient of "Wax"). */
export type Params = Record<string, NDArray>;

/**
 * A basic RNN cell: a⟨t⟩ = tanh(Wax·x⟨t⟩ + Waa·a⟨t−1⟩ + ba), ŷ⟨t⟩ = softmax(Wya·a⟨t⟩ + by).
 * Shapes: Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1).
 */
export type RnnParameters = { Wax: NDArray; Waa: NDArray; Wya: NDArray; ba: NDArray; by: NDArray };

/**
 * An LSTM cell: the forget (f), update (i), candidate (c) and output (o) weights act on [a⟨t−1⟩; x⟨t⟩].
 * Shapes: Wf, Wi, Wc, Wo (n_a, n_a + n_x); bf, bi, bc, bo (n_a, 1); Wy (n_y, n_a); by (n_y, 1).
 */
export type LstmParameters = {
  Wf: NDArray; bf: NDArray; Wi: NDArray; bi: NDArray; Wc: NDArray; bc: NDArray; Wo: NDArray; bo: NDArray; Wy: NDArray; by: NDArray;
};

/**
 * A GRU cell: the reset (r) and update (u) gates and the candidate (c) act on [a⟨t−1⟩; x⟨t⟩].
 * Shapes: Wr, Wu, Wc (n_a, n_a + n_x); br, bu, bc (n_a, 1); Wy (n_y, n_a); by (n_y, 1).
 */
export type GruParameters = { Wr: NDArray; br: NDArray; Wu: NDArray; bu: NDArray; Wc: NDArray; bc: NDArray; Wy: NDArray; by: NDArray };

/** Returns an array per name, drawn from rng.randn in the order listed: [name, rows, columns]. */
function drawInOrder<K extends string>(rng: RandomState, shapes: Array<[K, number, number]>): Record<K, NDArray> {
  const out = {} as Record<K, NDArray>;
  for (const [name, n, m] of shapes) out[name] = rng.randn(n, m);
  return out;
}

/** Returns RNN parameters drawn from rng.randn in the order Waa, Wax, Wya, ba, by. */
export function randomRnnParameters(rng: RandomState, nA: number, nX: number, nY: number): RnnParameters {
  return drawInOrder(rng, [["Waa", nA, nA], ["Wax", nA, nX], ["Wya", nY, nA], ["ba", nA, 1], ["by", nY, 1]]);
}

/** Returns LSTM parameters drawn from rng.randn in the order Wf, bf, Wi, bi, Wo, bo, Wc, bc, Wy, by. */
export function randomLstmParameters(rng: RandomState, nA: number, nX: number, nY: number): LstmParameters {
  const gate = nA + nX;
  return drawInOrder(rng, [
    ["Wf", nA, gate], ["bf", nA, 1], ["Wi", nA, gate], ["bi", nA, 1], ["Wo", nA, gate], ["bo", nA, 1],
    ["Wc", nA, gate], ["bc", nA, 1], ["Wy", nY, nA], ["by", nY, 1],
  ]);
}

/** Returns GRU parameters drawn from rng.randn in the order Wr, br, Wu, bu, Wc, bc, Wy, by. */
export function randomGruParameters(rng: RandomState, nA: number, nX: number, nY: number): GruParameters {
  const gate = nA + nX;
  return drawInOrder(rng, [
    ["Wr", nA, gate], ["br", nA, 1], ["Wu", nA, gate], ["bu", nA, 1], ["Wc", nA, gate], ["bc", nA, 1], ["Wy", nY, nA], ["by", nY, 1],
  ]);
}
