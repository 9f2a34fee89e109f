// `npm run release -- DIR`: the students' release of the course for a class (docs/TEACHING.md), nbgrader's
// source/release split. DIR gets what a student's kernel needs (the library, the data sets, the shipped models,
// node_modules, the learner editions of the notebooks) and none of the answers: no solution edition, no lesson
// source (its hidden tests and solutions), no tests. The teacher grades from their own copy, which has them.
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../src/course";

/** Paths (relative to the course, with "/") a release leaves out, and why. */
export const notReleased: Record<string, string> = {
  ".git": "the teacher's history",
  "notebooks/solutions": "the solution editions",
  "notebooks/lessons": "the lesson sources: their solutions and hidden tests",
  "notebooks/kept": "the teacher's edited notebooks",
  test: "the course's tests, which hold solutions",
  ".ci": "the course's CI",
  ".jupyter": "the teacher's Jupyter settings",
  runs: "the teacher's training runs",
  reports: "the teacher's grades",
  tmp: "scratch files",
};

/**
 * Writes the students' release of this checkout into `dir` (which must not exist yet, or be empty) and makes it
 * read-only for everyone (folders a+rx, files a+r): students read it, nobody writes it. Returns the files written.
 */
export function writeRelease(dir: string): number {
  const target = path.resolve(dir);
  if (target === repoRoot || target.startsWith(repoRoot + path.sep)) {
    throw new Error(`npm run release: ${dir} is inside the course (${repoRoot}); give a folder outside it, e.g. /opt/rnn-lessons.`);
  }
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new Error(`npm run release: ${dir} is not empty; give a new folder (a release is never written over another).`);
  }
  let files = 0;
  fs.cpSync(repoRoot, target, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => {
      const relative = path.relative(repoRoot, source).split(path.sep).join("/");
      if (relative in notReleased) return false;
      if (fs.lstatSync(source).isFile()) files++;
      return true;
    },
  });
  makeReadOnly(target);
  return files;
}

/** Every folder a+rx and u-w, every file a+r and a-w (executables stay executable): a tree no student can change. */
function makeReadOnly(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) makeReadOnly(file);
    else if (entry.isFile()) fs.chmodSync(file, (fs.statSync(file).mode & 0o111) | 0o444);
  }
  fs.chmodSync(dir, 0o555);
}
