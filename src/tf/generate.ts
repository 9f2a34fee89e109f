// Stateful text generation for character models: carry each LSTM layer's h and c from one
// character to the next and feed one character at a time, instead of re-running the model on a
// whole window for every new character (the tfjs-examples way: 40 timesteps of work per
// character). The cell maths runs outside TensorFlow.js on the model's weights: the matrix-vector
// products on the course's WebAssembly SIMD functions (in a memory of the generator's own, so it
// works the same on every backend), the gates on typed arrays. Supported models: an optional
// Embedding, stacked LSTM layers, Dropout (ignored, as in inference), and a Dense output layer
// (softmax or linear: logits), optionally wrapped in TimeDistributed or followed by a softmax
// Activation layer. A model may also read features of the text so far (lesson 5: the position in the
// line, the line number): a second input of F indices per step, embedded by one table, reshaped and
// concatenated after the character's embedding; the generator computes them with a StepFeatures.
import type * as tfTypes from "@tensorflow/tfjs";
import { simdKernelsOn } from "./kernels/simd-kernels";
import { softmaxInPlace } from "../np/softmax";
import { Arena } from "../wasm/arena";
import type { SimdKernels } from "./kernels/simd-kernels";

/** Options of CharGenerator.generate and .sample. */
export interface SampleOptions {
  /** Softmax temperature: below 1 sharper, above 1 flatter (default 1). */
  temperature?: number;
  /** A uniform random number in [0, 1): e.g. seededRandom(42), or a RandomState's rand. Default Math.random. */
  random?: () => number;
}

/**
 * Features of the text so far that a model reads beside each character (a second input [batch, steps, F] of
 * indices): next(index) is called with every symbol fed, in order, and returns its F feature indices; reset()
 * starts a new text. They are computed from the text itself, as in training.
 */
export interface StepFeatures {
  reset(): void;
  next(index: number): ArrayLike<number>;
}

/** Options of CharGenerator's constructor. */
export interface CharGeneratorOptions {
  /** For a model with a second input of feature indices: computes them from the symbols fed. */
  features?: StepFeatures;
}

/** A uniform random generator in [0, 1) from a 32-bit seed (mulberry32): same seed, same samples. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Applies an activation in place to z[from..to). */
type Activation = (z: Float32Array, from: number, to: number) => void;
const fifth = Math.fround(0.2);

const activations: Record<string, Activation> = {
  linear: () => undefined,
  tanh: (z, from, to) => {
    for (let i = from; i < to; i++) z[i] = Math.tanh(z[i]);
  },
  sigmoid: (z, from, to) => {
    for (let i = from; i < to; i++) z[i] = 1 / (1 + Math.exp(-z[i]));
  },
  // tfjs: clip(0.2·x + 0.5, 0, 1) in float32, the default recurrent activation of tf.layers.lstm
  hardSigmoid: (z, from, to) => {
    for (let i = from; i < to; i++) z[i] = Math.min(1, Math.max(0, Math.fround(Math.fround(fifth * z[i]) + 0.5)));
  },
  relu: (z, from, to) => {
    for (let i = from; i < to; i++) z[i] = Math.max(0, z[i]);
  },
};

/** The activation `name` (as layers serialise it), on the SIMD functions where they have it. */
function activation(name: unknown, where: string, simd: SimdKernels | null): Activation {
  const key = String(name);
  const fn = activations[key];
  if (!fn) throw new Error(`${where} uses the activation ${key}; the generator knows ${Object.keys(activations).join(", ")}.`);
  if (simd && (key === "tanh" || key === "sigmoid")) {
    // z is a view into the SIMD functions' memory: pass its byte offset.
    return (z, from, to) => simd.fn[key](z.byteOffset + 4 * from, z.byteOffset + 4 * from, 1, to - from, 0);
  }
  return fn;
}

type Buffer = { offset: number; array: Float32Array };

/** A new float32 array of n numbers (zero, or a copy of `values`) in the arena, with its byte offset. */
function take(arena: Arena, n: number, values?: ArrayLike<number>): Buffer {
  const array = arena.float32(n, values);
  return { offset: array.byteOffset, array };
}

interface LstmStep {
  units: number;
  inputSize: number;
  kernel: Buffer; // [inputSize, 4·units]
  recurrent: Buffer; // [units, 4·units]
  bias: Buffer | null;
  h: Buffer;
  c: Buffer;
  z: Buffer;
  act: Activation;
  recurrentAct: Activation;
}

// Floats the generator stores: the weights; h, c and z (6·units) per LSTM; logits and their
// exponentials (2·vocab); the embedded input; 2 scalars; up to 3 floats of alignment per array.
function floatsNeeded(layers: tfTypes.layers.Layer[]): number {
  let total = 16;
  let arrays = 8;
  for (const layer of layers) {
    for (const w of layer.getWeights()) total += w.size;
    const { units, outputDim } = layer.getConfig() as { units?: number; outputDim?: number };
    if (layer.getClassName() === "LSTM") total += 6 * Number(units);
    if (layer.getClassName() === "Dense") total += 2 * Number(units);
    if (layer.getClassName() === "Embedding") total += Number(outputDim);
    arrays += 7;
  }
  return total + 4 * arrays;
}

/**
 * Generates from a character model one character at a time, carrying the LSTM states: step() costs
 * one timestep, whatever the model's training window.
 */
export class CharGenerator {
  /** Number of characters the model knows (its output size). */
  readonly vocabSize: number;
  private readonly embedding: Buffer | null = null;
  private readonly embeddingSize: number = 0;
  private readonly lstms: LstmStep[] = [];
  private readonly denseKernel: Buffer;
  private readonly denseBias: Buffer | null;
  private readonly logits: Buffer;
  private readonly exps: Buffer;
  private readonly scaleShift: Buffer;
  private readonly input: Buffer;
  private readonly simd: SimdKernels | null;
  private readonly features: StepFeatures | null = null;
  private readonly featureTable: Float32Array | null = null;
  private readonly featureSize: number = 0;
  private readonly featureCount: number = 0;

  /**
   * Copies the weights of `model` (Embedding? → LSTM+ → Dense): a snapshot, so build a new
   * generator after more training. The model itself is not kept. A model with a second input of feature indices
   * (Embedding of the characters and Embedding of the features → Reshape → Concatenate, in that order) needs
   * options.features to compute them.
   */
  constructor(model: tfTypes.LayersModel, options: CharGeneratorOptions = {}) {
    let layers = model.layers.filter((l) => !["InputLayer", "Dropout", "SpatialDropout1D"].includes(l.getClassName()));
    let featureLayer: tfTypes.layers.Layer | null = null;
    if (model.inputs.length === 2) {
      // Characters and features: the features' Embedding, Reshape and Concatenate are read here, the rest as usual.
      if (!options.features) throw new Error("This model reads features of the text beside each character (a second input): pass options.features to compute them.");
      const charEmbedding = layers.find((l) => l.getClassName() === "Embedding" && l.input === model.inputs[0]);
      featureLayer = layers.find((l) => l.getClassName() === "Embedding" && l.input === model.inputs[1]) ?? null;
      const concat = layers.find((l) => l.getClassName() === "Concatenate");
      const concatInputs = concat ? (concat.input as tfTypes.SymbolicTensor[]) : [];
      if (!charEmbedding || !featureLayer || !concat || concatInputs[0] !== charEmbedding.output) {
        throw new Error(`The generator takes a second input as Embedding → Reshape → Concatenate after the characters' Embedding; this model is ${layers.map((l) => l.getClassName()).join(" → ")}.`);
      }
      layers = layers.filter((l) => l !== featureLayer && l !== concat && l.getClassName() !== "Reshape");
      layers = [charEmbedding, ...layers.filter((l) => l !== charEmbedding)];
      this.features = options.features;
    } else if (model.inputs.length !== 1) {
      throw new Error(`The generator takes a model of one input (characters) or two (characters, features); this one has ${model.inputs.length}.`);
    }
    const unwrap = (l: tfTypes.layers.Layer) => (l.getClassName() === "TimeDistributed" ? (l as unknown as { layer: tfTypes.layers.Layer }).layer : l);
    // The features' embedded vectors sit in the input buffer after the character's.
    const featureFloats = featureLayer ? Number((featureLayer.input as tfTypes.SymbolicTensor).shape[2]) * Number(featureLayer.getWeights()[0].shape[1]) : 0;
    const arena = new Arena(4 * (floatsNeeded(layers.map(unwrap)) + featureFloats), true);
    this.simd = simdKernelsOn(arena.memory!);
    const values = (l: tfTypes.layers.Layer) => l.getWeights().map((w) => w.dataSync() as Float32Array);
    let at = 0;
    let inputSize = 0;
    let vocabFromInput = 0;
    if (layers[0]?.getClassName() === "Embedding") {
      const [table] = values(layers[0]);
      const [rows, columns] = layers[0].getWeights()[0].shape as [number, number];
      vocabFromInput = rows;
      this.embeddingSize = inputSize = columns;
      this.embedding = take(arena, table.length, table);
      at = 1;
    }
    if (featureLayer) {
      const [rows, columns] = featureLayer.getWeights()[0].shape as [number, number];
      const featureInput = featureLayer.input as tfTypes.SymbolicTensor;
      this.featureCount = Number(featureInput.shape[featureInput.shape.length - 1]);
      this.featureSize = columns;
      this.featureTable = Float32Array.from(featureLayer.getWeights()[0].dataSync());
      if (!(this.featureCount >= 1) || rows * columns !== this.featureTable.length) throw new Error(`${featureLayer.name}: expected features [batch, steps, F] with a fixed F.`);
      inputSize += this.featureCount * columns;
    }
    while (layers[at]?.getClassName() === "LSTM") {
      const layer = layers[at];
      const config = layer.getConfig() as { units: number; activation: unknown; recurrentActivation: unknown; useBias?: boolean; goBackwards?: boolean };
      if (config.goBackwards) throw new Error(`${layer.name} runs backwards in time; the generator steps forwards only.`);
      const [kernel, recurrent, bias] = values(layer);
      const units = config.units;
      if (inputSize === 0) inputSize = vocabFromInput = kernel.length / (4 * units);
      this.lstms.push({
        units,
        inputSize: kernel.length / (4 * units),
        kernel: take(arena, kernel.length, kernel),
        recurrent: take(arena, recurrent.length, recurrent),
        bias: config.useBias === false || !bias ? null : take(arena, bias.length, bias),
        h: take(arena, units),
        c: take(arena, units),
        z: take(arena, 4 * units),
        act: activation(config.activation, layer.name, this.simd),
        recurrentAct: activation(config.recurrentActivation, layer.name, this.simd),
      });
      at++;
    }
    const dense = layers[at] ? unwrap(layers[at]) : undefined;
    if (this.lstms.length === 0 || !dense || dense.getClassName() !== "Dense") {
      const found = layers.map((l) => l.getClassName()).join(" → ");
      throw new Error(`The generator takes Embedding (optional) → LSTM layers → Dense; this model is ${found}.`);
    }
    const denseConfig = dense.getConfig() as { units: number; activation: unknown };
    const outputAct = String(denseConfig.activation);
    const next = layers[at + 1];
    const softmaxAfter = next?.getClassName() === "Activation" && String((next.getConfig() as { activation: unknown }).activation) === "softmax";
    if (!(outputAct === "softmax" || (outputAct === "linear" && (softmaxAfter || !next)))) {
      throw new Error(`The generator needs a Dense output with softmax (or linear: logits); ${dense.name} uses ${outputAct}.`);
    }
    const [kernel, bias] = values(dense);
    this.vocabSize = denseConfig.units;
    this.denseKernel = take(arena, kernel.length, kernel);
    this.denseBias = bias ? take(arena, bias.length, bias) : null;
    this.logits = take(arena, this.vocabSize);
    this.exps = take(arena, this.vocabSize);
    this.scaleShift = take(arena, 2);
    this.input = take(arena, this.embeddingSize + this.featureCount * this.featureSize); // one-hot inputs read a row of W instead
    if (this.lstms[0].inputSize !== this.embeddingSize + this.featureCount * this.featureSize && this.embedding) {
      throw new Error(`${layers[1].name} reads ${this.lstms[0].inputSize} numbers per step, but the embeddings give ${this.embeddingSize + this.featureCount * this.featureSize}.`);
    }
    if (!this.embedding && vocabFromInput !== this.vocabSize) {
      throw new Error(`This model reads one-hot vectors of ${vocabFromInput} characters but predicts ${this.vocabSize}; the generator feeds its own output back, so both must match.`);
    }
  }

  /** Forgets the text so far: every h and c back to zero. */
  reset(): void {
    this.features?.reset();
    for (const l of this.lstms) {
      l.h.array.fill(0);
      l.c.array.fill(0);
    }
  }

  // out[0..n) (+)= x[0..k) · W[k×n], on the SIMD functions when present.
  private matVec(x: Buffer, k: number, w: Buffer, n: number, out: Buffer, accumulate: boolean): void {
    if (this.simd) {
      this.simd.gemm(x.offset, w.offset, out.offset, 1, k, n, k * 4, 4, n * 4, n * 4, accumulate);
      return;
    }
    const o = out.array;
    const xs = x.array;
    const ws = w.array;
    if (!accumulate) o.fill(0, 0, n);
    for (let i = 0; i < k; i++) {
      const xi = xs[i];
      if (xi === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) o[j] += xi * ws[row + j];
    }
  }

  /**
   * Feeds the character `index` and returns the logits of the next one (Dense output before the
   * softmax; a view, overwritten by the next step).
   */
  stepLogits(index: number): Float32Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.vocabSize) {
      throw new Error(`Character index ${index} is outside the vocabulary (0 to ${this.vocabSize - 1}).`);
    }
    let x: Buffer | null = null; // null: the one-hot vector of `index`
    if (this.embedding) {
      this.input.array.set(this.embedding.array.subarray(index * this.embeddingSize, (index + 1) * this.embeddingSize));
      if (this.features) {
        const f = this.features.next(index);
        const size = this.featureSize;
        for (let k = 0; k < this.featureCount; k++) {
          this.input.array.set(this.featureTable!.subarray(f[k] * size, (f[k] + 1) * size), this.embeddingSize + k * size);
        }
      }
      x = this.input;
    }
    for (const l of this.lstms) {
      const n = 4 * l.units;
      const z = l.z.array;
      // z = x·W + h·U + b (gates i, f, c, o in tf.layers.lstm's order)
      if (x) this.matVec(x, l.inputSize, l.kernel, n, l.z, false);
      else z.set(l.kernel.array.subarray(index * n, (index + 1) * n)); // one-hot: a row of W
      this.matVec(l.h, l.units, l.recurrent, n, l.z, true);
      if (l.bias) for (let j = 0; j < n; j++) z[j] += l.bias.array[j];
      const u = l.units;
      l.recurrentAct(z, 0, 2 * u); // input and forget gates
      l.act(z, 2 * u, 3 * u); // candidate
      l.recurrentAct(z, 3 * u, 4 * u); // output gate
      const h = l.h.array;
      const c = l.c.array;
      for (let j = 0; j < u; j++) c[j] = z[u + j] * c[j] + z[j] * z[2 * u + j];
      h.set(c);
      l.act(h, 0, u);
      for (let j = 0; j < u; j++) h[j] *= z[3 * u + j];
      x = l.h;
    }
    const last = this.lstms[this.lstms.length - 1];
    this.matVec(last.h, last.units, this.denseKernel, this.vocabSize, this.logits, false);
    if (this.denseBias) for (let j = 0; j < this.vocabSize; j++) this.logits.array[j] += this.denseBias.array[j];
    return this.logits.array;
  }

  /**
   * exp((logit − max)/T) for the last logits, unnormalised (a view, overwritten by the next step),
   * and their sum.
   */
  private softmaxNumerators(temperature: number): [Float32Array, number] {
    const logits = this.logits.array;
    if (!this.simd) {
      const p = softmax(logits, temperature);
      return [p, 1];
    }
    let max = -Infinity;
    for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
    this.scaleShift.array[0] = 1 / temperature;
    this.scaleShift.array[1] = -max / temperature;
    const [scale, shift] = [this.scaleShift.offset, this.scaleShift.offset + 4];
    this.simd.fn.expAffine(this.logits.offset, scale, shift, this.exps.offset, 1, logits.length, 0, 0, 0);
    const exps = this.exps.array;
    let sum = 0;
    for (let i = 0; i < exps.length; i++) sum += exps[i];
    return [exps, sum];
  }

  /** Feeds the character `index`; returns the next character's probabilities at `temperature` (a new array). */
  step(index: number, temperature = 1): Float32Array {
    this.stepLogits(index);
    const [exps, sum] = this.softmaxNumerators(temperature);
    const p = new Float32Array(exps.length);
    for (let i = 0; i < p.length; i++) p[i] = exps[i] / sum;
    return p;
  }

  /** Draws the next character after feeding `index`. */
  sampleAfter(index: number, options: SampleOptions = {}): number {
    this.stepLogits(index);
    return sampleIndex(this.softmaxNumerators(options.temperature ?? 1)[0], options.random ?? Math.random);
  }

  /**
   * Warms the states up on `prefix` (character indices, at least one), then samples `length` more
   * characters, each fed back in; returns the sampled indices. Carries on from the current state:
   * call reset() first for a fresh start.
   */
  generate(prefix: number[], length: number, options: SampleOptions = {}): number[] {
    if (prefix.length === 0) throw new Error("generate needs a prefix of at least one character to start from.");
    const temperature = options.temperature ?? 1;
    if (!(temperature > 0)) throw new Error(`temperature must be above 0, not ${temperature}.`);
    const random = options.random ?? Math.random;
    for (let i = 0; i < prefix.length - 1; i++) this.stepLogits(prefix[i]);
    const out: number[] = [];
    let current = prefix[prefix.length - 1];
    for (let i = 0; i < length; i++) {
      current = this.sampleAfter(current, { temperature, random });
      out.push(current);
    }
    return out;
  }
}

/** softmax(logits / temperature) in float64, returned as float32 probabilities. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float32Array {
  const p = Float64Array.from(logits);
  softmaxInPlace(p, temperature);
  return Float32Array.from(p);
}

/** One multinomial draw from probabilities (need not sum exactly to 1) with a uniform draw from random(). */
export function sampleIndex(probabilities: ArrayLike<number>, random: () => number): number {
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) total += probabilities[i];
  let u = random() * total;
  for (let i = 0; i < probabilities.length; i++) {
    u -= probabilities[i];
    if (u < 0) return i;
  }
  return probabilities.length - 1;
}
