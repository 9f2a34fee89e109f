// src/shakespeare: the two models' shapes, the training loop (flat memory, a falling loss, resuming with Adam's
// state, starting from saved weights), the held-out score read by CharGenerator against the tfjs model itself,
// sampling (the course's sample, generateOutput), the recipe's files, the English-word share and syllables of a
// text, and both shipped models.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { datasetsDir, pretrainedDir } from "../../src/course";
import { buildVocab, encode, loadText, splitHeldOut } from "../../src/data/text";
import {
  buildCharModel, buildCourseModel, generateOutput, heldOutLoss, isEnglishWord, loadCharModel, loadCourseModel, loadSonnets, measureText, nats,
  nextChars, randomCharacters, sample, sampleText, sequenceLoss, trainCharModel, trainRecipe, trainWindowModel, windowHeldOutLoss, windows,
  wordsOf, writeSonnet,
} from "../../src/shakespeare/index";
import { readHistory } from "../../src/runs/index";
import { tf } from "../../src/tf/backend";
import { CharGenerator, seededRandom } from "../../src/tf/generate";
import { wasmWithScratchRuns } from "./wasm-scratch";

const tmp = wasmWithScratchRuns("shakespeare-");

const verse = "from fairest creatures we desire increase,\nthat thereby beauty's rose might never die,\n".repeat(6);
const vocab = buildVocab(verse);
const text = encode(verse, vocab);
const tiny = () => buildCharModel({ vocabSize: vocab.vocabSize, embedding: 8, units: [16, 12], dropout: 0, seed: 3 });

test("buildCharModel reads any length and gives a distribution over the vocabulary at every step", () => {
  const model = buildCharModel({ vocabSize: 38, embedding: 8, units: [16, 16], dropout: 0.25, seed: 1 });
  for (const [b, t] of [[2, 7], [1, 13], [3, 1]]) {
    tf.tidy(() => {
      const logits = model.apply(tf.zeros([b, t], "int32"), { training: false }) as tf.Tensor;
      assert.deepEqual(logits.shape, [b, t, 38]);
      const sums = tf.sum(tf.softmax(logits), -1).dataSync();
      for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5);
    });
  }
  assert.deepEqual(model.inputs[0].shape, [null, null]);
  model.dispose();
  const course = buildCourseModel();
  assert.deepEqual(course.inputs[0].shape, [null, 40, 38]);
  assert.deepEqual(course.outputs[0].shape, [null, 38]);
  tf.tidy(() => {
    const p = course.apply(tf.oneHot(tf.zeros([2, 40], "int32"), 38), { training: false }) as tf.Tensor;
    assert.deepEqual(p.shape, [2, 38]);
  });
  assert.equal(course.countParams(), 4 * 128 * (38 + 128 + 1) + 128 * 38 + 38);
  course.dispose();
  assert.throws(() => buildCharModel({ vocabSize: 38, embedding: 8, units: [] }), /units must list at least one layer size/);
  assert.throws(() => buildCharModel({ vocabSize: 38, embedding: 8, units: [8], dropout: 1 }), /dropout must be in \[0, 1\), got 1/);
});

test("CharGenerator's held-out score agrees with the tfjs model's own predictions on a short text", () => {
  const model = tiny();
  model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => tf.add(w, tf.randomNormal(w.shape, 0, 0.3, "float32", 10 + i)))));
  const piece = text.subarray(0, 40);
  const [expected, perStep] = tf.tidy(() => {
    const logits = model.apply(tf.tensor2d(piece, [1, 40], "int32"), { training: false }) as tf.Tensor;
    const lastTargets = tf.tensor2d(piece.subarray(1), [1, 39], "int32");
    const loss = sequenceLoss(tf.slice(logits, [0, 0, 0], [1, 39, -1]), lastTargets).dataSync()[0];
    return [loss, logits.dataSync() as Float32Array];
  });
  assert.ok(Math.abs(heldOutLoss(model, piece) - expected) < 1e-4, `${heldOutLoss(model, piece)} vs ${expected}`);
  const gen = new CharGenerator(model);
  for (let t = 0; t < 40; t++) {
    const logits = gen.stepLogits(piece[t]);
    for (let j = 0; j < vocab.vocabSize; j++) assert.ok(Math.abs(logits[j] - perStep[t * vocab.vocabSize + j]) < 1e-4);
  }
  assert.ok(Math.abs(nats([0, Math.log(3)], 1) - Math.log(4 / 3)) < 1e-12);
  model.dispose();
});

test("training keeps no tensor behind, and a few steps lower the held-out loss", async () => {
  const model = tiny();
  const before = tf.memory().numTensors;
  await trainCharModel(model, text, text.subarray(0, 200), { batchSize: 4, seqLength: 20, maxSteps: 2, evalEvery: 1, weightDecay: 0.01 });
  assert.equal(tf.memory().numTensors, before);
  await trainCharModel(model, text, text.subarray(0, 200), { batchSize: 4, seqLength: 20, maxSteps: 2, evalEvery: 1 });
  assert.equal(tf.memory().numTensors, before);
  const start = heldOutLoss(model, text.subarray(0, 200));
  const result = await trainCharModel(model, text, text.subarray(0, 200), { batchSize: 8, seqLength: 30, lr: 1e-2, maxSteps: 30, evalEvery: 10 });
  assert.equal(result.rows.length, 3);
  assert.ok(result.rows[2].heldOut < start - 0.2, `held-out ${start} → ${result.rows[2].heldOut}`);
  assert.ok(result.rows[2].loss < result.rows[0].loss);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test("a checkpoint resumes training with Adam's state: 3 + 3 steps give the weights of 6 in one go", async () => {
  const opts = { batchSize: 4, seqLength: 20, lr: 1e-2, evalEvery: 3, seed: 5 };
  const straight = tiny();
  await trainCharModel(straight, text, text.subarray(0, 50), { ...opts, maxSteps: 6 });
  const first = tiny();
  const dir = path.join(tmp, "checkpoint");
  await trainCharModel(first, text, text.subarray(0, 50), { ...opts, maxSteps: 3, checkpoint: dir });
  for (const f of ["model.json", "weights.bin", "optimizer.json", "optimizer.bin", "state.json"]) assert.ok(fs.existsSync(path.join(dir, f)), f);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")).step, 3);
  const before = tf.memory().numTensors;
  const resumed = tiny();
  const r = await trainCharModel(resumed, text, text.subarray(0, 50), { ...opts, maxSteps: 6, resume: dir });
  assert.equal(r.state.step, 6);
  const a = straight.getWeights().map((w) => w.dataSync());
  const b = resumed.getWeights().map((w) => w.dataSync());
  const maxDiff = (x: ArrayLike<number>[], y: ArrayLike<number>[]) => Math.max(...x.map((w, i) => Math.max(...Array.from(w, (v, j) => Math.abs(v - y[i][j])))));
  assert.ok(maxDiff(a, b) < 1e-5, `resumed weights differ by ${maxDiff(a, b)}`);
  [straight, first, resumed].forEach((m) => m.dispose());
  assert.ok(tf.memory().numTensors <= before);
  const other = buildCharModel({ vocabSize: vocab.vocabSize, embedding: 8, units: [8], seed: 3 });
  await assert.rejects(trainCharModel(other, text, text, { ...opts, maxSteps: 4, resume: dir }), /build the model with the checkpoint's settings/);
  other.dispose();
  await assert.rejects(trainCharModel(tiny(), text, text, { resume: path.join(tmp, "nothing") }), /is not a checkpoint written by trainCharModel/);
});

test("the course's window model trains on windows and is scored on every held-out window", async () => {
  const model = buildCourseModel({ vocabSize: vocab.vocabSize, units: 16, Tx: 10 });
  const data = windows(text, 10, 3);
  const before = tf.memory().numTensors;
  const r = await trainWindowModel(model, data, { epochs: 2, batchSize: 32, lr: 1e-2 });
  assert.equal(r.epochLosses.length, 2);
  assert.ok(r.epochLosses[1] < r.epochLosses[0]);
  assert.equal(tf.memory().numTensors, before);
  const loss = windowHeldOutLoss(model, text.subarray(0, 100), 10);
  assert.ok(loss > 0 && loss < Math.log(vocab.vocabSize));
  model.dispose();
});

test("sampling: warmed on a prompt, seeded, stops after the asked line breaks; a sonnet has 14 lines", () => {
  const model = tiny();
  const gen = new CharGenerator(model);
  const a = sampleText(gen, vocab, "from fairest", { length: 50, temperature: 0.7, random: seededRandom(1) });
  const b = sampleText(gen, vocab, "from fairest", { length: 50, temperature: 0.7, random: seededRandom(1) });
  assert.equal(a, b);
  assert.equal(Array.from(a).length, 50);
  const two = sampleText(gen, vocab, "from", { length: 5000, temperature: 1.5, lines: 2, random: seededRandom(2) });
  assert.equal(two.split("\n").length - 1, 2);
  assert.ok(two.endsWith("\n"));
  const sonnet = writeSonnet(gen, vocab, "from fairest", { temperature: 1.5, random: seededRandom(3) });
  assert.ok(sonnet.startsWith("from fairest"));
  assert.equal(sonnet.split("\n").length - 1, 14);
  assert.ok(sonnet.split("\n").slice(0, 14).every((line) => line.trim() !== ""), "a sonnet has no blank lines");
  const top = nextChars(gen, vocab, "from", 3);
  assert.equal(top.length, 3);
  assert.ok(top[0].p >= top[1].p && top[1].p >= top[2].p);
  assert.throws(() => sampleText(gen, vocab, "from Z"), /character "Z" \(position 5, line 1\) is not in the vocabulary/);
  model.dispose();
});

test("trainRecipe writes the model, vocab.json, settings.json, history.csv and metrics.json, which load back", async () => {
  const out = path.join(tmp, "out");
  const before = tf.memory().numTensors;
  const { metrics, run } = await trainRecipe({ units: [8], embedding: 4, batchSize: 4, seqLength: 20, maxSteps: 2, evalEvery: 1 }, {}, out);
  for (const f of ["model.json", "weights.bin", "vocab.json", "settings.json", "history.csv", "metrics.json"]) assert.ok(fs.existsSync(path.join(out, f)), f);
  assert.ok(fs.existsSync(path.join(run.dir, "checkpoint", "optimizer.bin")));
  assert.equal(metrics.steps, 2);
  assert.equal(metrics.finished, true);
  assert.ok(Number.isFinite(metrics.heldOutLoss));
  assert.equal(tf.memory().numTensors, before);
  const loaded = await loadCharModel(out);
  assert.equal(loaded.vocab.vocabSize, 38);
  assert.equal(loaded.lowercase, true);
  const settings = JSON.parse(fs.readFileSync(path.join(out, "settings.json"), "utf8"));
  assert.deepEqual(settings.units, [8]);
  assert.equal(fs.readFileSync(path.join(out, "history.csv"), "utf8").trim().split("\n").length, 3);
  loaded.model.dispose();
});

test("the shipped model: its files, any-length input, and a held-out loss ≤ 1.60 nats/char that metrics.json reports", async () => {
  const dir = pretrainedDir("shakespeare-lstm");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["compare", "history.csv", "metrics.json", "model.json", "settings.json", "vocab.json", "weights.bin"]);
  // compare/two-threads: the same recipe run again on 2 threads (lesson 4 prints it): its logs, no second model.
  assert.deepEqual(fs.readdirSync(path.join(dir, "compare", "two-threads")).sort(), ["history.csv", "metrics.json", "settings.json"]);
  const both = JSON.parse(fs.readFileSync(path.join(dir, "compare", "two-threads", "metrics.json"), "utf8"));
  assert.equal(both.threads, 2);
  // lesson 4: on both cores the recipe gets through the shipped run's batches "in about a quarter of its time"
  const bestStep = JSON.parse(fs.readFileSync(path.join(dir, "metrics.json"), "utf8")).bestStep;
  const secondsTo = (file: string) => readHistory(file).find((r) => r.step === bestStep)!.seconds;
  const share = secondsTo(path.join(dir, "compare", "two-threads", "history.csv")) / secondsTo(path.join(dir, "history.csv"));
  assert.ok(share > 0.2 && share < 0.32, `the run on both cores took ${share.toFixed(2)} of the shipped run's time to step ${bestStep}`);
  const shipped = await loadCharModel(dir);
  assert.equal(shipped.vocab.vocabSize, 38);
  assert.equal(shipped.lowercase, true);
  assert.deepEqual(shipped.model.inputs[0].shape, [null, null], "any batch, any length");
  const source = loadText(path.join(datasetsDir, "shakespeare.txt"), { lowercase: true });
  const { heldOut } = splitHeldOut(source.chars, 0.1);
  const loss = heldOutLoss(shipped.model, encode(heldOut, shipped.vocab));
  const metrics = JSON.parse(fs.readFileSync(path.join(dir, "metrics.json"), "utf8"));
  assert.ok(loss <= 1.6, `held-out loss ${loss}`);
  assert.ok(Math.abs(loss - metrics.heldOutLoss) < 1e-3, `metrics.json says ${metrics.heldOutLoss}, the model gives ${loss}`);
  shipped.model.dispose();
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
