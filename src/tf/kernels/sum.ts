// Sum for the wasm backend when it reduces the leading axes: the gradient of a bias, summing a
// [batch, units] gradient over the batch at every timestep. The stock kernel first transposes the
// input so that the reduced axis comes last; the SIMD function sums down the columns in place, in
// the same order (rows ascending from 0), so the results are bit-identical, and large sums split their
// columns across threads. Other reductions go to the stock kernel.
import { Sum, backend_util, util } from "@tensorflow/tfjs";
import type { SumAttrs, TensorInfo } from "@tensorflow/tfjs";
import { requireSimd } from "./simd-kernels";
import { runStockKernel } from "./stock";
import { heapOffset, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

function sum(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: SumAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const axes = util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((axis, i) => axis === i);
  if (x.dtype !== "float32" || !leading) return runStockKernel(Sum, args) as TensorInfo;
  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  const cols = util.sizeFromShape(x.shape.slice(axes.length));
  const outShape = attrs.keepDims ? backend_util.expandShapeToKeepDim(x.shape.slice(axes.length), axes) : x.shape.slice(axes.length);
  const out = backend.makeOutput(outShape, "float32");
  if (cols === 0) return out;
  if (rows === 0) {
    const offset = heapOffset(backend, out);
    backend.wasm.HEAPU8.fill(0, offset, offset + cols * 4);
    return out;
  }
  const [from, to] = [heapOffset(backend, x), heapOffset(backend, out)];
  // Each thread sums its own columns, in the same order.
  requireSimd(backend).split(cols, (j0, j1, k) => k.fn.sumRows(from + j0 * 4, to + j0 * 4, rows, j1 - j0, cols * 4), rows * cols);
  return out;
}

/** The replacement Sum kernel for wasm (leading axes; the rest goes to the stock one). */
export const sumConfig = wasmKernel(Sum, sum);
