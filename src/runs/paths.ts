// Where run logs live on disk, and which lesson names and run ids are safe folder names.
import * as path from "path";
import { runsRoot } from "../course";

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
