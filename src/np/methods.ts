// Method forms of the numpy functions, so that expressions read left to right:
// `Wax.dot(xt).add(Waa.dot(aPrev)).add(ba)` is np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba.
// They are added to NDArray's prototype here (as d2l's add_to_class) so that ndarray.ts does
// not depend on the modules that compute them.

import { add, clip, divide, multiply, subtract } from "./elementwise";
import { dot } from "./linalg";
import { ArrayInput, NDArray } from "./ndarray";
import { argmax, max, mean, sum } from "./reduce";

declare module "./ndarray" {
  interface NDArray {
    /** Returns this + b, broadcast (np.add). */
    add(b: ArrayInput): NDArray;
    /** Returns this - b, broadcast (np.subtract). */
    sub(b: ArrayInput): NDArray;
    /** Returns this * b element by element, broadcast (np.multiply). */
    mul(b: ArrayInput): NDArray;
    /** Returns this / b element by element, broadcast (np.divide). */
    div(b: ArrayInput): NDArray;
    /** Returns the matrix product this·b (np.dot). */
    dot(b: ArrayInput): NDArray;
    /** Returns this with each element limited to [lo, hi] (np.clip). */
    clip(lo: number, hi: number): NDArray;
    /** Returns the sum of all elements (np.sum). */
    sum(): number;
    /** Returns the sums along `axis` (np.sum with an axis). */
    sum(axis: number | null, keepdims?: boolean): NDArray;
    /** Returns the mean of all elements (np.mean). */
    mean(): number;
    /** Returns the means along `axis` (np.mean with an axis). */
    mean(axis: number | null, keepdims?: boolean): NDArray;
    /** Returns the largest element (np.max). */
    max(): number;
    /** Returns the largest elements along `axis` (np.max with an axis). */
    max(axis: number | null, keepdims?: boolean): NDArray;
    /** Returns the flat index of the largest element (np.argmax). */
    argmax(): number;
    /** Returns the indices of the largest elements along `axis` (np.argmax with an axis). */
    argmax(axis: number | null, keepdims?: boolean): NDArray;
  }
}

NDArray.prototype.add = function (this: NDArray, b: ArrayInput) {
  return add(this, b);
};
NDArray.prototype.sub = function (this: NDArray, b: ArrayInput) {
  return subtract(this, b);
};
NDArray.prototype.mul = function (this: NDArray, b: ArrayInput) {
  return multiply(this, b);
};
NDArray.prototype.div = function (this: NDArray, b: ArrayInput) {
  return divide(this, b);
};
NDArray.prototype.dot = function (this: NDArray, b: ArrayInput) {
  return dot(this, b);
};
NDArray.prototype.clip = function (this: NDArray, lo: number, hi: number) {
  return clip(this, lo, hi);
};

/** Returns a method that reduces `this`: to a number without arguments, else to an array (as np.sum). */
function reductionMethod(reduction: (a: ArrayInput, axis: number | null, keepdims?: boolean) => NDArray) {
  return function (this: NDArray, axis?: number | null, keepdims = false) {
    return axis === undefined && !keepdims ? reduction(this, null).item() : reduction(this, axis ?? null, keepdims);
  };
}
NDArray.prototype.sum = reductionMethod(sum) as NDArray["sum"];
NDArray.prototype.mean = reductionMethod(mean) as NDArray["mean"];
NDArray.prototype.max = reductionMethod(max) as NDArray["max"];
NDArray.prototype.argmax = reductionMethod(argmax) as NDArray["argmax"];
