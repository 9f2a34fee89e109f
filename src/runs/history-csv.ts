// history.csv: one header line, then one line per logged step, every cell a number.
// Each line is written whole by one append, so a crash can only cut the last line short.
import * as fs from "fs";
import * as Papa from "papaparse";
import { displayPath } from "./paths";

/** One logged step, e.g. `{ step: 100, loss: 2.31 }`. */
export type HistoryRow = Record<string, number>;

/** What reading a history.csv gives: its columns, every complete row, and a sentence per line that was skipped. */
export interface ParsedHistory {
  columns: string[];
  rows: HistoryRow[];
  problems: string[];
}

/** Returns a number as CSV text that reads back to the identical double (String is shortest round-trip; -0 kept). */
export function formatNumber(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

// What formatNumber writes: decimal or exponent notation, NaN and ±Infinity. Number() alone would accept "" and " 1".
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?Infinity$|^NaN$/;

/** Returns the number a CSV cell holds, or undefined when the cell is not a number. */
export function parseNumber(text: string): number | undefined {
  return NUMBER_TEXT.test(text) ? Number(text) : undefined;
}

/** Returns CSV lines (each ending in "\n") for the given rows of cells, quoted where needed. */
export function csvLines(rows: string[][]): string {
  return Papa.unparse(rows, { newline: "\n" }) + "\n";
}

/** Parses one CSV line into its cells, or returns the parser's complaint. */
function parseLine(line: string): { cells: string[] } | { error: string } {
  const parsed = Papa.parse<string[]>(line, { delimiter: ",", newline: "\n" });
  if (parsed.errors.length > 0) return { error: parsed.errors[0].message };
  if (parsed.data.length !== 1) return { error: `found ${parsed.data.length} records on one line` };
  return { cells: parsed.data[0] };
}

/** Returns the rows of a history.csv file (a run's, or a shipped model's); throws naming the file and line if one is unreadable. */
export function readHistory(file: string): HistoryRow[] {
  const parsed = parseHistory(fs.readFileSync(file, "utf8"), file);
  if (parsed.problems.length > 0) throw new Error(parsed.problems[0]);
  return parsed.rows;
}

/** Reads the text of a history.csv: returns the complete rows, and one problem sentence (file and line) per skipped line. */
export function parseHistory(text: string, file: string): ParsedHistory {
  const where = (lineNumber: number) => `${displayPath(file)} line ${lineNumber}`;
  const lines = text.split("\n");
  const endsWithNewline = lines[lines.length - 1] === "";
  if (endsWithNewline) lines.pop();
  const result: ParsedHistory = { columns: [], rows: [], problems: [] };
  if (lines.length === 0) return result;

  const header = parseLine(lines[0].replace(/\r$/, ""));
  if ("error" in header) {
    result.problems.push(`${where(1)}: the header could not be read (${header.error}); no rows read.`);
    return result;
  }
  const seen = new Set<string>();
  for (const name of header.cells) {
    if (name === "" || seen.has(name)) {
      const why = name === "" ? "has an empty column name" : `names the column "${name}" twice`;
      result.problems.push(`${where(1)}: the header ${why}; no rows read.`);
      return result;
    }
    seen.add(name);
  }
  result.columns = header.cells;
  if (lines.length === 1 && !endsWithNewline) {
    result.problems.push(`${where(1)}: the header has no line ending, so its write was cut short (crash?); no rows read.`);
    return result;
  }

  for (let i = 1; i < lines.length; i++) {
    const lineNumber = i + 1;
    const line = lines[i].replace(/\r$/, "");
    // Only the last line can lack its "\n", and only when the process died while writing it.
    const cut = i === lines.length - 1 && !endsWithNewline;
    const hint = cut ? " (truncated write?)" : "";
    if (line.trim() === "") {
      result.problems.push(`${where(lineNumber)}: empty line${hint}; skipped.`);
      continue;
    }
    const parsed = parseLine(line);
    if ("error" in parsed) {
      result.problems.push(`${where(lineNumber)}: ${parsed.error}${hint}; row skipped.`);
      continue;
    }
    const cells = parsed.cells;
    if (cells.length !== result.columns.length) {
      result.problems.push(
        `${where(lineNumber)}: expected ${result.columns.length} fields, found ${cells.length}${hint}; row skipped.`,
      );
      continue;
    }
    const row: HistoryRow = {};
    const bad: string[] = [];
    result.columns.forEach((column, c) => {
      const value = parseNumber(cells[c]);
      if (value === undefined) bad.push(`column "${column}" holds ${JSON.stringify(cells[c])}`);
      else row[column] = value;
    });
    if (bad.length > 0) {
      result.problems.push(`${where(lineNumber)}: ${bad.join(", ")}, not a number${hint}; row skipped.`);
      continue;
    }
    if (cut) {
      result.problems.push(
        `${where(lineNumber)}: the last line has no line ending, so its write was cut short (truncated write?); row skipped.`,
      );
      continue;
    }
    result.rows.push(row);
  }
  return result;
}
