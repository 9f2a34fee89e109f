// Overlaying the curves of several runs, one trace per run, named by the settings that differ.
import { Figure, show } from "../plot/index";
import { listRuns, LoadedRun, loadRun, unreadableRuns } from "./list-runs";
import { runLabels } from "./run-labels";
import { Settings } from "./settings";

/** Options of plotRuns: which logged column to draw, against which column, for which runs. */
export interface PlotRunsOptions {
  /** The history column drawn on the y axis, e.g. "loss". */
  metric: string;
  /** Only runs whose settings equal these values. */
  where?: Partial<Settings>;
  /** The history column on the x axis; "step" unless given. */
  x?: string;
  title?: string;
  /** Axis titles (default: the column names). */
  xTitle?: string;
  yTitle?: string;
  /** Only the most recent run of each combination of settings, so a cell run twice draws one curve (default true; false: every run). */
  latest?: boolean;
}

/** A figure of runs, and the ids of runs left out because their history lacks the metric or the x column. */
export interface RunsFigure {
  figure: Figure;
  skipped: string[];
}

// JSON (and so plotly) has no NaN or Infinity; null draws a gap in the line instead.
function plottable(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * Returns a plotly figure with one line per run of `metric` against `opts.x` (default "step"), each named by the
 * settings that differ between the runs. Runs whose history lacks either column are skipped, listed in `skipped`,
 * and named under the title, so the learner sees that a curve is missing and why.
 */
export function runsFigure(runs: LoadedRun[], opts: PlotRunsOptions, unreadable: string[] = []): RunsFigure {
  const x = opts.x ?? "step";
  const drawn = runs.filter((run) => run.columns.includes(opts.metric) && run.columns.includes(x));
  const skipped = runs.filter((run) => !drawn.includes(run)).map((run) => run.id);
  const labels = runLabels(drawn);
  const data = drawn.map((run, i) => ({
    type: "scatter",
    mode: "lines",
    name: labels[i],
    x: run.history.map((row) => plottable(row[x])),
    y: run.history.map((row) => plottable(row[opts.metric])),
  }));
  let title = opts.title ?? `${opts.metric} by ${x}`;
  const notes: string[] = [];
  if (skipped.length > 0) {
    notes.push(`skipped ${skipped.length} run(s) without "${opts.metric}" or "${x}": ${skipped.join(", ")}`);
  }
  const withProblems = drawn.filter((run) => run.problems.length > 0).map((run) => run.id);
  if (withProblems.length > 0) {
    notes.push(`unreadable rows left out in ${withProblems.join(", ")} (see loadRun(...).problems)`);
  }
  if (unreadable.length > 0) notes.push(`left out ${unreadable.length} run(s) whose settings.json cannot be read: ${unreadable.map((p) => p.split(":")[0]).join(", ")}`);
  if (notes.length > 0) title += `<br><sub>${notes.join("; ")}</sub>`;
  const layout: Record<string, unknown> = {
    title: { text: title },
    xaxis: { title: { text: opts.xTitle ?? x } },
    yaxis: { title: { text: opts.yTitle ?? opts.metric } },
    showlegend: true,
  };
  // Long run names beside the plot would squeeze it to a sliver: they go under it, one per line.
  if (Math.max(0, ...labels.map((l) => l.length)) > 30) {
    Object.assign(layout, { legend: { orientation: "h", x: 0, y: -0.2, yanchor: "top" }, height: 420 + 24 * labels.length, margin: { b: 60 + 24 * labels.length } });
  }
  return { figure: { data, layout }, skipped };
}

/** The most recent run of each combination of settings, in start order. */
function latestOfEachSettings<T extends { settings: Settings }>(runs: T[]): T[] {
  const key = (run: T) => JSON.stringify(Object.entries(run.settings).sort(([a], [b]) => a.localeCompare(b)));
  const last = new Map(runs.map((run) => [key(run), run]));
  return runs.filter((run) => last.get(key(run)) === run);
}

/**
 * Returns the figure plotRuns shows: `opts.metric` of the lesson's runs that match `opts.where`, one line per
 * run named by the settings that differ. Throws when no run matches or none logged the metric.
 */
export function plotRunsFigure(lesson: string, opts: PlotRunsOptions): Figure {
  if (opts === undefined || opts === null || typeof opts.metric !== "string") {
    throw new Error('plotRuns needs the column to draw, for example plotRuns("03-dinosaur-names", { metric: "loss" }).');
  }
  const matching = listRuns(lesson, opts.where);
  const infos = opts.latest === false ? matching : latestOfEachSettings(matching);
  if (infos.length === 0) {
    const filter = opts.where === undefined ? "" : ` matching ${JSON.stringify(opts.where)}`;
    const all = opts.where === undefined ? 0 : listRuns(lesson).length;
    const hint = all > 0 ? ` (it has ${all} run(s) with other settings: see listRuns("${lesson}"))` : "; train a model first";
    throw new Error(`plotRuns: lesson "${lesson}" has no runs${filter}${hint}.`);
  }
  const runs = infos.map((info) => loadRun(lesson, info.id));
  const result = runsFigure(runs, opts, unreadableRuns(lesson));
  if (result.figure.data.length === 0) {
    const columns = [...new Set(runs.flatMap((run) => run.columns))];
    const x = opts.x ?? "step";
    throw new Error(
      `plotRuns: none of the ${runs.length} run(s) of lesson "${lesson}" logged both "${opts.metric}" and "${x}"; ` +
        `their columns are: ${columns.length > 0 ? columns.join(", ") : "(nothing logged yet)"}.`,
    );
  }
  return result.figure;
}

/** Shows, in the notebook, the lesson's runs overlaid (see plotRunsFigure); returns nothing, so the cell shows only the chart. */
export function plotRuns(lesson: string, opts: PlotRunsOptions): void {
  show(plotRunsFigure(lesson, opts));
}
