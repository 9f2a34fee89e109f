// Lesson 2's shipped model (datasets/pretrained/mnist-lstm/) and the shipped logs of the cell comparison.
import * as fs from "fs";
import * as path from "path";
import { pretrainedDir as coursePretrainedDir, processMemo } from "../course";
import { parseHistory } from "../runs/history-csv";
import type { HistoryRow } from "../runs/index";
import type { tf } from "../tf/backend";
import { loadModelFolder } from "../tf/models";
import { cellTypes } from "./model";
import type { CellType } from "./model";

/** Where the shipped model lives. */
export const pretrainedDir = coursePretrainedDir("mnist-lstm");

/** The shipped model with its settings (settings.json), final metrics (metrics.json) and training log (history.csv). */
export interface Pretrained {
  model: tf.LayersModel;
  settings: Record<string, unknown>;
  metrics: Record<string, number | string | boolean>;
  history: HistoryRow[];
  dir: string;
}

/** Loads the shipped model once per process (re-running a cell returns the same model, no new tensors). */
export function loadPretrained(dir = pretrainedDir): Promise<Pretrained> {
  const cache = processMemo("mnistPretrained", () => new Map<string, Promise<Pretrained>>());
  const key = path.resolve(dir);
  if (!cache.has(key)) {
    const read = (name: string) => {
      const file = path.join(key, name);
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    };
    const history = parseHistory(read("history.csv") ?? "", path.join(key, "history.csv")).rows;
    const metrics = JSON.parse(read("metrics.json") ?? "{}");
    const loading = loadModelFolder(key, { vocab: false }).then(({ model, settings: record }) => {
      const settings = (record.settings ?? record) as Record<string, unknown>; // a run's settings.json nests the settings in its record
      return { model, settings, metrics, history, dir: key };
    });
    loading.catch(() => cache.delete(key));
    cache.set(key, loading);
  }
  return cache.get(key)!;
}

/**
 * Returns the shipped training logs of the cell comparison (dir/compare/<cell>.csv: SimpleRNN, GRU and LSTM, 8
 * epochs each with the same settings), each as its history rows.
 */
export function comparisonRuns(dir = pretrainedDir): Array<{ cell: CellType; history: HistoryRow[] }> {
  return cellTypes.slice().reverse().map((cell) => {
    const file = path.join(dir, "compare", `${cell}.csv`);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: it ships with the course (datasets/pretrained/mnist-lstm/compare/).`);
    return { cell, history: parseHistory(fs.readFileSync(file, "utf8"), file).rows };
  });
}
