// A whole LSTM layer as one TensorFlow.js kernel, forward and backward, on the course's wasm kernels.
// tfjs's LSTM layer makes a kernel call for every op of every timestep, forward and backward, each with
// tens of microseconds of bookkeeping whatever its size: lesson 2's training step made 4,047 calls
// (970 with the fused step in the cell, 159 with this kernel). The work is the same: x·W + b for every
// timestep in one product, then per timestep h·U and the fused step (lstm-step-simd.ts); backward, per
// timestep the step's gradient and dz·Uᵀ, then dW, dU, db and dx each in one product over all
// timesteps. The batch's rows go through all timesteps on their own thread; the products split too.
import type { TensorInfo } from "@tensorflow/tfjs";
import { gemmScratch } from "./batch-mat-mul";
import type { StepActivation } from "./lstm-step-simd";
import { gemmScratchBytes, requireSimd } from "./simd-kernels";
import { heapOffset, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

/** The kernel names: the layer (outputs h at every timestep, the last h and c, and the tape) and its gradient. */
export const LstmLayer = "CourseLstmLayer";
export const LstmLayerGrad = "CourseLstmLayerGrad";

interface LayerAttrs {
  activation: StepActivation;
}

/**
 * Where the forward pass keeps what the gradient needs, in one float32 tensor (the "tape"), time-major:
 * x [T,B,D], z [T,B,4H], the gates [T,B,4H], c [T+1,B,H] and h [T+1,B,H] (slot 0: the zero initial state).
 */
function tapeLayout(B: number, T: number, D: number, H: number) {
  const G = 4 * H;
  const sizes = { x: T * B * D, z: T * B * G, gates: T * B * G, c: (T + 1) * B * H, h: (T + 1) * B * H };
  let at = 0;
  const offsets = {} as Record<keyof typeof sizes, number>;
  for (const [name, size] of Object.entries(sizes) as Array<[keyof typeof sizes, number]>) {
    offsets[name] = at * 4;
    at += size;
  }
  return { offsets, length: at };
}

/** Byte offsets of row r at timestep t: of a batch-major tensor [B,T,width] (x, h, their gradients), of a time-major part of the tape [T,B,width]. */
function rowsOf(B: number, T: number) {
  return {
    batchMajor: (p: number, t: number, r: number, width: number) => p + (r * T + t) * width * 4,
    timeMajor: (p: number, t: number, r: number, width: number) => p + (t * B + r) * width * 4,
  };
}

function layer(args: { inputs: Record<"x" | "kernel" | "recurrentKernel" | "bias", TensorInfo>; backend: WasmBackend; attrs: LayerAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const [B, T, D] = inputs.x.shape;
  const H = inputs.recurrentKernel.shape[0];
  const G = 4 * H;
  const { offsets, length } = tapeLayout(B, T, D, H);
  const hs = backend.makeOutput([B, T, H], "float32");
  const hLast = backend.makeOutput([B, H], "float32");
  const cLast = backend.makeOutput([B, H], "float32");
  const tape = backend.makeOutput([length], "float32");
  const scratch = gemmScratch(backend);
  const simd = requireSimd(backend);
  const at = (t: TensorInfo) => heapOffset(backend, t);
  const base = at(tape);
  const [xT, z, gates, c, h] = [offsets.x, offsets.z, offsets.gates, offsets.c, offsets.h].map((o) => base + o);
  const [x, W, U, bias] = [at(inputs.x), at(inputs.kernel), at(inputs.recurrentKernel), at(inputs.bias)];
  const { batchMajor, timeMajor } = rowsOf(B, T);
  const state = (p: number, t: number, r: number) => timeMajor(p, t, r, H); // slot t of c or h
  const gate = (p: number, t: number, r: number) => timeMajor(p, t, r, G); // z or the gates at timestep t
  // x to time-major [T,B,D], z = b at every timestep (then z += x·W for all timesteps in one product), zero states.
  simd.split(B, (r0, r1, k) => {
    for (let t = 0; t < T; t++) {
      k.copyRows(batchMajor(x, t, r0, D), timeMajor(xT, t, r0, D), r1 - r0, D * 4, T * D * 4, D * 4);
      k.copyRows(bias, gate(z, t, r0), r1 - r0, G * 4, 0, G * 4);
    }
  });
  simd.gemm(xT, W, z, T * B, D, G, D * 4, 4, G * 4, G * 4, true, scratch);
  backend.wasm.HEAPU8.fill(0, c, c + B * H * 4);
  backend.wasm.HEAPU8.fill(0, h, h + B * H * 4);
  // The batch's rows are independent through every timestep: each thread takes its rows through all of them,
  // and copies them out.
  simd.split(B, (r0, r1, k, part) => {
    const rows = r1 - r0;
    for (let t = 0; t < T; t++) {
      k.gemm(state(h, t, r0), U, gate(z, t, r0), rows, H, G, H * 4, 4, G * 4, G * 4, true, scratch + part * gemmScratchBytes); // z_t += h_{t−1}·U
      k.fn[`lstmStep_${attrs.activation}`](gate(z, t, r0), state(c, t, r0), state(h, t + 1, r0), state(c, t + 1, r0), gate(gates, t, r0), rows, H);
      k.copyRows(state(h, t + 1, r0), batchMajor(at(hs), t, r0, H), rows, H * 4, H * 4, T * H * 4);
    }
    k.copyRows(state(h, T, r0), at(hLast) + r0 * H * 4, 1, rows * H * 4, 0, 0);
    k.copyRows(state(c, T, r0), at(cLast) + r0 * H * 4, 1, rows * H * 4, 0, 0);
  });
  return [hs, hLast, cLast, tape];
}

function layerGrad(args: { inputs: Partial<Record<"dhs" | "dhLast" | "dcLast", TensorInfo>> & Record<"x" | "kernel" | "recurrentKernel" | "tape", TensorInfo>; backend: WasmBackend; attrs: LayerAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const [B, T, D] = inputs.x.shape;
  const H = inputs.recurrentKernel.shape[0];
  const G = 4 * H;
  const { offsets } = tapeLayout(B, T, D, H);
  const dx = backend.makeOutput([B, T, D], "float32");
  const dW = backend.makeOutput([D, G], "float32");
  const dU = backend.makeOutput([H, G], "float32");
  const db = backend.makeOutput([G], "float32");
  const simd = requireSimd(backend);
  const scratch = gemmScratch(backend);
  // Scratch: dz at every timestep [T,B,4H], dx time-major [T,B,D], Uᵀ, Wᵀ, and dh, dh from the next timestep, dc.
  const sizes = [T * B * G, T * B * D, G * H, G * D, B * H, B * H, B * H];
  const block = backend.wasm._malloc(4 * sizes.reduce((a, b) => a + b, 0)) >>> 0;
  const [dZ, dxT, UT, WT, dh, dhNext, dc] = sizes.map((_, i) => block + 4 * sizes.slice(0, i).reduce((a, b) => a + b, 0));
  try {
    const at = (t: TensorInfo) => heapOffset(backend, t);
    const base = at(inputs.tape);
    const [xT, z, gates, c, h] = [offsets.x, offsets.z, offsets.gates, offsets.c, offsets.h].map((o) => base + o);
    const { batchMajor, timeMajor } = rowsOf(B, T);
    const state = (p: number, t: number, r: number) => timeMajor(p, t, r, H); // slot t of c or h
    const gate = (p: number, t: number, r: number) => timeMajor(p, t, r, G); // z, the gates or dz at timestep t
    simd.transpose(at(inputs.recurrentKernel), UT, H, G);
    simd.transpose(at(inputs.kernel), WT, D, G);
    // The gradients of the last h and c (zeros when nothing used them), then of h at every timestep.
    for (const [given, to] of [[inputs.dhLast, dhNext], [inputs.dcLast, dc]] as const) {
      if (given) simd.copyRows(at(given), to, 1, B * H * 4, 0, 0);
      else backend.wasm.HEAPU8.fill(0, to, to + B * H * 4);
    }
    const dhs = inputs.dhs ? at(inputs.dhs) : 0;
    // Backwards through time, each thread its own rows of the batch, as forward.
    simd.split(B, (r0, r1, k, part) => {
      const rows = r1 - r0;
      const [dhR, dhNextR, dcR] = [dh, dhNext, dc].map((p) => p + r0 * H * 4);
      for (let t = T - 1; t >= 0; t--) {
        // dh = the gradient of h_t from the layer's output (if it returns every h) and from timestep t + 1
        if (dhs) k.fn.add_vv(batchMajor(dhs, t, r0, H), dhNextR, dhR, rows, H, T * H * 4, H * 4);
        else k.copyRows(dhNextR, dhR, 1, rows * H * 4, 0, 0);
        // dz_t, and dc becomes the gradient of c_{t−1}
        k.fn[`lstmStepGrad_${attrs.activation}`](dhR, dcR, gate(z, t, r0), gate(gates, t, r0), state(c, t, r0), state(c, t + 1, r0), gate(dZ, t, r0), dcR, rows, H);
        k.gemm(gate(dZ, t, r0), UT, dhNextR, rows, G, H, G * 4, 4, H * 4, H * 4, false, scratch + part * gemmScratchBytes); // dh_{t−1} = dz_t·Uᵀ
      }
    });
    // Over all timesteps at once: dU = Σ h_{t−1}ᵀ·dz_t, dW = Σ x_tᵀ·dz_t, db = Σ dz_t, dx_t = dz_t·Wᵀ.
    simd.gemm(h, dZ, at(dU), H, T * B, G, 4, H * 4, G * 4, G * 4, false, scratch);
    simd.gemm(xT, dZ, at(dW), D, T * B, G, 4, D * 4, G * 4, G * 4, false, scratch);
    simd.split(G, (j0, j1, k) => k.fn.sumRows(dZ + j0 * 4, at(db) + j0 * 4, T * B, j1 - j0, G * 4));
    simd.gemm(dZ, WT, dxT, T * B, G, D, G * 4, 4, D * 4, D * 4, false, scratch);
    simd.split(B, (r0, r1, k) => {
      for (let t = 0; t < T; t++) k.copyRows(timeMajor(dxT, t, r0, D), batchMajor(at(dx), t, r0, D), r1 - r0, D * 4, D * 4, T * D * 4);
    });
  } finally {
    backend.wasm._free(block);
  }
  return [dx, dW, dU, db];
}

/** The wasm kernels of the whole-layer LSTM (registered with the course's other kernels). */
export const lstmLayerConfigs = [wasmKernel(LstmLayer, layer), wasmKernel(LstmLayerGrad, layerGrad)];
