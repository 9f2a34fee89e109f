// `npm run train -- LESSON [flags]`: the lessons' training runs from the terminal, logged like the
// notebook's (runs/<lesson>/<run-id>/) with a progress bar and an HTML report of the curves.
import * as fs from "fs";
import * as path from "path";
import { loadNames } from "../../src/data/names";
import { modelDefaults } from "../../src/charlm/model";
import { trainLogged } from "../../src/charlm/train";
import { lineChart, sharedBundlePath, writeHtmlReport } from "../../src/plot/index";
import { RandomState } from "../../src/np/random";
import { continuedRun, loadRun, resumeProblem, runsRoot, startRun } from "../../src/runs/index";
import { displayPath, outFolderProblem } from "../../src/runs/paths";
import { positive, rangeProblem, wholeFrom } from "../../src/options";
import type { Range } from "../../src/options";
import { onInterrupt } from "../../src/interrupt";
import { bigramCounts, bigramDefaults, sampleBigramName, trainBigram } from "../../src/welcome/index";
import { FlagSpec, Flags, UsageError } from "./flags";
import { startProgress } from "./progress";
import { repoRoot } from "../../src/course";

export interface Trainer {
  describe: string;
  flags: Record<string, FlagSpec>;
  /** Resolves to the exit code when it is not 0: 130 after Ctrl-C (SIGINT), 143 after kill (SIGTERM). */
  run(flags: Flags): Promise<number | void>;
}

/** The folder npm was started in (npm runs scripts in the course folder, and sets INIT_CWD to the learner's). */
const userDir = () => process.env.INIT_CWD || process.cwd();

/**
 * An input file named on the command line (--text, --poems, --data), read from the learner's folder when it is there;
 * else left as given (a name in datasets/).
 */
function inputFile(file: string): string {
  const full = path.resolve(userDir(), file);
  return fs.existsSync(full) ? displayPath(full) : file;
}

/** The --out folder, resolved in the learner's folder, after refusing one it may not write (see outFolderProblem). */
function outFolder(flags: Record<string, unknown>): string | undefined {
  if (flags.out === undefined) return undefined;
  const dir = path.resolve(userDir(), flags.out as string);
  const problem = outFolderProblem(dir, "--out", flags.force === true);
  if (problem !== undefined) throw new UsageError(problem);
  return dir;
}

/** --out and --force, for the lessons that write a model folder. */
const outFlags = (what: string): Record<string, FlagSpec> => ({
  out: { type: "string", help: `${what} (not inside datasets/pretrained/, the shipped models)` },
  force: { type: "boolean", help: "let --out replace a model already in that folder" },
});

/**
 * Refuses the first setting out of its recipe's range, before anything is written ("--batch-size must be a whole
 * number ≥ 1, got 0."), and a --resume with another value of a setting the resumed run keeps (`resumeKeeps`).
 * Resolves --resume in the learner's folder.
 */
function checkFlags(settings: Record<string, unknown>, ranges: object, resumeKeeps: string[] = []): void {
  const flagName = (name: string) => `--${kebabCase(name)}`;
  const problem = rangeProblem(settings, ranges, flagName);
  if (problem !== undefined) throw new UsageError(problem);
  if (settings.resume === undefined) return;
  settings.resume = path.resolve(userDir(), settings.resume as string);
  const refused = resumeProblem(continuedRun(settings.resume as string), settings, resumeKeeps, flagName);
  if (refused !== undefined) throw new UsageError(refused);
}

/** "256,256" as [256, 256]; anything else as given, for the range check to refuse it by its own words. */
/** A share as a whole percentage, "–" when it was not measured (NaN). */
const percent = (share: number) => (Number.isNaN(share) ? "–" : `${Math.round(100 * share)}%`);
const sizesOf = (units: unknown) => (/^\d+(,\d+)*$/.test(String(units)) ? String(units).split(",").map(Number) : units);

/**
 * What a terminal training run needs around a recipe: a progress bar of the smoothed batch loss, paused for
 * printed lines, and Ctrl-C or SIGTERM asking the training to stop after its batch (a second Ctrl-C quits).
 * Call done() when the recipe returns or fails.
 */
function terminalTraining(label: string) {
  let progress: ReturnType<typeof startProgress> | undefined;
  let smoothed = NaN;
  let stopRequested = false;
  // Which signal stopped the run, for the exit code: `npm run train && npm run generate` must not go on after Ctrl-C.
  let signal: NodeJS.Signals | undefined;
  const noteSignal = (name: NodeJS.Signals) => void (signal ??= name);
  process.on("SIGINT", noteSignal);
  process.on("SIGTERM", noteSignal);
  const stopListening = onInterrupt(() => (stopRequested = true));
  return {
    shouldStop: () => stopRequested,
    /** 128 + the signal's number, as a shell reports a program a signal ended: 130 for Ctrl-C, 143 for kill. */
    exitCode: () => (signal === undefined ? undefined : signal === "SIGINT" ? 130 : 143),
    start: (total: number) => void (progress = startProgress(label, total)),
    batch(step: number, loss: number) {
      smoothed = Number.isFinite(smoothed) ? 0.95 * smoothed + 0.05 * loss : loss;
      progress?.update(step, { loss: smoothed });
    },
    pause: () => progress?.stop(),
    done() {
      progress?.stop();
      stopListening();
      process.removeListener("SIGINT", noteSignal);
      process.removeListener("SIGTERM", noteSignal);
    },
  };
}

/** Thrown when the loss stops being a finite number: training has diverged. */
class Diverged extends Error {
  constructor(readonly step: number, readonly loss: number) {
    super(`the loss became ${loss} at step ${step}`);
  }
}

/** Flags named after a recipe's settings (lrDecay → --lr-decay), with the recipe's defaults and ranges. */
function recipeFlags(recipeDefaults: object, ranges: Record<string, Range | undefined>, help: Record<string, [FlagSpec["type"], string]>, extra: Record<string, FlagSpec>): Record<string, FlagSpec> {
  const defaults = recipeDefaults as Record<string, number | string | boolean | number[] | undefined>;
  // A list (LSTM sizes) is a flag of comma-separated numbers: --units 256,256.
  const flagDefault = (v: number | string | boolean | number[] | undefined) => (Array.isArray(v) ? v.join(",") : v);
  return {
    ...Object.fromEntries(Object.entries(help).map(([name, [type, text]]) => [kebabCase(name), { type, default: flagDefault(defaults[name]), help: text, range: ranges[name] }])),
    ...extra,
  };
}

const kebabCase = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Flags back under the settings' names (--lr-decay → lrDecay). */
function camelCaseKeys(flags: Flags): Record<string, number | string | boolean | undefined> {
  return Object.fromEntries(Object.entries(flags).map(([name, value]) => [name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), value]));
}

/** Writes report.html beside the run's history.csv: one chart per metric. */
/**
 * Writes report.html beside the run's history.csv: one chart per group of columns drawn together (training and
 * validation overlaid), under the run's settings and summary.
 */
function writeRunReport(lesson: string, runId: string, charts: string[][]): string {
  const run = loadRun(lesson, runId);
  const file = path.join(run.dir, "report.html");
  const figures = charts.map((columns) =>
    lineChart(columns.map((column) => ({ name: column, x: run.history.map((r) => r.step), y: run.history.map((r) => r[column]) })),
      { title: `${lesson}: ${columns.join(" and ")}`, xTitle: "step", yTitle: columns[0] }));
  const describe = (values: object) => Object.entries(values).map(([k, v]) => `${k} ${typeof v === "number" ? Number(v.toPrecision(6)) : v}`).join(", ");
  const intro = [`settings: ${describe(run.settings)}`, ...(run.summary ? [`result: ${describe(run.summary)}`] : [])];
  // One copy of plotly.js for all the reports in runs/, not 5 MB in each.
  writeHtmlReport(file, figures, `${lesson} run ${runId}`, { sharedBundle: sharedBundlePath(runsRoot()), intro });
  return file;
}

/** The names file of lessons 0 and 3: the dinosaurs, or a learner's own list. */
const namesFileFlag: FlagSpec = { type: "string", default: "datasets/dinos.txt", help: "names file, one name per line" };

export const trainers: Record<string, Trainer> = {
  welcome: {
    describe: "the welcome lesson's bigram model of dinosaur names (seconds)",
    flags: {
      lr: { type: "number", default: bigramDefaults.lr, help: "learning rate", range: positive },
      steps: { type: "integer", default: bigramDefaults.steps, help: "gradient-descent steps", range: wholeFrom(1) },
      data: namesFileFlag,
      "log-every": { type: "integer", default: 1, help: "steps between logged rows (the last step is always logged)", range: wholeFrom(1) },
    },
    async run(flags) {
      const lr = flags.lr as number;
      const steps = flags.steps as number;
      const logEvery = flags["log-every"] as number;
      const data = loadNames(path.resolve(repoRoot, flags.data as string));
      const run = startRun("welcome", { model: "bigram", lr, steps, data: flags.data as string });
      const progress = startProgress("welcome", steps);
      let W: number[][];
      try {
        W = trainBigram(bigramCounts(data.names, data.charToIx), {
          lr,
          steps,
          onStep: ({ step, loss }) => {
            if (step % logEvery === 0 || step === steps || !Number.isFinite(loss)) run.log({ step, loss });
            if (!Number.isFinite(loss)) throw new Diverged(step, loss);
            progress.update(step, { loss });
          },
        });
      } catch (err) {
        progress.stop();
        if (!(err instanceof Diverged)) throw err;
        run.finish({ divergedAtStep: err.step });
        throw new Error(`Training diverged: the loss became ${err.loss} at step ${err.step} with --lr ${lr}; try a smaller --lr ` +
          `(the default is ${bigramDefaults.lr}). The run's rows are in ${displayPath(path.join(run.dir, "history.csv"))}.`);
      }
      progress.stop();
      run.finish();
      const rng = new RandomState(0);
      const uniform = () => rng.random_sample() as number;
      console.log(`sampled names: ${Array.from({ length: 5 }, () => sampleBigramName(W, data.ixToChar, uniform)).join(", ")}`);
      console.log(`run ${run.id}: ${path.relative(repoRoot, run.dir)}/history.csv`);
      console.log(`report: ${path.relative(repoRoot, writeRunReport("welcome", run.id, [["loss"]]))}`);
    },
  },
  "dinosaur-names": {
    describe: "lesson 3: the character-level RNN from scratch on dinosaur names, the course's model() (about 5 s on 2 cores)",
    flags: {
      lr: { type: "number", default: modelDefaults.learningRate, help: "learning rate (the course's learningRate)", range: positive },
      units: { type: "integer", default: modelDefaults.nA, help: "hidden size (the course's nA)", range: wholeFrom(1) },
      steps: { type: "integer", default: modelDefaults.numIterations, help: "iterations, one name each (the course's numIterations)", range: wholeFrom(1) },
      update: { type: "string", default: modelDefaults.update, help: "sgd (the course) or adagrad (min-char-rnn, try --lr 0.1)", range: { oneOf: ["sgd", "adagrad"] } },
      data: namesFileFlag,
      "log-every": { type: "integer", default: 100, help: "iterations between logged rows of the smoothed loss", range: wholeFrom(1) },
    },
    async run(flags) {
      const update = flags.update as "sgd" | "adagrad";
      const data = loadNames(path.resolve(repoRoot, flags.data as string));
      // model() checks the other settings before trainLogged starts a run.
      const result = trainLogged(data, {
        learningRate: flags.lr as number, nA: flags.units as number, numIterations: flags.steps as number, update,
        logEvery: flags["log-every"] as number, dataName: path.basename(flags.data as string), live: false,
      });
      console.log(`run ${result.runId}: smoothed loss ${result.loss?.toFixed(3)}`);
      console.log(`report: ${path.relative(repoRoot, writeRunReport("dinosaur-names", result.runId, [["loss"]]))}`);
    },
  },
  mnist: {
    describe: "lesson 2: an LSTM reads MNIST digits row by row; the defaults train the shipped model (24 epochs of about 65 s on wasm)",
    // The recipe's settings, under the same names as kebab-case flags; their defaults are the recipe's. A getter:
    // reading them loads the recipe, and with it TensorFlow.js, which the other lessons' training does not need.
    get flags() {
      const { recipeDefaults, recipeRanges } = require("../../src/mnist/recipe") as typeof import("../../src/mnist/recipe");
      return recipeFlags(recipeDefaults, recipeRanges, {
        cell: ["string", "recurrent layer: lstm, gru or simpleRNN"],
        units: ["integer", "hidden size"],
        epochs: ["integer", "passes over the training digits"],
        batchSize: ["integer", "digits per batch"],
        lr: ["number", "Adam's learning rate"],
        lrDecay: ["number", "the learning rate is multiplied by this after every epoch"],
        clipNorm: ["number", "gradients are scaled down when their global norm exceeds this"],
        shift: ["integer", "moves each training digit by up to this many pixels, at random (augmentation)"],
        dropout: ["number", "dropout on the recurrent layer's inputs and state while training"],
        validation: ["integer", "last training digits kept apart for validation"],
        limit: ["integer", "train on the first N training digits only (quick tries)"],
        maxBatches: ["integer", "stop after this many batches in all"],
        logEvery: ["integer", "batches between logged rows (validation is measured at each)"],
        seed: ["integer", "seeds the initial weights and the batch order"],
      }, outFlags("copy the best model, settings.json, history.csv and metrics.json here"));
    },
    async run(flags) {
      // Loaded here, not at the top: the other lessons' training does not start TensorFlow.js.
      const { recipeRanges, trainRecipe } = require("../../src/mnist/recipe") as typeof import("../../src/mnist/recipe");
      const { out: _out, force: _force, ...changes } = camelCaseKeys(flags);
      // Bad settings and a folder --out may not write stop here, before a run folder exists.
      checkFlags(changes, recipeRanges);
      const out = outFolder(flags);
      // From here on, Ctrl-C or SIGTERM (also while the digits load) stops the training after its batch, and the
      // recipe still saves the checkpoint, measures it and writes metrics.json.
      const terminal = terminalTraining("mnist");
      const { run, metrics } = await trainRecipe(changes, {
        shouldStop: terminal.shouldStop,
        onStart: ({ parameters, trainSize, validationSize, totalBatches, run }) => {
          console.log(`${parameters} parameters; ${trainSize} training and ${validationSize} validation digits; run ${run.id}`);
          terminal.start(totalBatches);
        },
        onBatch: terminal.batch,
        onEpoch: (epoch, row, saved) => {
          terminal.pause();
          console.log(`epoch ${epoch}: loss ${row.loss.toFixed(4)}, accuracy ${row.accuracy.toFixed(4)}, validation ${row.valAccuracy.toFixed(4)}` +
            `, ${row.seconds.toFixed(0)} s training${saved ? " (best so far: saved)" : ""}`);
        },
      }, out).finally(terminal.done);
      if (metrics.stopped) console.log(`The best checkpoint so far${metrics.bestEpoch ? ` (epoch ${metrics.bestEpoch})` : ""} is kept and measured below; metrics.json says the run stopped early.`);
      console.log(`test accuracy ${(100 * metrics.testAccuracy).toFixed(2)}% (best epoch ${metrics.bestEpoch} of ${metrics.epochs}), ` +
        `${metrics.samplesPerSecond.toFixed(0)} samples/s, ${metrics.secondsPerEpoch.toFixed(0)} s per epoch, ${(metrics.wallSeconds / 60).toFixed(1)} min in all`);
      if (out !== undefined) console.log(`model copied to ${displayPath(out)}`);
      console.log(`run ${run.id}: ${path.relative(repoRoot, run.dir)}/history.csv`);
      console.log(`report: ${path.relative(repoRoot, writeRunReport("mnist", run.id, [["loss", "valLoss"], ["accuracy", "valAccuracy"]]))}`);
      return terminal.exitCode();
    },
  },
  shakespeare: {
    describe: "lesson 4: the character LSTM on the sonnets (or --text FILE, any UTF-8 text); the defaults train the shipped model",
    get flags() {
      const { recipeDefaults, recipeRanges } = require("../../src/shakespeare/recipe") as typeof import("../../src/shakespeare/recipe");
      return recipeFlags(recipeDefaults, recipeRanges, {
        text: ["string", "the text to learn: a file in datasets/ or a path (UTF-8, any language)"],
        heldOutFraction: ["number", "the last part of the text kept apart to measure the held-out loss"],
        embedding: ["integer", "size of each character's embedding"],
        units: ["string", "LSTM sizes, bottom first"],
        dropout: ["number", "dropout between the layers while training"],
        batchSize: ["integer", "windows per batch"],
        seqLength: ["integer", "characters per window (every one a target)"],
        lr: ["number", "Adam's learning rate"],
        clipNorm: ["number", "gradients are scaled down when their global norm exceeds this"],
        weightDecay: ["number", "weight decay (AdamW-style) on the weights"],
        evalEvery: ["integer", "batches between held-out measurements (and checkpoints)"],
        patience: ["integer", "held-out measurements without improvement before the learning rate drops"],
        lrDecay: ["number", "the learning rate is multiplied by this when it drops"],
        maxDecays: ["integer", "drops before training stops"],
        maxMinutes: ["number", "wall-time budget in minutes"],
        seed: ["integer", "seeds the initial weights and the windows"],
        maxSteps: ["integer", "stop after this many batches in all"],
        resume: ["string", "a run's checkpoint folder (runs/LESSON/ID/checkpoint) to go on from as one run: its rows start this run's history.csv; keep its --batch-size and --seq-length"],
      }, {
        lowercase: { type: "boolean", default: true, help: "lowercase the text first, as the course does (--lowercase=false keeps case)" },
        ...outFlags("copy the best model, vocab.json, settings.json, history.csv and metrics.json here"),
      });
    },
    async run(flags) {
      const { recipeRanges, resumeKeeps, trainRecipe } = require("../../src/shakespeare/recipe") as typeof import("../../src/shakespeare/recipe");
      const { out: _out, force: _force, units, text, ...rest } = camelCaseKeys(flags);
      const changes: Record<string, unknown> = { ...rest, units: sizesOf(units), text: inputFile(text as string) };
      checkFlags(changes, recipeRanges, resumeKeeps);
      const out = outFolder(flags);
      const terminal = terminalTraining("shakespeare");
      const { run, metrics } = await trainRecipe(changes as Parameters<typeof trainRecipe>[0], {
        shouldStop: terminal.shouldStop,
        onStart: ({ parameters, trainChars, heldOutChars, vocabSize, run }) => {
          console.log(`${parameters} parameters; ${vocabSize} characters; ${trainChars} to train on, ${heldOutChars} held out; run ${run.id}`);
          // Training runs until its held-out loss stops improving or its time is up: a bar only when the steps are set.
          if (changes.maxSteps !== undefined) terminal.start(changes.maxSteps as number);
        },
        onBatch: terminal.batch,
        onLog: (row, saved) => {
          terminal.pause();
          console.log(`step ${row.step}: loss ${row.loss.toFixed(4)}, held-out ${row.heldOut.toFixed(4)} nats/char${saved ? " (best so far: saved)" : ""}`);
        },
      }, out).finally(terminal.done);
      console.log(`best held-out loss ${metrics.heldOutLoss.toFixed(4)} nats/char at step ${metrics.bestStep}; ${metrics.steps} steps, ` +
        `${metrics.charsPerSecond.toFixed(0)} characters/s, ${(metrics.wallSeconds / 60).toFixed(1)} min in all (${metrics.ended})`);
      if (out !== undefined) console.log(`model copied to ${displayPath(out)}`);
      console.log(`run ${run.id}: ${path.relative(repoRoot, run.dir)}/history.csv`);
      console.log(`report: ${path.relative(repoRoot, writeRunReport("shakespeare", run.id, [["loss", "heldOut"]]))}`);
      return terminal.exitCode();
    },
  },
  "shakespeare-window": {
    describe: "lesson 4: the course's own model (LSTM(128) over windows of Tx = 40 one-hot characters) trained epoch by epoch, for comparison; the defaults train the shipped one",
    get flags() {
      const { courseRecipeDefaults, courseRecipeRanges } = require("../../src/shakespeare/recipe") as typeof import("../../src/shakespeare/recipe");
      return recipeFlags(courseRecipeDefaults, courseRecipeRanges, {
        text: ["string", "the text to learn: a file in datasets/ or a path (UTF-8), lowercased"],
        heldOutFraction: ["number", "the last part of the text kept apart to measure the held-out loss"],
        stride: ["integer", "a window starts every this many characters"],
        units: ["integer", "LSTM units"],
        batchSize: ["integer", "windows per batch"],
        lr: ["number", "Adam's learning rate"],
        clipNorm: ["number", "gradients are scaled down when their global norm exceeds this"],
        epochs: ["integer", "most epochs"],
        patience: ["integer", "epochs without a better held-out loss before training stops"],
        maxMinutes: ["number", "wall-time budget in minutes"],
        seed: ["integer", "seeds the initial weights and the order of the windows"],
      }, outFlags("write the best model, vocab.json, settings.json, history.csv and metrics.json here"));
    },
    async run(flags) {
      const { courseRecipeRanges, trainCourseRecipe } = require("../../src/shakespeare/recipe") as typeof import("../../src/shakespeare/recipe");
      const { out: _out, force: _force, text, ...rest } = camelCaseKeys(flags);
      const changes = { ...rest, text: inputFile(text as string) };
      checkFlags(changes, courseRecipeRanges);
      const out = outFolder(flags);
      const terminal = terminalTraining("shakespeare-window");
      const { run, rows } = await trainCourseRecipe(changes as Parameters<typeof trainCourseRecipe>[0], {
        shouldStop: terminal.shouldStop,
        onEpoch: (row) => console.log(`epoch ${row.epoch}: loss ${row.loss.toFixed(4)}, held-out ${row.heldOut.toFixed(4)} nats/char, ${row.examplesPerSecond} windows/s`),
      }, out).finally(terminal.done);
      const best = Math.min(...rows.map((r) => r.heldOut));
      console.log(`best held-out loss ${best.toFixed(4)} nats/char after ${rows.length} epochs`);
      console.log(`run ${run.id}: ${path.relative(repoRoot, run.dir)}/history.csv`);
      console.log(`report: ${path.relative(repoRoot, writeRunReport("shakespeare", run.id, [["loss", "heldOut"]]))}`);
      return terminal.exitCode();
    },
  },
  tang: {
    describe: "lesson 5: the poem LSTM on the Tang poems (or --poems FILE of title:content lines); the defaults train the shipped model",
    get flags() {
      const { recipeDefaults, recipeRanges } = require("../../src/tang/recipe") as typeof import("../../src/tang/recipe");
      return recipeFlags(recipeDefaults, recipeRanges, {
        poems: ["string", "the poems to learn: a file of title:content lines in datasets/ or a path"],
        maxVocab: ["integer", "most frequent characters in the vocabulary (the rest become the unknown symbol)"],
        embedding: ["integer", "size of each character's embedding"],
        units: ["string", "LSTM sizes, bottom first"],
        position: ["boolean", "read the position in the poem (column, line, width) beside each character (--position=false: the course's model, which reads no feature)"],
        positionEmbedding: ["integer", "size of each position feature's embedding"],
        rhymeInput: ["string", "also read the poem's rhyme so far (the rhyme class of its even-line ends): none, always (every character after the 2nd line) or place (only where an even line's last character comes); needs --position"],
        batchSize: ["integer", "poems per batch"],
        lr: ["number", "Adam's learning rate"],
        clipNorm: ["number", "gradients are scaled down when their global norm exceeds this"],
        buckets: ["boolean", "batches of poems of one exact length (--buckets=false: random poems padded, the course's)"],
        masked: ["boolean", "leave the padding out of the loss (--masked=false: the course's bug, with --buckets=false)"],
        softmaxAt: ["string", "targets (the output layer only at real targets) or all (every position, then masked)"],
        evalEvery: ["integer", "batches between held-out measurements (and checkpoints)"],
        patience: ["integer", "held-out measurements without improvement before the learning rate drops"],
        lrDecay: ["number", "the learning rate is multiplied by this when it drops"],
        maxDecays: ["integer", "drops before training stops"],
        sampleCount: ["integer", "free poems written at each measurement (their regular share is logged)"],
        temperature: ["number", "temperature of those poems and of the final measurement"],
        maxMinutes: ["number", "wall-time budget in minutes"],
        seed: ["integer", "seeds the initial weights and the batches"],
        maxSteps: ["integer", "stop after this many batches in all"],
        epochs: ["integer", "stop after this many passes over the training poems"],
        limit: ["integer", "train on the first N training poems only (quick tries)"],
        measureCount: ["integer", "poems of each kind measured on the best model at the end (0: none)"],
        resume: ["string", "a run's checkpoint folder (runs/LESSON/ID/checkpoint) to go on from as one run: its rows start this run's history.csv; keep its --batch-size"],
      }, outFlags("copy the best model, vocab.json, settings.json, history.csv and metrics.json here"));
    },
    async run(flags) {
      const { recipeRanges, resumeKeeps, trainRecipe } = require("../../src/tang/recipe") as typeof import("../../src/tang/recipe");
      const { out: _out, force: _force, units, poems, ...rest } = camelCaseKeys(flags);
      const changes: Record<string, unknown> = { ...rest, units: sizesOf(units), poems: inputFile(poems as string) };
      checkFlags(changes, recipeRanges, resumeKeeps);
      const out = outFolder(flags);
      const terminal = terminalTraining("tang");
      const { run, metrics } = await trainRecipe(changes as Parameters<typeof trainRecipe>[0], {
        shouldStop: terminal.shouldStop,
        onStart: ({ parameters, trainPoems, heldOutPoems, vocabSize, batchesPerEpoch, run }) => {
          console.log(`${parameters} parameters; ${vocabSize} symbols; ${trainPoems} poems to train on (${batchesPerEpoch} batches an epoch), ${heldOutPoems} held out; run ${run.id}`);
          const total = changes.maxSteps !== undefined ? (changes.maxSteps as number) : changes.epochs !== undefined ? (changes.epochs as number) * batchesPerEpoch : undefined;
          if (total !== undefined) terminal.start(total);
        },
        onBatch: terminal.batch,
        onLog: (row, saved) => {
          terminal.pause();
          console.log(`step ${row.step} (epoch ${row.epoch.toFixed(2)}): loss ${row.loss.toFixed(4)}, held-out ${row.heldOut.toFixed(4)} nats/char, ` +
            `regular ${percent(row.regular)} (rhyming ${percent(row.rhyme)}), ${row.poemsPerSecond.toFixed(0)} poems/s${saved ? " (best so far: saved)" : ""}`);
        },
      }, out).finally(terminal.done);
      console.log(`best held-out loss ${metrics.heldOutLoss.toFixed(4)} nats/char at step ${metrics.bestStep}; ${metrics.steps} steps (${metrics.epochs} epochs), ` +
        `${metrics.poemsPerSecond.toFixed(0)} poems/s, ${(metrics.wallSeconds / 60).toFixed(1)} min in all (${metrics.ended})`);
      const q = metrics.quality;
      if (q) {
        console.log(`${q.free.count} free poems at temperature ${q.temperature}: ${percent(q.free.share)} regular, ${percent(q.free.rhymeShare)} of those rhyming unforced, ${q.free.stray} stray symbols; ` +
          `in a form ${percent(q.form.share)} regular (${percent(q.form.rhymeShare)} of those rhyming unforced); acrostics ${percent(q.acrostic.share)} right; forced rhyme ${percent(q.rhyme.share)} right`);
      }
      if (out !== undefined) console.log(`model copied to ${displayPath(out)}`);
      console.log(`run ${run.id}: ${path.relative(repoRoot, run.dir)}/history.csv`);
      console.log(`report: ${path.relative(repoRoot, writeRunReport("tang", run.id, [["loss", "heldOut"], ["regular", "rhyme"]]))}`);
      return terminal.exitCode();
    },
  },
};

