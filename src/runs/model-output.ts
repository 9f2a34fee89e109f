// Where a recipe's model goes as training runs: the run's model/ (the best checkpoint so far) and, when asked, an
// `out` folder such as datasets/pretrained/<name>/ holding the same model with its files (vocab.json, settings.json),
// the run's history.csv and metrics.json, rewritten at every new best so that a run cut short leaves a usable folder.
// Not exported by runs/index.ts: it loads TensorFlow.js, which reading run logs does not need.
import * as fs from "fs";
import * as path from "path";
import { writeAtomically } from "../files";
import { displayPath } from "./paths";
import type { tf } from "../tf/backend";
import { saveModel } from "../tf/models";

/** The one sentence a recipe stopped by ■, Ctrl-C or a stop flag prints: what it kept, and where. */
export function stoppedSentence(runDir: string, batches: number, rows: number): string {
  return `Stopped: training stopped after batch ${batches}; its ${rows} logged rows are kept in ${displayPath(path.join(runDir, "history.csv"))}, ` +
    `the best model in ${displayPath(path.join(runDir, "model"))}, the last checkpoint (to resume) in ${displayPath(path.join(runDir, "checkpoint"))}.`;
}

/** The folders a recipe writes its model to. */
export interface ModelOutput {
  /** The run's model/ folder: the best checkpoint so far. */
  bestDir: string;
  /** Writes a file (vocab.json, settings.json) beside the model in both folders. */
  writeFiles(files: Record<string, string>): void;
  /** Writes a file to `out` only (nothing when there is none). */
  writeOut(name: string, text: string): void;
  /** Saves `model` as the best so far in both folders, with the history so far and `metrics` in `out`. */
  saveBest(model: tf.LayersModel, metrics: object): Promise<void>;
  /** Copies the run's history.csv and writes `metrics` to `out` (at the end of a run). */
  finish(metrics: object): void;
}

/** Returns the output folders of a run in runDir, and `out` when given. */
export function modelOutput(runDir: string, out?: string): ModelOutput {
  const bestDir = path.join(runDir, "model");
  const writeOut = (name: string, text: string) => void (out !== undefined && writeAtomically(path.join(out, name), text));
  const copyHistory = () => {
    const history = path.join(runDir, "history.csv");
    if (out !== undefined && fs.existsSync(history)) writeOut("history.csv", fs.readFileSync(history, "utf8"));
  };
  const json = (value: object) => JSON.stringify(value, null, 2) + "\n";
  return {
    bestDir,
    writeFiles(files) {
      for (const [name, text] of Object.entries(files)) {
        writeAtomically(path.join(bestDir, name), text);
        writeOut(name, text);
      }
    },
    writeOut,
    async saveBest(model, metrics) {
      await saveModel(model, bestDir);
      if (out === undefined) return;
      await saveModel(model, out);
      copyHistory();
      writeOut("metrics.json", json(metrics));
    },
    finish(metrics) {
      copyHistory();
      writeOut("metrics.json", json(metrics));
    },
  };
}
