// A model folder that does not match itself is refused with one sentence naming the file and what is wrong (issue 18,
// item 6), for each shipped kind: copies of datasets/pretrained/ broken in a temporary folder (datasets/ is only read),
// loaded by the library and by `npm run generate` as a learner types it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { pretrainedDir, repoRoot } from "../../src/course";
import { loadPretrained } from "../../src/mnist/index";
import { loadCharModel, loadCourseModel } from "../../src/shakespeare/index";
import { loadPoemModel } from "../../src/tang/index";
import { initBackend } from "../../src/tf/backend";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-model-folders-"));
let copies = 0;

/** A copy of the shipped model `name` in a temporary folder, broken by `breakIt`. */
function brokenCopy(name: string, breakIt: (dir: string) => void): string {
  const dir = path.join(tmp, `${name}-${++copies}`);
  fs.cpSync(pretrainedDir(name), dir, { recursive: true });
  breakIt(dir);
  return dir;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const vocabOf = (n: number) => (dir: string) => {
  const file = path.join(dir, "vocab.json");
  fs.writeFileSync(file, JSON.stringify(JSON.parse(fs.readFileSync(file, "utf8")).slice(0, n)));
};
const noWeights = (dir: string) => fs.rmSync(path.join(dir, "weights.bin"));
const brokenSettings = (dir: string) => fs.writeFileSync(path.join(dir, "settings.json"), '{ "lowercase": true,');
const noSettings = (dir: string) => fs.rmSync(path.join(dir, "settings.json"));

/** The sentences a broken copy of `dir` gives. */
const refusals = {
  vocab: (dir: string, listed: number, predicts: number) => new RegExp(`${esc(path.join(dir, "vocab.json"))} lists ${listed} symbols, but model\\.json's model predicts ${predicts}: the two files are not from the same model \\(copy the model folder whole\\)\\.$`),
  weights: (dir: string) => new RegExp(`${esc(path.join(dir, "weights.bin"))} is missing: model\\.json names it as the file of the model's weights \\(copy the whole model folder\\)\\.$`),
  brokenSettings: (dir: string) => new RegExp(`${esc(path.join(dir, "settings.json"))} is not valid JSON \\(.+\\); it should hold the model's settings: how data becomes its input, e\\.g\\. whether text is lowercased\\.$`),
  noSettings: (dir: string) => new RegExp(`${esc(path.join(dir, "settings.json"))} is missing: a model folder holds it beside model\\.json \\(the model's settings: how data becomes its input, e\\.g\\. whether text is lowercased\\); copy the model folder whole\\.$`),
};

test("each shipped kind of model folder, broken, is refused by its loader with one sentence naming the file", async () => {
  await initBackend();
  const loaders: Record<string, (dir: string) => Promise<unknown>> = {
    "shakespeare-lstm": loadCharModel,
    "shakespeare-window": loadCourseModel,
    "tang-lstm": loadPoemModel,
    "mnist-lstm": loadPretrained,
  };
  for (const [name, load] of Object.entries(loaders)) {
    for (const [breakIt, refusal] of [[noWeights, refusals.weights], [brokenSettings, refusals.brokenSettings], [noSettings, refusals.noSettings]] as const) {
      const dir = brokenCopy(name, breakIt);
      await assert.rejects(load(dir), refusal(dir), `${name}, ${breakIt.name}`);
    }
  }
  const char = brokenCopy("shakespeare-lstm", vocabOf(35));
  await assert.rejects(loadCharModel(char), refusals.vocab(char, 35, 38));
  const window = brokenCopy("shakespeare-window", vocabOf(35));
  await assert.rejects(loadCourseModel(window), refusals.vocab(window, 35, 38));
  const tang = brokenCopy("tang-lstm", vocabOf(35));
  const symbols = JSON.parse(fs.readFileSync(path.join(pretrainedDir("tang-lstm"), "vocab.json"), "utf8")).length;
  await assert.rejects(loadPoemModel(tang), refusals.vocab(tang, 35, symbols));
  // settings.json that does not say whether the text is lowercased: refused, not guessed.
  const silent = brokenCopy("shakespeare-lstm", (dir) => fs.writeFileSync(path.join(dir, "settings.json"), "{}"));
  await assert.rejects(loadCharModel(silent), new RegExp(`${esc(path.join(silent, "settings.json"))} does not say whether the model reads lowercased text: it needs "lowercase": true or false\\.$`));
  const whole = await loadCharModel(brokenCopy("shakespeare-lstm", () => {}));
  assert.equal(whole.lowercase, true);
  whole.model.dispose();
});

/** Runs `npm run generate -- ARGS` as a learner does; resolves with its exit code and output. */
function generate(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn("npm", ["run", "--silent", "generate", "--", ...args], { cwd: repoRoot, env: process.env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test("npm run generate with a broken model folder: exit 1 and the one sentence, never text with `undefined` in it", async () => {
  const short = brokenCopy("shakespeare-lstm", vocabOf(35));
  const unsettled = brokenCopy("shakespeare-lstm", noSettings);
  const weightless = brokenCopy("tang-lstm", noWeights);
  // At once: each process spends most of its time starting TensorFlow.js.
  const [a, b, c] = await Promise.all([
    generate("shakespeare", "--model", short, "--length", "200"),
    generate("shakespeare", "--model", unsettled, "--length", "200"),
    generate("tang", "--model", weightless),
  ]);
  for (const [result, dir, refusal] of [[a, short, refusals.vocab(short, 35, 38)], [b, unsettled, refusals.noSettings(unsettled)], [c, weightless, refusals.weights(weightless)]] as const) {
    assert.equal(result.code, 1, `${dir}: ${result.stderr}`);
    assert.match(result.stderr.trim(), refusal);
    assert.ok(result.stderr.startsWith(dir), `one sentence, starting with the file: ${result.stderr}`);
    assert.doesNotMatch(result.stdout, /undefined/);
    assert.match(result.stdout, /^TensorFlow\.js backend: [^\n]*\n$/, "nothing written but the backend's line");
  }
});
