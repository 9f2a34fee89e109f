// src/mnist/: the lesson's classifier, its training loop, evaluation, reading it, saving and loading,
// and the shipped model in datasets/pretrained/mnist-lstm.
import { before, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mnist from "../../src/mnist/index";
import { listRuns, loadRun, startRun } from "../../src/runs/index";
import { parseFlags } from "../../tools/cli/flags";
import { trainers } from "../../tools/cli/train";
import { initBackend, tf } from "../../src/tf/backend";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mnist-model-"));
process.env.RNN_LESSONS_RUNS = path.join(tmp, "runs");
const testSet = mnist.loadMnist("test");
const { train, validation } = mnist.splitValidation(mnist.subset(testSet, 0, 1200), 200);

before(async () => {
  await initBackend();
});

test("buildClassifier: the lesson's shapes and parameter counts for LSTM, GRU and SimpleRNN", () => {
  const expected: Array<[mnist.CellType, number, number]> = [
    ["lstm", 128, 4 * (128 * (28 + 128) + 128) + 1290],
    ["gru", 128, 3 * (128 * (28 + 128) + 128) + 1290],
    ["simpleRNN", 128, 128 * (28 + 128) + 128 + 1290],
    ["lstm", 32, 4 * (32 * 60 + 32) + 330],
  ];
  for (const [cell, units, params] of expected) {
    const model = mnist.buildClassifier({ cell, units });
    assert.equal(model.countParams(), params, `${cell}(${units})`);
    assert.deepEqual(model.layers[0].outputShape, [null, units]);
    assert.deepEqual(model.outputs[0].shape, [null, 10]);
    model.dispose();
  }
  assert.equal(81674, 4 * (128 * 156 + 128) + 1290, "the lesson's LSTM(128) count");
  assert.throws(() => mnist.buildClassifier({ cell: "lstmm" as mnist.CellType }), /cell must be one of lstm, gru, simpleRNN, got "lstmm"/);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 2; i++) mnist.buildClassifier({ units: 8 }).dispose();
  assert.equal(tf.memory().numTensors, before, "building and disposing a model leaves nothing (tfjs's unitForgetBias initialiser would)");
  const a = mnist.buildClassifier({ seed: 4 });
  const b = mnist.buildClassifier({ seed: 4 });
  assert.deepEqual(Array.from(a.getWeights()[1].dataSync()), Array.from(b.getWeights()[1].dataSync()), "seeded weights repeat");
  a.dispose();
  b.dispose();
});

test("accuracy, crossEntropy and clipByGlobalNorm agree with the definitions", () => {
  tf.tidy(() => {
    const probs = tf.tensor2d([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.3, 0.3, 0.4], [0.2, 0.5, 0.3]]);
    assert.equal(mnist.accuracy(probs, tf.tensor1d([1, 0, 1, 1], "int32")), 0.75);
    const loss = mnist.crossEntropy(probs, tf.oneHot(tf.tensor1d([1, 0, 1, 1], "int32"), 3)).dataSync()[0];
    assert.ok(Math.abs(loss - -(Math.log(0.7) + Math.log(0.8) + Math.log(0.3) + Math.log(0.5)) / 4) < 1e-6);
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // global norm 5
    const halved = mnist.clipByGlobalNorm(grads, 2.5);
    assert.deepEqual(Array.from(halved.a.dataSync()), [1.5, 0]);
    assert.deepEqual(Array.from(halved.b.dataSync()), [0, 2]);
    assert.deepEqual(Array.from(mnist.clipByGlobalNorm(grads, 10).a.dataSync()), [3, 0], "under the limit: unchanged");
  });
});

test("trainClassifier learns, logs rows to the run, and leaves no tensor behind when run again", async () => {
  const model = mnist.buildClassifier({ units: 32, seed: 1 });
  const run = startRun("mnist-test", { units: 32 });
  const opts = { epochs: 2, batchSize: 100, lr: 5e-3, clipNorm: 5, logEvery: 5, seed: 2, run };
  const first = await mnist.trainClassifier(model, train, validation, opts);
  const afterFirst = tf.memory().numTensors;
  assert.equal(first.batches, 20);
  assert.equal(first.samples, 2000);
  assert.deepEqual(first.rows.map((r) => r.step), [5, 10, 15, 20]);
  assert.deepEqual(first.rows.map((r) => r.epoch), [0.5, 1, 1.5, 2]);
  assert.ok(first.rows[3].valAccuracy > first.rows[0].valAccuracy, `validation accuracy rose: ${first.rows.map((r) => r.valAccuracy)}`);
  assert.ok(first.rows[3].loss < first.rows[0].loss);
  assert.ok(first.samplesPerSecond > 0 && !first.stopped);
  const second = await mnist.trainClassifier(model, train, validation, { ...opts, epochs: 1, run: undefined });
  assert.equal(second.batches, 10);
  assert.equal(tf.memory().numTensors, afterFirst, "training again adds no tensor");
  run.finish();
  const logged = loadRun("mnist-test", run.id);
  assert.deepEqual(logged.columns, ["step", "epoch", "loss", "accuracy", "valLoss", "valAccuracy", "lr", "seconds"]);
  assert.equal(logged.history.length, 4);
  assert.equal(logged.history[3].valAccuracy, first.rows[3].valAccuracy);
  model.dispose();
});

test("dropout and shifts train; dropout is off when evaluating, so predictions repeat", async () => {
  const model = mnist.buildClassifier({ units: 16, dropout: 0.3 });
  assert.equal((model.layers[0].getConfig() as { recurrentDropout: number }).recurrentDropout, 0.3);
  const result = await mnist.trainClassifier(model, mnist.subset(train, 0, 200), mnist.subset(validation, 0, 50), { epochs: 1, batchSize: 50, shift: 2 });
  assert.equal(result.batches, 4);
  assert.deepEqual(mnist.evaluate(model, validation).probabilities, mnist.evaluate(model, validation).probabilities);
  assert.throws(() => mnist.buildClassifier({ dropout: 1 }), /dropout must be in \[0, 1\), got 1/);
  model.dispose();
});

test("trainClassifier: lr decays per epoch; maxBatches, shouldStop and an interrupt (SIGINT) end it cleanly", async () => {
  const model = mnist.buildClassifier({ units: 16 });
  const small = mnist.subset(train, 0, 200);
  const decayed = await mnist.trainClassifier(model, small, mnist.subset(validation, 0, 50), { epochs: 3, batchSize: 100, lr: 1e-2, lrDecay: 0.5, logEvery: 100 });
  assert.deepEqual(decayed.rows.map((r) => r.lr), [1e-2, 5e-3, 2.5e-3]);
  const capped = await mnist.trainClassifier(model, small, validation, { epochs: 5, batchSize: 20, maxBatches: 3 });
  assert.equal(capped.batches, 3);
  assert.equal(capped.stopped, false);
  assert.equal(capped.rows.length, 1, "the last batch logs a row");
  let asked = 0;
  const stopped = await mnist.trainClassifier(model, small, validation, { epochs: 5, batchSize: 20, shouldStop: () => ++asked >= 2 });
  assert.equal(stopped.batches, 2);
  assert.equal(stopped.stopped, true);
  const listeners = process.listenerCount("SIGINT");
  const interrupted = await mnist.trainClassifier(model, small, validation, {
    epochs: 5, batchSize: 20, onBatch: (step) => void (step === 4 && process.emit("SIGINT")),
  });
  assert.equal(interrupted.batches, 4);
  assert.equal(interrupted.stopped, true);
  assert.equal(process.listenerCount("SIGINT"), listeners, "the SIGINT listener is removed afterwards");
  model.dispose();
});

test("evaluate: predictions, probabilities and accuracy agree; no tensor left behind", () => {
  const model = mnist.buildClassifier({ units: 16, seed: 5 });
  const before = tf.memory().numTensors;
  const evaluation = mnist.evaluate(model, validation, 64);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(evaluation.predictions.length, 200);
  assert.equal(evaluation.probabilities.length, 2000);
  const fromTensors = tf.tidy(() =>
    mnist.accuracy(tf.tensor2d(evaluation.probabilities, [200, 10]), tf.tensor1d(Int32Array.from(validation.labels), "int32")));
  assert.ok(Math.abs(fromTensors - evaluation.accuracy) < 1e-6);
  const direct = tf.tidy(() => Array.from((model.predict(mnist.imagesTensor(validation, 0, 3)) as tf.Tensor).dataSync()));
  direct.forEach((p, i) => assert.ok(Math.abs(p - evaluation.probabilities[i]) < 1e-5));
  const counts = mnist.confusionMatrix(validation.labels, evaluation.predictions);
  assert.equal(counts.flat().reduce((a, b) => a + b, 0), 200);
  assert.equal(counts.reduce((n, row, i) => n + row[i], 0), Math.round(evaluation.accuracy * 200));
  const wrong = mnist.mistakes(validation, evaluation, 5);
  assert.ok(wrong.length <= 5 && wrong.every((i) => evaluation.predictions[i] !== validation.labels[i]));
  const confidence = wrong.map((i) => evaluation.probabilities[i * 10 + evaluation.predictions[i]]);
  assert.deepEqual(confidence, [...confidence].sort((a, b) => b - a), "most confident mistakes first");
  model.dispose();
});

test("probabilitiesByRow: after the 28th row it is the model's own output; no tensor left behind", () => {
  for (const cell of mnist.cellTypes) {
    const model = mnist.buildClassifier({ cell, units: 16, seed: 3 });
    const before = tf.memory().numTensors;
    const byRow = mnist.probabilitiesByRow(model, testSet, [0, 5]);
    assert.equal(tf.memory().numTensors, before, cell);
    assert.deepEqual([byRow.length, byRow[0].length, byRow[0][0].length], [2, 28, 10]);
    const last = tf.tidy(() => (model.predict(tf.stack([mnist.imagesTensor(testSet, 0, 1), mnist.imagesTensor(testSet, 5, 6)]).squeeze([1])) as tf.Tensor).arraySync() as number[][]);
    last.forEach((p, k) => p.forEach((v, c) => assert.ok(Math.abs(v - byRow[k][27][c]) < 1e-5, `${cell}: digit ${k}, class ${c}`)));
    const curve = mnist.readingCurve(model, testSet, 20);
    assert.equal(curve.accuracy.length, 28);
    assert.ok(curve.confidence.every((c) => c > 0 && c < 1));
    model.dispose();
  }
});

test("saveModel / loadModel round trip; a truncated weights file is reported", async () => {
  const model = mnist.buildClassifier({ units: 16, seed: 8 });
  const dir = path.join(tmp, "saved");
  await mnist.saveModel(model, dir);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["model.json", "weights.bin"]);
  const json = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
  assert.equal(json.format, "layers-model");
  assert.deepEqual(json.weightsManifest[0].paths, ["weights.bin"]);
  const beforeLoad = tf.memory().numTensors;
  const loaded = await mnist.loadModel(dir);
  assert.equal(tf.memory().numTensors - beforeLoad, 5, "a loaded model holds its 5 weights and nothing else");
  const x = mnist.imagesTensor(testSet, 0, 4);
  const [a, b] = tf.tidy(() => [Array.from((model.predict(x) as tf.Tensor).dataSync()), Array.from((loaded.predict(x) as tf.Tensor).dataSync())]);
  assert.deepEqual(a, b);
  x.dispose();
  loaded.dispose();
  model.dispose();
  const weights = fs.readFileSync(path.join(dir, "weights.bin"));
  fs.writeFileSync(path.join(dir, "weights.bin"), weights.subarray(0, 1000));
  await assert.rejects(mnist.loadModel(dir), /the weights files hold 1000 bytes, but model.json describes \d+ \(float32\): truncated/);
  await assert.rejects(mnist.loadModel(path.join(tmp, "nowhere")), /nowhere\/model.json: cannot read the model/);
});

test("keepOne disposes the model it kept before under the same name", () => {
  const first = mnist.keepOne("test", mnist.buildClassifier({ units: 8 }))!;
  const second = mnist.keepOne("test", mnist.buildClassifier({ units: 8 }))!;
  assert.throws(() => first.getWeights()[0].dataSync(), /disposed/);
  assert.equal(second.getWeights()[0].isDisposed, false);
  mnist.keepOne("test", null);
  assert.throws(() => second.getWeights()[0].dataSync(), /disposed/);
});

test("the shipped model: its files, settings and history, ≥ 98.8% on the 10,000 official test digits; loaded once", async () => {
  const shipped = await mnist.loadPretrained();
  assert.deepEqual(fs.readdirSync(mnist.pretrainedDir).sort(), ["compare", "history.csv", "metrics.json", "model.json", "settings.json", "weights.bin"]);
  assert.ok(fs.statSync(path.join(mnist.pretrainedDir, "weights.bin")).size < 400_000);
  assert.equal(shipped.model.countParams(), 81674);
  assert.equal(shipped.settings.cell, "lstm");
  assert.ok(shipped.history.length > 10 && "valAccuracy" in shipped.history[0]);
  const before = tf.memory().numTensors;
  assert.equal(await mnist.loadPretrained(), shipped, "a second load returns the same model");
  assert.equal(tf.memory().numTensors, before);
  const evaluation = mnist.evaluate(shipped.model, testSet);
  assert.ok(evaluation.accuracy >= 0.988, `test accuracy ${evaluation.accuracy}`);
  assert.ok(Math.abs(evaluation.accuracy - Number(shipped.metrics.testAccuracy)) < 1e-4, "metrics.json says what the model does");
});

test("the shipped comparison: SimpleRNN, GRU and LSTM logs of 8 epochs, the gated cells ahead at the end", () => {
  const runs = mnist.comparisonRuns();
  assert.deepEqual(runs.map((r) => r.cell), ["simpleRNN", "gru", "lstm"]);
  const best = Object.fromEntries(runs.map(({ cell, history }) => {
    assert.equal(history[history.length - 1].epoch, 8, cell);
    return [cell, Math.max(...history.map((row) => row.valAccuracy))];
  }));
  assert.ok(best.lstm > best.simpleRNN && best.gru > best.simpleRNN, JSON.stringify(best));
  assert.throws(() => mnist.comparisonRuns(tmp), /compare\/simpleRNN.csv is missing/);
});

test("npm run train -- mnist (the recipe) on tiny settings: the run log, the best checkpoint, metrics.json and the --out copy", async () => {
  const out = path.join(tmp, "out");
  const { flags } = parseFlags(["--limit", "256", "--validation", "100", "--epochs", "2", "--log-every", "1", "--units", "8", "--out", out], trainers.mnist.flags);
  assert.equal(flags.shift, 2, "the defaults are the shipped model's settings");
  const log = console.log;
  console.log = () => undefined; // the CLI's progress lines
  try {
    await trainers.mnist.run(flags);
  } finally {
    console.log = log;
  }
  const [run] = listRuns("mnist");
  const loaded = loadRun("mnist", run.id);
  assert.equal(loaded.settings.units, 8);
  assert.equal(loaded.history.length, 4, "a row per batch: 2 batches in each of 2 epochs");
  for (const file of ["model.json", "weights.bin", "settings.json", "history.csv", "metrics.json"]) assert.ok(fs.existsSync(path.join(out, file)), file);
  const metrics = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
  assert.equal(metrics.testSize, 10000);
  assert.deepEqual(metrics.changed, { units: 8, epochs: 2, validation: 100, limit: 256, logEvery: 1 }, "the settings that differ from the recipe's");
  const report = fs.readFileSync(path.join(run.dir, "report.html"), "utf8");
  assert.match(report, /<p>settings: model lstm\(8\) → dense\(10\), cell lstm, units 8, epochs 2, /);
  assert.match(report, /<p>result: testAccuracy 0\.\d+, bestEpoch \d<\/p>/);
  assert.equal(report.match(/mnist: (loss and valLoss|accuracy and valAccuracy)/g)?.length, 2, "two charts: losses together, accuracies together");
  const model = await mnist.loadModel(out);
  assert.equal(model.countParams(), 4 * (8 * 36 + 8) + 90);
  model.dispose();
});
