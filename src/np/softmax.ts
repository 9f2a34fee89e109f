// The softmax, written once for the whole course: scores become probabilities that sum to 1.
import { NDArray } from "./ndarray";

/**
 * Turns scores z into probabilities in place: exp(z_k / T − max) / Σ_j exp(z_j / T − max), where max is the
 * largest z / T. Subtracting it changes nothing but keeps exp from overflowing. T (the temperature) defaults to 1.
 */
export function softmaxInPlace(z: Float64Array | number[], temperature = 1): void {
  let max = -Infinity;
  for (let k = 0; k < z.length; k++) max = Math.max(max, z[k] / temperature);
  let total = 0;
  for (let k = 0; k < z.length; k++) total += z[k] = Math.exp(z[k] / temperature - max);
  for (let k = 0; k < z.length; k++) z[k] /= total;
}

/** Returns the softmax of each column of z (n, m): shape (n, m), every column summing to 1. */
export function softmax(z: NDArray): NDArray {
  const [n, m] = z.ndim === 1 ? [z.shape[0], 1] : [z.shape[0], z.size / z.shape[0]];
  const out = z.copy();
  const column = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) column[i] = out.data[i * m + j];
    softmaxInPlace(column);
    for (let i = 0; i < n; i++) out.data[i * m + j] = column[i];
  }
  return out;
}
