// Lesson 4's models: the course's window model (LSTM(128) over 40 one-hot characters → the next character) and a
// character language model that predicts the next character at every position (Embedding → stacked LSTMs →
// TimeDistributed Dense logits), with their losses. Both can be stepped one character at a time by CharGenerator.
import { tf } from "../tf/backend";

/** Options of buildCourseModel. */
export interface CourseModelOptions {
  /** Number of characters (default 38: the lowercased sonnets). */
  vocabSize?: number;
  /** Window length (default 40). */
  Tx?: number;
  /** LSTM units, nA (default 128). */
  units?: number;
  /** Seeds the initial weights. */
  seed?: number;
}

/** Returns the course's model, untrained: LSTM(128) over inputs [batch, Tx, vocabSize] (one-hot) → Dense softmax; output [batch, vocabSize]. */
export function buildCourseModel(opts: CourseModelOptions = {}): tf.Sequential {
  const vocabSize = opts.vocabSize ?? 38;
  const Tx = opts.Tx ?? 40;
  const units = opts.units ?? 128;
  const seed = opts.seed ?? 0;
  checkWhole("buildCourseModel", "vocabSize", vocabSize);
  checkWhole("buildCourseModel", "Tx", Tx);
  checkWhole("buildCourseModel", "units", units);
  let model: tf.Sequential | undefined;
  // Built inside tidy: tfjs's unitForgetBias initialiser leaves intermediate tensors behind.
  tf.tidy(() => {
    model = tf.sequential({
      name: `course_lstm_${units}`,
      layers: [
        tf.layers.lstm({ units, inputShape: [Tx, vocabSize], recurrentActivation: "sigmoid", unitForgetBias: true, ...initializers(seed) }),
        tf.layers.dense({ units: vocabSize, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
      ],
    });
  });
  return model!;
}

/** What defines a character model. */
export interface CharModelOptions {
  vocabSize: number;
  /** Size of the learned vector of each character (Embedding's output). */
  embedding: number;
  /** Units of each LSTM layer, bottom first: [256, 256] stacks two. */
  units: number[];
  /** While training, the fraction of each LSTM's outputs set to zero (a Dropout layer after each; 0: none). */
  dropout?: number;
  /** Seeds the initial weights. */
  seed?: number;
  /** The LSTM gates' activation: "sigmoid" (Keras's default, the default here) or "hardSigmoid" (tfjs's default, cheaper). */
  recurrentActivation?: "sigmoid" | "hardSigmoid";
}

/**
 * Returns the untrained character model: indices [batch, seqLength] (any length) → Embedding → LSTM (returnSequences)
 * → Dropout → … → TimeDistributed(Dense(vocabSize)); output logits [batch, seqLength, vocabSize], the next character
 * at every position (softmax them for a distribution).
 */
export function buildCharModel(opts: CharModelOptions): tf.Sequential {
  const { vocabSize, embedding, units } = opts;
  const dropout = opts.dropout ?? 0;
  const seed = opts.seed ?? 0;
  checkWhole("buildCharModel", "vocabSize", vocabSize);
  checkWhole("buildCharModel", "embedding", embedding);
  if (!Array.isArray(units) || units.length === 0) throw new Error(`buildCharModel: units must list at least one layer size, e.g. [256, 256], got ${JSON.stringify(units)}.`);
  units.forEach((u, i) => checkWhole("buildCharModel", `units[${i}]`, u));
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`buildCharModel: dropout must be in [0, 1), got ${dropout}.`);
  const layers: tf.layers.Layer[] = [
    tf.layers.embedding({ inputDim: vocabSize, outputDim: embedding, inputShape: [null], embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }) }),
  ];
  units.forEach((u, i) => {
    layers.push(tf.layers.lstm({ units: u, returnSequences: true, recurrentActivation: opts.recurrentActivation ?? "sigmoid", unitForgetBias: true, ...initializers(seed + 10 * (i + 1)) }));
    if (dropout > 0) layers.push(tf.layers.dropout({ rate: dropout }));
  });
  layers.push(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: vocabSize, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 99 }) }) }));
  let model: tf.Sequential | undefined;
  tf.tidy(() => void (model = tf.sequential({ name: `char_lstm_${units.join("x")}`, layers })));
  return model!;
}

function initializers(seed: number) {
  return { kernelInitializer: tf.initializers.glorotUniform({ seed }), recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }) };
}

function checkWhole(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${fn}: ${name} must be a whole number ≥ 1, got ${value}.`);
}

/** Returns the mean cross-entropy in nats of logits [..., V] against integer targets [...] (int32): −mean log softmax(logits)[target]. */
export function sequenceLoss(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const v = logits.shape[logits.shape.length - 1];
    const flat = tf.reshape(logits, [-1, v]);
    const logp = tf.logSoftmax(flat);
    const hot = tf.oneHot(tf.reshape(tf.cast(targets, "int32"), [-1]), v);
    return tf.neg(tf.mean(tf.sum(tf.mul(hot, logp), -1))) as tf.Scalar;
  });
}

/** Returns the mean cross-entropy in nats of probabilities [B, V] (the course model's softmax) against integer targets [B]. */
export function windowLoss(probs: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const v = probs.shape[probs.shape.length - 1];
    const hot = tf.oneHot(tf.cast(targets, "int32"), v);
    return tf.neg(tf.mean(tf.sum(tf.mul(hot, tf.log(tf.clipByValue(probs, 1e-7, 1))), -1))) as tf.Scalar;
  });
}

/** Returns one-hot inputs [rows, Tx, vocabSize] for rows [from, to) of the course's windows X (row-major [m, Tx] indices). */
export function windowsOneHot(X: Int32Array, Tx: number, vocabSize: number, from: number, to: number): tf.Tensor3D {
  return tf.tidy(() => tf.oneHot(tf.tensor2d(X.subarray(from * Tx, to * Tx), [to - from, Tx], "int32"), vocabSize) as tf.Tensor3D);
}

/** Returns the number of trainable numbers in a model. */
export function countParameters(model: tf.LayersModel): number {
  return model.countParams();
}
