// The course's faster kernels for the wasm backend, registered in place of the stock ones through
// tfjs's public kernel registry (so tfjs's gradients, which are registered per kernel name, keep
// working). The backend module registers them once when it picks wasm; the bench and the tests
// unregister them to compare against the stock kernels in one process.
import { findBackend, getKernel, registerKernel, unregisterKernel } from "@tensorflow/tfjs";
import type { KernelConfig } from "@tensorflow/tfjs";
import { adamConfig, fuseAdam } from "./adam";
import { batchMatMulConfig, fusedMatMulConfig } from "./batch-mat-mul";
import { concatConfig } from "./concat";
import { fuseDenseOverTime } from "./dense-over-time";
import { dropoutConfig, fuseDropout } from "./dropout";
import { elementwiseConfigs } from "./elementwise";
import { gatherV2Config } from "./gather";
import { simdKernels } from "./simd-kernels";
import { sliceConfig, splitVConfig, stridedSliceConfig, unpackConfig } from "./slice";
import { isCourseKernel, markCourseKernel, rememberStockKernel, stockKernel } from "./stock";
import { sumConfig } from "./sum";
import { tanhConfig } from "./tanh";
import { unsortedSegmentSumConfig } from "./unsorted-segment-sum";
import { fuseLstmLayers, lstmStepConfigs } from "./lstm-step";
import { lstmLayerConfigs } from "./lstm-layer";
import { softmaxCrossEntropyConfigs } from "./softmax-cross-entropy";
import type { WasmBackend } from "./wasm-heap";

/** Every kernel the course registers for wasm, by kernel name. */
export const fastWasmKernels: readonly KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  sliceConfig,
  splitVConfig,
  unpackConfig,
  stridedSliceConfig,
  concatConfig,
  tanhConfig,
  sumConfig,
  ...elementwiseConfigs,
  gatherV2Config,
  unsortedSegmentSumConfig,
  ...lstmStepConfigs,
  ...lstmLayerConfigs,
  ...softmaxCrossEntropyConfigs,
  adamConfig,
  dropoutConfig,
].map(markCourseKernel);

/** The names of the kernels registerFastWasmKernels replaces or adds. */
export const fastWasmKernelNames: readonly string[] = fastWasmKernels.map((k) => k.kernelName);

/** True while the course's kernels are registered for wasm. */
export function fastWasmKernelsRegistered(): boolean {
  return fastWasmKernels.every((k) => isCourseKernel(getKernel(k.kernelName, "wasm")));
}

/**
 * Registers the course's kernels for wasm in place of the stock ones (idempotent) and returns their
 * names; returns [] and changes nothing where WebAssembly SIMD is missing. Call after the wasm
 * backend has started (tf.setBackend("wasm")).
 */
export function registerFastWasmKernels(): string[] {
  const backend = findBackend("wasm");
  if (!backend) {
    throw new Error('registerFastWasmKernels: start the wasm backend first (await tf.setBackend("wasm") or initBackend()).');
  }
  if (!simdKernels(backend as unknown as WasmBackend)) return [];
  for (const config of fastWasmKernels) {
    const current = getKernel(config.kernelName, "wasm");
    if (current === config) continue;
    rememberStockKernel(current);
    if (current) unregisterKernel(config.kernelName, "wasm");
    registerKernel(config);
  }
  fuseLstmLayers();
  fuseDenseOverTime();
  fuseAdam();
  fuseDropout();
  return [...fastWasmKernelNames];
}

/** Puts the stock wasm kernels back (idempotent): for comparisons in one process. */
export function unregisterFastWasmKernels(): void {
  for (const config of fastWasmKernels) {
    if (!isCourseKernel(getKernel(config.kernelName, "wasm"))) continue;
    unregisterKernel(config.kernelName, "wasm");
    const stock = stockKernel(config.kernelName);
    if (stock) registerKernel(stock);
  }
}
