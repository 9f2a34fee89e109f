// The shipped model's recipe (datasets/pretrained/mnist-lstm/), written once: 24 epochs on digits shifted at
// random, a learning rate that shrinks after each epoch, clipped gradients, the checkpoint with the best
// validation accuracy kept, then measured on the 10,000 test digits. `npm run train -- mnist` runs it with flags.
import * as fs from "fs";
import * as path from "path";
import { loadMnist, splitValidation, subset } from "../data/mnist";
import { startRun } from "../runs/index";
import type { Run } from "../runs/index";
import { checkOutFolder } from "../runs/paths";
import { initBackend, tf } from "../tf/backend";
import { loadModel, saveModel } from "../tf/models";
import { buildClassifier, cellTypes, evaluate } from "./model";
import type { CellType } from "./model";
import { trainClassifier } from "./train";
import type { LogRow } from "./train";
import { writeFolderAtomically } from "../files";
import { checkRanges, fraction, positive, wholeFrom, withDefaults } from "../options";
import type { Ranges } from "../options";
import { throwIfInterrupted } from "../interrupt";

/** The shipped model's settings. Run logs and the CLI's flags use these names (--lr-decay for lrDecay). */
export const recipeDefaults = {
  cell: "lstm" as CellType,
  units: 128,
  epochs: 24,
  batchSize: 128,
  lr: 1e-3,
  lrDecay: 0.88,
  clipNorm: 5,
  shift: 2,
  dropout: 0,
  validation: 5000,
  logEvery: 100,
  seed: 0,
};

export type RecipeSettings = typeof recipeDefaults & {
  /** Train on the first `limit` training digits only (quick tries). */
  limit?: number;
  /** Stop after this many batches in all. */
  maxBatches?: number;
};

/** The values each setting may take: trainRecipe and `npm run train -- mnist` refuse others before anything is written. */
export const recipeRanges: Ranges<RecipeSettings> = {
  cell: { oneOf: cellTypes }, units: wholeFrom(1), epochs: wholeFrom(1), batchSize: wholeFrom(1), lr: positive,
  lrDecay: { above: 0, max: 1 }, clipNorm: positive, shift: wholeFrom(0), dropout: fraction, validation: wholeFrom(1),
  logEvery: wholeFrom(1), seed: { whole: true }, limit: wholeFrom(1), maxBatches: wholeFrom(1),
};

/** What the recipe measured, as written to metrics.json. */
export interface RecipeMetrics {
  testAccuracy: number;
  testLoss: number;
  testSize: number;
  bestEpoch: number;
  bestValAccuracy: number;
  epochs: number;
  batches: number;
  stopped: boolean;
  trainSeconds: number;
  wallSeconds: number;
  samplesPerSecond: number;
  secondsPerEpoch: number;
  backend: string;
  /** How many threads the backend's kernels split their work across (RNN_LESSONS_THREADS). */
  threads: number;
  tfjs: string;
  date: string;
  /** The settings that differ from recipeDefaults. */
  changed: Partial<RecipeSettings>;
}

/** Called as the recipe goes, for a progress bar or printed lines. */
export interface RecipeEvents {
  onStart?(info: { parameters: number; trainSize: number; validationSize: number; totalBatches: number; run: Run }): void;
  onBatch?(step: number, loss: number): void;
  onEpoch?(epoch: number, row: LogRow, saved: boolean): void;
  /** Asked after each batch: true stops the training there (as an interrupt does), and the recipe finishes its run. */
  shouldStop?(): boolean;
}

/**
 * Trains the recipe with `changes` over recipeDefaults, logged in runs/mnist/<run-id>/ (settings.json, history.csv,
 * model/ holding the best checkpoint, metrics.json). With `out`, copies the best model and those files there.
 * Returns the run and its metrics.
 */
export async function trainRecipe(changes: Partial<RecipeSettings> = {}, events: RecipeEvents = {}, out?: string): Promise<{ run: Run; metrics: RecipeMetrics }> {
  throwIfInterrupted(); // one ■ ended this cell: build nothing (the run would start no batch)
  const s: RecipeSettings = withDefaults(recipeDefaults, changes);
  checkRanges("trainRecipe", s, recipeRanges); // bad settings stop here, before a run folder exists
  checkOutFolder("trainRecipe", out);
  const backend = await initBackend();
  const started = Date.now();
  const { train: trainAll, validation } = splitValidation(loadMnist("train"), s.validation);
  const train = s.limit === undefined ? trainAll : subset(trainAll, 0, s.limit);
  const net = buildClassifier({ cell: s.cell, units: s.units, seed: s.seed, dropout: s.dropout });
  const run = startRun("mnist", {
    model: `${s.cell}(${s.units}) → dense(10)`, ...s, trainSize: train.count, validationSize: validation.count, backend: backend.name, threads: backend.threads,
  });
  const checkpoint = path.join(run.dir, "model");
  const totalBatches = Math.min(s.epochs * Math.ceil(train.count / s.batchSize), s.maxBatches ?? Infinity);
  events.onStart?.({ parameters: net.countParams(), trainSize: train.count, validationSize: validation.count, totalBatches, run });
  let best = { valAccuracy: -1, epoch: 0 };
  const result = await trainClassifier(net, train, validation, {
    epochs: s.epochs, batchSize: s.batchSize, lr: s.lr, lrDecay: s.lrDecay, clipNorm: s.clipNorm, seed: s.seed, shift: s.shift,
    maxBatches: s.maxBatches, logEvery: s.logEvery, run, onBatch: events.onBatch, shouldStop: events.shouldStop,
    onEpoch: async (epoch, row) => {
      const saved = row.valAccuracy > best.valAccuracy;
      if (saved) {
        best = { valAccuracy: row.valAccuracy, epoch };
        await saveModel(net, checkpoint);
      }
      events.onEpoch?.(epoch, row, saved);
    },
  });
  if (best.epoch === 0) await saveModel(net, checkpoint); // stopped inside the first epoch
  net.dispose();
  const bestModel = await loadModel(checkpoint);
  const test = evaluate(bestModel, loadMnist("test"));
  bestModel.dispose();
  const metrics: RecipeMetrics = {
    testAccuracy: test.accuracy, testLoss: test.loss, testSize: test.predictions.length, bestEpoch: best.epoch, bestValAccuracy: best.valAccuracy,
    epochs: result.rows.length ? result.rows[result.rows.length - 1].epoch : 0, batches: result.batches, stopped: result.stopped,
    trainSeconds: result.seconds, wallSeconds: (Date.now() - started) / 1000, samplesPerSecond: result.samplesPerSecond,
    secondsPerEpoch: (result.seconds * train.count) / Math.max(1, result.samples), backend: `${backend.name} (${backend.detail})`, threads: backend.threads,
    tfjs: tf.version.tfjs, date: new Date().toISOString(),
    changed: Object.fromEntries(Object.entries(s).filter(([k, v]) => v !== undefined && v !== (recipeDefaults as Record<string, unknown>)[k])),
  };
  fs.writeFileSync(path.join(run.dir, "metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
  run.finish({ testAccuracy: test.accuracy, bestEpoch: best.epoch });
  if (out !== undefined) {
    // One unit: the model with the run's settings, history and metrics, never a mix of this run's and an earlier one's.
    const copy = (dir: string, file: string) => [file, fs.readFileSync(path.join(dir, file))];
    writeFolderAtomically(out, Object.fromEntries([
      ...["model.json", "weights.bin"].map((file) => copy(checkpoint, file)),
      ...["settings.json", "history.csv", "metrics.json"].map((file) => copy(run.dir, file)),
    ]));
  }
  return { run, metrics };
}
