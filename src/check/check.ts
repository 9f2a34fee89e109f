// A check cell runs one exercise's expectations and shows a ✓/✗ table of expected vs actual. It never
// shows a bare stack trace: an unfinished stub reads "not implemented yet", any other error is reported
// in a row of its own. Under `npm run grade` each result is also appended to a log the grader reads.
import { AsyncLocalStorage } from "async_hooks";
import * as fs from "fs";
import { env, gradeLogFile, processMemo } from "../course";
import { displayRich, escapeHtml } from "../display";
import type { Expectation } from "./expect";

/** What a learner's unfinished exercise throws; the learner edition's stubs throw it. */
export class NotImplementedError extends Error {
  constructor(exercise: string) {
    super(`${exercise}: not implemented yet — replace the "YOUR CODE HERE" line with your code`);
    this.name = "NotImplementedError";
  }
}

/** The error a learner-edition stub throws: `throw notImplemented("clip")`. */
export function notImplemented(exercise: string): NotImplementedError {
  return new NotImplementedError(exercise);
}

export type CheckStatus = "passed" | "failed" | "not-implemented" | "error" | "timed-out";

/** The outcome of one check cell, as shown and as logged for the grader. */
export interface CheckResult {
  exercise: string;
  hidden: boolean;
  status: CheckStatus;
  rows: Expectation[];
  message: string;
}

/** Where check results go while `npm run grade` runs a notebook (one JSON object a line). */
export const gradeLogVariable = env.gradeLog;

function resultOf(exercise: string, hidden: boolean, outcome: Expectation[] | unknown, threw: boolean): CheckResult {
  if (threw) {
    const notDone = outcome instanceof NotImplementedError || (outcome as Error)?.name === "NotImplementedError";
    const text = outcome instanceof Error ? `${outcome.name}: ${outcome.message}` : String(outcome);
    return notDone
      ? { exercise, hidden, status: "not-implemented", rows: [], message: "not implemented yet" }
      : { exercise, hidden, status: "error", rows: [], message: `your code threw ${text}` };
  }
  const rows = outcome as Expectation[];
  const failed = rows.filter((row) => !row.passed);
  if (rows.length === 0) return { exercise, hidden, status: "error", rows, message: "the check made no expectations" };
  const message = failed.length === 0
    ? `all ${rows.length} checks passed`
    : `${failed.length} of ${rows.length} checks failed: ${failed[0].label}: ${failed[0].message ?? "wrong value"}`;
  return { exercise, hidden, status: failed.length === 0 ? "passed" : "failed", rows, message };
}

function heading(result: CheckResult): string {
  const mark = result.status === "passed" ? "✓" : "✗";
  const kind = result.hidden ? " (hidden tests)" : "";
  return `${mark} ${result.exercise}${kind}: ${result.message}`;
}

function renderText(result: CheckResult): string {
  const lines = [heading(result)];
  for (const row of result.rows) {
    lines.push(`  ${row.passed ? "✓" : "✗"} ${row.label}`);
    lines.push(`      expected: ${row.expected}`);
    if (!row.passed) lines.push(`      actual:   ${row.actual}${row.message ? `  (${row.message})` : ""}`);
  }
  if (result.status === "not-implemented") lines.push("  Fill in the exercise cell above, run it, then run this check again.");
  return lines.join("\n");
}

function renderHtml(result: CheckResult): string {
  const ok = result.status === "passed";
  const colour = ok ? "#1a7f37" : "#cf222e";
  const cells = (row: Expectation) =>
    `<td style="color:${row.passed ? "#1a7f37" : "#cf222e"}">${row.passed ? "✓" : "✗"}</td>` +
    `<td>${escapeHtml(row.label)}</td><td><code>${escapeHtml(row.expected)}</code></td>` +
    `<td><code>${escapeHtml(row.actual)}</code>${row.message ? `<br><small>${escapeHtml(row.message)}</small>` : ""}</td>`;
  const table = result.rows.length === 0 ? "" :
    `<table><thead><tr><th></th><th>check</th><th>expected</th><th>actual</th></tr></thead><tbody>` +
    result.rows.map((row) => `<tr>${cells(row)}</tr>`).join("") + `</tbody></table>`;
  const hint = result.status === "not-implemented"
    ? "<p>Fill in the exercise cell above, run it, then run this check again.</p>" : "";
  return `<div class="rnn-lessons-check" data-status="${result.status}">` +
    `<p style="color:${colour};font-weight:bold">${escapeHtml(heading(result))}</p>${table}${hint}</div>`;
}

/** The exercises whose last check did not pass (kept in processMemo: tslab may load this module again). */
const notPassed = () => processMemo("check.notPassed", () => new Set<string>());

/** The check running now, in its own code and what it awaits only (an interrupted check leaves nothing behind). */
const running = () => processMemo("check.running", () => new AsyncLocalStorage<{ exercise: string; told: Set<string> }>());

/** The exercise whose check is running, with the names it has said it took from the library; undefined outside a check. */
export const runningCheck = () => running().getStore();

/** True when the learner's `exercise` has not passed its last check (its visible check, or a hidden one after it). */
export const hasNotPassed = (exercise: string): boolean => notPassed().has(exercise);

function report(result: CheckResult): void {
  displayRich({ html: renderHtml(result), text: renderText(result) });
  if (result.status === "passed" && !result.hidden) notPassed().delete(result.exercise);
  if (result.status !== "passed") notPassed().add(result.exercise);
  const log = gradeLogFile();
  if (log) fs.appendFileSync(log, JSON.stringify(result) + "\n");
}

/**
 * Exercises whose cells `npm run grade` stopped for running too long (its log says so): the cells after them use
 * the library's reference instead of running the learner's function again. Re-read only when the log grows.
 */
export function stoppedByGrader(exercise: string): boolean {
  const log = gradeLogFile();
  if (!log || !fs.existsSync(log)) return false;
  const memo = processMemo("check.stopped", () => ({ size: -1, stopped: new Set<string>() }));
  const size = fs.statSync(log).size;
  if (size !== memo.size) {
    memo.size = size;
    const lines = fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as CheckResult);
    memo.stopped = new Set(lines.filter((r) => r.status === "timed-out").map((r) => r.exercise));
  }
  return memo.stopped.has(exercise);
}

/**
 * Runs an exercise's expectations and shows the ✓/✗ table. `body` returns the rows (or a promise of them,
 * for exercises that train); whatever it throws becomes a ✗ row, never an uncaught error. Returns nothing,
 * so that a check cell shows only its table.
 */
export function check(exercise: string, body: () => Expectation[], options?: { hidden?: boolean }): void;
export function check(exercise: string, body: () => Promise<Expectation[]>, options?: { hidden?: boolean }): Promise<void>;
export function check(
  exercise: string,
  body: () => Expectation[] | Promise<Expectation[]>,
  options: { hidden?: boolean } = {},
): void | Promise<void> {
  const hidden = options.hidden ?? false;
  let outcome: Expectation[] | Promise<Expectation[]>;
  try {
    // While the body runs, withFallback gives the library's version of every other exercise (see fallback.ts).
    outcome = running().run({ exercise, told: new Set() }, body);
  } catch (err) {
    return report(resultOf(exercise, hidden, err, true));
  }
  if (outcome && typeof (outcome as Promise<Expectation[]>).then === "function") {
    return (outcome as Promise<Expectation[]>).then(
      (rows) => report(resultOf(exercise, hidden, rows, false)),
      (err) => report(resultOf(exercise, hidden, err, true)),
    );
  }
  return report(resultOf(exercise, hidden, outcome, false));
}
