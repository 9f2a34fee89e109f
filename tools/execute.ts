// Runs a notebook through real Jupyter (nbclient) in the course kernel and returns it with outputs.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { jupyterPython, repoRoot } from "../src/course";
import { jupyterEnv } from "./setup";

export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}

export interface NotebookCell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata: Record<string, any>;
  outputs?: NotebookOutput[];
  execution_count?: number | null;
}

export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, any>;
  nbformat: number;
  nbformat_minor: number;
}

export const joinText = (text: string | string[] | undefined): string => (Array.isArray(text) ? text.join("") : text ?? "");

/** The text of a cell's stderr streams and error outputs: what a learner would see in red. */
export function errorText(cell: NotebookCell): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === "error" || (o.output_type === "stream" && o.name === "stderr"))
    .map((o) => joinText(o.text))
    .join("");
}

/** Seconds after which a cell was stopped (its metadata says so), or undefined when it ran to its end. */
export const timedOut = (cell: NotebookCell): number | undefined => cell.metadata?.rnn_lessons?.timed_out;

/**
 * Executes `source` in the course kernel and writes the executed notebook to `target`; resolves with it.
 * A failing cell does not stop the run (its error is in its outputs); a cell that exceeds `timeoutSeconds`
 * is stopped and marked (see timedOut), and the cells after it still run. `onCell` hears of each cell as
 * it finishes (its index, and the seconds after which it was stopped when it was). A kernel that dies rejects with Jupyter's message, naming `label` (default
 * `source`: the grader names the learner's file, not its scratch copy).
 */
export function executeNotebook(
  source: string,
  target: string,
  options: { env?: Record<string, string>; timeoutSeconds?: number; onCell?: (index: number, timedOutAfter?: number) => void; label?: string } = {},
): Promise<Notebook> {
  const args = [path.join(repoRoot, "scripts", "execute_notebook.py"), source, target, "--timeout", String(options.timeoutSeconds ?? 900), "--progress"];
  const label = options.label ?? source;
  return new Promise((resolve, reject) => {
    const child = spawn(jupyterPython, args, { cwd: repoRoot, env: jupyterEnv(options.env), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let pending = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.on("data", (chunk) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line.startsWith("{")) {
        const done = JSON.parse(line);
        options.onCell?.(done.cell, done.timed_out);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const why = () => stderr.trim().split("\n").pop()!.replaceAll(source, label);
      if (!fs.existsSync(target)) return reject(new Error(`Jupyter could not run ${label}: ${why()}`));
      const notebook = JSON.parse(fs.readFileSync(target, "utf8")) as Notebook;
      if (code !== 0) return reject(new Error(`Jupyter stopped running ${label}: ${why()}`));
      resolve(notebook);
    });
  });
}
