// A run resumed from another run's checkpoint reads as one run: its history.csv starts with the rows of the run it
// continues (up to the checkpoint's step), its metrics count that run's seconds too, and it keeps that run's batch
// size and sequence length (a resumed run goes on with the same batches; a new value is refused, with the value to give).
import * as fs from "fs";
import * as path from "path";
import { HistoryRow, parseHistory } from "./history-csv";
import { readRecord } from "./run-record";
import type { Settings } from "./settings";

/** The run a checkpoint belongs to, as a resumed run takes it over. */
export interface ContinuedRun {
  id: string;
  settings: Settings;
  /** Its logged rows. */
  rows: HistoryRow[];
  /** Wall seconds it ran: its metrics.json's (which count the runs it continued in turn); without one (a killed run), from its start to its last row. */
  wallSeconds: number;
}

/** Returns the run whose checkpoint folder is `checkpoint` (runs/<lesson>/<id>/checkpoint), or undefined when it lies in no run's folder. */
export function continuedRun(checkpoint: string): ContinuedRun | undefined {
  const dir = path.dirname(path.resolve(checkpoint));
  let record;
  try {
    record = readRecord(dir);
  } catch {
    return undefined;
  }
  const historyFile = path.join(dir, "history.csv");
  const rows = fs.existsSync(historyFile) ? parseHistory(fs.readFileSync(historyFile, "utf8"), historyFile).rows : [];
  let wallSeconds: number | undefined;
  try {
    wallSeconds = (JSON.parse(fs.readFileSync(path.join(dir, "metrics.json"), "utf8")) as { wallSeconds?: number }).wallSeconds;
  } catch {
    // no metrics.json: the run was killed
  }
  if (typeof wallSeconds !== "number") {
    wallSeconds = fs.existsSync(historyFile) ? Math.max(0, (fs.statSync(historyFile).mtimeMs - Date.parse(record.startedAt)) / 1000) : 0;
  }
  return { id: path.basename(dir), settings: record.settings, rows, wallSeconds };
}

/**
 * Returns the sentence refusing to resume `continued` with another value of one of `kept` than it was trained with
 * (`nameOf` names a setting: "--batch-size" in a terminal, "batchSize" in a notebook), or undefined.
 */
export function resumeProblem(continued: ContinuedRun | undefined, settings: object, kept: string[], nameOf: (setting: string) => string): string | undefined {
  for (const name of kept) {
    const was = continued?.settings[name];
    const now = (settings as Record<string, unknown>)[name];
    if (was === undefined || was === now) continue;
    return `${nameOf(name)} is ${now}, but the run ${nameOf("resume")} continues (${continued!.id}) was trained with ${was}: ` +
      `give ${nameOf(name)} ${was} to resume it, or start a new run.`;
  }
  return undefined;
}

/**
 * Returns a function that logs into `run`, once, the rows of `continued` up to a step (the checkpoint's: call it with
 * the step before the first batch, and again at the end in case there was none). Does nothing without `continued`.
 */
export function carryOver(continued: ContinuedRun | undefined, run: { log(row: Record<string, number>): void }): (upTo: number) => void {
  let done = continued === undefined;
  return (upTo) => {
    if (done) return;
    done = true;
    for (const row of continued!.rows) if (row.step <= upTo) run.log(row);
  };
}
