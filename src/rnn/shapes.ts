// Shapes checked at the door, and the two array helpers the cells need besides src/np: taking a block of
// rows (numpy's dconcat[:n_a]) and reading an axis size by its name.
import { NDArray } from "../np/index";
import { formatShape } from "../np/shape";

/**
 * One argument to check: its name as the learner wrote it ("xt", "parameters.Waa"), its value, and the
 * name of the size of each axis ("n_x", "m"; "n_a+n_x" for a sum; "1" for a fixed size).
 */
export type ShapeSpec = [name: string, value: unknown, axes: string[]];

/**
 * Checks every argument against its axis names and returns the sizes they define, e.g. {n_x: 3, m: 10}.
 * The first argument that uses a name defines its size; a later one that disagrees raises an error naming
 * the function, the argument, its shape, the expected shape and where the expected sizes came from.
 */
export function checkShapes(fn: string, specs: ShapeSpec[]): Record<string, number> {
  const sizes: Record<string, number> = {};
  const source: Record<string, string> = {};
  for (const [name, value, axes] of specs) {
    if (value === undefined || value === null) throw new Error(`${fn}: ${name} is missing (expected an array of shape (${axes.join(", ")}))`);
    if (!(value instanceof NDArray)) throw new Error(`${fn}: ${name} must be an np array of shape (${axes.join(", ")}), got ${typeof value}`);
    // A size not known yet is whatever the argument has; an axis it lacks keeps its name.
    const expected = axes.map((axis, k) => sizeOf(axis, sizes) ?? value.shape[k] ?? axis);
    const agrees = value.ndim === axes.length && expected.every((n, k) => n === value.shape[k]);
    if (!agrees) {
      const known = [...new Set(axes.flatMap((axis) => axis.split("+")).filter((part) => part in source))];
      const why = known.map((part) => `${part} = ${sizes[part]} comes from ${source[part]}`).join("; ");
      throw new Error(
        `${fn}: ${name} has shape ${formatShape(value.shape)}, expected (${expected.join(", ")}) = (${axes.join(", ")})` +
          (why ? `; ${why}` : ""),
      );
    }
    axes.forEach((axis, k) => {
      if (/^[A-Za-z_]\w*$/.test(axis) && !(axis in sizes)) {
        sizes[axis] = value.shape[k];
        source[axis] = `${name}, of shape ${formatShape(value.shape)}`;
      }
    });
  }
  return sizes;
}

/** Returns the size an axis name stands for, or undefined while it is not known yet. */
function sizeOf(axis: string, sizes: Record<string, number>): number | undefined {
  if (/^\d+$/.test(axis)) return Number(axis);
  const parts = axis.split("+").map((part) => sizes[part]);
  return parts.some((n) => n === undefined) ? undefined : parts.reduce((a, b) => a + b, 0);
}

/** Returns rows start..end-1 of a 2-D array as a copy, shape (end - start, columns): numpy's a[start:end]. */
export function rows(a: NDArray, start: number, end: number): NDArray {
  if (a.ndim !== 2 || start < 0 || end > a.shape[0] || start > end) {
    throw new Error(`rows: cannot take rows ${start}..${end - 1} of an array of shape ${formatShape(a.shape)}`);
  }
  const columns = a.shape[1];
  return new NDArray(a.data.slice(start * columns, end * columns), [end - start, columns]);
}
