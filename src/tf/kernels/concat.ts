// Concat for the wasm backend: one strided block copy per input in WebAssembly. The stock kernel
// copies with a typed-array subarray per input per row (512 of them to join four 128×128 gates),
// each costing more than the bytes it moves.
import { Concat, backend_util, util } from "@tensorflow/tfjs";
import type { ConcatAttrs, TensorInfo } from "@tensorflow/tfjs";
import { requireSimd } from "./simd-kernels";
import { runStockKernel } from "./stock";
import { heapOffset, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

function concat(args: { inputs: TensorInfo[]; backend: WasmBackend; attrs: ConcatAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  if (inputs.some((t) => t.dtype === "string" || t.dtype === "complex64")) return runStockKernel(Concat, args) as TensorInfo;
  const axis = util.parseAxisParam(attrs.axis, inputs[0].shape)[0];
  backend_util.assertParamsConsistent(inputs.map((t) => t.shape), axis);
  const outShape = backend_util.computeOutShape(inputs.map((t) => t.shape), axis);
  const out = backend.makeOutput(outShape, inputs[0].dtype);
  if (util.sizeFromShape(outShape) === 0) return out;
  // As rows: everything before the axis is the row index, the rest is each input's share of a row.
  const bytes = inputs[0].dtype === "bool" ? 1 : 4;
  const rows = util.sizeFromShape(outShape.slice(0, axis));
  const rowBytes = util.sizeFromShape(outShape.slice(axis)) * bytes;
  const simd = requireSimd(backend);
  let column = heapOffset(backend, out);
  for (const input of inputs) {
    const inputRowBytes = util.sizeFromShape(input.shape.slice(axis)) * bytes;
    if (inputRowBytes === 0) continue;
    simd.copyRows(heapOffset(backend, input), column, rows, inputRowBytes, inputRowBytes, rowBytes);
    column += inputRowBytes;
  }
  return out;
}

/** The replacement Concat kernel for wasm. */
export const concatConfig = wasmKernel(Concat, concat);
