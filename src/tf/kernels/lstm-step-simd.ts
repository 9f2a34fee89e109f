// One LSTM step after its matrix products, forward and backward, as two SIMD functions: what tf.layers'
// LSTMCell does in about twenty kernel calls per timestep (split, the gate activations, five products
// and sums) and its gradient in about forty, done in one pass over the gates. Gates are in Keras's
// order i, f, g, o along the last axis of z = x·W + h·U + b (each `units` wide):
//   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o);  c = f·c_prev + i·g;  h = o·tanh(c)
// with σ the layer's recurrent activation: the logistic sigmoid, or tfjs's hard sigmoid
// clip(0.2·z + 0.5, 0, 1). Four units per step, so `units` must be a multiple of 4.
import { Fn, i32, v128 } from "../../wasm/assembler";
import type { Code } from "../../wasm/assembler";
import { expLocals, sigmoidLanes, splat, tanhLanes } from "./simd-elementwise";

/** The recurrent activations the fused step computes. */
export const stepActivations = ["sigmoid", "hardSigmoid"] as const;
export type StepActivation = (typeof stepActivations)[number];

// σ(z) on the lanes of local z.
function gate(f: Fn, kind: StepActivation, z: string): Code {
  if (kind === "sigmoid") return sigmoidLanes(f, [z]);
  return [...f.get(z), ...splat(0.2), ...v128.f32x4Mul, ...splat(0.5), ...v128.f32x4Add, ...splat(0), ...v128.f32x4Max, ...splat(1), ...v128.f32x4Min];
}

// σ'(z) from the gate's value (sigmoid: σ·(1 − σ)) or from z (hard sigmoid: 0.2 where 0 ≤ 0.2·z + 0.5 ≤ 1,
// the bounds included as tfjs's clipByValue gradient does, else 0).
function gateSlope(f: Fn, kind: StepActivation, value: string, z: string): Code {
  if (kind === "sigmoid") return [...f.get(value), ...splat(1), ...f.get(value), ...v128.f32x4Sub, ...v128.f32x4Mul];
  return [
    ...f.set("y", f.get(z), splat(0.2), v128.f32x4Mul, splat(0.5), v128.f32x4Add),
    ...splat(0.2),
    ...f.get("y"),
    ...splat(0),
    ...v128.f32x4Ge,
    ...f.get("y"),
    ...splat(1),
    ...v128.f32x4Le,
    ...v128.and,
    ...v128.and,
  ];
}

const vectorLocals = (names: string[]): Record<string, "v128"> => Object.fromEntries(names.map((n) => [n, "v128" as const]));

/**
 * lstmStep_<kind>(z, cPrev, h, c, gates, rows, units): for each of `rows` rows, from z (rows×4·units) and
 * cPrev (rows×units), writes the activated gates (rows×4·units, order i f g o), c and h (rows×units).
 */
function forward(kind: StepActivation): Fn {
  const f = new Fn(`lstmStep_${kind}`, ["z", "cPrev", "h", "c", "gates", "rows", "units"], {
    row: "i32", j: "i32", hb: "i32",
    ...vectorLocals(["zi", "zf", "zg", "zo", "gi", "gf", "gg", "go", "cv", "t"]), ...expLocals,
  });
  // Address of gate k of the current four units in a 4·units row (pointer p at gate 0).
  const at = (p: string, k: number): Code => (k === 0 ? f.get(p) : [...f.get(p), ...f.get("hb"), ...i32.const(k), ...i32.mul, ...i32.add]);
  const step: Code[] = [
    f.set("zi", at("z", 0), v128.load(0)),
    f.set("zf", at("z", 1), v128.load(0)),
    f.set("zg", at("z", 2), v128.load(0)),
    f.set("zo", at("z", 3), v128.load(0)),
    f.set("gi", gate(f, kind, "zi")),
    f.set("gf", gate(f, kind, "zf")),
    f.set("gg", tanhLanes(f, ["zg"])),
    f.set("go", gate(f, kind, "zo")),
    [...at("gates", 0), ...f.get("gi"), ...v128.store(0)],
    [...at("gates", 1), ...f.get("gf"), ...v128.store(0)],
    [...at("gates", 2), ...f.get("gg"), ...v128.store(0)],
    [...at("gates", 3), ...f.get("go"), ...v128.store(0)],
    // c = f·c_prev + i·g
    f.set("cv", f.get("gf"), f.get("cPrev"), v128.load(0), v128.f32x4Mul, f.get("gi"), f.get("gg"), v128.f32x4Mul, v128.f32x4Add),
    [...f.get("c"), ...f.get("cv"), ...v128.store(0)],
    // h = o·tanh(c)
    [...f.get("h"), ...f.get("go"), ...tanhLanes(f, ["cv"]), ...v128.f32x4Mul, ...v128.store(0)],
    ...["z", "gates", "cPrev", "c", "h"].map((p) => f.inc(p, 16)),
  ];
  f.body.push(
    f.set("hb", f.get("units"), i32.const(4), i32.mul),
    f.forUp("row", i32.const(0), f.get("rows"), 1,
      f.forUp("j", i32.const(0), f.get("units"), 4, ...step),
      // z and gates rows are 4·units wide: skip the other three gates
      ...["z", "gates"].map((p) => f.set(p, f.get(p), f.get("hb"), i32.const(3), i32.mul, i32.add)),
    ),
  );
  return f;
}

/**
 * lstmStepGrad_<kind>(dh, dc, z, gates, cPrev, c, dz, dcPrev, rows, units): from the gradients of h and c
 * (rows×units each) and what the forward step kept (z, gates, cPrev, c), writes the gradient of z
 * (rows×4·units) and of c_prev (rows×units):
 *   dc' = dc + dh·o·(1 − tanh²c);  dz_o = dh·tanh(c)·σ'(z_o);  dz_i = dc'·g·σ'(z_i);  dz_f = dc'·c_prev·σ'(z_f);
 *   dz_g = dc'·i·(1 − g²);  dc_prev = dc'·f
 */
function backward(kind: StepActivation): Fn {
  const f = new Fn(`lstmStepGrad_${kind}`, ["dh", "dc", "z", "gates", "cPrev", "c", "dz", "dcPrev", "rows", "units"], {
    row: "i32", j: "i32", hb: "i32",
    ...vectorLocals(["zi", "zf", "zo", "gi", "gf", "gg", "go", "cv", "tc", "dhv", "dct", "t"]), ...expLocals,
  });
  const at = (p: string, k: number): Code => (k === 0 ? f.get(p) : [...f.get(p), ...f.get("hb"), ...i32.const(k), ...i32.mul, ...i32.add]);
  const store = (p: string, k: number, value: Code): Code => [...at(p, k), ...value, ...v128.store(0)];
  const step: Code[] = [
    f.set("gi", at("gates", 0), v128.load(0)),
    f.set("gf", at("gates", 1), v128.load(0)),
    f.set("gg", at("gates", 2), v128.load(0)),
    f.set("go", at("gates", 3), v128.load(0)),
    ...(kind === "hardSigmoid" ? [f.set("zi", at("z", 0), v128.load(0)), f.set("zf", at("z", 1), v128.load(0)), f.set("zo", at("z", 3), v128.load(0))] : []),
    f.set("cv", f.get("c"), v128.load(0)),
    f.set("tc", tanhLanes(f, ["cv"])),
    f.set("dhv", f.get("dh"), v128.load(0)),
    // dc' = dc + dh·o·(1 − tanh²c)
    f.set("dct", f.get("dc"), v128.load(0), f.get("dhv"), f.get("go"), v128.f32x4Mul, splat(1), f.get("tc"), f.get("tc"), v128.f32x4Mul, v128.f32x4Sub, v128.f32x4Mul, v128.f32x4Add),
    store("dz", 0, [...f.get("dct"), ...f.get("gg"), ...v128.f32x4Mul, ...gateSlope(f, kind, "gi", "zi"), ...v128.f32x4Mul]),
    store("dz", 1, [...f.get("dct"), ...f.get("cPrev"), ...v128.load(0), ...v128.f32x4Mul, ...gateSlope(f, kind, "gf", "zf"), ...v128.f32x4Mul]),
    store("dz", 2, [...f.get("dct"), ...f.get("gi"), ...v128.f32x4Mul, ...splat(1), ...f.get("gg"), ...f.get("gg"), ...v128.f32x4Mul, ...v128.f32x4Sub, ...v128.f32x4Mul]),
    store("dz", 3, [...f.get("dhv"), ...f.get("tc"), ...v128.f32x4Mul, ...gateSlope(f, kind, "go", "zo"), ...v128.f32x4Mul]),
    [...f.get("dcPrev"), ...f.get("dct"), ...f.get("gf"), ...v128.f32x4Mul, ...v128.store(0)],
    ...["z", "gates", "dz", "dh", "dc", "cPrev", "c", "dcPrev"].map((p) => f.inc(p, 16)),
  ];
  f.body.push(
    f.set("hb", f.get("units"), i32.const(4), i32.mul),
    f.forUp("row", i32.const(0), f.get("rows"), 1,
      f.forUp("j", i32.const(0), f.get("units"), 4, ...step),
      ...["z", "gates", "dz"].map((p) => f.set(p, f.get(p), f.get("hb"), i32.const(3), i32.mul, i32.add)),
    ),
  );
  return f;
}

/** The fused step's functions, forward and backward for each recurrent activation, to assemble into the course's module. */
export function lstmStepFunctions(): Fn[] {
  return stepActivations.flatMap((kind) => [forward(kind), backward(kind)]);
}
