// The shipped model's recipe (datasets/pretrained/tang-lstm/): the course's process_poems with a vocabulary of the
// 3,000 most frequent training characters (98.5% of the characters; the rest become the unknown symbol), every 20th
// poem held out, the course's Embedding(128) → 2 × LSTM(128) → Dense over the vocabulary, told where it stands in
// the poem (position features: see model.ts), trained on batches of 64 poems of one exact length with Adam 1e-2 and
// clipped gradients; the learning rate halves when the held-out loss stops improving, and the checkpoint with the
// best held-out loss is kept (written to `out` as training goes, so a cut-short run leaves one).
// It also reads the poem's rhyme so far at the place where it applies (rhymeInput "place": model.ts). Measured here
// (wasm, 2 threads, 2026-12-07): 30 minutes (7.7 epochs to the best checkpoint) reach 4.673 nats per held-out
// character; of 100 free poems at temperature 0.7, 92 are regular and 75 of those rhyme unforced, none with a stray
// symbol. The same recipe for 14 minutes: without the rhyme input 8.6% of the regular poems rhyme, with it at every
// character 65.1%, at its place 66.7% (learned first): lesson 5, section 8, and tang-lstm/compare/. Measured earlier
// on the model before (1 thread): without the position features the recipe was at 6.35 after 0.33 epoch (with them:
// 6.08 after 0.21, 5.80 after 0.41); the course's plain recipe reached 5.81 and 2/100 regular poems in 25 minutes.
// The temperature applies per kind of symbol (generatePoem's temperatureBy "kind"); per symbol that model wrote 64
// (at 0.6) to 74 (at 0.8) regular poems of 100, most of the others stopping after two lines.
import * as fs from "fs";
import * as path from "path";
import { datasetsDir, pretrainedDir } from "../course";
import { poemVocabFrom, processPoems } from "../data/poems";
import type { PoemVocab } from "../data/poems";
import { carryOver, changedSettings, continuedRun, flatSettings, loadRun, resumeProblem, startRun } from "../runs/index";
import { modelOutput, stoppedSentence } from "../runs/model-output";
import type { Run } from "../runs/index";
import { checkOutFolder } from "../runs/paths";
import { initBackend, tf } from "../tf/backend";
import { loadModel, loadModelFolder } from "../tf/models";
import { checkRanges, positive, wholeFrom, withDefaults } from "../options";
import type { Ranges } from "../options";
import { buildPoemModel, featureCount, rhymeInputs } from "./model";
import type { RhymeInput } from "./model";
import { firstCharacters, measurePoems } from "./quality";
import type { PoemFigures } from "./quality";
import { trainPoemModel } from "./train";
import type { LogRow, SoftmaxAt, TrainResult } from "./train";

/** The shipped model's settings (chosen by measurement: see metrics.json). Run logs and CLI flags use these names. */
export const recipeDefaults = {
  /** A title:content file: a path, else a name in datasets/. */
  poems: "tang/poems.txt",
  /** Most frequent training characters in the vocabulary; the rest become the unknown symbol. */
  maxVocab: 3000,
  embedding: 128,
  /** LSTM sizes, bottom first. */
  units: [128, 128] as number[],
  /** Read the position in the poem (column, line, width) beside each character. */
  position: true,
  positionEmbedding: 16,
  /** Also read the poem's rhyme so far (the rhyme class of its even-line ends): "none", "always" (at every character after the 2nd line) or at the "place" where it applies. */
  rhymeInput: "place" as RhymeInput,
  batchSize: 64,
  lr: 1e-2,
  clipNorm: 5,
  /** Batches of poems of one exact length; false: random poems padded (the course's). */
  buckets: true,
  /** Padding masked out of the loss; false: the course's bug. */
  masked: true,
  softmaxAt: "targets" as SoftmaxAt,
  evalEvery: 200,
  patience: 2,
  lrDecay: 0.5,
  maxDecays: 4,
  /** Free poems written at each evaluation (their regular share is logged). */
  sampleCount: 20,
  /** Temperature of those poems and of the final measurement in metrics.json (per kind of symbol: generatePoem's temperatureBy). */
  temperature: 0.7,
  /** Wall-time budget in minutes (training and evaluations). */
  maxMinutes: 30,
  seed: 0,
};

export type RecipeSettings = typeof recipeDefaults & {
  /** Stop after this many batches in all, or epochs (quick tries, tests). */
  maxSteps?: number;
  epochs?: number;
  /** Train on the first `limit` training poems only and hold out the first limit/10 held-out ones (quick tries, tests). */
  limit?: number;
  /** Poems of each kind measured at the end on the best model (default 100; 0: none). */
  measureCount?: number;
  /** A checkpoint folder (a run's checkpoint/) to resume from: weights, Adam's state and progress. */
  resume?: string;
};

/** The settings a resumed run keeps from the run it continues (its epochs' batches). */
export const resumeKeeps = ["batchSize"];

/** The values each setting may take: trainRecipe and `npm run train -- tang` refuse others before anything is written. */
export const recipeRanges: Ranges<RecipeSettings> = {
  maxVocab: wholeFrom(3), embedding: wholeFrom(1), units: { list: true, ...wholeFrom(1) }, position: { boolean: true },
  positionEmbedding: wholeFrom(1), rhymeInput: { oneOf: rhymeInputs }, batchSize: wholeFrom(1), lr: positive, clipNorm: positive, buckets: { boolean: true },
  masked: { boolean: true }, softmaxAt: { oneOf: ["targets", "all"] }, evalEvery: wholeFrom(1), patience: wholeFrom(1),
  lrDecay: { above: 0, max: 1 }, maxDecays: wholeFrom(0), sampleCount: wholeFrom(0), temperature: positive, maxMinutes: positive,
  seed: { whole: true }, maxSteps: wholeFrom(1), epochs: wholeFrom(1), limit: wholeFrom(1), measureCount: wholeFrom(0),
};

/** What the recipe measured, as written to metrics.json. */
export interface RecipeMetrics {
  /** Best mean nats per held-out character (every symbol after the start token, the end token included), and when. */
  heldOutLoss: number;
  bestStep: number;
  bestTrainSeconds: number;
  bestWallSeconds: number;
  steps: number;
  epochs: number;
  trainSeconds: number;
  wallSeconds: number;
  poemsPerSecond: number;
  ended: string;
  finished: boolean;
  parameters: number;
  vocabSize: number;
  trainPoems: number;
  heldOutPoems: number;
  backend: string;
  /** How many threads the backend's kernels split their work across (RNN_LESSONS_THREADS). */
  threads: number;
  tfjs: string;
  date: string;
  settings: Record<string, unknown>;
  /** The settings that differ from recipeDefaults. */
  changed: Record<string, unknown>;
  /** measurePoems on the best model at `temperature` (absent when measureCount is 0 or training was cut short before). */
  quality?: PoemFigures;
}

/** Called as the recipe goes, for a progress bar or printed lines. */
export interface RecipeEvents {
  onStart?(info: { parameters: number; trainPoems: number; heldOutPoems: number; vocabSize: number; batchesPerEpoch: number; run: Run }): void;
  onBatch?(step: number, loss: number): void;
  onLog?(row: LogRow, saved: boolean): void;
  shouldStop?(): boolean;
}

/**
 * Trains the recipe with `changes` over recipeDefaults, logged in runs/tang/<run-id>/ (settings.json, history.csv,
 * model/ = the best checkpoint with its vocab.json and settings.json, checkpoint/ = the latest with Adam's state, metrics.json). With `out`, writes there
 * model.json + weights.bin (the best so far, at every new best), vocab.json (the symbols in index order),
 * settings.json, history.csv and metrics.json. At the end, measures the best model's poems (measurePoems).
 */
export async function trainRecipe(changes: Partial<RecipeSettings> = {}, events: RecipeEvents = {}, out?: string): Promise<{ run: Run; result: TrainResult; metrics: RecipeMetrics }> {
  // position: false is the course's model, which reads no feature: the rhyme goes too, unless asked for (refused below).
  const s: RecipeSettings = withDefaults(recipeDefaults, { ...(changes.position === false && changes.rhymeInput === undefined ? { rhymeInput: "none" as const } : {}), ...changes });
  checkRanges("trainRecipe", s, recipeRanges); // bad settings stop here, before a run folder exists
  if (!s.position && s.rhymeInput !== "none") throw new Error(`trainRecipe: rhymeInput "${s.rhymeInput}" needs position: the rhyme is read beside the position.`);
  checkOutFolder("trainRecipe", out);
  // A resumed run goes on with the batches of the run it continues, and reads as one run with it (src/runs/resume.ts).
  const continued = s.resume === undefined ? undefined : continuedRun(s.resume);
  const resumeRefused = resumeProblem(continued, s, resumeKeeps, (name) => name);
  if (resumeRefused !== undefined) throw new Error(`trainRecipe: ${resumeRefused}`);
  if (!s.masked && s.buckets) console.log("masked: false with buckets: true trains on batches without padding: the bug shows only with buckets: false.");
  const backend = await initBackend();
  const started = Date.now();
  // A path (from the working folder), else a name in datasets/: as lesson 4's text (loadSonnets).
  const file = path.isAbsolute(s.poems) || fs.existsSync(s.poems) ? path.resolve(s.poems) : path.join(datasetsDir, s.poems);
  const set = processPoems(file, { maxVocab: s.maxVocab });
  const limit = s.limit ?? Infinity;
  const train = set.trainSequences.slice(0, limit);
  const heldOut = set.heldOutSequences.slice(0, Number.isFinite(limit) ? Math.max(1, Math.ceil(limit / 10)) : undefined);
  const vocab = set.vocab;
  const measureCount = s.measureCount ?? 100;
  // The final measurement starts poems with the most frequent characters: a small vocabulary must hold enough of them.
  try {
    firstCharacters(vocab, measureCount);
  } catch (err) {
    throw new Error(`trainRecipe: maxVocab ${s.maxVocab} is too small for measureCount ${measureCount}: ${(err as Error).message} Raise maxVocab or lower measureCount (0: no measurement).`);
  }
  const run = startRun("tang", {
    ...flatSettings(s), vocabSize: vocab.vocabSize, trainPoems: train.length, heldOutPoems: heldOut.length, backend: backend.name, threads: backend.threads,
  });
  const carry = carryOver(continued, run);
  const wallBefore = continued?.wallSeconds ?? 0;
  const model = buildPoemModel({ vocabSize: vocab.vocabSize, embedding: s.embedding, units: s.units, position: s.position, positionEmbedding: s.positionEmbedding, rhymeInput: s.rhymeInput, seed: s.seed });
  const output = modelOutput(run.dir, out);
  const bestDir = output.bestDir;
  const inputSettings = {
    poems: path.basename(file),
    input: s.position
      ? `chars: symbol indices [batch, steps] (int32) of vocab.json, starting with the start token; features: [batch, steps, ${featureCount(s.rhymeInput)}] (int32) from poemFeatures (column, line + 16, width + 32${s.rhymeInput === "none" ? "" : `, rhyme class + 48 (rhymeInput ${s.rhymeInput})`})`
      : "chars: symbol indices [batch, steps] (int32) of vocab.json, starting with the start token",
    output: "logits [batch, steps, vocabSize]: softmax gives the next symbol's probabilities at every position",
    vocab: "vocab.json: index 0 is padding (\"\", never a target), 1 the start token, 2 the end token, 3 the unknown symbol, then the characters",
    heldOut: `every ${set.heldOutEvery}th poem of the file's kept poems (index % ${set.heldOutEvery} === ${set.heldOutEvery - 1})`,
    vocabSize: vocab.vocabSize,
    ...flatSettings(s),
    units: s.units,
  };
  // The run's model/ is a model folder too (npm run generate -- tang --model runs/tang/<id>/model).
  output.writeFiles({ "vocab.json": JSON.stringify(vocab.ixToChar) + "\n", "settings.json": JSON.stringify(inputSettings, null, 2) + "\n" });
  const batchesPerEpoch = s.buckets ? countBuckets(train, s.batchSize) : Math.ceil(train.length / s.batchSize);
  events.onStart?.({ parameters: model.countParams(), trainPoems: train.length, heldOutPoems: heldOut.length, vocabSize: vocab.vocabSize, batchesPerEpoch, run });
  let best: LogRow | undefined;
  let bestWall = 0;
  const metricsNow = (r: { steps: number; epochs: number; trainSeconds: number; poemsPerSecond: number; ended: string }, finished: boolean): RecipeMetrics => ({
    heldOutLoss: best?.heldOut ?? NaN,
    bestStep: best?.step ?? 0,
    bestTrainSeconds: best?.seconds ?? 0,
    bestWallSeconds: bestWall,
    steps: r.steps,
    epochs: r.epochs,
    trainSeconds: Number(r.trainSeconds.toFixed(1)),
    wallSeconds: Number((wallBefore + (Date.now() - started) / 1000).toFixed(1)),
    poemsPerSecond: Number(r.poemsPerSecond.toFixed(1)),
    ended: r.ended,
    finished,
    parameters: model.countParams(),
    vocabSize: vocab.vocabSize,
    trainPoems: train.length,
    heldOutPoems: heldOut.length,
    backend: `${backend.name} (${backend.detail})`, threads: backend.threads,
    tfjs: tf.version.tfjs,
    date: new Date().toISOString(),
    settings: { ...s },
    changed: changedSettings(s, recipeDefaults),
  });
  let result: TrainResult;
  let quality: PoemFigures | undefined;
  try {
    result = await trainPoemModel(model, train, heldOut, vocab, {
      batchSize: s.batchSize, lr: s.lr, clipNorm: s.clipNorm, buckets: s.buckets, masked: s.masked, softmaxAt: s.softmaxAt, evalEvery: s.evalEvery,
      patience: s.patience, lrDecay: s.lrDecay, maxDecays: s.maxDecays, sampleCount: s.sampleCount, sampleTemperature: s.temperature,
      maxSteps: s.maxSteps, epochs: s.epochs, maxSeconds: s.maxMinutes * 60, seed: s.seed,
      checkpoint: path.join(run.dir, "checkpoint"), resume: s.resume, run, shouldStop: events.shouldStop,
      onBatch: (step, loss) => {
        carry(step - 1); // the checkpoint's step: the rows of the run it continues come first
        events.onBatch?.(step, loss);
      },
      onBest: async (row) => {
        best = row;
        bestWall = Number((wallBefore + (Date.now() - started) / 1000).toFixed(1));
        await output.saveBest(model, metricsNow({ steps: row.step, epochs: row.epoch, trainSeconds: row.seconds, poemsPerSecond: row.poemsPerSecond, ended: "running" }, false));
      },
      onLog: (row) => events.onLog?.(row, best === row),
    });
    carry(result.state.step);
    if (measureCount > 0 && fs.existsSync(path.join(bestDir, "model.json"))) {
      const bestModel = await loadModel(bestDir);
      try {
        quality = measurePoems(bestModel, vocab, { count: measureCount, temperature: s.temperature });
      } finally {
        bestModel.dispose();
      }
    }
  } catch (err) {
    run.discardIfEmpty(); // e.g. a checkpoint that does not load: no empty run folder is left
    throw err;
  } finally {
    model.dispose();
  }
  const metrics = metricsNow({ steps: result.state.step, epochs: result.rows.at(-1)?.epoch ?? result.state.epoch, trainSeconds: result.state.seconds, poemsPerSecond: result.poemsPerSecond, ended: result.ended }, true);
  if (best === undefined) {
    // Resumed and never improved on the checkpoint's best: report that one (its model is the earlier run's).
    metrics.heldOutLoss = result.state.bestLoss;
    metrics.bestStep = result.state.bestStep;
  }
  if (quality) metrics.quality = quality;
  fs.writeFileSync(path.join(run.dir, "metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
  run.finish({ heldOutLoss: metrics.heldOutLoss, bestStep: metrics.bestStep, ...(quality ? { regular: quality.free.share } : {}) });
  if (result.ended === "stopped") {
    console.log(stoppedSentence(run.dir, metrics.steps, loadRun("tang", run.id).history.length));
  }
  output.finish(metrics);
  return { run, result, metrics };
}

/** Returns the number of batches lengthBuckets makes of `sequences`. */
function countBuckets(sequences: readonly ArrayLike<number>[], batchSize: number): number {
  const byLength = new Map<number, number>();
  for (const s of sequences) byLength.set(s.length, (byLength.get(s.length) ?? 0) + 1);
  let n = 0;
  for (const count of byLength.values()) n += Math.ceil(count / batchSize);
  return n;
}

/** A trained poem model with its vocabulary. */
export interface LoadedPoemModel {
  model: tf.LayersModel;
  vocab: PoemVocab;
  /** settings.json as written by trainRecipe. */
  settings: Record<string, unknown>;
  /** The folder it came from. */
  dir: string;
}

/** Returns the model in `dir` (default datasets/pretrained/tang-lstm) with its vocab.json and settings.json, checked to match (loadModelFolder). */
export async function loadPoemModel(dir = pretrainedDir("tang-lstm")): Promise<LoadedPoemModel> {
  const folder = await loadModelFolder(dir, { vocab: true });
  let vocab: PoemVocab;
  try {
    vocab = poemVocabFrom(folder.vocab);
  } catch {
    folder.model.dispose();
    throw new Error(`${path.join(dir, "vocab.json")} is not a poem model's vocabulary: it must list "" (padding), the start, end and unknown symbols, then the characters.`);
  }
  return { model: folder.model, vocab, settings: folder.settings, dir };
}
