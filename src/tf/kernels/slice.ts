// Slice and the kernels built on it (SplitV, Unpack, the simple case of StridedSlice) for the wasm
// backend, copying straight from the input's place in the heap. The stock Slice first copies its
// whole input out of the heap (readSync), then keeps the part it needs: taking one timestep of a
// [28,128,512] tensor copied all 28 of them. Recurrent layers unstack their input into timesteps
// and split the gate pre-activations four ways at every step, so that copy ran thousands of times.
import { Slice, SplitV, StridedSlice, Unpack, backend_util, slice_util, util } from "@tensorflow/tfjs";
import type {
  SliceAttrs,
  SplitVAttrs,
  StridedSliceAttrs,
  TensorInfo,
  UnpackAttrs,
} from "@tensorflow/tfjs";
import { runStockKernel } from "./stock";
import { requireSimd } from "./simd-kernels";
import { heapOffset, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

/** Copies the block of `x` at `begin` with extent `size` into a new tensor. */
export function sliceFromHeap(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const count = util.sizeFromShape(size);
  if (count === 0) return out;
  const simd = requireSimd(backend);
  const bytes = x.dtype === "bool" ? 1 : 4;
  const strides = util.computeStrides(x.shape);
  const from = heapOffset(backend, x);
  const to = heapOffset(backend, out);
  if (slice_util.isSliceContinous(x.shape, begin, size)) {
    const start = slice_util.computeFlatOffset(begin, strides);
    simd.copyRows(from + start * bytes, to, 1, count * bytes, 0, 0);
    return out;
  }
  // One copyRows call per block of the last two axes, stepping an index over the axes before them.
  const rank = x.shape.length;
  const rows = size[rank - 2];
  const rowBytes = size[rank - 1] * bytes;
  const blocks = count / (rows * size[rank - 1]);
  const index = new Array<number>(Math.max(rank - 2, 0)).fill(0);
  for (let blk = 0; blk < blocks; blk++) {
    let start = begin[rank - 1] + begin[rank - 2] * strides[rank - 2];
    for (let d = 0; d < rank - 2; d++) start += (begin[d] + index[d]) * strides[d];
    simd.copyRows(from + start * bytes, to + blk * rows * rowBytes, rows, rowBytes, strides[rank - 2] * bytes, rowBytes);
    for (let d = rank - 3; d >= 0; d--) {
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

function slice(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: SliceAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (x.dtype === "string") return runStockKernel(Slice, args) as TensorInfo;
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  slice_util.assertParamsValid(x, begin, size);
  return sliceFromHeap(backend, x, begin, size);
}

function splitV(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: SplitVAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (x.dtype === "string") return runStockKernel(SplitV, args) as TensorInfo[];
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  const splitSizes = backend_util.prepareSplitSize(x, attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return splitSizes.map((s) => {
    const size = x.shape.slice();
    size[axis] = s;
    const part = sliceFromHeap(backend, x, begin.slice(), size);
    begin[axis] += s;
    return part;
  });
}

function unpack(args: { inputs: { value: TensorInfo }; backend: WasmBackend; attrs: UnpackAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { value } = inputs;
  if (value.dtype === "string") return runStockKernel(Unpack, args) as TensorInfo[];
  const rank = value.shape.length;
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]; i++) {
    begin[axis] = i;
    const { dataId, dtype } = sliceFromHeap(backend, value, begin, size);
    outs.push({ dataId, dtype, shape: outShape });
  }
  return outs;
}

function stridedSlice(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: StridedSliceAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const info = slice_util.sliceInfo(
    x.shape,
    attrs.begin,
    attrs.end,
    attrs.strides,
    attrs.beginMask,
    attrs.endMask,
    attrs.ellipsisMask,
    attrs.newAxisMask,
    attrs.shrinkAxisMask,
  );
  // Only the contiguous case went through the copying Slice; the rest has its own C++ kernel.
  if (info.isIdentity || !(info.sliceDim0 || info.isSimpleSlice) || x.dtype === "string") {
    return runStockKernel(StridedSlice, args) as TensorInfo;
  }
  const size = slice_util.computeOutShape(info.begin, info.end, info.strides);
  const sliced = sliceFromHeap(backend, x, info.begin, size);
  sliced.shape = info.finalShape;
  return sliced;
}

/** The replacement Slice kernel for wasm. */
export const sliceConfig = wasmKernel(Slice, slice);
/** The replacement SplitV kernel for wasm. */
export const splitVConfig = wasmKernel(SplitV, splitV);
/** The replacement Unpack kernel for wasm. */
export const unpackConfig = wasmKernel(Unpack, unpack);
/** The replacement StridedSlice kernel for wasm (its contiguous case; the rest goes to the stock one). */
export const stridedSliceConfig = wasmKernel(StridedSlice, stridedSlice);
