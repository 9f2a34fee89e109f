// Where run logs live on disk, which lesson names and run ids are safe folder names, and which folders a learner's
// command may write a model into (never the shipped models in datasets/pretrained/, never over a model unasked).
import * as fs from "fs";
import * as path from "path";
import { pretrainedDir, runsRoot } from "../course";

export { runsRoot };

// A lesson name or run id becomes one folder name: no separators, no "..", nothing hidden.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_NAME_LENGTH = 120;

/** Throws a learner-readable error unless `name` is a safe single folder name (letters, digits, ".", "_", "-"). */
export function checkName(kind: "lesson name" | "run id", name: unknown): string {
  if (typeof name !== "string") {
    throw new Error(`The ${kind} must be a string, but got ${typeof name} (${String(name)}).`);
  }
  if (!SAFE_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new Error(
      `The ${kind} ${JSON.stringify(name)} is not allowed: it becomes a folder under runs/, so use only ` +
        `letters, digits, ".", "_" and "-", start with a letter or digit, and keep it under ` +
        `${MAX_NAME_LENGTH} characters (for example "03-dinosaur-names").`,
    );
  }
  return name;
}

/** Returns the folder of one lesson's runs, after checking the lesson name. */
export function lessonDir(lesson: string): string {
  return path.join(runsRoot(), checkName("lesson name", lesson));
}

/** Returns the folder of one run, after checking the lesson name and the run id. */
export function runDir(lesson: string, id: string): string {
  return path.join(lessonDir(lesson), checkName("run id", id));
}

/** Returns `file` relative to the working directory when it lies inside it (shorter in notebook output), else absolute. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** Returns `file` with its symbolic links resolved, as far as it exists (the rest of the path as given). */
function realPath(file: string): string {
  const full = path.resolve(file);
  if (fs.existsSync(full)) return fs.realpathSync(full);
  const parent = path.dirname(full);
  return parent === full ? full : path.join(realPath(parent), path.basename(full));
}

/** True when `file` is datasets/pretrained/ or lies inside it: the course's shipped models, which no learner's command writes. */
export function insideShipped(file: string): boolean {
  const relative = path.relative(realPath(pretrainedDir("")), realPath(file));
  return !relative.startsWith("..") && !path.isAbsolute(relative);
}

/**
 * Returns the sentence that refuses `dir` as the folder a model is written to (named `flag` in the sentence: "--out"
 * in a terminal, "trainRecipe: out" in a notebook), or undefined when it may be written: never inside
 * datasets/pretrained/, even with `force`; not a folder that already holds a model (model.json) unless `force`.
 */
export function outFolderProblem(dir: string, flag: string, force: boolean): string | undefined {
  if (insideShipped(dir)) {
    return `${flag} ${displayPath(dir)} is inside ${displayPath(pretrainedDir(""))}, the course's shipped models, which no command writes into, even with --force: choose another folder, e.g. models/${path.basename(dir)}.`;
  }
  if (!force && fs.existsSync(path.join(dir, "model.json"))) {
    return `${flag} ${displayPath(dir)} already holds a model (model.json): choose another folder, or add --force to replace it.`;
  }
  return undefined;
}

/** Throws when a recipe's `out` lies inside datasets/pretrained/ (a notebook names its own folder, so a model there may be replaced). */
export function checkOutFolder(caller: string, out: string | undefined): void {
  const problem = out === undefined ? undefined : outFolderProblem(out, `${caller}: out`, true);
  if (problem !== undefined) throw new Error(problem);
}
