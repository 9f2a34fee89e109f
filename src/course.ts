// Course-wide settings. Every RNN_LESSONS_* variable is read here and nowhere else, and every path to
// the course's own files starts here; the rest of the library asks this file.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The repository root: where the course kernel runs and `datasets/` lives. */
export const repoRoot = path.resolve(__dirname, "..");

/** The shipped data sets (datasets/SOURCES.md says where each comes from). */
export const datasetsDir = path.join(repoRoot, "datasets");

/** The folder of a shipped checkpoint, datasets/pretrained/<name>/. */
export function pretrainedDir(name: string): string {
  return path.join(datasetsDir, "pretrained", name);
}

/** True when the variable is set to anything but "", "0" or "false": one reading of a yes/no setting everywhere. */
export function envFlag(name: string): boolean {
  const value = process.env[name]?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/** RNN_LESSONS_QUICK=1 (the tests) makes training cells short; learners get the full defaults. */
export const quick = envFlag("RNN_LESSONS_QUICK");

/** `full` for a learner, `short` under RNN_LESSONS_QUICK=1. */
export function quickOr<T>(short: T, full: T): T {
  return quick ? short : full;
}

/** The variables, by what they set. Those read at each call may change while a kernel runs (tests do). */
export const env = {
  /** RNN_LESSONS_QUICK=1: short training (the tests, and `npm run grade` for the cells its checks do not need). */
  quick: "RNN_LESSONS_QUICK",
  /** Where a learner's own files go (default: the course folder, or ~/rnn-lessons when it is read-only). */
  home: "RNN_LESSONS_HOME",
  /** Where run logs go (default runs/ there): read at each call. */
  runs: "RNN_LESSONS_RUNS",
  /** Forces a TensorFlow.js backend: node-gpu | node | wasm | cpu. */
  backend: "RNN_LESSONS_BACKEND",
  /** How many threads the course's wasm kernels use (default: the cores this process may use, at most 8). */
  threads: "RNN_LESSONS_THREADS",
  /** RNN_LESSONS_SIMD=0 turns off lesson 3's WebAssembly SIMD kernels. */
  simd: "RNN_LESSONS_SIMD",
  /** The file `npm run grade` collects check results in, set for the kernel it starts. */
  gradeLog: "RNN_LESSONS_GRADE_LOG",
  /** The Python with Jupyter (default Debian's /usr/bin/python3). */
  python: "RNN_LESSONS_PYTHON",
  /** The Python with numpy for the test oracles and benchmarks (default Debian's). */
  numpyPython: "RNN_LESSONS_NUMPY_PYTHON",
  /** Chromium for the browser tests (default Debian's /usr/bin/chromium). */
  chromium: "RNN_LESSONS_CHROMIUM",
} as const;

/**
 * Where a learner's own files go (runs, reports, grades): $RNN_LESSONS_HOME when set; else the course folder
 * when it can be written (a learner's own checkout); else ~/rnn-lessons (a course installed read-only for a
 * class, e.g. on JupyterHub: each learner's files go to their own home). Read at each call.
 */
export function learnerRoot(): string {
  const fromEnv = process.env[env.home];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return path.resolve(fromEnv);
  try {
    fs.accessSync(repoRoot, fs.constants.W_OK);
    return repoRoot;
  } catch {
    return path.join(os.homedir(), "rnn-lessons");
  }
}

/** The runs folder: $RNN_LESSONS_RUNS when set (read at each call), else runs/ in learnerRoot(). */
export function runsRoot(): string {
  const fromEnv = process.env[env.runs];
  return fromEnv !== undefined && fromEnv.trim() !== "" ? path.resolve(fromEnv) : path.join(learnerRoot(), "runs");
}

/** The folder of reports (grades, gradebooks): reports/ in learnerRoot(). */
export const reportsRoot = (): string => path.join(learnerRoot(), "reports");

/** The backend RNN_LESSONS_BACKEND asks for, as written (undefined when unset). */
export const backendSetting = (): string | undefined => process.env[env.backend];

/** The most threads the course's kernels use unless told: the lessons' matrices are too small to split further. */
export const defaultMaxThreads = 8;

/**
 * RNN_LESSONS_THREADS: how many threads the course's wasm kernels split their work across, the main one included
 * (default: the cores this process may use, at most defaultMaxThreads). Throws a sentence on a value that is not one.
 */
export function threadsSetting(): number {
  const value = process.env[env.threads];
  if (value === undefined || value.trim() === "") return Math.max(1, Math.min(os.availableParallelism(), defaultMaxThreads));
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new Error(`${env.threads}=${JSON.stringify(value)} is not a thread count: use a whole number from 1 to 64, or unset it to use every core (at most ${defaultMaxThreads}).`);
  }
  return count;
}

/** False when RNN_LESSONS_SIMD=0 turns lesson 3's SIMD kernels off. */
export const simdAllowed = (): boolean => process.env[env.simd] === undefined || envFlag(env.simd);

/** The file check cells append their results to while a notebook is graded, else undefined. */
export const gradeLogFile = (): string | undefined => process.env[env.gradeLog] || undefined;

/** Debian's Python, where Debian's Jupyter lives (not the first python3 on PATH). */
export const jupyterPython = process.env[env.python] ?? "/usr/bin/python3";

/** The Python with numpy that the oracle scripts use (read at each call). */
export const numpyPython = (): string => process.env[env.numpyPython] ?? "/usr/bin/python3";

/** The Chromium the browser tests drive. */
export const chromiumPath = process.env[env.chromium] ?? "/usr/bin/chromium";

/**
 * Returns the value kept under `name` for the life of the process, making it once. Kept on globalThis, not in
 * a module variable: tslab may load a file again when a cell re-imports it, and the value must survive that.
 */
export function processMemo<T>(name: string, make: () => T): T {
  const store = globalThis as unknown as Record<symbol, T>;
  const key = Symbol.for(`rnn-lessons.${name}`);
  if (!(key in store)) store[key] = make();
  return store[key];
}

/** Forgets what processMemo keeps under `name` (a failed start that a learner may retry). */
export function forgetMemo(name: string): void {
  delete (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(`rnn-lessons.${name}`)];
}
