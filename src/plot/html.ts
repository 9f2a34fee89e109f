// The HTML of plots: the plotly.js bundle as one <script>, and each figure as a <div> plus the script that draws it.
// show(), live figures and HTML reports all use these functions, so a figure looks the same everywhere.
import { randomBytes } from "crypto";
import * as fs from "fs";
import { escapeHtml } from "../display";
import { defaultHeight, Figure } from "./figures";

// The bundle is 4.8 MB: read it once per process.
let bundleCache: { source: string; version: string } | undefined;

/** Returns the plotly.js bundle's source and version, read from node_modules (never fetched from a CDN). */
export function plotlyBundle(): { source: string; version: string } {
  if (bundleCache === undefined) {
    let file: string;
    try {
      // The package's "main" is plotly.min.js; resolving does not run it (running it in Node fails: "self is not defined").
      file = require.resolve("plotly.js-dist-min");
    } catch {
      throw new Error("The plotly.js bundle is missing: run `npm install` in the course folder (it installs plotly.js-dist-min).");
    }
    const version = (JSON.parse(fs.readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version: string }).version;
    bundleCache = { source: fs.readFileSync(file, "utf8"), version };
  }
  return bundleCache;
}

/** Returns the JSON of a value written so that it is safe inside a <script> element (no "<", ">", "&" or line separators). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

// "</script" would end the element early; "<!--" followed by "<script" puts the HTML parser in a state where even
// our own "</script>" no longer ends it.
const endsScriptEarly = /<\/script|<!--|<script/i;

/**
 * Returns a <script> element that runs the JavaScript `code`. Code that contains "</script", "<!--" or "<script"
 * (the plotly bundle contains none) is embedded as a JSON string and run with a global eval instead, so that no
 * text inside it can end the element early.
 */
export function scriptElement(code: string): string {
  const body = endsScriptEarly.test(code) ? `(0, eval)(${jsonForScript(code)});` : code;
  return `<script type="text/javascript">\n${body}\n</script>`;
}

/**
 * Returns the <script> that defines window.Plotly from the bundle. The bundle is wrapped in a function whose
 * parameters hide require.js's `define` (and CommonJS's module/exports), because classic Jupyter Notebook loads
 * require.js and a UMD bundle would then register an anonymous AMD module instead of setting window.Plotly
 * (plotly.py#1595 "Plotly is not defined"). A page that already has Plotly skips running it again.
 */
export function bundleHtml(): string {
  const { source, version } = plotlyBundle();
  const code =
    `/* plotly.js ${version} (plotly.js-dist-min), embedded once so that figures draw offline. */\n` +
    `if (typeof window.Plotly === "undefined") {\n(function (define, module, exports) {\n${source}\n}).call(window);\n}`;
  return scriptElement(code);
}

/** Returns the plain-text stand-in of the bundle's output, shown where HTML is not rendered. */
export function bundleText(): string {
  return `plotly.js ${plotlyBundle().version} for the figures of this notebook (an HTML output; it shows nothing by itself).`;
}

let idCounter = 0;

/** Returns a new element id for a figure's <div>, unique in a notebook (random) and in a process (counter). */
export function newFigureId(): string {
  idCounter += 1;
  return `rnn-plot-${randomBytes(6).toString("hex")}-${idCounter}`;
}

// Message shown in the figure's <div> when plotly.js is not on the page (its output was cleared or the cell that
// held it was run again after another cell had sent it).
const missingPlotlyMessage =
  "This chart needs plotly.js, which is not loaded on this page. Run loadPlotly() from ./src/plot in a cell " +
  "(or restart the kernel and run the notebook again), then run this cell again.";

/**
 * Returns the HTML of one figure: a <div> with a unique id and a script that draws the figure into it with
 * Plotly.newPlot, waiting for window.Plotly if the bundle's script has not run yet. Used by show, live figures
 * and reports.
 */
export function figureHtml(figure: Figure, id: string = newFigureId()): string {
  const layout = figure.layout ?? {};
  const height = typeof layout.height === "number" ? layout.height : defaultHeight;
  const payload = { data: figure.data, layout: { height, ...layout } };
  const config = { responsive: true, displaylogo: false };
  // Poll fast at first, then slowly: a later loadPlotly() in the live notebook still lets the chart draw.
  const draw = `(function () {
  var id = ${jsonForScript(id)};
  var figure = ${jsonForScript(payload)};
  var config = ${jsonForScript(config)};
  var message = ${jsonForScript(missingPlotlyMessage)};
  var waited = 0;
  function draw() {
    var element = document.getElementById(id);
    if (element && window.Plotly && window.Plotly.newPlot) {
      element.textContent = "";
      window.Plotly.newPlot(element, figure.data, figure.layout, config);
      return;
    }
    if (element && waited >= 5000 && !element.textContent) element.textContent = message;
    if (!element && waited >= 60000) return;
    var delay = waited < 5000 ? 50 : 1000;
    waited += delay;
    setTimeout(draw, delay);
  }
  draw();
})();`;
  return `<div id="${escapeHtml(id)}" class="rnn-plot" style="width: 100%; height: ${height}px;"></div>\n${scriptElement(draw)}`;
}

// The tags plotly.js understands in titles and labels (its "pseudo-HTML"); other text is kept as it is.
const plotlyTextTags = /<\/?(?:a|b|br|em|i|s|span|sub|sup|u)\b[^>]*>/gi;

/** Returns the plain-text stand-in of a figure: its title and what each trace holds. */
export function figureText(figure: Figure): string {
  const title = (figure.layout?.title as { text?: unknown } | undefined)?.text;
  const traces = figure.data.map((trace) => {
    const name = typeof trace.name === "string" ? trace.name : String(trace.type ?? "trace");
    const points = Array.isArray(trace.y) ? ` (${trace.y.length} points)` : Array.isArray(trace.z) ? ` (${trace.z.length} rows)` : "";
    return `${name}${points}`;
  });
  const head = typeof title === "string" ? `Figure "${title.replace(plotlyTextTags, " ").replace(/ {2,}/g, " ").trim()}"` : "Figure";
  return `${head}: ${traces.length === 0 ? "no traces" : traces.join(", ")}. (An interactive plotly.js chart; it draws in a trusted notebook.)`;
}

/** Returns a standalone HTML page with the bundle inlined and the figures under a title, readable offline. */
export function reportHtml(figures: Figure[], title: string, bundleSrc?: string, intro: string[] = []): string {
  const parts = [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    "<style>body { font-family: sans-serif; margin: 1.5em; } .rnn-plot { margin-bottom: 2em; }</style>",
    "</head>",
    "<body>",
    `<h1>${escapeHtml(title)}</h1>`,
    ...intro.map((line) => `<p>${escapeHtml(line)}</p>`),
    bundleSrc === undefined ? bundleHtml() : `<script src="${escapeHtml(bundleSrc)}"></script>`,
    ...figures.map((figure) => figureHtml(figure)),
    "</body>",
    "</html>",
    "",
  ];
  return parts.join("\n");
}
