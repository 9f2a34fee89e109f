// The course's own WebAssembly SIMD functions, assembled at run time and instantiated on the wasm
// backend's memory, so they read and write tensors in place. Why our own: the stock kernels reach
// XNNPACK's fast matrix product only for untransposed operands, and XNNPACK first packs the right
// operand (~10 ns per element, as long as the product itself for the shapes of a recurrent step)
// unless that operand is a weight it has seen before. The 4×8 register-tiled product below needs no
// packing, takes a transposed left operand through its strides, and adds in the same order as
// XNNPACK (one multiply-add per k, k ascending), so it gives bit-identical results.
import { elementwiseFunctions } from "./simd-elementwise";
import { lstmStepFunctions } from "./lstm-step-simd";
import { adamFunctions } from "./adam-simd";
import { dropoutFunctions } from "./dropout-simd";
import { assemble, ctl, f32, Fn, i32, v128, webAssembly } from "../../wasm/assembler";
import type { Code, WasmMemory } from "../../wasm/assembler";
import { WasmThreads, maxThreads } from "../../wasm/threads";
import type { Call } from "../../wasm/threads";
import { processMemo } from "../../course";
import type { WasmBackend } from "./wasm-heap";

/** The functions, taking byte offsets into the heap, element counts, and strides in bytes. */
export interface SimdKernels {
  /**
   * C[i,j] = Σ_k A(i,k)·B(k,j) for i < m, j < n, k < k: A(i,k) at a + i·aRow + k·aCol, B(k,j) at
   * b + k·bRow + 4j, C[i,j] at c + i·cRow + 4j. With `accumulate`, the sums start from C's values.
   * `scratch`: where B's blocks may be packed (gemmScratchBytes bytes per thread in use), for B's rows
   * longer than a block. On a shared memory, large products are split across threads (useThreads).
   */
  gemm(a: number, b: number, c: number, m: number, k: number, n: number, aRow: number, aCol: number, bRow: number, cRow: number, accumulate?: boolean, scratch?: number): void;
  /** dst (cols×rows) = transpose of src (rows×cols), float32, row-major. */
  transpose(src: number, dst: number, rows: number, cols: number): void;
  /** Copies `rows` rows of rowBytes bytes between strided blocks (strides in bytes); on a shared memory, large blocks split by rows. */
  copyRows(src: number, dst: number, rows: number, rowBytes: number, srcStride: number, dstStride: number): void;
  /**
   * Runs function `name` on `rows` rows: fn(pointer…, rows, ...rest), each pointer given with its row's
   * bytes. On a shared memory, many rows are split across threads (each part its own rows).
   */
  rows(name: string, rows: number, pointers: Array<[number, number]>, rest: number[]): void;
  /**
   * Runs the element-wise function `name` of simd-elementwise.ts on a rows×cols block: each input as [offset,
   * bytes per column (4, 1 for bools, 0 for one value per row), row stride in bytes], the output as [offset,
   * bytes per element]. On a shared memory, large blocks are split across threads by rows (one row: by columns).
   */
  elementwise(name: string, inputs: Array<[number, number, number]>, out: [number, number], rows: number, cols: number): void;
  /** The element-wise functions of simd-elementwise.ts by name (arguments as documented there). */
  fn: Record<string, (...args: number[]) => void>;
  /**
   * Work on the items [0, n) (rows, columns) that stay independent from start to end (an LSTM's batch rows
   * through every timestep): `work(from, to, k, part)` issues the calls for items [from, to) on `k`; on a
   * shared memory the items are split across threads in 4s, each part's calls recorded and run in order on
   * whichever thread takes it, with one wait at the end instead of one per call. `part` numbers the parts (each its
   * own share of scratch). With `elements` (how many the whole work touches), work too small to be worth a
   * thread stays on this one.
   */
  split(n: number, work: (from: number, to: number, k: Pick<SimdKernels, "gemm" | "copyRows" | "fn">, part: number) => void, elements?: number): void;
  /** How many worker threads have started for this memory (0 on a plain one). */
  workers(): number;
}

// gemm parameters, shared by its pieces.
// With `add` set, the products are added to C (the second and later blocks of k) instead of replacing it.
const gemmParams = ["a", "b", "c", "m", "k", "n", "aRow", "aCol", "bRow", "cRow", "add"];

/**
 * Tiles of rows×width outputs: for each k, the tile's row of B in vectors (width 4, 8 or 32), one
 * broadcast load of A per row, and a vector multiply-add per row and vector into accumulators kept
 * in registers. Width 1-3 (the last columns) loads and stores only those lanes, so no access
 * passes the end of a row. (Measured here: 4×8 beats 6×8, 4×12, 8×4, 2×16 and unrolling k, which
 * run out of registers; for a single row, 1×32 beats 1×8 and an axpy loop over B's rows by 1.7x:
 * whole cache lines of B per k.)
 */
function gemmTiles(rows: number, width: 1 | 2 | 3 | 4 | 8 | 32): Fn {
  const vectors = Math.ceil(width / 4);
  const partial = width < 4 ? width : 0; // lanes of a partial vector
  const halves = Array.from({ length: vectors }, (_, h) => h);
  const acc = (r: number, h: number) => `acc${r}_${h}`;
  const aRowPointer = (r: number) => `a${r}`;
  const locals: Record<string, "i32" | "v128"> = { i: "i32", j: "i32", kk: "i32", bp: "i32", cp: "i32", av: "v128" };
  for (const h of halves) locals[`b${h}`] = "v128";
  for (let r = 0; r < rows; r++) locals[aRowPointer(r)] = "i32";
  for (let r = 0; r < rows; r++) for (const h of halves) locals[acc(r, h)] = "v128";
  const f = new Fn(`gemm${rows}x${width}`, gemmParams, locals);
  const cRowOffset = (r: number): Code => (r === 0 ? f.get("cp") : [...f.get("cp"), ...f.get("cRow"), ...i32.const(r), ...i32.mul, ...i32.add]);
  // Vector h of a row of `width` floats at `address` (the only vector when partial).
  const load = (address: Code, h: number): Code => {
    if (partial === 1) return [...address, ...v128.load32Zero(0)];
    if (partial === 2) return [...address, ...v128.load64Zero(0)];
    if (partial === 3) return [...address, ...address, ...v128.load64Zero(0), ...v128.load32Lane(2, 8)];
    return [...address, ...v128.load(16 * h)];
  };
  const store = (address: Code, value: Code, h: number): Code[] =>
    partial === 0
      ? [[...address, ...value, ...v128.store(16 * h)]]
      : Array.from({ length: partial }, (_, lane) => [...address, ...value, ...v128.store32Lane(lane, 4 * lane)]);

  const kStep: Code[] = halves.map((h) => f.set(`b${h}`, load(f.get("bp"), h)));
  for (let r = 0; r < rows; r++) {
    kStep.push(f.set("av", f.get(aRowPointer(r)), v128.load32Splat(0)));
    for (const h of halves) kStep.push(f.set(acc(r, h), f.get(acc(r, h)), f.get("av"), f.get(`b${h}`), v128.f32x4Mul, v128.f32x4Add));
    kStep.push(f.inc(aRowPointer(r), "aCol"));
  }
  kStep.push(f.inc("bp", "bRow"));

  const tile: Code[] = [];
  for (let r = 0; r < rows; r++) {
    // a_r = a + (i + r)·aRow: one pointer per row of the tile, stepped by aCol along k.
    tile.push(f.set(aRowPointer(r), f.get("a"), f.get("i"), i32.const(r), i32.add, f.get("aRow"), i32.mul, i32.add));
  }
  tile.push(
    f.set("bp", f.get("b"), f.get("j"), i32.const(4), i32.mul, i32.add),
    f.set("cp", f.get("c"), f.get("i"), f.get("cRow"), i32.mul, i32.add, f.get("j"), i32.const(4), i32.mul, i32.add),
  );
  const zero = v128.const([0, 0, 0, 0]);
  const loadAcc: Code[] = [];
  for (let r = 0; r < rows; r++) {
    for (const h of halves) {
      tile.push(f.set(acc(r, h), zero));
      loadAcc.push(f.set(acc(r, h), load(cRowOffset(r), h)));
    }
  }
  tile.push(ctl.if(f.get("add"), ...loadAcc), f.forUp("kk", i32.const(0), f.get("k"), 1, ...kStep));
  for (let r = 0; r < rows; r++) for (const h of halves) tile.push(...store(cRowOffset(r), f.get(acc(r, h)), h));
  f.body.push(f.forUp("i", i32.const(0), f.get("m"), rows, f.forUp("j", i32.const(0), f.get("n"), width, ...tile)));
  return f;
}

/** Transpose in blocks of 8 rows, so reads stay within a few cache lines. */
function transposeFn(): Fn {
  const f = new Fn("transpose", ["src", "dst", "rows", "cols"], { i0: "i32", i: "i32", j: "i32", iEnd: "i32" });
  const copyOne: Code[] = [
    // dst[j*rows + i] = src[i*cols + j]
    [...f.get("dst"), ...f.get("j"), ...f.get("rows"), ...i32.mul, ...f.get("i"), ...i32.add, ...i32.const(4), ...i32.mul, ...i32.add],
    [...f.get("src"), ...f.get("i"), ...f.get("cols"), ...i32.mul, ...f.get("j"), ...i32.add, ...i32.const(4), ...i32.mul, ...i32.add],
    f32.load(0),
    f32.store(0),
  ];
  f.body.push(
    f.set("i0", i32.const(0)),
    ctl.block(
      ctl.loop(
        f.get("i0"),
        f.get("rows"),
        i32.geS,
        ctl.brIf(1),
        // iEnd = min(i0 + 8, rows)
        f.set("iEnd", f.get("i0"), i32.const(8), i32.add),
        ctl.if([...f.get("iEnd"), ...f.get("rows"), ...i32.gtS], f.set("iEnd", f.get("rows"))),
        f.forUp("j", i32.const(0), f.get("cols"), 1, f.set("i", f.get("i0")), ctl.block(ctl.loop(f.get("i"), f.get("iEnd"), i32.geS, ctl.brIf(1), ...copyOne, f.inc("i", 1), ctl.br(0)))),
        f.inc("i0", 8),
        ctl.br(0),
      ),
    ),
  );
  return f;
}

/** One row of f's `rowBytes` bytes from the row at local `from` to the row at local `to` (counter i): 16 at a time, then one by one. */
function copyRow(f: Fn, from: string, to: string): Code[] {
  const at = (row: string): Code => [...f.get(row), ...f.get("i"), ...i32.add];
  return [
    f.forUp("i", i32.const(0), f.get("rowBytes"), 16, [...at(to), ...at(from), ...v128.load(0), ...v128.store(0)]),
    f.forUp("i", f.get("i"), f.get("rowBytes"), 1, [...at(to), ...at(from), ...i32.load8u(0), ...i32.store8(0)]),
  ];
}

/** copyRows(src, dst, rows, rowBytes, srcStride, dstStride): rows of bytes from one strided block to another. */
function copyRowsFn(): Fn {
  const f = new Fn("copyRows", ["src", "dst", "rows", "rowBytes", "srcStride", "dstStride"], { r: "i32", i: "i32" });
  f.body.push(f.forUp("r", i32.const(0), f.get("rows"), 1, ...copyRow(f, "src", "dst"), f.inc("src", "srcStride"), f.inc("dst", "dstStride")));
  return f;
}

/** gatherRows(dst, indices, rows, src, rowBytes): row r of dst is row indices[r] of src (rows of rowBytes bytes). */
function gatherRowsFn(): Fn {
  const f = new Fn("gatherRows", ["dst", "indices", "rows", "src", "rowBytes"], { r: "i32", i: "i32", from: "i32" });
  f.body.push(
    f.forUp(
      "r",
      i32.const(0),
      f.get("rows"),
      1,
      f.set("from", f.get("src"), f.get("indices"), i32.load(0), f.get("rowBytes"), i32.mul, i32.add),
      ...copyRow(f, "from", "dst"),
      f.inc("indices", 4),
      f.inc("dst", "rowBytes"),
    ),
  );
  return f;
}

type Exports = Record<string, (...args: number[]) => void>;

// Blocks that keep the working set in cache: a block of B (kBlock rows × nBlock columns, 256 KB)
// is reused by every row of A. Blocking over k keeps each sum's order (k ascending): a later block
// reloads the partial sums and goes on adding.
const kBlock = 128;
const nBlock = 512;
/** Bytes of scratch memory gemm may pack a block of B into. */
export const gemmScratchBytes = kBlock * nBlock * 4;

function makeKernels(e: Exports): SimdKernels {
  /**
   * One block: 4×8 tiles, a 4×4 tile for 4-7 leftover columns, rows left over (all of them when
   * m < 4, as in generation) in 1×32, 1×8 and 1×4 tiles, and the last 1-3 columns in 4×1-3 and
   * 1×1-3 tiles.
   */
  function block(a: number, b: number, c: number, m: number, k: number, n: number, aRow: number, aCol: number, bRow: number, cRow: number, add: number) {
    const m4 = m - (m % 4);
    const n32 = n - (n % 32);
    const n8 = n - (n % 8);
    const n4 = n - (n % 4);
    const at = (i: number, j: number): [number, number, number] => [a + i * aRow, b + j * 4, c + i * cRow + j * 4];
    const strides = [aRow, aCol, bRow, cRow, add];
    if (m4 > 0 && n8 > 0) e.gemm4x8(a, b, c, m4, k, n8, ...strides);
    if (m4 > 0 && n4 > n8) e.gemm4x4(...at(0, n8), m4, k, 4, ...strides);
    if (m4 > 0 && n > n4) e[`gemm4x${n - n4}`](...at(0, n4), m4, k, n - n4, ...strides);
    if (m4 < m && n32 > 0) e.gemm1x32(...at(m4, 0), m - m4, k, n32, ...strides);
    if (m4 < m && n8 > n32) e.gemm1x8(...at(m4, n32), m - m4, k, n8 - n32, ...strides);
    if (m4 < m && n4 > n8) e.gemm1x4(...at(m4, n8), m - m4, k, 4, ...strides);
    if (m4 < m && n > n4) e[`gemm1x${n - n4}`](...at(m4, n4), m - m4, k, n - n4, ...strides);
  }
  return {
    gemm(a, b, c, m, k, n, aRow, aCol, bRow, cRow, accumulate = false, scratch) {
      // Rows of B longer than a block put each k step of a tile on another memory page: copy the
      // block into contiguous rows first when enough rows of A will reuse it.
      const pack = scratch !== undefined && bRow > nBlock * 4 && m >= 16;
      for (let j0 = 0; j0 < n; j0 += nBlock) {
        const nb = Math.min(nBlock, n - j0);
        for (let k0 = 0; k0 < k; k0 += kBlock) {
          const kb = Math.min(kBlock, k - k0);
          let [bBlock, bBlockRow] = [b + k0 * bRow + j0 * 4, bRow];
          if (pack) {
            e.copyRows(bBlock, scratch, kb, nb * 4, bRow, nb * 4);
            [bBlock, bBlockRow] = [scratch, nb * 4];
          }
          block(a + k0 * aCol, bBlock, c + j0 * 4, m, kb, nb, aRow, aCol, bBlockRow, cRow, k0 > 0 || accumulate ? 1 : 0);
        }
      }
    },
    rows: (name, rows, pointers, rest) => e[name](...pointers.map(([at]) => at), rows, ...rest),
    elementwise: (name, inputs, out, rows, cols) => e[name](...inputs.map(([at]) => at), out[0], rows, cols, ...inputs.map(([, , stride]) => stride)),
    split(n, work) {
      work(0, n, this, 0);
    },
    workers: () => 0,
    transpose: (src, dst, rows, cols) => e.transpose(src, dst, rows, cols),
    copyRows: (src, dst, rows, rowBytes, srcStride, dstStride) => e.copyRows(src, dst, rows, rowBytes, srcStride, dstStride),
    fn: e,
  };
}

const moduleBytes = new Map<boolean, ReturnType<typeof assemble>>();

/** The assembled module (WebAssembly binary), importing a shared memory when `shared`. */
export function simdModuleBytes(shared = false): ReturnType<typeof assemble> {
  let bytes = moduleBytes.get(shared);
  if (!bytes) {
    const functions = [
      ...([8, 4, 3, 2, 1] as const).map((width) => gemmTiles(4, width)),
      ...([32, 8, 4, 3, 2, 1] as const).map((width) => gemmTiles(1, width)),
      transposeFn(),
      copyRowsFn(),
      gatherRowsFn(),
      ...elementwiseFunctions(),
      ...lstmStepFunctions(),
      ...adamFunctions(),
      ...dropoutFunctions(),
    ];
    moduleBytes.set(shared, (bytes = assemble(functions, { shared })));
  }
  return bytes;
}
const compiled = new Map<boolean, object | null>();

/** The compiled module for a shared or a plain memory, or null without WebAssembly SIMD. */
function compiledModule(shared: boolean): object | null {
  if (!compiled.has(shared)) {
    const bytes = simdModuleBytes(shared);
    compiled.set(shared, webAssembly.validate(bytes) ? new webAssembly.Module(bytes) : null);
  }
  return compiled.get(shared)!;
}

// The kernels of each memory, kept for the process (tslab may load this file again; the workers of a
// memory must start once).
const instances = processMemo("simdKernels", () => new WeakMap<object, SimdKernels>());

/** The course's SIMD functions working in `memory` (one instance per memory), or null without WebAssembly SIMD. */
export function simdKernelsOn(memory: WasmMemory): SimdKernels | null {
  const known = instances.get(memory);
  if (known) return known;
  const shared = memory.buffer instanceof SharedArrayBuffer;
  const module = compiledModule(shared);
  if (module === null) return null;
  const instance = new webAssembly.Instance(module, { env: { memory } });
  const wasmExports = instance.exports as unknown as Exports;
  const kernels = makeKernels(wasmExports);
  if (shared) Object.assign(kernels, threaded({ ...kernels }, new WasmThreads(module, memory, Object.keys(wasmExports)), wasmExports));
  instances.set(memory, kernels);
  return kernels;
}

// How many threads the course's kernels use: set once by the backend from RNN_LESSONS_THREADS
// (src/course.ts), changed by the bench and the tests to compare counts in one process.
const threadCount = processMemo("kernelThreads", () => ({ count: 1 }));

/** Sets how many threads (the main one and workers) split the course's kernels on a shared heap; returns it. */
export function useThreads(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > maxThreads) throw new Error(`useThreads: the thread count must be a whole number from 1 to ${maxThreads}, got ${count}.`);
  threadCount.count = count;
  return count;
}

/** How many threads the course's kernels use. */
export const threadsInUse = (): number => threadCount.count;

/**
 * Below this many multiply-adds a part of a product is not worth a thread: waking one and waiting for
 * it costs about as much (measured in `npm run bench -- threads`).
 */
export const minPartWork = 1 << 17;

/** The rows [i0, i1) and columns [j0, j1) of each part of an m×n product split `parts` ways. */
export function productParts(m: number, n: number, k: number, threads: number): Array<[number, number, number, number]> {
  const parts = Math.max(1, Math.min(threads, Math.floor((m * n * k) / minPartWork)));
  if (parts === 1) return [[0, m, 0, n]];
  // Split the longer side of C: by columns (in 32s: the widest tile), so that each thread reads only
  // its columns of B, or by rows (in 4s: the tiles' height) when C is taller than wide. Never by k:
  // every output keeps its one sum, in the same order, on any thread count.
  const byRows = m > n && m >= 8 * parts;
  return cuts(byRows ? m : n, parts, byRows ? 4 : 32).map(([from, to]) => (byRows ? [from, to, 0, n] : [0, m, from, to]));
}

/**
 * Below these many elements a part is not worth a thread: of a row-wise function (the LSTM step: an
 * exponential or two per element), of an element-wise one (one or two instructions per element).
 */
export const minPartElements = { rows: 8192, elementwise: 65536 };

/** How many parts to cut work into: one per thread, at most `items` (what can be cut), each of `minElements` or more. */
function partCount(items: number, elements: number, minElements: number): number {
  return Math.max(1, Math.min(threadsInUse(), items, Math.floor(elements / minElements)));
}

/** [from, to) of each of `count` nearly equal parts of `size`, cut at multiples of `unit`. */
function cuts(size: number, count: number, unit = 1): Array<[number, number]> {
  const units = Math.ceil(size / unit);
  const at = Array.from({ length: count + 1 }, (_, p) => Math.min(size, Math.round((p * units) / count) * unit));
  return at.slice(0, -1).map((from, p) => [from, at[p + 1]] as [number, number]).filter(([from, to]) => to > from);
}

/**
 * The kernels that split across threads: gemm (by rows or columns of C), copyRows, rows, elementwise and split; each part
 * is planned as a list of calls (the same kernels, recording) and run on whichever thread takes it.
 */
function threaded(direct: SimdKernels, threads: WasmThreads, wasmExports: Exports): Pick<SimdKernels, "gemm" | "copyRows" | "rows" | "elementwise" | "split" | "workers"> {
  const names = Object.keys(wasmExports);
  const byIndex = names.map((name) => wasmExports[name]);
  const idOf = new Map(names.map((name, id) => [name, id]));
  let planned: Call[] = [];
  const recorder: Exports = Object.fromEntries(names.map((name, id) => [name, (...args: number[]) => void planned.push([id, ...args])]));
  const plan = makeKernels(recorder);
  const runHere = (calls: Call[]) => {
    for (const [id, ...args] of calls) byIndex[id](...args);
  };
  const run = (parts: Call[][]) => {
    threads.ensure(Math.min(threadsInUse(), parts.length) - 1);
    threads.run(parts, runHere);
  };
  const gemm: SimdKernels["gemm"] = (a, b, c, m, k, n, aRow, aCol, bRow, cRow, accumulate = false, scratch) => {
    const parts = productParts(m, n, k, threadsInUse());
    if (parts.length === 1) return direct.gemm(a, b, c, m, k, n, aRow, aCol, bRow, cRow, accumulate, scratch);
    const calls = parts.map(([i0, i1, j0, j1], p) => {
      planned = [];
      // each part packs B's blocks into its own share of the scratch memory
      const own = scratch === undefined ? undefined : scratch + p * gemmScratchBytes;
      plan.gemm(a + i0 * aRow, b + j0 * 4, c + i0 * cRow + j0 * 4, i1 - i0, k, j1 - j0, aRow, aCol, bRow, cRow, accumulate, own);
      return planned;
    });
    run(calls);
  };
  const rows: SimdKernels["rows"] = (name, rows, pointers, rest) => {
    const count = partCount(rows, (rows * pointers[0][1]) / 4, minPartElements.rows);
    if (count === 1) return direct.rows(name, rows, pointers, rest);
    const id = idOf.get(name)!;
    const calls = cuts(rows, count).map(([r0, r1]) => [[id, ...pointers.map(([at, bytes]) => at + r0 * bytes), r1 - r0, ...rest]]);
    run(calls);
  };
  const elementwise: SimdKernels["elementwise"] = (name, inputs, out, rows, cols) => {
    const count = partCount(rows > 1 ? rows : Infinity, rows * cols, minPartElements.elementwise);
    if (count === 1) return direct.elementwise(name, inputs, out, rows, cols);
    const id = idOf.get(name)!;
    const strides = inputs.map(([, , stride]) => stride);
    // Rows, each part its own; a single row by columns, in 4s (the vectors' width).
    const calls = rows > 1
      ? cuts(rows, count).map(([r0, r1]) => [[id, ...inputs.map(([at, , stride]) => at + r0 * stride), out[0] + r0 * cols * out[1], r1 - r0, cols, ...strides]])
      : cuts(cols, count, 4).map(([c0, c1]) => [[id, ...inputs.map(([at, bytes]) => at + c0 * bytes), out[0] + c0 * out[1], 1, c1 - c0, ...strides]]);
    run(calls);
  };
  const copyRows: SimdKernels["copyRows"] = (src, dst, rows, rowBytes, srcStride, dstStride) => {
    const count = partCount(rows > 1 ? rows : Infinity, (rows * rowBytes) / 4, minPartElements.elementwise);
    if (count === 1) return direct.copyRows(src, dst, rows, rowBytes, srcStride, dstStride);
    const id = idOf.get("copyRows")!;
    // Rows, each part its own; a single row by bytes, in 16s.
    const calls = rows > 1
      ? cuts(rows, count).map(([r0, r1]) => [[id, src + r0 * srcStride, dst + r0 * dstStride, r1 - r0, rowBytes, srcStride, dstStride]])
      : cuts(rowBytes, count, 16).map(([b0, b1]) => [[id, src + b0, dst + b0, 1, b1 - b0, 0, 0]]);
    run(calls);
  };
  const split: SimdKernels["split"] = (n, work, elements = Infinity) => {
    const count = partCount(Math.floor(n / 4), elements, minPartElements.elementwise);
    if (count === 1) return direct.split(n, work);
    const calls = cuts(n, count, 4).map(([from, to], part) => {
      planned = [];
      work(from, to, plan, part);
      return planned;
    });
    if (!WasmThreads.fits(calls)) return calls.forEach(runHere); // too long for the shared call list: all here, in order
    run(calls);
  };
  return { gemm, copyRows, rows, elementwise, split, workers: () => threads.started };
}

/** The course's SIMD functions on this backend's memory, or null where WebAssembly SIMD is missing. */
export function simdKernels(backend: WasmBackend): SimdKernels | null {
  const memory = backend.wasm.asm?.memory;
  return memory ? simdKernelsOn(memory) : null;
}

/** The course's SIMD functions on this backend; they exist wherever the kernels were registered. */
export function requireSimd(backend: WasmBackend): SimdKernels {
  const kernels = simdKernels(backend);
  if (!kernels) throw new Error("The course's wasm kernels need WebAssembly SIMD, which this runtime lacks; unregister them (unregisterFastWasmKernels).");
  return kernels;
}
