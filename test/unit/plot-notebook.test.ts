// src/plot in a real tslab kernel, run by Jupyter (nbclient): what the saved notebook holds (the bundle once, small
// figure outputs with a text/plain stand-in, a live figure's final state), and its nbconvert HTML export drawing
// every chart in headless Chromium.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { repoRoot } from "../../src/course";
import { jupyterEnv, kernelDisplayName, kernelName } from "../../tools/setup";
import { executeNotebook, joinText, Notebook, NotebookCell, NotebookOutput } from "../../tools/execute";
import { plotlyBundle } from "../../src/plot/html";
import { checkPlotsDrew, countPixelsNear } from "../browser/render";

const cells = [
  `import { heatmap, inNotebook, lineChart, liveFigure, show } from "./src/plot/index";
console.log("inNotebook:", inNotebook());`,
  `show(lineChart([{ name: "tanh", x: [-2, -1, 0, 1, 2], y: [-2, -1, 0, 1, 2].map(Math.tanh) }], { title: "First </script> figure" }));
show(heatmap([[1, 0], [0, 1]], { title: "Identity" }));`,
  `const live = liveFigure({ title: "Live loss", xTitle: "step", yTitle: "loss", intervalMs: 20 });
for (let step = 0; step < 40; step++) {
  live.append("loss", step, 3 / (step + 1));
  await new Promise((resolve) => setTimeout(resolve, 2));
}
live.flush();`,
  `show(lineChart([{ name: "later", x: [0, 1], y: [1, 0] }], { title: "A later cell" }));`,
];

function notebookOf(sources: string[]): Notebook {
  return {
    cells: sources.map((source, i): NotebookCell => ({
      cell_type: "code",
      id: `cell-${i}`,
      source,
      metadata: {},
      outputs: [],
      execution_count: null,
    })),
    metadata: {
      kernelspec: { name: kernelName, display_name: kernelDisplayName, language: "typescript" },
      language_info: { name: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

const html = (output: NotebookOutput): string => joinText(output.data?.["text/html"] as string | string[] | undefined);
const plain = (output: NotebookOutput): string => joinText(output.data?.["text/plain"] as string | string[] | undefined);
const isBundle = (output: NotebookOutput): boolean => html(output).includes("(function (define, module, exports)");
const displays = (cell: NotebookCell): NotebookOutput[] => (cell.outputs ?? []).filter((o) => o.output_type === "display_data");

let dir = "";
let executedFile = "";
let executed: Notebook;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "plot-notebook-"));
  const source = path.join(dir, "plots.ipynb");
  executedFile = path.join(dir, "plots-executed.ipynb");
  fs.writeFileSync(source, JSON.stringify(notebookOf(cells), null, 1));
  executed = await executeNotebook(source, executedFile, { timeoutSeconds: 300 });
});

after(() => {
  if (process.env.RNN_LESSONS_KEEP_SCREENSHOTS) console.log(`notebooks and screenshots kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

test("in the kernel, figures reach the notebook: the bundle once, then one small output per figure", () => {
  const problems = executed.cells.flatMap((cell) =>
    (cell.outputs ?? []).filter((o) => o.output_type === "error" || o.name === "stderr").map((o) => `${cell.id}: ${joinText(o.text)}`),
  );
  assert.deepEqual(problems, []);
  const [imports, first, , later] = executed.cells;
  assert.match(joinText(imports.outputs?.[0]?.text), /inNotebook: true/);
  const bundles = executed.cells.flatMap((cell) => (cell.outputs ?? []).filter(isBundle).map(() => cell.id));
  assert.deepEqual(bundles, ["cell-1"], "the bundle is in the first figure's cell only");
  assert.ok(isBundle(displays(first)[0]), "before the first figure");
  assert.equal(html(displays(first)[0]).length > plotlyBundle().source.length, true);
  assert.match(plain(displays(first)[0]), /^plotly\.js 3\./);
  const figures = [...displays(first).slice(1), ...displays(later)];
  assert.equal(figures.length, 3);
  for (const figure of figures) {
    assert.ok(html(figure).length < 3000, "a figure output holds its data only");
    assert.match(plain(figure), /^Figure ".*": .+\. \(An interactive plotly\.js chart/);
  }
  assert.match(plain(figures[0]), /^Figure "First <\/script> figure": tanh \(5 points\)/);
});

test("a live figure leaves one output in its cell, holding the final curve", () => {
  const live = displays(executed.cells[2]);
  assert.equal(live.length, 1, "updates replaced the output in place");
  assert.ok(!isBundle(live[0]));
  assert.match(plain(live[0]), /^Figure "Live loss": loss \(40 points\)/);
  const figure = JSON.parse(/var figure = (.*);\n/.exec(html(live[0]))?.[1] ?? "null") as { data: Array<{ y: number[] }> };
  assert.equal(figure.data[0].y.length, 40);
  assert.equal(figure.data[0].y[39], 3 / 40);
  const size = fs.statSync(executedFile).size;
  const bundle = Buffer.byteLength(plotlyBundle().source);
  assert.ok(size < bundle * 1.1 + 50_000, `the saved notebook (${size} bytes) is the bundle (${bundle}) plus little`);
});

test("the notebook exported with nbconvert --to html draws every chart in Chromium", async () => {
  execFileSync("jupyter-nbconvert", ["--to", "html", "--output-dir", dir, "--output", "plots", executedFile], {
    cwd: repoRoot,
    env: jupyterEnv(),
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 120_000,
  });
  const check = await checkPlotsDrew(path.join(dir, "plots.html"), path.join(dir, "plots.png"), { height: 2400, minPlots: 4 });
  assert.deepEqual(check.problems, []);
  assert.equal(check.plotlyDivs, 4);
  assert.ok(countPixelsNear(check.image, [0x1f, 0x77, 0xb4], 30) > 100, "lines drawn in plotly's blue");
});
