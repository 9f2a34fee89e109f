// Lesson 5's model: the course's Embedding → 2 × LSTM(128) → softmax over the vocabulary (jinfagang/tensorflow_poems),
// optionally told where it stands in the poem. With `position` on, the model reads beside each character three
// features computed from the text so far: the characters since the last line-end mark (its column), the line-end
// marks so far (its line), and the length of the first line once it has ended (the poem's width, 0 before). Each is
// embedded and concatenated after the character's embedding. They are computed from the text itself, the same way in
// training and in generation (PoemPosition), so a free poem stays free: nothing is imposed, the model simply does not
// have to count. Format-aware poetry models do this (e.g. the line and position tokens of Jiuge / GPT-style poetry
// generators). With `rhymeInput`, a fourth feature tells the model the poem's rhyme so far: the rhyme class
// (rhyme.ts) shared by the last characters of the even lines written so far. The rhyme of line 4 comes 12 or 16
// characters after the one that set it (more for a 律诗's 6th and 8th lines): instead of carrying that sound in its state, the model reads it, and
// only has to learn which characters are in the class. "place" gives it only where it applies, on the character
// before the last of an even line after the 2nd (column width − 1), and 0 elsewhere; "always" at every character
// after the 2nd line (the model must then also learn where it applies: it learned to rhyme more slowly, lesson 5).
import type { PoemVocab } from "../data/poems";
import { tf } from "../tf/backend";
import { CharGenerator } from "../tf/generate";
import type { StepFeatures } from "../tf/generate";
import { lineEnds } from "./forms";
import { rhymeClasses, rhymeTable } from "./rhyme";
import type { RhymeClass } from "./rhyme";

/** Each position feature is capped at this − 1 (a column of 15 or more counts as 15). */
export const featureBuckets = 16;
/** The features per step: column, line, width (the position), then rhyme (with rhymeInput). */
export const featureNames = ["column", "line", "width", "rhyme"] as const;
/** How many of featureNames a model with the position features reads: 3, or 4 with the rhyme. */
const positionFeatures = 3;

/** Where a model reads the poem's rhyme so far: nowhere, at every character after the 2nd line, or only at the place before an even line's last character. */
export type RhymeInput = "none" | "always" | "place";
export const rhymeInputs: readonly RhymeInput[] = ["none", "always", "place"];

/** How many features per step a model with the position features reads: 3, and the rhyme as a 4th with a rhymeInput. */
export const featureCount = (rhymeInput: RhymeInput): number => positionFeatures + (rhymeInput === "none" ? 0 : 1);

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
  /** Also read the poem's rhyme so far, a fourth feature: "always" or only at the "place" where it applies (default "none"; needs position). */
  rhymeInput?: RhymeInput;
  /** Seeds the initial weights. */
  seed?: number;
}

/**
 * Returns the untrained poem model. Inputs: character indices [batch, steps] (int32), and with `position` the
 * features [batch, steps, 3] (int32, from poemFeatures; 4 with a rhymeInput). Output: logits [batch, steps, vocabSize], the next symbol at
 * every position (softmax them for a distribution). Layers named for reading: "chars", "char_embedding", "lstm_1",
 * "lstm_2", "logits" (and "features", "feature_embedding").
 */
export function buildPoemModel(opts: PoemModelOptions): tf.LayersModel {
  const vocabSize = opts.vocabSize;
  const embedding = opts.embedding ?? 128;
  const units = opts.units ?? [128, 128];
  const position = opts.position ?? true;
  const positionEmbedding = opts.positionEmbedding ?? 16;
  const rhymeInput = opts.rhymeInput ?? "none";
  const seed = opts.seed ?? 0;
  if (!rhymeInputs.includes(rhymeInput)) throw new Error(`buildPoemModel: rhymeInput must be one of ${rhymeInputs.join(", ")}, got ${JSON.stringify(rhymeInput)}.`);
  if (rhymeInput !== "none" && !position) throw new Error("buildPoemModel: rhymeInput needs position: the rhyme is read as a fourth feature beside the position.");
  const F = featureCount(rhymeInput);
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
      const features = tf.input({ shape: [null, F], dtype: "int32", name: "features" });
      inputs.push(features);
      const embedded = tf.layers.embedding({
        inputDim: featureBuckets * F, outputDim: positionEmbedding, name: "feature_embedding",
        embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seed + 5 }),
      }).apply(features) as tf.SymbolicTensor;
      const flat = tf.layers.reshape({ targetShape: [-1, F * positionEmbedding], name: "features_flat" }).apply(embedded) as tf.SymbolicTensor;
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
    model = tf.model({ inputs, outputs: logits, name: `poem_lstm_${units.join("x")}${position ? "_position" : ""}${rhymeInput === "none" ? "" : `_rhyme-${rhymeInput}`}` });
  });
  return model!;
}

/** Returns true when the model reads position features (a second input). */
export function readsPosition(model: tf.LayersModel): boolean {
  return model.inputs.length === 2;
}

/** Returns where the model reads the rhyme: its name says it (buildPoemModel names it, and the name is saved in model.json). */
export function rhymeInputOf(model: tf.LayersModel): RhymeInput {
  const reads = readsPosition(model) ? (model.inputs[1].shape[2] as number) : 0;
  if (reads <= positionFeatures) return "none";
  const named = /_rhyme-(always|place)$/.exec(model.name);
  if (!named) throw new Error(`The model ${JSON.stringify(model.name)} reads ${reads} features per step, but its name does not say where it reads the rhyme (_rhyme-always or _rhyme-place, as buildPoemModel names it).`);
  return named[1] as RhymeInput;
}

// Rhyme classes numbered from 1 in rhymeTable's order: 0 is "no rhyme yet".
const classNumber = new Map(Object.keys(rhymeTable).map((c, i) => [c as RhymeClass, i + 1]));

// What PoemPosition needs to know of each symbol, computed once per vocabulary (a batch makes one PoemPosition per poem).
const symbolTables = new WeakMap<PoemVocab, { isLineEnd: Uint8Array; classes: () => number[][] }>();
function symbolsOf(vocab: PoemVocab) {
  let tables = symbolTables.get(vocab);
  if (!tables) {
    const isLineEnd = new Uint8Array(vocab.vocabSize);
    vocab.ixToChar.forEach((c, i) => (isLineEnd[i] = i > vocab.unknown && lineEnds.includes(c) ? 1 : 0));
    let classes: number[][] | undefined;
    const classesOf = (c: string, i: number) => (i > vocab.unknown && !isLineEnd[i] && Array.from(c).length === 1 ? rhymeClasses(c).map((k) => classNumber.get(k)!) : []);
    tables = { isLineEnd, classes: () => (classes ??= vocab.ixToChar.map(classesOf)) };
    symbolTables.set(vocab, tables);
  }
  return tables;
}

/**
 * Where the text so far stands, fed one symbol at a time: the features of the symbol just fed (column, line, width,
 * each capped at featureBuckets − 1, offset into one table: line + 16, width + 32), and with a rhymeInput the rhyme
 * + 48: the number (1 to 13, rhymeTable's order) of the first rhyme class shared by every even-line end so far
 * (when a new end shares none with them, its own first class: the rhyme changed), 0 before the 2nd line ends, and
 * with "place" 0 except where the next character would end an even line after the 2nd (the 4th, 6th… line:
 * line 3, 5…, at column width − 1). The start token and anything before it are column 0, line 0, width 0, no rhyme. A StepFeatures for
 * CharGenerator.
 */
export class PoemPosition implements StepFeatures {
  private column = 0;
  private line = 0;
  private width = 0;
  private previous = -1;
  /** The rhyme classes (numbers) shared by the even-line ends so far, the first reading's first. */
  private rhyme: number[] = [];
  private readonly isLineEnd: Uint8Array;
  /** Each symbol's rhyme classes as numbers ([] for tokens and punctuation); computed only with a rhymeInput. */
  private readonly classesOf: number[][];
  private readonly start: number;
  private readonly out: Int32Array;

  constructor(vocab: PoemVocab, private readonly rhymeInput: RhymeInput = "none") {
    if (!rhymeInputs.includes(rhymeInput)) throw new Error(`PoemPosition: rhymeInput must be one of ${rhymeInputs.join(", ")}, got ${JSON.stringify(rhymeInput)}.`);
    const symbols = symbolsOf(vocab);
    this.isLineEnd = symbols.isLineEnd;
    this.classesOf = rhymeInput === "none" ? [] : symbols.classes();
    this.start = vocab.start;
    this.out = new Int32Array(featureCount(rhymeInput));
  }

  reset(): void {
    this.column = this.line = this.width = 0;
    this.previous = -1;
    this.rhyme = [];
  }

  /** Feeds one symbol; returns its feature indices (a view, overwritten by the next call). */
  next(index: number): Int32Array {
    if (index === this.start) this.reset();
    else if (this.isLineEnd[index]) {
      if (this.line === 0) this.width = this.column;
      if (this.line % 2 === 1 && this.classesOf.length > 0 && this.previous >= 0) this.rhymeWith(this.classesOf[this.previous]);
      this.line++;
      this.column = 0;
    } else this.column++;
    this.previous = index;
    const cap = featureBuckets - 1;
    this.out[0] = Math.min(this.column, cap);
    this.out[1] = featureBuckets + Math.min(this.line, cap);
    this.out[2] = 2 * featureBuckets + Math.min(this.width, cap);
    if (this.rhymeInput !== "none") {
      const here = this.rhymeInput === "always" || (this.line % 2 === 1 && this.line >= 3 && this.width > 0 && this.column === this.width - 1);
      this.out[3] = 3 * featureBuckets + (here ? this.rhyme[0] ?? 0 : 0);
    }
    return this.out;
  }

  // An even line ended on a character of these classes: keep the classes it shares with the earlier ends.
  private rhymeWith(classes: number[]): void {
    if (classes.length === 0) return;
    const shared = this.rhyme.filter((k) => classes.includes(k));
    this.rhyme = this.rhyme.length > 0 && shared.length > 0 ? shared : classes;
  }
}

/** Returns the features [n, F] (row-major; F 3, or 4 with a rhymeInput) of each symbol of `sequence` as PoemPosition gives them. */
export function poemFeatures(sequence: ArrayLike<number>, vocab: PoemVocab, rhymeInput: RhymeInput = "none"): Int32Array {
  const position = new PoemPosition(vocab, rhymeInput);
  const F = featureCount(rhymeInput);
  const out = new Int32Array(sequence.length * F);
  for (let t = 0; t < sequence.length; t++) out.set(position.next(sequence[t]), F * t);
  return out;
}

/**
 * Returns a stateful one-step generator of the model (a snapshot of its weights) for generatePoem: it feeds the
 * position features itself when the model reads them.
 */
export function poemGenerator(model: tf.LayersModel, vocab: PoemVocab): CharGenerator {
  return new CharGenerator(model, readsPosition(model) ? { features: new PoemPosition(vocab, rhymeInputOf(model)) } : {});
}
