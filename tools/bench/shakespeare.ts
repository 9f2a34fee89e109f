// `npm run bench -- shakespeare`: lesson 4's two models on the wasm backend, measured in one run: training speed
// in target characters per second with the stock wasm kernels and with the course's, and generation speed of the
// shipped model stepping its state one character at a time against re-reading a window for every character.
import * as fs from "fs";
import { pretrainedDir } from "../../src/course";
import { readHistory } from "../../src/runs/index";
import { windows } from "../../src/data/text";
import { buildCharModel, buildCourseModel, loadCharModel, loadSonnets, trainCharModel, trainWindowModel } from "../../src/shakespeare/index";
import { initBackend, tf } from "../../src/tf/backend";
import { CharGenerator, sampleIndex, seededRandom } from "../../src/tf/generate";
import { registerFastWasmKernels, unregisterFastWasmKernels } from "../../src/tf/kernels/index";
import * as path from "path";
import { alternate, parseOptions, printTable, rate } from "./tf";

export async function benchShakespeare(args: string[]): Promise<void> {
  const { seconds, rounds } = parseOptions(args);
  const info = await initBackend();
  if (info.name !== "wasm") throw new Error(`This benchmark compares wasm kernels; this process runs ${info.name}. Run it with RNN_LESSONS_BACKEND=wasm.`);
  const { vocab, train: trainIx, heldOut: heldOutIx } = loadSonnets();
  const data = windows(trainIx, 40, 3);
  const kernels = { stock: unregisterFastWasmKernels, course: () => void registerFastWasmKernels() };
  // Each measurement trains a fresh model for about `seconds` (a few steps); the speed excludes evaluation.
  const ours = await alternate(kernels, rounds, async () => {
    const model = buildCharModel({ vocabSize: vocab.vocabSize, embedding: 32, units: [256, 256], dropout: 0.5, seed: 0 });
    try {
      return (await trainCharModel(model, trainIx, heldOutIx, { maxSeconds: seconds, evalEvery: 1e9 })).charsPerSecond;
    } catch (err) {
      // The stock wasm backend has no UnsortedSegmentSum kernel, which an Embedding's gradient needs.
      if (/UnsortedSegmentSum/.test(String(err))) return NaN;
      throw err;
    } finally {
      model.dispose();
    }
  });
  const course = await alternate(kernels, rounds, async () => {
    const model = buildCourseModel({ vocabSize: vocab.vocabSize, seed: 0 });
    const steps = Math.max(2, Math.round(seconds * 3));
    const result = await trainWindowModel(model, { ...data, m: Math.min(data.m, steps * 128) }, { epochs: 1, batchSize: 128 });
    model.dispose();
    return result.examplesPerSecond;
  });
  registerFastWasmKernels();
  // Time to reach each shipped model's best held-out loss at the speeds just measured: the steps (or epochs) it took
  // come from its shipped log, which does not depend on the machine; the speed does.
  const shippedRun = JSON.parse(fs.readFileSync(path.join(pretrainedDir("shakespeare-lstm"), "metrics.json"), "utf8"));
  const windowLog = readHistory(path.join(pretrainedDir("shakespeare-window"), "history.csv"));
  const windowBest = windowLog.reduce((a, b) => (b.heldOut < a.heldOut ? b : a));
  const oursMinutes = (shippedRun.bestStep * shippedRun.settings.batchSize * shippedRun.settings.seqLength) / ours.course / 60;
  const courseMinutes = (windowBest.epoch * data.m) / course.course / 60;
  console.log(`\nTraining on ${info.name}, target characters per second (best of ${rounds} alternating runs of ${seconds} s):`);
  printTable(["model", "stock kernels", "course kernels", "× stock"], [
    ["2×LSTM(256), every position a target (the shipped model's)", Number.isNaN(ours.stock) ? "cannot train" : ours.stock.toFixed(0), ours.course.toFixed(0),
      Number.isNaN(ours.stock) ? "–" : (ours.course / ours.stock).toFixed(1)],
    ["the course's LSTM(128) over 40 one-hot characters, one target each", course.stock.toFixed(0), course.course.toFixed(0), (course.course / course.stock).toFixed(1)],
  ]);
  if (Number.isNaN(ours.stock)) console.log("  cannot train: the stock wasm backend has no UnsortedSegmentSum kernel, which an Embedding's gradient needs (the course registers one).");
  console.log(`\nTime to the shipped models' best held-out loss at these speeds (course kernels; steps from their logs):`);
  printTable(["model", "held-out nats/char", "reached after", "minutes here"], [
    ["2×LSTM(256), every position a target", shippedRun.heldOutLoss.toFixed(4), `${shippedRun.bestStep} batches`, oursMinutes.toFixed(1)],
    ["the course's LSTM(128) over windows", windowBest.heldOut.toFixed(4), `${windowBest.epoch} epochs of ${data.m} windows`, courseMinutes.toFixed(1)],
  ]);
  // Generation: the shipped model, one character at a time with its state kept, against model.predict on the last
  // 100 characters for each new one (what a window model must do).
  const shipped = await loadCharModel();
  const generator = new CharGenerator(shipped.model);
  const random = seededRandom(1);
  let current = 0;
  const stateful = await rate(() => {
    for (let i = 0; i < 100; i++) current = generator.sampleAfter(current, { temperature: 0.5, random });
  }, seconds, 2);
  const text = Array.from(heldOutIx.subarray(0, 100));
  const windowed = await rate(() => {
    const logits = tf.tidy(() => {
      const out = shipped.model.predict(tf.tensor2d([text.slice(-100)], [1, 100], "int32")) as tf.Tensor3D;
      return out.slice([0, 99, 0], [1, 1, vocab.vocabSize]).softmax();
    });
    text.push(sampleIndex(logits.dataSync(), random));
    logits.dispose();
  }, seconds, 2);
  shipped.model.dispose();
  console.log(`\nGeneration with the shipped model on ${info.name}, characters per second:`);
  printTable(["way", "chars/s", "× window"], [
    ["stateful (CharGenerator: one step per character)", (stateful * 100).toFixed(0), ((stateful * 100) / windowed).toFixed(0)],
    ["window (model.predict on the last 100 characters)", windowed.toFixed(0), "1"],
  ]);
}
