// The two products the RNN spends its time in, on Float64Array data. These plain loops are the
// reference; simd.ts runs the same loops in WebAssembly SIMD, two columns at a time, and gives the
// same numbers bit for bit (tests check it), because every sum adds its terms in the same order.
// Each sum starts at 0 and adds its products one by one in index order: the order of a reference
// BLAS. numpy's BLAS (OpenBLAS here) groups them its own way, so numpy's last bits differ (~1e-16).

/** The products of the forward and backward passes; simd.ts implements the same interface. */
export interface Kernels {
  /** out[j] = Σ_i W[i, j]·v[i] (Wᵀ·v) for W (rows × cols, row-major), summed over i in order. */
  matTVec(W: Float64Array, v: Float64Array, out: Float64Array, rows: number, cols: number): void;
  /**
   * G[i, j] = Σ_t U[t, i]·V[t, j] for U (T × m) and V (T × n), summed from t = T−1 down to 0: the sum of
   * the outer products u⟨t⟩·v⟨t⟩ᵀ in the order the backward pass meets them.
   */
  outerProductSum(U: Float64Array, V: Float64Array, T: number, m: number, n: number, G: Float64Array): void;
}

/** Wᵀ·v, walking W row by row, four rows at a time (out[j] + p0 + p1 + p2 + p3 adds left to right, keeping the order). */
function matTVec(W: Float64Array, v: Float64Array, out: Float64Array, rows: number, cols: number): void {
  out.fill(0, 0, cols);
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const r0 = i * cols, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols;
    const v0 = v[i], v1 = v[i + 1], v2 = v[i + 2], v3 = v[i + 3];
    for (let j = 0; j < cols; j++) out[j] = out[j] + W[r0 + j] * v0 + W[r1 + j] * v1 + W[r2 + j] * v2 + W[r3 + j] * v3;
  }
  for (; i < rows; i++) {
    const r = i * cols, vi = v[i];
    for (let j = 0; j < cols; j++) out[j] += W[r + j] * vi;
  }
}

/** Σ_t u⟨t⟩·v⟨t⟩ᵀ, four entries of a row of G at a time: four independent sums keep the processor busy. */
function outerProductSum(U: Float64Array, V: Float64Array, T: number, m: number, n: number, G: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let t = T - 1; t >= 0; t--) {
        const u = U[t * m + i];
        const o = t * n + j;
        s0 += u * V[o];
        s1 += u * V[o + 1];
        s2 += u * V[o + 2];
        s3 += u * V[o + 3];
      }
      G[row + j] = s0;
      G[row + j + 1] = s1;
      G[row + j + 2] = s2;
      G[row + j + 3] = s3;
    }
    for (; j < n; j++) {
      let s = 0;
      for (let t = T - 1; t >= 0; t--) s += U[t * m + i] * V[t * n + j];
      G[row + j] = s;
    }
  }
}

/** The plain JavaScript kernels: they work on any Float64Array. */
export const jsKernels: Kernels = { matTVec, outerProductSum };

/** Writes the transpose of W (rows × cols, row-major) into WT (cols × rows). */
export function transposeInto(W: Float64Array, rows: number, cols: number, WT: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) WT[j * rows + i] = W[i * cols + j];
  }
}
