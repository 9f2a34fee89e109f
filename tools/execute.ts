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

/**
 * Executes `source` in the course kernel and writes the executed notebook to `target`; resolves with it.
 * A failing cell does not stop the run (its error is in its outputs); a kernel that dies or a cell that
 * exceeds `timeoutSeconds` rejects with Jupyter's message.
 */
export function executeNotebook(
  source: string,
  target: string,
  options: { env?: Record<string, string>; timeoutSeconds?: number } = {},
): Promise<Notebook> {
  const args = [path.join(repoRoot, "scripts", "execute_notebook.py"), source, target, "--timeout", String(options.timeoutSeconds ?? 900)];
  return new Promise((resolve, reject) => {
    const child = spawn(jupyterPython, args, { cwd: repoRoot, env: jupyterEnv(options.env), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (!fs.existsSync(target)) return reject(new Error(`Jupyter could not run ${source}: ${stderr.trim()}`));
      const notebook = JSON.parse(fs.readFileSync(target, "utf8")) as Notebook;
      if (code !== 0) return reject(new Error(`Jupyter stopped running ${source}: ${stderr.trim().split("\n").pop()}`));
      resolve(notebook);
    });
  });
}
