// Training on every core: the same training with 1, 2 and 3 threads gives bit-identical losses and weights (the
// kernels split by rows and columns of their outputs, never by a sum), and the fused LSTM step's gradient agrees
// with tfjs's own cell, op by op, for both recurrent activations the course uses.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { initBackend, tf } from "../../src/tf/backend";
import { registerFastWasmKernels, unregisterFastWasmKernels } from "../../src/tf/kernels/index";
import { productParts } from "../../src/tf/kernels/simd-kernels";

const repoRoot = path.resolve(__dirname, "..", "..");

// A poem model in small (embedding, a sigmoid LSTM, dropout, a hard-sigmoid LSTM, a softmax over 300 symbols at
// every timestep, Adam), large enough that its products, steps, gathers, sums, masks and updates are split; seeded
// (the dropout too), so every child starts from the same weights and data and drops the same elements.
const childScript = `
const crypto = require("crypto");
const { initBackend, tf } = require("./src/tf/backend");
const { requireSimd } = require("./src/tf/kernels/simd-kernels");
(async () => {
  const info = await initBackend();
  const seeded = (seed) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }), recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) });
  const model = tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 300, outputDim: 64, inputLength: 16, embeddingsInitializer: tf.initializers.randomUniform({ seed: 1 }) }),
    tf.layers.lstm({ units: 128, returnSequences: true, recurrentActivation: "sigmoid", ...seeded(2) }),
    tf.layers.dropout({ rate: 0.3, seed: 9 }),
    tf.layers.lstm({ units: 128, returnSequences: true, ...seeded(4) }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 300, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }) }),
  ] });
  model.compile({ optimizer: tf.train.adam(3e-3), loss: "categoricalCrossentropy" });
  const x = tf.randomUniform([48, 16], 0, 300, "int32", 7).cast("float32");
  const y = tf.oneHot(tf.randomUniform([48, 16], 0, 300, "int32", 8), 300);
  const losses = [];
  for (let i = 0; i < 4; i++) losses.push(await model.trainOnBatch(x, y));
  const hash = crypto.createHash("sha256");
  for (const w of model.getWeights()) hash.update(Buffer.from(w.dataSync().buffer));
  console.log(JSON.stringify({ line: info.line, losses, weights: hash.digest("hex"), workers: requireSimd(tf.backend()).workers() }));
})().catch((err) => { console.error(err.stack); process.exit(1); });
`;

function trainWith(threads: number): { line: string; losses: number[]; weights: string; workers: number } {
  const env = { ...process.env, RNN_LESSONS_BACKEND: "wasm", RNN_LESSONS_THREADS: String(threads) };
  const child = spawnSync(process.execPath, ["--import", "tsx", "-e", childScript], { cwd: repoRoot, env, encoding: "utf8", timeout: 180_000 });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!);
}

test("the same training with 1, 2 and 3 threads gives identical losses and weights, and really uses the threads", () => {
  const [one, two, three] = [1, 2, 3].map(trainWith);
  assert.match(one.line, /1 thread, fast recurrent kernels/);
  assert.match(three.line, /3 threads, fast recurrent kernels/);
  assert.deepEqual([one.workers, two.workers, three.workers], [0, 1, 2], "workers started beside the main thread");
  assert.ok(one.losses[3] < one.losses[0], `the model learns (${one.losses.join(", ")})`);
  assert.deepEqual(two.losses, one.losses);
  assert.deepEqual(three.losses, one.losses);
  assert.equal(two.weights, one.weights);
  assert.equal(three.weights, one.weights);
});

test("products are split along the longer side of their output, by columns (in 32s) or rows (in 4s), whole, and small ones stay on one thread", () => {
  assert.deepEqual(productParts(128, 512, 128, 2), [[0, 128, 0, 256], [0, 128, 256, 512]]);
  assert.deepEqual(productParts(2048, 512, 128, 2), [[0, 1024, 0, 512], [1024, 2048, 0, 512]]);
  assert.deepEqual(productParts(1, 3000, 128, 2), [[0, 1, 0, 1504], [0, 1, 1504, 3000]]);
  assert.deepEqual(productParts(1, 512, 128, 4), [[0, 1, 0, 512]], "batch-1 generation: one thread");
  for (const [m, n, k, t] of [[130, 70, 300, 3], [9, 1000, 500, 4], [2048, 3000, 128, 8]]) {
    const parts = productParts(m, n, k, t);
    const covered = parts.reduce((sum, [i0, i1, j0, j1]) => sum + (i1 - i0) * (j1 - j0), 0);
    assert.equal(covered, m * n, `${m}×${n} in ${parts.length} parts covers every output once`);
  }
});

// Loss and gradients of a one-layer LSTM model, with the course's kernels (the fused step) or the stock ones.
function lossAndGrads(activation: "sigmoid" | "hardSigmoid", fused: boolean): { loss: number; grads: Float32Array[]; names: string[] } {
  if (fused) registerFastWasmKernels();
  else unregisterFastWasmKernels();
  const model = tf.sequential({ layers: [
    tf.layers.lstm({ units: 32, inputShape: [6, 5], recurrentActivation: activation, unitForgetBias: true, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
  ] });
  const x = tf.randomNormal([8, 6, 5], 0, 2, "float32", 4); // large inputs: the hard sigmoid saturates somewhere
  const y = tf.randomNormal([8, 3], 0, 1, "float32", 5);
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply(x) as tf.Tensor;
    return tf.losses.meanSquaredError(y, out) as tf.Scalar;
  });
  const names = Object.keys(grads).sort();
  const result = { loss: value.dataSync()[0], grads: names.map((n) => grads[n].dataSync() as Float32Array), names };
  tf.dispose([value, x, y, ...Object.values(grads)]);
  model.dispose();
  return result;
}

for (const activation of ["sigmoid", "hardSigmoid"] as const) {
  test(`the fused LSTM step (${activation}) gives tfjs's own cell's loss and gradients`, async () => {
    await initBackend();
    const stock = lossAndGrads(activation, false);
    const fused = lossAndGrads(activation, true);
    registerFastWasmKernels();
    assert.ok(Math.abs(fused.loss - stock.loss) <= 1e-6 * Math.abs(stock.loss), `loss ${fused.loss} vs ${stock.loss}`);
    assert.equal(fused.grads.length, stock.grads.length);
    fused.grads.forEach((g, i) => {
      const scale = Math.max(...stock.grads[i].map(Math.abs));
      const worst = Math.max(...g.map((v, j) => Math.abs(v - stock.grads[i][j])));
      assert.ok(worst <= 1e-5 * scale + 1e-7, `${fused.names[i]}: largest difference ${worst} (largest gradient ${scale})`);
    });
  });
}

// Kernel names called by one forward and backward pass of an LSTM layer over 5 timesteps.
async function kernelsOf(config: Record<string, unknown>): Promise<string[]> {
  const model = tf.sequential({ layers: [tf.layers.lstm({ units: 16, inputShape: [5, 4], recurrentActivation: "sigmoid", ...config })] });
  const x = tf.randomNormal([2, 5, 4]);
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => (model.apply(x) as tf.Tensor).sum() as tf.Scalar);
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose(x);
  model.dispose();
  return profile.kernels.map((k) => k.name);
}

test("on wasm an LSTM layer runs as one kernel forward and one backward; a layer running backwards keeps tfjs's loop, with the fused step", async () => {
  await initBackend();
  registerFastWasmKernels();
  const count = (names: string[], name: string) => names.filter((n) => n === name).length;
  const whole = await kernelsOf({ returnSequences: true });
  assert.deepEqual([count(whole, "CourseLstmLayer"), count(whole, "CourseLstmLayerGrad"), count(whole, "CourseLstmStep")], [1, 1, 0]);
  assert.ok(whole.length < 20, `a handful of kernels in all, not ~35 per timestep: ${whole.join(" ")}`);
  const backwards = await kernelsOf({ goBackwards: true });
  assert.deepEqual([count(backwards, "CourseLstmLayer"), count(backwards, "CourseLstmStep"), count(backwards, "CourseLstmStepGrad")], [0, 5, 5]);
  assert.equal(count(backwards, "Sigmoid"), 0, "no separate gate activations");
});

test("the whole-layer kernel gives tfjs's own layer's outputs and gradients, returning sequences or the last output, with and without a bias", async () => {
  await initBackend();
  for (const config of [{ returnSequences: true }, { returnSequences: false, useBias: false }, { recurrentActivation: "hardSigmoid", returnSequences: true }]) {
    const results = [false, true].map((fused) => {
      if (fused) registerFastWasmKernels();
      else unregisterFastWasmKernels();
      const layer = tf.layers.lstm({ units: 8, inputShape: [7, 3], recurrentActivation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tf.initializers.glorotUniform({ seed: 2 }), biasInitializer: tf.initializers.randomNormal({ seed: 3 }), ...config } as never);
      const model = tf.sequential({ layers: [layer] });
      const x = tf.randomNormal([3, 7, 3], 0, 2, "float32", 4);
      const weight = tf.randomNormal(model.outputs[0].shape.slice(1) as number[], 0, 1, "float32", 5);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x) as tf.Tensor, weight)) as tf.Scalar);
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input) as tf.Tensor, weight)))(x);
      const out = { loss: value.dataSync()[0], grads: Object.keys(grads).sort().map((k) => Array.from(grads[k].dataSync())), dx: Array.from(dx.dataSync()) };
      tf.dispose([value, x, weight, dx, ...Object.values(grads)]);
      model.dispose();
      return out;
    });
    registerFastWasmKernels();
    const [stock, fused] = results;
    const label = JSON.stringify(config);
    assert.ok(Math.abs(fused.loss - stock.loss) <= 1e-5 * Math.max(1, Math.abs(stock.loss)), `${label}: ${fused.loss} vs ${stock.loss}`);
    for (const [name, a, b] of [["dx", fused.dx, stock.dx], ...fused.grads.map((g, i) => [`weight ${i}`, g, stock.grads[i]] as const)] as Array<[string, number[], number[]]>) {
      const scale = Math.max(...b.map(Math.abs));
      const worst = Math.max(...a.map((v, j) => Math.abs(v - b[j])));
      assert.ok(worst <= 1e-5 * scale + 1e-6, `${label} ${name}: largest difference ${worst} (largest value ${scale})`);
    }
  }
});
