// Products of vectors and matrices, and the norm.
// Each result element is one running sum, 0 + a0*b0 + a1*b1 + ..., in index order: the order of
// a reference BLAS. numpy calls an optimised BLAS (OpenBLAS, MKL) that may group the products
// differently and use fused multiply-adds, so its last digit can differ (about 1e-16 relative).

import { asArray } from "./construct";
import { multiply } from "./elementwise";
import { ArrayInput, NDArray } from "./ndarray";
import { formatShape } from "./shape";

/**
 * Returns the matrix product for arrays of up to 2 dimensions, as np.dot:
 * (m, k)·(k, n) → (m, n); (m, k)·(k,) → (m,); (k,)·(k, n) → (n,); (k,)·(k,) → 0-d (use `.item()`).
 * A number or 0-d array multiplies element by element.
 */
export function dot(a: ArrayInput, b: ArrayInput): NDArray {
  const x = asArray("np.dot", a);
  const y = asArray("np.dot", b);
  if (x.ndim === 0 || y.ndim === 0) return multiply(x, y);
  return matrixProduct("np.dot", x, y);
}

/** Returns the matrix product of two arrays of 1 or 2 dimensions, as np.matmul (the `@` operator); shapes as for np.dot. */
export function matmul(a: ArrayInput, b: ArrayInput): NDArray {
  const x = asArray("np.matmul", a);
  const y = asArray("np.matmul", b);
  if (x.ndim === 0 || y.ndim === 0) {
    throw new Error(`np.matmul: operands must have at least 1 dimension, got shapes ${formatShape(x.shape)} and ${formatShape(y.shape)} (use np.multiply to scale by a number)`);
  }
  return matrixProduct("np.matmul", x, y);
}

/** Returns the outer product of a and b (both flattened): out[i, j] = a[i] * b[j], shape (a.size, b.size). */
export function outer(a: ArrayInput, b: ArrayInput): NDArray {
  const x = asArray("np.outer", a).data;
  const y = asArray("np.outer", b).data;
  const out = new Float64Array(x.length * y.length);
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < y.length; j++) out[i * y.length + j] = x[i] * y[j];
  }
  return new NDArray(out, [x.length, y.length]);
}

/**
 * Returns the 2-norm of all elements taken together, sqrt(sum of squares): the Euclidean norm of a
 * vector, the Frobenius norm of a matrix (np.linalg.norm without `ord` or `axis`).
 */
export function norm(a: ArrayInput): number {
  const x = asArray("np.norm", a).data;
  let sumOfSquares = 0;
  for (let i = 0; i < x.length; i++) sumOfSquares += x[i] * x[i];
  return Math.sqrt(sumOfSquares);
}

/** Returns the product of 1-D or 2-D arrays, a 1-D left operand being a row and a 1-D right one a column. */
function matrixProduct(fn: string, x: NDArray, y: NDArray): NDArray {
  if (x.ndim > 2 || y.ndim > 2) {
    throw new Error(`${fn}: only arrays of 1 or 2 dimensions are supported here, got shapes ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  }
  const [m, k] = x.ndim === 2 ? x.shape : [1, x.shape[0]];
  const [k2, n] = y.ndim === 2 ? y.shape : [y.shape[0], 1];
  if (k !== k2) {
    throw new Error(
      `${fn}: shapes ${formatShape(x.shape)} and ${formatShape(y.shape)} are not aligned: ` +
        `${k} (dim ${x.ndim - 1}) != ${k2} (dim 0)`,
    );
  }
  const A = x.data;
  const B = y.data;
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      // C[i, j] = sum over p of A[i, p] * B[p, j]: walk along row i of A and down column j of B.
      let total = 0;
      for (let p = 0, a = i * k, b = j; p < k; p++, a++, b += n) total += A[a] * B[b];
      C[i * n + j] = total;
    }
  }
  const shape = [...(x.ndim === 2 ? [m] : []), ...(y.ndim === 2 ? [n] : [])];
  return new NDArray(C, shape);
}
