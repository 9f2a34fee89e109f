// A small WebAssembly assembler: just enough to write the course's SIMD kernels as code that reads
// like structured assembly, and to turn them into a module that works on an imported memory (so
// kernels work on arrays where they lie, with no copies): the tfjs wasm backend's heap for the
// float32 kernels of src/tf/kernels, an Arena's block for the float64 kernel of src/charlm/simd.ts.
// Instructions are byte arrays; `Fn` names parameters and locals so bodies say `f.get("k")` rather
// than `local.get 12`. Also the typing of the WebAssembly JavaScript API that those modules use.
// Encoding: the WebAssembly core spec (binary format) and its fixed-width SIMD proposal.

/** Bytes of one or more instructions. */
export type Code = number[];
/** Value types. */
export type ValType = "i32" | "f32" | "f64" | "v128";
const valTypeCode: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128. */
export function uleb(n: number): Code {
  const out: Code = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const name = (s: string): Code => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vector = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];
const simd = (op: number, ...rest: number[]): Code => [0xfd, ...uleb(op), ...rest];
// Memory arguments: alignment hint 4 bytes (unaligned access stays legal), then the offset.
const memarg = (offset: number): Code => [2, ...uleb(offset)];
// The same with alignment hint 8 bytes, for float64 data.
const memarg8 = (offset: number): Code => [3, ...uleb(offset)];

/** Integer (i32) instructions. */
export const i32 = {
  const: (v: number): Code => [0x41, ...sleb(v | 0)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  and: [0x71],
  shl: [0x74],
  eqz: [0x45],
  ltS: [0x48],
  gtS: [0x4a],
  geS: [0x4e],
  load: (offset = 0): Code => [0x28, ...memarg(offset)],
  load8u: (offset = 0): Code => [0x2d, 0, ...uleb(offset)],
  store: (offset = 0): Code => [0x36, ...memarg(offset)],
  store8: (offset = 0): Code => [0x3a, 0, ...uleb(offset)],
};

/** Scalar float (f32) instructions. */
export const f32 = {
  const: (v: number): Code => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  load: (offset = 0): Code => [0x2a, ...memarg(offset)],
  store: (offset = 0): Code => [0x38, ...memarg(offset)],
  add: [0x92],
  sub: [0x93],
  mul: [0x94],
  div: [0x95],
  min: [0x96],
  max: [0x97],
  ge: [0x60],
  le: [0x5f],
  gt: [0x5e],
  lt: [0x5d],
  convertI32S: [0xb2],
};

/** Scalar float (f64) instructions. */
export const f64 = {
  const: (v: number): Code => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)],
  load: (offset = 0): Code => [0x2b, ...memarg8(offset)],
  store: (offset = 0): Code => [0x39, ...memarg8(offset)],
  add: [0xa0],
  mul: [0xa2],
};

/** SIMD (v128) instructions: four f32 or i32 lanes. */
export const v128 = {
  load: (offset = 0): Code => simd(0x00, ...memarg(offset)),
  store: (offset = 0): Code => simd(0x0b, ...memarg(offset)),
  /** Loads one f32 (or i32) and repeats it in all four lanes. */
  load32Splat: (offset = 0): Code => simd(0x09, ...memarg(offset)),
  /** Loads one f64 (8-byte alignment hint) and repeats it in both 64-bit lanes. */
  load64Splat: (offset = 0): Code => simd(0x0a, ...memarg8(offset)),
  /** Loads one byte and repeats it in all sixteen lanes. */
  load8Splat: (offset = 0): Code => simd(0x07, 0, ...uleb(offset)),
  /** Loads four bytes into the low lane, zeroes the rest. */
  load32Zero: (offset = 0): Code => simd(0x5c, ...memarg(offset)),
  /** Loads eight bytes into the low two lanes, zeroes the rest. */
  load64Zero: (offset = 0): Code => simd(0x5d, ...memarg(offset)),
  /** Replaces one 32-bit lane of a vector with four bytes from memory (stack: address, vector). */
  load32Lane: (lane: number, offset = 0): Code => simd(0x56, ...memarg(offset), lane),
  /** Stores one 32-bit lane. */
  store32Lane: (lane: number, offset = 0): Code => simd(0x5a, ...memarg(offset), lane),
  /** Stores one 8-bit lane. */
  store8Lane: (lane: number, offset = 0): Code => simd(0x58, 0, ...uleb(offset), lane),
  const: (lanes: [number, number, number, number]): Code => simd(0x0c, ...new Uint8Array(new Float32Array(lanes).buffer)),
  constI32: (lanes: [number, number, number, number]): Code => simd(0x0c, ...new Uint8Array(new Int32Array(lanes).buffer)),
  and: simd(0x4e),
  or: simd(0x50),
  xor: simd(0x51),
  bitselect: simd(0x52),
  anyTrue: simd(0x53),
  f32x4Splat: simd(0x13),
  f32x4ExtractLane: (lane: number): Code => simd(0x1f, lane),
  f32x4Eq: simd(0x41),
  f32x4Lt: simd(0x43),
  f32x4Gt: simd(0x44),
  f32x4Le: simd(0x45),
  f32x4Ge: simd(0x46),
  f32x4Abs: simd(0xe0),
  f32x4Neg: simd(0xe1),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
  f32x4Sqrt: simd(0xe3),
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
  f32x4Nearest: simd(0x6a),
  i8x16Splat: simd(0x0f),
  i32x4Splat: simd(0x11),
  i8x16NarrowI16x8S: simd(0x65),
  i16x8NarrowI32x4S: simd(0x85),
  i16x8ExtendLowI8x16U: simd(0x89),
  i32x4ExtendLowI16x8U: simd(0xa9),
  i32x4Ne: simd(0x38),
  i32x4GeU: simd(0x40),
  i32x4Shl: simd(0xab),
  i32x4ShrU: simd(0xad),
  i32x4Add: simd(0xae),
  i32x4Mul: simd(0xb5),
  i32x4TruncSatF32x4S: simd(0xf8),
  f32x4ConvertI32x4S: simd(0xfa),
  f32x4ConvertI32x4U: simd(0xfb),
};

/** SIMD instructions on two f64 lanes; loads and stores are v128's with an 8-byte alignment hint. */
export const f64x2 = {
  load: (offset = 0): Code => simd(0x00, ...memarg8(offset)),
  store: (offset = 0): Code => simd(0x0b, ...memarg8(offset)),
  add: simd(0xf0),
  mul: simd(0xf2),
};

/** Structured control flow. Inside `loop`, br(0) continues; inside `block`, br(0) leaves it. */
export const ctl = {
  block: (...body: Code[]): Code => [0x02, 0x40, ...body.flat(), 0x0b],
  loop: (...body: Code[]): Code => [0x03, 0x40, ...body.flat(), 0x0b],
  /** Runs body when the i32 that `condition` computes is not 0. */
  if: (condition: Code, ...body: Code[]): Code => [...condition, 0x04, 0x40, ...body.flat(), 0x0b],
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  return: [0x0f],
};

/** A function being written: named parameters (all i32) and named locals. */
export class Fn {
  readonly params: string[];
  private readonly locals: Array<[string, ValType]>;
  private readonly index = new Map<string, number>();

  constructor(
    readonly name: string,
    params: string[],
    locals: Record<string, ValType>,
    readonly body: Code[] = [],
  ) {
    this.params = params;
    this.locals = Object.entries(locals);
    [...params, ...this.locals.map(([n]) => n)].forEach((n, i) => this.index.set(n, i));
  }

  private at(n: string): number {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`wasm function ${this.name} has no parameter or local named ${n}.`);
    return i;
  }

  /** local.get */
  get(n: string): Code {
    return [0x20, ...uleb(this.at(n))];
  }

  /** local.set (pops the value computed by `value`) */
  set(n: string, ...value: Code[]): Code {
    return [...value.flat(), 0x21, ...uleb(this.at(n))];
  }

  /** `n += step` for an i32 local, step a constant or another local's name. */
  inc(n: string, step: number | string): Code {
    return this.set(n, this.get(n), typeof step === "number" ? i32.const(step) : this.get(step), i32.add);
  }

  /** for (counter = start; counter + step <= limit; counter += step) body — limit an i32 expression. */
  forUp(counter: string, start: Code, limit: Code, step: number, ...body: Code[]): Code {
    return [
      ...this.set(counter, start),
      ...ctl.block(
        ctl.loop(
          this.get(counter),
          i32.const(step),
          i32.add,
          limit,
          i32.gtS,
          ctl.brIf(1),
          ...body,
          this.inc(counter, step),
          ctl.br(0),
        ),
      ),
    ];
  }

  /** The function's entry in the code section (a run of locals of one type is declared once). */
  encode(): Code {
    const runs: Array<[number, ValType]> = [];
    for (const [, t] of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const locals = vector(runs.map(([count, t]) => [...uleb(count), valTypeCode[t]]));
    const body = [...locals, ...this.body.flat(), 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/**
 * A module importing memory as env.memory and exporting each function by its name. With `shared`, the
 * memory it imports is a shared one (worker threads run the same functions on it: src/wasm/threads.ts).
 */
export function assemble(functions: Fn[], opts: { shared?: boolean } = {}) {
  const types = functions.map((f) => [0x60, ...vector(f.params.map(() => [valTypeCode.i32])), 0]);
  // memory: min 1 page, no max; or shared, which needs a max (65536 pages, all a 32-bit address reaches)
  const limits = opts.shared ? [0x03, 0x01, ...uleb(65536)] : [0x00, 0x01];
  const imports = vector([[...name("env"), ...name("memory"), 0x02, ...limits]]);
  const declared = vector(functions.map((_, i) => uleb(i)));
  const exports = vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const code = vector(functions.map((f) => f.encode()));
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vector(types)),
    ...section(2, imports),
    ...section(3, declared),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/** A WebAssembly.Memory, as far as the course uses one. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

// The WebAssembly JavaScript API, typed here: tslab compiles notebooks without lib.dom, where
// TypeScript declares it. (Node 20 and browsers all have WebAssembly; SIMD may still be missing,
// which `validate` on a module that uses it tells.)
interface WebAssemblyApi {
  validate(bytes: ArrayBufferView): boolean;
  Module: new (bytes: ArrayBufferView) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The runtime's WebAssembly object. */
export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
