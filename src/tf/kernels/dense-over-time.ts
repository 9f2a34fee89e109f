// tf.layers' TimeDistributed(Dense) made one product where the course's kernels are registered. tfjs runs
// TimeDistributed as a loop over timesteps (K.rnn): lesson 4's output layer made 100 small products, each
// with its bias add, forward and three backward, every one a kernel call with its bookkeeping (and, on
// several threads, a wait). A Dense layer maps the last axis alone, so applied to the whole [B, T, F]
// input it gives the same outputs, each row's sum in the same order: one product over B·T rows.
// Its weight gradient then sums over all B·T rows in one product instead of adding T partial products.
import * as tf from "@tensorflow/tfjs";
import { getKernel } from "@tensorflow/tfjs";
import type { Tensor } from "@tensorflow/tfjs";
import { processMemo } from "../../course";
import { LstmLayer } from "./lstm-layer";

// What the call reads of a TimeDistributed layer (a public field of tfjs-layers' Wrapper).
interface TimeDistributedFields {
  layer: { getClassName(): string; call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] };
}
type WrapperCall = (this: TimeDistributedFields, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];

/**
 * Makes tf.layers' TimeDistributed run a wrapped Dense layer over every timestep at once, wherever the course's
 * kernels are registered (idempotent; once per process). Other wrapped layers, masks and other backends keep
 * tfjs's loop.
 */
export function fuseDenseOverTime(): void {
  processMemo("denseOverTime", () => {
    const proto = Object.getPrototypeOf(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 1 }) })) as { call: WrapperCall };
    const loop = proto.call;
    proto.call = function (this: TimeDistributedFields, inputs, kwargs) {
      const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
      const oneProduct = x !== null && x.rank === 3 && kwargs?.mask == null && this.layer.getClassName() === "Dense" && getKernel(LstmLayer, tf.getBackend()) !== undefined;
      return oneProduct ? this.layer.call(x!, kwargs) : loop.call(this, inputs, kwargs);
    };
    return true;
  });
}
