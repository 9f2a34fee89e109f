// Lesson 2's classifier: a recurrent layer reads a digit row by row (28 steps of 28 pixels) and a softmax layer
// classifies it from the last hidden state. The model, its training loop (Adam, gradient clipping, a live curve,
// a logged run, a stop flag), its evaluation, reading it (probabilities after each row, confusion matrix,
// mistakes) and saving/loading it as model.json + weights.bin (tfjs's layers format).
import * as fs from "fs";
import * as path from "path";
import { batches, imagesTensor, loadMnist, MnistSet, numClasses, splitValidation, subset } from "../data/mnist";
import { liveFigure, LiveFigure } from "../plot/index";
import type { HistoryRow, Run } from "../runs/index";
import { parseHistory } from "../runs/historyCsv";
import { initBackend, tf } from "./backend";
import { printTable, rate } from "./bench";
import { registerFastWasmKernels, unregisterFastWasmKernels } from "./kernels/index";

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

/** Where the shipped model lives. */
export const pretrainedDir = path.resolve(__dirname, "..", "..", "datasets", "pretrained", "mnist-lstm");

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

/** Returns the gradients scaled by min(1, maxNorm / ‖all gradients‖₂), so that one step is never huge. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(tf.addN(squares));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12)));
    const clipped: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) clipped[name] = tf.mul(g, scale);
    return clipped;
  });
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

/** One logged row of a training run: the step (batches so far), epochs so far, and the metrics. */
export interface LogRow {
  step: number;
  epoch: number;
  /** Mean training loss and accuracy over the batches since the last row. */
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  lr: number;
  /** Seconds of training so far, validation excluded. */
  seconds: number;
}

/** How to train: the optimiser's settings, how long, what to log and where. */
export interface TrainOptions {
  epochs: number;
  batchSize?: number;
  /** Adam's learning rate (1e-3 unless given). */
  lr?: number;
  /** The learning rate is multiplied by this after every epoch (1: constant). */
  lrDecay?: number;
  /** Gradients are scaled down when their global norm exceeds this (Infinity: never). */
  clipNorm?: number;
  /** Seeds the order of the batches (and their shifts). */
  seed?: number;
  /** Moves each training digit by up to this many pixels across and down, at random, every epoch (0: never). */
  shift?: number;
  /** Stop after this many batches in all (short runs, tests). */
  maxBatches?: number;
  /** Batches between logged rows; a row is also logged at the end of every epoch. */
  logEvery?: number;
  /** The run whose history.csv gets one line per logged row. */
  run?: Run;
  /** Title of the live loss and accuracy charts drawn in the notebook output; none when absent. */
  plot?: string;
  /** Called after each logged row. */
  onLog?: (row: LogRow) => void;
  /** Called after each batch with the batches done and the batch's loss (e.g. a progress bar). */
  onBatch?: (step: number, loss: number) => void;
  /** Called at the end of each epoch with its last row (e.g. to save the best checkpoint). */
  onEpoch?: (epoch: number, row: LogRow) => void | Promise<void>;
  /** Checked after each batch: true stops training (an interrupt, ■ in Jupyter or Ctrl-C, does the same). */
  shouldStop?: () => boolean;
}

/** What a training run did. */
export interface TrainResult {
  rows: LogRow[];
  batches: number;
  samples: number;
  /** Seconds spent training (validation excluded). */
  seconds: number;
  samplesPerSecond: number;
  /** True when an interrupt or shouldStop ended it early. */
  stopped: boolean;
}

/**
 * Trains the model on `train` with Adam and gradient clipping, logging rows of training and `validation` metrics;
 * returns the rows and the speed. An interrupt (SIGINT: ■ in Jupyter, Ctrl-C) stops it after the current batch,
 * keeping every logged row. Memory stays flat: the batches and the optimiser's state are disposed.
 */
export async function trainClassifier(model: tf.LayersModel, train: MnistSet, validation: MnistSet, opts: TrainOptions): Promise<TrainResult> {
  const batchSize = opts.batchSize ?? 128;
  const lr = opts.lr ?? 1e-3;
  const lrDecay = opts.lrDecay ?? 1;
  const clipNorm = opts.clipNorm ?? Infinity;
  const logEvery = opts.logEvery ?? 50;
  const maxBatches = opts.maxBatches ?? Infinity;
  if (!(opts.epochs > 0)) throw new Error(`trainClassifier: epochs must be > 0, got ${opts.epochs}.`);
  if (train.count === 0) throw new Error("trainClassifier: the training set is empty.");
  const optimizer = tf.train.adam(lr);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const curves = opts.plot === undefined ? null : liveCurves(opts.plot);
  let interrupted = false;
  const onInterrupt = () => (interrupted = true);
  process.on("SIGINT", onInterrupt);
  const result: TrainResult = { rows: [], batches: 0, samples: 0, seconds: 0, samplesPerSecond: 0, stopped: false };
  let sumLoss = 0;
  let sumCorrect = 0;
  let sinceLog = 0;
  let samplesSinceLog = 0;
  const log = (epoch: number, currentLr: number): LogRow => {
    const val = validation.count > 0 ? evaluate(model, validation) : { loss: NaN, accuracy: NaN };
    const row: LogRow = {
      step: result.batches,
      epoch: Number(epoch.toFixed(4)),
      loss: sumLoss / Math.max(1, sinceLog),
      accuracy: sumCorrect / Math.max(1, samplesSinceLog),
      valLoss: val.loss,
      valAccuracy: val.accuracy,
      lr: currentLr,
      seconds: result.seconds,
    };
    sumLoss = sumCorrect = sinceLog = samplesSinceLog = 0;
    result.rows.push(row);
    opts.run?.log({ ...row });
    curves?.add(row);
    opts.onLog?.(row);
    return row;
  };
  try {
    training: for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const currentLr = lr * lrDecay ** epoch;
      (optimizer as unknown as { learningRate: number }).learningRate = currentLr;
      let batchInEpoch = 0;
      for (const { xs, ys } of batches(train, batchSize, { seed: (opts.seed ?? 0) * 1000 + epoch, shift: opts.shift })) {
        const started = performance.now();
        const [loss, correct] = trainStep(model, optimizer, variables, xs, ys, clipNorm);
        result.seconds += (performance.now() - started) / 1000;
        result.batches++;
        result.samples += xs.shape[0];
        batchInEpoch++;
        sumLoss += loss;
        sumCorrect += correct;
        sinceLog++;
        samplesSinceLog += xs.shape[0];
        opts.onBatch?.(result.batches, loss);
        await new Promise((resolve) => setImmediate(resolve)); // lets an interrupt and the live chart's timer in
        const stop = interrupted || (opts.shouldStop?.() ?? false);
        const endOfEpoch = batchInEpoch * batchSize >= train.count;
        const last = stop || result.batches >= maxBatches;
        if (sinceLog >= logEvery || endOfEpoch || last) {
          const row = log(epoch + Math.min(1, (batchInEpoch * batchSize) / train.count), currentLr);
          if (endOfEpoch) await opts.onEpoch?.(epoch + 1, row);
        }
        if (last) {
          result.stopped = stop;
          break training;
        }
      }
    }
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    optimizer.dispose();
    curves?.flush();
  }
  result.samplesPerSecond = result.samples / Math.max(result.seconds, 1e-9);
  return result;
}

/** One step of gradient descent on a batch; returns its loss and how many of its digits it got right. */
function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], xs: tf.Tensor, ys: tf.Tensor, clipNorm: number): [number, number] {
  let correct: tf.Tensor | undefined;
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const probs = model.apply(xs, { training: true }) as tf.Tensor;
      // Kept past the gradient's tidy: the batch's accuracy comes from the same forward pass.
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), tf.argMax(ys, 1)), "float32")));
      return crossEntropy(probs, ys);
    }, variables);
    optimizer.applyGradients(Number.isFinite(clipNorm) ? clipByGlobalNorm(grads, clipNorm) : grads);
    return value;
  });
  const values = [loss.dataSync()[0], correct!.dataSync()[0]] as [number, number];
  tf.dispose([loss, correct!]);
  return values;
}

/** Two live charts, loss and accuracy (training and validation), fed with logged rows. */
function liveCurves(title: string): { add(row: LogRow): void; flush(): void } {
  const loss: LiveFigure = liveFigure({ title: `${title}: loss`, xTitle: "epoch", yTitle: "cross-entropy", logY: true });
  const acc: LiveFigure = liveFigure({ title: `${title}: accuracy`, xTitle: "epoch", yTitle: "accuracy" });
  return {
    add(row) {
      loss.append("training", row.epoch, row.loss);
      acc.append("training", row.epoch, row.accuracy);
      if (Number.isFinite(row.valLoss)) {
        loss.append("validation", row.epoch, row.valLoss);
        acc.append("validation", row.epoch, row.valAccuracy);
      }
    },
    flush() {
      loss.flush();
      acc.flush();
    },
  };
}

/**
 * Returns the class probabilities after each row read, [n][28][10], for the given digits: the same weights run
 * with returnSequences, so the softmax layer reads every hidden state h⟨t⟩, not only the last.
 */
export function probabilitiesByRow(model: tf.LayersModel, set: MnistSet, indices: number[]): number[][][] {
  const recurrent = model.layers[0];
  const kind = recurrent.getClassName();
  const units = (recurrent.getConfig() as { units: number }).units;
  const config = { units, returnSequences: true, inputShape: [28, 28], kernelInitializer: "zeros" as const, recurrentInitializer: "zeros" as const };
  const layer = kind === "LSTM" ? tf.layers.lstm(config) : kind === "GRU" ? tf.layers.gru(config) : tf.layers.simpleRNN(config);
  const everyStep = tf.sequential({ layers: [layer, tf.layers.dense({ units: numClasses, activation: "softmax" })] });
  try {
    everyStep.setWeights(model.getWeights());
    return tf.tidy(() => {
      const xs = tf.stack(indices.map((i) => tf.squeeze(imagesTensor(set, i, i + 1), [0])));
      return (everyStep.apply(xs) as tf.Tensor).arraySync() as number[][][];
    });
  } finally {
    everyStep.dispose();
  }
}

/**
 * Returns, after each number of rows read t = 1…28, the accuracy and the mean probability of the true digit over
 * the first `count` digits of the set: how the decision forms as more of the digit is seen.
 */
export function readingCurve(model: tf.LayersModel, set: MnistSet, count: number): { accuracy: number[]; confidence: number[] } {
  const n = Math.min(count, set.count);
  const accuracy = new Array<number>(28).fill(0);
  const confidence = new Array<number>(28).fill(0);
  const chunk = 250;
  for (let start = 0; start < n; start += chunk) {
    const indices = Array.from({ length: Math.min(chunk, n - start) }, (_, k) => start + k);
    probabilitiesByRow(model, set, indices).forEach((steps, k) => {
      const label = set.labels[indices[k]];
      steps.forEach((p, t) => {
        confidence[t] += p[label] / n;
        if (p.indexOf(Math.max(...p)) === label) accuracy[t] += 1 / n;
      });
    });
  }
  return { accuracy, confidence };
}

/** Returns the 10×10 confusion matrix: counts[true digit][predicted digit]. */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>): number[][] {
  if (labels.length !== predictions.length) throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions.`);
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) counts[labels[i]][predictions[i]]++;
  return counts;
}

/** Returns the indices of the misclassified digits, the most confident mistakes first, at most `limit`. */
export function mistakes(set: MnistSet, evaluation: Evaluation, limit = 32): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < set.count; i++) if (evaluation.predictions[i] !== set.labels[i]) wrong.push(i);
  const confidence = (i: number) => evaluation.probabilities[i * numClasses + evaluation.predictions[i]];
  return wrong.sort((a, b) => confidence(b) - confidence(a)).slice(0, limit);
}

// ---- Saving and loading: tfjs's layers format, written by hand because tfjs's file:// handler needs tfjs-node.

/** Writes the model as dir/model.json + dir/weights.bin (tfjs layers format), replacing both atomically. */
export async function saveClassifier(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: "layers-model",
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
      };
      writeAtomically(path.join(dir, "weights.bin"), weights);
      writeAtomically(path.join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON", weightDataBytes: weights.length } };
    }),
  );
}

function writeAtomically(file: string, data: string | Buffer): void {
  fs.writeFileSync(`${file}.tmp`, data);
  fs.renameSync(`${file}.tmp`, file);
}

/** Loads a model written by saveClassifier (or tfjs's file:// handler) from dir/model.json and its weights files. */
export async function loadClassifier(dir: string): Promise<tf.LayersModel> {
  const jsonFile = path.join(dir, "model.json");
  let json: { modelTopology?: unknown; weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
  try {
    json = JSON.parse(fs.readFileSync(jsonFile, "utf8"));
  } catch (err) {
    throw new Error(`${jsonFile}: cannot read the model (${(err as Error).message}). Train one with npm run train -- mnist.`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${jsonFile}: not a tfjs layers model (it needs modelTopology and weightsManifest).`);
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const weightData = Buffer.concat(buffers);
  const expected = weightSpecs.reduce((n, spec) => n + 4 * spec.shape.reduce((a, b) => a * b, 1), 0);
  if (weightData.length !== expected) {
    throw new Error(`${dir}: the weights files hold ${weightData.length} bytes, but model.json describes ${expected} (float32): truncated or from another model.`);
  }
  const artifacts = {
    modelTopology: withoutInitializers(json.modelTopology) as tf.io.ModelArtifacts["modelTopology"],
    weightSpecs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.length),
  };
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * Returns a copy of a model topology whose layers initialise their weights to zeros: loading overwrites them with
 * the saved ones at once, so this skips the random initialisation (orthogonal is a QR decomposition) and tfjs's
 * unitForgetBias initialiser, which leaves tensors behind.
 */
function withoutInitializers(topology: unknown): unknown {
  return JSON.parse(JSON.stringify(topology), (key, value) => {
    if (key.endsWith("_initializer") && value !== null) return { class_name: "Zeros", config: {} };
    return key === "unit_forget_bias" ? false : value;
  });
}

/** The shipped model with its settings (settings.json), final metrics (metrics.json) and training log (history.csv). */
export interface Pretrained {
  model: tf.LayersModel;
  settings: Record<string, unknown>;
  metrics: Record<string, number | string | boolean>;
  history: HistoryRow[];
  dir: string;
}

const pretrainedKey = Symbol.for("rnn-lessons.mnistPretrained");
type PretrainedMemo = { [pretrainedKey]?: Map<string, Promise<Pretrained>> };

/** Loads the shipped model once per process (re-running a cell returns the same model, no new tensors). */
export function loadPretrained(dir = pretrainedDir): Promise<Pretrained> {
  const memo = globalThis as PretrainedMemo;
  const cache = (memo[pretrainedKey] ??= new Map());
  const key = path.resolve(dir);
  if (!cache.has(key)) {
    const read = (name: string) => {
      const file = path.join(key, name);
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    };
    const json = (name: string) => JSON.parse(read(name) ?? "{}");
    const history = parseHistory(read("history.csv") ?? "", path.join(key, "history.csv")).rows;
    const record = json("settings.json");
    const settings = record.settings ?? record; // a run's settings.json nests the settings in its record
    const loading = loadClassifier(key).then((model) => ({ model, settings, metrics: json("metrics.json"), history, dir: key }));
    loading.catch(() => cache.delete(key));
    cache.set(key, loading);
  }
  return cache.get(key)!;
}

const slotsKey = Symbol.for("rnn-lessons.mnistModels");
type SlotsMemo = { [slotsKey]?: Map<string, tf.LayersModel> };

/**
 * Returns `model` after disposing the model kept under the same name before: a cell that builds a model with
 * keepOne("main", build()) can be run again without leaving the old model's weights in memory (null: just dispose).
 */
export function keepOne<M extends tf.LayersModel>(name: string, model: M | null): M | null {
  const memo = globalThis as SlotsMemo;
  const slots = (memo[slotsKey] ??= new Map());
  const old = slots.get(name);
  if (old && old !== model) old.dispose();
  if (model) slots.set(name, model);
  else slots.delete(name);
  return model;
}

// ---- `npm run bench -- mnist`: the lesson's model, trained on real batches, on each backend installed.

/**
 * Prints the training samples/s of LSTM(128) → Dense(10) at batch 128 on each backend here (wasm with the
 * course's kernels and with the stock ones, cpu, tfjs-node when installed), measured in one run, and the time of
 * one epoch (55,000 digits, then the 5,000 validation digits) on the fastest. `--quick`: shorter, and the epoch
 * time is extrapolated from a tenth of an epoch.
 */
export async function benchMnist(args: string[]): Promise<void> {
  const quick = args.includes("--quick") || process.env.RNN_LESSONS_QUICK === "1";
  const seconds = quick ? 2 : 6;
  const chosen = await initBackend();
  const { train, validation } = splitValidation(loadMnist("train"), 5000);
  const settings: Array<[string, string, () => void]> = [];
  const names = tf.engine().backendNames();
  if (names.includes("tensorflow")) settings.push(["tensorflow", "tensorflow (tfjs-node)", () => undefined]);
  if (names.includes("wasm")) {
    settings.push(["wasm", "wasm, course kernels", () => void registerFastWasmKernels()]);
    settings.push(["wasm", "wasm, stock kernels", unregisterFastWasmKernels]);
  }
  settings.push(["cpu", "cpu (plain JavaScript)", () => undefined]);
  const rows: Array<[string, number]> = [];
  for (const [backend, label, prepare] of settings) {
    await tf.setBackend(backend);
    prepare();
    const model = buildClassifier();
    const optimizer = tf.train.adam(1e-3);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const source = batches(train, 128, { seed: 1 });
    const step = () => {
      const next = source.next();
      if (next.done) throw new Error("benchMnist: ran out of batches");
      trainStep(model, optimizer, variables, next.value.xs, next.value.ys, 5);
    };
    // The cpu backend is two orders slower: one warm-up step and a shorter window keep the bench bearable.
    const perSecond = await rate(step, backend === "cpu" ? Math.min(seconds, 3) : seconds, backend === "cpu" ? 1 : 3);
    source.return(undefined);
    optimizer.dispose();
    model.dispose();
    rows.push([label, perSecond * 128]);
    console.log(`${label}: ${(perSecond * 128).toFixed(0)} samples/s`);
  }
  await tf.setBackend(chosen.name);
  if (chosen.name === "wasm") registerFastWasmKernels();
  const slowest = Math.min(...rows.map(([, s]) => s));
  console.log("\nTraining LSTM(128) 28×28 → Dense(10), batch 128, Adam, clipnorm 5, real MNIST batches (same run):");
  printTable(["backend", "samples/s", "× slowest", "epoch of 55,000 (s, estimated)"],
    rows.map(([label, s]) => [label, s.toFixed(0), (s / slowest).toFixed(1), (55000 / s).toFixed(0)]));
  const part = quick ? Math.round(train.count / 10) : train.count;
  const model = buildClassifier();
  const started = performance.now();
  const result = await trainClassifier(model, subset(train, 0, part), validation, { epochs: 1, logEvery: Infinity });
  const wall = (performance.now() - started) / 1000;
  model.dispose();
  const scale = train.count / part;
  console.log(`\nOne epoch on ${chosen.name}${quick ? " (a tenth, ×10)" : ""}: ${(result.seconds * scale).toFixed(0)} s training ` +
    `(${result.samplesPerSecond.toFixed(0)} samples/s), ${(wall * scale).toFixed(0)} s with batching and the validation pass.`);
}
