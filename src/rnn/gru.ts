// The GRU cell (lesson 1, section 5): two gates and no separate cell state. The equations of Cho et al. (2014)
// as written in Andrew Ng's course, where a⟨t⟩ = c⟨t⟩ and the update gate Γu weighs the new candidate.
import { concatenate, NDArray, sigmoid, subtract, tanh, zeros } from "../np/index";
import type { GruParameters } from "./params";
import { checkShapes } from "./shapes";
import { softmax } from "../np/softmax";

/** What gruCellForward keeps for a backward pass: states, gate activations, input and parameters. */
export type GruCache = { aNext: NDArray; aPrev: NDArray; rt: NDArray; ut: NDArray; cct: NDArray; xt: NDArray; parameters: GruParameters };

/**
 * One step: rt = σ(Wr·[aPrev; xt] + br), ut = σ(Wu·[aPrev; xt] + bu), cct = tanh(Wc·[rt ∗ aPrev; xt] + bc),
 * aNext = ut ∗ cct + (1 − ut) ∗ aPrev, ytPred = softmax(Wy·aNext + by).
 * Returns [aNext (n_a, m), ytPred (n_y, m), cache].
 */
export function gruCellForward(xt: NDArray, aPrev: NDArray, parameters: GruParameters): [NDArray, NDArray, GruCache] {
  const p = parameters;
  checkShapes("gruCellForward", [
    ["xt", xt, ["n_x", "m"]], ["aPrev", aPrev, ["n_a", "m"]],
    ["parameters.Wr", p.Wr, ["n_a", "n_a+n_x"]], ["parameters.br", p.br, ["n_a", "1"]],
    ["parameters.Wu", p.Wu, ["n_a", "n_a+n_x"]], ["parameters.bu", p.bu, ["n_a", "1"]],
    ["parameters.Wc", p.Wc, ["n_a", "n_a+n_x"]], ["parameters.bc", p.bc, ["n_a", "1"]],
    ["parameters.Wy", p.Wy, ["n_y", "n_a"]], ["parameters.by", p.by, ["n_y", "1"]],
  ]);
  const { Wr, br, Wu, bu, Wc, bc, Wy, by } = parameters;
  const concat = concatenate([aPrev, xt], 0);
  const rt = sigmoid(Wr.dot(concat).add(br)); // reset (relevance) gate: how much of aPrev the candidate sees
  const ut = sigmoid(Wu.dot(concat).add(bu)); // update gate: how much of the candidate replaces aPrev
  const cct = tanh(Wc.dot(concatenate([rt.mul(aPrev), xt], 0)).add(bc));
  const aNext = ut.mul(cct).add(subtract(1, ut).mul(aPrev));
  const ytPred = softmax(Wy.dot(aNext).add(by));
  return [aNext, ytPred, { aNext, aPrev, rt, ut, cct, xt, parameters }];
}

/**
 * The GRU cell applied at every step, from a⟨0⟩ = a0 (n_a, m).
 * Returns [a (n_a, m, T_x), y (n_y, m, T_x), caches (one per step)].
 */
export function gruForward(x: NDArray, a0: NDArray, parameters: GruParameters): [NDArray, NDArray, GruCache[]] {
  const { n_a: nA, m, T_x: Tx } = checkShapes("gruForward", [["x", x, ["n_x", "m", "T_x"]], ["a0", a0, ["n_a", "m"]]]);
  const nY = parameters.Wy?.shape[0] ?? 0;
  const a = zeros([nA, m, Tx]);
  const y = zeros([nY, m, Tx]);
  const caches: GruCache[] = [];
  let aNext = a0;
  for (let t = 0; t < Tx; t++) {
    const [aT, ytPred, cache] = gruCellForward(x.take(t, 2), aNext, parameters);
    a.setTake(t, 2, aT);
    y.setTake(t, 2, ytPred);
    caches.push(cache);
    aNext = aT;
  }
  return [a, y, caches];
}
