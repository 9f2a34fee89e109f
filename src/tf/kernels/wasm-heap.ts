// The parts of @tensorflow/tfjs-backend-wasm's backend that the course's kernels use: tensors live
// in the WebAssembly heap at `memoryOffset`, and the backend allocates outputs there. Typed here
// once, narrowly, because the package's own declarations mark these members private or leave them
// untyped.
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import type { WasmMemory } from "../../wasm/assembler";

/** The Emscripten module inside the wasm backend. */
export interface WasmModule {
  HEAPU8: Uint8Array;
  /** The instance's exports; `memory` is the heap itself, which the course's SIMD module imports. */
  asm?: { memory?: WasmMemory };
  _malloc(bytes: number): number;
  _free(offset: number): void;
}

/** What the backend stores per tensor. */
export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

/** The wasm backend as the course's kernels see it. */
export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): WasmTensorData; has(dataId: object): boolean };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  incRef(dataId: object): void;
}

/** The byte offset of a tensor's values in the heap. */
export function heapOffset(backend: WasmBackend, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** A typed-array view of a tensor's values in the heap (no copy); take it after any allocation. */
export function heapView(backend: WasmBackend, t: TensorInfo): Float32Array | Int32Array | Uint8Array {
  const offset = heapOffset(backend, t);
  const buffer = backend.wasm.HEAPU8.buffer;
  const size = t.shape.reduce((p, d) => p * d, 1);
  if (t.dtype === "float32") return new Float32Array(buffer, offset, size);
  if (t.dtype === "int32") return new Int32Array(buffer, offset, size);
  if (t.dtype === "bool") return new Uint8Array(buffer, offset, size);
  throw new Error(`The course's wasm kernels take float32, int32 or bool tensors, not ${t.dtype}.`);
}

/** The kernel config registering `kernelFunc` (typed with the backend it really gets) for wasm. */
export function wasmKernel(kernelName: string, kernelFunc: (args: never) => TensorInfo | TensorInfo[]): KernelConfig {
  return { kernelName, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}
