// Starting headless Debian Chromium the same way for every browser check: DESIGN.md's flags, a fresh profile
// folder, its own process group (so that a hung run is killed whole), and a wall-clock limit.
import { ChildProcess, spawn, StdioOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromiumPath } from "../../src/course";

/** The window Chromium renders into and how long it may run. */
export interface ChromiumOptions {
  /** Window size in CSS pixels; 1200 × 900 unless given. */
  width?: number;
  height?: number;
  /** Wall-clock limit of the Chromium process in ms, after which it is killed; 120 000 unless given. */
  timeoutMs?: number;
}

/** A running Chromium: its process, whether the time limit killed it, and stop() (kill, remove the profile). */
export interface ChromiumProcess {
  child: ChildProcess;
  timedOut(): boolean;
  /** Resolves when the process has exited, with its exit code. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts Chromium with DESIGN.md's flags plus `flags`, e.g. ["--dump-dom", url]. */
export function startChromium(flags: string[], opts: ChromiumOptions = {}, stdio: StdioOptions = ["ignore", "pipe", "pipe"]): ChromiumProcess {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium is not at ${chromiumPath}: install Debian's chromium (npm run setup -- --browser) or set RNN_LESSONS_CHROMIUM.`);
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-lessons-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    `--user-data-dir=${userDataDir}`,
    `--window-size=${opts.width ?? 1200},${opts.height ?? 900}`,
    ...flags,
  ];
  const child = spawn(chromiumPath, args, { detached: true, stdio });
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // the group has already exited
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, opts.timeoutMs ?? 120000);
  timer.unref();
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", (err) => reject(new Error(`Chromium (${chromiumPath}) did not start: ${err.message}`)));
    child.on("close", (code) => {
      clearTimeout(timer);
      killGroup(); // helpers Chromium left behind
      fs.rmSync(userDataDir, { recursive: true, force: true });
      resolve(code);
    });
  });
  return {
    child,
    timedOut: () => timedOut,
    exited,
    async stop() {
      killGroup();
      await exited.catch(() => undefined);
    },
  };
}
