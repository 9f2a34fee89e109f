// Lessons as text: `notebooks/lessons/NN-slug.md` is the one source of both notebook editions.
// Prose is Markdown; each ```ts fence is a code cell, whose info string may carry metadata:
//   ```ts {graded: "clip", points: 2}   the exercise cell: its solution stands between
//                                        // BEGIN SOLUTION and // END SOLUTION
//   ```ts {check: "clip"}                the visible check cell under it
//   ```ts {hidden: "clip"}               hidden tests: in neither edition; `npm run grade` adds them
//   ```ts {grading: "skip"}              a cell no check needs (long training, Play): `npm run grade` leaves it out
// The learner edition replaces each solution region with "// YOUR CODE HERE" and a line that throws
// "not implemented yet"; the solution edition keeps it (without the markers).
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../src/course";
import { kernelDisplayName, kernelName } from "./setup";

export const lessonsDir = path.join(repoRoot, "notebooks", "lessons");

export interface CellMeta {
  graded?: string;
  points?: number;
  check?: string;
  hidden?: string;
  grading?: "skip";
}

export interface LessonCell {
  kind: "markdown" | "code";
  source: string;
  meta: CellMeta;
  /** 1-based line of the cell's first line in the lesson source, for error messages. */
  line: number;
}

export interface Exercise {
  name: string;
  points: number;
  hiddenTests: string[];
}

export interface Lesson {
  slug: string;
  file: string;
  cells: LessonCell[];
  exercises: Exercise[];
}

export type Edition = "learner" | "solution";

const fenceOpen = /^```ts\s*(\{.*\})?\s*$/;

function parseMeta(text: string | undefined, where: string): CellMeta {
  if (!text) return {};
  try {
    // Allow unquoted keys, as in {graded: "clip", points: 2}.
    return JSON.parse(text.replace(/([{,]\s*)([A-Za-z_][\w-]*)\s*:/g, '$1"$2":'));
  } catch {
    throw new Error(`${where}: cannot read the cell metadata ${text} (write it as {graded: "name", points: 1})`);
  }
}

/** Reads a lesson source into cells and exercises; errors name the file and line. */
export function parseLesson(text: string, file: string): Lesson {
  const slug = path.basename(file, ".md");
  const cells: LessonCell[] = [];
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let markdown: string[] = [];
  let markdownLine = 1;
  let inProseFence = false; // inside a non-ts fence (```text …) that belongs to the prose
  const flushMarkdown = () => {
    const source = markdown.join("\n").trim();
    if (source) cells.push({ kind: "markdown", source, meta: {}, line: markdownLine });
    markdown = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const open = inProseFence ? null : fenceOpen.exec(lines[i]);
    if (!open) {
      if (lines[i].startsWith("```")) inProseFence = !inProseFence;
      // Each heading starts a new Markdown cell, so a long lesson is not one giant cell.
      if (!inProseFence && /^#{1,6} /.test(lines[i])) flushMarkdown();
      if (markdown.length === 0) markdownLine = i + 1;
      markdown.push(lines[i]);
      continue;
    }
    flushMarkdown();
    const start = i;
    const meta = parseMeta(open[1], `${file}:${i + 1}`);
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: the code fence opened here is never closed`);
    cells.push({ kind: "code", source: body.join("\n"), meta, line: start + 1 });
    markdownLine = i + 2;
  }
  flushMarkdown();
  return { slug, file, cells, exercises: collectExercises(cells, file) };
}

function collectExercises(cells: LessonCell[], file: string): Exercise[] {
  const exercises = new Map<string, Exercise>();
  for (const cell of cells) {
    if (cell.meta.graded) {
      if (exercises.has(cell.meta.graded)) throw new Error(`${file}:${cell.line}: exercise "${cell.meta.graded}" is graded twice`);
      exercises.set(cell.meta.graded, { name: cell.meta.graded, points: cell.meta.points ?? 1, hiddenTests: [] });
      solutionRegion(cell, "learner", file); // validates the markers
    }
  }
  for (const cell of cells) {
    const name = cell.meta.check ?? cell.meta.hidden;
    if (name && !exercises.has(name)) throw new Error(`${file}:${cell.line}: "${name}" is not a graded exercise of this lesson`);
    if (cell.meta.hidden) exercises.get(cell.meta.hidden)!.hiddenTests.push(cell.source);
  }
  return [...exercises.values()];
}

/** The graded cell's code for an edition: the solution region kept, or replaced by the stub. */
function solutionRegion(cell: LessonCell, edition: Edition, file: string): string {
  const out: string[] = [];
  let regionStart = -1;
  cell.source.split("\n").forEach((line, k) => {
    const where = `${file}:${cell.line + 1 + k}`;
    if (line.includes("BEGIN SOLUTION")) {
      if (regionStart >= 0) throw new Error(`${where}: BEGIN SOLUTION inside another solution region`);
      regionStart = k;
      if (edition === "learner") {
        const indent = /^\s*/.exec(line)![0];
        out.push(`${indent}// YOUR CODE HERE`, `${indent}throw notImplemented(${JSON.stringify(cell.meta.graded)});`);
      }
    } else if (line.includes("END SOLUTION")) {
      if (regionStart < 0) throw new Error(`${where}: END SOLUTION without a BEGIN SOLUTION`);
      regionStart = -1;
    } else if (regionStart < 0 || edition === "solution") {
      out.push(line);
    }
  });
  if (regionStart >= 0) throw new Error(`${file}:${cell.line + 1 + regionStart}: BEGIN SOLUTION is never ended`);
  if (!cell.source.includes("BEGIN SOLUTION")) throw new Error(`${file}:${cell.line}: graded cell has no BEGIN SOLUTION region`);
  return out.join("\n");
}

/** Jupyter's cell source form: a list of lines, each but the last ending in "\n". */
function sourceLines(source: string): string[] {
  return source.split("\n").map((line, i, all) => (i < all.length - 1 ? line + "\n" : line));
}

export function notebookMetadata(slug: string, edition: Edition) {
  return {
    kernelspec: { display_name: kernelDisplayName, language: "typescript", name: kernelName },
    language_info: {
      codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
      file_extension: ".ts",
      mimetype: "text/typescript",
      name: "typescript",
      version: "5.0.4",
    },
    rnn_lessons: { lesson: slug, edition, source: `notebooks/lessons/${slug}.md` } as { lesson: string; edition: Edition; source: string; built?: string },
  };
}

/** Builds one edition as an nbformat 4.5 notebook object: no outputs, stable cell ids. */
export function buildNotebook(lesson: Lesson, edition: Edition) {
  const cells = lesson.cells
    .filter((cell) => !cell.meta.hidden)
    .map((cell, index) => {
      const n = String(index + 1).padStart(2, "0");
      if (cell.kind === "markdown") {
        return { cell_type: "markdown", id: `c${n}-text`, metadata: {}, source: sourceLines(cell.source) };
      }
      const exercise = cell.meta.graded ?? cell.meta.check;
      const role = cell.meta.graded ? "solution" : cell.meta.check ? "check" : undefined;
      const metadata: Record<string, unknown> = {};
      if (exercise) metadata.rnn_lessons = { exercise, role, ...(cell.meta.graded ? { points: cell.meta.points ?? 1 } : {}) };
      if (cell.meta.grading) {
        if (exercise) throw new Error(`${lesson.file}:${cell.line}: an exercise's cell cannot be left out of grading`);
        if (cell.meta.grading !== "skip") throw new Error(`${lesson.file}:${cell.line}: grading: "${cell.meta.grading}" is not known (write {grading: "skip"})`);
        metadata.rnn_lessons = { grading: "skip" };
      }
      if (role === "check") Object.assign(metadata, { deletable: false, editable: false });
      const source = cell.meta.graded ? solutionRegion(cell, edition, lesson.file) : cell.source;
      return {
        cell_type: "code",
        execution_count: null,
        id: `c${n}-${exercise ? `${exercise}-${role}` : "code"}`,
        metadata,
        outputs: [],
        source: sourceLines(source),
      };
    });
  return { cells, metadata: notebookMetadata(lesson.slug, edition), nbformat: 4, nbformat_minor: 5 };
}

/** JSON the way Jupyter writes notebooks: keys sorted, one-space indent, a final newline. */
export function notebookJson(notebook: unknown): string {
  const sortKeys = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(sortKeys)
    : value && typeof value === "object"
      ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]))
      : value;
  return JSON.stringify(sortKeys(notebook), null, 1) + "\n";
}

export function editionPath(slug: string, edition: Edition): string {
  return edition === "learner"
    ? path.join(repoRoot, "notebooks", `${slug}.ipynb`)
    : path.join(repoRoot, "notebooks", "solutions", `${slug}.ipynb`);
}

/** Every lesson source, sorted by number. */
export function lessonFiles(): string[] {
  return fs.readdirSync(lessonsDir).filter((f) => /^\d\d-[\w-]+\.md$/.test(f)).sort().map((f) => path.join(lessonsDir, f));
}

export function loadLesson(slug: string): Lesson {
  const file = path.join(lessonsDir, `${slug}.md`);
  if (!fs.existsSync(file)) {
    const known = lessonFiles().map((f) => path.basename(f, ".md")).join(", ");
    throw new Error(`no lesson "${slug}": expected ${path.relative(repoRoot, file)} (lessons: ${known})`);
  }
  return parseLesson(fs.readFileSync(file, "utf8"), path.relative(repoRoot, file));
}

/** Returns the fingerprint of a notebook's contents, its own `built` field left out. */
function fingerprint(notebook: { metadata?: { rnn_lessons?: Record<string, unknown> } }): string {
  const copy = JSON.parse(JSON.stringify(notebook));
  if (copy.metadata?.rnn_lessons) delete copy.metadata.rnn_lessons.built;
  return createHash("sha256").update(notebookJson(copy)).digest("hex").slice(0, 16);
}

/** The edition's notebook text, with the fingerprint of what was built in its metadata. */
function editionText(lesson: Lesson, edition: Edition): string {
  const notebook = buildNotebook(lesson, edition);
  notebook.metadata.rnn_lessons.built = fingerprint(notebook);
  return notebookJson(notebook);
}

/**
 * True when the notebook file is exactly as `npm run lessons` wrote it: its contents still match the fingerprint in
 * its metadata. Once a learner edits or runs it and saves, it is theirs, and no rebuild may overwrite it.
 */
export function untouched(file: string): boolean {
  try {
    const notebook = JSON.parse(fs.readFileSync(file, "utf8"));
    return notebook.metadata?.rnn_lessons?.built === fingerprint(notebook);
  } catch {
    return false; // unreadable: not ours to overwrite either
  }
}

/** Where a learner's edited notebook is kept before a rebuild writes a fresh edition: notebooks/kept/<name>.<time>.ipynb. */
export function keptCopyPath(target: string, when = new Date()): string {
  const edition = path.basename(path.dirname(target)) === "solutions" ? "solutions-" : "";
  const stamp = when.toISOString().replace(/:/g, "-").replace(/\.\d+Z$/, "");
  return path.join(repoRoot, "notebooks", "kept", `${edition}${path.basename(target, ".ipynb")}.${stamp}.ipynb`);
}

/** What a build did to one notebook file. */
export interface BuildChange {
  /** The notebook, relative to the repository root. */
  file: string;
  /** Where the learner's edited copy was moved first, when it had been edited (relative). */
  kept?: string;
}

/**
 * Writes both editions of every lesson that differ from their source. A notebook a learner has edited is moved
 * to notebooks/kept/ first, never overwritten. `check`: writes nothing. `onlyUntouched`: rebuilds only notebooks
 * nobody has edited (what npm start does after a course update). Returns the stale notebooks.
 */
export function buildLessons(options: { check?: boolean; onlyUntouched?: boolean } = {}): BuildChange[] {
  const changes: BuildChange[] = [];
  for (const file of lessonFiles()) {
    const lesson = loadLesson(path.basename(file, ".md"));
    for (const edition of ["learner", "solution"] as const) {
      const target = editionPath(lesson.slug, edition);
      const text = editionText(lesson, edition);
      const exists = fs.existsSync(target);
      if (exists && fs.readFileSync(target, "utf8") === text) continue;
      const edited = exists && !untouched(target);
      if (edited && options.onlyUntouched) continue;
      const change: BuildChange = { file: path.relative(repoRoot, target) };
      if (!options.check) {
        if (edited) {
          const kept = keptCopyPath(target);
          fs.mkdirSync(path.dirname(kept), { recursive: true });
          fs.renameSync(target, kept);
          change.kept = path.relative(repoRoot, kept);
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
      }
      changes.push(change);
    }
  }
  return changes;
}
