// Figure builders: data in, plotly.js traces and layout out. Pure functions, no display.

/** A plotly.js figure: traces and layout, as plotly.js takes them. */
export interface Figure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
}

/** One line of a line chart: its legend name and its points (x[i], y[i]). */
export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Titles of a chart and its axes. */
export interface ChartTitles {
  title?: string;
  xTitle?: string;
  yTitle?: string;
}

/** Options of lineChart: titles, and a logarithmic y axis (for losses that span decades). */
export interface LineChartOptions extends ChartTitles {
  logY?: boolean;
}

/** Options of heatmap: titles, labels of the columns (x) and rows (y), and the colour scale and its range. */
export interface HeatmapOptions extends ChartTitles {
  xLabels?: Array<string | number>;
  yLabels?: Array<string | number>;
  /** A plotly colour scale name such as "Viridis" (the default) or "RdBu". */
  colorscale?: string;
  zmin?: number;
  zmax?: number;
}

/** The height in pixels of a figure whose layout sets none; the output's <div> gets the same height. */
export const defaultHeight = 420;

// plotly.js 3 takes titles only as {text}, never as a bare string; absent titles stay absent.
function axis(title: string | undefined): Record<string, unknown> {
  return title === undefined ? {} : { title: { text: title } };
}

function titledLayout(opts: ChartTitles): Record<string, unknown> {
  const layout: Record<string, unknown> = { xaxis: axis(opts.xTitle), yaxis: axis(opts.yTitle), height: defaultHeight };
  if (opts.title !== undefined) layout.title = { text: opts.title };
  return layout;
}

/** Returns the plotly trace of one line: a scatter trace in "lines" mode, points copied into plain arrays. */
export function lineTrace(series: LineSeries): Record<string, unknown> {
  if (series === null || typeof series !== "object" || typeof series.name !== "string") {
    throw new Error('A line series is an object {name: string, x: number[], y: number[]}, e.g. {name: "train", x: steps, y: losses}.');
  }
  if (series.x === undefined || series.y === undefined || series.x.length !== series.y.length) {
    const nx = series.x === undefined ? "no" : String(series.x.length);
    const ny = series.y === undefined ? "no" : String(series.y.length);
    throw new Error(`Series "${series.name}" has ${nx} x values but ${ny} y values: give one x for each y.`);
  }
  // Typed arrays would serialise to JSON as objects ({"0":...}), which plotly cannot draw.
  return { type: "scatter", mode: "lines", name: series.name, x: Array.from(series.x), y: Array.from(series.y) };
}

/** Returns a figure with one line per series, e.g. training and validation loss against the step. */
export function lineChart(series: LineSeries[], opts: LineChartOptions = {}): Figure {
  if (!Array.isArray(series)) {
    throw new Error("lineChart takes an array of series, e.g. lineChart([{name: \"loss\", x: steps, y: losses}], {title: \"Loss\"}).");
  }
  const layout = titledLayout(opts);
  // One notation for every tick of a log axis: powers of ten, not "100µ" and "10n" beside "10^-16".
  if (opts.logY) Object.assign(layout.yaxis as Record<string, unknown>, { type: "log", exponentformat: "power" });
  return { data: series.map(lineTrace), layout };
}

/**
 * Returns a heatmap of the matrix z (z[row][column]), row 0 at the top as when the matrix is printed, e.g. a weight
 * matrix or the attention of each output step to each input step.
 */
export function heatmap(z: number[][], opts: HeatmapOptions = {}): Figure {
  if (!Array.isArray(z) || z.length === 0 || !z.every((row) => Array.isArray(row) || ArrayBuffer.isView(row))) {
    throw new Error("heatmap takes a matrix as an array of rows, e.g. heatmap([[1, 2], [3, 4]]); for a tensor use await t.array().");
  }
  const columns = z[0].length;
  const ragged = z.findIndex((row) => row.length !== columns);
  if (ragged >= 0) {
    throw new Error(`heatmap: row 0 has ${columns} values but row ${ragged} has ${z[ragged].length}; every row needs the same length.`);
  }
  checkLabels("xLabels", opts.xLabels, columns, "columns");
  checkLabels("yLabels", opts.yLabels, z.length, "rows");
  const trace: Record<string, unknown> = {
    type: "heatmap",
    z: z.map((row) => Array.from(row)),
    colorscale: opts.colorscale ?? "Viridis",
  };
  if (opts.xLabels !== undefined) trace.x = opts.xLabels;
  if (opts.yLabels !== undefined) trace.y = opts.yLabels;
  if (opts.zmin !== undefined) trace.zmin = opts.zmin;
  if (opts.zmax !== undefined) trace.zmax = opts.zmax;
  const layout = titledLayout(opts);
  (layout.yaxis as Record<string, unknown>).autorange = "reversed";
  return { data: [trace], layout };
}

function checkLabels(option: string, labels: unknown[] | undefined, expected: number, what: string): void {
  if (labels !== undefined && labels.length !== expected) {
    throw new Error(`heatmap: ${option} has ${labels.length} labels but the matrix has ${expected} ${what}.`);
  }
}
