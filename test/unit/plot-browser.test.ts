// Plots in a real browser (headless Debian Chromium): a report draws its charts, a blank page is seen as blank,
// require.js's define does not swallow plotly.js, and a figure without the bundle says what to do.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { heatmap, lineChart, sharedBundlePath, writeHtmlReport } from "../../src/plot/index";
import { bundleHtml, figureHtml } from "../../src/plot/html";
import { checkPlotsDrew, countPixelsNear, dumpDom, isBlank, plotlyElements, screenshotHtml } from "../browser/render";

let dir = "";
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "plot-browser-"));
});
after(() => {
  // RNN_LESSONS_KEEP_SCREENSHOTS=1 keeps the pages and screenshots to look at.
  if (process.env.RNN_LESSONS_KEEP_SCREENSHOTS) console.log(`pages and screenshots kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

// plotly's first default trace colour, #1f77b4.
const plotlyBlue: [number, number, number] = [0x1f, 0x77, 0xb4];

function page(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n${body}\n</body></html>\n`);
  return file;
}

test("a report written by writeHtmlReport draws its charts: plotly's SVG in the DOM and a chart in the pixels", async () => {
  const file = path.join(dir, "report.html");
  const steps = Array.from({ length: 50 }, (_, i) => i);
  writeHtmlReport(
    file,
    [
      lineChart([{ name: "loss </script> <b>", x: steps, y: steps.map((s) => 3 * Math.exp(-s / 10) + 0.2) }], {
        title: "Loss </script><!-- of a run",
        xTitle: "step",
        yTitle: "loss",
      }),
      heatmap([
        [1, 0],
        [0, 1],
      ]),
    ],
    "Report </script> test",
  );
  const check = await checkPlotsDrew(file, path.join(dir, "report.png"), { height: 1000, minPlots: 2 });
  assert.deepEqual(check.problems, []);
  assert.equal(check.plotlyDivs, 2, "both figures drew");
  assert.ok(check.mainSvgs >= 2);
  assert.ok(check.colours.distinctColours > 50, `a chart has many colours (${check.colours.distinctColours})`);
  assert.ok(countPixelsNear(check.image, plotlyBlue, 30) > 100, "the loss line is drawn in plotly's blue");
  const dom = await dumpDom(file);
  assert.ok(dom.includes("Loss &lt;/script&gt;&lt;!-- of a run"), "the title with </script> is text in the chart");
});

test("reports sharing one plotly.js file: each is a few kilobytes, the bundle is written once, and the chart draws", async () => {
  const folder = path.join(dir, "runs");
  const bundle = sharedBundlePath(folder);
  const figure = lineChart([{ name: "loss", x: [0, 1, 2, 3], y: [3, 2, 1.5, 1.2] }], { title: "Loss", xTitle: "step", yTitle: "loss" });
  const files = ["a", "b"].map((id) => path.join(folder, "welcome", id, "report.html"));
  for (const file of files) writeHtmlReport(file, [figure], "Shared", { sharedBundle: bundle });
  const written = fs.statSync(bundle).mtimeMs;
  writeHtmlReport(files[0], [figure], "Shared", { sharedBundle: bundle });
  assert.equal(fs.statSync(bundle).mtimeMs, written, "the bundle is not written again");
  for (const file of files) {
    assert.ok(fs.statSync(file).size < 20_000, `${file} is ${fs.statSync(file).size} bytes`);
    assert.match(fs.readFileSync(file, "utf8"), new RegExp(`<script src="../../${path.basename(bundle).replace(/\./g, "\\.")}"></script>`));
  }
  const check = await checkPlotsDrew(files[1], path.join(dir, "shared.png"), { height: 700, minPlots: 1 });
  assert.deepEqual(check.problems, []);
  assert.equal(check.plotlyDivs, 1);
});

test("a blank page is seen as blank and fails the check", async () => {
  const file = page("blank.html", "");
  const image = await screenshotHtml(file, path.join(dir, "blank.png"), { width: 400, height: 300 });
  assert.equal(image.width, 400);
  assert.equal(image.height, 300);
  assert.ok(isBlank(image));
  const check = await checkPlotsDrew(file, path.join(dir, "blank2.png"), { width: 400, height: 300 });
  assert.equal(check.ok, false);
  assert.equal(check.problems.length, 3, check.problems.join("; "));
  assert.match(check.problems.join("\n"), /found 0/);
  assert.match(check.problems.join("\n"), /is blank/);
});

test("with require.js's define on the page (classic Notebook), the bundle still sets window.Plotly", async () => {
  const amd = `<script>
window.amdCalls = 0;
window.define = function () { window.amdCalls += 1; };
window.define.amd = { jQuery: true };
</script>`;
  const report = `<script>setTimeout(function () {
  document.body.setAttribute("data-amd-calls", String(window.amdCalls));
  document.body.setAttribute("data-plotly", typeof window.Plotly);
}, 1000);</script>`;
  const figure = lineChart([{ name: "a", x: [0, 1, 2], y: [0, 2, 1] }]);
  const file = page("amd.html", [amd, bundleHtml(), figureHtml(figure), report].join("\n"));
  const dom = await dumpDom(file);
  assert.match(dom, /data-amd-calls="0"/, "the bundle did not register itself with define");
  assert.match(dom, /data-plotly="object"/);
  assert.equal(plotlyElements(dom).plotlyDivs, 1);
});

test("a figure drawn before the bundle's script waits for it; without the bundle it says what to run", async () => {
  const figure = lineChart([{ name: "a", x: [0, 1], y: [1, 0] }]);
  const late = page("late.html", [figureHtml(figure), bundleHtml()].join("\n"));
  assert.equal(plotlyElements(await dumpDom(late)).plotlyDivs, 1);
  const missing = page("missing.html", figureHtml(figure));
  const dom = await dumpDom(missing);
  assert.equal(plotlyElements(dom).plotlyDivs, 0);
  assert.match(dom, /This chart needs plotly\.js, which is not loaded on this page\. Run loadPlotly\(\)/);
});
