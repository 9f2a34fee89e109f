// GatherV2 for the wasm backend when it picks whole rows (axis 0): an Embedding layer's lookup, and lesson 5's
// outputs at the real targets. The stock kernel computes every element's source address on its own; here each
// row is one copy, and many rows are split across threads. Other gathers go to the stock kernel.
import { GatherV2, util } from "@tensorflow/tfjs";
import type { GatherV2Attrs, TensorInfo } from "@tensorflow/tfjs";
import { requireSimd } from "./simd-kernels";
import { runStockKernel } from "./stock";
import { heapOffset, heapView, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

function gatherV2(args: { inputs: { x: TensorInfo; indices: TensorInfo }; backend: WasmBackend; attrs: GatherV2Attrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, indices } = inputs;
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  const rowsOfX = x.shape.length > 0 ? x.shape[0] : 0;
  if (axis !== 0 || (attrs.batchDims ?? 0) !== 0 || (x.dtype !== "float32" && x.dtype !== "int32") || indices.dtype !== "int32") {
    return runStockKernel(GatherV2, args) as TensorInfo;
  }
  const picks = heapView(backend, indices) as Int32Array;
  for (let i = 0; i < picks.length; i++) {
    // the stock kernel's check and message
    if (!(picks[i] >= 0 && picks[i] < rowsOfX)) throw new Error(`GatherV2: the index value ${picks[i]} is not in [0, ${rowsOfX - 1}]`);
  }
  const rowShape = x.shape.slice(1);
  const out = backend.makeOutput([...indices.shape, ...rowShape], x.dtype);
  const rowBytes = util.sizeFromShape(rowShape) * 4;
  if (picks.length === 0 || rowBytes === 0) return out;
  requireSimd(backend).rows("gatherRows", picks.length, [[heapOffset(backend, out), rowBytes], [heapOffset(backend, indices), 4]], [heapOffset(backend, x), rowBytes]);
  return out;
}

/** The replacement GatherV2 kernel for wasm (whole rows; the rest goes to the stock one). */
export const gatherV2Config = wasmKernel(GatherV2, gatherV2);
