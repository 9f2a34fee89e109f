// Lesson 2's classifier: a recurrent layer reads a digit row by row (28 steps of 28 pixels) and a softmax layer
// classifies it from the last hidden state. The model, its loss and accuracy, and its evaluation on a set.
import { numClasses } from "../data/mnist";
import type { MnistSet } from "../data/mnist";
import { tf } from "../tf/backend";
import { imagesTensor } from "./tensors";

/** The recurrent layers the lesson compares. */
export const cellTypes = ["lstm", "gru", "simpleRNN"] as const;
export type CellType = (typeof cellTypes)[number];

/** What defines a classifier: its recurrent cell and hidden size (the number of units, nA). */
export interface ClassifierOptions {
  cell?: CellType;
  units?: number;
  /** Seeds the initial weights, so a run can be repeated. */
  seed?: number;
  /** While training, the fraction of the recurrent layer's inputs and of its previous state set to zero (0: none). */
  dropout?: number;
}

/** Returns the untrained model: cell(units) over inputs [batch, 28, 28] → Dense(10, softmax); output [batch, 10]. */
export function buildClassifier(opts: ClassifierOptions = {}): tf.Sequential {
  const cell = opts.cell ?? "lstm";
  const units = opts.units ?? 128;
  const seed = opts.seed ?? 0;
  if (!cellTypes.includes(cell)) throw new Error(`buildClassifier: cell must be one of ${cellTypes.join(", ")}, got ${JSON.stringify(cell)}.`);
  if (!Number.isInteger(units) || units < 1) throw new Error(`buildClassifier: units must be a whole number ≥ 1, got ${units}.`);
  const dropout = opts.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`buildClassifier: dropout must be in [0, 1), got ${dropout}.`);
  const recurrent = {
    units,
    inputShape: [28, 28],
    dropout,
    recurrentDropout: dropout,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
  };
  // unitForgetBias: the forget gate starts at σ(1) ≈ 0.73, remembering by default (Keras does it; tfjs does not).
  const layer = cell === "lstm" ? tf.layers.lstm({ ...recurrent, unitForgetBias: true }) : cell === "gru" ? tf.layers.gru(recurrent) : tf.layers.simpleRNN(recurrent);
  const dense = tf.layers.dense({ units: numClasses, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) });
  // Built inside tidy: tfjs's unitForgetBias initializer leaves 4 intermediate tensors behind (the weights, being
  // variables, are kept).
  let model: tf.Sequential | undefined;
  tf.tidy(() => void (model = tf.sequential({ name: `mnist_${cell}_${units}`, layers: [layer, dense] })));
  return model!;
}

/** Returns the mean cross-entropy −(1/B) Σ log p[label] of probabilities [B, 10] against one-hot labels [B, 10]. */
export function crossEntropy(probs: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, 1e-7, 1))), -1))) as tf.Scalar);
}

/** Returns the fraction of rows of probs [N, 10] whose most probable class equals labels [N] (int32). */
export function accuracy(probs: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(probs, 1), tf.cast(labels, "int32")), "float32")).dataSync()[0]);
}

/** Probabilities, predicted digits, loss and accuracy of a model on a set. */
export interface Evaluation {
  /** Mean cross-entropy. */
  loss: number;
  accuracy: number;
  /** The predicted digit of each image, [N]. */
  predictions: Int32Array;
  /** Probabilities, row-major [N, 10]. */
  probabilities: Float32Array;
}

/** Returns the model's loss, accuracy, predictions [N] and probabilities [N·10] on the set, in batches, keeping no tensor. */
export function evaluate(model: tf.LayersModel, set: MnistSet, batchSize = 500): Evaluation {
  const probabilities = new Float32Array(set.count * numClasses);
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(set.count, start + batchSize);
    tf.tidy(() => {
      // apply, not predict: predict would cut the batch into slices of 32, each paying the per-step overhead.
      const probs = model.apply(imagesTensor(set, start, end), { training: false }) as tf.Tensor;
      probabilities.set(probs.dataSync() as Float32Array, start * numClasses);
    });
  }
  const predictions = new Int32Array(set.count);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < set.count; i++) {
    const row = probabilities.subarray(i * numClasses, (i + 1) * numClasses);
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (row[c] > row[best]) best = c;
    predictions[i] = best;
    if (best === set.labels[i]) correct++;
    loss -= Math.log(Math.max(row[set.labels[i]], 1e-7));
  }
  const n = Math.max(1, set.count);
  return { loss: loss / n, accuracy: correct / n, predictions, probabilities };
}
