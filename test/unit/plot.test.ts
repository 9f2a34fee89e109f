// src/plot without a browser: figure builders, the HTML of figures and of the bundle, and what goes to a notebook.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { heatmap, inNotebook, lineChart, liveFigure, loadPlotly, show, writeHtmlReport } from "../../src/plot/index";
import { bundleHtml, figureHtml, figureText, jsonForScript, plotlyBundle, reportHtml, scriptElement } from "../../src/plot/html";
import { DisplayMessage, DisplayWriter } from "../../src/display";
import { notebookOutput } from "../../src/plot/notebook";

// The figure a figureHtml output draws, read back from its script.
function drawnFigure(html: string): { data: unknown[]; layout: Record<string, unknown> } {
  const match = /var figure = (.*);\n/.exec(html);
  assert.ok(match, "figureHtml holds `var figure = {...};`");
  return JSON.parse(match[1]);
}

function scriptCloseTags(html: string): number {
  return (html.match(/<\/script/gi) ?? []).length;
}

test("lineChart makes one plotly line trace per series, titled axes, and a log y axis on request", () => {
  const figure = lineChart(
    [
      { name: "train", x: [1, 2, 3], y: new Float32Array([3, 2, 1]) },
      { name: "val", x: [1, 3], y: [2.5, 1.5] },
    ],
    { title: "Loss", xTitle: "step", yTitle: "loss", logY: true },
  );
  assert.deepEqual(figure.data, [
    { type: "scatter", mode: "lines", name: "train", x: [1, 2, 3], y: [3, 2, 1] },
    { type: "scatter", mode: "lines", name: "val", x: [1, 3], y: [2.5, 1.5] },
  ]);
  assert.ok(Array.isArray(figure.data[0].y), "typed arrays become plain arrays (JSON would make objects of them)");
  assert.deepEqual(figure.layout, {
    title: { text: "Loss" },
    xaxis: { title: { text: "step" } },
    yaxis: { title: { text: "loss" }, type: "log", exponentformat: "power" },
    height: 420,
  });
  assert.deepEqual(lineChart([]).layout, { xaxis: {}, yaxis: {}, height: 420 });
});

test("lineChart says which series has mismatched x and y", () => {
  assert.throws(() => lineChart([{ name: "val", x: [1, 2], y: [1] }]), /Series "val" has 2 x values but 1 y values/);
  assert.throws(() => lineChart({} as never), /lineChart takes an array of series/);
});

test("heatmap draws the matrix with row 0 on top, labels and colour range", () => {
  const figure = heatmap(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { title: "W", xLabels: ["a", "b", "c"], yLabels: [0, 1], colorscale: "RdBu", zmin: -6, zmax: 6 },
  );
  assert.deepEqual(figure.data, [
    { type: "heatmap", z: [[1, 2, 3], [4, 5, 6]], colorscale: "RdBu", x: ["a", "b", "c"], y: [0, 1], zmin: -6, zmax: 6 },
  ]);
  assert.deepEqual(figure.layout, { title: { text: "W" }, xaxis: {}, yaxis: { autorange: "reversed" }, height: 420 });
  assert.throws(() => heatmap([[1, 2], [3]]), /row 0 has 2 values but row 1 has 1/);
  assert.throws(() => heatmap([[1, 2]], { xLabels: ["a"] }), /xLabels has 1 labels but the matrix has 2 columns/);
  assert.throws(() => heatmap([]), /heatmap takes a matrix as an array of rows/);
});

test("outside a kernel, show, liveFigure and loadPlotly do nothing and throw nothing; live figures keep their data", () => {
  assert.equal(inNotebook(), false);
  show(lineChart([{ name: "a", x: [0], y: [1] }]));
  loadPlotly();
  const live = liveFigure({ title: "live", intervalMs: 0 });
  live.append("loss", 0, 2);
  live.append("loss", 1, 1);
  live.update([{ name: "val", x: [0, 1], y: [3, 2] }]);
  live.append("train", 1, 0.5);
  live.flush();
  assert.deepEqual(
    live.figure.data.map((trace) => [trace.name, trace.x, trace.y]),
    [
      ["val", [0, 1], [3, 2]],
      ["train", [1], [0.5]],
    ],
  );
  assert.deepEqual(live.figure.layout?.title, { text: "live" });
  assert.throws(() => live.append("loss", "1" as never, 2), /append takes a series name and two numbers/);
  assert.throws(() => live.update([{ name: "a", x: [], y: [] }, { name: "a", x: [], y: [] }]), /two series named "a"/);
  assert.throws(() => show({} as never), /show takes a figure/);
});

test("a figure's HTML is a div with its id and a script whose data cannot end the script early", () => {
  const nasty = 'x</script><script>alert("hi")</script><!-- & \u2028';
  const figure = lineChart([{ name: nasty, x: [1], y: [2] }], { title: nasty });
  const html = figureHtml(figure, "fig-1");
  assert.match(html, /^<div id="fig-1" class="rnn-plot" style="width: 100%; height: 420px;"><\/div>\n<script/);
  assert.equal(scriptCloseTags(html), 1, "only the script's own closing tag");
  assert.ok(!html.includes("<!--") && !html.includes("\u2028"));
  const drawn = drawnFigure(html);
  assert.deepEqual(drawn.data, figure.data, "the data round-trips through the escaped JSON");
  assert.deepEqual(drawn.layout.title, { text: nasty });
  assert.match(html, /Plotly\.newPlot\(element, figure\.data, figure\.layout, config\)/);
  assert.match(html, /if \(element && window\.Plotly/, "waits for window.Plotly when the bundle has not run yet");
});

test("jsonForScript and scriptElement keep </script> and <!-- out of script text", () => {
  assert.equal(jsonForScript({ a: "</script>&" }), '{"a":"\\u003c/script\\u003e\\u0026"}');
  assert.deepEqual(JSON.parse(jsonForScript({ a: "</script>\u2028" })), { a: "</script>\u2028" });
  const code = 'var s = "</SCRIPT><!--<script>"; window.done = s.length;';
  const element = scriptElement(code);
  assert.equal(scriptCloseTags(element), 1);
  assert.ok(!/<!--|<script[^>]*>.*<script/is.test(element.replace(/^<script type="text\/javascript">/, "")));
  const evaluated = /\(0, eval\)\((.*)\);/.exec(element);
  assert.ok(evaluated, "code that could end the element is embedded as a JSON string");
  assert.equal(JSON.parse(evaluated[1]), code);
  assert.equal(scriptElement("var a = 1 < 2;"), '<script type="text/javascript">\nvar a = 1 < 2;\n</script>', "other code is embedded as it is");
});

test("the plotly bundle is embedded verbatim, with require.js's define hidden", () => {
  const { source, version } = plotlyBundle();
  assert.match(version, /^3\./);
  assert.ok(source.length > 1_000_000);
  const html = bundleHtml();
  assert.ok(html.includes(source), "the real bundle needs no escaping: it is embedded byte for byte");
  assert.equal(scriptCloseTags(html), 1);
  assert.match(html, /if \(typeof window\.Plotly === "undefined"\) \{\n\(function \(define, module, exports\) \{\n/);
  assert.ok(html.endsWith("\n}).call(window);\n}\n</script>"));
});

test("figureText describes a figure for text-only outputs", () => {
  const figure = lineChart([{ name: "train", x: [1, 2], y: [3, 4] }], { title: "Loss<br><sub>2 runs</sub>" });
  assert.equal(figureText(figure), 'Figure "Loss 2 runs": train (2 points). (An interactive plotly.js chart; it draws in a trusted notebook.)');
  assert.match(figureText(heatmap([[1], [2]])), /^Figure: heatmap \(2 rows\)/);
});

// A display channel that records what a kernel would send: the session logic is what is tested.
function recorder(): { writer: DisplayWriter; sent: Array<{ message: DisplayMessage; update: boolean }> } {
  const sent: Array<{ message: DisplayMessage; update: boolean }> = [];
  return { writer: (message, update) => sent.push({ message, update }), sent };
}

const isBundle = (message: DisplayMessage): boolean => message.data["text/html"].includes("(function (define, module, exports)");

test("the bundle goes to the notebook once per session, before the first figure, never with later figures", () => {
  const cell1 = recorder();
  let writer: DisplayWriter | null = cell1.writer;
  const output = notebookOutput(() => writer);
  const figure = lineChart([{ name: "a", x: [1, 2], y: [1, 4] }], { title: "A" });
  output.show(figure);
  output.show(figure);
  assert.deepEqual(
    cell1.sent.map(({ message, update }) => [isBundle(message), update, Object.keys(message.data).sort()]),
    [
      [true, false, ["text/html", "text/plain"]],
      [false, false, ["text/html", "text/plain"]],
      [false, false, ["text/html", "text/plain"]],
    ],
  );
  assert.match(cell1.sent[0].message.data["text/plain"], /^plotly\.js 3\./);
  assert.equal(cell1.sent[1].message.data["text/plain"], figureText(figure));
  assert.ok(cell1.sent[1].message.data["text/html"].length < 2000, "a figure's output holds its data, not the bundle");

  output.loadPlotly();
  assert.equal(cell1.sent.length, 3, "loadPlotly in the cell run that sent the bundle sends nothing");
  const cell2 = recorder();
  writer = cell2.writer;
  output.show(figure);
  assert.equal(cell2.sent.filter(({ message }) => isBundle(message)).length, 0, "a later cell does not get the bundle again");
  output.loadPlotly();
  output.loadPlotly();
  assert.equal(cell2.sent.filter(({ message }) => isBundle(message)).length, 1, "loadPlotly sends it again, once per cell run");
  writer = null;
  output.show(figure);
  output.loadPlotly();
  assert.equal(cell2.sent.length, 2, "no kernel, no output");
});

test("a live figure shows once with a display id, then replaces that output with data only, throttled, and flushes", () => {
  const cell = recorder();
  const output = notebookOutput(() => cell.writer);
  // An interval far longer than the test: only flush() can redraw after the first display.
  const live = output.liveFigure({ title: "Training", yTitle: "loss", intervalMs: 1e9 });
  assert.equal(cell.sent.length, 2, "the bundle (first figure of the session), then the empty chart");
  assert.ok(isBundle(cell.sent[0].message));
  const first = cell.sent[1];
  const displayId = first.message.transient.display_id;
  assert.equal(first.update, false);
  assert.match(displayId ?? "", /^[0-9a-f]{16}$/);
  for (let step = 0; step < 100; step++) live.append("loss", step, 1 / (step + 1));
  assert.equal(cell.sent.length, 2, "appends within the interval are not drawn one by one");
  live.flush();
  live.flush();
  assert.equal(cell.sent.length, 3, "flush draws pending changes once");
  const last = cell.sent[2];
  assert.equal(last.update, true);
  assert.equal(last.message.transient.display_id, displayId);
  assert.ok(!isBundle(last.message));
  const html = last.message.data["text/html"];
  assert.ok(html.length < 5000, `an update carries the data only (${html.length} characters)`);
  assert.equal(/<div id="([^"]+)"/.exec(html)?.[1], /<div id="([^"]+)"/.exec(first.message.data["text/html"])?.[1], "same element id");
  const drawn = drawnFigure(html);
  assert.equal((drawn.data[0] as { y: number[] }).y.length, 100);
  assert.deepEqual(drawn.layout.yaxis, { title: { text: "loss" } });
  assert.equal(last.message.data["text/plain"], 'Figure "Training": loss (100 points). (An interactive plotly.js chart; it draws in a trusted notebook.)');

  const eager = output.liveFigure({ intervalMs: 0 });
  const before = cell.sent.length;
  eager.append("a", 0, 1);
  eager.append("a", 1, 2);
  assert.equal(cell.sent.length, before + 2, "with no interval every change is drawn at once");
  assert.ok(cell.sent.slice(before).every(({ update, message }) => update && !isBundle(message)));
});

test("writeHtmlReport writes a standalone page: title, bundle once, one div per figure", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plot-report-"));
  try {
    const file = path.join(dir, "nested", "report.html");
    const figures = [lineChart([{ name: "a", x: [1], y: [1] }]), heatmap([[1]])];
    writeHtmlReport(file, figures, "Run <3>");
    const html = fs.readFileSync(file, "utf8");
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.match(html, /<title>Run &lt;3&gt;<\/title>/);
    assert.equal(html.split("(function (define, module, exports)").length - 1, 1);
    assert.equal((html.match(/<div id="rnn-plot-/g) ?? []).length, 2);
    const withoutIds = (text: string): string => text.replace(/rnn-plot-[0-9a-f]+-\d+/g, "ID");
    assert.equal(withoutIds(html), withoutIds(reportHtml(figures, "Run <3>")), "the HTML of reportHtml");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
