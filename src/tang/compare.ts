// The runs behind the shipped recipe's choice, shipped beside the model in datasets/pretrained/tang-lstm/compare/:
// one folder per run with its settings.json, history.csv and metrics.json (whose quality holds the 100 free poems
// it wrote), and for the model shipped before, its weights too (it can still write). Lesson 5 draws their curves
// and measures their poems with the same rule as the real ones'.
import * as fs from "fs";
import * as path from "path";
import { pretrainedDir } from "../course";
import { readHistory } from "../runs/index";
import type { HistoryRow } from "../runs/index";
import type { RecipeMetrics } from "./recipe";

/** A shipped run of the comparison. */
export interface ComparedRun {
  /** Its folder's name in compare/, which says what it tried. */
  name: string;
  /** Its folder. */
  dir: string;
  history: HistoryRow[];
  metrics: RecipeMetrics;
}

/** Returns the shipped runs of the comparison (every folder of `dir`/compare/ with a metrics.json), oldest first. */
export function comparisonRuns(dir = pretrainedDir("tang-lstm")): ComparedRun[] {
  const compare = path.join(dir, "compare");
  if (!fs.existsSync(compare)) throw new Error(`${compare} is missing: it ships with the course (datasets/pretrained/tang-lstm/compare/).`);
  return fs
    .readdirSync(compare)
    .filter((name) => fs.existsSync(path.join(compare, name, "metrics.json")))
    .map((name) => {
      const folder = path.join(compare, name);
      const metrics = JSON.parse(fs.readFileSync(path.join(folder, "metrics.json"), "utf8")) as RecipeMetrics;
      return { name, dir: folder, history: readHistory(path.join(folder, "history.csv")), metrics };
    })
    .sort((a, b) => a.metrics.date.localeCompare(b.metrics.date));
}
