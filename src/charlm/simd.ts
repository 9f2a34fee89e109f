// The kernels of kernels.ts in WebAssembly SIMD: the same loops on two float64 lanes at a time (one
// column of the result per lane), with no bounds checks, which makes them about three times faster
// than the JavaScript loops. Each lane adds its products in the same order as the JavaScript, and
// WebAssembly's f64x2.mul and f64x2.add round as JavaScript's * and + do, so the results are the
// same bit for bit (test/unit/charlm.test.ts checks it). The kernels work on arrays that live in
// the module's memory: an Arena hands them out.
//
// The module has one function, written below in WebAssembly's binary format (core spec, section 5,
// and the fixed-width SIMD proposal):
//   axpyRows(M, mStep, vec, vStep, rows, out, cols)   (byte addresses and byte steps)
//     out[j] = Σ_r M_r[j]·vec_r for j < cols, over rows r = 0, 1, ..., rows − 1 in order,
//     where M_r is the row at M + r·mStep and vec_r the number at vec + r·vStep.
// Wᵀ·v is axpyRows over W's rows; a row of Σ_t u⟨t⟩·v⟨t⟩ᵀ is axpyRows over V's rows from the last.
import { jsKernels, Kernels } from "./kernels";

type Code = number[];

/** Unsigned LEB128, the encoding of sizes and indices. */
function uleb(n: number): Code {
  const out: Code = [];
  do {
    const low = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? low : low | 0x80);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a small constant (-64..63), for i32.const. */
function smallSigned(n: number): Code {
  if (n < -64 || n > 63) throw new Error(`simd: constant ${n} does not fit one byte`);
  return [n & 0x7f];
}

const sized = (bytes: Code): Code => [...uleb(bytes.length), ...bytes];
const list = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const text = (s: string): Code => sized(Array.from(s, (c) => c.charCodeAt(0)));

// The instructions the kernel needs.
const get = (local: number): Code => [0x20, local];
const set = (local: number): Code => [0x21, local];
const i32Const = (v: number): Code => [0x41, ...smallSigned(v)];
const i32 = { add: [0x6a], sub: [0x6b], shl: [0x74], ltS: [0x48], eqz: [0x45] };
const block = (...body: Code[]): Code => [0x02, 0x40, ...body.flat(), 0x0b];
const loop = (...body: Code[]): Code => [0x03, 0x40, ...body.flat(), 0x0b];
const br = (depth: number): Code => [0x0c, depth];
const brIf = (depth: number): Code => [0x0d, depth];
const f64 = { load: [0x2b, 3, 0], store: [0x39, 3, 0], add: [0xa0], mul: [0xa2], zero: [0x44, 0, 0, 0, 0, 0, 0, 0, 0] };
const v128 = {
  load: (offset: number): Code => [0xfd, 0x00, 3, ...uleb(offset)],
  store: (offset: number): Code => [0xfd, 0x0b, 3, ...uleb(offset)],
  splat: [0xfd, 0x0a, 3, 0], // v128.load64_splat: one float64 in both lanes
  zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
};
const f64x2 = { add: [0xfd, 0xf0, 0x01], mul: [0xfd, 0xf2, 0x01] };

// Locals: the parameters, then j, pM, pv, r (i32), s and four accumulators (v128), a scalar accumulator (f64).
const [M, mStep, vec, vStep, rows, out, cols] = [0, 1, 2, 3, 4, 5, 6];
const [j, pM, pv, r] = [7, 8, 9, 10];
const s = 11;
const acc = [12, 13, 14, 15];
const scalar = 16;

/**
 * The loop over the columns `width` at a time (8: four v128 accumulators; 2: one; 1: a scalar), while
 * at least `width` columns are left; inside, the loop over the rows adds M_r[j..]·vec_r.
 */
function columnsLoop(width: 8 | 2 | 1): Code {
  const vectors = width === 1 ? [] : acc.slice(0, width / 2);
  const startSums = width === 1 ? [...f64.zero, ...set(scalar)] : vectors.flatMap((a) => [...v128.zero, ...set(a)]);
  const addRow = width === 1
    ? [...get(scalar), ...get(pM), ...f64.load, ...get(pv), ...f64.load, ...f64.mul, ...f64.add, ...set(scalar)]
    : [...get(pv), ...v128.splat, ...set(s),
      ...vectors.flatMap((a, k) => [...get(a), ...get(pM), ...v128.load(16 * k), ...get(s), ...f64x2.mul, ...f64x2.add, ...set(a)])];
  const outAddress = [...get(out), ...get(j), ...i32Const(3), ...i32.shl, ...i32.add];
  const store = width === 1
    ? [...outAddress, ...get(scalar), ...f64.store]
    : vectors.flatMap((a, k) => [...outAddress, ...get(a), ...v128.store(16 * k)]);
  return block(loop(
    [...get(cols), ...get(j), ...i32.sub, ...i32Const(width), ...i32.ltS, ...brIf(1)],
    startSums,
    [...get(M), ...get(j), ...i32Const(3), ...i32.shl, ...i32.add, ...set(pM)],
    [...get(vec), ...set(pv), ...get(rows), ...set(r)],
    block(loop(
      [...get(r), ...i32.eqz, ...brIf(1)],
      addRow,
      [...get(pM), ...get(mStep), ...i32.add, ...set(pM)],
      [...get(pv), ...get(vStep), ...i32.add, ...set(pv)],
      [...get(r), ...i32Const(1), ...i32.sub, ...set(r)],
      br(0),
    )),
    store,
    [...get(j), ...i32Const(width), ...i32.add, ...set(j)],
    br(0),
  ));
}

/** Returns the WebAssembly module's bytes: one function, axpyRows, on an imported memory env.memory. */
export function moduleBytes(): Uint8Array {
  const locals = list([[4, 0x7f], [5, 0x7b], [1, 0x7c]]); // 4 i32, 5 v128, 1 f64
  const body = [...locals, ...i32Const(0), ...set(j), ...columnsLoop(8), ...columnsLoop(2), ...columnsLoop(1), 0x0b];
  const section = (id: number, content: Code): Code => [id, ...sized(content)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, list([[0x60, ...list(new Array(7).fill([0x7f])), 0x00]])), // type: 7 × i32 → nothing
    ...section(2, list([[...text("env"), ...text("memory"), 0x02, 0x00, 0x01]])), // import memory, at least 1 page
    ...section(3, list([[0x00]])), // function 0 has type 0
    ...section(7, list([[...text("axpyRows"), 0x00, 0x00]])), // export function 0
    ...section(10, list([sized(body)])),
  ]);
}

// The WebAssembly JavaScript API, as far as we use it (tslab compiles without lib.dom, where TypeScript declares it).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const webAssembly = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

let compiled: object | null | undefined;

/** Returns the compiled module, or null when this runtime has no WebAssembly SIMD (or RNN_LESSONS_SIMD=0). */
function simdModule(): object | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = process.env.RNN_LESSONS_SIMD !== "0" && webAssembly?.validate(bytes) ? new webAssembly.Module(bytes) : null;
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
  const instance = new webAssembly!.Instance(simdModule()!, { env: { memory } });
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
 * Float64Arrays carved out of one block of memory, and the kernels that work on them: the SIMD kernels
 * when the block is WebAssembly memory (simd true and available), the JavaScript ones otherwise.
 * The block never grows, so the arrays stay valid.
 */
export class Arena {
  readonly kernels: Kernels;
  readonly simd: boolean;
  private readonly buffer: ArrayBuffer;
  private used = 0;

  /** Makes room for `doubles` numbers (and the padding that aligns each array to 16 bytes). */
  constructor(doubles: number, simd = true) {
    this.simd = simd && simdAvailable();
    const bytes = doubles * 8 + 4096;
    if (this.simd) {
      const memory = new webAssembly!.Memory({ initial: Math.ceil(bytes / 65536) });
      this.buffer = memory.buffer;
      this.kernels = simdKernels(memory);
    } else {
      this.buffer = new ArrayBuffer(bytes);
      this.kernels = jsKernels;
    }
  }

  /** Returns a new zero-filled array of n numbers from the block. */
  alloc(n: number): Float64Array {
    const offset = Math.ceil(this.used / 16) * 16;
    if (offset + n * 8 > this.buffer.byteLength) throw new Error(`Arena.alloc: no room for ${n} more numbers (${this.buffer.byteLength} bytes)`);
    this.used = offset + n * 8;
    return new Float64Array(this.buffer, offset, n);
  }
}
