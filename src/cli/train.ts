// `npm run train -- LESSON [flags]`: the lessons' training runs from the terminal, logged like the
// notebook's (runs/<lesson>/<run-id>/) with a progress bar and an HTML report of the curves.
import * as fs from "fs";
import * as path from "path";
import { loadNames } from "../data/names";
import { lineChart, writeHtmlReport } from "../plot/index";
import { RandomState } from "../np/random";
import { loadRun, startRun } from "../runs/index";
import { bigramCounts, sampleBigramName, trainBigram } from "../welcome";
import { FlagSpec, Flags, UsageError } from "./flags";
import { startProgress } from "./progress";
import { repoRoot } from "./setup";

export interface Trainer {
  describe: string;
  flags: Record<string, FlagSpec>;
  run(flags: Flags): Promise<void>;
}

/** Writes report.html beside the run's history.csv: one chart per metric. */
function writeRunReport(lesson: string, runId: string, metrics: string[]): string {
  const run = loadRun(lesson, runId);
  const file = path.join(run.dir, "report.html");
  const figures = metrics.map((metric) =>
    lineChart([{ name: metric, x: run.history.map((r) => r.step), y: run.history.map((r) => r[metric]) }],
      { title: `${lesson} ${metric}`, xTitle: "step", yTitle: metric }));
  writeHtmlReport(file, figures, `${lesson} run ${runId}`);
  return file;
}

export const trainers: Record<string, Trainer> = {
  welcome: {
    describe: "the welcome lesson's bigram model of dinosaur names (seconds)",
    flags: {
      lr: { type: "number", default: 5, help: "learning rate" },
      steps: { type: "integer", default: 200, help: "gradient-descent steps" },
      data: { type: "string", default: "datasets/dinos.txt", help: "names file, one name per line" },
    },
    async run(flags) {
      const lr = flags.lr as number;
      const steps = flags.steps as number;
      const data = loadNames(path.resolve(repoRoot, flags.data as string));
      const run = startRun("welcome", { model: "bigram", lr, steps, data: flags.data as string });
      const progress = startProgress("welcome", steps);
      const W = trainBigram(bigramCounts(data.names, data.charToIx), {
        lr,
        steps,
        onStep: ({ step, loss }) => {
          run.log({ step, loss });
          progress.update(step, { loss });
        },
      });
      progress.stop();
      run.finish();
      const rng = new RandomState(0);
      const uniform = () => rng.random_sample() as number;
      console.log(`sampled names: ${Array.from({ length: 5 }, () => sampleBigramName(W, data.ixToChar, uniform)).join(", ")}`);
      console.log(`run ${run.id}: ${path.relative(repoRoot, run.dir)}/history.csv`);
      console.log(`report: ${path.relative(repoRoot, writeRunReport("welcome", run.id, ["loss"]))}`);
    },
  },
  mnist: {
    describe: "lesson 2: an LSTM reads MNIST digits row by row; the defaults train the shipped model (24 epochs of about 65 s on wasm)",
    flags: {
      cell: { type: "string", default: "lstm", help: "recurrent layer: lstm, gru or simpleRNN" },
      units: { type: "integer", default: 128, help: "hidden size" },
      epochs: { type: "integer", default: 24, help: "passes over the training digits" },
      batch: { type: "integer", default: 128, help: "digits per batch" },
      lr: { type: "number", default: 1e-3, help: "Adam's learning rate" },
      "lr-decay": { type: "number", default: 0.88, help: "the learning rate is multiplied by this after every epoch" },
      clipnorm: { type: "number", default: 5, help: "gradients are scaled down when their global norm exceeds this" },
      shift: { type: "integer", default: 2, help: "moves each training digit by up to this many pixels, at random (augmentation)" },
      dropout: { type: "number", default: 0, help: "dropout on the recurrent layer's inputs and state while training" },
      validation: { type: "integer", default: 5000, help: "last training digits kept apart for validation" },
      limit: { type: "integer", help: "train on the first N training digits only (quick tries)" },
      "max-batches": { type: "integer", help: "stop after this many batches in all" },
      "log-every": { type: "integer", default: 100, help: "batches between logged rows (validation is measured at each)" },
      seed: { type: "integer", default: 0, help: "seeds the initial weights and the batch order" },
      out: { type: "string", help: "copy the best model, settings.json, history.csv and metrics.json here (e.g. datasets/pretrained/mnist-lstm)" },
    },
    async run(flags) {
      // Loaded here, not at the top: the other lessons' training does not start TensorFlow.js.
      const mnist = require("../data/mnist") as typeof import("../data/mnist");
      const model = require("../tf/mnist") as typeof import("../tf/mnist");
      const backend = await (require("../tf/backend") as typeof import("../tf/backend")).initBackend();
      const cell = flags.cell as import("../tf/mnist").CellType;
      if (!model.cellTypes.includes(cell)) throw new UsageError(`--cell must be one of ${model.cellTypes.join(", ")}, got "${cell}"`);
      const started = Date.now();
      const all = mnist.loadMnist("train");
      const { train: trainAll, validation } = mnist.splitValidation(all, flags.validation as number);
      const train = flags.limit === undefined ? trainAll : mnist.subset(trainAll, 0, flags.limit as number);
      const settings = {
        model: `${cell}(${flags.units}) → dense(10)`, cell, units: flags.units as number, epochs: flags.epochs as number,
        batchSize: flags.batch as number, lr: flags.lr as number, lrDecay: flags["lr-decay"] as number, clipNorm: flags.clipnorm as number,
        shift: flags.shift as number, dropout: flags.dropout as number,
        trainSize: train.count, validationSize: validation.count, seed: flags.seed as number, backend: backend.name,
      };
      const run = startRun("mnist", settings);
      const net = model.buildClassifier({ cell, units: settings.units, seed: settings.seed, dropout: settings.dropout });
      const checkpoint = path.join(run.dir, "model");
      const batchesPerEpoch = Math.ceil(train.count / settings.batchSize);
      const total = Math.min(settings.epochs * batchesPerEpoch, (flags["max-batches"] as number | undefined) ?? Infinity);
      console.log(`${net.countParams()} parameters; ${train.count} training and ${validation.count} validation digits; run ${run.id}`);
      const progress = startProgress("mnist", total);
      let best = { valAccuracy: -1, epoch: 0 };
      let lastLoss = NaN;
      const result = await model.trainClassifier(net, train, validation, {
        epochs: settings.epochs, batchSize: settings.batchSize, lr: settings.lr, lrDecay: settings.lrDecay, clipNorm: settings.clipNorm,
        seed: settings.seed, shift: settings.shift, maxBatches: flags["max-batches"] as number | undefined, logEvery: flags["log-every"] as number, run,
        onBatch: (step, loss) => {
          lastLoss = Number.isFinite(lastLoss) ? 0.95 * lastLoss + 0.05 * loss : loss;
          progress.update(step, { loss: lastLoss });
        },
        onEpoch: async (epoch, row) => {
          const saved = row.valAccuracy > best.valAccuracy;
          if (saved) {
            best = { valAccuracy: row.valAccuracy, epoch };
            await model.saveClassifier(net, checkpoint);
          }
          progress.stop();
          console.log(`epoch ${epoch}: loss ${row.loss.toFixed(4)}, accuracy ${row.accuracy.toFixed(4)}, validation ${row.valAccuracy.toFixed(4)}` +
            `, ${row.seconds.toFixed(0)} s training${saved ? " (best so far: saved)" : ""}`);
        },
      });
      progress.stop();
      if (best.epoch === 0) await model.saveClassifier(net, checkpoint); // stopped inside the first epoch
      net.dispose();
      const bestModel = await model.loadClassifier(checkpoint);
      const test = model.evaluate(bestModel, mnist.loadMnist("test"));
      bestModel.dispose();
      const metrics = {
        testAccuracy: test.accuracy, testLoss: test.loss, testSize: 10000, bestEpoch: best.epoch, bestValAccuracy: best.valAccuracy,
        epochs: result.rows.length ? result.rows[result.rows.length - 1].epoch : 0, batches: result.batches, stopped: result.stopped,
        trainSeconds: result.seconds, wallSeconds: (Date.now() - started) / 1000, samplesPerSecond: result.samplesPerSecond,
        secondsPerEpoch: (result.seconds * train.count) / Math.max(1, result.samples), backend: `${backend.name} (${backend.detail})`,
        tfjs: require("@tensorflow/tfjs").version.tfjs as string, date: new Date().toISOString(),
        // The flags that made it, without --out (where a copy went).
        command: ["npm run train -- mnist", ...process.argv.slice(process.argv.indexOf("mnist") + 1)].join(" ").replace(/ --out(=| )\S+/, ""),
      };
      fs.writeFileSync(path.join(run.dir, "metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
      run.finish({ testAccuracy: test.accuracy, bestEpoch: best.epoch });
      console.log(`test accuracy ${(100 * test.accuracy).toFixed(2)}% (best epoch ${best.epoch} of ${metrics.epochs}), ` +
        `${metrics.samplesPerSecond.toFixed(0)} samples/s, ${metrics.secondsPerEpoch.toFixed(0)} s per epoch, ${(metrics.wallSeconds / 60).toFixed(1)} min in all`);
      if (flags.out !== undefined) {
        const out = path.resolve(repoRoot, flags.out as string);
        fs.mkdirSync(out, { recursive: true });
        for (const file of ["model.json", "weights.bin"]) fs.copyFileSync(path.join(checkpoint, file), path.join(out, file));
        for (const file of ["settings.json", "history.csv", "metrics.json"]) fs.copyFileSync(path.join(run.dir, file), path.join(out, file));
        console.log(`model copied to ${path.relative(repoRoot, out)}`);
      }
      console.log(`run ${run.id}: ${path.relative(repoRoot, run.dir)}/history.csv`);
      console.log(`report: ${path.relative(repoRoot, writeRunReport("mnist", run.id, ["loss", "valLoss", "accuracy", "valAccuracy"]))}`);
    },
  },
};
