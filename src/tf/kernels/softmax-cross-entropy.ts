// The loss of a model that predicts one of V classes per row, −log softmax(logits)[target], as one kernel
// forward and one backward on wasm. tfjs's softmaxCrossEntropy over a one-hot matrix runs a kernel for each
// step of the formula over the whole [N, V] matrix (the one-hot matrix, a max, a subtraction, exp, sums, a
// log, products), exp among them one element at a time in the C library; here one pass per row, split
// across threads by rows. Lesson 5 predicts 3,004 symbols at every position: on one thread its training
// went from 148 to 163 poems/s with this kernel (npm run bench -- threads, two runs). Elsewhere the tfjs
// expression runs.
import * as tf from "@tensorflow/tfjs";
import { getKernel } from "@tensorflow/tfjs";
import type { Tensor, TensorInfo } from "@tensorflow/tfjs";
import { requireSimd } from "./simd-kernels";
import { heapOffset, heapView, wasmKernel } from "./wasm-heap";
import type { WasmBackend } from "./wasm-heap";

/** The kernel names: the loss (outputs the losses [N] and the softmax [N, V]) and its gradient. */
export const SparseSoftmaxCrossEntropy = "CourseSparseSoftmaxCrossEntropy";
export const SparseSoftmaxCrossEntropyGrad = "CourseSparseSoftmaxCrossEntropyGrad";

function loss(args: { inputs: { logits: TensorInfo; targets: TensorInfo }; backend: WasmBackend }): TensorInfo[] {
  const { inputs, backend } = args;
  const [rows, cols] = inputs.logits.shape;
  const losses = backend.makeOutput([rows], "float32");
  const probs = backend.makeOutput([rows, cols], "float32");
  const stats = backend.wasm._malloc(rows * 8) >>> 0; // (max, Σ) per row
  try {
    const at = (t: TensorInfo) => heapOffset(backend, t);
    requireSimd(backend).rows("softmaxRows", rows, [[at(inputs.logits), cols * 4], [at(probs), cols * 4], [stats, 8]], [cols]);
    // −log softmax(x)[t] = log Σ exp(x − max) + max − x[t]
    const [x, t, out] = [inputs.logits, inputs.targets, losses].map((info) => heapView(backend, info));
    const s = new Float32Array(backend.wasm.HEAPU8.buffer, stats, rows * 2);
    for (let i = 0; i < rows; i++) out[i] = Math.log(s[2 * i + 1]) + s[2 * i] - x[i * cols + t[i]];
  } finally {
    backend.wasm._free(stats);
  }
  return [losses, probs];
}

function lossGrad(args: { inputs: { dy: TensorInfo; probs: TensorInfo; targets: TensorInfo }; backend: WasmBackend }): TensorInfo {
  const { inputs, backend } = args;
  const [rows, cols] = inputs.probs.shape;
  const dLogits = backend.makeOutput([rows, cols], "float32");
  const at = (t: TensorInfo) => heapOffset(backend, t);
  // dy · (softmax − one-hot): each row scaled by its dy, then dy taken off at its target
  requireSimd(backend).elementwise("mul_vs", [[at(inputs.probs), 4, cols * 4], [at(inputs.dy), 0, 4]], [at(dLogits), 4], rows, cols);
  const [dy, t, d] = [inputs.dy, inputs.targets, dLogits].map((info) => heapView(backend, info));
  for (let i = 0; i < rows; i++) d[i * cols + t[i]] -= dy[i];
  return dLogits;
}

/** The wasm kernels of the loss (registered with the course's other kernels). */
export const softmaxCrossEntropyConfigs = [wasmKernel(SparseSoftmaxCrossEntropy, loss), wasmKernel(SparseSoftmaxCrossEntropyGrad, lossGrad)];

/**
 * −log softmax(logits)[target] of each row of logits [N, V] against targets [N] (int32): [N]. Its gradient is
 * softmax − one-hot, per row. One kernel each way where the course's wasm kernels run; tfjs's softmaxCrossEntropy
 * over a one-hot matrix elsewhere.
 */
export function sparseSoftmaxCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  if (!getKernel(SparseSoftmaxCrossEntropy, tf.getBackend())) {
    return tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(targets as tf.Tensor1D, logits.shape[1] as number), logits, undefined, undefined, tf.Reduction.NONE));
  }
  // customGrad: the engine records one node with one output (the softmax, kept for the gradient, gets no gradient of zeros)
  const fused = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [x, t] = args as Tensor[];
    const save = args[2] as tf.GradSaveFunc;
    const [losses, probs] = tf.engine().runKernel(SparseSoftmaxCrossEntropy, { logits: x, targets: t }) as Tensor[];
    save([probs, t]);
    return {
      value: losses,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [savedProbs, savedTargets] = saved;
        const dLogits = tf.engine().runKernel(SparseSoftmaxCrossEntropyGrad, { dy, probs: savedProbs, targets: savedTargets }) as Tensor;
        return [dLogits, tf.zerosLike(savedTargets)];
      },
    };
  });
  return fused(logits, targets);
}
