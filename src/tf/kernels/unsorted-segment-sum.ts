// UnsortedSegmentSum, which the wasm backend lacks. It is the gradient of a gather, so without it
// an Embedding layer cannot train on wasm ("Kernel 'UnsortedSegmentSum' not registered").
// out[s, ...] = sum of x[i, ...] over the i whose segment id is s; ids outside [0, numSegments) are
// dropped, as TensorFlow does.
import { UnsortedSegmentSum, util } from "@tensorflow/tfjs";
import type { TensorInfo, UnsortedSegmentSumAttrs } from "@tensorflow/tfjs";
import { heapView, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

function unsortedSegmentSum(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: WasmBackend;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs;
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new Error(`unsortedSegmentSum on wasm takes float32 or int32 values, not ${x.dtype}.`);
  }
  const idsRank = segmentIds.shape.length;
  if (x.shape.slice(0, idsRank).join(",") !== segmentIds.shape.join(",")) {
    throw new Error(
      `unsortedSegmentSum: segmentIds of shape [${segmentIds.shape}] must match the leading dimensions of x, of shape [${x.shape}].`,
    );
  }
  const innerShape = x.shape.slice(idsRank);
  const inner = util.sizeFromShape(innerShape);
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  const outVals = heapView(backend, out);
  outVals.fill(0);
  const xVals = heapView(backend, x);
  const ids = heapView(backend, segmentIds);
  // Link the rows of each segment in index order, then add them in float64 in that order: the
  // sums the CPU backend computes (it reduces in float64), at the cost of one pass over the rows.
  const first = new Int32Array(numSegments).fill(-1);
  const next = new Int32Array(ids.length);
  for (let i = ids.length - 1; i >= 0; i--) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue;
    next[i] = first[segment];
    first[segment] = i;
  }
  const sum = new Float64Array(inner);
  for (let segment = 0; segment < numSegments; segment++) {
    if (first[segment] < 0) continue;
    sum.fill(0);
    for (let i = first[segment]; i >= 0; i = next[i]) {
      const row = i * inner;
      for (let j = 0; j < inner; j++) sum[j] += xVals[row + j];
    }
    outVals.set(sum, segment * inner);
  }
  return out;
}

/** The UnsortedSegmentSum kernel for wasm (added: wasm has none). */
export const unsortedSegmentSumConfig = wasmKernel(UnsortedSegmentSum, unsortedSegmentSum);
