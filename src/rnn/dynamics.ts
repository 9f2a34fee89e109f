// Why gradients vanish or explode (lesson 1, section 3): the Jacobian ∂a⟨T⟩/∂a⟨t⟩ is a product of T − t
// factors diag(1 − a⟨k⟩²)·Waa, so its size goes like the (T − t)-th power of Waa's spectral radius.
import { NDArray, norm, RandomState, square, subtract } from "../np/index";
import type { Params } from "./params";
import type { RnnCaches } from "./rnn";

/**
 * Returns an (n, n) matrix whose eigenvalues all have modulus `spectralRadius`: a random orthogonal matrix
 * (Gram–Schmidt on the columns of rng.randn(n, n)) times spectralRadius.
 */
export function orthogonalWeights(n: number, spectralRadius: number, rng: RandomState): NDArray {
  const q = rng.randn(n, n);
  const at = (i: number, j: number) => i * n + j;
  for (let j = 0; j < n; j++) {
    // Remove from column j its components along the columns before it, then make it of length 1.
    for (let k = 0; k < j; k++) {
      let projection = 0;
      for (let i = 0; i < n; i++) projection += q.data[at(i, k)] * q.data[at(i, j)];
      for (let i = 0; i < n; i++) q.data[at(i, j)] -= projection * q.data[at(i, k)];
    }
    let length = 0;
    for (let i = 0; i < n; i++) length += q.data[at(i, j)] ** 2;
    for (let i = 0; i < n; i++) q.data[at(i, j)] /= Math.sqrt(length);
  }
  return q.mul(spectralRadius);
}

/**
 * Returns, for k = 1 … T_x, the Frobenius norm of ∂a⟨T⟩/∂a⟨T−k⟩ for one example of the batch (column
 * `example` of rnnForward's states): the chain rule's product of the factors diag(1 − a⟨s⟩²)·Waa. Length T_x.
 */
export function stateJacobianNorms(caches: RnnCaches, example = 0): number[] {
  const [cacheList] = caches;
  const norms: number[] = [];
  let jacobian: NDArray | null = null;
  for (let t = cacheList.length - 1; t >= 0; t--) {
    const { aNext, parameters } = cacheList[t];
    const a = aNext.take(example, 1).reshape(aNext.shape[0], 1);
    // ∂a⟨t⟩/∂a⟨t−1⟩ = diag(1 − a⟨t⟩²)·Waa: row i of Waa scaled by 1 − a_i².
    const step = subtract(1, square(a)).mul(parameters.Waa);
    jacobian = jacobian === null ? step : jacobian.dot(step);
    norms.push(norm(jacobian));
  }
  return norms;
}

/**
 * Gradient clipping by global norm: when the norm of all gradients taken together exceeds maxNorm, scales them
 * all by maxNorm / norm (their direction is kept). Returns [the clipped gradients (same names and shapes), the norm before].
 */
export function clipByGlobalNorm<G extends Params>(gradients: G, maxNorm: number): [G, number] {
  const total = Math.sqrt(Object.values(gradients).reduce((sum, g) => sum + norm(g) ** 2, 0));
  const scale = total > maxNorm ? maxNorm / total : 1;
  const clipped = Object.fromEntries(Object.entries(gradients).map(([name, g]) => [name, g.mul(scale)])) as G;
  return [clipped, total];
}
