// Adam's update of one variable as one SIMD function: what tf.train.adam does in fourteen kernel calls per
// variable (each a pass over memory, and on several threads a wait), in one pass. The same float32 operations
// in the same order as tfjs's AdamOptimizer, so the results are bit-identical:
//   m ← m·β1 + g·(1 − β1);  v ← v·β2 + (g·g)·(1 − β2)
//   w ← (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε) · (−lr) + w
import { Fn, i32, v128 } from "../../wasm/assembler";
import type { Code } from "../../wasm/assembler";

/** The scalars adamUpdate reads, in this order, as float32 from one block of memory. */
const adamScalars = ["beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "epsilon", "negLr", "oneMinusAccBeta1", "oneMinusAccBeta2"] as const;

/**
 * adamUpdate(g, m, v, w, mOut, vOut, wOut, count, scalars): the new m, v and w of `count` float32 elements
 * (pointers given as byte offsets; the outputs may not overlap the inputs).
 */
export function adamFunctions(): Fn[] {
  const pointers = ["g", "m", "v", "w", "mOut", "vOut", "wOut"];
  const lanes = ["gv", "mv", "vv", "wv", "mNew", "vNew"];
  const locals: Record<string, "i32" | "v128"> = { o: "i32", bytes: "i32" };
  for (const name of [...adamScalars, ...lanes]) locals[name] = "v128";
  const f = new Fn("adamUpdate", [...pointers, "count", "scalars"], locals);
  const at = (p: string): Code => [...f.get(p), ...f.get("o"), ...i32.add];
  // One vector of four elements, or (width 1) the last elements one at a time in lane 0.
  const update = (width: 4 | 1): Code[] => {
    const load = (p: string): Code => [...at(p), ...(width === 4 ? v128.load(0) : v128.load32Zero(0))];
    const store = (p: string, value: string): Code => [...at(p), ...f.get(value), ...(width === 4 ? v128.store(0) : v128.store32Lane(0))];
    const get = (...names: string[]): Code => names.flatMap((n) => f.get(n));
    return [
      f.set("gv", load("g")),
      f.set("mv", load("m")),
      f.set("vv", load("v")),
      f.set("wv", load("w")),
      f.set("mNew", get("mv", "beta1"), v128.f32x4Mul, get("gv", "oneMinusBeta1"), v128.f32x4Mul, v128.f32x4Add),
      f.set("vNew", get("vv", "beta2"), v128.f32x4Mul, get("gv", "gv"), v128.f32x4Mul, f.get("oneMinusBeta2"), v128.f32x4Mul, v128.f32x4Add),
      store("mOut", "mNew"),
      store("vOut", "vNew"),
      [
        ...at("wOut"),
        ...get("mNew", "oneMinusAccBeta1"), ...v128.f32x4Div,
        ...get("vNew", "oneMinusAccBeta2"), ...v128.f32x4Div, ...v128.f32x4Sqrt, ...f.get("epsilon"), ...v128.f32x4Add,
        ...v128.f32x4Div, ...f.get("negLr"), ...v128.f32x4Mul, ...f.get("wv"), ...v128.f32x4Add,
        ...(width === 4 ? v128.store(0) : v128.store32Lane(0)),
      ],
    ];
  };
  f.body.push(
    ...adamScalars.map((name, i) => f.set(name, f.get("scalars"), v128.load32Splat(4 * i))),
    f.set("bytes", f.get("count"), i32.const(4), i32.mul),
    f.forUp("o", i32.const(0), f.get("bytes"), 16, ...update(4)),
    f.forUp("o", f.get("o"), f.get("bytes"), 4, ...update(1)),
  );
  return [f];
}
