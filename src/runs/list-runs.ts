// Reading runs back: which runs a lesson has (filtered by settings), and one run's whole history.
import * as fs from "fs";
import * as path from "path";
import { HistoryRow, parseHistory } from "./history-csv";
import { displayPath, lessonDir, runDir } from "./paths";
import { readRecord, recordFile, RunStatus, runStatus } from "./run-record";
import { matchesWhere, Settings, SettingValue } from "./settings";

/** What listRuns tells about one run. */
export interface RunInfo {
  lesson: string;
  id: string;
  /** The run's folder, holding settings.json and history.csv. */
  dir: string;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  settings: Settings;
  summary: Record<string, SettingValue> | null;
}

/** A run read back: its info, every complete history row, and one sentence (file and line) per row that was skipped. */
export interface LoadedRun extends RunInfo {
  /** The columns of history.csv (empty when nothing was logged). */
  columns: string[];
  history: HistoryRow[];
  problems: string[];
}

/**
 * Returns the info of the run in `dir` (throws an error naming settings.json when it cannot be read). Its id is
 * its folder's name, whatever settings.json says: a renamed or copied folder is a run of its own.
 */
function runInfo(dir: string): RunInfo {
  const record = readRecord(dir);
  return {
    lesson: record.lesson,
    id: path.basename(dir),
    dir,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    status: runStatus(record),
    settings: record.settings,
    summary: record.summary,
  };
}

/**
 * Returns the runs of `lesson` whose settings equal every value in `where`, oldest first; a lesson with no runs
 * gives []. Folders whose settings.json cannot be read are left out: unreadableRuns says which and why.
 */
export function listRuns(lesson: string, where?: Partial<Settings>): RunInfo[] {
  const runs = readRuns(lesson).flatMap((r) => ("info" in r && matchesWhere(r.info.settings, where) ? [r.info] : []));
  return runs.sort((a, b) => compareText(a.startedAt, b.startedAt) || compareText(a.id, b.id));
}

/** Returns one sentence per run folder of `lesson` that listRuns leaves out because its settings.json cannot be read. */
export function unreadableRuns(lesson: string): string[] {
  return readRuns(lesson).flatMap((r) => ("problem" in r ? [r.problem] : []));
}

/** Every run folder of the lesson (one holding a settings.json), read or with the reason it could not be. */
function readRuns(lesson: string): Array<{ info: RunInfo } | { problem: string }> {
  const parent = lessonDir(lesson);
  if (!fs.existsSync(parent)) return [];
  return fs.readdirSync(parent, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(recordFile(path.join(parent, entry.name))))
    .map((entry) => {
      try {
        return { info: runInfo(path.join(parent, entry.name)) };
      } catch (err) {
        return { problem: `${entry.name}: ${(err as Error).message}` };
      }
    });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reads one run: its settings and info, every complete history row, and the problems of rows it had to skip. */
export function loadRun(lesson: string, id: string): LoadedRun {
  const dir = runDir(lesson, id);
  if (!fs.existsSync(dir)) {
    const known = listRuns(lesson).map((run) => run.id);
    const latest = known.slice(-5).join(", ") + (known.length > 5 ? " (the latest 5)" : "");
    const hint = known.length > 0 ? `its runs are: ${latest}` : "it has no runs yet";
    throw new Error(`Lesson "${lesson}" has no run "${id}" in ${displayPath(path.dirname(dir))}; ${hint}.`);
  }
  const info = runInfo(dir);
  const historyFile = path.join(dir, "history.csv");
  const text = fs.existsSync(historyFile) ? fs.readFileSync(historyFile, "utf8") : "";
  const parsed = parseHistory(text, historyFile);
  return { ...info, columns: parsed.columns, history: parsed.rows, problems: parsed.problems };
}
