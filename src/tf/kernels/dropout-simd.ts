// Dropout's mask from a counter, not from a stream: element i of a call keeps its value when
//   bits(i) = fmix32(fmix32(i + a) ^ b)  ≥  threshold = round(rate · 2³²)   (unsigned 32-bit)
// where a and b are the call's keys (dropout.ts: from the layer's seed and how many times it has dropped)
// and fmix32 is MurmurHash3's finaliser, whose every output bit depends on every input bit. Each element's
// bit depends on its index alone, so the work splits across threads with the same mask on any count, and the
// gradient draws the same mask again instead of keeping it. Kept values are scaled as tfjs's dropout does:
//   y = x · m,  m = 1/(1 − rate) in float32 where kept, 0 where dropped.
import { Fn, i32, v128 } from "../../wasm/assembler";
import type { Code } from "../../wasm/assembler";

/** MurmurHash3's 32-bit finaliser (the same steps as fmix below, in JavaScript). */
export function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * dropout(x, y, count, first, a, b, threshold, scale): y = x · m for `count` float32 elements whose indices
 * start at `first` (pointers as byte offsets; `scale` is 1/(1 − rate)'s float32 bits; y may be x).
 */
export function dropoutFunctions(): Fn[] {
  const f = new Fn("dropout", ["x", "y", "count", "first", "a", "b", "threshold", "scale"], {
    o: "i32", bytes: "i32", index: "v128", h: "v128", av: "v128", bv: "v128", tv: "v128", sv: "v128",
  });
  const splat = (p: string): Code => [...f.get(p), ...v128.i32x4Splat];
  // h ^= h >>> shift
  const xorShift = (shift: number): Code => f.set("h", f.get("h"), f.get("h"), i32.const(shift), v128.i32x4ShrU, v128.xor);
  const times = (k: number): Code => f.set("h", f.get("h"), v128.constI32([k, k, k, k]), v128.i32x4Mul);
  const fmix: Code[] = [xorShift(16), times(0x85ebca6b), xorShift(13), times(0xc2b2ae35), xorShift(16)];
  const at = (p: string): Code => [...f.get(p), ...f.get("o"), ...i32.add];
  // Four elements at once, or (width 1) the last ones one at a time in lane 0.
  const drop = (width: 4 | 1): Code[] => [
    f.set("h", f.get("index"), f.get("av"), v128.i32x4Add),
    ...fmix,
    f.set("h", f.get("h"), f.get("bv"), v128.xor),
    ...fmix,
    [
      ...at("y"),
      ...at("x"), ...(width === 4 ? v128.load(0) : v128.load32Zero(0)),
      // m: the scale's bits where h ≥ threshold, zero elsewhere
      ...f.get("sv"), ...f.get("h"), ...f.get("tv"), ...v128.i32x4GeU, ...v128.and,
      ...v128.f32x4Mul,
      ...(width === 4 ? v128.store(0) : v128.store32Lane(0)),
    ],
    f.set("index", f.get("index"), v128.constI32([width, width, width, width]), v128.i32x4Add),
  ];
  f.body.push(
    f.set("av", splat("a")),
    f.set("bv", splat("b")),
    f.set("tv", splat("threshold")),
    f.set("sv", splat("scale")),
    f.set("index", splat("first"), v128.constI32([0, 1, 2, 3]), v128.i32x4Add),
    f.set("bytes", f.get("count"), i32.const(4), i32.mul),
    f.forUp("o", i32.const(0), f.get("bytes"), 16, ...drop(4)),
    f.forUp("o", f.get("o"), f.get("bytes"), 4, ...drop(1)),
  );
  return [f];
}
