// BatchMatMul and _FusedMatMul (matMul + bias) for the wasm backend on the course's SIMD matrix
// product. The stock BatchMatMul reaches XNNPACK only for an untransposed, unbatched product; with
// transposeA or transposeB (every gradient of a dense or recurrent layer) or a batch dimension it
// runs a naive loop, 13-25x slower. Here a transposed left operand is read through its strides, a
// transposed right operand is transposed once into scratch memory (and kept: it is nearly always a
// weight matrix, used again at every timestep of the backward pass), and every product adds in
// XNNPACK's order (the bias first, then k ascending), so untransposed products are bit-identical.
import { BatchMatMul, _FusedMatMul, broadcast_util, util } from "@tensorflow/tfjs";
import type { BatchMatMulAttrs, BatchMatMulInputs, TensorInfo, _FusedMatMulAttrs, _FusedMatMulInputs } from "@tensorflow/tfjs";
import { gemmScratchBytes, requireSimd, threadsInUse } from "./simd-kernels";
import type { SimdKernels } from "./simd-kernels";
import { runStockKernel } from "./stock";
import { heapOffset, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

/**
 * Transposed copies of right operands, by the operand's dataId and shape (tensor data never changes
 * in place; a reshape shares the data under another shape).
 */
interface TransposedCopy {
  dataId: object;
  rows: number;
  cols: number;
  offset: number;
}
const transposedCopies = new WeakMap<WasmBackend, TransposedCopy[]>();
const maxCopies = 8; // the weights of a few stacked layers; the least recently used go first
const maxCopyBytes = 4 << 20; // larger operands are transposed into scratch memory for one call

/** Frees kept copies whose tensor is gone, then the least recently used beyond `keep`. */
function pruneCopies(backend: WasmBackend, copies: TransposedCopy[], keep: number): void {
  for (let i = copies.length - 1; i >= 0; i--) {
    if (backend.dataIdMap.has(copies[i].dataId)) continue;
    backend.wasm._free(copies[i].offset);
    copies.splice(i, 1);
  }
  while (copies.length > keep) backend.wasm._free((copies.shift() as TransposedCopy).offset);
}

// Scratch memory for gemm to pack blocks of B into: a block per thread, per backend, kept (and
// allocated again when more threads are in use).
const scratchBlocks = new WeakMap<WasmBackend, { offset: number; threads: number }>();
export function gemmScratch(backend: WasmBackend): number {
  const threads = threadsInUse();
  let scratch = scratchBlocks.get(backend);
  if (scratch === undefined || scratch.threads < threads) {
    if (scratch !== undefined) backend.wasm._free(scratch.offset);
    scratch = { offset: backend.wasm._malloc(gemmScratchBytes * threads) >>> 0, threads };
    scratchBlocks.set(backend, scratch);
  }
  return scratch.offset;
}

/** The byte offset of b's `batch` matrices (rows×cols each) transposed, and a function to release it. */
function transposedOperand(backend: WasmBackend, simd: SimdKernels, b: TensorInfo, batch: number, rows: number, cols: number): [number, () => void] {
  const bytes = batch * rows * cols * 4;
  const keep = batch === 1 && bytes <= maxCopyBytes;
  let copies = transposedCopies.get(backend);
  if (!copies) transposedCopies.set(backend, (copies = []));
  if (keep) {
    const at = copies.findIndex((c) => c.dataId === b.dataId && c.rows === rows && c.cols === cols);
    if (at >= 0) {
      const [known] = copies.splice(at, 1);
      copies.push(known); // most recently used last
      return [known.offset, () => undefined];
    }
  }
  const offset = backend.wasm._malloc(bytes) >>> 0;
  const source = heapOffset(backend, b);
  for (let i = 0; i < batch; i++) simd.transpose(source + i * rows * cols * 4, offset + i * rows * cols * 4, rows, cols);
  if (!keep) return [offset, () => backend.wasm._free(offset)];
  copies.push({ dataId: b.dataId, rows, cols, offset });
  pruneCopies(backend, copies, maxCopies);
  return [offset, () => undefined];
}

/** Shapes of a batched product: m×k times k×n, over `batch` pairs, with broadcasting. */
interface ProductShape {
  m: number;
  k: number;
  n: number;
  batchA: number;
  batchB: number;
  batch: number;
  outShape: number[];
}

function productShape(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): ProductShape {
  if (a.dtype !== "float32" || b.dtype !== "float32") {
    throw new Error(`matMul on wasm takes float32 tensors, not ${a.dtype} and ${b.dtype}.`);
  }
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  util.assert(
    k === kB,
    () =>
      `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ` +
      `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  const outBatchShape = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  return { m, k, n, batchA, batchB, batch: util.sizeFromShape(outBatchShape), outShape: [...outBatchShape, m, n] };
}

/**
 * Writes a·b (each operand transposed if asked) into `out`; with `accumulate`, adds it to what `out`
 * holds, each sum starting from that value (as XNNPACK starts from the bias).
 */
function multiplyInto(backend: WasmBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, out: TensorInfo, shape: ProductShape, accumulate: boolean): void {
  const { m, k, n, batchA, batchB, batch } = shape;
  if (batch * m * n === 0) return;
  if (k === 0) {
    if (accumulate) return;
    const offset = heapOffset(backend, out);
    backend.wasm.HEAPU8.fill(0, offset, offset + batch * m * n * 4);
    return;
  }
  const simd = requireSimd(backend);
  const [bBase, release] = transposeB ? transposedOperand(backend, simd, b, batchB, n, k) : [heapOffset(backend, b), () => undefined];
  const scratch = gemmScratch(backend); // (allocated before taking offsets: nothing moves, but keep the habit)
  try {
    const aBase = heapOffset(backend, a);
    const outBase = heapOffset(backend, out);
    // A(i,k) as stored: row-major m×k, or k×m when transposed.
    const aRow = transposeA ? 4 : k * 4;
    const aCol = transposeA ? m * 4 : 4;
    for (let i = 0; i < batch; i++) {
      // A batch dimension of 1 broadcasts against the other operand's.
      const aOffset = aBase + (batchA === 1 ? 0 : i) * m * k * 4;
      const bOffset = bBase + (batchB === 1 ? 0 : i) * k * n * 4;
      simd.gemm(aOffset, bOffset, outBase + i * m * n * 4, m, k, n, aRow, aCol, n * 4, n * 4, accumulate, scratch);
    }
  } finally {
    release();
  }
}

function batchMatMul(args: { inputs: BatchMatMulInputs; backend: WasmBackend; attrs: BatchMatMulAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = inputs.a as TensorInfo;
  const b = inputs.b as TensorInfo;
  const shape = productShape(a, b, attrs.transposeA, attrs.transposeB);
  const out = backend.makeOutput(shape.outShape, "float32");
  multiplyInto(backend, a, b, attrs.transposeA, attrs.transposeB, out, shape, false);
  return out;
}

/** matMul + bias, as tf.layers' dense and recurrent layers call it; other activations go to the stock kernel. */
function fusedMatMul(args: { inputs: _FusedMatMulInputs; backend: WasmBackend; attrs: _FusedMatMulAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b, bias } = inputs;
  const shape = productShape(a, b, attrs.transposeA, attrs.transposeB);
  const plainBias = bias == null || (bias.dtype === "float32" && util.sizeFromShape(bias.shape) === shape.n && bias.shape.length === 1);
  if (attrs.activation !== "linear" || !plainBias) return runStockKernel(_FusedMatMul, args) as TensorInfo;
  const out = backend.makeOutput(shape.outShape, "float32");
  const rows = shape.batch * shape.m;
  if (bias != null && rows * shape.n > 0) {
    // Every row of the output starts as the bias; the products are added to it.
    requireSimd(backend).copyRows(heapOffset(backend, bias), heapOffset(backend, out), rows, shape.n * 4, 0, shape.n * 4);
  }
  multiplyInto(backend, a, b, attrs.transposeA, attrs.transposeB, out, shape, bias != null);
  return out;
}

/** The replacement BatchMatMul kernel for wasm. */
export const batchMatMulConfig = wasmKernel(BatchMatMul, batchMatMul);

/** The replacement _FusedMatMul kernel for wasm (linear activation, rank-1 bias or none). */
export const fusedMatMulConfig = wasmKernel(_FusedMatMul, fusedMatMul);
