// Starting a run and logging its steps: settings.json at once, then history.csv one appended line per step.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { csvLines, formatNumber } from "./history-csv";
import { checkName, displayPath, lessonDir } from "./paths";
import { recordFile, RunRecord, writeRecord } from "./run-record";
import { describe } from "../describe";
import { checkSettings, Settings, SettingValue } from "./settings";
import { throwIfInterrupted } from "../interrupt";

/** Options of startRun: `id` names the run yourself instead of by its start time. */
export interface StartRunOptions {
  id?: string;
}

/** Returns a sortable, readable id from a start time: 2026-11-22T04-50-12-345Z. */
export function timestampId(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}

// Runs started in the same millisecond get -01, -02, ...: still sorted by start, still readable.
const MAX_SAME_MILLISECOND = 99;

/** Creates the run folder atomically (mkdir fails if it exists, even when another process races us); returns its id. */
function createRunDir(lesson: string, startedAt: Date, id: string | undefined): string {
  const parent = lessonDir(lesson);
  fs.mkdirSync(parent, { recursive: true });
  if (id !== undefined) {
    try {
      fs.mkdirSync(path.join(parent, id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      throw new Error(
        `A run "${id}" of lesson "${lesson}" already exists (${displayPath(path.join(parent, id))}): ` +
          `choose another id, or leave out the id to name the run by its start time.`,
      );
    }
    return id;
  }
  const base = timestampId(startedAt);
  for (let n = 0; n <= MAX_SAME_MILLISECOND; n++) {
    const candidate = n === 0 ? base : `${base}-${String(n).padStart(2, "0")}`;
    try {
      fs.mkdirSync(path.join(parent, candidate));
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  throw new Error(`More than ${MAX_SAME_MILLISECOND + 1} runs of lesson "${lesson}" started at ${base}: pass an id.`);
}

/** A training run being logged: `log` one row per step, then `finish`. */
export class Run {
  /** The run's folder, holding settings.json and history.csv. */
  readonly dir: string;
  private fixedColumns: string[] = [];
  private record: RunRecord;
  private readonly historyFile: string;

  constructor(dir: string, record: RunRecord) {
    this.dir = dir;
    this.record = record;
    this.historyFile = path.join(dir, "history.csv");
  }

  /** The run id (its folder name). */
  get id(): string {
    return this.record.id;
  }

  /** The lesson the run belongs to. */
  get lesson(): string {
    return this.record.lesson;
  }

  /** The columns of history.csv, fixed by the first logged row; empty before it. */
  get columns(): string[] {
    return [...this.fixedColumns];
  }

  /** The settings the run was started with. */
  get settings(): Settings {
    return { ...this.record.settings };
  }

  /** Appends one row (e.g. `{ step: 100, loss: 2.31 }`) to history.csv; the first row fixes the columns. */
  log(row: Record<string, number>): void {
    if (this.record.status === "finished") {
      throw new Error(`Run "${this.id}" is finished, so it takes no more rows: start a new run with startRun().`);
    }
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new Error(`run.log takes an object such as { step: 1, loss: 2.3 }, but got ${describe(row)}.`);
    }
    const names = Object.keys(row);
    const first = this.fixedColumns.length === 0;
    const columns = first ? checkColumns(names) : this.fixedColumns;
    if (!first) checkSameColumns(columns, names, this.id);
    const cells = columns.map((column) => {
      const value: unknown = row[column];
      if (typeof value !== "number") {
        const hint = typeof value === "object" && value !== null ? " (for a tensor, log `(await t.data())[0]`)" : "";
        throw new Error(`run.log: column "${column}" is ${describe(value)}, but every value must be a number${hint}.`);
      }
      return formatNumber(value);
    });
    // One append per row, header and first row together: a crash keeps whole lines, or cuts only the last one.
    const text = csvLines(first ? [columns, cells] : [cells]);
    try {
      fs.appendFileSync(this.historyFile, text);
    } catch (error) {
      throw new Error(`Cannot append to ${displayPath(this.historyFile)}: ${(error as Error).message}`);
    }
    this.fixedColumns = columns;
  }

  /**
   * Removes the run's folder when it has logged no row, and returns whether it did: a run that failed before its first
   * row (a checkpoint that does not load, a model of other sizes) leaves no empty folder for listRuns and plots to show.
   */
  discardIfEmpty(): boolean {
    if (this.fixedColumns.length > 0 || fs.existsSync(this.historyFile)) return false;
    fs.rmSync(this.dir, { recursive: true, force: true });
    return true;
  }

  /** Marks the run finished (finishedAt, status "finished") and keeps an optional summary such as the final loss. */
  finish(summary?: Record<string, SettingValue>): void {
    if (this.record.status === "finished") {
      throw new Error(`Run "${this.id}" was already finished at ${this.record.finishedAt}.`);
    }
    const checkedSummary = summary === undefined ? null : checkSettings("run.finish summary", summary);
    this.record = {
      ...this.record,
      finishedAt: new Date().toISOString(),
      status: "finished",
      summary: checkedSummary,
    };
    writeRecord(this.dir, this.record);
  }
}

/** Returns the column names of a first row, after checking they can be written as one CSV header line. */
function checkColumns(names: string[]): string[] {
  if (names.length === 0) {
    throw new Error("run.log needs at least one column, for example run.log({ step: 1, loss: 2.3 }).");
  }
  for (const name of names) {
    if (name === "" || /[\r\n]/.test(name)) {
      throw new Error(`run.log: the column name ${JSON.stringify(name)} is empty or holds a line break; use a plain name.`);
    }
  }
  return names;
}

/** Throws an error naming the first column that is new or missing compared with the run's header. */
function checkSameColumns(columns: string[], names: string[], id: string): void {
  const fixed = `run "${id}" logs the columns ${columns.join(", ")} (fixed by its first row)`;
  const known = new Set(columns);
  const added = names.find((name) => !known.has(name));
  if (added !== undefined) {
    throw new Error(
      `run.log: column "${added}" is new, but ${fixed}. Log every column from the first row on ` +
        `(NaN for a value not known yet), or start a new run.`,
    );
  }
  const given = new Set(names);
  const missing = columns.find((column) => !given.has(column));
  if (missing !== undefined) {
    throw new Error(`run.log: column "${missing}" is missing from this row, but ${fixed}. Give it a value (NaN if unknown).`);
  }
}

/** Starts a run of `lesson`: creates runs/<lesson>/<id>/, writes settings.json at once, and returns the Run to log into. */
export function startRun(lesson: string, settings: Settings, opts: StartRunOptions = {}): Run {
  // Check everything before creating any folder.
  throwIfInterrupted(); // one ■ ends a cell that starts several runs: the current one stops, no new one starts
  checkName("lesson name", lesson);
  if (opts?.id !== undefined) checkName("run id", opts.id);
  const checkedSettings = checkSettings("startRun settings", settings);
  const startedAt = new Date();
  const id = createRunDir(lesson, startedAt, opts?.id);
  const dir = path.join(lessonDir(lesson), id);
  const record: RunRecord = {
    lesson,
    id,
    startedAt: startedAt.toISOString(),
    finishedAt: null,
    status: "running",
    settings: checkedSettings,
    summary: null,
    pid: process.pid,
    host: os.hostname(),
  };
  try {
    writeRecord(dir, record);
  } catch (error) {
    throw new Error(`Cannot write ${displayPath(recordFile(dir))}: ${(error as Error).message}`);
  }
  return new Run(dir, record);
}
