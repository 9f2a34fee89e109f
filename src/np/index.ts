// A small float64 numpy for TypeScript: `import * as np from "./src/np/index"`, then np.array,
// np.zeros, np.dot, np.tanh, np.sum(a, axis, keepdims), np.random.seed(1), np.random.randn(nA, nX)...
// (In a notebook, name the file: tslab 1.0.22 resolves "./src/np/index" but not the folder "./src/np".)
// Names follow numpy (camelCase where numpy has an underscore: zerosLike for zeros_like).
//   ndarray.ts     the NDArray class: data, shape, get/set, reshape, T, take/setTake
//   construct.ts   array, zeros, ones, full, zerosLike, arange, concatenate, vstack
//   elementwise.ts add, subtract, multiply, divide (broadcasting), tanh, exp, log, sigmoid, clip...
//   reduce.ts      sum, mean, max, argmax
//   linalg.ts      dot, matmul, outer, norm
//   softmax.ts     softmax (each column), softmaxInPlace (with a temperature): not numpy's, used by every lesson
//   methods.ts     a.add(b), a.dot(b), a.sum(axis)... as methods
//   random.ts      RandomState: numpy's legacy generator, number for number
//   format.ts      numpy's way of printing an array

import "./methods";
import { RandomState } from "./random";

export { NDArray } from "./ndarray";
export type { ArrayInput, NestedNumbers } from "./ndarray";
export { arange, array, concatenate, full, ones, vstack, zeros, zerosLike } from "./construct";
export { abs, add, allclose, clip, divide, exp, log, multiply, sigmoid, sqrt, square, subtract, tanh } from "./elementwise";
export { argmax, max, mean, sum } from "./reduce";
export { dot, matmul, norm, outer } from "./linalg";
export { softmax, softmaxInPlace } from "./softmax";
export { RandomState } from "./random";
export type { ChoiceOptions, Size } from "./random";

/** The generator behind np.random.seed, np.random.randn...: like numpy's, seeded from entropy until seeded. */
export const random = new RandomState();
