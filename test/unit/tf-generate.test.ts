// The stateful generator against model.predict on the growing prefix, for small random models.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { tf } from "../../src/tf/backend";
import { CharGenerator, sampleIndex, seededRandom, softmax } from "../../src/tf/generate";
import { registerFastWasmKernels } from "../../src/tf/kernels/index";

before(async () => {
  await tf.setBackend("wasm");
  registerFastWasmKernels();
});

const vocab = 13;

interface Case {
  name: string;
  build(): tf.LayersModel;
  embedded: boolean;
  sequenceOutput?: boolean;
}

const cases: Case[] = [
  {
    name: "one-hot → 2×LSTM (hardSigmoid gates, tfjs's default) → Dense softmax",
    embedded: false,
    build: () =>
      tf.sequential({
        layers: [tf.layers.lstm({ units: 9, returnSequences: true, inputShape: [null, vocab] }), tf.layers.lstm({ units: 7 }), tf.layers.dense({ units: vocab, activation: "softmax" })],
      }),
  },
  {
    name: "Embedding → LSTM (sigmoid gates) → LSTM (returnSequences) → Dense softmax at every step",
    embedded: true,
    sequenceOutput: true,
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: vocab, outputDim: 6, inputShape: [null] }),
          tf.layers.lstm({ units: 10, returnSequences: true, recurrentActivation: "sigmoid" }),
          tf.layers.dropout({ rate: 0.3 }),
          tf.layers.lstm({ units: 8, returnSequences: true, recurrentActivation: "sigmoid" }),
          tf.layers.dense({ units: vocab, activation: "softmax" }),
        ],
      }),
  },
  {
    name: "one-hot → LSTM → Dense linear → Activation softmax",
    embedded: false,
    build: () =>
      tf.sequential({
        layers: [tf.layers.lstm({ units: 11, inputShape: [null, vocab] }), tf.layers.dense({ units: vocab }), tf.layers.activation({ activation: "softmax" })],
      }),
  },
];

/** Random weights, biases included (the initialisers leave biases at 0 or 1). */
function randomise(model: tf.LayersModel, seed: number): void {
  model.setWeights(model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.6, "float32", seed + i)));
}

function predictLast(model: tf.LayersModel, prefix: number[], c: Case): Float32Array {
  return tf.tidy(() => {
    const indices = tf.tensor2d([prefix], [1, prefix.length], "int32");
    const x = c.embedded ? indices.cast("float32") : tf.oneHot(indices, vocab).cast("float32");
    let y = model.predict(x) as tf.Tensor;
    if (c.sequenceOutput) y = y.slice([0, prefix.length - 1, 0], [1, 1, vocab]);
    return y.dataSync() as Float32Array;
  });
}

for (const [n, c] of cases.entries()) {
  test(`per-step distribution equals model.predict on the growing prefix (1e-5): ${c.name}`, () => {
    const model = c.build();
    randomise(model, 10 * n);
    const generator = new CharGenerator(model);
    assert.equal(generator.vocabSize, vocab);
    const text = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3];
    for (let t = 0; t < text.length; t++) {
      const p = generator.step(text[t]);
      const expected = predictLast(model, text.slice(0, t + 1), c);
      for (let i = 0; i < vocab; i++) assert.ok(Math.abs(p[i] - expected[i]) <= 1e-5, `step ${t}, character ${i}: ${p[i]} vs predict ${expected[i]}`);
    }
    generator.reset();
    const again = generator.step(text[0]);
    const first = predictLast(model, text.slice(0, 1), c);
    for (let i = 0; i < vocab; i++) assert.ok(Math.abs(again[i] - first[i]) <= 1e-5, "reset() starts from zero states");
    model.dispose();
  });
}

test("temperature divides the logits; a seed gives the same text; generate feeds back what it samples", () => {
  const model = cases[0].build();
  randomise(model, 77);
  const generator = new CharGenerator(model);
  const logits = Array.from(generator.stepLogits(2));
  generator.reset();
  const cold = generator.step(2, 0.5);
  const expected = softmax(logits.map((z) => z / 0.5));
  for (let i = 0; i < vocab; i++) assert.ok(Math.abs(cold[i] - expected[i]) <= 1e-6);

  const sample = (seed: number) => {
    generator.reset();
    return generator.generate([1, 2, 3], 50, { temperature: 0.8, random: seededRandom(seed) });
  };
  const a = sample(5);
  assert.equal(a.length, 50);
  assert.ok(a.every((i) => Number.isInteger(i) && i >= 0 && i < vocab));
  assert.deepEqual(sample(5), a);
  assert.notDeepEqual(sample(6), a);

  // generate = warm up on the prefix, then one draw per step from the state so far.
  generator.reset();
  const random = seededRandom(5);
  let current = 3;
  generator.stepLogits(1);
  generator.stepLogits(2);
  const byHand: number[] = [];
  for (let i = 0; i < 50; i++) byHand.push((current = generator.sampleAfter(current, { temperature: 0.8, random })));
  assert.deepEqual(byHand, a);
  model.dispose();
});

test("sampleIndex draws by cumulative probability", () => {
  assert.equal(sampleIndex([0.2, 0.5, 0.3], () => 0.1), 0);
  assert.equal(sampleIndex([0.2, 0.5, 0.3], () => 0.69), 1);
  assert.equal(sampleIndex([0.2, 0.5, 0.3], () => 0.71), 2);
  assert.equal(sampleIndex([2, 0, 2], () => 0.5), 2, "unnormalised weights work");
});

test("models the generator cannot step say what they are and what it takes", () => {
  const gru = tf.sequential({ layers: [tf.layers.gru({ units: 4, inputShape: [null, vocab] }), tf.layers.dense({ units: vocab, activation: "softmax" })] });
  assert.throws(() => new CharGenerator(gru), /Embedding \(optional\) → LSTM layers → Dense; this model is GRU → Dense/);
  const relu = tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [null, vocab] }), tf.layers.dense({ units: vocab, activation: "relu" })] });
  assert.throws(() => new CharGenerator(relu), /softmax \(or linear: logits\)/);
  const mismatch = tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [null, 5] }), tf.layers.dense({ units: vocab, activation: "softmax" })] });
  assert.throws(() => new CharGenerator(mismatch), /one-hot vectors of 5 characters but predicts 13/);
  const fine = tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [null, vocab] }), tf.layers.dense({ units: vocab, activation: "softmax" })] });
  const generator = new CharGenerator(fine);
  assert.throws(() => generator.step(vocab), /outside the vocabulary \(0 to 12\)/);
  assert.throws(() => generator.generate([], 3), /prefix of at least one character/);
  for (const model of [gru, relu, mismatch, fine]) model.dispose();
});
