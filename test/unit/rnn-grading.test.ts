// `npm run grade` on a half-done copy of lesson 1, through real Jupyter (one notebook run): a right exercise
// scores, unfinished ones say "not implemented", a classic backward-pass bug fails the visible check, a cache
// bug that the visible check cannot see fails the hidden tests, and a type error is reported as a check that
// did not run; the learner's file is left as it was.
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { editionPath } from "../../tools/lessons";
import { installKernel } from "../../tools/setup";
import { gradeNotebook } from "../../tools/grader";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-grading-"));
const env = { RNN_LESSONS_RUNS: path.join(work, "runs"), RNN_LESSONS_QUICK: "1" };
const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

before(() => installKernel());

/** What the learner wrote in each exercise cell they touched; the others keep the learner edition's stub. */
const answers: Record<string, string> = {
  // Right.
  rnnCellForward: `function rnnCellForward(xt: NDArray, aPrev: NDArray, parameters: RnnParameters): [NDArray, NDArray, RnnCache] {
  const { Wax, Waa, Wya, ba, by } = parameters;
  const aNext = np.tanh(Waa.dot(aPrev).add(Wax.dot(xt)).add(ba));
  return [aNext, rnn.softmax(Wya.dot(aNext).add(by)), { aNext, aPrev, xt, parameters }];
}`,
  // The classic mistake: the upstream gradient passed through tanh without tanh's derivative.
  rnnCellBackward: `function rnnCellBackward(daNext: NDArray, cache: RnnCache): RnnCellGradients {
  const { aPrev, xt, parameters } = cache;
  const dtanh = daNext;
  return { dxt: parameters.Wax.T.dot(dtanh), daPrev: parameters.Waa.T.dot(dtanh), dWax: dtanh.dot(xt.T), dWaa: dtanh.dot(aPrev.T), dba: dtanh.sum(1, true) };
}`,
  // Right on the visible values, but keeps ft in the cache's place for it: only the hidden tests look there.
  lstmCellForward: `function lstmCellForward(xt: NDArray, aPrev: NDArray, cPrev: NDArray, parameters: LstmParameters): [NDArray, NDArray, NDArray, LstmCache] {
  const [aNext, cNext, ytPred, cache] = rnn.lstmCellForward(xt, aPrev, cPrev, parameters);
  return [aNext, cNext, ytPred, { ...cache, it: cache.ft }];
}`,
  // Does not type-check: GRU parameters have no Wz.
  gruCellForward: `function gruCellForward(xt: NDArray, aPrev: NDArray, parameters: GruParameters): [NDArray, NDArray, GruCache] {
  const z = np.sigmoid(parameters.Wz.dot(xt));
  return rnn.gruCellForward(xt, aPrev, parameters);
}`,
};

test("grading a half-done lesson 1: each exercise gets the result its code deserves", async () => {
  const notebook = JSON.parse(fs.readFileSync(editionPath("01-rnn-lstm-theory", "learner"), "utf8"));
  for (const [exercise, source] of Object.entries(answers)) {
    const cell = notebook.cells.find((c: { id: string }) => c.id.endsWith(`-${exercise}-solution`));
    assert.ok(cell, `no solution cell for ${exercise}`);
    cell.source = source;
  }
  const file = path.join(work, "01-rnn-lstm-theory.ipynb");
  fs.writeFileSync(file, JSON.stringify(notebook, null, 1));
  const before = sha256(file);

  const report = await gradeNotebook(file, { env, reportFile: path.join(work, "report.json") });
  assert.equal(sha256(file), before);
  const byName = Object.fromEntries(report.exercises.map((e) => [e.exercise, e]));

  assert.deepEqual(
    report.exercises.map((e) => [e.exercise, e.result, e.points]),
    [
      ["rnnCellForward", "passed", 1],
      ["rnnForward", "not implemented", 0],
      ["rnnCellBackward", "failed", 0],
      ["rnnBackward", "not implemented", 0],
      ["gradCheck", "not implemented", 0],
      ["lstmCellForward", "failed", 0],
      ["lstmForward", "not implemented", 0],
      ["lstmCellBackward", "not implemented", 0],
      ["gruCellForward", "did not run", 0],
    ],
  );
  assert.equal(report.score, 1);
  assert.equal(report.maxScore, 14);
  assert.match(byName.rnnCellBackward.message, /^\d of 7 checks failed: dxt\.get\(1, 2\): value is \S+, expected 1\.3653821219712916/);
  assert.match(byName.lstmCellForward.message, /^hidden tests: \d+ of 20 checks failed: seed 11: cache\.it: /);
  assert.match(byName.gruCellForward.message, /^the check did not run: .*Property 'Wz' does not exist on type 'GruParameters'/);
  // The cells after unfinished and wrong exercises ran cleanly: errors show only in the cell that does not
  // type-check and in its check and hidden cells, which cannot find the function it failed to define.
  assert.deepEqual(
    report.cellErrors.map((e) => e.error.replace(/^\d+:\d+ - /, "")),
    ["Property 'Wz' does not exist on type 'GruParameters'.", ...Array(2).fill("Cannot find name 'gruCellForward'. Did you mean 'rnnCellForward'?")],
  );
});
