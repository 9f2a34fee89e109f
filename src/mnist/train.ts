// Lesson 2's training loop: Adam, gradient clipping, a live curve, a logged run and a stop flag.
import type { MnistSet } from "../data/mnist";
import { liveFigure, LiveFigure } from "../plot/index";
import type { Run } from "../runs/index";
import * as path from "path";
import { onInterrupt } from "../interrupt";
import { displayPath } from "../runs/paths";
import { tf } from "../tf/backend";
import { clipByGlobalNorm } from "../tf/clip";
import { crossEntropy, evaluate } from "./model";
import { batches } from "./tensors";

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
  const stopListening = onInterrupt(() => (interrupted = true));
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
    // Out of the cell's synchronous part before the first batch: there, an interrupt would end the cell at once.
    await new Promise((resolve) => setImmediate(resolve));
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
    stopListening();
    optimizer.dispose();
    curves?.flush();
  }
  result.samplesPerSecond = result.samples / Math.max(result.seconds, 1e-9);
  if (result.stopped) {
    const where = opts.run ? ` in ${displayPath(path.join(opts.run.dir, "history.csv"))}` : "";
    console.log(`${interrupted ? "Interrupted" : "Stopped"}: training stopped after batch ${result.batches}; its ${result.rows.length} logged rows are kept${where}.`);
  }
  return result;
}

/** One step of gradient descent on a batch; returns its loss and how many of its digits it got right. */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], xs: tf.Tensor, ys: tf.Tensor, clipNorm: number): [number, number] {
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
