// Picks the fastest TensorFlow.js backend installed here, once per process, and says which in one
// line. Order: native GPU, native CPU (both optional: their install downloads libtensorflow), the
// WebAssembly backend (always installed; the course adds faster kernels for recurrent training),
// then plain JavaScript. RNN_LESSONS_BACKEND=node-gpu|node|wasm|cpu forces one.
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { backendSetting, env, forgetMemo, processMemo, threadsSetting } from "../course";
import { registerFastWasmKernels } from "./kernels/index";
import { shareWasmHeap } from "./kernels/shared-heap";
import { useThreads } from "./kernels/simd-kernels";
import { resetEngine } from "./engine";
import { afterTerminated } from "../interrupt";

export { tf };

/** The four backends the course knows, fastest first. */
export const backendKinds = ["node-gpu", "node", "wasm", "cpu"] as const;
/** One of backendKinds. */
export type BackendKind = (typeof backendKinds)[number];

/** What initBackend chose. */
export interface BackendInfo {
  /** Which of the course's four backends runs. */
  kind: BackendKind;
  /** TensorFlow.js's own name for it (tf.getBackend()): "tensorflow", "wasm" or "cpu". */
  name: string;
  /** True when RNN_LESSONS_BACKEND chose it. */
  forced: boolean;
  /** How it runs, e.g. "SIMD, 2 threads". */
  detail: string;
  /** How many threads its kernels split their work across (libtensorflow: the cores it may use). */
  threads: number;
  /** Names of the course's replacement kernels registered for it (wasm only; else empty). */
  fastKernels: string[];
  /** The one line printed when it was chosen. */
  line: string;
}

const envVar = env.backend;
const guide = "see environment.md";
const nativePackages: Record<"node-gpu" | "node", string> = {
  "node-gpu": "@tensorflow/tfjs-node-gpu",
  node: "@tensorflow/tfjs-node",
};

// tfjs's console chatter about things the course does on purpose; graders count stderr as
// failure. PROD mode silences tfjs-core's warn() (the CPU backend's "Hi, looks like you are
// running TensorFlow.js in Node.js" banner among them); tfjs-layers calls console.warn itself.
const silencedWarnings = [
  /^Orthogonal initializer is being called on a matrix with more than/,
  /^Hi, looks like you are running TensorFlow\.js in Node\.js/,
];

/** Turns off tfjs's stderr chatter (idempotent; done on import). */
export function silenceTfjsWarnings(): void {
  tf.enableProdMode();
  processMemo("silencedConsoleWarn", () => {
    const warn = console.warn.bind(console);
    console.warn = (...args: unknown[]) => {
      const first = typeof args[0] === "string" ? args[0].trimStart() : "";
      if (silencedWarnings.some((pattern) => pattern.test(first))) return;
      warn(...args);
    };
    return true;
  });
}
silenceTfjsWarnings();
afterTerminated("TensorFlow.js", resetEngine); // ■ in the middle of an op must not break every later cell

/** Chooses, starts and announces the backend once per process; later calls return the same answer. */
export function initBackend(): Promise<BackendInfo> {
  return processMemo("backendInfo", () =>
    chooseBackend().catch((err: unknown) => {
      forgetMemo("backendInfo"); // a learner who fixes the setting can call again without a restart
      throw err;
    }));
}

/** The backend RNN_LESSONS_BACKEND asks for, or undefined when it is unset; throws on unknown values. */
export function forcedBackend(value = backendSetting()): BackendKind | undefined {
  const wanted = (value ?? "").trim().toLowerCase();
  if (wanted === "") return undefined;
  if ((backendKinds as readonly string[]).includes(wanted)) return wanted as BackendKind;
  throw new Error(
    `${envVar}=${JSON.stringify(value)} is not a backend this course knows. ` +
      `Use one of ${backendKinds.join(", ")}, or unset ${envVar} to pick the fastest one installed.`,
  );
}

async function chooseBackend(): Promise<BackendInfo> {
  const forced = forcedBackend();
  const notes: string[] = []; // native packages installed here that did not start
  let info: BackendInfo | undefined;
  if (forced === "node-gpu" || forced === "node") {
    info = await startNative(forced, true, notes);
  } else if (forced === undefined) {
    info = (await startNative("node-gpu", false, notes)) ?? (await startNative("node", false, notes));
  }
  if (!info && forced !== "cpu") info = await startWasm(forced === "wasm");
  if (!info) info = await startCpu(forced === "cpu");
  if (notes.length > 0) info.line += ` (${notes.join("; ")})`;
  console.log(info.line);
  return info;
}

function installHint(pkg: string): string {
  return `npm install ${pkg} (needs internet at install: it downloads libtensorflow) — ${guide}`;
}

/**
 * Loads an optional native package with a guarded require (it is untyped here, so this file
 * type-checks and runs without it): true once loaded, false when not installed, else the reason
 * it failed to load.
 */
function requireOptional(pkg: string): boolean | string {
  try {
    require(pkg);
    return true;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "MODULE_NOT_FOUND" && String(e.message).includes(pkg)) return false;
    return String(e.message).split("\n")[0];
  }
}

async function startNative(kind: "node-gpu" | "node", forced: boolean, notes: string[]): Promise<BackendInfo | undefined> {
  const pkg = nativePackages[kind];
  process.env.TF_CPP_MIN_LOG_LEVEL ??= "2"; // keeps libtensorflow's start-up notes off stderr
  const loaded = requireOptional(pkg);
  if (loaded === false) {
    if (!forced) return undefined;
    throw new Error(`${envVar}=${kind} asks for ${pkg}, which is not installed. Install it with: ${installHint(pkg)}; or unset ${envVar}.`);
  }
  const started = loaded === true && (await tf.setBackend("tensorflow"));
  if (!started) {
    const why = `${pkg} is installed but did not start${loaded === true ? "" : `: ${loaded}`}`;
    if (forced) throw new Error(`${why}. Reinstall it: ${installHint(pkg)}; or unset ${envVar}.`);
    notes.push(why);
    return undefined;
  }
  const detail = `${pkg}, native libtensorflow ${kind === "node-gpu" ? "with CUDA" : "on the CPU"}`;
  const faster =
    kind === "node-gpu"
      ? "" // nothing faster to suggest
      : ` Faster on an NVIDIA GPU: npm install @tensorflow/tfjs-node-gpu — ${guide}`;
  return makeInfo(kind, forced, detail, [], faster, os.availableParallelism());
}

async function startWasm(forced: boolean): Promise<BackendInfo | undefined> {
  let started = false;
  let reason = "";
  const threads = threadsSetting(); // a bad RNN_LESSONS_THREADS stops here, before anything starts
  const shared = shareWasmHeap();
  try {
    started = await tf.setBackend("wasm");
  } catch (err) {
    reason = (err as Error).message;
  }
  if (!started) {
    if (!forced) return undefined;
    throw new Error(`${envVar}=wasm: the WebAssembly backend did not start${reason ? ` (${reason})` : ""}. Reinstall the packages with npm ci.`);
  }
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const fast = registerFastWasmKernels();
  // The course's kernels split across threads on a shared heap; without them, tfjs's own count (1 in Node).
  const count = fast.length && shared ? useThreads(threads) : getThreadsCount();
  const detail = `${simd ? "SIMD" : "no SIMD"}, ${count} thread${count === 1 ? "" : "s"}` + (fast.length ? ", fast recurrent kernels" : "");
  return makeInfo("wasm", forced, detail, fast, ` Faster: ${installHint(nativePackages.node)}`, count);
}

async function startCpu(forced: boolean): Promise<BackendInfo> {
  if (!(await tf.setBackend("cpu"))) throw new Error("TensorFlow.js could not start even its plain JavaScript backend; reinstall the packages with npm ci.");
  const faster = forced
    ? ` Faster: unset ${envVar} (the wasm backend is installed).`
    : ` Faster: the wasm backend did not start; reinstall the packages with npm ci, or ${installHint(nativePackages.node)}`;
  return makeInfo("cpu", forced, "plain JavaScript, slow", [], faster, 1);
}

function makeInfo(kind: BackendKind, forced: boolean, detail: string, fastKernels: string[], faster: string, threads: number): BackendInfo {
  const name = tf.getBackend();
  const how = forced ? `, forced by ${envVar}=${kind}` : "";
  const line = `TensorFlow.js backend: ${name} (${detail}${how}).${faster}`;
  return { kind, name, forced, detail, threads, fastKernels, line };
}
