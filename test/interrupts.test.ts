// Interrupts as a learner makes them: ■ in Jupyter (jupyter_client's interrupt_kernel, a real SIGINT to the
// course kernel) and Ctrl-C or `kill` on `npm run train` (real signals to the process group or to npm).
// Nothing is lost: the kernel and its variables live on, a training loop stops after its batch and keeps its
// rows, the CLI finishes its run (checkpoint, metrics.json), and each says so in one sentence.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { repoRoot } from "../src/course";
import { listRuns, loadRun } from "../src/runs/index";
import { loadPoemModel } from "../src/tang/recipe";
import { initBackend } from "../src/tf/backend";
import { installKernel } from "../tools/setup";
import { kernelSession as sessionIn } from "./kernel-session";
import type { Step } from "./kernel-session";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-interrupts-"));
const runs = path.join(work, "runs");
process.env.RNN_LESSONS_RUNS = runs;

/** Runs cells in a fresh course kernel, writing runs to this file's scratch folder. */
const kernelSession = (steps: Step[]) => sessionIn(steps, runs);

before(() => installKernel());

test("■ during an await, after the cell added a SIGINT listener, keeps the kernel and its variables, with one line", () => {
  const session = kernelSession([
    { code: "let x = 42; x" },
    { code: 'process.on("SIGINT", () => {}); await new Promise((r) => setTimeout(r, 20000));', interrupt_after: 3, settle: 1 },
    { code: "x + 1" },
    { code: "await new Promise((r) => setTimeout(r, 20000));", interrupt_after: 3 },
  ]);
  assert.ok(session.alive_at_end, "the kernel survived both interrupts");
  const [, interrupted, after, again] = session.steps;
  assert.equal(interrupted.status, "error");
  assert.equal(interrupted.stderr.trim(), "Interrupted: the cell was stopped; the kernel and its variables are kept.");
  assert.equal(after.status, "ok");
  assert.equal(again.stderr.trim(), "Interrupted: the cell was stopped; the kernel and its variables are kept.");
});

test("■ during lesson 2's training stops it after the batch: the cell ends with one sentence, the rows and the model are kept", () => {
  const session = kernelSession([
    {
      code: [
        'import * as mnist from "./src/mnist/index";',
        'import { initBackend } from "./src/tf/backend";',
        'import { startRun } from "./src/runs/index";',
        "await initBackend();",
        'const { train, validation } = mnist.splitValidation(mnist.loadMnist("train", { limit: 6000 }), 500);',
        "const model = mnist.buildClassifier({ units: 32 });",
        "const trainingRun = startRun(\"mnist\", { experiment: \"interrupt\" });",
        "0",
      ].join("\n"),
      timeout: 180,
    },
    { code: "const result = await mnist.trainClassifier(model, train, validation, { epochs: 50, batchSize: 64, logEvery: 5, run: trainingRun });", interrupt_after: 12, timeout: 180 },
    { code: "[result.stopped, result.rows.length, model.countParams()]" },
  ]);
  assert.ok(session.alive_at_end);
  const [, training, after] = session.steps;
  assert.equal(training.status, "ok", training.stderr);
  assert.deepEqual(training.errors, []);
  assert.match(training.stdout, /^Interrupted: training stopped after batch \d+; its \d+ logged rows are kept in \S+history\.csv\.$/m);
  assert.equal(after.status, "ok");
  const [run] = listRuns("mnist", { experiment: "interrupt" });
  const rows = loadRun("mnist", run.id).history.length;
  assert.ok(rows >= 1, "rows were logged before the interrupt");
  assert.match(training.stdout, new RegExp(`its ${rows} logged rows are kept`));
});

/** Starts `npm run train -- LESSON` on small settings in its own process group; resolves when it exits. */
function npmTrain(lesson: string, args: string[], signal: { to: "group" | "npm"; name: NodeJS.Signals; afterOutput: RegExp }) {
  const child = spawn("npm", ["run", "--silent", "train", "--", lesson, ...args], {
    cwd: repoRoot, env: { ...process.env, RNN_LESSONS_RUNS: runs }, detached: true, stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let sent = false;
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    if (!sent && signal.afterOutput.test(stdout)) {
      sent = true;
      process.kill(signal.to === "group" ? -child.pid! : child.pid!, signal.name);
    }
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise<{ code: number | null; stdout: string; stderr: string; pid: number }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr, pid: child.pid! })));
}

// The exit code is 128 + the signal's number, as a shell reports a program that signal ended (130 for SIGINT, 143 for
// SIGTERM): the run is kept all the same, but `npm run train && npm run generate` must not go on, and a process manager
// that sent SIGTERM sees its own signal.
for (const [label, signal, exitCode] of [["Ctrl-C (SIGINT to the process group)", { to: "group", name: "SIGINT" }, 130], ["kill (SIGTERM to npm)", { to: "npm", name: "SIGTERM" }, 143]] as const) {
  test(`${label} on npm run train -- mnist: the trainer finishes its batch, saves the checkpoint, writes metrics.json that says it stopped, exits ${exitCode}`, async () => {
    const before = new Set(listRuns("mnist").map((r) => r.id));
    const result = await npmTrain("mnist", ["--limit", "3000", "--validation", "500", "--units", "16", "--batch-size", "32", "--epochs", "20", "--log-every", "10"],
      { ...signal, afterOutput: /parameters; .* run / });
    assert.equal(result.code, exitCode, result.stderr);
    assert.match(result.stdout, /(Interrupted|Stopped): training stopped after batch \d+; its \d+ logged rows are kept/);
    const run = listRuns("mnist").find((r) => !before.has(r.id))!;
    assert.equal(run.status, "finished");
    const metrics = JSON.parse(fs.readFileSync(path.join(run.dir, "metrics.json"), "utf8"));
    assert.equal(metrics.stopped, true);
    assert.ok(metrics.testAccuracy > 0.1, "the checkpoint loads and is evaluated on the test digits");
    assert.ok(fs.existsSync(path.join(run.dir, "model", "weights.bin")));
    const orphans = spawnSync("pgrep", ["-f", `tools/cli/main.ts train -- mnist|tools/cli/main.ts train mnist`], { encoding: "utf8" }).stdout.trim();
    assert.equal(orphans, "", "no trainer left running");
  });
}

test("■ during lesson 4's training from the notebook: one sentence says what was kept, the run's log and best model are on disk", () => {
  const session = kernelSession([
    {
      code: [
        'import * as shakespeare from "./src/shakespeare/index";',
        'import { initBackend } from "./src/tf/backend";',
        "await initBackend();",
        "0",
      ].join("\n"),
      timeout: 180,
    },
    { code: 'const more = await shakespeare.trainRecipe({ startFrom: "datasets/pretrained/shakespeare-lstm", maxSteps: 1000, evalEvery: 2, lr: 1e-4 });', interrupt_after: 25, timeout: 240 },
    { code: "[more.metrics.ended, more.result.rows.length]" },
  ]);
  assert.ok(session.alive_at_end);
  const [, training, after] = session.steps;
  assert.equal(training.status, "ok", training.stderr);
  assert.deepEqual(training.errors, []);
  const said = training.stdout.match(/^Stopped: training stopped after batch (\d+); its (\d+) logged rows are kept in (\S+)history\.csv, the best model in \S+, the last checkpoint \(to resume\) in \S+\.$/m);
  assert.ok(said, training.stdout);
  assert.match(after.stdout, /stopped/);
  const run = listRuns("shakespeare").find((r) => loadRun("shakespeare", r.id).history.length === Number(said[2]));
  assert.ok(run, `a run with ${said[2]} rows`);
  assert.ok(fs.existsSync(path.join(run.dir, "model", "weights.bin")), "the best model so far");
  assert.ok(fs.existsSync(path.join(run.dir, "checkpoint", "optimizer.bin")), "the checkpoint to resume from");
});

test("Ctrl-C on npm run train -- tang: one sentence says what was kept; the log, a loadable best model and a checkpoint to resume from are on disk; exit 130", async () => {
  const before = new Set(listRuns("tang").map((r) => r.id));
  const result = await npmTrain("tang", ["--limit", "640", "--units", "16", "--embedding", "8", "--max-steps", "2000", "--eval-every", "5", "--sample-count", "2", "--measure-count", "0"],
    { to: "group", name: "SIGINT", afterOutput: /^step 5 /m });
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stdout, /^Stopped: training stopped after batch \d+; its \d+ logged rows are kept in \S+history\.csv/m);
  const run = listRuns("tang").find((r) => !before.has(r.id))!;
  assert.ok(loadRun("tang", run.id).history.length >= 1);
  await initBackend();
  const best = await loadPoemModel(path.join(run.dir, "model"));
  assert.equal(best.vocab.vocabSize, best.model.outputs[0].shape[2]);
  best.model.dispose();
  assert.ok(fs.existsSync(path.join(run.dir, "checkpoint", "optimizer.bin")), "the checkpoint to resume from");
});
