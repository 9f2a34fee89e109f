// tf.layers' Dropout as one kernel where the course's kernels are registered. tfjs's dropout draws a uniform
// number per element in JavaScript on the main thread (lesson 4: 819,200 per layer and batch, about 3.5% of a
// training step on two threads) and then makes four kernel calls; here the mask comes from a counter
// (dropout-simd.ts), in SIMD, split across threads, and the backward pass draws the same mask again. The
// kept values are scaled as tfjs's are, so only which elements drop differs: another draw of the same law.
import * as tf from "@tensorflow/tfjs";
import { getGradient, getKernel, registerGradient, util } from "@tensorflow/tfjs";
import type { NamedAttrMap, Tensor, TensorInfo } from "@tensorflow/tfjs";
import { processMemo } from "../../course";
import { fmix32 } from "./dropout-simd";
import { requireSimd } from "./simd-kernels";
import { heapOffset, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

/** The kernel's name: input x, output x · mask / (1 − rate). */
export const Dropout = "CourseDropout";

/** The kernel's attributes: the call's keys, the threshold of the 32-bit draw, the scale's float32 bits. */
interface DropoutAttrs {
  a: number;
  b: number;
  threshold: number;
  scale: number;
}

function dropoutKernel(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: DropoutAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const out = backend.makeOutput(inputs.x.shape, "float32");
  const count = util.sizeFromShape(inputs.x.shape);
  if (count === 0) return out;
  const [x, y] = [heapOffset(backend, inputs.x), heapOffset(backend, out)];
  const { a, b, threshold, scale } = attrs;
  requireSimd(backend).split(count, (from, to, k) => k.fn.dropout(x + 4 * from, y + 4 * from, to - from, from, a, b, threshold, scale), count);
  return out;
}

/** The wasm kernel of dropout (registered with the course's other kernels). */
export const dropoutConfig = wasmKernel(Dropout, dropoutKernel);

/** The keys of a layer's `call`-th dropout with `seed` (whole numbers; both taken modulo 2³²). */
export function dropoutKeys(seed: number, call: number): { a: number; b: number } {
  const a = fmix32((seed + 0x9e3779b9) >>> 0); // the golden ratio's bits: seed 0 does not give the key 0
  return { a, b: fmix32((a + call) >>> 0) };
}

/**
 * x with each element dropped (set to 0) with probability `rate`, the others divided by 1 − rate, as
 * tf.dropout; the mask is a function of (seed, call, element index) alone, the same on any thread count.
 */
export function dropout(x: Tensor, rate: number, seed: number, call: number): Tensor {
  if (!(rate > 0 && rate < 1)) throw new Error(`dropout: rate must be in (0, 1), got ${rate}.`);
  if (x.dtype !== "float32") throw new Error(`dropout: x must be float32, got ${x.dtype}.`);
  const { a, b } = dropoutKeys(seed, call);
  const threshold = Math.min(2 ** 32 - 1, Math.round(rate * 2 ** 32));
  const scale = new Int32Array(new Float32Array([1 / Math.fround(1 - rate)]).buffer)[0];
  const attrs: DropoutAttrs = { a: a | 0, b: b | 0, threshold: threshold | 0, scale };
  return tf.engine().runKernel(Dropout, { x }, attrs as unknown as NamedAttrMap) as Tensor;
}

// The gradient is dy through the same mask: the same kernel with the same attributes (registered with the kernel).
function registerDropoutGradient(): void {
  if (getGradient(Dropout)) return;
  registerGradient({
    kernelName: Dropout,
    gradFunc: (dy: Tensor | Tensor[], _saved: Tensor[], attrs: NamedAttrMap) => ({
      x: () => tf.engine().runKernel(Dropout, { x: dy as Tensor }, attrs) as Tensor,
    }),
  });
}

// What the call reads of a tf.layers Dropout (public fields in JavaScript), and where it keeps its draws.
interface DropoutFields {
  rate: number;
  seed?: number;
  courseDropout?: { seed: number; calls: number };
  invokeCallHook(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): void;
  /** null unless the layer drops whole slices (a noiseShape, SpatialDropout1D). */
  getNoiseShape(input: Tensor): number[] | null | undefined;
}
type LayerCall = (this: DropoutFields, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];

/**
 * Makes tf.layers' Dropout drop with the course's kernel while training, wherever the kernel is registered
 * (idempotent; once per process). Each layer draws a new mask at each call: from its `seed` if it has one, else
 * from a seed of Math.random's (as unrepeatable as tfjs's own). A noise shape (SpatialDropout1D's too), other
 * dtypes and other backends keep tfjs's dropout.
 */
export function fuseDropout(): void {
  registerDropoutGradient();
  processMemo("courseDropout", () => {
    const proto = Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })) as { call: LayerCall };
    const stock = proto.call;
    proto.call = function (this: DropoutFields, inputs, kwargs) {
      const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
      const ours = x !== null && kwargs?.training === true && this.rate > 0 && this.rate < 1 && this.getNoiseShape(x!) == null && x.dtype === "float32" && getKernel(Dropout, tf.getBackend()) !== undefined;
      if (!ours) return stock.call(this, inputs, kwargs);
      this.invokeCallHook(inputs, kwargs);
      this.courseDropout ??= { seed: this.seed ?? Math.floor(Math.random() * 2 ** 32), calls: 0 };
      return dropout(x!, this.rate, this.courseDropout.seed, this.courseDropout.calls++);
    };
    return true;
  });
}
