// settings.json: who started a run, when, with which settings, and whether it finished.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { displayPath } from "./paths";
import { Settings, SettingValue } from "./settings";

/** "running" while its process lives, "finished" after run.finish(), "interrupted" when the process ended first. */
export type RunStatus = "running" | "finished" | "interrupted";

/** The contents of a run's settings.json. */
export interface RunRecord {
  lesson: string;
  id: string;
  startedAt: string;
  finishedAt: string | null;
  /** As written: "running" until finish() writes "finished"; listRuns reads it together with `pid`. */
  status: "running" | "finished";
  settings: Settings;
  summary: Record<string, SettingValue> | null;
  /** The process that logs the run, so listRuns can tell a live run from an interrupted one. */
  pid: number;
  host: string;
}

/** Returns the path of a run's settings.json. */
export function recordFile(dir: string): string {
  return path.join(dir, "settings.json");
}

/** Writes settings.json whole (temporary file, then rename), so a crash never leaves half a file. */
export function writeRecord(dir: string, record: RunRecord): void {
  const file = recordFile(dir);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(record, null, 2) + "\n");
  fs.renameSync(temporary, file);
}

/** Reads a run's settings.json; throws an error naming the file when it is missing or not a run record. */
export function readRecord(dir: string): RunRecord {
  const file = recordFile(dir);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (error as Error).message;
    throw new Error(`Cannot read the run record ${displayPath(file)}: ${reason}.`);
  }
  const record = parsed as Partial<RunRecord> | null;
  if (
    record === null ||
    typeof record !== "object" ||
    typeof record.id !== "string" ||
    typeof record.startedAt !== "string" ||
    typeof record.settings !== "object" ||
    record.settings === null
  ) {
    throw new Error(`${displayPath(file)} is not a run record: it needs "id", "startedAt" and "settings".`);
  }
  return {
    lesson: String(record.lesson ?? path.basename(path.dirname(dir))),
    id: record.id,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt ?? null,
    status: record.status === "finished" ? "finished" : "running",
    settings: record.settings,
    summary: record.summary ?? null,
    pid: typeof record.pid === "number" ? record.pid : -1,
    host: String(record.host ?? ""),
  };
}

/** Returns whether a process with this id is alive on this machine. */
function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Returns a run's status: "finished" once finish() ran; "running" while another live process on this machine
 * logs it (a CLI run seen from a notebook); otherwise "interrupted". A run left unfinished by this very process
 * (say, a notebook cell stopped mid-training) counts as interrupted.
 */
export function runStatus(record: RunRecord): RunStatus {
  if (record.status === "finished") return "finished";
  const live = record.host === os.hostname() && record.pid !== process.pid && processAlive(record.pid);
  return live ? "running" : "interrupted";
}
