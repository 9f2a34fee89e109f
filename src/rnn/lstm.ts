// The LSTM cell, forward and backward, one step and a whole sequence (lesson 1, section 4).
// Every gate looks at concat = [a⟨t−1⟩; x⟨t⟩], shape (n_a + n_x, m); the cell state c⟨t⟩ is the conveyor belt.
import { concatenate, NDArray, sigmoid, square, subtract, tanh, zeros } from "../np/index";
import type { LstmParameters } from "./params";
import { checkShapes, rows, ShapeSpec } from "./shapes";
import { softmax } from "../np/softmax";

/** What lstmCellForward keeps for the backward pass: states, gate activations, input and parameters. */
export type LstmCache = {
  aNext: NDArray; cNext: NDArray; aPrev: NDArray; cPrev: NDArray;
  ft: NDArray; it: NDArray; cct: NDArray; ot: NDArray; xt: NDArray; parameters: LstmParameters;
};

/** The caches of every step, and the inputs x: what lstmForward keeps for lstmBackward. */
export type LstmCaches = [caches: LstmCache[], x: NDArray];

/** The gradients of one step with respect to its inputs, its previous states and the gates' parameters. */
export type LstmCellGradients = {
  dxt: NDArray; daPrev: NDArray; dcPrev: NDArray;
  dWf: NDArray; dbf: NDArray; dWi: NDArray; dbi: NDArray; dWc: NDArray; dbc: NDArray; dWo: NDArray; dbo: NDArray;
};

/** The gradients of a whole sequence with respect to x, a⟨0⟩ and the gates' parameters. */
export type LstmGradients = {
  dx: NDArray; da0: NDArray;
  dWf: NDArray; dbf: NDArray; dWi: NDArray; dbi: NDArray; dWc: NDArray; dbc: NDArray; dWo: NDArray; dbo: NDArray;
};

/** The shapes every function of this file checks its parameters against. */
function parameterSpecs(p: LstmParameters): ShapeSpec[] {
  const gates: ShapeSpec[] = (["f", "i", "c", "o"] as const).flatMap((g): ShapeSpec[] => [
    [`parameters.W${g}`, p[`W${g}`], ["n_a", "n_a+n_x"]],
    [`parameters.b${g}`, p[`b${g}`], ["n_a", "1"]],
  ]);
  return [...gates, ["parameters.Wy", p.Wy, ["n_y", "n_a"]], ["parameters.by", p.by, ["n_y", "1"]]];
}

/**
 * One step. With concat = [aPrev; xt]:
 * ft = σ(Wf·concat + bf), it = σ(Wi·concat + bi), cct = tanh(Wc·concat + bc), ot = σ(Wo·concat + bo),
 * cNext = ft ∗ cPrev + it ∗ cct, aNext = ot ∗ tanh(cNext), ytPred = softmax(Wy·aNext + by).
 * Returns [aNext (n_a, m), cNext (n_a, m), ytPred (n_y, m), cache].
 */
export function lstmCellForward(xt: NDArray, aPrev: NDArray, cPrev: NDArray, parameters: LstmParameters): [NDArray, NDArray, NDArray, LstmCache] {
  checkShapes("lstmCellForward", [
    ["xt", xt, ["n_x", "m"]], ["aPrev", aPrev, ["n_a", "m"]], ["cPrev", cPrev, ["n_a", "m"]], ...parameterSpecs(parameters),
  ]);
  const { Wf, bf, Wi, bi, Wc, bc, Wo, bo, Wy, by } = parameters;
  const concat = concatenate([aPrev, xt], 0);
  const ft = sigmoid(Wf.dot(concat).add(bf)); // forget gate: how much of cPrev to keep
  const it = sigmoid(Wi.dot(concat).add(bi)); // update (input) gate: how much of the candidate to write
  const cct = tanh(Wc.dot(concat).add(bc)); //   candidate value c̃⟨t⟩
  const cNext = ft.mul(cPrev).add(it.mul(cct));
  const ot = sigmoid(Wo.dot(concat).add(bo)); // output gate: how much of the cell to show
  const aNext = ot.mul(tanh(cNext));
  const ytPred = softmax(Wy.dot(aNext).add(by));
  return [aNext, cNext, ytPred, { aNext, cNext, aPrev, cPrev, ft, it, cct, ot, xt, parameters }];
}

/**
 * The cell applied at every step, from a⟨0⟩ = a0 (n_a, m) and c⟨0⟩ = 0.
 * Returns [a (n_a, m, T_x), y (n_y, m, T_x), c (n_a, m, T_x), caches].
 */
export function lstmForward(x: NDArray, a0: NDArray, parameters: LstmParameters): [NDArray, NDArray, NDArray, LstmCaches] {
  const { n_a: nA, n_y: nY, m, T_x: Tx } = checkShapes("lstmForward", [
    ["x", x, ["n_x", "m", "T_x"]], ["a0", a0, ["n_a", "m"]], ...parameterSpecs(parameters),
  ]);
  const a = zeros([nA, m, Tx]);
  const c = zeros([nA, m, Tx]);
  const y = zeros([nY, m, Tx]);
  const caches: LstmCache[] = [];
  let aNext = a0;
  let cNext = zeros([nA, m]);
  for (let t = 0; t < Tx; t++) {
    const [aT, cT, ytPred, cache] = lstmCellForward(x.take(t, 2), aNext, cNext, parameters);
    a.setTake(t, 2, aT);
    c.setTake(t, 2, cT);
    y.setTake(t, 2, ytPred);
    caches.push(cache);
    [aNext, cNext] = [aT, cT];
  }
  return [a, y, c, [caches, x]];
}

/**
 * One step backward, given daNext = ∂J/∂a⟨t⟩ and dcNext = ∂J/∂c⟨t⟩ (both (n_a, m)). The gate gradients
 * dot, dcct, dit, dft are taken with respect to each gate's pre-activation (inside σ or tanh).
 * Returns {dxt (n_x, m), daPrev, dcPrev (n_a, m), dWf, dbf, dWi, dbi, dWc, dbc, dWo, dbo (the parameters' shapes)}.
 */
export function lstmCellBackward(daNext: NDArray, dcNext: NDArray, cache: LstmCache): LstmCellGradients {
  const { cNext, aPrev, cPrev, ft, it, cct, ot, xt, parameters } = cache;
  checkShapes("lstmCellBackward", [
    ["cache.cNext", cNext, ["n_a", "m"]], ["daNext", daNext, ["n_a", "m"]], ["dcNext", dcNext, ["n_a", "m"]],
  ]);
  const { Wf, Wi, Wc, Wo } = parameters;
  const nA = aPrev.shape[0];
  const tanhC = tanh(cNext);
  // aNext = ot ∗ tanh(cNext): the output gate gets daNext ∗ tanh(cNext) (times σ' = ot(1 − ot)), and the
  // cell state gets daNext ∗ ot ∗ tanh'(cNext) on top of what reaches it directly from step t+1 (dcNext).
  const dot = daNext.mul(tanhC).mul(ot).mul(subtract(1, ot)); // d-o-t: the output gate, not a dot product
  const dc = dcNext.add(daNext.mul(ot).mul(subtract(1, square(tanhC))));
  // cNext = ft ∗ cPrev + it ∗ cct
  const dcct = dc.mul(it).mul(subtract(1, square(cct)));
  const dit = dc.mul(cct).mul(it).mul(subtract(1, it));
  const dft = dc.mul(cPrev).mul(ft).mul(subtract(1, ft));
  const concat = concatenate([aPrev, xt], 0);
  // Every gate read concat, so its gradient gathers from all four.
  const dconcat = Wf.T.dot(dft).add(Wi.T.dot(dit)).add(Wc.T.dot(dcct)).add(Wo.T.dot(dot));
  return {
    dxt: rows(dconcat, nA, dconcat.shape[0]),
    daPrev: rows(dconcat, 0, nA),
    dcPrev: dc.mul(ft),
    dWf: dft.dot(concat.T), dbf: dft.sum(1, true),
    dWi: dit.dot(concat.T), dbi: dit.sum(1, true),
    dWc: dcct.dot(concat.T), dbc: dcct.sum(1, true),
    dWo: dot.dot(concat.T), dbo: dot.sum(1, true),
  };
}

/**
 * Backpropagation through time for the LSTM, given da = ∂J/∂a⟨t⟩ from the outputs (n_a, m, T_x); c⟨0⟩ was 0,
 * so it has no gradient. Returns {dx (n_x, m, T_x), da0 (n_a, m), dWf, dbf, …, dbo (the parameters' shapes)}.
 */
export function lstmBackward(da: NDArray, caches: LstmCaches): LstmGradients {
  const [cacheList, x] = caches;
  const { n_a: nA, n_x: nX, m, T_x: Tx } = checkShapes("lstmBackward", [
    ["x (in caches)", x, ["n_x", "m", "T_x"]], ["caches[0].aPrev", cacheList[0]?.aPrev, ["n_a", "m"]], ["da", da, ["n_a", "m", "T_x"]],
  ]);
  if (cacheList.length !== Tx) throw new Error(`lstmBackward: caches holds ${cacheList.length} steps but x and da have T_x = ${Tx}`);
  const dx = zeros([nX, m, Tx]);
  const names = ["dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"] as const;
  const sums = Object.fromEntries(names.map((k) => [k, zeros(k.startsWith("dW") ? [nA, nA + nX] : [nA, 1])])) as Record<(typeof names)[number], NDArray>;
  let daPrevT = zeros([nA, m]);
  let dcPrevT = zeros([nA, m]);
  for (let t = Tx - 1; t >= 0; t--) {
    const g = lstmCellBackward(da.take(t, 2).add(daPrevT), dcPrevT, cacheList[t]);
    dx.setTake(t, 2, g.dxt);
    for (const k of names) sums[k] = sums[k].add(g[k]);
    [daPrevT, dcPrevT] = [g.daPrev, g.dcPrev];
  }
  return { dx, da0: daPrevT, ...sums };
}
