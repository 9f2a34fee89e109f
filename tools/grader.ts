// `npm run grade NOTEBOOK`: runs a copy of the learner's notebook in the course kernel with each
// exercise's hidden tests added under its check cell, and scores every exercise from the checks' own
// results (not from stderr, where tfjs may warn). The learner's file is only read.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as Papa from "papaparse";
import { loadLesson, notebookMetadata, Exercise } from "./lessons";
import type { CheckResult } from "../src/check/check";
import { gradeLogVariable } from "../src/check/check";
import { env } from "../src/course";
import { errorText, executeNotebook, Notebook, NotebookCell } from "./execute";

export interface ExerciseGrade {
  exercise: string;
  points: number;
  maxPoints: number;
  result: "passed" | "failed" | "not implemented" | "did not run";
  message: string;
}

export interface GradeReport {
  notebook: string;
  lesson: string;
  gradedAt: string;
  score: number;
  maxScore: number;
  exercises: ExerciseGrade[];
  /** Cells that showed an error, with the first line of it: where to look when a check did not run. */
  cellErrors: Array<{ cell: number; error: string }>;
  executed?: Notebook;
}

const roleOf = (cell: NotebookCell) => cell.metadata?.rnn_lessons as { exercise?: string; role?: string } | undefined;

/** The notebook to execute: the learner's cells, outputs cleared, hidden tests after each check cell. */
export function withHiddenTests(notebook: Notebook, lessonSlug: string, exercises: Exercise[]): Notebook {
  const cells: NotebookCell[] = notebook.cells.map((cell) =>
    cell.cell_type === "code" ? { ...cell, outputs: [], execution_count: null } : { ...cell });
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
  const metadata = { ...notebook.metadata, kernelspec: notebookMetadata(lessonSlug, "learner").kernelspec };
  return { ...notebook, cells, metadata };
}

function gradeExercise(exercise: Exercise, results: CheckResult[], executed: Notebook): ExerciseGrade {
  const mine = results.filter((r) => r.exercise === exercise.name);
  const base = { exercise: exercise.name, maxPoints: exercise.points, points: 0 };
  const expectedChecks = executed.cells.filter((c) => {
    const r = roleOf(c);
    return r?.exercise === exercise.name && (r.role === "check" || r.role === "hidden");
  });
  const failing = mine.find((r) => r.status !== "passed");
  if (failing?.status === "not-implemented") return { ...base, result: "not implemented", message: "not implemented yet" };
  if (failing) return { ...base, result: "failed", message: `${failing.hidden ? "hidden tests: " : ""}${failing.message}` };
  if (expectedChecks.length === 0 || mine.length < expectedChecks.length) {
    // A check cell that did not run: usually a type error in the exercise cell or the check itself.
    const silent = executed.cells.find((c) => roleOf(c)?.exercise === exercise.name && errorText(c));
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
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not a notebook (JSON): ${(err as Error).message}`);
  }
}

/** Grades a learner's notebook; `reportFile` (JSON) is written when given. */
export async function gradeNotebook(
  notebookFile: string,
  options: { reportFile?: string; env?: Record<string, string>; timeoutSeconds?: number; keepExecuted?: boolean } = {},
): Promise<GradeReport> {
  const notebook = readNotebook(notebookFile);
  const slug = notebook.metadata?.rnn_lessons?.lesson ?? path.basename(notebookFile, ".ipynb");
  const lesson = loadLesson(slug);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-grade-"));
  try {
    const copy = path.join(work, path.basename(notebookFile));
    const log = path.join(work, "checks.jsonl");
    fs.writeFileSync(copy, JSON.stringify(withHiddenTests(notebook, slug, lesson.exercises)));
    fs.writeFileSync(log, "");
    // The graded copy logs its runs in the scratch folder: the learner's runs/ stay as they were.
    const runs = path.join(work, "runs");
    const executed = await executeNotebook(copy, path.join(work, "executed.ipynb"), {
      env: { [env.runs]: runs, ...options.env, [gradeLogVariable]: log },
      timeoutSeconds: options.timeoutSeconds,
    });
    const results: CheckResult[] = fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const exercises = lesson.exercises.map((exercise) => gradeExercise(exercise, results, executed));
    const cellErrors = executed.cells
      .map((cell, index) => ({ cell: index + 1, error: firstLine(errorText(cell)) }))
      .filter((e) => e.error);
    const report: GradeReport = {
      notebook: notebookFile,
      lesson: slug,
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

/** The score table the CLI prints. */
export function formatReport(report: GradeReport): string {
  const rows = report.exercises.map((e) => [e.exercise, `${e.points}/${e.maxPoints}`, e.result, e.message]);
  const header = ["exercise", "points", "result", "message"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join("  ");
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    "",
    `score: ${report.score}/${report.maxScore}  (${report.lesson})`,
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
