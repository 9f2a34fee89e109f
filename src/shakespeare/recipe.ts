// The shipped model's recipe (datasets/pretrained/shakespeare-lstm/): the lowercased sonnets, the last 10% of the
// characters held out, Embedding → 2 × LSTM(256) with dropout → Dense logits, trained on random 100-character
// windows with Adam and clipped gradients; the learning rate halves when the held-out loss stops improving, and the
// checkpoint with the best held-out loss is kept (written to `out` as training goes, so a cut-short run leaves one).
// Measured on 1 wasm thread of a busy 2-core machine (~2,900 characters/s): dropout 0.4 without weight decay peaked
// at 1.615 nats/char (step 1,100, 23 min) and then overfit, lowering the learning rate did not help; dropout 0.5
// with weight decay 0.1 reached 1.593 at step 1,500 (30 min) and was overfitting by the 34-minute budget.
import * as fs from "fs";
import * as path from "path";
import { windows } from "../data/text";
import { loadSonnets } from "./sonnets";
import { carryOver, changedSettings, continuedRun, flatSettings, loadRun, resumeProblem, startRun } from "../runs/index";
import { modelOutput, stoppedSentence } from "../runs/model-output";
import type { Run } from "../runs/index";
import { checkOutFolder } from "../runs/paths";
import { initBackend, tf } from "../tf/backend";
import { loadModel } from "../tf/models";
import { buildCharModel, buildCourseModel } from "./model";
import { trainCharModel, trainWindowModel, windowHeldOutLoss } from "./train";
import type { LogRow, TrainResult } from "./train";
import { checkRanges, fraction, positive, wholeFrom, withDefaults } from "../options";
import type { Ranges } from "../options";
import { throwIfInterrupted } from "../interrupt";

/** The shipped model's settings (chosen by measurement: see metrics.json). Run logs use these names. */
export const recipeDefaults = {
  /** A file in datasets/, or an absolute path. */
  text: "shakespeare.txt",
  lowercase: true,
  heldOutFraction: 0.1,
  embedding: 32,
  /** LSTM sizes, bottom first. */
  units: [256, 256] as number[],
  dropout: 0.5,
  batchSize: 32,
  seqLength: 100,
  lr: 2e-3,
  clipNorm: 5,
  weightDecay: 0.1,
  evalEvery: 100,
  patience: 2,
  lrDecay: 0.5,
  maxDecays: 4,
  /** Wall-time budget in minutes (training and evaluations). */
  maxMinutes: 34,
  seed: 0,
};

export type RecipeSettings = typeof recipeDefaults & {
  /** Stop after this many batches in all (quick tries, tests). */
  maxSteps?: number;
  /** A checkpoint folder (a run's checkpoint/) to resume from: weights, Adam's state and progress. */
  resume?: string;
  /** A model folder (the shipped one, a run's model/) whose weights training starts from, with a fresh optimiser. */
  startFrom?: string;
};

/** The settings a resumed run keeps from the run it continues (its batches). */
export const resumeKeeps = ["batchSize", "seqLength"];

/** The values each setting may take: trainRecipe and `npm run train -- shakespeare` refuse others before anything is written. */
export const recipeRanges: Ranges<RecipeSettings> = {
  lowercase: { boolean: true }, heldOutFraction: { above: 0, below: 1 }, embedding: wholeFrom(1), units: { list: true, ...wholeFrom(1) },
  dropout: fraction, batchSize: wholeFrom(1), seqLength: wholeFrom(1), lr: positive, clipNorm: positive, weightDecay: { min: 0 },
  evalEvery: wholeFrom(1), patience: wholeFrom(1), lrDecay: { above: 0, max: 1 }, maxDecays: wholeFrom(0), maxMinutes: positive,
  seed: { whole: true }, maxSteps: wholeFrom(1),
};

/** What the recipe measured, as written to metrics.json. */
export interface RecipeMetrics {
  /** Best mean nats per held-out character (the whole held-out text read in order), and when. */
  heldOutLoss: number;
  bestStep: number;
  bestTrainSeconds: number;
  bestWallSeconds: number;
  steps: number;
  trainSeconds: number;
  wallSeconds: number;
  /** Training characters per second (each one a target), evaluations excluded. */
  charsPerSecond: number;
  ended: string;
  finished: boolean;
  parameters: number;
  vocabSize: number;
  trainChars: number;
  heldOutChars: number;
  backend: string;
  /** How many threads the backend's kernels split their work across (RNN_LESSONS_THREADS). */
  threads: number;
  tfjs: string;
  date: string;
  settings: Record<string, unknown>;
  /** The settings that differ from recipeDefaults. */
  changed: Record<string, unknown>;
}

/** Called as the recipe goes, for a progress bar or printed lines. */
export interface RecipeEvents {
  onStart?(info: { parameters: number; trainChars: number; heldOutChars: number; vocabSize: number; run: Run }): void;
  onBatch?(step: number, loss: number): void;
  onLog?(row: LogRow, saved: boolean): void;
  shouldStop?(): boolean;
}

/**
 * Trains the recipe with `changes` over recipeDefaults, logged in runs/shakespeare/<run-id>/ (settings.json,
 * history.csv, model/ = the best checkpoint, checkpoint/ = the latest with Adam's state, metrics.json). With `out`,
 * writes there model.json + weights.bin (the best so far, at every new best), vocab.json (the characters in index
 * order), settings.json (how to turn text into the model's input), history.csv and metrics.json.
 * Returns the run, the training result and the metrics.
 */
export async function trainRecipe(changes: Partial<RecipeSettings> = {}, events: RecipeEvents = {}, out?: string): Promise<{ run: Run; result: TrainResult; metrics: RecipeMetrics }> {
  throwIfInterrupted(); // one ■ ended this cell: build nothing (the run would start no batch)
  const s: RecipeSettings = withDefaults(recipeDefaults, changes);
  checkRanges("trainRecipe", s, recipeRanges); // bad settings stop here, before a run folder exists
  checkOutFolder("trainRecipe", out);
  // A resumed run goes on with the batches of the run it continues, and reads as one run with it (src/runs/resume.ts).
  const continued = s.resume === undefined ? undefined : continuedRun(s.resume);
  const resumeRefused = resumeProblem(continued, s, resumeKeeps, (name) => name);
  if (resumeRefused !== undefined) throw new Error(`trainRecipe: ${resumeRefused}`);
  const backend = await initBackend();
  const started = Date.now();
  const { source, vocab, train, heldOut } = loadSonnets(s.text, { lowercase: s.lowercase, heldOutFraction: s.heldOutFraction, minLength: 2 * s.seqLength + 2 });
  const file = source.file;
  const units = s.units.join(",");
  const model = buildCharModel({ vocabSize: vocab.vocabSize, embedding: s.embedding, units: s.units, dropout: s.dropout, seed: s.seed });
  if (s.startFrom !== undefined) {
    const start = await loadModel(s.startFrom);
    const shapes = (m: tf.LayersModel) => JSON.stringify(m.getWeights().map((w) => w.shape));
    const same = shapes(start) === shapes(model);
    if (same) model.setWeights(start.getWeights());
    start.dispose();
    if (!same) model.dispose();
    if (!same) throw new Error(`trainRecipe: startFrom ${s.startFrom} holds a model of other sizes than these settings (units ${units}, embedding ${s.embedding}, ${vocab.vocabSize} characters).`);
  }
  const run = startRun("shakespeare", {
    ...flatSettings(s),
    vocabSize: vocab.vocabSize, trainChars: train.length, heldOutChars: heldOut.length, backend: backend.name, threads: backend.threads,
  });
  const carry = carryOver(continued, run);
  const wallBefore = continued?.wallSeconds ?? 0;
  const output = modelOutput(run.dir, out);
  const inputSettings = {
    text: path.basename(file),
    lowercase: s.lowercase,
    lineBreaks: "\\r\\n and \\r read as \\n; a byte-order mark dropped",
    input: "character indices [batch, seqLength] (int32) of vocab.json's characters, any seqLength",
    output: "logits [batch, seqLength, vocabSize]: softmax gives the next character's probabilities at every position",
    heldOut: `the last ${s.heldOutFraction} of the characters (from index ${train.length} of ${source.chars.length})`,
    vocabSize: vocab.vocabSize,
    ...flatSettings(s),
    units: s.units,
  };
  output.writeFiles({ "vocab.json": JSON.stringify(vocab.ixToChar) + "\n", "settings.json": JSON.stringify(inputSettings, null, 2) + "\n" });
  events.onStart?.({ parameters: model.countParams(), trainChars: train.length, heldOutChars: heldOut.length, vocabSize: vocab.vocabSize, run });
  let best: LogRow | undefined;
  let bestWall = 0;
  const metricsNow = (result: Pick<TrainResult, "rows" | "charsPerSecond" | "ended"> & { steps: number; trainSeconds: number }, finished: boolean): RecipeMetrics => ({
    heldOutLoss: best?.heldOut ?? NaN,
    bestStep: best?.step ?? 0,
    bestTrainSeconds: best?.seconds ?? 0,
    bestWallSeconds: bestWall,
    steps: result.steps,
    trainSeconds: Number(result.trainSeconds.toFixed(1)),
    wallSeconds: Number((wallBefore + (Date.now() - started) / 1000).toFixed(1)),
    charsPerSecond: Math.round(result.charsPerSecond),
    ended: result.ended,
    finished,
    parameters: model.countParams(),
    vocabSize: vocab.vocabSize,
    trainChars: train.length,
    heldOutChars: heldOut.length,
    backend: `${backend.name} (${backend.detail})`, threads: backend.threads,
    tfjs: tf.version.tfjs,
    date: new Date().toISOString(),
    settings: { ...s },
    changed: changedSettings(s, recipeDefaults),
  });
  let result: TrainResult;
  try {
    result = await trainCharModel(model, train, heldOut, {
      batchSize: s.batchSize, seqLength: s.seqLength, lr: s.lr, clipNorm: s.clipNorm, weightDecay: s.weightDecay, evalEvery: s.evalEvery,
      patience: s.patience, lrDecay: s.lrDecay, maxDecays: s.maxDecays, maxSteps: s.maxSteps, maxSeconds: s.maxMinutes * 60, seed: s.seed,
      checkpoint: path.join(run.dir, "checkpoint"), resume: s.resume, run, shouldStop: events.shouldStop,
      onBatch: (step, loss) => {
        carry(step - 1); // the checkpoint's step: the rows of the run it continues come first
        events.onBatch?.(step, loss);
      },
      onBest: async (row) => {
        best = row;
        bestWall = Number((wallBefore + (Date.now() - started) / 1000).toFixed(1));
        const partial = { steps: row.step, trainSeconds: row.seconds, rows: [], charsPerSecond: row.charsPerSecond, ended: "running" as TrainResult["ended"] };
        await output.saveBest(model, metricsNow(partial, false));
      },
      onLog: (row) => events.onLog?.(row, best === row),
    });
    carry(result.state.step);
  } catch (err) {
    run.discardIfEmpty(); // e.g. a checkpoint that does not load: no empty run folder is left
    throw err;
  } finally {
    model.dispose();
  }
  const metrics = metricsNow({ ...result, steps: result.state.step, trainSeconds: result.state.seconds }, true);
  if (best === undefined) {
    // Resumed and never improved on the checkpoint's best: report that one (its model is the earlier run's).
    metrics.heldOutLoss = result.state.bestLoss;
    metrics.bestStep = result.state.bestStep;
  }
  fs.writeFileSync(path.join(run.dir, "metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
  run.finish({ heldOutLoss: metrics.heldOutLoss, bestStep: metrics.bestStep });
  if (result.ended === "stopped") {
    console.log(stoppedSentence(run.dir, metrics.steps, loadRun("shakespeare", run.id).history.length));
  }
  output.finish(metrics);
  return { run, result, metrics };
}

/** The course's own model, trained the course's way for comparison (datasets/pretrained/shakespeare-window/). */
export const courseRecipeDefaults = {
  text: "shakespeare.txt",
  heldOutFraction: 0.1,
  /** Window length and stride of the course's examples. */
  Tx: 40,
  stride: 3,
  units: 128,
  batchSize: 128,
  /** The same Adam learning rate and clipping as the shipped model's, so only the view of the text differs. */
  lr: 2e-3,
  clipNorm: 5,
  epochs: 40,
  /** Stop after this many epochs without a better held-out loss. */
  patience: 2,
  maxMinutes: 90,
  seed: 0,
};

/** The values each setting of the course's recipe may take (trainCourseRecipe and `npm run train -- shakespeare-window`). */
export const courseRecipeRanges: Ranges<typeof courseRecipeDefaults> = {
  heldOutFraction: { above: 0, below: 1 }, Tx: wholeFrom(1), stride: wholeFrom(1), units: wholeFrom(1), batchSize: wholeFrom(1), lr: positive,
  clipNorm: positive, epochs: wholeFrom(1), patience: wholeFrom(1), maxMinutes: positive, seed: { whole: true },
};

/**
 * Trains the course's window model (LSTM(128) over 40 one-hot characters, stride 3) epoch by epoch, measuring the
 * held-out loss after each (every held-out character from the 40 before it), logged in runs/shakespeare/<run-id>/;
 * with `out`, writes there the best model, history.csv (epoch, loss, heldOut, seconds of training) and metrics.json.
 */
export async function trainCourseRecipe(changes: Partial<typeof courseRecipeDefaults> = {}, events: { onEpoch?(row: Record<string, number>): void; shouldStop?(): boolean } = {}, out?: string): Promise<{ run: Run; rows: Record<string, number>[] }> {
  const s = withDefaults(courseRecipeDefaults, changes);
  checkRanges("trainCourseRecipe", s, courseRecipeRanges);
  checkOutFolder("trainCourseRecipe", out);
  const backend = await initBackend();
  const { vocab, train, heldOut } = loadSonnets(s.text, { heldOutFraction: s.heldOutFraction });
  const data = windows(train, s.Tx, s.stride);
  const run = startRun("shakespeare", { model: `course: lstm(${s.units}) over ${s.Tx} one-hot characters → dense(${vocab.vocabSize})`, ...s, examples: data.m, backend: backend.name, threads: backend.threads });
  const model = buildCourseModel({ vocabSize: vocab.vocabSize, Tx: s.Tx, units: s.units, seed: s.seed });
  const output = modelOutput(run.dir, out);
  output.writeFiles({
    "vocab.json": JSON.stringify(vocab.ixToChar) + "\n",
    "settings.json": JSON.stringify({ input: `one-hot windows [batch, ${s.Tx}, ${vocab.vocabSize}] of vocab.json's characters, lowercased text`, output: `probabilities [batch, ${vocab.vocabSize}] of the next character`, lowercase: true, ...s }, null, 2) + "\n",
  });
  const rows: Record<string, number>[] = [];
  let seconds = 0;
  let best = Infinity;
  let sinceBest = 0;
  const started = Date.now();
  // One Adam for the whole run: its moments carry over from epoch to epoch, as in the shipped LSTM's training.
  const optimizer = tf.train.adam(s.lr);
  try {
    for (let epoch = 1; epoch <= s.epochs; epoch++) {
      const result = await trainWindowModel(model, data, { epochs: 1, batchSize: s.batchSize, clipNorm: s.clipNorm, seed: s.seed + epoch, shouldStop: events.shouldStop, optimizer });
      seconds += result.seconds;
      const row = { epoch, loss: result.epochLosses[0], heldOut: windowHeldOutLoss(model, heldOut, s.Tx), seconds: Number(seconds.toFixed(1)), examplesPerSecond: Math.round(result.examplesPerSecond) };
      rows.push(row);
      run.log(row);
      events.onEpoch?.(row);
      const improved = row.heldOut < best;
      if (improved) best = row.heldOut;
      sinceBest = improved ? 0 : sinceBest + 1;
      const metrics = { heldOutLoss: best, bestEpoch: rows.find((r) => r.heldOut === best)!.epoch, epochs: epoch, trainSeconds: row.seconds, wallSeconds: (Date.now() - started) / 1000, backend: `${backend.name} (${backend.detail})`, threads: backend.threads, tfjs: tf.version.tfjs, date: new Date().toISOString(), settings: s };
      // The best model with the history and metrics so far at a new best, else just the history and metrics.
      if (improved) await output.saveBest(model, metrics);
      else output.finish(metrics);
      if (sinceBest >= s.patience || result.stopped || (Date.now() - started) / 60000 >= s.maxMinutes) break;
    }
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  run.finish({ heldOutLoss: best });
  return { run, rows };
}
