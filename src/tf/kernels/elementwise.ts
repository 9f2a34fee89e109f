// Element-wise kernels for the wasm backend on the course's SIMD functions: float arithmetic,
// comparisons, logicalAnd, select, casts, exp, and Identity without a copy. A recurrent step calls
// these dozens of times per timestep on small tensors (the hard-sigmoid gates alone call
// greaterEqual, lessEqual, logicalAnd and select in their gradient), where the stock kernels took
// 50-250 µs each for a 128×128 tensor. Shapes the SIMD functions do not cover (general
// broadcasting, int32 arithmetic) go to the stock kernels.
import {
  Add,
  Cast,
  Exp,
  Greater,
  GreaterEqual,
  Identity,
  Less,
  LessEqual,
  LogicalAnd,
  Multiply,
  RealDiv,
  Select,
  Sub,
  broadcast_util,
  util,
} from "@tensorflow/tfjs";
import type { CastAttrs, KernelConfig, TensorInfo } from "@tensorflow/tfjs";
import { requireSimd } from "./simd-kernels";
import { runStockKernel } from "./stock";
import { heapOffset, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

/** How two shapes broadcast, in the terms of the SIMD functions; null when they cannot. */
export interface BinaryForm {
  form: "vv" | "sv" | "vs";
  rows: number;
  cols: number;
  rowA: number;
  rowB: number;
}

function isSuffix(shape: number[], of: number[]): boolean {
  const trimmed = shape.slice(shape.findIndex((d) => d !== 1));
  if (trimmed.length > of.length) return false;
  return trimmed.every((d, i) => d === of[of.length - trimmed.length + i]);
}

// True when `shape` is `of` with its last dimension 1 (one value per row: a column), leading 1s aside.
function isColumn(shape: number[], of: number[]): boolean {
  if (shape.length > of.length) return false;
  const padded = [...new Array<number>(of.length - shape.length).fill(1), ...shape];
  return padded[padded.length - 1] === 1 && padded.slice(0, -1).every((d, i) => d === of[i]);
}

/**
 * Same shapes, a scalar against anything, a tensor against a row repeated (a bias), or against a
 * column repeated (a per-row value, as a softmax's sums over its last axis).
 */
export function binaryForm(aShape: number[], bShape: number[], outShape: number[]): BinaryForm | null {
  const n = util.sizeFromShape(outShape);
  const na = util.sizeFromShape(aShape);
  const nb = util.sizeFromShape(bShape);
  const last = outShape[outShape.length - 1] ?? 1;
  if (na === n && nb === n) return { form: "vv", rows: 1, cols: n, rowA: 0, rowB: 0 };
  if (na === n && nb === 1) return { form: "vs", rows: 1, cols: n, rowA: 0, rowB: 0 };
  if (na === 1 && nb === n) return { form: "sv", rows: 1, cols: n, rowA: 0, rowB: 0 };
  if (na === n && nb > 0 && isSuffix(bShape, outShape)) return { form: "vv", rows: n / nb, cols: nb, rowA: nb * 4, rowB: 0 };
  if (nb === n && na > 0 && isSuffix(aShape, outShape)) return { form: "vv", rows: n / na, cols: na, rowA: 0, rowB: na * 4 };
  if (na === n && isColumn(bShape, outShape)) return { form: "vs", rows: nb, cols: last, rowA: last * 4, rowB: 4 };
  if (nb === n && isColumn(aShape, outShape)) return { form: "sv", rows: na, cols: last, rowA: 4, rowB: last * 4 };
  return null;
}

type Args = { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs?: object };

/** A float32 binary kernel: `op` names SIMD functions `${op}_vv`, `${op}_sv`, `${op}_vs`. */
function binaryKernel(kernelName: string, op: string, dtype: "float32" | "bool"): KernelConfig {
  function kernelFunc(args: Args): TensorInfo {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    if (a.dtype !== "float32" || b.dtype !== "float32") return runStockKernel(kernelName, args) as TensorInfo;
    const outShape = broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const form = binaryForm(a.shape, b.shape, outShape);
    if (!form) return runStockKernel(kernelName, args) as TensorInfo;
    const out = backend.makeOutput(outShape, dtype);
    if (util.sizeFromShape(outShape) === 0) return out;
    const simd = requireSimd(backend);
    // A scalar operand ("sv": a; "vs": b) holds one value per row: it does not advance along the columns.
    const operands: Array<[number, number, number]> = [
      [heapOffset(backend, a), form.form === "sv" ? 0 : 4, form.rowA],
      [heapOffset(backend, b), form.form === "vs" ? 0 : 4, form.rowB],
    ];
    simd.elementwise(`${op}_${form.form}`, operands, [heapOffset(backend, out), dtype === "bool" ? 1 : 4], form.rows, form.cols);
    return out;
  }
  return wasmKernel(kernelName, kernelFunc);
}

/** Same data, new tensor: tensors never change in place, so sharing is safe (as the CPU backend does). */
function shareData(backend: WasmBackend, x: TensorInfo, dtype = x.dtype): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype };
}

function identity(args: { inputs: { x: TensorInfo }; backend: WasmBackend }): TensorInfo {
  const { x } = args.inputs;
  if (x.dtype === "string") return runStockKernel(Identity, args) as TensorInfo;
  return shareData(args.backend, x);
}

function cast(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: CastAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (x.dtype === attrs.dtype && x.dtype !== "string") return shareData(backend, x);
  const from = x.dtype === "bool" ? "castBool" : x.dtype === "int32" ? "castInt" : null;
  if (attrs.dtype !== "float32" || !from) return runStockKernel(Cast, args) as TensorInfo;
  const out = backend.makeOutput(x.shape, "float32");
  const n = util.sizeFromShape(x.shape);
  if (n > 0) requireSimd(backend).elementwise(from, [[heapOffset(backend, x), x.dtype === "bool" ? 1 : 4, 0]], [heapOffset(backend, out), 4], 1, n);
  return out;
}

/** A float32 unary kernel on the SIMD function `fn`, split across threads when large; other dtypes go to the stock kernel. */
export function unaryKernel(kernelName: string, fn: string): KernelConfig {
  return wasmKernel(kernelName, (args: { inputs: { x: TensorInfo }; backend: WasmBackend }): TensorInfo => {
    const { inputs, backend } = args;
    const { x } = inputs;
    if (x.dtype !== "float32") return runStockKernel(kernelName, args) as TensorInfo;
    const out = backend.makeOutput(x.shape, "float32");
    const n = util.sizeFromShape(x.shape);
    if (n > 0) requireSimd(backend).elementwise(fn, [[heapOffset(backend, x), 4, 0]], [heapOffset(backend, out), 4], 1, n);
    return out;
  });
}

function logicalAnd(args: Args): TensorInfo {
  const { inputs, backend } = args;
  const { a, b } = inputs;
  const n = util.sizeFromShape(a.shape);
  if (a.dtype !== "bool" || b.dtype !== "bool" || a.shape.join() !== b.shape.join()) return runStockKernel(LogicalAnd, args) as TensorInfo;
  const out = backend.makeOutput(a.shape, "bool");
  if (n > 0) requireSimd(backend).elementwise("logicalAnd", [[heapOffset(backend, a), 1, 0], [heapOffset(backend, b), 1, 0]], [heapOffset(backend, out), 1], 1, n);
  return out;
}

function select(args: Args): TensorInfo {
  const { inputs, backend } = args;
  const { condition, t, e } = inputs;
  const n = util.sizeFromShape(t.shape);
  const sameShapes = condition.shape.join() === t.shape.join() && e.shape.join() === t.shape.join();
  if (condition.dtype !== "bool" || t.dtype !== "float32" || e.dtype !== "float32" || !sameShapes) {
    return runStockKernel(Select, args) as TensorInfo;
  }
  const out = backend.makeOutput(t.shape, "float32");
  if (n > 0) {
    const operands: Array<[number, number, number]> = [[heapOffset(backend, condition), 1, 0], [heapOffset(backend, t), 4, 0], [heapOffset(backend, e), 4, 0]];
    requireSimd(backend).elementwise("select", operands, [heapOffset(backend, out), 4], 1, n);
  }
  return out;
}

/** The replacement element-wise kernels for wasm. */
export const elementwiseConfigs: KernelConfig[] = [
  binaryKernel(Add, "add", "float32"),
  binaryKernel(Sub, "sub", "float32"),
  binaryKernel(Multiply, "mul", "float32"),
  binaryKernel(RealDiv, "div", "float32"),
  binaryKernel(GreaterEqual, "greaterEqual", "bool"),
  binaryKernel(LessEqual, "lessEqual", "bool"),
  binaryKernel(Greater, "greater", "bool"),
  binaryKernel(Less, "less", "bool"),
  wasmKernel(LogicalAnd, logicalAnd),
  wasmKernel(Select, select),
  wasmKernel(Cast, cast),
  unaryKernel(Exp, "exp"), // within 3e-7 relative of the C library's exp, which the stock kernel calls per element
  wasmKernel(Identity, identity),
];
