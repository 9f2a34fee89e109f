// Figures in notebook outputs: the plotly bundle once per kernel session, then one small output per figure, and
// live figures that redraw in place. Every call is a silent no-op when there is no kernel.
import { randomBytes } from "crypto";
import { Figure, lineChart, LineChartOptions, LineSeries } from "./figures";
import { bundleHtml, bundleText, figureHtml, figureText, newFigureId } from "./html";
import { DisplayWriter, kernelDisplayWriter, MimeBundle } from "../display";

/** A line chart that redraws in place in its notebook output while data arrives (e.g. during training). */
export interface LiveFigure {
  /** The figure as it is now; in plain Node it is kept up to date too, e.g. for writeHtmlReport. */
  readonly figure: Figure;
  /** Replaces all lines with these series and redraws (throttled). */
  update(series: LineSeries[]): void;
  /** Adds the point (x, y) to the line named seriesName, creating the line if needed, and redraws (throttled). */
  append(seriesName: string, x: number, y: number): void;
  /** Draws pending changes now; call it when training ends so the saved notebook holds the final curve. */
  flush(): void;
}

/** Options of liveFigure: those of lineChart, and the least time between two redraws. */
export interface LiveFigureOptions extends LineChartOptions {
  /** Milliseconds between redraws at most once; 250 unless given. Changes in between are drawn together. */
  intervalMs?: number;
}

/** The display functions bound to one source of kernel writers (the real kernel, or a test's recorder). */
export interface NotebookOutput {
  show(figure: Figure): void;
  liveFigure(opts?: LiveFigureOptions): LiveFigure;
  loadPlotly(): void;
}

function bundleOutput(): MimeBundle {
  return { "text/html": bundleHtml(), "text/plain": bundleText() };
}

function figureOutput(figure: Figure, id: string): MimeBundle {
  return { "text/html": figureHtml(figure, id), "text/plain": figureText(figure) };
}

/**
 * Returns show / liveFigure / loadPlotly that send their outputs with the writer `currentWriter()` returns at the
 * time of each output (null: no kernel, nothing is sent). The bundle goes out with the first figure and then
 * never again in this session, so figures and live updates carry only their data.
 */
export function notebookOutput(currentWriter: () => DisplayWriter | null): NotebookOutput {
  // The writer of the cell execution that last sent the bundle; null until the first one.
  let bundleSentWith: DisplayWriter | null = null;

  function sendBundle(writer: DisplayWriter): void {
    writer({ data: bundleOutput(), metadata: {}, transient: {} }, false);
    bundleSentWith = writer;
  }

  function ensureBundle(writer: DisplayWriter): void {
    if (bundleSentWith === null) sendBundle(writer);
  }

  function show(figure: Figure): void {
    checkFigure(figure);
    const writer = currentWriter();
    if (writer === null) return;
    ensureBundle(writer);
    writer({ data: figureOutput(figure, newFigureId()), metadata: {}, transient: {} }, false);
  }

  /** Sends the bundle again (once per cell run), e.g. after the output that held it was cleared. */
  function loadPlotly(): void {
    const writer = currentWriter();
    if (writer !== null && writer !== bundleSentWith) sendBundle(writer);
  }

  function liveFigure(opts: LiveFigureOptions = {}): LiveFigure {
    const intervalMs = opts.intervalMs ?? 250;
    const series = new Map<string, { x: number[]; y: number[] }>();
    const displayId = randomBytes(8).toString("hex");
    const elementId = newFigureId();
    let figure: Figure | undefined; // rebuilt only when needed: appends stay O(1)
    let shown = false;
    let lastDraw = -Infinity;
    let pending = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    function current(): Figure {
      if (figure === undefined) figure = lineChart([...series].map(([name, points]) => ({ name, ...points })), opts);
      return figure;
    }

    // First call: display_data with a display id, placing the output in the running cell; later calls replace it.
    function draw(): void {
      pending = false;
      lastDraw = Date.now();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const writer = currentWriter();
      if (writer === null) return;
      ensureBundle(writer);
      writer({ data: figureOutput(current(), elementId), metadata: {}, transient: { display_id: displayId } }, shown);
      shown = true;
    }

    function changed(): void {
      figure = undefined;
      pending = true;
      const wait = lastDraw + intervalMs - Date.now();
      if (wait <= 0) {
        draw();
      } else if (timer === undefined) {
        // Trailing redraw when changes stop; unref so that it never keeps a CLI process alive.
        timer = setTimeout(() => {
          timer = undefined;
          if (pending) draw();
        }, wait);
        timer.unref?.();
      }
    }

    draw();
    return {
      get figure() {
        return current();
      },
      update(newSeries: LineSeries[]) {
        const traces = lineChart(newSeries, opts).data;
        const names = traces.map((trace) => trace.name as string);
        const repeated = names.find((name, i) => names.indexOf(name) !== i);
        if (repeated !== undefined) throw new Error(`update got two series named "${repeated}": give each line its own name.`);
        series.clear();
        for (const trace of traces) series.set(trace.name as string, { x: trace.x as number[], y: trace.y as number[] });
        changed();
      },
      append(seriesName: string, x: number, y: number) {
        if (typeof seriesName !== "string" || typeof x !== "number" || typeof y !== "number") {
          throw new Error(
            `append takes a series name and two numbers, e.g. live.append("loss", step, loss); got (${typeof seriesName}, ${typeof x}, ${typeof y}).`,
          );
        }
        let points = series.get(seriesName);
        if (points === undefined) series.set(seriesName, (points = { x: [], y: [] }));
        points.x.push(x);
        points.y.push(y);
        changed();
      },
      flush() {
        if (pending) draw();
      },
    };
  }

  return { show, liveFigure, loadPlotly };
}

function checkFigure(figure: Figure): void {
  if (figure === null || typeof figure !== "object" || !Array.isArray(figure.data)) {
    throw new Error("show takes a figure {data: [...traces], layout?: {...}}, e.g. show(lineChart([{name: \"loss\", x, y}])).");
  }
}

// The session's outputs, sent through the tslab kernel when there is one.
const kernelOutput = notebookOutput(kernelDisplayWriter);

/** Shows a figure in the notebook output; outside a kernel (plain Node) it does nothing and returns. */
export function show(figure: Figure): void {
  kernelOutput.show(figure);
}

/**
 * Returns a live line chart shown in the running cell's output and redrawn in place at most every
 * opts.intervalMs (250 ms) as points arrive; call flush() when training ends, because the redraw of the last
 * points waits for a timer, and timers do not fire inside a synchronous loop. Each redraw sends the figure's data
 * only. Outside a kernel nothing is shown, and `figure` still holds the data (e.g. for writeHtmlReport).
 */
export function liveFigure(opts: LiveFigureOptions = {}): LiveFigure {
  return kernelOutput.liveFigure(opts);
}

/**
 * Sends the plotly.js bundle to the page again (at most once per cell run). show() sends it by itself with the
 * first figure of a kernel session; call this when that output was cleared and charts say plotly.js is missing.
 */
export function loadPlotly(): void {
  kernelOutput.loadPlotly();
}
