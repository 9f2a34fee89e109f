// The fused LSTM step (lstm-step-simd.ts) as a TensorFlow.js kernel with its own gradient, and
// tf.layers' LSTM made to use the course's kernels on wasm: a layer runs as one kernel (lstm-layer.ts)
// where nothing calls for tfjs's own loop; otherwise its cell computes z = x·W + h·U + b as tfjs does
// and then takes the fused step, one kernel forward and one backward where tfjs's cell makes one per
// op (split, the gate activations, the products and sums). Cells the fused step does not cover
// (dropout, other activations, units not a multiple of 4) and other backends run as before.
import * as tf from "@tensorflow/tfjs";
import { getGradient, getKernel, registerGradient } from "@tensorflow/tfjs";
import type { NamedAttrMap, Tensor, TensorInfo } from "@tensorflow/tfjs";
import { processMemo } from "../../course";
import { stepActivations } from "./lstm-step-simd";
import type { StepActivation } from "./lstm-step-simd";
import { LstmLayer, LstmLayerGrad } from "./lstm-layer";
import { requireSimd } from "./simd-kernels";
import { heapOffset, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

/** The kernel names: the step (outputs h, c and the activated gates) and its gradient (outputs dz, dc_prev). */
export const LstmStep = "CourseLstmStep";
export const LstmStepGrad = "CourseLstmStepGrad";

interface StepAttrs {
  activation: StepActivation;
}

function step(args: { inputs: { z: TensorInfo; cPrev: TensorInfo }; backend: WasmBackend; attrs: StepAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { z, cPrev } = inputs;
  const [rows, units] = cPrev.shape;
  const h = backend.makeOutput([rows, units], "float32");
  const c = backend.makeOutput([rows, units], "float32");
  const gates = backend.makeOutput([rows, 4 * units], "float32");
  const at = (t: TensorInfo) => heapOffset(backend, t);
  requireSimd(backend).rows(`lstmStep_${attrs.activation}`, rows, [[at(z), 16 * units], [at(cPrev), 4 * units], [at(h), 4 * units], [at(c), 4 * units], [at(gates), 16 * units]], [units]);
  return [h, c, gates];
}

function stepGrad(args: { inputs: Record<"dh" | "dc" | "z" | "gates" | "cPrev" | "c", TensorInfo>; backend: WasmBackend; attrs: StepAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { dh, dc, z, gates, cPrev, c } = inputs;
  const [rows, units] = c.shape;
  const dz = backend.makeOutput([rows, 4 * units], "float32");
  const dcPrev = backend.makeOutput([rows, units], "float32");
  const at = (t: TensorInfo) => heapOffset(backend, t);
  const row = 4 * units;
  requireSimd(backend).rows(`lstmStepGrad_${attrs.activation}`, rows, [[at(dh), row], [at(dc), row], [at(z), 4 * row], [at(gates), 4 * row], [at(cPrev), row], [at(c), row], [at(dz), 4 * row], [at(dcPrev), row]], [units]);
  return [dz, dcPrev];
}

/** The wasm kernels of the fused step (registered with the course's other kernels). */
export const lstmStepConfigs = [wasmKernel(LstmStep, step), wasmKernel(LstmStepGrad, stepGrad)];

/** [h, c] of one LSTM step from z = x·W + b + h_prev·U (rows×4·units, gates i f g o) and c_prev (rows×units). */
export function lstmStep(z: Tensor, cPrev: Tensor, activation: StepActivation): [Tensor, Tensor] {
  const [h, c] = tf.engine().runKernel(LstmStep, { z, cPrev }, { activation } as unknown as NamedAttrMap) as Tensor[];
  return [h, c];
}

// The step's gradient: one kernel from the gradients of h and c (zeros for one that nothing used).
function registerStepGradient(): void {
  if (getGradient(LstmStep)) return;
  registerGradient({
    kernelName: LstmStep,
    inputsToSave: ["z", "cPrev"],
    outputsToSave: [false, true, true],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [z, cPrev, c, gates] = saved;
      const [dh, dc] = (dy as Array<Tensor | null>).map((d) => d ?? tf.zerosLike(c));
      const [dz, dcPrev] = tf.engine().runKernel(LstmStepGrad, { dh, dc, z, gates, cPrev, c }, attrs) as Tensor[];
      return { z: () => dz, cPrev: () => dcPrev };
    },
  });
}

// What the cell's call reads of an LSTMCell (tfjs-layers keeps these as public fields).
interface LstmCellFields {
  units: number;
  dropout: number;
  recurrentDropout: number;
  useBias: boolean;
  activation: { getClassName(): string };
  recurrentActivation: { getClassName(): string };
  kernel: { read(): Tensor };
  recurrentKernel: { read(): Tensor };
  bias: { read(): Tensor } | null;
}
type CellCall = (this: LstmCellFields, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];
type LayerCall = (this: LstmLayerFields, inputs: Tensor | Tensor[], kwargs: Record<string, unknown> | undefined) => Tensor | Tensor[];

/** The fused step's activation for this cell, or null when the fused step does not cover it here. */
function fusedActivation(cell: LstmCellFields): StepActivation | null {
  const kind = cell.recurrentActivation.getClassName() as StepActivation;
  const covered =
    cell.dropout === 0 && cell.recurrentDropout === 0 && cell.units % 4 === 0 &&
    stepActivations.includes(kind) && cell.activation.getClassName() === "tanh" && getKernel(LstmStep, tf.getBackend()) !== undefined;
  return covered ? kind : null;
}

/**
 * The outputs of an LSTM layer over x [B,T,D] from zero states, in one kernel: h at every timestep [B,T,H]
 * (`sequences`), else the last h [B,H]. Its gradient is one kernel too. Written with tf.customGrad, so
 * that the engine records one node with one output: a kernel's outputs that nothing uses (the tape of
 * what the gradient needs, the last c) would each get a gradient of zeros, made in JavaScript and
 * copied in (50 ms a step for lesson 2's tape).
 */
export function lstmLayer(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor, activation: StepActivation, sequences: boolean): Tensor {
  const attrs = { activation } as unknown as NamedAttrMap;
  const layer = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [xs, w, u, b] = args as Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const [hs, hLast, cLast, tape] = tf.engine().runKernel(LstmLayer, { x: xs, kernel: w, recurrentKernel: u, bias: b }, attrs) as Tensor[];
    save([xs, w, u, tape]);
    tf.dispose([cLast, sequences ? hLast : hs]);
    return {
      value: sequences ? hs : hLast,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [savedX, savedW, savedU, savedTape] = saved;
        const given: Record<string, Tensor> = sequences ? { dhs: dy } : { dhLast: dy };
        return tf.engine().runKernel(LstmLayerGrad, { ...given, x: savedX, kernel: savedW, recurrentKernel: savedU, tape: savedTape }, attrs) as Tensor[];
      },
    };
  });
  return layer(x, kernel, recurrentKernel, bias);
}

// What the layer's call reads of an LSTM layer (public fields of tfjs-layers' RNN).
interface LstmLayerFields {
  cell: LstmCellFields;
  stateful: boolean;
  goBackwards: boolean;
  returnState: boolean;
  returnSequences: boolean;
}

/**
 * Makes tf.layers' LSTM layers run as one kernel (lstm-layer.ts) and their cells take the fused step, wherever
 * those kernels are registered (idempotent; once per process). A layer with a mask, initial states, state kept
 * between calls, backwards or returning its states runs tfjs's loop, with the fused step in its cell.
 */
export function fuseLstmLayers(): void {
  registerStepGradient();
  processMemo("fusedLstmCells", () => {
    const cellProto = Object.getPrototypeOf(tf.layers.lstmCell({ units: 4 })) as { call: CellCall };
    const cellCall = cellProto.call;
    cellProto.call = function (this: LstmCellFields, inputs, kwargs) {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const kind = list.length === 3 && list[0].rank === 2 ? fusedActivation(this) : null;
      if (kind === null) return cellCall.call(this, inputs, kwargs);
      return tf.tidy(() => {
        const [x, hPrev, cPrev] = list;
        let z = tf.add(tf.matMul(x, this.kernel.read()), tf.matMul(hPrev, this.recurrentKernel.read()));
        if (this.useBias && this.bias) z = tf.add(z, this.bias.read());
        const [h, c] = lstmStep(z, cPrev, kind);
        return [h, h, c];
      });
    };
    const layerProto = Object.getPrototypeOf(tf.layers.lstm({ units: 4 })) as { call: LayerCall };
    const layerCall = layerProto.call;
    layerProto.call = function (this: LstmLayerFields, inputs, kwargs) {
      const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
      const plain = kwargs?.mask == null && kwargs?.initialState == null && !this.stateful && !this.goBackwards && !this.returnState;
      const kind = x !== null && x.rank === 3 && x.dtype === "float32" && plain && getKernel(LstmLayer, tf.getBackend()) ? fusedActivation(this.cell) : null;
      if (kind === null) return layerCall.call(this, inputs, kwargs);
      return tf.tidy(() => {
        const cell = this.cell;
        const bias = cell.useBias && cell.bias ? cell.bias.read() : tf.zeros([4 * cell.units]);
        return lstmLayer(x!, cell.kernel.read(), cell.recurrentKernel.read(), bias, kind, this.returnSequences);
      });
    };
    return true;
  });
}
