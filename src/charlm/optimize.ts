// One training step on one name: forward, backward, clip the gradients, update the parameters.
import { NDArray, zeros } from "../np/index";
import { checkGradients, checkParameters, Gradients, gradientNames, parameterNames, Parameters } from "./parameters";
import { checkColumn, checkSequences, rnnBackward, rnnForward, Sequence } from "./rnn";

/** The squared gradients summed over all steps so far, one per parameter: Adagrad's memory. */
export type AdagradMemory = Omit<Gradients, "daNext">;

/** Returns v limited to [−maxValue, maxValue]; NaN stays NaN, as with np.clip. */
function clipValue(v: number, maxValue: number): number {
  const low = v < -maxValue ? -maxValue : v;
  return low > maxValue ? maxValue : low;
}

/** Limits each value of x (a flat buffer) to [−maxValue, maxValue], in place. */
export function clipInPlace(x: Float64Array, maxValue: number): void {
  for (let i = 0; i < x.length; i++) x[i] = clipValue(x[i], maxValue);
}

/**
 * Returns the gradients dWax, dWaa, dWya, db, dby with every entry limited to [−maxValue, maxValue], as new
 * arrays of the same shapes; with { inPlace: true } it clips the given arrays and returns them.
 */
export function clip(gradients: Gradients, maxValue: number, options: { inPlace?: boolean } = {}): Gradients {
  checkGradients("clip", gradients);
  if (typeof maxValue !== "number" || !(maxValue >= 0)) throw new Error(`clip: maxValue must be a number >= 0, got ${maxValue}`);
  const out = {} as Gradients;
  for (const name of gradientNames) {
    out[name] = options.inPlace ? gradients[name] : gradients[name].copy();
    clipInPlace(out[name].data, maxValue);
  }
  return out;
}

/** Plain gradient descent, in place: param −= learningRate · gradient for each parameter; returns `parameters`. */
export function updateParameters(parameters: Parameters, gradients: Gradients, learningRate: number): Parameters {
  checkGradients("updateParameters", gradients, checkParameters("updateParameters", parameters));
  sgdInto(parameters, gradients, learningRate);
  return parameters;
}

/** updateParameters without the checks (model() checks once, then calls this at every iteration). */
export function sgdInto(parameters: Parameters, gradients: Gradients, learningRate: number): void {
  for (let k = 0; k < parameterNames.length; k++) {
    const p = parameters[parameterNames[k]].data;
    const g = gradients[gradientNames[k]].data;
    for (let i = 0; i < p.length; i++) p[i] += -learningRate * g[i];
  }
}

/** Returns Adagrad's memory for these parameters: zeros of each parameter's shape. */
export function adagradMemory(parameters: Parameters): AdagradMemory {
  const { nA, nX, nY } = checkParameters("adagradMemory", parameters);
  return { dWax: zeros([nA, nX]), dWaa: zeros([nA, nA]), dWya: zeros([nY, nA]), db: zeros([nA, 1]), dby: zeros([nY, 1]) };
}

/**
 * Adagrad as in min-char-rnn, in place: memory += gradient²; param −= learningRate · gradient / √(memory + 1e-8).
 * Each parameter's step shrinks as its gradients add up. Returns `parameters`.
 */
export function updateParametersAdagrad(parameters: Parameters, gradients: Gradients, memory: AdagradMemory, learningRate: number): Parameters {
  const sizes = checkParameters("updateParametersAdagrad", parameters);
  checkGradients("updateParametersAdagrad", gradients, sizes);
  checkGradients("updateParametersAdagrad (memory)", memory, sizes);
  adagradInto(parameters, gradients, memory, learningRate);
  return parameters;
}

/** updateParametersAdagrad without the checks. */
export function adagradInto(parameters: Parameters, gradients: Gradients, memory: AdagradMemory, learningRate: number): void {
  for (let k = 0; k < parameterNames.length; k++) {
    const p = parameters[parameterNames[k]].data;
    const g = gradients[gradientNames[k]].data;
    const m = memory[gradientNames[k]].data;
    for (let i = 0; i < p.length; i++) {
      m[i] += g[i] * g[i];
      p[i] += (-learningRate * g[i]) / Math.sqrt(m[i] + 1e-8);
    }
  }
}

/**
 * Clips each gradient at ±maxValue and takes the update step (Adagrad when `memory` is given, else plain
 * gradient descent) in one pass over each parameter: the same numbers as clip, then sgdInto or adagradInto.
 * The gradients are left unclipped.
 */
export function clipAndUpdateInto(parameters: Parameters, gradients: Gradients, maxValue: number, learningRate: number, memory: AdagradMemory | null): void {
  for (let k = 0; k < parameterNames.length; k++) {
    const p = parameters[parameterNames[k]].data;
    const g = gradients[gradientNames[k]].data;
    if (memory) {
      const m = memory[gradientNames[k]].data;
      for (let i = 0; i < p.length; i++) {
        const gi = clipValue(g[i], maxValue);
        m[i] += gi * gi;
        p[i] += (-learningRate * gi) / Math.sqrt(m[i] + 1e-8);
      }
    } else {
      for (let i = 0; i < p.length; i++) p[i] += -learningRate * clipValue(g[i], maxValue);
    }
  }
}

/** What optimize returns: the loss of the name, the clipped gradients, and the last hidden state (nA, 1). */
export interface OptimizeResult {
  loss: number;
  gradients: Gradients;
  aLast: NDArray;
}

/**
 * One step of training on one name: forward, backward, clip the gradients at 5, then gradient descent
 * (param −= learningRate · gradient) on `parameters`, in place. Returns the loss, the clipped
 * gradients and the last hidden state a⟨T−1⟩ (nA, 1), which the next name starts from.
 */
export function optimize(X: Sequence, Y: Sequence, aPrev: NDArray, parameters: Parameters, learningRate = 0.01): OptimizeResult {
  const sizes = checkParameters("optimize", parameters);
  checkSequences("optimize", X, Y, sizes);
  checkColumn("optimize", "aPrev", aPrev, sizes.nA);
  const { loss, cache } = rnnForward(X, Y, aPrev, parameters);
  const { gradients, a } = rnnBackward(X, Y, parameters, cache);
  const clipped = clip(gradients, 5);
  updateParameters(parameters, clipped, learningRate);
  return { loss, gradients: clipped, aLast: a[X.length - 1] };
}
