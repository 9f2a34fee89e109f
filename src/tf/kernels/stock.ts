// The stock wasm kernels the course's replacements stand in for, kept so that a replacement can
// hand the cases it does not speed up (strings, unusual strides) back to them, and so that
// unregistering restores them. Kept on globalThis, like the marks on the course's kernels: tslab
// may load these modules again in one process, and a second copy must still find the stock
// kernels, not take the first copy's replacements for them.
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import { processMemo } from "../../course";

const courseMark = Symbol.for("rnn-lessons.courseKernel");
const stockKernels = processMemo("stockWasmKernels", () => new Map<string, KernelConfig>());

/** Marks a kernel config as one of the course's. */
export function markCourseKernel(config: KernelConfig): KernelConfig {
  (config as unknown as Record<symbol, boolean>)[courseMark] = true;
  return config;
}

/** True for a config marked by markCourseKernel (by any copy of this module). */
export function isCourseKernel(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config as unknown as Record<symbol, boolean>)[courseMark] === true;
}

/** Remembers `config` as the stock wasm kernel of its name, unless it is one of the course's. */
export function rememberStockKernel(config: KernelConfig | undefined): void {
  if (config && !isCourseKernel(config)) stockKernels.set(config.kernelName, config);
}

/** The stock wasm kernel remembered for `kernelName`, if wasm has one. */
export function stockKernel(kernelName: string): KernelConfig | undefined {
  return stockKernels.get(kernelName);
}

/** Runs the stock wasm kernel `kernelName` on these arguments. */
export function runStockKernel(kernelName: string, args: { inputs: object; backend: unknown; attrs?: object }): TensorInfo | TensorInfo[] {
  const stock = stockKernel(kernelName);
  if (!stock) throw new Error(`The wasm backend has no stock ${kernelName} kernel to fall back on.`);
  return (stock.kernelFunc as KernelFunc)(args as Parameters<KernelFunc>[0]);
}
