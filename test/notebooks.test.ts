// Every lesson through real Jupyter, in the course kernel: the solution edition passes every check
// (visible and hidden) without a single error output; the learner edition reports "not implemented yet"
// for each exercise and nothing else breaks; the grader scores a half-done notebook and leaves it as it was.
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { editionPath, lessonFiles } from "../tools/lessons";
import { installKernel } from "../tools/setup";
import * as Papa from "papaparse";
import { gradeClass, gradeNotebook, GradeReport } from "../tools/grader";
import { execFileSync } from "node:child_process";
import { jupyterPython } from "../src/course";
import { jupyterEnv } from "../tools/setup";
import { checkPlotsDrew } from "./browser/render";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-notebooks-"));
// Runs written by the notebooks go to a scratch folder, not the learner's runs/.
const env = { RNN_LESSONS_RUNS: path.join(work, "runs"), RNN_LESSONS_QUICK: "1" };
const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

before(() => installKernel());

function describeErrors(report: GradeReport): string {
  return report.cellErrors.map((e) => `cell ${e.cell}: ${e.error}`).join("\n");
}

for (const file of lessonFiles()) {
  const slug = path.basename(file, ".md");
  describe(slug, () => {
    // Every cell runs here, the cells grading leaves out too: the whole lesson must run without an error.
    test("solution edition: every check passes, no error output", async () => {
      const notebook = editionPath(slug, "solution");
      const report = await gradeNotebook(notebook, { env, keepExecuted: true, everyCell: true });
      assert.deepEqual(report.cellErrors, [], describeErrors(report));
      for (const exercise of report.exercises) assert.equal(exercise.result, "passed", `${exercise.exercise}: ${exercise.message}`);
      assert.equal(report.score, report.maxScore);
      fs.writeFileSync(path.join(work, `${slug}-solution-executed.ipynb`), JSON.stringify(report.executed));
    });

    test("learner edition: each check says not implemented yet, nothing else breaks, the file is untouched", async () => {
      const notebook = editionPath(slug, "learner");
      const before = sha256(notebook);
      const report = await gradeNotebook(notebook, { env, keepExecuted: true, everyCell: true });
      assert.equal(sha256(notebook), before);
      assert.deepEqual(report.cellErrors, [], describeErrors(report));
      assert.ok(report.exercises.length > 0);
      for (const exercise of report.exercises) assert.equal(exercise.result, "not implemented", `${exercise.exercise}: ${exercise.message}`);
      const checkOutputs = report.executed!.cells
        .filter((c) => c.metadata.rnn_lessons?.role === "check")
        .map((c) => JSON.stringify(c.outputs));
      assert.equal(checkOutputs.length, report.exercises.length);
      for (const output of checkOutputs) assert.match(output, /not implemented yet/);
    });
  });
}

describe("grading a half-done welcome notebook", () => {
  const learner = JSON.parse(fs.readFileSync(editionPath("00-welcome", "learner"), "utf8"));
  const withSoftmax = (body: string) => {
    const copy = structuredClone(learner);
    const cell = copy.cells.find((c: { id: string }) => c.id.endsWith("softmax-solution"));
    cell.source = `function softmax(z: number[]): number[] {\n${body}\n}`;
    const file = path.join(work, `half-done-${crypto.randomUUID()}.ipynb`);
    fs.writeFileSync(file, JSON.stringify(copy, null, 1));
    return file;
  };

  test("a softmax that overflows fails the visible check, with the failing row in the message", async () => {
    const file = withSoftmax("  const exps = z.map(Math.exp);\n  const total = exps.reduce((a, b) => a + b, 0);\n  return exps.map((e) => e / total);");
    const before = sha256(file);
    const reportFile = path.join(work, "half-done-report.json");
    const report = await gradeNotebook(file, { env, reportFile });
    assert.equal(sha256(file), before);
    assert.equal(report.score, 0);
    assert.equal(report.exercises[0].result, "failed");
    assert.equal(report.exercises[0].message,
      "1 of 2 checks failed: softmax([1000, 1000]) (no overflow): entry 0 (flat index) is NaN, expected 0.5 (tolerance 1e-12)");
    assert.deepEqual(JSON.parse(fs.readFileSync(reportFile, "utf8")).exercises, report.exercises);
  });

  test("grading writes nothing in the learner's runs/: the graded copy logs its runs in a scratch folder", async () => {
    const learnerRuns = path.join(work, "learner-runs");
    fs.mkdirSync(path.join(learnerRuns, "welcome", "my-run"), { recursive: true });
    fs.writeFileSync(path.join(learnerRuns, "welcome", "my-run", "history.csv"), "step,loss\n1,3.2\n");
    const listing = () => fs.readdirSync(learnerRuns, { recursive: true }).map(String).sort();
    const before = listing();
    const saved = process.env.RNN_LESSONS_RUNS;
    process.env.RNN_LESSONS_RUNS = learnerRuns; // what the learner's kernel and CLI would use
    try {
      const report = await gradeNotebook(editionPath("00-welcome", "solution"), { env: { RNN_LESSONS_QUICK: "1" } });
      assert.equal(report.score, report.maxScore, "the notebook trained and logged runs while graded");
    } finally {
      if (saved === undefined) delete process.env.RNN_LESSONS_RUNS;
      else process.env.RNN_LESSONS_RUNS = saved;
    }
    assert.deepEqual(listing(), before);
  });

  test("a softmax right on the visible check but wrong on the hidden tests fails on the hidden tests", async () => {
    // Right for two equal scores and for [1, 2, 3]; wrong for a single score (it returns []).
    const file = withSoftmax("  if (z.length === 1) return [];\n  const m = Math.max(...z);\n  const e = z.map((v) => Math.exp(v - m));\n  const s = e.reduce((a, b) => a + b, 0);\n  return e.map((x) => x / s);");
    const report = await gradeNotebook(file, { env });
    assert.equal(report.exercises[0].result, "failed", `${report.exercises[0].message}\n${describeErrors(report)}`);
    assert.match(report.exercises[0].message, /^hidden tests: 1 of 4 checks failed: a single score has probability 1/);
  });

  test("stderr chatter (a library's warning) does not cost points", async () => {
    const file = withSoftmax('  console.warn("Hi, looks like you are running TensorFlow.js in Node.js");\n  const m = Math.max(...z);\n  const e = z.map((v) => Math.exp(v - m));\n  const s = e.reduce((a, b) => a + b, 0);\n  return e.map((x) => x / s);');
    const report = await gradeNotebook(file, { env });
    assert.equal(report.exercises[0].result, "passed", report.exercises[0].message);
    assert.equal(report.score, 1);
  });

  test("a type error in the exercise cell is reported as a check that did not run", async () => {
    const file = withSoftmax("  return z.map((v) => v.toUpperCase());");
    const report = await gradeNotebook(file, { env });
    assert.equal(report.exercises[0].result, "did not run");
    assert.match(report.exercises[0].message, /Property 'toUpperCase' does not exist on type 'number'/);
  });
});

describe("grading a class", () => {
  test("npm run grade -- FOLDER --gradebook FILE: each learner's notebook graded alone, one CSV row per learner and exercise", async () => {
    const submissions = path.join(work, "submissions");
    for (const [learner, edition] of [["alice", "solution"], ["bob", "learner"]] as const) {
      fs.mkdirSync(path.join(submissions, learner), { recursive: true });
      fs.copyFileSync(editionPath("00-welcome", edition), path.join(submissions, learner, "00-welcome.ipynb"));
    }
    fs.mkdirSync(path.join(submissions, "carol"));
    fs.writeFileSync(path.join(submissions, "carol", "00-welcome.ipynb"), "{ not json");
    const gradebook = path.join(work, "gradebook.csv");
    const rows = await gradeClass(submissions, gradebook, { env });
    const parsed = Papa.parse<Record<string, string>>(fs.readFileSync(gradebook, "utf8"), { header: true, skipEmptyLines: true }).data;
    assert.deepEqual(parsed.map((r) => [r.learner, r.exercise, r.points, r.result]), rows.map((r) => [r.learner, r.exercise, String(r.points), r.result]));
    const byLearner = (name: string) => parsed.filter((r) => r.learner === name);
    assert.ok(byLearner("alice").length > 0 && byLearner("alice").every((r) => r.result === "passed" && r.points === r.maxPoints));
    assert.ok(byLearner("bob").every((r) => r.result === "not implemented" && r.points === "0"));
    assert.deepEqual(byLearner("carol").map((r) => r.result), ["could not grade"]);
    assert.match(byLearner("carol")[0].message, /is not a notebook \(JSON\)/);
  });
});

describe("plots in an executed notebook, exported to HTML, in headless Chromium", () => {
  test("the welcome lesson's charts draw (SVG present, screenshot not blank)", async () => {
    const executed = path.join(work, "00-welcome-solution-executed.ipynb");
    assert.ok(fs.existsSync(executed), "the welcome solution edition must have run first (test order)");
    execFileSync(jupyterPython, ["-m", "nbconvert", "--to", "html", "--output-dir", work, executed], { env: jupyterEnv(), stdio: "pipe" });
    const html = executed.replace(/\.ipynb$/, ".html");
    // Three figures: the squashing functions, the live loss curve, the overlaid runs.
    const result = await checkPlotsDrew(html, path.join(work, "welcome.png"), { minPlots: 3, height: 4000 });
    assert.deepEqual(result.problems, []);
    assert.ok(result.ok);
  });
});
