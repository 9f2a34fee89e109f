// Element-wise SIMD functions for the course's wasm kernels: four elements per step, one at a time
// for the last few (loads and stores never pass the end of a tensor). The ops are those a recurrent
// step and its gradient call dozens of times per timestep, where the stock kernels take 50-250 µs
// on a 128×128 tensor: arithmetic with a scalar, a bias row or a column, comparisons, logicalAnd,
// select, casts from bool and int32, tanh, and column sums (the gradient of a bias); exp, which the
// loss's softmax calls over every output (the stock one calls the C library one element at a time);
// and, for the generator, sigmoid and the exponentials of a softmax.
import { f32, Fn, i32, v128 } from "../../wasm/assembler";
import type { Code } from "../../wasm/assembler";

/** How an input is read: float32 (or int32) values, one float32 per row (repeated along it), or bool bytes. */
export type Operand = "f32" | "f32Scalar" | "u8";
/** What is written: float32 values or bool bytes. */
export type Result = "f32" | "u8";

const bytesOf = (kind: Operand | Result) => (kind === "u8" ? 1 : 4);

/**
 * fn(in0, …, out, rows, cols, rowStride0, …): out[r, c] = compute(in0[r, c], …) over a rows×cols
 * block; each input advances rowStride bytes per row (0 repeats one row: a bias, or one scalar).
 * A "f32Scalar" input holds one value per row, repeated along the row (stride 4: a column). `compute`
 * gets local names holding the inputs' lanes (f32 values, or 0/1 in i32 lanes for bools) and
 * leaves the result lanes on the stack (0/1 in i32 lanes for a bool result).
 */
export function elementwise(name: string, inputs: Operand[], result: Result, compute: (f: Fn, lanes: string[]) => Code, locals: Record<string, "i32" | "v128"> = {}): Fn {
  const ins = inputs.map((_, k) => `in${k}`);
  const strides = inputs.map((_, k) => `row${k}`);
  const lanes = inputs.map((_, k) => `v${k}`);
  const pointers = inputs.map((_, k) => `p${k}`);
  const allLocals: Record<string, "i32" | "v128"> = { i: "i32", row: "i32", o: "i32", res: "v128" };
  for (const [n, t] of Object.entries(locals)) {
    if (n in allLocals || /^(in|row|v|p)\d+$/.test(n)) throw new Error(`elementwise ${name}: local name ${n} is taken.`);
    allLocals[n] = t;
  }
  inputs.forEach((_, k) => {
    allLocals[pointers[k]] = "i32";
    allLocals[lanes[k]] = "v128";
  });
  const f = new Fn(name, [...ins, "out", "rows", "cols", ...strides], allLocals);
  const at = (base: string, kind: Operand | Result): Code => [...f.get(base), ...f.get("i"), ...i32.const(bytesOf(kind)), ...i32.mul, ...i32.add];

  // Loads of four elements (main loop) or one element repeated in every lane (tail).
  const loadFour = (k: number): Code => {
    if (inputs[k] === "f32") return f.set(lanes[k], at(pointers[k], "f32"), v128.load(0));
    // Four bool bytes, widened to four i32 lanes.
    return f.set(lanes[k], at(pointers[k], "u8"), v128.load32Zero(0), v128.i16x8ExtendLowI8x16U, v128.i32x4ExtendLowI16x8U);
  };
  const loadOne = (k: number): Code => {
    if (inputs[k] === "f32") return f.set(lanes[k], at(pointers[k], "f32"), v128.load32Splat(0));
    return f.set(lanes[k], at(pointers[k], "u8"), i32.load8u(0), v128.i32x4Splat);
  };
  // The result goes through a local: a bool result is narrowed twice (i32 → i16 → i8 lanes), and
  // each narrowing takes its operand twice.
  const result4 = (): Code =>
    result === "f32"
      ? f.set("res", compute(f, lanes))
      : [
          ...f.set("res", compute(f, lanes)),
          ...f.set("res", f.get("res"), f.get("res"), v128.i16x8NarrowI32x4S),
          ...f.set("res", f.get("res"), f.get("res"), v128.i8x16NarrowI16x8S),
        ];
  const storeFour = (): Code => [...result4(), ...at("o", result), ...f.get("res"), ...(result === "f32" ? v128.store(0) : v128.store32Lane(0))];
  const storeOne = (): Code => [...result4(), ...at("o", result), ...f.get("res"), ...(result === "f32" ? v128.store32Lane(0) : v128.store8Lane(0))];

  const streamed = inputs.map((kind, k) => (kind === "f32Scalar" ? -1 : k)).filter((k) => k >= 0);
  const scalars = inputs.map((kind, k) => (kind === "f32Scalar" ? k : -1)).filter((k) => k >= 0);
  f.body.push(
    ...inputs.map((_, k) => f.set(pointers[k], f.get(ins[k]))),
    f.set("o", f.get("out")),
    f.forUp(
      "row",
      i32.const(0),
      f.get("rows"),
      1,
      ...scalars.map((k) => f.set(lanes[k], f.get(pointers[k]), v128.load32Splat(0))),
      f.forUp("i", i32.const(0), f.get("cols"), 4, ...streamed.map(loadFour), storeFour()),
      f.forUp("i", f.get("i"), f.get("cols"), 1, ...streamed.map(loadOne), storeOne()),
      ...inputs.map((_, k) => f.inc(pointers[k], strides[k])),
      f.set("o", f.get("o"), f.get("cols"), i32.const(bytesOf(result)), i32.mul, i32.add),
    ),
  );
  return f;
}

const binaryForms: Array<[string, Operand[]]> = [
  ["vv", ["f32", "f32"]],
  ["sv", ["f32Scalar", "f32"]],
  ["vs", ["f32", "f32Scalar"]],
];

/** Float arithmetic, by the name the kernels use: `${op}_${form}`, form vv, sv (scalar first) or vs. */
export const arithmeticOps: Record<string, Code> = { add: v128.f32x4Add, sub: v128.f32x4Sub, mul: v128.f32x4Mul, div: v128.f32x4Div };
/** Float comparisons giving bools, named like arithmeticOps. */
export const comparisonOps: Record<string, Code> = { greaterEqual: v128.f32x4Ge, lessEqual: v128.f32x4Le, greater: v128.f32x4Gt, less: v128.f32x4Lt };

const ones = v128.constI32([1, 1, 1, 1]);

/** Code for a vector of four copies of v. */
export const splat = (v: number): Code => v128.const([v, v, v, v]);

/** Code for p(v) = c0 + v·(c1 + v·(c2 + …)) on the lanes of local `v`. */
function horner(f: Fn, v: string, coefficients: number[]): Code {
  let code: Code = splat(coefficients[coefficients.length - 1]);
  for (let i = coefficients.length - 2; i >= 0; i--) code = [...code, ...f.get(v), ...v128.f32x4Mul, ...splat(coefficients[i]), ...v128.f32x4Add];
  return code;
}

/** Locals sigmoidLanes uses (tanhLanes: these and t). */
export const expLocals: Record<string, "v128"> = { y: "v128", n: "v128", r: "v128", e: "v128" };

/**
 * e = exp(y) for y in [-87, 88] (local "y"): e^y = 2^n·e^r with n = round(y/ln 2), |r| ≤ ln2/2, and
 * e^r by its Taylor series to r^6 (relative error below 2e-7). ln 2 is split in two (0.693359375 is
 * exact in float32) so that n·ln2 loses nothing.
 */
function expLanes(f: Fn): Code {
  return [
    ...f.set("n", f.get("y"), splat(Math.LOG2E), v128.f32x4Mul, v128.f32x4Nearest),
    ...f.set("r", f.get("y"), f.get("n"), splat(0.693359375), v128.f32x4Mul, v128.f32x4Sub, f.get("n"), splat(-2.12194440e-4), v128.f32x4Mul, v128.f32x4Sub),
    ...f.set("e", horner(f, "r", [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720])),
    // ·2^n: add n to the exponent bits.
    ...f.set("e", f.get("e"), f.get("n"), v128.i32x4TruncSatF32x4S, i32.const(23), v128.i32x4Shl, v128.i32x4Add),
  ];
}

// tanh(x) = sign(x)·m/(m + 2) with m = e^{2|x|} − 1, and m = 2^n·q + (2^n − 1) where q = e^r − 1
// (its Taylor series from r: relative error below 2e-7). Near 0 (n = 0) that is q itself, with no
// subtraction of nearly equal numbers, so small |x| keep their relative precision; for n ≥ 1 both
// terms are positive. |x| is capped at 10, where tanh rounds to 1 in float32.
export function tanhLanes(f: Fn, [x]: string[]): Code {
  return [
    ...f.set("y", f.get(x), v128.f32x4Abs, splat(10), v128.f32x4Min),
    ...f.set("y", f.get("y"), f.get("y"), v128.f32x4Add),
    ...f.set("n", f.get("y"), splat(Math.LOG2E), v128.f32x4Mul, v128.f32x4Nearest),
    ...f.set("r", f.get("y"), f.get("n"), splat(0.693359375), v128.f32x4Mul, v128.f32x4Sub, f.get("n"), splat(-2.12194440e-4), v128.f32x4Mul, v128.f32x4Sub),
    ...f.set("e", f.get("r"), horner(f, "r", [1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720]), v128.f32x4Mul), // q = e^r − 1
    // s = 2^n: n added to the exponent bits of 1.
    ...f.set("t", splat(1), f.get("n"), v128.i32x4TruncSatF32x4S, i32.const(23), v128.i32x4Shl, v128.i32x4Add),
    ...f.set("e", f.get("t"), f.get("e"), v128.f32x4Mul, f.get("t"), splat(1), v128.f32x4Sub, v128.f32x4Add), // m
    ...f.get("e"),
    ...f.get("e"),
    ...splat(2),
    ...v128.f32x4Add,
    ...v128.f32x4Div,
    // copy the sign of x
    ...f.get(x),
    ...v128.constI32([-0x80000000, -0x80000000, -0x80000000, -0x80000000]),
    ...v128.and,
    ...v128.or,
  ];
}

// sigmoid(x) = 1/(1 + e^{−x}), e^{−x} with −x clamped to [-87, 88].
export function sigmoidLanes(f: Fn, [x]: string[]): Code {
  return [
    ...f.set("y", f.get(x), v128.f32x4Neg, splat(88), v128.f32x4Min, splat(-87), v128.f32x4Max),
    ...expLanes(f),
    ...splat(1),
    ...splat(1),
    ...f.get("e"),
    ...v128.f32x4Add,
    ...v128.f32x4Div,
  ];
}

// exp(x·scale + shift), its argument clamped to [-87, 88] (exp(-87) ≈ 1.6e-38 stands for 0): the
// numerators of a softmax at a temperature, with scale = 1/T and shift = −max/T.
function expAffineLanes(f: Fn, [x, scale, shift]: string[]): Code {
  return [
    ...f.set("y", f.get(x), f.get(scale), v128.f32x4Mul, f.get(shift), v128.f32x4Add, splat(88), v128.f32x4Min, splat(-87), v128.f32x4Max),
    ...expLanes(f),
    ...f.get("e"),
  ];
}

// exp(x) over all of float32: +∞ above ln(FLT_MAX) ≈ 88.72, 0 below −86 (exp(−86) ≈ 4.5e-38, next to the
// smallest normal float). 2^n is applied as 2^(n−1)·2, so that n = 128 overflows to +∞ as it should.
function expLanesFull(f: Fn, [x]: string[]): Code {
  return [
    ...f.set("y", f.get(x), splat(89), v128.f32x4Min, splat(-86), v128.f32x4Max),
    ...f.set("n", f.get("y"), splat(Math.LOG2E), v128.f32x4Mul, v128.f32x4Nearest),
    ...f.set("r", f.get("y"), f.get("n"), splat(0.693359375), v128.f32x4Mul, v128.f32x4Sub, f.get("n"), splat(-2.12194440e-4), v128.f32x4Mul, v128.f32x4Sub),
    ...f.set("e", horner(f, "r", [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720])),
    ...f.set("e", f.get("e"), f.get("n"), splat(1), v128.f32x4Sub, v128.i32x4TruncSatF32x4S, i32.const(23), v128.i32x4Shl, v128.i32x4Add, splat(2), v128.f32x4Mul),
    ...splat(0),
    ...f.get("e"),
    ...f.get(x),
    ...splat(-86),
    ...v128.f32x4Lt,
    ...v128.bitselect,
  ];
}

/**
 * softmaxRows(x, out, stats, rows, cols): for each row of x, out = exp(x − max) / Σ exp(x − max) and
 * stats[row] = (max, Σ) as two float32s (a loss takes log Σ + max − x[target] from them). Sums in four
 * lanes then across them, in one order for a row wherever it is computed.
 */
function softmaxRows(): Fn {
  const f = new Fn("softmaxRows", ["x", "out", "stats", "rows", "cols"], {
    row: "i32", j: "i32", m: "v128", s: "v128", d: "v128", inv: "v128", mx: "f32", sm: "f32", ...expLocals,
  });
  const at = (p: string): Code => [...f.get(p), ...f.get("j"), ...i32.const(4), ...i32.mul, ...i32.add];
  const lanes = (v: string, op: Code): Code => [...f.get(v), ...v128.f32x4ExtractLane(0), ...f.get(v), ...v128.f32x4ExtractLane(1), ...op, ...f.get(v), ...v128.f32x4ExtractLane(2), ...op, ...f.get(v), ...v128.f32x4ExtractLane(3), ...op];
  f.body.push(
    f.forUp("row", i32.const(0), f.get("rows"), 1,
      // the row's max
      f.set("m", splat(-Infinity)),
      f.forUp("j", i32.const(0), f.get("cols"), 4, f.set("m", f.get("m"), at("x"), v128.load(0), v128.f32x4Max)),
      f.forUp("j", f.get("j"), f.get("cols"), 1, f.set("m", f.get("m"), at("x"), v128.load32Splat(0), v128.f32x4Max)),
      f.set("mx", lanes("m", f32.max)),
      f.set("m", f.get("mx"), v128.f32x4Splat),
      // exp(x − max) into out, and their sum (the last few one at a time, in lane 0)
      f.set("s", splat(0)),
      f.forUp("j", i32.const(0), f.get("cols"), 4,
        f.set("d", at("x"), v128.load(0), f.get("m"), v128.f32x4Sub),
        f.set("d", expLanesFull(f, ["d"])),
        [...at("out"), ...f.get("d"), ...v128.store(0)],
        f.set("s", f.get("s"), f.get("d"), v128.f32x4Add),
      ),
      f.set("sm", lanes("s", f32.add)),
      f.forUp("j", f.get("j"), f.get("cols"), 1,
        f.set("d", at("x"), v128.load32Splat(0), f.get("m"), v128.f32x4Sub),
        f.set("d", expLanesFull(f, ["d"])),
        [...at("out"), ...f.get("d"), ...v128.store32Lane(0)],
        f.set("sm", f.get("sm"), f.get("d"), v128.f32x4ExtractLane(0), f32.add),
      ),
      [...f.get("stats"), ...f.get("mx"), ...f32.store(0)],
      [...f.get("stats"), ...f.get("sm"), ...f32.store(4)],
      // divided by the sum
      f.set("inv", f32.const(1), f.get("sm"), f32.div, v128.f32x4Splat),
      f.forUp("j", i32.const(0), f.get("cols"), 4, [...at("out"), ...at("out"), ...v128.load(0), ...f.get("inv"), ...v128.f32x4Mul, ...v128.store(0)]),
      f.forUp("j", f.get("j"), f.get("cols"), 1, [...at("out"), ...at("out"), ...v128.load32Splat(0), ...f.get("inv"), ...v128.f32x4Mul, ...v128.store32Lane(0)]),
      f.inc("stats", 8),
      f.set("x", f.get("x"), f.get("cols"), i32.const(4), i32.mul, i32.add),
      f.set("out", f.get("out"), f.get("cols"), i32.const(4), i32.mul, i32.add),
    ),
  );
  return f;
}

/**
 * sumRows(x, out, rows, cols, stride): out[j] = Σ_i x[i, j], i ascending from 0 (the stock Sum's order), rows
 * `stride` bytes apart (a block of columns of a wider matrix sums on its own, in the same order). Columns go
 * 32 at a time (eight vector sums), so each row's step reads whole cache lines.
 */
function sumRows(): Fn {
  const vectors = [0, 1, 2, 3, 4, 5, 6, 7];
  const locals: Record<string, "i32" | "v128"> = { i: "i32", j: "i32", p: "i32" };
  for (const v of vectors) locals[`acc${v}`] = "v128";
  const f = new Fn("sumRows", ["x", "out", "rows", "cols", "stride"], locals);
  // `width` columns from j: `count` vector sums (width 1: one lane).
  const columns = (width: 32 | 4 | 1): Code[] => {
    const used = vectors.slice(0, width === 32 ? 8 : 1);
    const load = (v: number): Code => (width === 1 ? v128.load32Splat(0) : v128.load(16 * v));
    const outAt = (): Code => [...f.get("out"), ...f.get("j"), ...i32.const(4), ...i32.mul, ...i32.add];
    return [
      ...used.map((v) => f.set(`acc${v}`, v128.const([0, 0, 0, 0]))),
      f.set("p", f.get("x"), f.get("j"), i32.const(4), i32.mul, i32.add),
      f.forUp("i", i32.const(0), f.get("rows"), 1, ...used.map((v) => f.set(`acc${v}`, f.get(`acc${v}`), f.get("p"), load(v), v128.f32x4Add)), f.inc("p", "stride")),
      ...used.map((v) => [...outAt(), ...f.get(`acc${v}`), ...(width === 1 ? v128.store32Lane(0) : v128.store(16 * v))]),
    ];
  };
  f.body.push(
    f.forUp("j", i32.const(0), f.get("cols"), 32, ...columns(32)),
    f.forUp("j", f.get("j"), f.get("cols"), 4, ...columns(4)),
    f.forUp("j", f.get("j"), f.get("cols"), 1, ...columns(1)),
  );
  return f;
}

/** Every element-wise function, to assemble into the course's module. */
export function elementwiseFunctions(): Fn[] {
  const fns: Fn[] = [];
  for (const [op, code] of Object.entries(arithmeticOps)) {
    for (const [form, kinds] of binaryForms) fns.push(elementwise(`${op}_${form}`, kinds, "f32", (f, [a, b]) => [...f.get(a), ...f.get(b), ...code]));
  }
  for (const [op, code] of Object.entries(comparisonOps)) {
    for (const [form, kinds] of binaryForms) fns.push(elementwise(`${op}_${form}`, kinds, "u8", (f, [a, b]) => [...f.get(a), ...f.get(b), ...code, ...ones, ...v128.and]));
  }
  fns.push(
    elementwise("logicalAnd", ["u8", "u8"], "u8", (f, [a, b]) => [...f.get(a), ...f.get(b), ...v128.and]),
    elementwise("select", ["u8", "f32", "f32"], "f32", (f, [c, t, e]) => [...f.get(t), ...f.get(e), ...f.get(c), ...v128.constI32([0, 0, 0, 0]), ...v128.i32x4Ne, ...v128.bitselect]),
    elementwise("castBool", ["u8"], "f32", (f, [b]) => [...f.get(b), ...v128.f32x4ConvertI32x4U]),
    elementwise("castInt", ["f32"], "f32", (f, [x]) => [...f.get(x), ...v128.f32x4ConvertI32x4S]),
    elementwise("tanh", ["f32"], "f32", tanhLanes, { t: "v128", ...expLocals }),
    elementwise("sigmoid", ["f32"], "f32", sigmoidLanes, expLocals),
    elementwise("exp", ["f32"], "f32", expLanesFull, expLocals),
    elementwise("expAffine", ["f32", "f32Scalar", "f32Scalar"], "f32", expAffineLanes, expLocals),
    sumRows(),
    softmaxRows(),
  );
  return fns;
}
