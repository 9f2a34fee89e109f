// The natural logarithm, correctly rounded (the double nearest to the true value).
// numpy's randn calls the C library's log; JavaScript's Math.log is a different approximation
// that differs from glibc's in the last bit for about 7% of inputs, while glibc's log is
// correctly rounded for all but about 0.1% of them. So randn uses this function.
//
// Method: x = m·2^k with m in [√½, √2]; log(x) = k·ln 2 + 2·atanh(s), s = (m - 1)/(m + 1),
// atanh(s) = s + s³/3 + s⁵/5 + ... with |s| <= 0.172. Everything is carried in double-double
// arithmetic (a value as an unevaluated sum hi + lo of two doubles, about 106 bits), so that
// the final rounding to one double is right except when the true value lies within about
// 2^-100 (relative) of a rounding boundary.

/** A double-double: the number hi + lo, with |lo| <= half an ulp of hi. */
type DD = [hi: number, lo: number];

/** Returns a + b exactly as a double-double (Knuth's two-sum). */
function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

// Veltkamp's constant 2^27 + 1: splits a double into two halves of 26 bits whose products are exact.
const SPLITTER = 134217729;

/** Returns a * b exactly as a double-double (Dekker's two-product). */
function twoProduct(a: number, b: number): DD {
  const p = a * b;
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/** Returns the double-double sum x + y. */
function ddAdd(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  return twoSum(s, e + x[1] + y[1]);
}

/** Returns the double-double product x * y. */
function ddMultiply(x: DD, y: DD): DD {
  const [p, e] = twoProduct(x[0], y[0]);
  return twoSum(p, e + x[0] * y[1] + x[1] * y[0]);
}

/** Returns the double-double quotient x / d for a double d. */
function ddDivide(x: DD, d: number): DD {
  const q = x[0] / d;
  const [p, e] = twoProduct(q, d); // q·d exactly; x - q·d is the remainder
  return twoSum(q, (x[0] - p - e + x[1]) / d);
}

/** Returns 2·atanh(num / den) = log((den + num) / (den - num)) as a double-double, for |num / den| <= 0.35. */
function twiceAtanh(num: number, den: DD): DD {
  // s = num / den, with den = dh + dl.
  const sh = num / den[0];
  const [p, e] = twoProduct(sh, den[0]);
  const s: DD = twoSum(sh, (num - p - e - sh * den[1]) / den[0]);
  const s2 = ddMultiply(s, s);
  let power = s; // s^(2j+1)
  let total = s;
  for (let j = 1; ; j++) {
    power = ddMultiply(power, s2);
    const term = ddDivide(power, 2 * j + 1);
    total = ddAdd(total, term);
    if (Math.abs(term[0]) <= Math.abs(total[0]) * 2 ** -110) break;
  }
  return [2 * total[0], 2 * total[1]];
}

// ln 2 = 2·atanh(1/3), to double-double precision.
const LN2 = twiceAtanh(1, [3, 0]);

const bits = new DataView(new ArrayBuffer(8));

/** Returns the double nearest to the natural logarithm of x (NaN for x < 0, -Infinity for 0). */
export function correctlyRoundedLog(x: number): number {
  if (!(x > 0) || x === Infinity) return x === 0 ? -Infinity : x === Infinity ? x : NaN;
  // Split x = m·2^k, reading the exponent bits (subnormals are scaled up by 2^54 first).
  let k = 0;
  if (x < 2 ** -1022) {
    x *= 2 ** 54;
    k = -54;
  }
  bits.setFloat64(0, x);
  k += ((bits.getUint32(0) >>> 20) & 0x7ff) - 1023;
  bits.setUint32(0, (bits.getUint32(0) & 0x800fffff) | (1023 << 20)); // exponent 0: m in [1, 2)
  let m = bits.getFloat64(0);
  if (m > Math.SQRT2) {
    m /= 2;
    k += 1;
  }
  // m - 1 is exact for m in [1/2, 2]; m + 1 is carried exactly as a double-double.
  const logM = twiceAtanh(m - 1, twoSum(m, 1));
  const kLn2 = ddAdd(twoProduct(k, LN2[0]), [k * LN2[1], 0]);
  return ddAdd(kLn2, logM)[0]; // the high part is the double nearest to hi + lo
}
