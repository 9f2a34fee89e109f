// A lesson says only what it shows (docs/LESSONS.md): a number in the prose is printed by the cell beside it, or it is
// checked here against what it describes: the shipped models and logs. Each test reads the number from the lesson's
// source, so editing the prose without the evidence fails here.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import { repoRoot } from "../../src/course";
import * as mnist from "../../src/mnist/index";
import { initBackend } from "../../src/tf/backend";

const lesson2 = fs.readFileSync(path.join(repoRoot, "notebooks", "lessons", "02-mnist-sequence.md"), "utf8");

/** The numbers on the line of `text` that starts with `label`. */
function numbersOnLine(text: string, label: string): number[] {
  const line = text.split("\n").find((l) => l.startsWith(label));
  assert.ok(line, `the lesson has a line starting "${label}"`);
  return [...line.slice(label.length).matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
}

before(() => initBackend());

test("lesson 2's opening table is the shipped model's accuracy after each number of rows, on the 10,000 test digits", async () => {
  const rows = numbersOnLine(lesson2, "rows read:");
  const claimed = numbersOnLine(lesson2, "right answer (%):");
  assert.deepEqual(rows, [4, 8, 12, 16, 20, 24, 28]);
  const shipped = await mnist.loadPretrained();
  const curve = mnist.readingCurve(shipped.model, mnist.loadMnist("test"), 10000);
  rows.forEach((k, i) => {
    const measured = 100 * curve.accuracy[k - 1];
    const decimals = String(claimed[i]).split(".")[1]?.length ?? 0;
    assert.equal(measured.toFixed(decimals), claimed[i].toFixed(decimals), `after ${k} rows: the lesson says ${claimed[i]}%, the model gets ${measured.toFixed(2)}%`);
  });
});

test("lesson 2's cell comparison table: parameters of each cell, and the validation accuracy after 8 epochs in the shipped logs", () => {
  const table = Object.fromEntries(["SimpleRNN", "GRU", "LSTM"].map((name) => {
    const line = lesson2.split("\n").find((l) => l.startsWith(`| ${name} |`))!;
    const cells = line.split("|").map((c) => c.trim());
    return [name, { parameters: Number(cells[2].replace(/,/g, "")), final: Number(cells[4].replace("%", "")) }];
  }));
  const cellOf: Record<string, mnist.CellType> = { SimpleRNN: "simpleRNN", GRU: "gru", LSTM: "lstm" };
  for (const { cell, history } of mnist.comparisonRuns()) {
    const name = Object.keys(cellOf).find((n) => cellOf[n] === cell)!;
    const model = mnist.buildClassifier({ cell, units: 128 });
    assert.equal(model.countParams(), table[name].parameters, `${name} parameters`);
    model.dispose();
    const last = history[history.length - 1];
    assert.equal(last.epoch, 8);
    assert.equal((100 * last.valAccuracy).toFixed(1), table[name].final.toFixed(1), `${name}: validation accuracy after 8 epochs`);
  }
  const shipped = JSON.parse(fs.readFileSync(path.join(mnist.pretrainedDir, "metrics.json"), "utf8"));
  assert.match(lesson2, new RegExp(`\\(epoch ${shipped.bestEpoch}\\): ${(100 * shipped.testAccuracy).toFixed(2)}% on the 10,000 test`));
});
