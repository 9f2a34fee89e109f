// Lesson 4's writing and measuring: the course's sample(preds, temperature), generateOutput warmed on a prompt,
// the English-word share and syllables of a text (on real sonnets, random characters and the shipped model's
// writing), loadSonnets's split, training that starts from saved weights, and the course's window model as shipped.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { env, pretrainedDir } from "../../src/course";
import {
  CharGenerator, generateOutput, isEnglishWord, loadCharModel, loadCourseModel, loadSonnets, measureText, randomCharacters,
  sample, seededRandom, trainRecipe, windowHeldOutLoss, wordsOf, writeSonnet,
} from "../../src/shakespeare/index";
import { readHistory } from "../../src/runs/index";
import { tf } from "../../src/tf/backend";
import { registerFastWasmKernels } from "../../src/tf/kernels/index";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "shakespeare-writing-"));
const savedRuns = process.env[env.runs];
before(async () => {
  await tf.setBackend("wasm");
  registerFastWasmKernels();
  process.env[env.runs] = path.join(tmp, "runs");
});
after(() => {
  if (savedRuns === undefined) delete process.env[env.runs];
  else process.env[env.runs] = savedRuns;
  fs.rmSync(tmp, { recursive: true, force: true });
});

const sonnets = loadSonnets();

test("loadSonnets: 38 lowercased symbols, the first 84,847 characters trained on, the last 9,428 held out", () => {
  assert.equal(sonnets.vocab.vocabSize, 38);
  assert.equal(sonnets.train.length, 84847);
  assert.equal(sonnets.heldOut.length, 9428);
  assert.equal(sonnets.heldOutText, sonnets.source.chars.slice(84847).join(""));
  assert.throws(() => loadSonnets(path.join(tmp, "missing.txt")), /no file at .*missing\.txt/);
});

test("sample reweights probabilities as p^(1/T) and draws with one uniform number", () => {
  const preds = [0.1, 0.2, 0.7];
  assert.equal(sample(preds, 1, () => 0.25), 1);
  assert.equal(sample(preds, 0.5, () => 0.05), 1, "p² renormalised: 0.0185, 0.0741, 0.9074");
  assert.equal(sample(preds, 0.5, () => 0.1), 2);
  assert.equal(sample(preds, 100, () => 0.34), 1, "a high temperature flattens towards uniform thirds");
  const random = seededRandom(0);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) counts[sample(preds, 2, random)]++;
  const root = preds.map(Math.sqrt);
  const total = root.reduce((a, b) => a + b);
  counts.forEach((c, i) => assert.ok(Math.abs(c / 30000 - root[i] / total) < 0.01, `index ${i}: ${c / 30000} against ${root[i] / total}`));
  assert.throws(() => sample(preds, 0), /temperature must be above 0/);
});

test("generateOutput: the prompt, then the asked number of characters; the same seed gives the same text; unknown characters skipped", async () => {
  const shipped = await loadCharModel();
  const gen = new CharGenerator(shipped.model);
  const run = (prompt: string, seed: number) => generateOutput(gen, shipped.vocab, prompt, { length: 120, temperature: 0.5, random: seededRandom(seed) });
  const a = run("Shall I compare thee—", 1);
  assert.ok(a.startsWith("Shall I compare thee—"));
  assert.equal(Array.from(a).length, 21 + 120);
  assert.equal(run("Shall I compare thee—", 1), a);
  assert.notEqual(run("Shall I compare thee—", 2), a);
  assert.equal(run("shall i compare thee", 1).slice(20), a.slice(21), "lowercased, the dash skipped: the same state, the same text");
  assert.throws(() => run("—", 1), /no character the model knows/);
  const before = tf.memory().numTensors;
  run("o", 4);
  assert.equal(tf.memory().numTensors, before, "generation creates no tensor");
  shipped.model.dispose();
});

test("wordsOf and isEnglishWord: inner apostrophes kept, possessives and elisions accepted, made-up words refused", () => {
  assert.deepEqual(wordsOf("Shall I compare thee to a summer's day?\nO'er-worn, 'tis"), ["shall", "i", "compare", "thee", "to", "a", "summer's", "day", "o'er", "worn", "tis"]);
  for (const w of ["thee", "thou", "doth", "summer's", "o'er", "ne'er", "lov'd"]) assert.ok(isEnglishWord(w), w);
  for (const w of ["lovf", "xighs", "thrue", "q"]) assert.ok(!isEnglishWord(w), w);
});

test("measureText: the held-out sonnets are ≥ 99% English words with 10 syllables a line; random characters ≤ 20%; the shipped model at T 0.5 ≥ 90%", async () => {
  const real = measureText(sonnets.heldOutText);
  assert.ok(real.englishShare >= 0.99, `held out: ${real.englishShare}`);
  assert.ok(Math.abs(real.meanSyllables - 10) < 0.3, `held out: ${real.meanSyllables} syllables per line`);
  const random = measureText(randomCharacters(sonnets.source.text, sonnets.vocab, 9428, seededRandom(1)));
  assert.ok(random.englishShare <= 0.2, `random: ${random.englishShare}`);
  const shipped = await loadCharModel();
  const gen = new CharGenerator(shipped.model);
  const written = [1, 2, 3, 4, 5].map((seed) => writeSonnet(gen, shipped.vocab, "from fairest creatures we desire increase,\n", { temperature: 0.5, random: seededRandom(seed) })).join("\n\n");
  const model = measureText(written);
  assert.ok(model.englishShare >= 0.9, `model at T 0.5: ${model.englishShare}`);
  assert.equal(model.syllablesPerLine.length, 70, "5 sonnets of 14 lines");
  assert.ok(Number.isNaN(measureText(" ,;\n").englishShare));
  shipped.model.dispose();
});

test("trainRecipe startFrom: training begins at the saved weights (same held-out loss at step 0); other sizes are refused by name", async () => {
  const tinyText = path.join(tmp, "verse.txt");
  fs.writeFileSync(tinyText, "from fairest creatures we desire increase,\nthat thereby beauty's rose might never die,\n".repeat(20));
  const small = { text: tinyText, units: [12], embedding: 4, seqLength: 20, batchSize: 4, evalEvery: 1, dropout: 0 };
  const first = await trainRecipe({ ...small, maxSteps: 2 });
  const saved = path.join(first.run.dir, "model");
  const again = await trainRecipe({ ...small, maxSteps: 1, lr: 1e-12, startFrom: saved });
  assert.ok(Math.abs(again.result.rows[0].heldOut - first.metrics.heldOutLoss) < 1e-4, `${again.result.rows[0].heldOut} against ${first.metrics.heldOutLoss}`);
  await assert.rejects(trainRecipe({ ...small, units: [13], maxSteps: 1, startFrom: saved }), /startFrom .* other sizes than these settings \(units 13/);
});

test("the course's window model as shipped: its history's best held-out loss is the model's, and it is worse than the shipped LSTM's", async () => {
  const dir = pretrainedDir("shakespeare-window");
  const history = readHistory(path.join(dir, "history.csv"));
  const best = Math.min(...history.map((r) => r.heldOut));
  const model = await loadCourseModel();
  const loss = windowHeldOutLoss(model, sonnets.heldOut);
  model.dispose();
  assert.ok(Math.abs(loss - best) < 1e-3, `history ${best}, model ${loss}`);
  const ours = JSON.parse(fs.readFileSync(path.join(pretrainedDir("shakespeare-lstm"), "metrics.json"), "utf8")).heldOutLoss;
  assert.ok(ours < best, `ours ${ours}, the course's ${best}`);
});
