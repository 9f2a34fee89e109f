// The softmax of each column: the output layer of every cell turns scores into probabilities.
import { exp, NDArray } from "../np/index";

/** Returns the softmax of each column of z (n_y, m): shape (n_y, m), every column summing to 1. */
export function softmax(z: NDArray): NDArray {
  // Subtracting each column's largest score changes nothing but keeps exp from overflowing.
  const e = exp(z.sub(z.max(0, true)));
  return e.div(e.sum(0, true));
}
