// tf.train.adam's update as one kernel per variable where the course's kernels are registered. tfjs's
// AdamOptimizer makes fourteen kernel calls for each variable at each step, each with its bookkeeping and,
// on several threads, a wait; the kernel (adam-simd.ts) does the same float32 operations in one pass, split
// across threads by elements, so the moments and weights are bit-identical to tfjs's. The optimizer keeps
// its own variables (the moments, β1ᵗ and β2ᵗ) exactly as tfjs makes them, so its weights save and load
// as before.
import * as tf from "@tensorflow/tfjs";
import { getKernel } from "@tensorflow/tfjs";
import type { NamedTensorMap, Tensor, TensorInfo, Variable } from "@tensorflow/tfjs";
import { processMemo } from "../../course";
import { requireSimd } from "./simd-kernels";
import { heapOffset, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

/** The kernel's name: inputs the gradient, m, v, the weights and the scalars (adam-simd.ts's adamScalars); outputs the new m, v and weights. */
export const AdamUpdate = "CourseAdamUpdate";

function adamUpdate(args: { inputs: Record<"gradient" | "m" | "v" | "value" | "scalars", TensorInfo>; backend: WasmBackend }): TensorInfo[] {
  const { inputs, backend } = args;
  const shape = inputs.value.shape;
  const outputs = [0, 1, 2].map(() => backend.makeOutput(shape, "float32"));
  const count = shape.reduce((p, d) => p * d, 1);
  if (count === 0) return outputs;
  const at = (t: TensorInfo): [number, number] => [heapOffset(backend, t), 4];
  const { gradient, m, v, value, scalars } = inputs;
  requireSimd(backend).rows("adamUpdate", count, [gradient, m, v, value, ...outputs].map(at), [heapOffset(backend, scalars)]);
  return outputs;
}

/** The wasm kernel of Adam's update (registered with the course's other kernels). */
export const adamConfig = wasmKernel(AdamUpdate, adamUpdate);

// What the update reads of tfjs's AdamOptimizer (its fields are public in JavaScript).
interface AdamFields {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: Variable }>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: Variable }>;
  incrementIterations(): void;
}
type Gradients = NamedTensorMap | Array<{ name: string; tensor: Tensor }>;
type ApplyGradients = (this: AdamFields, variableGradients: Gradients) => void;

/**
 * Makes tf.train.adam's optimizers update each float32 variable with one kernel, wherever the course's kernels
 * are registered (idempotent; once per process). Elsewhere, and for other dtypes, tfjs's own update runs.
 */
export function fuseAdam(): void {
  processMemo("fusedAdam", () => {
    const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
    const stock = proto.applyGradients;
    proto.applyGradients = function (this: AdamFields, variableGradients) {
      const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
      const gradientOf = (name: string, i: number) => (Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name]);
      const fused = getKernel(AdamUpdate, tf.getBackend()) !== undefined && names.every((name, i) => tf.engine().registeredVariables[name]?.dtype === "float32" && (gradientOf(name, i)?.dtype ?? "float32") === "float32");
      if (!fused) return stock.call(this, variableGradients);
      tf.tidy(() => {
        // tfjs's scalars, in adamScalars' order: the numbers as float32, 1 − βᵗ computed in float32 as tfjs does.
        const numbers = tf.tensor1d([this.beta1, 1 - this.beta1, this.beta2, 1 - this.beta2, this.epsilon, -this.learningRate]);
        const scalars = tf.concat([numbers, tf.reshape(tf.sub(1, this.accBeta1), [1]), tf.reshape(tf.sub(1, this.accBeta2), [1])]);
        names.forEach((name, i) => {
          const value = tf.engine().registeredVariables[name];
          // the moments, made as tfjs makes them (names, zeros, not trainable), so that getWeights saves them
          this.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          this.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          const gradient = gradientOf(name, i);
          if (gradient == null) return;
          const m = this.accumulatedFirstMoment[i].variable;
          const v = this.accumulatedSecondMoment[i].variable;
          const [mNew, vNew, valueNew] = tf.engine().runKernel(AdamUpdate, { gradient, m, v, value, scalars }) as Tensor[];
          m.assign(mNew);
          v.assign(vNew);
          value.assign(valueNew);
        });
        this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
        this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
      });
      this.incrementIterations();
    };
    return true;
  });
}
