// Settings given by a caller over a function's defaults, and the range each setting may take, written once for
// every recipe and training loop: the notebook's trainRecipe and the terminal's flags check the same ranges.

/** Returns `defaults` with every setting of `given` that is not undefined put over it (undefined never hides a default). */
export function withDefaults<D extends object, G extends object>(defaults: D, given: G): D & G {
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...defaults, ...set } as D & G;
}

/**
 * What values a setting takes: a number (whole or not) within bounds, one word of a list, true or false, or a list
 * of numbers (LSTM sizes) each within the bounds. A setting left undefined is always allowed (its default applies).
 */
export interface Range {
  whole?: boolean;
  /** value ≥ min, value > above, value ≤ max, value < below. */
  min?: number;
  above?: number;
  max?: number;
  below?: number;
  oneOf?: readonly string[];
  boolean?: boolean;
  /** A list of numbers, each one within the bounds above (e.g. units: [256, 256]). */
  list?: boolean;
}

/** The range of each setting of a recipe, written next to its defaults. */
export type Ranges<S> = { [K in keyof S]?: Range };

/** The ranges used most, by name. */
export const wholeFrom = (min: number): Range => ({ whole: true, min });
export const positive: Range = { above: 0 };
export const fraction: Range = { min: 0, below: 1 };

/** Returns what a range allows, as words: "a whole number ≥ 1", "a number ≥ 0 and < 1", "one of lstm, gru". */
export function describeRange(r: Range): string {
  if (r.oneOf) return `one of ${r.oneOf.join(", ")}`;
  if (r.boolean) return "true or false";
  const bounds = [
    r.min !== undefined ? `≥ ${r.min}` : "", r.above !== undefined ? `> ${r.above}` : "",
    r.max !== undefined ? `≤ ${r.max}` : "", r.below !== undefined ? `< ${r.below}` : "",
  ].filter(Boolean).join(" and ");
  const kind = r.list ? `${r.whole ? "whole numbers" : "numbers"} separated by commas, each` : r.whole ? "a whole number" : "a number";
  return bounds ? `${kind} ${bounds}` : kind;
}

/** Returns whether `value` (not undefined) is in range `r`. */
function inRange(value: unknown, r: Range): boolean {
  if (r.oneOf) return typeof value === "string" && r.oneOf.includes(value);
  if (r.boolean) return typeof value === "boolean";
  if (r.list) return Array.isArray(value) && value.length > 0 && value.every((v) => inRange(v, { ...r, list: false }));
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  return !(r.whole && !Number.isInteger(value)) && !(r.min !== undefined && !(value >= r.min)) && !(r.above !== undefined && !(value > r.above)) &&
    !(r.max !== undefined && !(value <= r.max)) && !(r.below !== undefined && !(value < r.below));
}

/**
 * Returns the sentence that refuses the first setting out of its range (`nameOf` says how to call it: "--batch-size"
 * in a terminal, "trainRecipe: batchSize" in a notebook), or undefined when every setting is in range.
 */
export function rangeProblem(settings: object, ranges: Ranges<Record<string, unknown>>, nameOf: (setting: string) => string): string | undefined {
  for (const [name, range] of Object.entries(ranges)) {
    const value = (settings as Record<string, unknown>)[name];
    if (value === undefined || range === undefined || inRange(value, range)) continue;
    const got = Array.isArray(value) ? value.join(",") : typeof value === "string" ? `"${value}"` : String(value);
    return `${nameOf(name)} must be ${describeRange(range)}, got ${got}.`;
  }
  return undefined;
}

/** Throws rangeProblem's sentence for a function's settings ("trainRecipe: lr must be a number > 0, got 0."). */
export function checkRanges(caller: string, settings: object, ranges: Ranges<Record<string, unknown>>): void {
  const problem = rangeProblem(settings, ranges, (name) => `${caller}: ${name}`);
  if (problem !== undefined) throw new Error(problem);
}
