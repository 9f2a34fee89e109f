// src/plot in the classic Jupyter Notebook UI (require.js on the page), in headless Chromium: the page runs the
// cells, a live figure redraws in place while the kernel trains, and after saving, the reopened notebook draws
// its figures again.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { kernelDisplayName, kernelName } from "../../tools/setup";
import { joinText, Notebook } from "../../tools/execute";
import { countPixelsNear } from "../browser/png";
import { BrowserPage } from "../browser/page";
import { NotebookServer, startNotebookServer } from "../browser/notebook-server";

const steps = 30;
const cells = [
  `import { lineChart, liveFigure, loadPlotly, show } from "./src/plot/index";
loadPlotly();`,
  `show(lineChart([{ name: "first", x: [0, 1, 2], y: [2, 0, 1] }], { title: "A figure" }));`,
  `const live = liveFigure({ title: "Live loss", xTitle: "step", yTitle: "loss", intervalMs: 50 });
for (let step = 0; step < ${steps}; step++) {
  live.append("loss", step, 3 / (step + 1));
  await new Promise((resolve) => setTimeout(resolve, 100));
}
live.flush();`,
];

// Counts the figure <div>s added to the live cell's output: one per redraw that reached the page.
const watchLiveCell = `(function () {
  window.liveInsertions = 0;
  var area = Jupyter.notebook.get_cell(2).output_area.element[0];
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType === 1 && (node.matches(".rnn-plot") || node.querySelector(".rnn-plot"))) window.liveInsertions += 1;
      });
    });
  }).observe(area, { childList: true, subtree: true });
  return true;
})()`;

const liveState = `(function () {
  var cell = Jupyter.notebook.get_cell(2);
  var divs = cell.output_area.element[0].querySelectorAll(".rnn-plot");
  var trace = divs.length === 1 && divs[0].data ? divs[0].data[0] : null;
  return {
    outputs: cell.output_area.outputs.length,
    divs: divs.length,
    points: trace ? trace.y.length : 0,
    done: Jupyter.notebook.get_cells().every(function (c) { return typeof c.input_prompt_number === "number"; }),
  };
})()`;

let dir = "";
let server: NotebookServer | undefined;
const pages: BrowserPage[] = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "plot-live-"));
  const notebook: Notebook = {
    cells: cells.map((source, i) => ({ cell_type: "code", id: `cell-${i}`, source, metadata: {}, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: kernelName, display_name: kernelDisplayName, language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(path.join(dir, "live.ipynb"), JSON.stringify(notebook));
  server = await startNotebookServer(dir);
});

after(async () => {
  for (const page of pages) await page.close();
  await server?.stop();
  if (process.env.RNN_LESSONS_KEEP_SCREENSHOTS) console.log(`notebook and screenshots kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

async function openNotebook(): Promise<BrowserPage> {
  const page = await BrowserPage.open(server!.notebookUrl("live.ipynb"), { height: 1400, timeoutMs: 300000 });
  pages.push(page);
  await page.waitFor("window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()", "the kernel to connect");
  return page;
}

test("in the classic Notebook, the live figure redraws in place while the cell runs, and saving keeps its final state", async () => {
  const page = await openNotebook();
  await page.evaluate(watchLiveCell);
  await page.evaluate("Jupyter.notebook.execute_all_cells(), true");
  type State = { outputs: number; divs: number; points: number; done: boolean };
  const seen: State[] = [];
  await page.waitFor<boolean>(
    `(function () { var s = ${liveState}; window.lastLiveState = s; return s.done && s.points === ${steps}; })()`,
    "the cells to run and the live figure to show every point",
    180000,
    50,
  );
  seen.push(await page.evaluate<State>(liveState));
  assert.deepEqual(seen[0], { outputs: 1, divs: 1, points: steps, done: true }, "one output, one chart, every point");
  const insertions = await page.evaluate<number>("window.liveInsertions");
  assert.ok(insertions >= 10, `the live chart was redrawn in place ${insertions} times (once per update)`);
  assert.equal(await page.evaluate("typeof define === 'function' && !!define.amd"), true, "require.js is on the page");
  assert.equal(await page.evaluate("typeof window.Plotly"), "object", "the bundle set window.Plotly despite require.js");
  assert.equal(await page.evaluate("document.querySelectorAll('.plot-container.plotly').length"), 2);
  const image = await page.screenshot(path.join(dir, "live.png"));
  assert.ok(countPixelsNear(image, [0x1f, 0x77, 0xb4], 30) > 100, "lines drawn in plotly's blue");

  await page.evaluate("Jupyter.notebook.save_notebook().then(function () { return true; })");
  const saved = JSON.parse(fs.readFileSync(path.join(dir, "live.ipynb"), "utf8")) as Notebook;
  const outputs = saved.cells.map((cell) => cell.outputs ?? []);
  const bundles = outputs.map((list) => list.filter((o) => joinText(o.data?.["text/html"] as string[]).includes("(function (define, module, exports)")).length);
  assert.deepEqual(bundles, [1, 0, 0], "the bundle is saved once, in the cell that called loadPlotly()");
  assert.equal(outputs[2].length, 1);
  assert.match(joinText(outputs[2][0].data?.["text/plain"] as string[]), new RegExp(`^Figure "Live loss": loss \\(${steps} points\\)`));
});

test("the saved notebook, reopened, draws its figures again", async () => {
  const page = await openNotebook();
  await page.waitFor("document.querySelectorAll('.plot-container.plotly').length === 2", "both figures to draw", 60000);
  assert.equal(await page.evaluate("Jupyter.notebook.trusted"), true, "a notebook saved after running is trusted");
  const image = await page.screenshot(path.join(dir, "reopened.png"));
  assert.ok(countPixelsNear(image, [0x1f, 0x77, 0xb4], 30) > 100);
});
