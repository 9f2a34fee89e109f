// The expectations an exercise's check cell makes: each compares one actual value with the expected one
// and returns a row of the ✓/✗ table, never throws for a wrong answer.

/** One row of a check's table. */
export interface Expectation {
  label: string;
  passed: boolean;
  expected: string;
  actual: string;
  /** Why it failed, in words a learner can act on. */
  message?: string;
}

type Nested = number | boolean | string | null | undefined | Nested[] | { [key: string]: Nested };

/** Turns arrays of the course's kinds (np arrays, tf tensors, typed arrays) into plain nested arrays. */
export function toPlain(value: unknown): Nested {
  if (value && typeof value === "object") {
    const v = value as { tolist?: () => unknown; arraySync?: () => unknown };
    if (typeof v.tolist === "function") return toPlain(v.tolist());
    if (typeof v.arraySync === "function") return toPlain(v.arraySync());
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
    if (Array.isArray(value)) return value.map(toPlain);
  }
  return value as Nested;
}

/** The shape of a nested array: [] for a scalar; the shape property when the value has one. */
export function shapeOf(value: unknown): number[] {
  const shape = (value as { shape?: unknown } | null)?.shape;
  if (Array.isArray(shape)) return shape.map(Number);
  const shapeList: number[] = [];
  let level: unknown = toPlain(value);
  while (Array.isArray(level)) {
    shapeList.push(level.length);
    level = level[0];
  }
  return shapeList;
}

/**
 * A short, readable rendering of a value: numbers to 6 significant digits, long arrays elided; an np array or a
 * tensor starts with its shape. A plain list is shown as a list (it may be ragged, or a list of shapes).
 */
export function preview(value: unknown, maxItems = 6): string {
  const plain = toPlain(value);
  const show = (v: Nested): string => {
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
    if (typeof v === "string") return JSON.stringify(v);
    if (Array.isArray(v)) {
      const items = v.slice(0, maxItems).map(show);
      if (v.length > maxItems) items.push(`… ${v.length - maxItems} more`);
      return `[${items.join(", ")}]`;
    }
    if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(", ")}}`;
    return String(v);
  };
  const shape = (value as { shape?: unknown } | null)?.shape;
  return Array.isArray(shape) && shape.length > 1 ? `shape (${shape.join(", ")}) ${show(plain)}` : show(plain);
}

function flatten(value: Nested): Nested[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

/**
 * Passes when actual and expected have the same shape and every entry agrees within
 * |actual − expected| ≤ tol · max(1, |expected|) (absolute near 0, relative for large values).
 */
export function expectClose(label: string, actual: unknown, expected: unknown, tol = 1e-7): Expectation {
  const row = { label, expected: preview(expected), actual: preview(actual) };
  const [actualShape, expectedShape] = [shapeOf(actual), shapeOf(expected)];
  if (actualShape.join() !== expectedShape.join()) {
    const message = `shape (${actualShape.join(", ")}) != expected shape (${expectedShape.join(", ")})`;
    return { ...row, passed: false, message };
  }
  const [a, e] = [flatten(toPlain(actual)), flatten(toPlain(expected))];
  for (let i = 0; i < e.length; i++) {
    const [ai, ei] = [a[i], e[i]];
    if (typeof ai !== "number" || typeof ei !== "number") {
      return { ...row, passed: false, message: `entry ${i} is ${typeof ai}, expected a number` };
    }
    const bad = Number.isNaN(ai) !== Number.isNaN(ei) || Math.abs(ai - ei) > tol * Math.max(1, Math.abs(ei));
    if (bad) {
      const where = e.length > 1 ? `entry ${i} (flat index)` : "value";
      return { ...row, passed: false, message: `${where} is ${ai}, expected ${ei} (tolerance ${tol})` };
    }
  }
  return { ...row, passed: true };
}

function deepEqual(a: Nested, b: Nested): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(b);
    return Object.keys(a).length === keys.length && keys.every((k) => deepEqual((a as any)[k], (b as any)[k]));
  }
  return Object.is(a, b);
}

/**
 * Returns where two values first differ, as a path ("[10]", "[2][0]", ".lr") with both values there, or a
 * difference of length; null when they are equal.
 */
export function firstDifference(a: Nested, b: Nested, at = ""): { at: string; actual: string; expected: string } | null {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    if (a.length === b.length) return null;
    return { at: at ? `${at} length` : "length", actual: String(a.length), expected: String(b.length) };
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
      const d = firstDifference((a as Record<string, Nested>)[key], (b as Record<string, Nested>)[key], `${at}.${key}`);
      if (d) return d;
    }
    return null;
  }
  if (typeof a === "string" && typeof b === "string" && a !== b) {
    // Two long texts: show where they part, not both whole.
    const chars = [Array.from(a), Array.from(b)];
    let i = 0;
    while (i < Math.min(chars[0].length, chars[1].length) && chars[0][i] === chars[1][i]) i++;
    const around = (c: string[]) => (i > 10 ? "…" : "") + JSON.stringify(c.slice(Math.max(0, i - 10), i + 20).join("")) + (c.length > i + 20 ? "…" : "");
    return { at: `${at ? `${at} ` : ""}character ${i}`, actual: around(chars[0]), expected: around(chars[1]) };
  }
  return deepEqual(a, b) ? null : { at: at || "value", actual: preview(a), expected: preview(b) };
}

/** Passes when actual equals expected exactly (deep equality for arrays and plain objects); a failure names the first difference. */
export function expectEqual(label: string, actual: unknown, expected: unknown): Expectation {
  const difference = firstDifference(toPlain(actual), toPlain(expected));
  const row = { label, passed: difference === null, expected: preview(expected), actual: preview(actual) };
  if (!difference) return row;
  const where = difference.at === "value" ? "" : `at ${difference.at.replace(/^\./, "")}: `;
  return { ...row, message: `${where}${difference.actual}, expected ${difference.expected}` };
}

/** Passes when the value's shape is `shape` (from its .shape, or the nesting of a plain array). */
export function expectShape(label: string, actual: unknown, shape: number[]): Expectation {
  const actualShape = shapeOf(actual);
  const passed = actualShape.join() === shape.join();
  const row = { label, passed, expected: `(${shape.join(", ")})`, actual: `(${actualShape.join(", ")})` };
  return passed ? row : { ...row, message: `shape (${actualShape.join(", ")}) != expected shape (${shape.join(", ")})` };
}

/** Passes when `condition` holds; `message` says what should have been true. */
export function expectTrue(label: string, condition: boolean, message = "condition is false"): Expectation {
  return { label, passed: condition, expected: "true", actual: String(condition), ...(condition ? {} : { message }) };
}

/** Passes when `fn` throws an error whose message contains `fragment`. */
export function expectThrows(label: string, fn: () => unknown, fragment: string): Expectation {
  const expected = `an error mentioning ${JSON.stringify(fragment)}`;
  try {
    fn();
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const passed = text.includes(fragment);
    return { label, passed, expected, actual: JSON.stringify(text), ...(passed ? {} : { message: "wrong error" }) };
  }
  return { label, passed: false, expected, actual: "no error", message: "it did not throw" };
}
