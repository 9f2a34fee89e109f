// `npm run bench -- dinos`: model() at the course's settings, in iterations per second, against the same
// algorithm in numpy (test/fixtures/charlm_reference.py) run in the same command.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { datasetsDir, numpyPython, repoRoot } from "../../src/course";
import { loadNames } from "../../src/data/names";
import { model } from "../../src/charlm/model";
import { copyParameters, Parameters } from "../../src/charlm/parameters";
import { simdAvailable } from "../../src/charlm/simd";

const referenceScript = path.join(repoRoot, "test", "fixtures", "charlm_reference.py");

/** Returns the iterations per second of src/charlm's model() over `iterations` iterations, and its final loss. */
export function timeModel(iterations: number, kernels: "simd" | "js" = "simd"): { seconds: number; iterationsPerSecond: number; loss: number } {
  const dinos = loadNames(path.join(datasetsDir, "dinos.txt"));
  const start = performance.now();
  const { loss } = model(dinos.names, dinos.ixToChar, dinos.charToIx, { numIterations: iterations, print: false, kernels });
  const seconds = (performance.now() - start) / 1000;
  return { seconds, iterationsPerSecond: iterations / seconds, loss };
}

/** Returns numpy's iterations per second for the same model, or why it could not be measured. */
export function timeNumpy(iterations: number): { iterationsPerSecond: number; seconds: number; numpy: string } | { missing: string } {
  const python = numpyPython();
  if (!fs.existsSync(python)) return { missing: `${python} does not exist (set RNN_LESSONS_NUMPY_PYTHON to a python3 with numpy)` };
  const probe = spawnSync(python, ["-c", "import numpy"], { encoding: "utf8" });
  if (probe.status !== 0) return { missing: `${python} has no numpy (Debian: apt-get install python3-numpy)` };
  const run = spawnSync(python, [referenceScript, "--bench", String(iterations)], { encoding: "utf8" });
  if (run.status !== 0) return { missing: `${path.relative(repoRoot, referenceScript)} failed: ${run.stderr.trim().split("\n").pop()}` };
  return JSON.parse(run.stdout.trim().split("\n").pop()!);
}

/** Each iteration's loss and the logs of numpy's model (charlm_reference.py --trace), or why there are none. */
function traceNumpy(iterations: number): { losses: number[]; logs: { iteration: number; loss: number; names: string[] }[]; parameters: Record<string, Record<string, number[][]>> } | { missing: string } {
  const probe = timeNumpy(1);
  if ("missing" in probe) return probe;
  const file = path.join(os.tmpdir(), `charlm-trace-${process.pid}.json`);
  const run = spawnSync(numpyPython(), [referenceScript, "--trace", String(iterations), file], { encoding: "utf8" });
  if (run.status !== 0) return { missing: `${path.relative(repoRoot, referenceScript)} --trace failed: ${(run.stderr || String(run.error)).trim().split("\n").pop()}` };
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * Prints where src/charlm's training and numpy's part: the first iteration at which each name's loss
 * differs by more than 1e-12, 1e-9, 1e-6, 1e-3 and 1e-1 (relative), the first log whose printed loss
 * or names differ, and the largest parameter difference at numpy's snapshots.
 */
function divergence(iterations: number): void {
  const numpy = traceNumpy(iterations);
  if ("missing" in numpy) {
    console.log(`  numpy: not measured: ${numpy.missing}`);
    return;
  }
  const dinos = loadNames(path.join(datasetsDir, "dinos.txt"));
  const losses: number[] = [];
  const logs: { iteration: number; loss: number; names: string[] }[] = [];
  const snapshots: Record<string, Parameters> = {};
  const wanted = new Set(Object.keys(numpy.parameters).map(Number));
  model(dinos.names, dinos.ixToChar, dinos.charToIx, {
    numIterations: iterations, print: false,
    onIteration: (j, _loss, current, parameters) => {
      losses.push(current);
      if (wanted.has(j)) snapshots[j] = copyParameters(parameters);
    },
    onSample: (iteration, loss, names) => logs.push({ iteration, loss, names }),
  });
  for (const threshold of [1e-12, 1e-9, 1e-6, 1e-3, 1e-1]) {
    const j = losses.findIndex((loss, i) => Math.abs(loss - numpy.losses[i]) > threshold * Math.abs(numpy.losses[i]));
    console.log(`  the names' losses first differ by more than ${threshold.toExponential(0)} (relative) at iteration ${j < 0 ? "never" : j}`);
  }
  const printed = logs.findIndex((log, k) => log.loss.toFixed(6) !== numpy.logs[k].loss.toFixed(6));
  const named = logs.findIndex((log, k) => log.names.join() !== numpy.logs[k].names.map((n) => n.replace(/\n$/, "")).join());
  console.log(`  first log whose printed loss differs: ${printed < 0 ? "none" : `iteration ${logs[printed].iteration} (${logs[printed].loss.toFixed(6)} here, ${numpy.logs[printed].loss.toFixed(6)} in numpy)`}`);
  console.log(`  first log whose sampled names differ: ${named < 0 ? "none" : `iteration ${logs[named].iteration}`}`);
  for (const j of [...wanted].sort((a, b) => a - b)) {
    const ours = snapshots[j];
    let worst = 0;
    for (const [name, rows] of Object.entries(numpy.parameters[String(j)])) {
      const data = ours[name as keyof Parameters].data;
      rows.flat().forEach((v, i) => (worst = Math.max(worst, Math.abs(data[i] - v))));
    }
    console.log(`  after iteration ${j}: largest parameter difference ${worst.toExponential(2)}`);
  }
}

export const dinosBench = {
  describe: "lesson 3's model() on dinos.txt (35000 iterations, nA 50), iterations per second against numpy; --divergence: where they part",
  async run(args: string[]): Promise<void> {
    const at = args.indexOf("--iterations");
    const iterations = at >= 0 ? Number(args[at + 1]) : 35000;
    if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`bench dinos: --iterations must be a positive integer, got ${args[at + 1]}`);
    if (args.includes("--divergence")) {
      console.log(`dinos --divergence: where model() here and in numpy part, over ${iterations} iterations`);
      divergence(iterations);
      return;
    }
    const load = os.loadavg()[0];
    console.log(`dinos: model() on datasets/dinos.txt, ${iterations} iterations, nA = 50, plain SGD (load average ${load.toFixed(1)} on ${os.cpus().length} cores)`);
    if (load > os.cpus().length * 0.75) console.log("  (the machine is busy: the rates below share the CPU with other processes and may swing)");
    const ours = timeModel(iterations);
    const kernelsUsed = simdAvailable() ? "WebAssembly SIMD kernels" : "JavaScript kernels (no WebAssembly SIMD here)";
    console.log(`  src/charlm, ${kernelsUsed}: ${ours.iterationsPerSecond.toFixed(0)} iterations/s (${ours.seconds.toFixed(2)} s, final smoothed loss ${ours.loss.toFixed(6)})`);
    const plain = simdAvailable() ? timeModel(iterations, "js") : null;
    if (plain) console.log(`  src/charlm, plain JavaScript kernels: ${plain.iterationsPerSecond.toFixed(0)} iterations/s (${plain.seconds.toFixed(2)} s, the same loss ${plain.loss.toFixed(6)})`);
    const numpy = timeNumpy(iterations);
    if ("missing" in numpy) {
      console.log(`  numpy: not measured: ${numpy.missing}`);
      return;
    }
    console.log(`  numpy ${numpy.numpy} (test/fixtures/charlm_reference.py): ${numpy.iterationsPerSecond.toFixed(0)} iterations/s (${numpy.seconds.toFixed(2)} s)`);
    const ratio = ours.iterationsPerSecond / numpy.iterationsPerSecond;
    console.log(`  ratio: ${ratio.toFixed(2)}× numpy's iterations per second (goal: at least 5×)` +
      (plain ? `; plain JavaScript kernels: ${(plain.iterationsPerSecond / numpy.iterationsPerSecond).toFixed(2)}×` : ""));
  },
};
