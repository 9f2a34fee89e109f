// numpy's repr of a float64 array (numpy 1.24 defaults: precision 8, line width 75, arrays
// over 1000 elements summarised with "..." and 3 items at each edge). Following numpy's
// arrayprint.py: all elements share one format, fixed-point unless the magnitudes call for
// scientific notation, and are padded so that the decimal points line up.

import { formatShape, sizeOf } from "./shape";

const PRECISION = 8;
const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PREFIX = "array(";

/** Returns numpy's repr of the array with these elements and shape, e.g. "array([1. , 2.5])". */
export function formatArray(data: Float64Array, shape: readonly number[]): string {
  if (data.length === 0) {
    return shape.length === 1 ? "array([], dtype=float64)" : `array([], shape=${formatShape(shape)}, dtype=float64)`;
  }
  const summarise = data.length > THRESHOLD;
  const strides = shape.map((_, ax) => sizeOf(shape.slice(ax + 1)));
  const shown = (axis: number): number[] => {
    const n = shape[axis];
    const all = Array.from({ length: n }, (_, i) => i);
    return summarise && n > 2 * EDGE_ITEMS ? [...all.slice(0, EDGE_ITEMS), ...all.slice(n - EDGE_ITEMS)] : all;
  };
  const shownValues: number[] = [];
  const collect = (axis: number, offset: number): void => {
    if (axis === shape.length) shownValues.push(data[offset]);
    else for (const i of shown(axis)) collect(axis + 1, offset + i * strides[axis]);
  };
  collect(0, 0);
  const format = floatFormatter(shownValues);

  // One axis per level, as numpy's _formatArray: the last axis wraps its elements into lines,
  // the others put each sub-array on its own line(s), with a blank line per extra axis.
  // `indent` starts the continuation lines; `width` leaves room for the closing brackets.
  const recurse = (axis: number, offset: number, indent: string, width: number): string => {
    if (axis === shape.length) return format(data[offset]);
    const n = shape[axis];
    const summary = summarise && n > 2 * EDGE_ITEMS;
    const parts = shown(axis).map((i) => recurse(axis + 1, offset + i * strides[axis], indent + " ", width - 1));
    if (summary) parts.splice(EDGE_ITEMS, 0, "...");
    let s = "";
    if (axis === shape.length - 1) {
      const elemWidth = width - 1; // room for the "," or "]" after each element
      let line = indent;
      parts.forEach((word, k) => {
        const last = k === parts.length - 1;
        // Wrap before a word that would pass the width, unless wrapping would not help.
        if (line.length + word.length > elemWidth && line.length > indent.length) {
          s += line.trimEnd() + "\n";
          line = indent;
        }
        line += word + (last ? "" : ", ");
      });
      s += line;
    } else {
      const separator = "," + "\n".repeat(shape.length - axis - 1);
      s = parts.map((part) => indent + part).join(separator);
    }
    return "[" + s.slice(indent.length) + "]";
  };
  return PREFIX + recurse(0, 0, " ".repeat(PREFIX.length + 1), LINE_WIDTH - ")".length) + ")";
}

/** Returns a function that prints each number in the one format numpy picks for all of `values`. */
function floatFormatter(values: number[]): (x: number) => string {
  const finite = values.filter(Number.isFinite);
  const magnitudes = finite.filter((x) => x !== 0).map(Math.abs);
  const max = Math.max(...magnitudes);
  const min = Math.min(...magnitudes);
  const scientific = magnitudes.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1000);

  const shortest = scientific ? shortestScientific : shortestPositional;
  // [integer part with sign, fraction digits, signed exponent] of each finite value
  const pieces = finite.map((x) => splitNumber(shortest(x)));
  const fractionWidth = Math.max(0, ...pieces.map((p) => p[1].length));
  const exponentDigits = scientific ? Math.max(2, ...pieces.map((p) => p[2].length - 1)) : 0;
  const rightWidth = scientific ? fractionWidth + 2 + exponentDigits : fractionWidth;
  let leftWidth = Math.max(0, ...pieces.map((p) => p[0].length));
  if (finite.length < values.length) {
    // Room for "nan", "inf" or "-inf" in the same column width.
    const longest = values.includes(-Infinity) ? 4 : 3;
    leftWidth = Math.max(leftWidth, longest - (rightWidth + 1));
  }

  return (x: number): string => {
    if (!Number.isFinite(x)) {
      const word = Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
      return word.padStart(leftWidth + rightWidth + 1);
    }
    const [int, fraction, exponent] = splitNumber(shortest(x));
    if (scientific) {
      const digits = exponent.slice(1).padStart(exponentDigits, "0");
      return `${int.padStart(leftWidth)}.${fraction.padEnd(fractionWidth, "0")}e${exponent[0]}${digits}`;
    }
    return `${int.padStart(leftWidth)}.${fraction.padEnd(fractionWidth)}`;
  };
}

/** Returns [integer part, fraction digits, signed exponent] of "-1.25e+3" or "-1.25". */
function splitNumber(text: string): [string, string, string] {
  const [mantissa, exponent = ""] = text.split("e");
  const [int, fraction = ""] = mantissa.split(".");
  return [int, fraction, exponent];
}

/** Returns the shortest digits that identify x, cut to at most 8 decimals: "0.12345679", "-0". */
function shortestPositional(x: number): string {
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const text = String(Math.abs(x)); // never exponential here: fixed-point is used for 1e-4 <= |x| < 1e8
  if ((text.split(".")[1] ?? "").length <= PRECISION) return sign + text;
  // Exact: a double >= 1e-4 has at most 66 binary, so 66 decimal, digits after the point.
  const [int, fraction] = Math.abs(x).toFixed(100).split(".");
  const digits = roundHalfEven(int + fraction, int.length + PRECISION);
  const cut = digits.length - PRECISION;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`.replace(/0+$/, "");
}

/** Returns the shortest mantissa that identifies x, cut to at most 8 decimals: "1.5e+10". */
function shortestScientific(x: number): string {
  const text = x.toExponential();
  if (splitNumber(text)[1].length <= PRECISION) return text;
  const [mantissa, exponent] = Math.abs(x).toExponential(100).split("e");
  let digits = roundHalfEven(mantissa.replace(".", ""), 1 + PRECISION);
  let power = Number(exponent);
  if (digits.length > 1 + PRECISION) {
    digits = digits.slice(0, -1); // 9.999999999 rounded up to 10.00000000
    power += 1;
  }
  const sign = x < 0 ? "-" : "";
  return `${sign}${digits[0]}.${digits.slice(1)}`.replace(/\.?0+$/, "") + `e${power < 0 ? "-" : "+"}${Math.abs(power)}`;
}

/**
 * Returns the decimal digits `digits` rounded to their first `keep` digits, a tie going to the even
 * digit as in numpy's Dragon4 (0.001953125 prints as 0.00195312). Rounding up may add a digit.
 */
function roundHalfEven(digits: string, keep: number): string {
  const head = BigInt(digits.slice(0, keep));
  const rest = digits.slice(keep);
  const tie = /^50*$/.test(rest);
  const up = tie ? head % 2n === 1n : rest > "5";
  return (up ? head + 1n : head).toString().padStart(keep, "0");
}
