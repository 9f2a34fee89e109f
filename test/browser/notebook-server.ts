// A classic Jupyter Notebook server for browser checks: on 127.0.0.1 with a random token, serving one folder, with
// the course kernel and throw-away data, runtime and config folders (trust signatures, cookie secrets).
import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { jupyterPython } from "../../src/course";
import { jupyterEnv } from "../../tools/setup";

/** A running notebook server: the address of a notebook in its folder, and stop(). */
export interface NotebookServer {
  /** The URL that opens `notebook` (a path relative to the served folder) in the notebook UI, token included. */
  notebookUrl(notebook: string): string;
  /** Stops the server; it shuts its kernels down first. */
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `python3 -m notebook` serving folder and resolves once it listens (within startTimeoutMs). */
export async function startNotebookServer(folder: string, startTimeoutMs = 60000): Promise<NotebookServer> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-lessons-jupyter-"));
  const token = randomBytes(16).toString("hex");
  const port = 20000 + Math.floor(Math.random() * 30000);
  const env = jupyterEnv({
    JUPYTER_DATA_DIR: path.join(scratch, "data"),
    JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"),
    JUPYTER_CONFIG_DIR: path.join(scratch, "config"),
  });
  const args = ["-m", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`, `--NotebookApp.token=${token}`, `--notebook-dir=${folder}`];
  const child = spawn(jupyterPython, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const stop = async (): Promise<void> => {
    child.kill("SIGTERM"); // the server shuts its kernels down on SIGTERM
    if (!(await waitForExit(child, 15000))) child.kill("SIGKILL");
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  // The server may move to another port when this one is taken: read the one it announces.
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The notebook server did not start within ${startTimeoutMs} ms:\n${log.slice(-2000)}`)), startTimeoutMs);
    child.stderr.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8");
      const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The notebook server exited (code ${code}) before listening:\n${log.slice(-2000)}`));
    });
  }).catch(async (err: Error) => {
    await stop();
    throw err;
  });
  return {
    notebookUrl: (notebook) => `${base}notebooks/${notebook.split("/").map(encodeURIComponent).join("/")}?token=${token}`,
    stop,
  };
}
