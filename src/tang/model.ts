// Lesson 5's model: the course's Embedding → 2 × LSTM(128) → softmax over the vocabulary (jinfagang/tensorflow_poems),
// optionally told where it stands in the poem. With `position` on, the model reads beside each character three
// features computed from the text so far: the characters since the last line-end mark (its column), the line-end
// marks so far (its line), and the length of the first line once it has ended (the poem's width, 0 before). Each is
// embedded and concatenated after the character's embedding. They are computed from the text itself, the same way in
// training and in generation (PoemPosition), so a free poem stays free: nothing is imposed, the model simply does not
// have to count. Format-aware poetry models do this (e.g. the line and position tokens of Jiuge / GPT-style poetry
// generators).
import type { PoemVocab } from "../data/poems";
import { tf } from "../tf/backend";
import { CharGenerator } from "../tf/generate";
import type { StepFeatures } from "../tf/generate";
import { lineEnds } from "./forms";

/** Each position feature is capped at this − 1 (a column of 15 or more counts as 15). */
export const featureBuckets = 16;
/** The features per step: column, line, width. */
export const featureNames = ["column", "line", "width"] as const;

/** What defines a poem model. */
export interface PoemModelOptions {
  vocabSize: number;
  /** Size of each character's learned vector (default 128, the course's). */
  embedding?: number;
  /** LSTM sizes, bottom first (default [128, 128], the course's). */
  units?: number[];
  /** Read the position features beside each character (default true). */
  position?: boolean;
  /** Size of each position feature's embedding (default 16). */
  positionEmbedding?: number;
  /** Seeds the initial weights. */
  seed?: number;
}

/**
 * Returns the untrained poem model. Inputs: character indices [batch, steps] (int32), and with `position` the
 * features [batch, steps, 3] (int32, from poemFeatures). Output: logits [batch, steps, vocabSize], the next symbol at
 * every position (softmax them for a distribution). Layers named for reading: "chars", "char_embedding", "lstm_1",
 * "lstm_2", "logits" (and "features", "feature_embedding").
 */
export function buildPoemModel(opts: PoemModelOptions): tf.LayersModel {
  const vocabSize = opts.vocabSize;
  const embedding = opts.embedding ?? 128;
  const units = opts.units ?? [128, 128];
  const position = opts.position ?? true;
  const positionEmbedding = opts.positionEmbedding ?? 16;
  const seed = opts.seed ?? 0;
  for (const [name, value] of [["vocabSize", vocabSize], ["embedding", embedding], ["positionEmbedding", positionEmbedding], ...units.map((u, i) => [`units[${i}]`, u])] as [string, number][]) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`buildPoemModel: ${name} must be a whole number ≥ 1, got ${value}.`);
  }
  if (units.length === 0) throw new Error("buildPoemModel: units must list at least one LSTM size, e.g. [128, 128].");
  let model: tf.LayersModel | undefined;
  // Built inside tidy: tfjs's unitForgetBias initialiser leaves intermediate tensors behind.
  tf.tidy(() => {
    const chars = tf.input({ shape: [null], dtype: "int32", name: "chars" });
    let x = tf.layers.embedding({
      inputDim: vocabSize, outputDim: embedding, name: "char_embedding",
      embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }),
    }).apply(chars) as tf.SymbolicTensor;
    const inputs = [chars];
    if (position) {
      const features = tf.input({ shape: [null, featureNames.length], dtype: "int32", name: "features" });
      inputs.push(features);
      const embedded = tf.layers.embedding({
        inputDim: featureBuckets * featureNames.length, outputDim: positionEmbedding, name: "feature_embedding",
        embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seed + 5 }),
      }).apply(features) as tf.SymbolicTensor;
      const flat = tf.layers.reshape({ targetShape: [-1, featureNames.length * positionEmbedding], name: "features_flat" }).apply(embedded) as tf.SymbolicTensor;
      x = tf.layers.concatenate({ name: "char_and_features" }).apply([x, flat]) as tf.SymbolicTensor;
    }
    units.forEach((u, i) => {
      x = tf.layers.lstm({
        units: u, returnSequences: true, recurrentActivation: "sigmoid", unitForgetBias: true, name: `lstm_${i + 1}`,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 10 * (i + 1) }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 10 * (i + 1) + 1 }),
      }).apply(x) as tf.SymbolicTensor;
    });
    const logits = tf.layers.dense({ units: vocabSize, name: "logits", kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 99 }) }).apply(x) as tf.SymbolicTensor;
    model = tf.model({ inputs, outputs: logits, name: `poem_lstm_${units.join("x")}${position ? "_position" : ""}` });
  });
  return model!;
}

/** Returns true when the model reads position features (a second input). */
export function readsPosition(model: tf.LayersModel): boolean {
  return model.inputs.length === 2;
}

/**
 * Where the text so far stands, fed one symbol at a time: the features of the symbol just fed (column, line, width,
 * each capped at featureBuckets − 1, offset into one table: line + 16, width + 32). The start token and anything
 * before it are column 0, line 0, width 0. A StepFeatures for CharGenerator.
 */
export class PoemPosition implements StepFeatures {
  private column = 0;
  private line = 0;
  private width = 0;
  private readonly isLineEnd: Uint8Array;
  private readonly start: number;
  private readonly out = new Int32Array(3);

  constructor(vocab: PoemVocab) {
    this.isLineEnd = new Uint8Array(vocab.vocabSize);
    vocab.ixToChar.forEach((c, i) => (this.isLineEnd[i] = i > vocab.unknown && lineEnds.includes(c) ? 1 : 0));
    this.start = vocab.start;
  }

  reset(): void {
    this.column = this.line = this.width = 0;
  }

  /** Feeds one symbol; returns its three feature indices (a view, overwritten by the next call). */
  next(index: number): Int32Array {
    if (index === this.start) this.reset();
    else if (this.isLineEnd[index]) {
      if (this.line === 0) this.width = this.column;
      this.line++;
      this.column = 0;
    } else this.column++;
    const cap = featureBuckets - 1;
    this.out[0] = Math.min(this.column, cap);
    this.out[1] = featureBuckets + Math.min(this.line, cap);
    this.out[2] = 2 * featureBuckets + Math.min(this.width, cap);
    return this.out;
  }
}

/** Returns the features [n, 3] (row-major) of each symbol of `sequence` as PoemPosition gives them. */
export function poemFeatures(sequence: ArrayLike<number>, vocab: PoemVocab): Int32Array {
  const position = new PoemPosition(vocab);
  const out = new Int32Array(sequence.length * 3);
  for (let t = 0; t < sequence.length; t++) out.set(position.next(sequence[t]), 3 * t);
  return out;
}

/**
 * Returns a stateful one-step generator of the model (a snapshot of its weights) for generatePoem: it feeds the
 * position features itself when the model reads them.
 */
export function poemGenerator(model: tf.LayersModel, vocab: PoemVocab): CharGenerator {
  return new CharGenerator(model, readsPosition(model) ? { features: new PoemPosition(vocab) } : {});
}
