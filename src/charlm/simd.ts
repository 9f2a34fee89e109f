// The kernels of kernels.ts in WebAssembly SIMD: the same loops on two float64 lanes at a time (one
// column of the result per lane), with no bounds checks, which makes them about three times faster
// than the JavaScript loops. Each lane adds its products in the same order as the JavaScript, and
// WebAssembly's f64x2.mul and f64x2.add round as JavaScript's * and + do, so the results are the
// same bit for bit (test/unit/charlm.test.ts checks it). The kernels work on arrays that live in
// the module's memory: an Arena hands them out.
//
// The module has one function, written below with the course's WebAssembly assembler
// (src/wasm/assembler.ts, which the tf kernels use too):
//   axpyRows(M, mStep, vec, vStep, rows, out, cols)   (byte addresses and byte steps)
//     out[j] = Σ_r M_r[j]·vec_r for j < cols, over rows r = 0, 1, ..., rows − 1 in order,
//     where M_r is the row at M + r·mStep and vec_r the number at vec + r·vStep.
// Wᵀ·v is axpyRows over W's rows; a row of Σ_t u⟨t⟩·v⟨t⟩ᵀ is axpyRows over V's rows from the last.
import { assemble, ctl, f64, f64x2, Fn, i32, v128, webAssembly } from "../wasm/assembler";
import type { Code, WasmMemory } from "../wasm/assembler";
import { Arena } from "../wasm/arena";
import { simdAllowed } from "../course";
import { jsKernels, Kernels } from "./kernels";

const acc = ["acc0", "acc1", "acc2", "acc3"];

/**
 * The loop over the columns `width` at a time (8: four v128 accumulators; 2: one; 1: a scalar), while
 * at least `width` columns are left; inside, the loop over the rows adds M_r[j..]·vec_r.
 */
function columnsLoop(f: Fn, width: 8 | 2 | 1): Code {
  const vectors = width === 1 ? [] : acc.slice(0, width / 2);
  const startSums = width === 1 ? f.set("scalar", f64.const(0)) : vectors.flatMap((a) => f.set(a, v128.const([0, 0, 0, 0])));
  const addRow = width === 1
    ? f.set("scalar", f.get("scalar"), f.get("pM"), f64.load(), f.get("pv"), f64.load(), f64.mul, f64.add)
    : [...f.set("s", f.get("pv"), v128.load64Splat()),
      ...vectors.flatMap((a, k) => f.set(a, f.get(a), f.get("pM"), f64x2.load(16 * k), f.get("s"), f64x2.mul, f64x2.add))];
  const outAddress = [...f.get("out"), ...f.get("j"), ...i32.const(3), ...i32.shl, ...i32.add];
  const store = width === 1
    ? [...outAddress, ...f.get("scalar"), ...f64.store()]
    : vectors.flatMap((a, k) => [...outAddress, ...f.get(a), ...f64x2.store(16 * k)]);
  return ctl.block(ctl.loop(
    [...f.get("cols"), ...f.get("j"), ...i32.sub, ...i32.const(width), ...i32.ltS, ...ctl.brIf(1)],
    startSums,
    f.set("pM", f.get("M"), f.get("j"), i32.const(3), i32.shl, i32.add),
    f.set("pv", f.get("vec")),
    f.set("r", f.get("rows")),
    ctl.block(ctl.loop(
      [...f.get("r"), ...i32.eqz, ...ctl.brIf(1)],
      addRow,
      f.inc("pM", "mStep"),
      f.inc("pv", "vStep"),
      f.set("r", f.get("r"), i32.const(1), i32.sub),
      ctl.br(0),
    )),
    store,
    f.inc("j", width),
    ctl.br(0),
  ));
}

/** Returns the WebAssembly module's bytes: one function, axpyRows, on an imported memory env.memory. */
export function moduleBytes(): Uint8Array {
  const f = new Fn("axpyRows", ["M", "mStep", "vec", "vStep", "rows", "out", "cols"], {
    j: "i32", pM: "i32", pv: "i32", r: "i32",
    s: "v128", acc0: "v128", acc1: "v128", acc2: "v128", acc3: "v128",
    scalar: "f64",
  });
  f.body.push(f.set("j", i32.const(0)), columnsLoop(f, 8), columnsLoop(f, 2), columnsLoop(f, 1));
  return assemble([f]);
}

let compiled: object | null | undefined;

/** Returns the compiled module, or null when this runtime has no WebAssembly SIMD (or RNN_LESSONS_SIMD=0). */
function simdModule(): object | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = simdAllowed() && webAssembly?.validate(bytes) ? new webAssembly.Module(bytes) : null;
  }
  return compiled;
}

/** Returns true when the SIMD kernels can run here. */
export function simdAvailable(): boolean {
  return simdModule() !== null;
}

type AxpyRows = (M: number, mStep: number, vec: number, vStep: number, rows: number, out: number, cols: number) => void;

/**
 * Returns the kernels of kernels.ts running in WebAssembly on `memory`. Every array passed must lie in that
 * memory (the kernels read byte addresses in it): only the Arena that owns the memory hands these out.
 */
function simdKernels(memory: WasmMemory): Kernels {
  const instance = new webAssembly.Instance(simdModule()!, { env: { memory } });
  const axpyRows = instance.exports.axpyRows as AxpyRows;
  return {
    matTVec(W, v, outArray, nRows, nCols) {
      axpyRows(W.byteOffset, nCols * 8, v.byteOffset, 8, nRows, outArray.byteOffset, nCols);
    },
    outerProductSum(U, V, T, m, n, G) {
      // Row i of G: V's rows from the last to the first, each times U[t, i].
      for (let i = 0; i < m; i++) {
        axpyRows(V.byteOffset + (T - 1) * n * 8, -n * 8, U.byteOffset + ((T - 1) * m + i) * 8, -m * 8, T, G.byteOffset + i * n * 8, n);
      }
    },
  };
}

/**
 * Float64Arrays carved out of one Arena (src/wasm/arena.ts), and the kernels that work on them: the SIMD
 * kernels when the arena is WebAssembly memory (simd true and available), the JavaScript ones otherwise.
 */
export class KernelArena {
  readonly kernels: Kernels;
  readonly simd: boolean;
  private readonly arena: Arena;

  /** Makes room for `doubles` numbers. */
  constructor(doubles: number, simd = true) {
    this.simd = simd && simdAvailable();
    this.arena = new Arena(doubles * 8, this.simd);
    this.kernels = this.arena.memory ? simdKernels(this.arena.memory) : jsKernels;
  }

  /** Returns a new zero-filled array of n numbers. */
  alloc(n: number): Float64Array {
    return this.arena.float64(n);
  }
}
