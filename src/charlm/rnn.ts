// The RNN forward and backward, one step and a whole name, in the course's shapes (column vectors
// are (n, 1) arrays). Each public function checks its arguments, then calls a kernel that works on
// the arrays' Float64Array data directly; model() calls the same kernels on reused buffers, so the
// two give the same numbers. Three tricks make the kernels fast, and change no result:
// - x⟨t⟩ is one-hot (or zero for the null first input), so Wax·x⟨t⟩ is column X[t] of Wax, and
//   dWax += daraw·x⟨t⟩ᵀ adds daraw to that column only;
// - every product is a Wᵀ·v (kernels.ts), with Waa and Wya kept transposed as well for the forward;
// - the backward pass sums the outer products of all steps at the end, entry by entry, in the order
//   the course adds them.
import { NDArray, zeros } from "../np/index";
import { formatShape } from "../np/shape";
import { softmax as columnSoftmax, softmaxInPlace } from "../np/softmax";
import { jsKernels, Kernels, transposeInto } from "./kernels";
import { checkGradients, checkParameters, Gradients, Parameters, Sizes, zeroGradients } from "./parameters";
import { describe } from "../describe";

/** A name as the model reads it: character indices, with null for the zero vector (the null first input). */
export type Sequence = readonly (number | null)[];

/** What rnnForward keeps for rnnBackward: the inputs, the hidden states and the probabilities. */
export interface RnnCache {
  /** The input indices X (null: the zero vector). */
  X: Sequence;
  /** a0: the hidden state before the first step, (nA, 1). */
  a0: NDArray;
  /** a[t]: the hidden state after step t, (nA, 1). */
  a: NDArray[];
  /** yHat[t]: the probabilities of the next character after step t, (nY, 1). */
  yHat: NDArray[];
}

// ---- kernels: Float64Array in, Float64Array out -------------------------------------------------

/** The parameters as the kernels read them: their data, and Waa and Wya transposed. */
export interface Weights {
  Wax: Float64Array;
  Waa: Float64Array;
  Wya: Float64Array;
  b: Float64Array;
  by: Float64Array;
  /** Waaᵀ (nA × nA) and Wyaᵀ (nA × nY): the forward's Waa·a and Wya·a are WaaTᵀ·a and WyaTᵀ·a. */
  WaaT: Float64Array;
  WyaT: Float64Array;
  nA: number;
  nX: number;
  nY: number;
}

/** Returns the kernels' view of `p`: its data (not copied) and the transposes, in WaaT and WyaT when given. */
export function weightsOf(p: Parameters, WaaT?: Float64Array, WyaT?: Float64Array): Weights {
  const nA = p.Waa.shape[0], nX = p.Wax.shape[1], nY = p.Wya.shape[0];
  const w: Weights = {
    Wax: p.Wax.data, Waa: p.Waa.data, Wya: p.Wya.data, b: p.b.data, by: p.by.data,
    WaaT: WaaT ?? new Float64Array(nA * nA), WyaT: WyaT ?? new Float64Array(nA * nY), nA, nX, nY,
  };
  refreshTransposes(w);
  return w;
}

/** Copies Waa and Wya into WaaT and WyaT again: after every update of the parameters. */
export function refreshTransposes(w: Weights): void {
  transposeInto(w.Waa, w.nA, w.nA, w.WaaT);
  transposeInto(w.Wya, w.nY, w.nA, w.WyaT);
}

/**
 * One forward step into `a` (nA) and `yHat` (nY): a = tanh(Wax·x + Waa·aPrev + b) with x the one-hot
 * of xIndex (null: zeros), yHat = softmax(Wya·a + by), the max subtracted before exp.
 */
export function forwardStepInto(w: Weights, k: Kernels, xIndex: number | null, aPrev: Float64Array, a: Float64Array, yHat: Float64Array): void {
  const { Wax, b, by, nA, nX, nY } = w;
  k.matTVec(w.WaaT, aPrev, a, nA, nA);
  for (let i = 0; i < nA; i++) {
    // Wax·x for a one-hot x is column xIndex of Wax; for the null input, 0.
    const wx = xIndex === null ? 0 : Wax[i * nX + xIndex];
    a[i] = Math.tanh(wx + a[i] + b[i]);
  }
  k.matTVec(w.WyaT, a, yHat, nA, nY);
  for (let j = 0; j < nY; j++) yHat[j] += by[j];
  softmaxInPlace(yHat);
}

/** Buffers of the gradients (flat, row-major) that the backward kernels write into. */
export interface GradientData {
  dWax: Float64Array;
  dWaa: Float64Array;
  dWya: Float64Array;
  db: Float64Array;
  dby: Float64Array;
  daNext: Float64Array;
}

/**
 * One backward step, adding into g, as the course's rnn_step_backward: dWya += dy·aᵀ; dby += dy;
 * da = Wyaᵀ·dy + daNext; daraw = (1 − a²)⊙da; db += daraw; dWax += daraw·xᵀ; dWaa += daraw·aPrevᵀ;
 * then daNext = Waaᵀ·daraw. `daraw` (nA) is scratch space.
 */
export function backwardStepInto(
  w: Weights, g: GradientData, dy: Float64Array, xIndex: number | null, a: Float64Array, aPrev: Float64Array, daraw: Float64Array,
): void {
  const { nA, nX, nY } = w;
  const { dWax, dWaa, dWya, db, dby, daNext } = g;
  for (let k = 0; k < nY; k++) {
    for (let i = 0; i < nA; i++) dWya[k * nA + i] += dy[k] * a[i];
    dby[k] += dy[k];
  }
  jsKernels.matTVec(w.Wya, dy, daraw, nY, nA);
  for (let i = 0; i < nA; i++) {
    daraw[i] = (1 - a[i] * a[i]) * (daraw[i] + daNext[i]);
    db[i] += daraw[i];
    if (xIndex !== null) dWax[i * nX + xIndex] += daraw[i];
    for (let j = 0; j < nA; j++) dWaa[i * nA + j] += daraw[i] * aPrev[j];
  }
  jsKernels.matTVec(w.Waa, daraw, daNext, nA, nA);
}

/**
 * The forward pass over a name. aHist holds T + 1 rows of nA: row 0 is the state before the first
 * step (a⟨−1⟩, given), row t + 1 receives a⟨t⟩; yAll (T·nY) receives ŷ⟨t⟩ in row t.
 * Returns the loss −Σ log ŷ⟨t⟩[Y[t]].
 */
export function forwardInto(w: Weights, k: Kernels, X: Sequence, Y: Sequence, aHist: Float64Array, yAll: Float64Array): number {
  const { nA, nY } = w;
  let loss = 0;
  for (let t = 0; t < X.length; t++) {
    const yHat = yAll.subarray(t * nY, (t + 1) * nY);
    forwardStepInto(w, k, X[t], aHist.subarray(t * nA, (t + 1) * nA), aHist.subarray((t + 1) * nA, (t + 2) * nA), yHat);
    loss -= Math.log(yHat[Y[t] as number]);
  }
  return loss;
}

/**
 * The backward pass over a name into g (overwritten), with aHist and yAll as forwardInto left them.
 * It gives the same numbers as calling backwardStepInto from t = T−1 down to 0 on zero gradients,
 * in two passes: first the recursion through time, keeping dy⟨t⟩ (into dyAll, T·nY) and daraw⟨t⟩
 * (into darawAll, T·nA); then each gradient entry as one sum over t, in the same order (T−1 down
 * to 0), which is quicker than adding T outer products into the gradients one after the other.
 */
export function backwardInto(
  w: Weights, k: Kernels, X: Sequence, Y: Sequence, aHist: Float64Array, yAll: Float64Array,
  g: GradientData, dyAll: Float64Array, darawAll: Float64Array,
): void {
  const { nA, nX, nY } = w;
  const T = X.length;
  const { dWax, dWaa, dWya, db, dby, daNext } = g;
  daNext.fill(0);
  for (let t = T - 1; t >= 0; t--) {
    const dy = dyAll.subarray(t * nY, (t + 1) * nY);
    dy.set(yAll.subarray(t * nY, (t + 1) * nY));
    dy[Y[t] as number] -= 1;
    const daraw = darawAll.subarray(t * nA, (t + 1) * nA);
    k.matTVec(w.Wya, dy, daraw, nY, nA);
    for (let i = 0; i < nA; i++) {
      const a = aHist[(t + 1) * nA + i];
      daraw[i] = (1 - a * a) * (daraw[i] + daNext[i]);
    }
    k.matTVec(w.Waa, daraw, daNext, nA, nA);
  }
  // dWya = Σ dy⟨t⟩·a⟨t⟩ᵀ (a⟨t⟩ is row t + 1 of aHist); dWaa = Σ daraw⟨t⟩·a⟨t−1⟩ᵀ (row t).
  k.outerProductSum(dyAll, aHist.subarray(nA), T, nY, nA, dWya);
  k.outerProductSum(darawAll, aHist, T, nA, nA, dWaa);
  dWax.fill(0);
  db.fill(0);
  dby.fill(0);
  for (let t = T - 1; t >= 0; t--) {
    const x = X[t];
    for (let i = 0; i < nA; i++) {
      const d = darawAll[t * nA + i];
      db[i] += d;
      if (x !== null) dWax[i * nX + x] += d;
    }
    for (let j = 0; j < nY; j++) dby[j] += dyAll[t * nY + j];
  }
}

// ---- the course's functions ---------------------------------------------------------------------

/** Returns softmax(x) for a column of scores x (n, 1): exp(x − max x) / Σ exp(x − max x), shape (n, 1). */
export function softmax(x: NDArray): NDArray {
  if (!(x instanceof NDArray) || x.size === 0) throw new Error(`softmax: x must be a non-empty np array, got ${describe(x)}`);
  return columnSoftmax(x);
}

/**
 * One step of the RNN: returns aNext = tanh(Wax·x + Waa·aPrev + b), shape (nA, 1), and
 * yHat = softmax(Wya·aNext + by), shape (nY, 1). x (nX, 1) is one-hot, or zeros for the null first input.
 */
export function rnnStepForward(parameters: Parameters, aPrev: NDArray, x: NDArray): { aNext: NDArray; yHat: NDArray } {
  const sizes = checkParameters("rnnStepForward", parameters);
  checkColumn("rnnStepForward", "aPrev", aPrev, sizes.nA);
  const xIndex = oneHotIndex("rnnStepForward", x, sizes.nX);
  const aNext = zeros([sizes.nA, 1]);
  const yHat = zeros([sizes.nY, 1]);
  forwardStepInto(weightsOf(parameters), jsKernels, xIndex, aPrev.data, aNext.data, yHat.data);
  return { aNext, yHat };
}

/**
 * One backward step, as the course's rnn_step_backward: adds this step's terms to `gradients`
 * (dWax, dWaa, dWya, db, dby) and replaces gradients.daNext by Waaᵀ·daraw; returns `gradients`.
 * dy (nY, 1) is ŷ⟨t⟩ with 1 subtracted at Y[t]; x (nX, 1) one-hot or zeros; a and aPrev (nA, 1).
 */
export function rnnStepBackward(dy: NDArray, gradients: Gradients, parameters: Parameters, x: NDArray, a: NDArray, aPrev: NDArray): Gradients {
  const sizes = checkParameters("rnnStepBackward", parameters);
  checkGradients("rnnStepBackward", gradients, sizes);
  checkColumn("rnnStepBackward", "dy", dy, sizes.nY);
  checkColumn("rnnStepBackward", "a", a, sizes.nA);
  checkColumn("rnnStepBackward", "aPrev", aPrev, sizes.nA);
  if (!gradients.daNext) gradients.daNext = zeros([sizes.nA, 1]);
  checkColumn("rnnStepBackward", "gradients.daNext", gradients.daNext, sizes.nA);
  const xIndex = oneHotIndex("rnnStepBackward", x, sizes.nX);
  backwardStepInto(weightsOf(parameters), dataOf(gradients), dy.data, xIndex, a.data, aPrev.data, new Float64Array(sizes.nA));
  return gradients;
}

/**
 * The forward pass over a name: returns the loss −Σ_t log ŷ⟨t⟩[Y[t]] and the cache for rnnBackward.
 * X[0] may be null (the zero vector); a0 (nA, 1) is the hidden state before the first step.
 */
export function rnnForward(X: Sequence, Y: Sequence, a0: NDArray, parameters: Parameters): { loss: number; cache: RnnCache } {
  const sizes = checkParameters("rnnForward", parameters);
  checkSequences("rnnForward", X, Y, sizes);
  checkColumn("rnnForward", "a0", a0, sizes.nA);
  const T = X.length;
  const aHist = new Float64Array((T + 1) * sizes.nA);
  aHist.set(a0.data);
  const yAll = new Float64Array(T * sizes.nY);
  const loss = forwardInto(weightsOf(parameters), jsKernels, X, Y, aHist, yAll);
  const a = columns(aHist.subarray(sizes.nA), T, sizes.nA);
  const yHat = columns(yAll, T, sizes.nY);
  return { loss, cache: { X: [...X], a0: a0.copy(), a, yHat } };
}

/**
 * The backward pass over a name, from the last step down to the first: returns the gradients
 * (dWax, dWaa, dWya, db, dby of their parameters' shapes, and daNext (nA, 1)) and the hidden states a[t].
 */
export function rnnBackward(X: Sequence, Y: Sequence, parameters: Parameters, cache: RnnCache): { gradients: Required<Gradients>; a: NDArray[] } {
  const sizes = checkParameters("rnnBackward", parameters);
  checkSequences("rnnBackward", X, Y, sizes);
  if (!cache || !Array.isArray(cache.a) || !Array.isArray(cache.yHat) || cache.a.length !== X.length || cache.yHat.length !== X.length) {
    throw new Error(`rnnBackward: cache must be the cache rnnForward returned for this X (length ${X.length})`);
  }
  const { nA, nY } = sizes;
  const T = X.length;
  checkColumn("rnnBackward", "cache.a0", cache.a0, nA);
  const aHist = stack([cache.a0, ...cache.a], nA);
  const yAll = stack(cache.yHat, nY);
  const gradients = zeroGradients(sizes);
  backwardInto(weightsOf(parameters), jsKernels, X, Y, aHist, yAll, dataOf(gradients), new Float64Array(T * nY), new Float64Array(T * nA));
  return { gradients, a: cache.a };
}

// ---- helpers --------------------------------------------------------------------------------------

/** Returns the data buffers of the gradients, for the kernels. */
export function dataOf(g: Gradients): GradientData {
  return { dWax: g.dWax.data, dWaa: g.dWaa.data, dWya: g.dWya.data, db: g.db.data, dby: g.dby.data, daNext: g.daNext!.data };
}

/** Returns T arrays of shape (n, 1), each a copy of one row of `flat`. */
function columns(flat: Float64Array, T: number, n: number): NDArray[] {
  return Array.from({ length: T }, (_, t) => new NDArray(flat.slice(t * n, (t + 1) * n), [n, 1]));
}

/** Returns the columns laid end to end in one buffer (the inverse of `columns`). */
function stack(cols: NDArray[], n: number): Float64Array {
  const flat = new Float64Array(cols.length * n);
  cols.forEach((c, t) => {
    checkColumn("rnnBackward", `cache entry ${t}`, c, n);
    flat.set(c.data, t * n);
  });
  return flat;
}

/** Checks that v is an np array of shape (n, 1). */
export function checkColumn(fn: string, name: string, v: NDArray, n: number): void {
  if (!(v instanceof NDArray) || v.shape.length !== 2 || v.shape[0] !== n || v.shape[1] !== 1) {
    const got = v instanceof NDArray ? `shape ${formatShape(v.shape)}` : describe(v);
    throw new Error(`${fn}: ${name} must be a column of shape (${n}, 1), got ${got}`);
  }
}

/** Returns the index of the 1 in a one-hot column x (nX, 1), or null when x is all zeros. */
function oneHotIndex(fn: string, x: NDArray, nX: number): number | null {
  checkColumn(fn, "x", x, nX);
  let index: number | null = null;
  for (let i = 0; i < nX; i++) {
    const v = x.data[i];
    if (v === 0) continue;
    if (v !== 1 || index !== null) throw new Error(`${fn}: x must be one-hot (a single 1, zeros elsewhere) or all zeros, got x[${i}] = ${v}`);
    index = i;
  }
  return index;
}

/** Checks X and Y: equally long, X[t] null or an index below nX, Y[t] an index below nY. */
export function checkSequences(fn: string, X: Sequence, Y: Sequence, { nX, nY }: Sizes): void {
  if (!Array.isArray(X) || !Array.isArray(Y)) throw new Error(`${fn}: X and Y must be arrays of character indices, got ${describe(X)} and ${describe(Y)}`);
  if (X.length === 0 || X.length !== Y.length) {
    throw new Error(`${fn}: X and Y must have the same length (at least 1): got ${X.length} and ${Y.length}`);
  }
  const isIndex = (v: unknown, n: number) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < n;
  X.forEach((v, t) => {
    if (v !== null && !isIndex(v, nX)) throw new Error(`${fn}: X[${t}] must be null or an index in 0..${nX - 1}, got ${v}`);
  });
  Y.forEach((v, t) => {
    if (!isIndex(v, nY)) throw new Error(`${fn}: Y[${t}] must be an index in 0..${nY - 1}, got ${v}`);
  });
}
