// Lesson 4's training loop, written out: batches of random windows of the training text where every position is a
// target, tf.variableGrads + Adam with clipped gradients (and optional decoupled weight decay), the held-out loss
// measured on the whole held-out text read in order, the learning rate lowered when it stops improving, the best
// checkpoint kept, a stop flag, a logged run, and checkpoints holding the optimiser's state so a run can resume.
import { tf } from "../tf/backend";
import { clipByGlobalNorm } from "../tf/clip";
import { afterEvaluation, recordLoss } from "../tf/loop";
import type { LoopOptions, LoopRow, PlateauState } from "../tf/loop";
import { CharGenerator, seededRandom } from "../tf/generate";
import { loadCheckpointInto } from "../tf/checkpoint";
import { sequenceLoss, windowLoss, windowsOneHot } from "./model";
import type { Windows } from "../data/text";
import { withDefaults } from "../options";
import { onInterrupt } from "../interrupt";

export { loadCheckpointInto, saveCheckpoint } from "../tf/checkpoint";

/** Returns a batch of `batchSize` random windows of `text` (indices): xs [batchSize, seqLength] and ys, the characters one further on (int32). */
export function randomBatch(text: Int32Array, batchSize: number, seqLength: number, random: () => number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  if (text.length < seqLength + 1) throw new Error(`randomBatch: the text has ${text.length} characters, fewer than seqLength + 1 = ${seqLength + 1}.`);
  const x = new Int32Array(batchSize * seqLength);
  const y = new Int32Array(batchSize * seqLength);
  const starts = text.length - seqLength; // start in [0, length − seqLength − 1]
  for (let b = 0; b < batchSize; b++) {
    const s = Math.floor(random() * starts);
    x.set(text.subarray(s, s + seqLength), b * seqLength);
    y.set(text.subarray(s + 1, s + seqLength + 1), b * seqLength);
  }
  return { xs: tf.tensor2d(x, [batchSize, seqLength], "int32"), ys: tf.tensor2d(y, [batchSize, seqLength], "int32") };
}

/**
 * Returns the mean loss in nats per character of a character model on `text` (indices) read in order from a fresh
 * state: each of text[1..n) predicted from everything before it, stepped by CharGenerator (one timestep per character).
 * Works for any model CharGenerator takes (the course's window model too, though it was trained on 40 characters).
 */
export function heldOutLoss(model: tf.LayersModel | CharGenerator, text: ArrayLike<number>): number {
  if (text.length < 2) throw new Error(`heldOutLoss: the text needs at least 2 characters, got ${text.length}.`);
  const gen = model instanceof CharGenerator ? model : new CharGenerator(model);
  gen.reset();
  let total = 0;
  for (let i = 0; i + 1 < text.length; i++) total += nats(gen.stepLogits(text[i]), text[i + 1]);
  gen.reset();
  return total / (text.length - 1);
}

/** Returns −log softmax(logits)[target], in float64. */
export function nats(logits: ArrayLike<number>, target: number): number {
  let max = -Infinity;
  for (let j = 0; j < logits.length; j++) if (logits[j] > max) max = logits[j];
  let sum = 0;
  for (let j = 0; j < logits.length; j++) sum += Math.exp(logits[j] - max);
  return Math.log(sum) + max - logits[target];
}

/** Returns the mean loss in nats of the course's window model on every window of `text` (stride 1): each character from the Tx before it. */
export function windowHeldOutLoss(model: tf.LayersModel, text: Int32Array, Tx = 40, batchSize = 512): number {
  const vocabSize = model.outputs[0].shape[1] as number;
  const n = text.length - Tx;
  if (n < 1) throw new Error(`windowHeldOutLoss: the text has ${text.length} characters, not more than Tx = ${Tx}.`);
  const X = new Int32Array(n * Tx);
  for (let i = 0; i < n; i++) X.set(text.subarray(i, i + Tx), i * Tx);
  let total = 0;
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    total += tf.tidy(() => {
      const probs = model.apply(windowsOneHot(X, Tx, vocabSize, from, to), { training: false }) as tf.Tensor;
      return windowLoss(probs, tf.tensor1d(text.subarray(from + Tx, to + Tx), "int32")).dataSync()[0] * (to - from);
    });
  }
  return total / n;
}

/** Where a run stands: what a checkpoint's state.json holds to resume. */
export interface TrainState extends PlateauState {
  /** Seconds spent training so far (evaluations excluded). */
  seconds: number;
}

/** One logged row: the step (batches so far), epochs of training text seen, and the losses in nats per character. */
export interface LogRow extends LoopRow {
  /** Training characters (every one a target) per second since the last row. */
  charsPerSecond: number;
}

/** How to train a character model (and the options every loop takes: LoopOptions). */
export interface TrainOptions extends LoopOptions<LogRow> {
  batchSize?: number;
  /** Characters per window; every one is a target. */
  seqLength?: number;
  /** Adam's learning rate (default 2e-3). */
  lr?: number;
  /** Gradients are scaled down when their global norm exceeds this (Infinity: never). */
  clipNorm?: number;
  /** Decoupled weight decay (AdamW): weights of rank ≥ 2 are multiplied by 1 − lr·weightDecay after each step (0: none). */
  weightDecay?: number;
}

/** What a training run did. */
export interface TrainResult {
  rows: LogRow[];
  state: TrainState;
  /** Training characters per second (every character a target), evaluations excluded. */
  charsPerSecond: number;
  /** Why it ended: "steps", "time", "plateau" or "stopped". */
  ended: "steps" | "time" | "plateau" | "stopped";
}

/** The training settings trainCharModel uses when none are given. */
export const trainDefaults = {
  batchSize: 32,
  seqLength: 100,
  lr: 2e-3,
  clipNorm: 5,
  weightDecay: 0,
  evalEvery: 100,
  patience: 3,
  lrDecay: 0.5,
  maxDecays: 4,
  seed: 0,
};

/**
 * Trains a character model (buildCharModel) on `train` indices with Adam, evaluating on the whole `heldOut` text every
 * evalEvery batches; returns the logged rows, the final state and the speed. Lowers the learning rate on a plateau
 * and stops after maxDecays of them, after maxSteps / maxSeconds, or on shouldStop / an interrupt (after the batch).
 */
export async function trainCharModel(model: tf.LayersModel, train: Int32Array, heldOut: Int32Array, opts: TrainOptions = {}): Promise<TrainResult> {
  const o = withDefaults(trainDefaults, opts);
  const maxSteps = opts.maxSteps ?? Infinity;
  const maxSeconds = opts.maxSeconds ?? Infinity;
  if (!(o.lr > 0)) throw new Error(`trainCharModel: lr must be > 0, got ${o.lr}.`);
  if (train.length < o.seqLength + 1) throw new Error(`trainCharModel: the training text has ${train.length} characters, fewer than seqLength + 1 = ${o.seqLength + 1}.`);
  const wallStart = performance.now();
  let state: TrainState = { step: 0, lr: o.lr, seconds: 0, bestLoss: Infinity, bestStep: 0, sinceBest: 0, decays: 0 };
  const optimizer: tf.Optimizer = tf.train.adam(o.lr);
  if (opts.resume !== undefined) state = await loadCheckpointInto<TrainState>(opts.resume, model, optimizer);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const decayed = variables.filter((v) => v.rank >= 2);
  let interrupted = false;
  const stopListening = onInterrupt(() => (interrupted = true));
  const result: TrainResult = { rows: [], state, charsPerSecond: 0, ended: "steps" };
  let sumLoss = 0;
  let sinceLog = 0;
  let secondsAtLog = state.seconds;
  let trainedChars = 0;
  let trainedSeconds = 0;
  try {
    // Out of the cell's synchronous part before the first batch: there, an interrupt would end the cell at once.
    await new Promise((resolve) => setImmediate(resolve));
    while (true) {
      if (state.step >= maxSteps) break;
      const random = seededRandom((o.seed * 1_000_003 + state.step * 7919) >>> 0);
      const started = performance.now();
      (optimizer as unknown as { learningRate: number }).learningRate = state.lr;
      const { xs, ys } = randomBatch(train, o.batchSize, o.seqLength, random);
      const lossTensor = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => sequenceLoss(model.apply(xs, { training: true }) as tf.Tensor, ys), variables);
        optimizer.applyGradients(Number.isFinite(o.clipNorm) ? clipByGlobalNorm(grads, o.clipNorm) : grads);
        if (o.weightDecay > 0) for (const v of decayed) v.assign(tf.mul(v, 1 - state.lr * o.weightDecay));
        return value;
      });
      const loss = lossTensor.dataSync()[0];
      tf.dispose([lossTensor, xs, ys]);
      const seconds = (performance.now() - started) / 1000;
      state.seconds += seconds;
      trainedSeconds += seconds;
      trainedChars += o.batchSize * o.seqLength;
      state.step++;
      sumLoss += loss;
      sinceLog++;
      opts.onBatch?.(state.step, loss);
      await new Promise((resolve) => setImmediate(resolve)); // lets an interrupt in
      const stop = interrupted || (opts.shouldStop?.() ?? false);
      const outOfTime = (performance.now() - wallStart) / 1000 >= maxSeconds;
      const last = stop || outOfTime || state.step >= maxSteps;
      if (sinceLog >= o.evalEvery || last) {
        const heldOutNats = heldOutLoss(model, heldOut);
        const improved = recordLoss(state, heldOutNats);
        const row: LogRow = {
          step: state.step,
          epoch: Number(((state.step * o.batchSize * o.seqLength) / train.length).toFixed(3)),
          loss: sumLoss / sinceLog,
          heldOut: heldOutNats,
          bestHeldOut: state.bestLoss,
          lr: state.lr,
          seconds: Number(state.seconds.toFixed(2)),
          charsPerSecond: Math.round((sinceLog * o.batchSize * o.seqLength) / Math.max(1e-9, state.seconds - secondsAtLog)),
        };
        sumLoss = sinceLog = 0;
        secondsAtLog = state.seconds;
        if (await afterEvaluation(row, improved, result.rows, state, opts, o, model, optimizer)) {
          result.ended = "plateau";
          break;
        }
      }
      if (last) {
        result.ended = stop ? "stopped" : outOfTime ? "time" : "steps";
        break;
      }
    }
  } finally {
    stopListening();
    optimizer.dispose();
  }
  result.state = state;
  result.charsPerSecond = trainedChars / Math.max(trainedSeconds, 1e-9);
  return result;
}

/** How the course's window model is trained. */
export interface WindowTrainOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  clipNorm?: number;
  seed?: number;
  /** Stop after this many batches in all. */
  maxSteps?: number;
  /** Called after each batch with the batches done and its loss. */
  onBatch?: (step: number, loss: number) => void;
  shouldStop?: () => boolean;
  /** An optimiser to go on with (its state carries over between calls; the caller disposes it). Default: a new Adam(lr). */
  optimizer?: tf.Optimizer;
}

/**
 * Trains the course's window model (buildCourseModel) on windows from data/text's windows(): shuffled batches, Adam,
 * clipping; returns the mean loss of each epoch and the speed in examples per second (one target per example). Stops after
 * the batch on shouldStop or an interrupt (■, Ctrl-C), saying so in one line when it was an interrupt.
 */
export async function trainWindowModel(model: tf.LayersModel, data: Windows, opts: WindowTrainOptions = {}): Promise<{ epochLosses: number[]; steps: number; seconds: number; examplesPerSecond: number; stopped: boolean }> {
  const epochs = opts.epochs ?? 1;
  const batchSize = opts.batchSize ?? 128;
  const clipNorm = opts.clipNorm ?? 5;
  const vocabSize = model.outputs[0].shape[1] as number;
  const optimizer: tf.Optimizer = opts.optimizer ?? tf.train.adam(opts.lr ?? 1e-2);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const random = seededRandom(opts.seed ?? 0);
  const epochLosses: number[] = [];
  let steps = 0;
  let seconds = 0;
  let examples = 0;
  const X = new Int32Array(data.X.length);
  const Y = new Int32Array(data.m);
  let interrupted = false;
  let stopped = false;
  const stopListening = onInterrupt(() => (interrupted = true));
  try {
    // Out of the cell's synchronous part before the first batch: there, an interrupt would end the cell at once.
    await new Promise((resolve) => setImmediate(resolve));
    outer: for (let epoch = 0; epoch < epochs; epoch++) {
      const order = Array.from({ length: data.m }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      order.forEach((from, to) => {
        X.set(data.X.subarray(from * data.Tx, (from + 1) * data.Tx), to * data.Tx);
        Y[to] = data.Y[from];
      });
      let sum = 0;
      let count = 0;
      for (let from = 0; from < data.m; from += batchSize) {
        const to = Math.min(data.m, from + batchSize);
        const started = performance.now();
        const lossTensor = tf.tidy(() => {
          const xs = windowsOneHot(X, data.Tx, vocabSize, from, to);
          const ys = tf.tensor1d(Y.subarray(from, to), "int32");
          const { value, grads } = tf.variableGrads(() => windowLoss(model.apply(xs, { training: true }) as tf.Tensor, ys), variables);
          optimizer.applyGradients(clipByGlobalNorm(grads, clipNorm));
          return value;
        });
        const loss = lossTensor.dataSync()[0];
        lossTensor.dispose();
        seconds += (performance.now() - started) / 1000;
        examples += to - from;
        steps++;
        sum += loss * (to - from);
        count += to - from;
        opts.onBatch?.(steps, loss);
        await new Promise((resolve) => setImmediate(resolve)); // lets an interrupt in
        stopped = interrupted || (opts.shouldStop?.() ?? false);
        if (stopped || steps >= (opts.maxSteps ?? Infinity)) {
          epochLosses.push(sum / count);
          break outer;
        }
      }
      epochLosses.push(sum / count);
    }
  } finally {
    stopListening();
    if (opts.optimizer === undefined) optimizer.dispose();
  }
  if (interrupted) console.log(`Interrupted: training stopped after batch ${steps}; the model keeps what it learned in those ${steps} batches.`);
  return { epochLosses, steps, seconds, examplesPerSecond: examples / Math.max(seconds, 1e-9), stopped };
}
