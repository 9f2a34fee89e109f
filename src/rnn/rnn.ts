// The basic RNN cell, forward and backward, one step and a whole sequence (lesson 1, sections 2 and 3).
// Shapes: x (n_x, m, T_x), a (n_a, m, T_x), ŷ (n_y, m, T_x); one step takes xt (n_x, m) and aPrev (n_a, m).
import { NDArray, square, subtract, tanh, zeros } from "../np/index";
import type { RnnParameters } from "./params";
import { checkShapes, ShapeSpec } from "./shapes";
import { softmax } from "../np/softmax";

/** What rnnCellForward keeps for the backward pass. */
export type RnnCache = { aNext: NDArray; aPrev: NDArray; xt: NDArray; parameters: RnnParameters };

/** The caches of every step, and the inputs x: what rnnForward keeps for rnnBackward. */
export type RnnCaches = [caches: RnnCache[], x: NDArray];

/** The gradients of one step with respect to its inputs and parameters. */
export type RnnCellGradients = { dxt: NDArray; daPrev: NDArray; dWax: NDArray; dWaa: NDArray; dba: NDArray };

/** The gradients of a whole sequence with respect to x, a⟨0⟩ and the parameters. */
export type RnnGradients = { dx: NDArray; da0: NDArray; dWax: NDArray; dWaa: NDArray; dba: NDArray };

/** The shapes every function of this file checks its parameters against. */
function parameterSpecs(p: RnnParameters): ShapeSpec[] {
  return [
    ["parameters.Wax", p.Wax, ["n_a", "n_x"]],
    ["parameters.Waa", p.Waa, ["n_a", "n_a"]],
    ["parameters.ba", p.ba, ["n_a", "1"]],
    ["parameters.Wya", p.Wya, ["n_y", "n_a"]],
    ["parameters.by", p.by, ["n_y", "1"]],
  ];
}

/**
 * One step: a⟨t⟩ = tanh(Wax·x⟨t⟩ + Waa·a⟨t−1⟩ + ba), ŷ⟨t⟩ = softmax(Wya·a⟨t⟩ + by).
 * Returns [aNext (n_a, m), ytPred (n_y, m), cache].
 */
export function rnnCellForward(xt: NDArray, aPrev: NDArray, parameters: RnnParameters): [NDArray, NDArray, RnnCache] {
  checkShapes("rnnCellForward", [["xt", xt, ["n_x", "m"]], ["aPrev", aPrev, ["n_a", "m"]], ...parameterSpecs(parameters)]);
  const { Wax, Waa, Wya, ba, by } = parameters;
  const aNext = tanh(Wax.dot(xt).add(Waa.dot(aPrev)).add(ba));
  const ytPred = softmax(Wya.dot(aNext).add(by));
  return [aNext, ytPred, { aNext, aPrev, xt, parameters }];
}

/**
 * The cell applied at every step t = 0 … T_x−1, from a⟨0⟩ = a0 (n_a, m).
 * Returns [a (n_a, m, T_x), yPred (n_y, m, T_x), caches].
 */
export function rnnForward(x: NDArray, a0: NDArray, parameters: RnnParameters): [NDArray, NDArray, RnnCaches] {
  const { n_a: nA, n_y: nY, m, T_x: Tx } = checkShapes("rnnForward", [
    ["x", x, ["n_x", "m", "T_x"]], ["a0", a0, ["n_a", "m"]], ...parameterSpecs(parameters),
  ]);
  const a = zeros([nA, m, Tx]);
  const yPred = zeros([nY, m, Tx]);
  const caches: RnnCache[] = [];
  let aNext = a0;
  for (let t = 0; t < Tx; t++) {
    const [aT, ytPred, cache] = rnnCellForward(x.take(t, 2), aNext, parameters);
    a.setTake(t, 2, aT);
    yPred.setTake(t, 2, ytPred);
    caches.push(cache);
    aNext = aT;
  }
  return [a, yPred, [caches, x]];
}

/**
 * One step backward, given daNext = ∂J/∂a⟨t⟩ (n_a, m). With dtanh = (1 − a⟨t⟩²) ∗ daNext:
 * dxt = Waxᵀ·dtanh, daPrev = Waaᵀ·dtanh, dWax = dtanh·xtᵀ, dWaa = dtanh·aPrevᵀ, dba = Σ over m of dtanh.
 */
export function rnnCellBackward(daNext: NDArray, cache: RnnCache): RnnCellGradients {
  const { aNext, aPrev, xt, parameters } = cache;
  checkShapes("rnnCellBackward", [["cache.aNext", aNext, ["n_a", "m"]], ["daNext", daNext, ["n_a", "m"]]]);
  const { Wax, Waa } = parameters;
  // tanh'(z) = 1 − tanh(z)², and tanh(z) is aNext itself.
  const dtanh = subtract(1, square(aNext)).mul(daNext);
  return {
    dxt: Wax.T.dot(dtanh),
    daPrev: Waa.T.dot(dtanh),
    dWax: dtanh.dot(xt.T),
    dWaa: dtanh.dot(aPrev.T),
    dba: dtanh.sum(1, true),
  };
}

/**
 * Backpropagation through time, given da = ∂J/∂a⟨t⟩ from the outputs at every step (n_a, m, T_x). Each
 * step receives its own da⟨t⟩ plus what flows back from step t+1; the parameters' gradients add up.
 * Returns {dx (n_x, m, T_x), da0 (n_a, m), dWax, dWaa, dba} (the parameters' shapes).
 */
export function rnnBackward(da: NDArray, caches: RnnCaches): RnnGradients {
  const [cacheList, x] = caches;
  const first = cacheList[0];
  const { n_a: nA, n_x: nX, m, T_x: Tx } = checkShapes("rnnBackward", [
    ["x (in caches)", x, ["n_x", "m", "T_x"]], ["caches[0].aPrev", first?.aPrev, ["n_a", "m"]], ["da", da, ["n_a", "m", "T_x"]],
  ]);
  if (cacheList.length !== Tx) throw new Error(`rnnBackward: caches holds ${cacheList.length} steps but x and da have T_x = ${Tx}`);
  const dx = zeros([nX, m, Tx]);
  let dWax = zeros([nA, nX]);
  let dWaa = zeros([nA, nA]);
  let dba = zeros([nA, 1]);
  let daPrevT = zeros([nA, m]);
  for (let t = Tx - 1; t >= 0; t--) {
    const g = rnnCellBackward(da.take(t, 2).add(daPrevT), cacheList[t]);
    dx.setTake(t, 2, g.dxt);
    dWax = dWax.add(g.dWax);
    dWaa = dWaa.add(g.dWaa);
    dba = dba.add(g.dba);
    daPrevT = g.daPrev;
  }
  return { dx, da0: daPrevT, dWax, dWaa, dba };
}
