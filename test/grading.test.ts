// `npm run grade` as a learner and a teacher meet it, through real Jupyter in the course kernel: each exercise is
// graded on its own (a notebook where only that exercise is right scores exactly its points, in every lesson);
// a cell that never ends costs its exercise and nothing else; a file that is not a notebook gets one sentence.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { repoRoot } from "../src/course";
import { gradeNotebook } from "../tools/grader";
import type { Notebook, NotebookCell } from "../tools/execute";
import { editionPath, lessonFiles, loadLesson } from "../tools/lessons";
import { installKernel } from "../tools/setup";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-grading-"));
const env = { RNN_LESSONS_RUNS: path.join(work, "runs") };

before(() => installKernel());

const readJson = (file: string): Notebook => JSON.parse(fs.readFileSync(file, "utf8"));
const roleOf = (cell: NotebookCell) => cell.metadata.rnn_lessons as { exercise?: string; role?: string } | undefined;
const sourceOf = (cell: NotebookCell) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source);

/**
 * The learner edition with `exercise` done as the solution edition does it, every exercise before it wrong (its stub
 * throws an error that is not "not implemented yet"), and nothing after its check cell: the cells after it cannot
 * change its score, and the exercises after it score 0 either way.
 */
function onlyRight(slug: string, exercise: string): string {
  const [learner, solution] = [readJson(editionPath(slug, "learner")), readJson(editionPath(slug, "solution"))];
  const cells = learner.cells.map((cell, i) => {
    const role = roleOf(cell);
    if (role?.role !== "solution") return cell;
    if (role.exercise === exercise) return solution.cells[i];
    return { ...cell, source: sourceOf(cell).replace(/throw notImplemented\(("\w+")\);/, "throw new Error(`a wrong ${$1}, on purpose`);") };
  });
  const check = cells.findIndex((c) => roleOf(c)?.exercise === exercise && roleOf(c)?.role === "check");
  const file = path.join(work, `${slug}-only-${exercise}.ipynb`);
  fs.writeFileSync(file, JSON.stringify({ ...learner, cells: cells.slice(0, check + 1) }));
  return file;
}

// Two notebooks at a time: each has its own kernel and scratch folder, and CI's machine two cores (three were no
// faster: 134 s against 139 s).
describe("each exercise is graded on its own: a notebook where only it is right scores exactly its points", { concurrency: 2 }, () => {
  for (const file of lessonFiles()) {
    const lesson = loadLesson(path.basename(file, ".md"));
    // The first exercise has no exercise before it: the solution edition's own test covers it (test/notebooks.test.ts).
    for (const exercise of lesson.exercises.slice(1)) {
      test(`${lesson.slug}: ${exercise.name}`, async () => {
        const report = await gradeNotebook(onlyRight(lesson.slug, exercise.name), { env, keepExecuted: true });
        const mine = report.exercises.find((e) => e.exercise === exercise.name)!;
        assert.equal(mine.result, "passed", `${mine.message}\n${report.cellErrors.map((e) => `cell ${e.cell}: ${e.error}`).join("\n")}`);
        assert.equal(report.score, exercise.points);
        if (lesson.slug === "04-shakespeare" && exercise.name === "generateOutput") {
          // The check says in one line that it used the library's sample, not the learner's (which is wrong).
          const checkCell = report.executed!.cells.find((c) => roleOf(c)?.exercise === "generateOutput" && roleOf(c)?.role === "check")!;
          assert.match(JSON.stringify(checkCell.outputs), /This check of generateOutput uses the library's sample: yours has not passed its own check\./);
        }
      });
    }
  }
});

function grade(...args: string[]) {
  const result = spawnSync(path.join(repoRoot, "node_modules", ".bin", "tsx"), [path.join(repoRoot, "tools", "cli", "main.ts"), "grade", ...args], {
    cwd: repoRoot, env: { ...process.env, ...env, RNN_LESSONS_HOME: work }, encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// 30 s, as in the issue's report: lesson 3's set-up cell takes under 10 s on an idle 2-core machine (CI's), and the
// loop burns a core for the whole timeout.
test("an exercise that never ends scores 0 'timed out after 30 s'; the others are still graded; messages name the learner's file", () => {
  const notebook = readJson(editionPath("03-dinosaur-names", "solution"));
  const clip = notebook.cells.find((c) => roleOf(c)?.exercise === "clip" && roleOf(c)?.role === "solution")!;
  clip.source = "function clip(gradients: charlm.Gradients, maxValue: number): charlm.Gradients {\n  while (true) {}\n}";
  const file = path.join(work, "loop.ipynb");
  fs.writeFileSync(file, JSON.stringify(notebook));
  const result = grade(file, "--timeout", "30", "--report", path.join(work, "loop.json"));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^grading loop\.ipynb: 4 exercises, about \d+ (seconds|minutes?)\n  1\/4 clip: 0\/2 timed out: timed out after 30 s \(\d+ s\)\n  2\/4 sample: 3\/3 passed/);
  assert.match(result.stdout, /\nclip +0\/2 +timed out +timed out after 30 s\n/);
  assert.match(result.stdout, /\nscore: 10\/12 {2}\(03-dinosaur-names\)\n/);
  assert.doesNotMatch(result.stdout + result.stderr, /rnn-grade-/, "the scratch copy is never named");
  const report = JSON.parse(fs.readFileSync(path.join(work, "loop.json"), "utf8"));
  assert.deepEqual(report.exercises.map((e: { result: string }) => e.result), ["timed out", "passed", "passed", "passed"]);
});

test("a JSON file without cells is refused with one sentence naming it", () => {
  const file = path.join(work, "no-cells.ipynb");
  fs.writeFileSync(file, JSON.stringify({ metadata: {}, nbformat: 4 }));
  const result = grade(file);
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim(), `${file} is not a Jupyter notebook: its JSON has no list of "cells".`);
});
