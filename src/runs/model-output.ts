// Where a recipe's model goes as training runs: the run's model/ (the best checkpoint so far) and, when asked, an
// `out` folder such as datasets/pretrained/<name>/ holding the same model with its files (vocab.json, settings.json),
// the run's history.csv and metrics.json, rewritten at every new best so that a run cut short leaves a usable folder.
// Not exported by runs/index.ts: it loads TensorFlow.js, which reading run logs does not need.
import * as fs from "fs";
import * as path from "path";
import { writeFolderAtomically } from "../files";
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
  /** Files (vocab.json, settings.json) to write beside the model in both folders, with it. */
  writeFiles(files: Record<string, string>): void;
  /** Saves `model` as the best so far in both folders, with the history so far and `metrics` in `out`. */
  saveBest(model: tf.LayersModel, metrics: object): Promise<void>;
  /** Copies the run's history.csv and writes `metrics` to `out` (at the end of a run). */
  finish(metrics: object): void;
}

/**
 * Returns the output folders of a run in runDir, and `out` when given. Each folder is written as one unit at every new
 * best (the model with its files, and in `out` the history and metrics so far): it holds one model and the files that
 * go with it, never the model of one step beside the vocabulary or metrics of another.
 */
export function modelOutput(runDir: string, out?: string): ModelOutput {
  const bestDir = path.join(runDir, "model");
  const files: Record<string, string> = {};
  const json = (value: object) => JSON.stringify(value, null, 2) + "\n";
  const progress = (metrics: object) => {
    const history = path.join(runDir, "history.csv");
    return { ...(fs.existsSync(history) ? { "history.csv": fs.readFileSync(history, "utf8") } : {}), "metrics.json": json(metrics) };
  };
  return {
    bestDir,
    writeFiles(more) {
      // Written with the first model: until then the folders hold no model these files would describe.
      Object.assign(files, more);
    },
    async saveBest(model, metrics) {
      await saveModel(model, bestDir, files);
      if (out !== undefined) await saveModel(model, out, { ...files, ...progress(metrics) });
    },
    finish(metrics) {
      if (out !== undefined) writeFolderAtomically(out, progress(metrics));
    },
  };
}
