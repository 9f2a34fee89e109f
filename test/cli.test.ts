// The command line as a learner types it: help, clear errors for bad input, and a real (tiny) run.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../src/course";
import { listRuns, loadRun } from "../src/runs/index";

const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-cli-runs-"));
process.env.RNN_LESSONS_RUNS = runsDir; // where the CLI writes and listRuns below reads

function cli(...args: string[]) {
  const result = spawnSync(path.join(repoRoot, "node_modules", ".bin", "tsx"), [path.join(repoRoot, "tools", "cli", "main.ts"), ...args], {
    cwd: repoRoot,
    // As `npm run` started in the course folder: INIT_CWD is the folder a learner's paths are read from.
    env: { ...process.env, RNN_LESSONS_RUNS: runsDir, INIT_CWD: repoRoot },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** cli() without waiting: refusals run side by side. */
function cliAsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path.join(repoRoot, "node_modules", ".bin", "tsx"), [path.join(repoRoot, "tools", "cli", "main.ts"), ...args],
      { cwd: repoRoot, env: { ...process.env, RNN_LESSONS_RUNS: runsDir, INIT_CWD: repoRoot }, encoding: "utf8" },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }));
  });
}

/** Runs cli commands two at a time (the machine has 2 cores); resolves to their results in order. */
async function clis(commands: string[][]) {
  const results: Array<Awaited<ReturnType<typeof cliAsync>>> = [];
  let next = 0;
  const worker = async () => {
    while (next < commands.length) {
      const i = next++;
      results[i] = await cliAsync(...commands[i]);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

test("--help describes each command", () => {
  const train = cli("train", "--help");
  assert.equal(train.code, 0);
  assert.match(train.stdout, /npm run train -- LESSON \[flags\]\n  Lessons: \n    welcome: /);
  const welcome = cli("train", "welcome", "--help");
  assert.equal(welcome.code, 0);
  assert.match(welcome.stdout, /--lr <number>\s+learning rate: a number > 0 \(default 5\)/);
  assert.match(cli("grade", "--help").stdout, /--report <string>/);
  assert.match(cli("bench", "--help").stdout, /npm run bench -- NAME/);
});

test("unknown lessons, flags and values are refused with a sentence and the usage", () => {
  const lesson = cli("train", "dragons");
  assert.equal(lesson.code, 2);
  assert.match(lesson.stderr, /^npm run train: unknown lesson "dragons" \(lessons: welcome/);
  const flag = cli("train", "welcome", "--epochs", "3");
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown flag --epochs \(flags: --lr, --steps, --data, --log-every\)/);
  const value = cli("train", "welcome", "--steps", "ten");
  assert.equal(value.code, 2);
  assert.match(value.stderr, /--steps must be a whole number, got "ten"/);
  assert.match(cli("bench", "nope").stderr, /unknown benchmark "nope" \(benchmarks: /);
  assert.match(cli("grade").stderr, /give one notebook/);
  const data = cli("train", "welcome", "--data", "package-lock.json.missing");
  assert.equal(data.code, 1);
  assert.match(data.stderr, /loadNames: no file at .*package-lock\.json\.missing/);
});

test("train welcome logs a run, prints samples and writes an HTML report beside the CSV", () => {
  const result = cli("train", "welcome", "--lr", "20", "--steps", "30");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const [run] = listRuns("welcome");
  assert.equal(run.status, "finished");
  assert.deepEqual(run.settings, { model: "bigram", lr: 20, steps: 30, data: "datasets/dinos.txt" });
  const loaded = loadRun("welcome", run.id);
  assert.deepEqual(loaded.problems, []);
  assert.deepEqual(loaded.history.map((r) => r.step), Array.from({ length: 30 }, (_, i) => i + 1));
  // Before the first step all 27 characters are equally likely: loss = log 27.
  assert.ok(Math.abs(loaded.history[0].loss - Math.log(27)) < 1e-12, String(loaded.history[0].loss));
  assert.ok(loaded.history[29].loss < 2.4);
  assert.match(result.stdout, /sampled names: \w+/);
  const report = fs.readFileSync(path.join(run.dir, "report.html"), "utf8");
  assert.match(report, /Plotly\.newPlot/);
});

test("train welcome: bad settings leave no run folder, a diverging run stops with a sentence, --log-every thins the log", () => {
  const count = () => listRuns("welcome").length;
  const before = count();
  for (const [args, sentence] of [[["--lr", "-1"], "--lr must be a number > 0, got -1."], [["--steps", "0"], "--steps must be a whole number ≥ 1, got 0."],
    [["--log-every", "0"], "--log-every must be a whole number ≥ 1, got 0."]] as const) {
    const bad = cli("train", "welcome", ...args);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.split("\n")[0], `npm run train: ${sentence}`);
  }
  assert.equal(count(), before, "no run folder for settings refused up front");
  const diverged = cli("train", "welcome", "--lr", "1e6", "--steps", "50");
  assert.equal(diverged.code, 1);
  assert.match(diverged.stderr.trim(), /^Training diverged: the loss became (Infinity|NaN) at step \d+ with --lr 1000000; try a smaller --lr \(the default is 5\)\. The run's rows are in \S+history\.csv\.$/);
  const runs = listRuns("welcome");
  const last = runs[runs.length - 1];
  assert.equal(last.status, "finished");
  assert.equal(typeof last.summary?.divergedAtStep, "number");
  const thin = cli("train", "welcome", "--steps", "45", "--log-every", "10");
  assert.equal(thin.code, 0, thin.stderr);
  const newest = listRuns("welcome").pop()!;
  assert.deepEqual(loadRun("welcome", newest.id).history.map((r) => r.step), [10, 20, 30, 40, 45]);
});

test("train dinosaur-names runs lesson 3's model() with the course's printed logs, logged under the course-wide names", () => {
  const result = cli("train", "dinosaur-names", "--steps", "301", "--units", "10", "--log-every", "100");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Iteration: 0, Loss: 23\.0873\d\d$/m);
  const run = listRuns("dinosaur-names").pop()!;
  assert.deepEqual(run.settings, { model: "rnn", data: "dinos.txt", units: 10, lr: 0.01, update: "sgd", steps: 301 });
  assert.deepEqual(loadRun("dinosaur-names", run.id).history.map((r) => r.step), [0, 100, 200, 300]);
  const before = listRuns("dinosaur-names").length;
  for (const [args, sentence] of [[["--units", "0"], "--units must be a whole number ≥ 1, got 0."], [["--log-every", "0"], "--log-every must be a whole number ≥ 1, got 0."],
    [["--update", "adam"], "--update must be one of sgd, adagrad, got \"adam\"."]] as const) {
    const bad = cli("train", "dinosaur-names", ...args);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.split("\n")[0], `npm run train: ${sentence}`);
  }
  assert.equal(listRuns("dinosaur-names").length, before, "no run folder for refused settings");
});

test("train shakespeare on a learner's own text (Chinese) and generate from it; the shipped model: same seed, same text", () => {
  const text = path.join(runsDir, "lyrics.txt");
  fs.writeFileSync(text, "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n".repeat(20));
  const out = path.join(runsDir, "lyrics-model");
  const trained = cli("train", "shakespeare", "--text", text, "--max-steps", "4", "--eval-every", "2", "--units", "16", "--embedding", "8",
    "--batch-size", "4", "--seq-length", "20", "--out", out);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /^\d+ parameters; 20 characters; \d+ to train on, \d+ held out; run /m);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "vocab.json"), "utf8")).length, 20);
  const mine = cli("generate", "shakespeare", "--model", out, "--prompt", "床前", "--length", "20", "--seed", "3");
  assert.equal(mine.code, 0, mine.stderr);
  assert.equal(Array.from(mine.stdout.trim().split("\n").pop()!.replace(/\n/g, "")).length > 0, true);
  const args = ["generate", "shakespeare", "--prompt", "shall i compare thee", "--length", "120", "--temperature", "0.5", "--seed", "1"];
  const [first, again] = [cli(...args), cli(...args)];
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, again.stdout, "the same seed writes the same text");
  assert.ok(first.stdout.includes("shall i compare thee"));
  const bad = cli("generate", "shakespeare", "--temperature", "0");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--temperature must be above 0, got 0/);
});

test("train shakespeare-window: the course's window model, epoch by epoch, with its held-out loss; the files it writes load", () => {
  const text = path.join(runsDir, "verse.txt");
  fs.writeFileSync(text, "from fairest creatures we desire increase,\nthat thereby beauty's rose might never die,\n".repeat(10));
  const out = path.join(runsDir, "window-model");
  const trained = cli("train", "shakespeare-window", "--text", text, "--epochs", "2", "--units", "8", "--out", out);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /^epoch 1: loss \d+\.\d{4}, held-out \d+\.\d{4} nats\/char, \d+ windows\/s$/m);
  assert.match(trained.stdout, /^best held-out loss \d+\.\d{4} nats\/char after 2 epochs$/m);
  assert.deepEqual(fs.readdirSync(out).sort(), ["history.csv", "metrics.json", "model.json", "settings.json", "vocab.json", "weights.bin"]);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8")).epochs, 2);
});

test("train tang (tiny) and generate from it; the shipped model: acrostic, form, rhyme, --json, same seed same poems, a head it lacks named", () => {
  const out = path.join(runsDir, "tang-model");
  const trained = cli("train", "tang", "--limit", "64", "--max-steps", "2", "--eval-every", "2", "--units", "16", "--embedding", "8",
    "--sample-count", "2", "--measure-count", "4", "--out", out);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /^\d+ parameters; 3004 symbols; 64 poems to train on \(\d+ batches an epoch\), 7 held out; run /m);
  assert.match(trained.stdout, /4 free poems at temperature 0\.7: \d+% regular, (\d+%|–) of those rhyming unforced, 0 stray symbols; in a form 100% regular \((\d+%|–) of those rhyming unforced\); acrostics 100% right; forced rhyme 100% right/);
  const mine = cli("generate", "tang", "--model", out, "--first", "月", "--json");
  assert.equal(mine.code, 0, mine.stderr);
  assert.ok(JSON.parse(mine.stdout).text.startsWith("月"));
  if (!fs.existsSync(path.join(repoRoot, "datasets", "pretrained", "tang-lstm", "model.json"))) return;
  const args = ["generate", "tang", "--heads", "春夏秋冬", "--form", "五言绝句", "--rhyme", "--temperature", "0.8", "--seed", "1", "--count", "5"];
  const [first, again] = [cli(...args), cli(...args)];
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, again.stdout, "the same seed writes the same poems");
  const poems = first.stdout.trim().split("\n\n").map((p) => p.split("\n").filter((l) => !l.startsWith("TensorFlow.js backend")));
  assert.equal(poems.length, 5);
  for (const couplets of poems) {
    assert.equal(couplets.length, 2);
    const lines = couplets.join("").split(/[，。]/).filter(Boolean);
    assert.deepEqual(lines.map((l) => l[0]).join(""), "春夏秋冬");
    assert.ok(lines.every((l) => Array.from(l).length === 5));
  }
  const json = cli("generate", "tang", "--first", "月", "--json", "--count", "3", "--seed", "2");
  assert.equal(json.code, 0, json.stderr);
  const objects = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(objects.length, 3);
  for (const o of objects) {
    assert.ok(o.text.startsWith("月"));
    assert.equal(o.lines.join(""), o.text);
    assert.ok(o.form === null || /^[五七]言(绝句|律诗)$/.test(o.form));
  }
  const lacking = cli("generate", "tang", "--heads", "春夏秋𪚥");
  assert.equal(lacking.code, 2);
  assert.match(lacking.stderr, /The head character of line 4 "𪚥" is not in the vocabulary/);
  const badForm = cli("generate", "tang", "--form", "sonnet");
  assert.equal(badForm.code, 2);
  assert.match(badForm.stderr, /--form must be one of free, regular, 五言绝句/);
  // The sentence says how to fix it, and under it only the lesson's --help line, not the list of lessons.
  const wrongCount = cli("generate", "tang", "--heads", "明月何时", "--form", "五言律诗");
  assert.equal(wrongCount.code, 2);
  assert.equal(wrongCount.stderr.trim(), "npm run generate: 五言律诗 has 8 lines, but 4 heads were given (明月何时): give 8 heads, or a form of 4 lines (五言绝句 or 七言绝句).\n\nnpm run generate -- tang --help lists its flags.");
});

/** Every file of a folder (and its subfolders) with the SHA-256 of its bytes, to compare before and after a command. */
function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => { const file = path.join(e.parentPath, e.name); return [path.relative(dir, file), createHash("sha256").update(fs.readFileSync(file)).digest("hex")]; }));
}

/** The run folders of every lesson so far: a refused command must add none. */
const allRunFolders = () => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir, { recursive: true }).map(String).filter((f) => !f.includes(path.sep)) : [])
  .flatMap((lesson) => (fs.statSync(path.join(runsDir, lesson)).isDirectory() ? fs.readdirSync(path.join(runsDir, lesson)).map((id) => `${lesson}/${id}`) : []));

test("--out never writes into datasets/pretrained/, even with --force, and replaces a learner's model only with --force", async () => {
  const text = path.join(runsDir, "out-verse.txt");
  fs.writeFileSync(text, "shall i compare thee to a summer's day?\nthou art more lovely and more temperate:\n".repeat(10));
  const tiny = ["--text", text, "--max-steps", "2", "--eval-every", "2", "--units", "8", "--embedding", "4", "--batch-size", "2", "--seq-length", "10"];
  const shipped = path.join(repoRoot, "datasets", "pretrained", "shakespeare-lstm");
  const shippedTang = path.join(repoRoot, "datasets", "pretrained", "tang-lstm");
  const [shippedBefore, tangBefore] = [filesOf(shipped), filesOf(shippedTang)];
  const runsBefore = allRunFolders();
  const [absolute, dotted, window, tang, mnist, report] = await clis([
    ["train", "shakespeare", ...tiny, "--out", shipped, "--force"],
    ["train", "shakespeare", ...tiny, "--out", "datasets/pretrained/../pretrained/new-model"],
    ["train", "shakespeare-window", "--text", text, "--epochs", "1", "--out", "datasets/pretrained/shakespeare-window", "--force"],
    // Tiny settings: before the fix, these trained (and wrote there).
    ["train", "tang", "--limit", "32", "--max-steps", "1", "--eval-every", "1", "--units", "8", "--embedding", "4", "--sample-count", "0", "--measure-count", "0",
      "--out", "datasets/pretrained/tang-lstm"],
    ["train", "mnist", "--limit", "64", "--validation", "32", "--max-batches", "1", "--units", "8", "--out", "datasets/pretrained/mnist-lstm", "--force"],
    ["grade", "notebooks/00-welcome.ipynb", "--report", "datasets/pretrained/mnist-lstm/metrics.json"],
  ]);
  assert.deepEqual(filesOf(shipped), shippedBefore, "the shipped model's files are byte-identical");
  assert.deepEqual(filesOf(shippedTang), tangBefore, "the shipped model's files are byte-identical");
  assert.equal(fs.existsSync(path.join(repoRoot, "datasets", "pretrained", "new-model")), false);
  for (const refused of [absolute, dotted, window, tang, mnist]) {
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(refused.stderr, /^npm run train: --out datasets\/pretrained\/\S+ is inside datasets\/pretrained, the course's shipped models, which no command writes into, even with --force: choose another folder, e\.g\. models\/\S+\.\n/);
  }
  assert.equal(report.code, 2);
  assert.match(report.stderr, /^npm run grade: --report datasets\/pretrained\/mnist-lstm\/metrics\.json is inside datasets\/pretrained/);
  assert.deepEqual(allRunFolders(), runsBefore, "no run folder for a refused --out");

  const mine = path.join(runsDir, "my-model");
  const first = cli("train", "shakespeare", ...tiny, "--out", mine);
  assert.equal(first.code, 0, first.stderr);
  const kept = filesOf(mine);
  const again = cli("train", "shakespeare", ...tiny, "--seed", "7", "--out", mine);
  assert.equal(again.code, 2);
  assert.equal(again.stderr.split("\n")[0], `npm run train: --out ${mine} already holds a model (model.json): choose another folder, or add --force to replace it.`);
  assert.deepEqual(filesOf(mine), kept, "the learner's earlier model is kept");
  const forced = cli("train", "shakespeare", ...tiny, "--seed", "7", "--out", mine, "--force");
  assert.equal(forced.code, 0, forced.stderr);
  assert.notEqual(filesOf(mine)["weights.bin"], kept["weights.bin"], "--force replaces it");
});

test("every setting of every recipe is checked before anything is written: one sentence names the flag and its range", async () => {
  const runsBefore = allRunFolders();
  // Tiny settings, then the bad one (the last value of a flag counts): before the fix, these started runs.
  const text = path.join(runsDir, "settings-verse.txt");
  fs.writeFileSync(text, "shall i compare thee to a summer's day?\nthou art more lovely and more temperate:\n".repeat(10));
  const shakespeare = ["shakespeare", "--text", text, "--max-steps", "1", "--eval-every", "1", "--units", "8", "--embedding", "4", "--batch-size", "2", "--seq-length", "10"];
  const tang = ["tang", "--limit", "32", "--max-steps", "1", "--eval-every", "1", "--units", "8", "--embedding", "4", "--sample-count", "0", "--measure-count", "0"];
  const cases: Array<[string[], string]> = [
    [[...shakespeare, "--batch-size", "0"], "--batch-size must be a whole number ≥ 1, got 0."],
    [[...shakespeare, "--seq-length", "0"], "--seq-length must be a whole number ≥ 1, got 0."],
    [[...shakespeare, "--max-steps", "0"], "--max-steps must be a whole number ≥ 1, got 0."],
    [[...shakespeare, "--clip-norm", "0"], "--clip-norm must be a number > 0, got 0."],
    [[...shakespeare, "--lr", "0"], "--lr must be a number > 0, got 0."],
    [["shakespeare-window", "--text", text, "--units", "8", "--epochs", "0"], "--epochs must be a whole number ≥ 1, got 0."],
    [[...tang, "--epochs", "0"], "--epochs must be a whole number ≥ 1, got 0."],
    [[...tang, "--max-vocab", "1"], "--max-vocab must be a whole number ≥ 3, got 1."],
    [[...tang, "--rhyme-input", "sometimes"], '--rhyme-input must be one of none, always, place, got "sometimes".'],
    [["mnist", "--limit", "64", "--validation", "32", "--max-batches", "1", "--units", "8", "--dropout", "1"], "--dropout must be a number ≥ 0 and < 1, got 1."],
  ];
  const results = await clis(cases.map(([args]) => ["train", ...args]));
  for (const [i, [args, sentence]] of cases.entries()) {
    const refused = results[i];
    assert.equal(refused.code, 2, `${args.join(" ")}: ${refused.stderr}`);
    assert.ok(refused.stderr.startsWith(`npm run train: ${sentence}`), `${args.join(" ")}: ${refused.stderr}`);
  }
  assert.deepEqual(allRunFolders(), runsBefore, "no run folder for a refused setting");
  const help = cli("train", "tang", "--help");
  assert.match(help.stdout, /--batch-size <integer>\s+poems per batch: a whole number ≥ 1 \(default 64\)/);
});

test("a notebook's trainRecipe refuses a bad setting with the same range, before a run folder exists", async () => {
  const shakespeare = await import("../src/shakespeare/recipe");
  const tang = await import("../src/tang/recipe");
  const runsBefore = allRunFolders();
  // Tiny settings besides the bad one: before the fix, these trained.
  const text = path.join(runsDir, "notebook-verse.txt");
  fs.writeFileSync(text, "shall i compare thee to a summer's day?\nthou art more lovely and more temperate:\n".repeat(10));
  const tiny = { text, maxSteps: 1, evalEvery: 1, units: [8], embedding: 4, batchSize: 2, seqLength: 10 };
  const tinyTang = { limit: 32, maxSteps: 1, evalEvery: 1, units: [8], embedding: 4, sampleCount: 0, measureCount: 0 };
  await assert.rejects(shakespeare.trainRecipe({ ...tiny, batchSize: 0 }), { message: "trainRecipe: batchSize must be a whole number ≥ 1, got 0." });
  await assert.rejects(shakespeare.trainCourseRecipe({ text, units: 8, epochs: 0 }), { message: "trainCourseRecipe: epochs must be a whole number ≥ 1, got 0." });
  await assert.rejects(tang.trainRecipe({ ...tinyTang, lr: 0 }), { message: "trainRecipe: lr must be a number > 0, got 0." });
  // position: false alone is the course's model (no features, so no rhyme); asking for the rhyme with it is refused.
  await assert.rejects(tang.trainRecipe({ ...tinyTang, position: false, rhymeInput: "place" }), { message: 'trainRecipe: rhymeInput "place" needs position: the rhyme is read beside the position.' });
  await assert.rejects(tang.trainRecipe(tinyTang, {}, path.join(repoRoot, "datasets", "pretrained", "tang-lstm")), /^Error: trainRecipe: out \S+ is inside datasets\/pretrained/);
  assert.deepEqual(allRunFolders(), runsBefore);
});

test("--resume: a failed one leaves no run folder, another batch size or sequence length is refused, and the resumed run reads as one run", () => {
  const text = path.join(runsDir, "resume-verse.txt");
  fs.writeFileSync(text, "shall i compare thee to a summer's day?\nthou art more lovely and more temperate:\n".repeat(10));
  const tiny = ["--text", text, "--eval-every", "2", "--units", "8", "--embedding", "4", "--batch-size", "2", "--seq-length", "10"];
  const before = new Set(listRuns("shakespeare").map((r) => r.id));
  const first = cli("train", "shakespeare", ...tiny, "--max-steps", "4");
  assert.equal(first.code, 0, first.stderr);
  const earlier = listRuns("shakespeare").find((r) => !before.has(r.id))!;
  const earlierMetrics = JSON.parse(fs.readFileSync(path.join(earlier.dir, "metrics.json"), "utf8"));
  const checkpoint = path.join(earlier.dir, "checkpoint");
  const runsBefore = allRunFolders();
  const notACheckpoint = cli("train", "shakespeare", ...tiny, "--max-steps", "8", "--resume", runsDir);
  assert.equal(notACheckpoint.code, 1);
  assert.match(notACheckpoint.stderr, /^resume: .* is missing/m);
  for (const [flag, value, was] of [["--batch-size", "3", "2"], ["--seq-length", "12", "10"]]) {
    const refused = cli("train", "shakespeare", ...tiny, flag, value, "--max-steps", "8", "--resume", checkpoint);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr.split("\n")[0], `npm run train: ${flag} is ${value}, but the run --resume continues (${earlier.id}) was trained with ${was}: give ${flag} ${was} to resume it, or start a new run.`);
  }
  assert.deepEqual(allRunFolders(), runsBefore, "neither a failed nor a refused --resume leaves a run folder");
  const resumed = cli("train", "shakespeare", ...tiny, "--max-steps", "8", "--resume", checkpoint);
  assert.equal(resumed.code, 0, resumed.stderr);
  const run = listRuns("shakespeare").find((r) => !runsBefore.includes(`shakespeare/${r.id}`))!;
  const history = loadRun("shakespeare", run.id).history;
  assert.deepEqual(history.map((r) => r.step), [2, 4, 6, 8], "the rows of the run it continues come first");
  assert.deepEqual(history.slice(0, 2), loadRun("shakespeare", earlier.id).history);
  const metrics = JSON.parse(fs.readFileSync(path.join(run.dir, "metrics.json"), "utf8"));
  assert.equal(metrics.steps, 8);
  assert.ok(metrics.trainSeconds >= earlierMetrics.trainSeconds && metrics.wallSeconds >= earlierMetrics.wallSeconds,
    `${JSON.stringify(metrics)} counts the ${JSON.stringify(earlierMetrics)} of the run it continues`);
  assert.ok(metrics.wallSeconds >= metrics.trainSeconds, "wall time covers the training time");
});

test("--poems, like --text, is read from the learner's folder when npm runs from there (else from datasets/)", () => {
  const mine = fs.mkdtempSync(path.join(runsDir, "learner-"));
  const lines = fs.readFileSync(path.join(repoRoot, "datasets", "tang", "poems.txt"), "utf8").split("\n").slice(0, 200);
  fs.writeFileSync(path.join(mine, "mypoems.txt"), lines.join("\n") + "\n");
  const result = spawnSync("npm", ["--prefix", repoRoot, "run", "-s", "train", "--", "tang", "--poems", "mypoems.txt", "--limit", "32", "--max-steps", "1",
    "--eval-every", "1", "--units", "8", "--embedding", "4", "--sample-count", "0", "--measure-count", "0"], { cwd: mine, env: { ...process.env, RNN_LESSONS_RUNS: runsDir }, encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const run = listRuns("tang").pop()!;
  assert.equal(run.settings.poems, path.join(mine, "mypoems.txt"));
  assert.equal(run.settings.trainPoems, 32);
});

test("generate writes text as it is sampled: a long --length shows its first characters long before the end", async () => {
  const model = path.join(runsDir, "stream-model");
  if (!fs.existsSync(path.join(model, "model.json"))) {
    const text = path.join(runsDir, "stream-verse.txt");
    fs.writeFileSync(text, "shall i compare thee to a summer's day?\nthou art more lovely and more temperate:\n".repeat(10));
    const trained = cli("train", "shakespeare", "--text", text, "--max-steps", "2", "--eval-every", "2", "--units", "8", "--embedding", "4",
      "--batch-size", "2", "--seq-length", "10", "--out", model);
    assert.equal(trained.code, 0, trained.stderr);
  }
  const { spawn } = await import("node:child_process");
  const child = spawn(path.join(repoRoot, "node_modules", ".bin", "tsx"), [path.join(repoRoot, "tools", "cli", "main.ts"), "generate", "shakespeare",
    "--model", model, "--prompt", "shall i", "--length", "100000000"], { cwd: repoRoot, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  try {
    const shown = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000);
      child.stdout!.on("data", (chunk) => {
        stdout += chunk;
        if (/shall i[^]{50}/.test(stdout)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.on("exit", () => resolve(false));
    });
    assert.ok(shown, `50 characters after the prompt while it still writes; got ${JSON.stringify(stdout.slice(-200))}`);
  } finally {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

test("generate tang --help says to run npm run -s for --json, and that command's stdout is only JSON", () => {
  const help = cli("generate", "tang", "--help");
  assert.match(help.stdout, /--json\s+one JSON object per poem and line: text, lines, form \(run npm run -s generate -- tang --json: without -s, npm prints its banner on stdout too\)/);
  if (!fs.existsSync(path.join(repoRoot, "datasets", "pretrained", "tang-lstm", "model.json"))) return;
  const result = spawnSync("npm", ["run", "-s", "generate", "--", "tang", "--json", "--count", "2"], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trim().split("\n");
  assert.equal(lines.length, 2);
  for (const line of lines) assert.equal(typeof JSON.parse(line).text, "string");
});

test("Ctrl-C on npm run train keeps the run and exits 130, so `npm run train && npm run generate` stops there", async () => {
  const { spawn } = await import("node:child_process");
  const text = path.join(runsDir, "ctrl-c-verse.txt");
  fs.writeFileSync(text, "shall i compare thee to a summer's day?\nthou art more lovely and more temperate:\n".repeat(10));
  const child = spawn("npm", ["run", "-s", "train", "--", "shakespeare", "--text", text, "--max-steps", "100000", "--eval-every", "2", "--units", "8",
    "--embedding", "4", "--batch-size", "2", "--seq-length", "10"], { cwd: repoRoot, env: { ...process.env, RNN_LESSONS_RUNS: runsDir }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let sent = false;
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
    if (!sent && /^step 2: /m.test(stdout)) {
      sent = true;
      process.kill(-child.pid!, "SIGINT");
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 130, stdout);
  assert.match(stdout, /^Stopped: training stopped after batch \d+; its \d+ logged rows are kept in /m);
  assert.match(stdout, /^report: /m, "the run is finished and reported before the exit");
});

test("lessons --check passes when the committed notebooks match their sources", () => {
  const result = cli("lessons", "--check");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /all notebooks up to date/);
});

test("kernel:install is idempotent and registers the launcher that starts tslab at the repository root", () => {
  const spec = path.join(repoRoot, ".jupyter", "data", "kernels", "rnn-lessons", "kernel.json");
  const install = () => spawnSync(path.join(repoRoot, "node_modules", ".bin", "tsx"), [path.join(repoRoot, "tools", "setup.ts")], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(install().status, 0);
  const first = fs.readFileSync(spec, "utf8");
  const firstTime = fs.statSync(spec).mtimeMs;
  const again = install();
  assert.equal(again.status, 0, again.stderr);
  assert.equal(fs.readFileSync(spec, "utf8"), first);
  assert.equal(fs.statSync(spec).mtimeMs, firstTime); // not even rewritten
  const kernel = JSON.parse(first);
  assert.equal(kernel.display_name, "TypeScript (RNN lessons)");
  assert.deepEqual(kernel.argv.slice(1), [path.join(repoRoot, "scripts", "kernel.cjs"), "--config-path", "{connection_file}"]);
});

test("npm start serves notebooks/ on 127.0.0.1 with a token, the course kernel is listed, and killing npm stops Jupyter too", async () => {
  const { spawn } = await import("node:child_process");
  const port = 18000 + Math.floor(Math.random() * 2000);
  const server = spawn("npm", ["start", "--", `--port=${port}`, "--no-browser"], {
    cwd: repoRoot,
    env: { ...process.env, BROWSER: "true" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk;
        const match = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      };
      server.stdout!.on("data", onData);
      server.stderr!.on("data", onData);
      server.on("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
    const { origin, searchParams } = new URL(url);
    assert.equal(origin, `http://127.0.0.1:${port}`);
    const token = searchParams.get("token")!;
    assert.ok(token.length >= 32);
    assert.equal((await fetch(`${origin}/api/kernelspecs`)).status, 403); // nothing without the token
    const specs = await (await fetch(`${origin}/api/kernelspecs?token=${token}`)).json();
    assert.equal(specs.kernelspecs["rnn-lessons"].spec.display_name, "TypeScript (RNN lessons)");
    assert.equal(specs.default, "rnn-lessons", "the course kernel is the default of the New menu");
    const listing = await (await fetch(`${origin}/api/contents?token=${token}`)).json();
    assert.ok(listing.content.some((entry: { name: string }) => entry.name === "00-welcome.ipynb"));
    // `kill <npm's pid>`, as a process manager or a teacher's script would: Jupyter must not stay behind, orphaned.
    const exited = new Promise((resolve) => server.on("exit", resolve));
    process.kill(server.pid!, "SIGTERM");
    await exited;
    let serving = true;
    for (let i = 0; i < 50 && serving; i++) {
      serving = await fetch(`${origin}/api/kernelspecs?token=${token}`).then(() => true, () => false);
      if (serving) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(serving, false, "Jupyter stopped with npm start");
  } finally {
    try {
      process.kill(-server.pid!, "SIGKILL");
    } catch {
      // already gone: what the test expects
    }
  }
});

test("npm run grade answers a missing file, a folder and a file that is not a notebook with one sentence", () => {
  const missing = cli("grade", "notebooks/nowhere.ipynb");
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), "notebooks/nowhere.ipynb does not exist: give the path of a lesson notebook, e.g. notebooks/00-welcome.ipynb.");
  const folder = cli("grade", "notebooks");
  assert.equal(folder.code, 1);
  assert.equal(folder.stderr.trim(), "notebooks is a folder: give one notebook file in it, e.g. notebooks/00-welcome.ipynb, or grade every notebook in it with --gradebook FILE.");
  const other = cli("grade", "package.json");
  assert.equal(other.code, 1);
  assert.equal(other.stderr.trim(), "package.json is not a notebook: npm run grade takes a lesson's .ipynb file, e.g. notebooks/00-welcome.ipynb.");
});
