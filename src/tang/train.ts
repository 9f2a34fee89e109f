// Lesson 5's training loop, written out, because LayersModel.fit applies no mask: a padded batch would teach the
// model to write padding (the course's "spaces" bug). Batches are poems of one exact length (lengthBuckets: no
// padding at all) or, the course's way, random poems padded to the longest; the loss is the mean cross-entropy over
// the real targets only (the mask), or over every position (masked: false: the bug, to show it). With softmaxAt
// "targets" the output layer and its softmax run only at the real targets (the LSTM outputs are gathered first), the
// same loss with less arithmetic when there is padding. Adam (tf.variableGrads + applyGradients) with clipped
// gradients; every evalEvery batches the held-out loss per character on the held-out poems and the share of regular
// free poems written by the model; the learning rate lowered when the held-out loss stops improving; the best
// checkpoint kept, a checkpoint with Adam's state to resume, a stop flag, a logged run.
import type { PoemVocab } from "../data/poems";
import { lengthBuckets, padBatch } from "../data/poems";
import type { PoemBatch } from "../data/poems";
import { tf } from "../tf/backend";
import { sparseSoftmaxCrossEntropy } from "../tf/kernels/softmax-cross-entropy";
import { loadCheckpointInto } from "../tf/checkpoint";
import { clipByGlobalNorm } from "../tf/clip";
import { afterEvaluation, recordLoss } from "../tf/loop";
import type { LoopOptions, LoopRow, PlateauState } from "../tf/loop";
import { seededRandom } from "../tf/generate";
import { withDefaults } from "../options";
import { onInterrupt } from "../interrupt";
import { featureCount, poemFeatures, readsPosition, rhymeInputOf } from "./model";
import { measureFree } from "./quality";

/** A batch as tensors: what the model reads, what it must predict, and where the targets are real. */
export interface BatchTensors {
  /** [B, T] int32 */
  chars: tf.Tensor2D;
  /** [B, T, F] int32 (only for a model that reads the position features: F 3, or 4 with the rhyme) */
  features?: tf.Tensor3D;
  /** [B, T] int32 */
  targets: tf.Tensor2D;
  /** [B, T] float32: 1 at real targets */
  mask: tf.Tensor2D;
  /** Flat indices (b·T + t) of the real targets, int32 */
  real: tf.Tensor1D;
  batch: PoemBatch;
}

/**
 * Returns a PoemBatch as tensors for `model`, with the features it reads (or for a model that reads the position,
 * true, or none, false). Dispose them (disposeBatch) after use.
 */
export function batchTensors(batch: PoemBatch, vocab: PoemVocab, model: tf.LayersModel | boolean): BatchTensors {
  const { batchSize: B, steps: T } = batch;
  const real = new Int32Array(batch.targetCount);
  let n = 0;
  for (let i = 0; i < B * T; i++) if (batch.mask[i] > 0) real[n++] = i;
  let features: tf.Tensor3D | undefined;
  if (typeof model === "boolean" ? model : readsPosition(model)) {
    const rhymeInput = typeof model === "boolean" ? "none" : rhymeInputOf(model);
    const F = featureCount(rhymeInput);
    const values = new Int32Array(B * T * F);
    for (let b = 0; b < B; b++) values.set(poemFeatures(batch.inputs.subarray(b * T, (b + 1) * T), vocab, rhymeInput), b * T * F);
    features = tf.tensor3d(values, [B, T, F], "int32");
  }
  return {
    chars: tf.tensor2d(batch.inputs, [B, T], "int32"),
    features,
    targets: tf.tensor2d(batch.targets, [B, T], "int32"),
    mask: tf.tensor2d(batch.mask, [B, T], "float32"),
    real: tf.tensor1d(real, "int32"),
    batch,
  };
}

/** Disposes a batch's tensors. */
export function disposeBatch(t: BatchTensors): void {
  tf.dispose([t.chars, t.targets, t.mask, t.real, ...(t.features ? [t.features] : [])]);
}

/** Where the loss is computed: "all" positions (logits [B, T, V], padding then masked out) or only at the real "targets". */
export type SoftmaxAt = "all" | "targets";

/** How poemLoss computes the loss. */
export interface PoemLossOptions {
  /** Average over the real targets only (default true); false averages over every position, padding included: the course's bug. */
  masked?: boolean;
  /** Default "targets" (the same value as "all" when masked, computed at the real targets only). */
  softmaxAt?: SoftmaxAt;
  /** Dropout and the like on (default false). */
  training?: boolean;
}

/**
 * Returns the mean cross-entropy in nats per target of a poem model on a batch: over the real targets (masked, the
 * default) or over every position with padding as a target (masked: false). Use inside tf.variableGrads or tf.tidy.
 */
export function poemLoss(model: tf.LayersModel, t: BatchTensors, opts: PoemLossOptions = {}): tf.Scalar {
  const masked = opts.masked ?? true;
  const softmaxAt = masked ? opts.softmaxAt ?? "targets" : "all";
  const training = opts.training ?? false;
  const vocabSize = model.outputs[0].shape[2] as number;
  const inputs = readsPosition(model) ? [t.chars, t.features!] : t.chars;
  // A batch with no padding (length buckets) has a target at every position: gathering them would only cost.
  const everyPositionReal = t.real.size === t.targets.size;
  return tf.tidy(() => {
    if (softmaxAt === "targets" && !everyPositionReal) {
      const head = model.getLayer("logits");
      const hidden = trunkOf(model).apply(inputs, { training }) as tf.Tensor3D;
      const units = hidden.shape[2];
      const rows = tf.gather(tf.reshape(hidden, [-1, units]), t.real);
      const logits = head.apply(rows) as tf.Tensor2D;
      return tf.mean(crossEntropy(logits, tf.gather(tf.reshape(t.targets, [-1]), t.real))) as tf.Scalar;
    }
    const logits = tf.reshape(model.apply(inputs, { training }) as tf.Tensor, [-1, vocabSize]);
    const perPosition = crossEntropy(logits as tf.Tensor2D, tf.reshape(t.targets, [-1]) as tf.Tensor1D);
    if (!masked || everyPositionReal) return tf.mean(perPosition) as tf.Scalar;
    const mask = tf.reshape(t.mask, [-1]);
    return tf.div(tf.sum(tf.mul(perPosition, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * Returns −log softmax(logits)[target] of each row of logits [N, V] against targets [N] (int32): [N]. Its gradient is
 * softmax − one-hot: one kernel each way on wasm (src/tf/kernels/softmax-cross-entropy.ts), tfjs's softmaxCrossEntropy
 * over a one-hot matrix elsewhere. (Picking the target logits with gather instead trained 3× slower here: gather's
 * gradient scatters into [N·V].)
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return sparseSoftmaxCrossEntropy(logits, targets) as tf.Tensor1D;
}

const trunks = new WeakMap<tf.LayersModel, tf.LayersModel>();

/** The model up to the output layer's input (the last LSTM's outputs [B, T, units]), sharing its layers. */
function trunkOf(model: tf.LayersModel): tf.LayersModel {
  let trunk = trunks.get(model);
  if (!trunk) {
    trunk = tf.model({ inputs: model.inputs, outputs: model.getLayer("logits").input as tf.SymbolicTensor });
    trunks.set(model, trunk);
  }
  return trunk;
}

/**
 * Returns the mean loss in nats per character of a poem model on `sequences` ([start, …, end] indices): every symbol
 * after the start token predicted from the ones before it, the end token included. No gradient; the poems sorted by
 * length and padded in batches of 128 (the padding masked out): as fast as 512 here (16.7 s against 15.4 s for the
 * 2,266 held-out poems), and the wasm heap, which never shrinks, peaks at 0.8 GB instead of 2.3 GB.
 */
export function heldOutLoss(model: tf.LayersModel, sequences: readonly ArrayLike<number>[], vocab: PoemVocab, batchSize = 128): number {
  const sorted = [...sequences].sort((a, b) => a.length - b.length);
  let total = 0;
  let count = 0;
  for (let i = 0; i < sorted.length; i += batchSize) {
    const batch = padBatch(sorted.slice(i, i + batchSize));
    const t = batchTensors(batch, vocab, model);
    const loss = tf.tidy(() => poemLoss(model, t));
    total += loss.dataSync()[0] * batch.targetCount;
    count += batch.targetCount;
    loss.dispose();
    disposeBatch(t);
  }
  return total / count;
}

/** Returns the batches of one epoch: poems of one exact length (buckets) or random poems padded to the longest (the course's), shuffled by `seed`. */
export function epochBatches(sequences: readonly ArrayLike<number>[], batchSize: number, buckets: boolean, seed: number): PoemBatch[] {
  const random = seededRandom(seed);
  if (buckets) return lengthBuckets(sequences, batchSize, { random });
  const order = Array.from({ length: sequences.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const batches: PoemBatch[] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(padBatch(order.slice(i, i + batchSize).map((k) => sequences[k])));
  return batches;
}

/** Where a run stands: what a checkpoint's state.json holds to resume (the plateau schedule's state, and more). */
export interface TrainState extends PlateauState {
  epoch: number;
  /** Batches done in the current epoch. */
  batchInEpoch: number;
  /** Seconds spent training so far (evaluations excluded). */
  seconds: number;
}

/** One logged row: LoopRow's columns (losses in nats per character, epochs of training poems) and these. */
export interface LogRow extends LoopRow {
  /** Share of regular free poems (isRegular) among sampleCount written now (NaN when not measured). */
  regular: number;
  /** Share of those regular poems whose even lines rhyme, unforced (NaN when not measured or none is regular). */
  rhyme: number;
  /** Training poems per second since the last row. */
  poemsPerSecond: number;
}

/** How to train a poem model (and the options every loop takes: LoopOptions; evalEvery default 200, patience 2). */
export interface TrainOptions extends LoopOptions<LogRow> {
  /** Poems per batch (default 64, the course's). */
  batchSize?: number;
  /** Adam's learning rate (default 1e-2, the course's). */
  lr?: number;
  /** Gradients are scaled down when their global norm exceeds this (default 5; Infinity: never). */
  clipNorm?: number;
  /** Batches of one exact length (default true); false: random poems padded to the longest, the course's. */
  buckets?: boolean;
  /** Mask the padding out of the loss (default true); false trains on padding as a target, the course's bug. */
  masked?: boolean;
  /** Default "targets": the output layer and softmax only at the real targets. */
  softmaxAt?: SoftmaxAt;
  /** Free poems written at each evaluation to measure the regular share and their rhyme (default 20; 0: none). */
  sampleCount?: number;
  /** Temperature of those poems (default 0.7). */
  sampleTemperature?: number;
  /** Stop after this many passes over the training poems. */
  epochs?: number;
}

/** What a training run did. */
export interface TrainResult {
  rows: LogRow[];
  state: TrainState;
  /** Training poems per second, evaluations excluded. */
  poemsPerSecond: number;
  ended: "steps" | "epochs" | "time" | "plateau" | "stopped";
}

/** The settings trainPoemModel uses when none are given. */
export const trainDefaults = {
  batchSize: 64,
  lr: 1e-2,
  clipNorm: 5,
  buckets: true,
  masked: true,
  softmaxAt: "targets" as SoftmaxAt,
  evalEvery: 200,
  patience: 2,
  lrDecay: 0.5,
  maxDecays: 4,
  sampleCount: 20,
  sampleTemperature: 0.7,
  seed: 0,
};

/**
 * Trains a poem model (buildPoemModel) on `train` sequences with Adam, evaluating on `heldOut` every evalEvery batches;
 * returns the logged rows, the final state and the speed. Stops after maxSteps / epochs / maxSeconds, on a plateau
 * after maxDecays, or on shouldStop / an interrupt (after the batch; the checkpoint is then written).
 */
export async function trainPoemModel(model: tf.LayersModel, train: readonly Int32Array[], heldOut: readonly Int32Array[], vocab: PoemVocab, opts: TrainOptions = {}): Promise<TrainResult> {
  const o = withDefaults(trainDefaults, opts);
  const maxSteps = opts.maxSteps ?? Infinity;
  const maxSeconds = opts.maxSeconds ?? Infinity;
  const epochs = opts.epochs ?? Infinity;
  if (!(o.lr > 0)) throw new Error(`trainPoemModel: lr must be > 0, got ${o.lr}.`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error(`trainPoemModel: batchSize must be a whole number ≥ 1, got ${o.batchSize}.`);
  if (train.length === 0 || heldOut.length === 0) throw new Error("trainPoemModel: needs training and held-out poems.");
  if ((model.outputs[0].shape[2] as number) !== vocab.vocabSize) throw new Error(`trainPoemModel: the model predicts ${model.outputs[0].shape[2]} symbols, the vocabulary has ${vocab.vocabSize}.`);
  const wallStart = performance.now();
  let state: TrainState = { step: 0, epoch: 0, batchInEpoch: 0, lr: o.lr, seconds: 0, bestLoss: Infinity, bestStep: 0, sinceBest: 0, decays: 0 };
  const optimizer: tf.Optimizer = tf.train.adam(o.lr);
  if (opts.resume !== undefined) state = await loadCheckpointInto<TrainState>(opts.resume, model, optimizer);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let interrupted = false;
  const stopListening = onInterrupt(() => (interrupted = true));
  const result: TrainResult = { rows: [], state, poemsPerSecond: 0, ended: "steps" };
  let sumLoss = 0;
  let sinceLog = 0;
  let poemsSinceLog = 0;
  let secondsAtLog = state.seconds;
  let trainedPoems = 0;
  let trainedSeconds = 0;
  let batches = epochBatches(train, o.batchSize, o.buckets, o.seed * 1_000_003 + state.epoch);
  try {
    // Out of the cell's synchronous part before the first batch: there, an interrupt would end the cell at once.
    await new Promise((resolve) => setImmediate(resolve));
    while (state.step < maxSteps && state.epoch < epochs) {
      const batch = batches[state.batchInEpoch];
      const started = performance.now();
      (optimizer as unknown as { learningRate: number }).learningRate = state.lr;
      const t = batchTensors(batch, vocab, model);
      const lossTensor = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => poemLoss(model, t, { masked: o.masked, softmaxAt: o.softmaxAt, training: true }), variables);
        optimizer.applyGradients(Number.isFinite(o.clipNorm) ? clipByGlobalNorm(grads, o.clipNorm) : grads);
        return value;
      });
      const loss = lossTensor.dataSync()[0];
      lossTensor.dispose();
      disposeBatch(t);
      const seconds = (performance.now() - started) / 1000;
      state.seconds += seconds;
      trainedSeconds += seconds;
      trainedPoems += batch.batchSize;
      poemsSinceLog += batch.batchSize;
      state.step++;
      state.batchInEpoch++;
      if (state.batchInEpoch === batches.length) {
        state.epoch++;
        state.batchInEpoch = 0;
        batches = epochBatches(train, o.batchSize, o.buckets, o.seed * 1_000_003 + state.epoch);
      }
      sumLoss += loss;
      sinceLog++;
      opts.onBatch?.(state.step, loss);
      await new Promise((resolve) => setImmediate(resolve)); // lets an interrupt in
      const stop = interrupted || (opts.shouldStop?.() ?? false);
      const outOfTime = (performance.now() - wallStart) / 1000 >= maxSeconds;
      const last = stop || outOfTime || state.step >= maxSteps || state.epoch >= epochs;
      if (sinceLog >= o.evalEvery || last) {
        const heldOutNats = heldOutLoss(model, heldOut, vocab);
        const free = o.sampleCount > 0 ? measureFree(model, vocab, { count: o.sampleCount, temperature: o.sampleTemperature, seed: state.step }) : undefined;
        const improved = recordLoss(state, heldOutNats);
        const row: LogRow = {
          step: state.step,
          epoch: Number((state.epoch + state.batchInEpoch / batches.length).toFixed(3)),
          loss: sumLoss / sinceLog,
          heldOut: heldOutNats,
          bestHeldOut: state.bestLoss,
          regular: free?.share ?? NaN,
          rhyme: free?.rhymeShare ?? NaN,
          lr: state.lr,
          seconds: Number(state.seconds.toFixed(2)),
          poemsPerSecond: Number((poemsSinceLog / Math.max(1e-9, state.seconds - secondsAtLog)).toFixed(1)),
        };
        sumLoss = sinceLog = poemsSinceLog = 0;
        secondsAtLog = state.seconds;
        if (await afterEvaluation(row, improved, result.rows, state, opts, o, model, optimizer)) {
          result.ended = "plateau";
          break;
        }
      }
      if (last) {
        result.ended = stop ? "stopped" : outOfTime ? "time" : state.epoch >= epochs ? "epochs" : "steps";
        break;
      }
    }
  } finally {
    stopListening();
    optimizer.dispose();
  }
  result.state = state;
  result.poemsPerSecond = trainedPoems / Math.max(trainedSeconds, 1e-9);
  return result;
}
