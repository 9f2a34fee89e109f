// Pictures of lesson 2's digits: one digit, a digit as a sequence of rows, a grid of digits.
import { digitRows } from "../data/mnist";
import type { MnistSet } from "../data/mnist";
import { Figure, heatmap } from "../plot/index";

/** Returns a heatmap of digit i: row 0 at the top, dark ink on white. */
export function digitFigure(set: MnistSet, i: number, title = `Digit ${i} of the set: a ${set.labels[i]}`): Figure {
  return inkOnPaper(heatmap(digitRows(set, i), { title, xTitle: "column", yTitle: "row t", colorscale: "Greys", zmin: 0, zmax: 1 }), 360);
}

/**
 * Returns digit i as the recurrent network reads it: a heatmap with time step t along x and, down each column,
 * the 28 pixels of row t, the input vector x⟨t⟩.
 */
export function sequenceFigure(set: MnistSet, i: number): Figure {
  const rows = digitRows(set, i);
  const columns = rows[0].map((_, c) => rows.map((row) => row[c])); // transposed: one column per time step
  const steps = rows.map((_, t) => t + 1);
  const figure = heatmap(columns, {
    title: `The same digit as a sequence: x⟨t⟩ is row t (28 pixels), read left to right`,
    xTitle: "time step t (row read)",
    yTitle: "pixel of the row (feature)",
    xLabels: steps,
    colorscale: "Greys",
    zmin: 0,
    zmax: 1,
  });
  return inkOnPaper(figure, 400);
}

/**
 * Returns a grid of digits as one heatmap, `columns` per line, each with its caption above it (e.g. "7 → 2"
 * for a 7 predicted as a 2).
 */
export function digitsFigure(set: MnistSet, indices: ArrayLike<number>, captions: string[], opts: { columns?: number; title?: string } = {}): Figure {
  if (captions.length !== indices.length) throw new Error(`digitsFigure: ${indices.length} digits but ${captions.length} captions.`);
  const columns = Math.max(1, Math.min(opts.columns ?? 8, indices.length || 1));
  const lines = Math.max(1, Math.ceil(indices.length / columns));
  const gapX = 12; // room between captions, so neighbours do not run together
  const gapY = 10; // room for the caption
  const cellW = set.cols + gapX;
  const cellH = set.rows + gapY;
  const z = Array.from({ length: lines * cellH }, () => new Array<number | null>(columns * cellW).fill(null));
  const annotations: Array<Record<string, unknown>> = [];
  for (let k = 0; k < indices.length; k++) {
    const top = Math.floor(k / columns) * cellH + gapY;
    const left = (k % columns) * cellW;
    digitRows(set, indices[k]).forEach((row, r) => row.forEach((p, c) => (z[top + r][left + c] = p)));
    annotations.push({ x: left + set.cols / 2, y: top - gapY / 2, text: captions[k], showarrow: false, font: { size: 10 } });
  }
  const figure = heatmap(z as number[][], { title: opts.title, colorscale: "Greys", zmin: 0, zmax: 1 });
  figure.data[0].showscale = false;
  figure.data[0].hoverinfo = "skip";
  const hidden = { showticklabels: false, showgrid: false, zeroline: false, ticks: "" };
  figure.layout = { ...figure.layout, annotations, xaxis: hidden, yaxis: { ...hidden, autorange: "reversed" } };
  // Square pixels at a scale that fits a notebook's ~760 px of width (at most 4.2 px per data unit, a digit 120 px
  // wide): the figure's width and height are both set from it, so no empty band is left above or below the grid.
  const scale = Math.min(4.2, 760 / (columns * cellW));
  figure.layout.width = Math.round(80 + columns * cellW * scale);
  figure.layout.margin = { l: 40, r: 40, t: opts.title ? 50 : 20, b: 20 };
  return inkOnPaper(figure, Math.round((opts.title ? 70 : 40) + lines * cellH * scale));
}

/** Draws ink dark on white (plotly's Greys runs from black to white), with square pixels and the given height. */
function inkOnPaper(figure: Figure, height: number): Figure {
  figure.data[0].reversescale = true;
  const layout = figure.layout ?? {};
  layout.xaxis = { ...(layout.xaxis as Record<string, unknown>), constrain: "domain" };
  layout.yaxis = { ...(layout.yaxis as Record<string, unknown>), scaleanchor: "x", constrain: "domain" };
  layout.height = height;
  figure.layout = layout;
  return figure;
}
