// `npm run grade NOTEBOOK`: runs a copy of the learner's notebook in the course kernel with each
// exercise's hidden tests added under its check cell, and scores every exercise from the checks' own
// results (not from stderr, where tfjs may warn). The learner's file is only read.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as Papa from "papaparse";
import { lessonsDir, loadLesson, notebookMetadata, Exercise } from "./lessons";
import type { CheckResult } from "../src/check/check";
import { gradeLogVariable } from "../src/check/check";
import { env } from "../src/course";
import { errorText, executeNotebook, Notebook, NotebookCell, timedOut } from "./execute";

export interface ExerciseGrade {
  exercise: string;
  points: number;
  maxPoints: number;
  result: "passed" | "failed" | "not implemented" | "did not run" | "timed out";
  message: string;
}

export interface GradeReport {
  notebook: string;
  lesson: string;
  /** False in a students' release, which has no hidden tests: only the visible checks ran. */
  hiddenTests?: boolean;
  gradedAt: string;
  score: number;
  maxScore: number;
  exercises: ExerciseGrade[];
  /** Cells that showed an error, with the first line of it: where to look when a check did not run. */
  cellErrors: Array<{ cell: number; error: string }>;
  executed?: Notebook;
}

const roleOf = (cell: NotebookCell) => cell.metadata?.rnn_lessons as { exercise?: string; role?: string; grading?: string; points?: number } | undefined;

/**
 * The notebook to execute: the learner's cells up to the last exercise's, outputs cleared, hidden tests after each
 * check cell, without the cells the lesson leaves out of grading.
 */
export function withHiddenTests(notebook: Notebook, lessonSlug: string, exercises: Exercise[], everyCell = false): Notebook {
  // A cell the lesson marks {grading: "skip"} (long training, Play) feeds no check: it is left out.
  const cells: NotebookCell[] = notebook.cells
    .filter((cell) => everyCell || roleOf(cell)?.grading !== "skip")
    .map((cell) => (cell.cell_type === "code" ? { ...cell, outputs: [], execution_count: null } : { ...cell }));
  for (const exercise of exercises) {
    const roles = cells.map(roleOf);
    const anchor = (role: string) => roles.map((r) => r?.exercise === exercise.name && r.role === role).lastIndexOf(true);
    const at = [anchor("check"), anchor("solution")].find((i) => i >= 0) ?? cells.length - 1;
    const hidden = exercise.hiddenTests.map((source, k) => ({
      cell_type: "code",
      id: `hidden-${exercise.name}-${k + 1}`.slice(0, 64),
      execution_count: null,
      metadata: { rnn_lessons: { exercise: exercise.name, role: "hidden" } },
      outputs: [],
      source,
    }));
    cells.splice(at + 1, 0, ...hidden);
  }
  // The cells after the last exercise's cells cannot change a score: they are not run.
  const last = Math.max(...cells.map((cell, i) => (roleOf(cell)?.exercise ? i : -1)));
  if (last >= 0 && !everyCell) cells.splice(last + 1);
  const metadata = { ...notebook.metadata, kernelspec: notebookMetadata(lessonSlug, "learner").kernelspec };
  return { ...notebook, cells, metadata };
}

/** The cells of an exercise: its solution, its check and its hidden tests. */
const cellsOf = (cells: NotebookCell[], name: string) => cells.filter((c) => roleOf(c)?.exercise === name);

function gradeExercise(exercise: Exercise, results: CheckResult[], executed: Notebook): ExerciseGrade {
  const mine = results.filter((r) => r.exercise === exercise.name);
  const base = { exercise: exercise.name, maxPoints: exercise.points, points: 0 };
  const own = cellsOf(executed.cells, exercise.name);
  const stopped = own.map(timedOut).find((s) => s !== undefined);
  if (stopped !== undefined) return { ...base, result: "timed out", message: `timed out after ${stopped} s` };
  const expectedChecks = own.filter((c) => roleOf(c)!.role === "check" || roleOf(c)!.role === "hidden");
  const failing = mine.find((r) => r.status !== "passed");
  if (failing?.status === "not-implemented") return { ...base, result: "not implemented", message: "not implemented yet" };
  if (failing) return { ...base, result: "failed", message: `${failing.hidden ? "hidden tests: " : ""}${failing.message}` };
  if (expectedChecks.length === 0 || mine.length < expectedChecks.length) {
    // A check cell that did not run: usually a type error in the exercise cell or the check itself.
    const silent = own.find((c) => errorText(c));
    const why = silent ? firstLine(errorText(silent)) : "its check cell is missing or was not run";
    return { ...base, result: "did not run", message: `the check did not run: ${why}` };
  }
  return { ...base, points: exercise.points, result: "passed", message: `${mine.length} check cells passed` };
}

const firstLine = (text: string) => text.split("\n").map((l) => l.trim()).find((l) => l.length > 0) ?? "";

/** Reads a notebook file, or throws one sentence saying why it cannot be graded. */
export function readNotebook(file: string): Notebook {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: give the path of a lesson notebook, e.g. notebooks/00-welcome.ipynb.`);
  if (fs.statSync(file).isDirectory()) {
    throw new Error(`${file} is a folder: give one notebook file in it, e.g. ${path.join(file, "00-welcome.ipynb")}, or grade every notebook in it with --gradebook FILE.`);
  }
  if (!file.endsWith(".ipynb")) throw new Error(`${file} is not a notebook: npm run grade takes a lesson's .ipynb file, e.g. notebooks/00-welcome.ipynb.`);
  let notebook: Notebook;
  try {
    notebook = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not a notebook (JSON): ${(err as Error).message}`);
  }
  if (!Array.isArray(notebook?.cells)) throw new Error(`${file} is not a Jupyter notebook: its JSON has no list of "cells".`);
  return notebook;
}

const noHiddenTests = "(This copy of the course is a students' release: it has no hidden tests, so only the visible checks were run; your teacher's grade runs both.)";

/**
 * The exercises to grade with their hidden tests, from the lesson's source; in a students' release, which has no
 * lesson sources (npm run release), from the notebook's own cells (their names and points), without hidden tests.
 */
function exercisesOf(slug: string, notebook: Notebook): { exercises: Exercise[]; hiddenTests: boolean } {
  if (fs.existsSync(path.join(lessonsDir, `${slug}.md`))) return { exercises: loadLesson(slug).exercises, hiddenTests: true };
  const exercises = notebook.cells.map(roleOf)
    .filter((r) => r?.role === "solution" && r.exercise !== undefined)
    .map((r) => ({ name: r!.exercise!, points: r!.points ?? 1, hiddenTests: [] }));
  return { exercises, hiddenTests: false };
}

/**
 * Roughly how long grading a lesson takes, in seconds: measured here on 2 busy cores, the solution edition, under
 * the quick settings the grader uses (one more reason to keep every lesson's quick settings short).
 */
const gradingSeconds: Record<string, number> = {
  "00-welcome": 20, "01-rnn-lstm-theory": 20, "02-mnist-sequence": 25, "03-dinosaur-names": 20, "04-shakespeare": 40, "05-tang-poems": 50,
};

const roughly = (seconds: number) => (seconds < 50 ? `${Math.max(10, Math.round(seconds / 10) * 10)} seconds` : `${Math.max(1, Math.round(seconds / 60))} minute${seconds >= 90 ? "s" : ""}`);

/**
 * Grades a learner's notebook; `reportFile` (JSON) is written when given. The kernel runs under the quick settings
 * (RNN_LESSONS_QUICK=1): the checks do not depend on them, and long training and "Play" cells become short.
 * `onProgress` hears one line before the start (how long it will take) and one per exercise as it is graded.
 * `everyCell` runs the whole notebook, skipped cells and the cells after the last exercise too (the tests of a lesson).
 */
export async function gradeNotebook(
  notebookFile: string,
  options: { reportFile?: string; env?: Record<string, string>; timeoutSeconds?: number; keepExecuted?: boolean; onProgress?: (line: string) => void; everyCell?: boolean } = {},
): Promise<GradeReport> {
  const notebook = readNotebook(notebookFile);
  const slug = notebook.metadata?.rnn_lessons?.lesson ?? path.basename(notebookFile, ".ipynb");
  const lesson = exercisesOf(slug, notebook);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-grade-"));
  try {
    const copy = path.join(work, path.basename(notebookFile));
    const log = path.join(work, "checks.jsonl");
    const prepared = withHiddenTests(notebook, slug, lesson.exercises, options.everyCell);
    fs.writeFileSync(copy, JSON.stringify(prepared));
    fs.writeFileSync(log, "");
    const readResults = (): CheckResult[] => fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const started = Date.now();
    const count = lesson.exercises.length;
    options.onProgress?.(`grading ${path.basename(notebookFile)}: ${count} exercise${count === 1 ? "" : "s"}, about ${roughly(gradingSeconds[slug] ?? 60)}`);
    // An exercise is graded once the last of its cells has run; the cells are marked as they finish.
    const lastCell = new Map(lesson.exercises.map((e) => [Math.max(...cellsOf(prepared.cells, e.name).map((c) => prepared.cells.indexOf(c))), e]));
    const onCell = (index: number, timedOutAfter?: number) => {
      if (timedOutAfter !== undefined) prepared.cells[index].metadata = { ...prepared.cells[index].metadata, rnn_lessons: { ...roleOf(prepared.cells[index]), timed_out: timedOutAfter } };
      const exercise = lastCell.get(index);
      if (!exercise || !options.onProgress) return;
      const grade = gradeExercise(exercise, readResults(), prepared);
      const n = lesson.exercises.indexOf(exercise) + 1;
      const why = grade.result === "passed" || grade.result === "not implemented" ? "" : `: ${grade.message.length > 60 ? grade.message.slice(0, 59) + "…" : grade.message}`;
      options.onProgress(`  ${n}/${count} ${exercise.name}: ${grade.points}/${grade.maxPoints} ${grade.result}${why} (${Math.round((Date.now() - started) / 1000)} s)`);
    };
    // The graded copy logs its runs in the scratch folder: the learner's runs/ stay as they were.
    const runs = path.join(work, "runs");
    const executed = await executeNotebook(copy, path.join(work, "executed.ipynb"), {
      env: { [env.runs]: runs, [env.quick]: "1", ...options.env, [gradeLogVariable]: log },
      timeoutSeconds: options.timeoutSeconds,
      onCell,
      label: notebookFile,
    });
    const results = readResults();
    const exercises = lesson.exercises.map((exercise) => gradeExercise(exercise, results, executed));
    const cellErrors = executed.cells
      .map((cell, index) => ({ cell: index + 1, error: timedOut(cell) !== undefined ? `timed out after ${timedOut(cell)} s` : firstLine(errorText(cell)) }))
      .filter((e) => e.error);
    if (!lesson.hiddenTests) options.onProgress?.(noHiddenTests);
    const report: GradeReport = {
      notebook: notebookFile,
      lesson: slug,
      hiddenTests: lesson.hiddenTests,
      gradedAt: new Date().toISOString(),
      score: exercises.reduce((s, e) => s + e.points, 0),
      maxScore: exercises.reduce((s, e) => s + e.maxPoints, 0),
      exercises,
      cellErrors,
    };
    if (options.reportFile) {
      fs.mkdirSync(path.dirname(options.reportFile), { recursive: true });
      fs.writeFileSync(options.reportFile, JSON.stringify(report, null, 2) + "\n");
    }
    return options.keepExecuted ? { ...report, executed } : report;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The score table the CLI prints, no wider than `width` (the terminal's): a message too long for its column is cut
 * there with "…" and printed whole under the table.
 */
export function formatReport(report: GradeReport, width = 100): string {
  const rows = report.exercises.map((e) => [e.exercise, `${e.points}/${e.maxPoints}`, e.result, e.message]);
  const header = ["exercise", "points", "result", "message"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const room = Math.max(header[3].length, width - widths.slice(0, 3).reduce((a, w) => a + w + 2, 0));
  widths[3] = Math.min(widths[3], room);
  const fit = (text: string) => (text.length <= room ? text : text.slice(0, room - 1) + "…");
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : fit(c))).join("  ").trimEnd();
  const long = report.exercises.filter((e) => e.message.length > room).map((e) => `${e.exercise}: ${e.message}`);
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    ...(long.length ? ["", ...long] : []),
    "",
    `score: ${report.score}/${report.maxScore}  (${report.lesson})`,
    ...(report.hiddenTests === false ? [noHiddenTests] : []),
  ].join("\n");
}

/** One row of a class's gradebook: a learner's result on one exercise. */
export interface GradebookRow {
  learner: string;
  notebook: string;
  lesson: string;
  exercise: string;
  points: number;
  maxPoints: number;
  result: string;
  message: string;
}

/**
 * Grades every notebook under `folder` (a class's submissions), each alone in a fresh kernel and scratch folder, and
 * writes `gradebookFile` as CSV: one row per learner and exercise. The learner is the first folder under `folder`
 * (submissions/alice/03-dinosaur-names.ipynb → alice), or the file's name when it lies directly in `folder`.
 * A notebook that cannot be graded gets one row saying why. Returns the rows.
 */
export async function gradeClass(folder: string, gradebookFile: string, options: { env?: Record<string, string>; timeoutSeconds?: number; onNotebook?: (file: string) => void } = {}): Promise<GradebookRow[]> {
  const notebooks = (fs.readdirSync(folder, { recursive: true }) as string[])
    .filter((name) => name.endsWith(".ipynb") && !name.split(path.sep).includes(".ipynb_checkpoints"))
    .sort();
  if (notebooks.length === 0) throw new Error(`${folder} holds no notebook (.ipynb) to grade.`);
  const rows: GradebookRow[] = [];
  for (const name of notebooks) {
    const parts = name.split(path.sep);
    const learner = parts.length > 1 ? parts[0] : path.basename(name, ".ipynb");
    options.onNotebook?.(name);
    try {
      const report = await gradeNotebook(path.join(folder, name), { env: options.env, timeoutSeconds: options.timeoutSeconds });
      for (const e of report.exercises) {
        rows.push({ learner, notebook: name, lesson: report.lesson, exercise: e.exercise, points: e.points, maxPoints: e.maxPoints, result: e.result, message: e.message });
      }
    } catch (err) {
      rows.push({ learner, notebook: name, lesson: "", exercise: "", points: 0, maxPoints: 0, result: "could not grade", message: (err as Error).message });
    }
  }
  fs.mkdirSync(path.dirname(path.resolve(gradebookFile)), { recursive: true });
  fs.writeFileSync(gradebookFile, Papa.unparse(rows) + "\n");
  return rows;
}
