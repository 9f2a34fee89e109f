// Benchmarks of the TensorFlow.js set-up, each printing a table of ratios measured within one run
// (machines differ and are shared: only ratios from the same run compare). `npm run bench -- NAME`.
//   backends  matmul GFLOP/s and a small LSTM training step on every backend installed here
//   wasm      stock vs the course's wasm kernels on the lessons' three recurrent models
//   generate  characters/s: stateful one-step generation vs re-predicting a 40-character window
import { quick as courseQuick } from "../../src/course";
import { initBackend, tf } from "../../src/tf/backend";
import { CharGenerator, sampleIndex, seededRandom } from "../../src/tf/generate";
import { registerFastWasmKernels, unregisterFastWasmKernels } from "../../src/tf/kernels/index";

/** A benchmark the CLI can run. */
export interface Bench {
  describe: string;
  run(args: string[]): Promise<void>;
}

interface BenchOptions {
  /** Seconds to spend on each measurement (after a warm-up). */
  seconds: number;
  /** Measurements of each setting, alternating between the settings compared; the best counts. */
  rounds: number;
}

export function parseOptions(args: string[]): BenchOptions {
  const quick = courseQuick || args.includes("--quick");
  const options = { seconds: quick ? 1 : 2, rounds: quick ? 1 : 3 };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    if (flag === "--quick") continue;
    if (flag !== "--seconds" && flag !== "--rounds") {
      throw new Error(`Unknown option ${args[i]}: the benchmarks take --seconds N (per measurement), --rounds N and --quick.`);
    }
    const value = Number(inline ?? args[++i]);
    if (!(value > 0)) throw new Error(`${flag} takes a positive number, not ${inline ?? args[i]}.`);
    options[flag === "--seconds" ? "seconds" : "rounds"] = flag === "--rounds" ? Math.ceil(value) : value;
  }
  return options;
}

/**
 * Measures each setting `rounds` times, alternating (so that a burst of load elsewhere on a shared
 * machine hits both), and keeps the best rate of each. `setting` prepares one; `measure` returns a rate.
 */
export async function alternate<S extends string>(settings: Record<S, () => void>, rounds: number, measure: (setting: S) => Promise<number>): Promise<Record<S, number>> {
  const best = {} as Record<S, number>;
  for (let r = 0; r < rounds; r++) {
    for (const name of Object.keys(settings) as S[]) {
      settings[name]();
      const value = await measure(name);
      best[name] = Math.max(best[name] ?? -Infinity, value);
    }
  }
  return best;
}

/** Runs `work` (one unit per call) for about `seconds` after `warmUp` calls; returns units per second. */
export async function rate(work: () => unknown, seconds: number, warmUp = 1): Promise<number> {
  for (let i = 0; i < warmUp; i++) await work();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    await work();
    count++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < seconds);
  return count / elapsed;
}

/** Prints rows as a Markdown table (numbers right-aligned). */
export function printTable(header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  console.log(line(cells[0]));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

const fixed = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");

/** GFLOP/s of a float32 n×n matmul on the current backend and kernels. */
export async function matmulGflops(n: number, seconds: number): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  // (Nothing returned from tidy: it would search a returned typed array for tensors, element by element.)
  const perSecond = await rate(() => tf.tidy(() => void tf.matMul(a, b).dataSync()), seconds, 2);
  tf.dispose([a, b]);
  return (perSecond * 2 * n ** 3) / 1e9;
}

/** A model, a batch to train it on, and the matmul FLOPs of one training step. */
interface TrainingCase {
  name: string;
  model: tf.LayersModel;
  x: tf.Tensor;
  y: tf.Tensor;
  batch: number;
  flopsPerStep: number;
}

// Forward matmul FLOPs of an LSTM layer over a batch: per timestep x·W and h·U, 2·(in + units)·4·units each row.
const lstmFlops = (batch: number, steps: number, inputs: number, units: number) => 2 * batch * steps * (inputs + units) * 4 * units;
// A training step does the forward products once and, for the gradients, twice more (the 3x rule).
const trainingFlops = (forward: number) => 3 * forward;

function compileForTraining(model: tf.LayersModel): tf.LayersModel {
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  return model;
}

/** The lessons' recurrent models at their training batch sizes, with random data. */
export function lessonModels(): TrainingCase[] {
  const mnist = tf.sequential({ layers: [tf.layers.lstm({ units: 128, inputShape: [28, 28] }), tf.layers.dense({ units: 10, activation: "softmax" })] });
  const window = tf.sequential({ layers: [tf.layers.lstm({ units: 128, inputShape: [40, 38] }), tf.layers.dense({ units: 38, activation: "softmax" })] });
  const poems = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 3000, outputDim: 128, inputLength: 32 }),
      tf.layers.lstm({ units: 128, returnSequences: true }),
      tf.layers.lstm({ units: 128, returnSequences: true }),
      tf.layers.dense({ units: 3000, activation: "softmax" }),
    ],
  });
  const labels = (shape: number[], classes: number) => tf.oneHot(tf.randomUniform(shape, 0, classes, "int32"), classes);
  return [
    {
      name: "MNIST LSTM(128) 28×28 → 10, batch 128",
      model: compileForTraining(mnist),
      x: tf.randomNormal([128, 28, 28]),
      y: labels([128], 10),
      batch: 128,
      flopsPerStep: trainingFlops(lstmFlops(128, 28, 28, 128) + 2 * 128 * 128 * 10),
    },
    {
      name: "Shakespeare window LSTM(128) 40×38 one-hot → 38, batch 128",
      model: compileForTraining(window),
      x: labels([128, 40], 38).cast("float32"),
      y: labels([128], 38),
      batch: 128,
      flopsPerStep: trainingFlops(lstmFlops(128, 40, 38, 128) + 2 * 128 * 128 * 38),
    },
    {
      name: "Poems Embedding(3000,128) + 2×LSTM(128) → 3000 per step, 32 steps, batch 64",
      model: compileForTraining(poems),
      x: tf.randomUniform([64, 32], 0, 3000, "int32").cast("float32"),
      y: labels([64, 32], 3000),
      batch: 64,
      flopsPerStep: trainingFlops(2 * lstmFlops(64, 32, 128, 128) + 2 * 64 * 32 * 128 * 3000),
    },
  ];
}

/** Training samples per second of one case, or NaN with the reason when the backend cannot train it. */
async function samplesPerSecond(c: TrainingCase, seconds: number): Promise<[number, string]> {
  try {
    const steps = await rate(() => c.model.trainOnBatch(c.x, c.y), seconds, 2);
    return [steps * c.batch, ""];
  } catch (err) {
    return [NaN, (err as Error).message.split("\n")[0]];
  }
}

async function benchBackends(args: string[]): Promise<void> {
  const { seconds } = parseOptions(args);
  await initBackend();
  const start = tf.getBackend();
  const small = () => {
    const model = compileForTraining(tf.sequential({ layers: [tf.layers.lstm({ units: 32, inputShape: [16, 8] }), tf.layers.dense({ units: 4, activation: "softmax" })] }));
    return { model, x: tf.randomNormal([32, 16, 8]), y: tf.oneHot(tf.randomUniform([32], 0, 4, "int32"), 4) };
  };
  const runs: Array<[string, string, () => void]> = [["cpu", "cpu", () => undefined]];
  const registered = tf.engine().backendNames();
  if (registered.includes("wasm")) {
    runs.push(["wasm", "wasm (stock kernels)", unregisterFastWasmKernels]);
    runs.push(["wasm", "wasm (course kernels)", () => registerFastWasmKernels()]);
  }
  if (registered.includes("tensorflow")) runs.push(["tensorflow", "tensorflow (tfjs-node)", () => undefined]);
  const rows: Array<[string, number, number]> = [];
  for (const [backend, label, prepare] of runs) {
    await tf.setBackend(backend);
    prepare();
    const gflops = await matmulGflops(512, seconds);
    const { model, x, y } = small();
    const steps = await rate(() => model.trainOnBatch(x, y), seconds, 2);
    tf.dispose([x, y]);
    model.dispose();
    rows.push([label, gflops, steps * 32]);
  }
  await tf.setBackend(start);
  if (start === "wasm") registerFastWasmKernels();
  const [, cpuGflops, cpuSamples] = rows[0];
  console.log("\nfloat32 512×512 matmul, and training LSTM(32) over 16×8 → 4 at batch 32 (ratios against cpu, same run):");
  printTable(
    ["backend", "matmul GFLOP/s", "× cpu", "LSTM samples/s", "× cpu"],
    rows.map(([label, g, s]) => [label, fixed(g), fixed(g / cpuGflops), fixed(s, 0), fixed(s / cpuSamples)]),
  );
}

// The slow paths the issue measured, one kernel call each, at batch 128.
function kernelCases(): Array<{ name: string; inputs: tf.Tensor[]; run: () => tf.Tensor | tf.Tensor[] }> {
  const h = tf.randomNormal([128, 512]);
  const w = tf.randomNormal([128, 512]);
  const hs = tf.randomNormal([3584, 128]);
  const dz = tf.randomNormal([3584, 512]);
  const steps = tf.randomNormal([28, 128, 512]);
  const small = tf.randomNormal([128, 128]);
  const gates = tf.randomNormal([128, 512]);
  const other = tf.randomNormal([128, 128]);
  const mask = tf.greater(small, 0);
  return [
    { name: "BatchMatMul [128,512]·[128,512]ᵀ (transposeB)", inputs: [h, w], run: () => tf.matMul(h, w, false, true) },
    { name: "BatchMatMul [3584,128]ᵀ·[3584,512] (transposeA)", inputs: [hs, dz], run: () => tf.matMul(hs, dz, true, false) },
    { name: "Slice one timestep of [28,128,512]", inputs: [steps], run: () => tf.slice(steps, [5, 0, 0], [1, 128, 512]) },
    { name: "Tanh [128,128]", inputs: [small], run: () => tf.tanh(small) },
    { name: "Sigmoid [128,128] (not replaced)", inputs: [], run: () => tf.sigmoid(small) },
    { name: "SplitV [128,512] into 4 gates", inputs: [gates], run: () => tf.split(gates, 4, 1) },
    { name: "Select [128,128] (hard-sigmoid gradient)", inputs: [mask, other], run: () => tf.where(mask, small, other) },
    { name: "Sum [128,512] over the batch (bias gradient)", inputs: [], run: () => tf.sum(gates, 0) },
  ];
}

async function benchWasm(args: string[]): Promise<void> {
  const { seconds, rounds } = parseOptions(args);
  const info = await initBackend();
  if (info.name !== "wasm") throw new Error(`The wasm benchmark needs the wasm backend; this process runs ${info.name}. Run it with RNN_LESSONS_BACKEND=wasm.`);
  const kernels = { stock: unregisterFastWasmKernels, course: () => void registerFastWasmKernels() };
  const kernelRows: Array<Array<string | number>> = [];
  const cases = kernelCases();
  for (const c of cases) {
    const perSecond = await alternate(kernels, rounds, () => rate(() => tf.dispose(c.run()), Math.min(seconds, 1), 2));
    kernelRows.push([c.name, fixed(1e6 / perSecond.stock, 0), fixed(1e6 / perSecond.course, 0), fixed(perSecond.course / perSecond.stock)]);
  }
  tf.dispose(cases.flatMap((c) => c.inputs));
  console.log("\nKernels, one call (µs; best of alternating runs):");
  printTable(["kernel", "stock µs", "course µs", "× stock"], kernelRows);
  const matmul = await alternate(kernels, rounds, () => matmulGflops(512, seconds));
  const roofline = Math.max(matmul.stock, matmul.course);
  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  for (const c of lessonModels()) {
    const failures: Partial<Record<keyof typeof kernels, string>> = {};
    const rate = await alternate(kernels, rounds, async (which) => {
      const [samples, why] = await samplesPerSecond(c, seconds);
      if (why) failures[which] = why;
      return samples;
    });
    for (const [which, why] of Object.entries(failures)) notes.push(`${c.name}: ${which} kernels fail: ${why}`);
    const gflops = ((rate.course / c.batch) * c.flopsPerStep) / 1e9;
    rows.push([c.name, fixed(rate.stock), fixed(rate.course), fixed(rate.course / rate.stock), fixed(gflops), `${fixed((100 * gflops) / roofline, 0)}%`]);
    tf.dispose([c.x, c.y]);
    c.model.dispose();
  }
  registerFastWasmKernels();
  console.log(`\nfloat32 512×512 matmul: stock ${fixed(matmul.stock)} GFLOP/s, course kernels ${fixed(matmul.course)} GFLOP/s (roofline: the larger).`);
  console.log(`Training, best of ${rounds} alternating runs of ${seconds} s (FLOPs = 3 × the forward matrix products; share = GFLOP/s ÷ roofline):`);
  printTable(["model", "stock samples/s", "course samples/s", "× stock", "GFLOP/s", "roofline share"], rows);
  for (const note of notes) console.log(`  ${note}`);
}

/** Characters per second when every character re-runs the model on the last `window` characters. */
async function windowRate(model: tf.LayersModel, vocab: number, window: number, embedded: boolean, seconds: number): Promise<number> {
  const random = seededRandom(7);
  const text = Array.from({ length: window }, (_, i) => i % vocab);
  return rate(() => {
    const output = tf.tidy(() => {
      const indices = tf.tensor2d([text.slice(-window)], [1, window], "int32");
      const x = embedded ? indices.cast("float32") : tf.oneHot(indices, vocab).cast("float32");
      return model.predict(x) as tf.Tensor;
    });
    text.push(sampleIndex(output.dataSync(), random));
    output.dispose();
  }, seconds, 3);
}

async function benchGenerate(args: string[]): Promise<void> {
  const { seconds } = parseOptions(args);
  const info = await initBackend();
  const cases: Array<{ name: string; vocab: number; layers: number; embedded: boolean }> = [
    { name: "Shakespeare LSTM(128), 38 chars", vocab: 38, layers: 1, embedded: false },
    { name: "2×LSTM(128), 38 chars", vocab: 38, layers: 2, embedded: false },
    { name: "Poems Embedding + 2×LSTM(128), 3000 chars", vocab: 3000, layers: 2, embedded: true },
  ];
  const rows: Array<Array<string | number>> = [];
  for (const c of cases) {
    const model = tf.sequential();
    for (let l = 0; l < c.layers; l++) {
      if (l === 0 && c.embedded) model.add(tf.layers.embedding({ inputDim: c.vocab, outputDim: 128, inputLength: 40 }));
      const shape = l === 0 && !c.embedded ? { inputShape: [40, c.vocab] } : {};
      model.add(tf.layers.lstm({ units: 128, returnSequences: l < c.layers - 1, ...shape }));
    }
    model.add(tf.layers.dense({ units: c.vocab, activation: "softmax" }));
    const generator = new CharGenerator(model);
    const random = seededRandom(1);
    let current = 0;
    const stateful = await rate(() => {
      for (let i = 0; i < 100; i++) current = generator.sampleAfter(current, { temperature: 0.8, random });
    }, seconds, 2);
    const window = await windowRate(model, c.vocab, 40, c.embedded, seconds);
    rows.push([c.name, fixed(stateful * 100, 0), fixed(window, 0), fixed((stateful * 100) / window, 0)]);
    model.dispose();
  }
  console.log(`\nGeneration on ${info.name}, characters/s (window: model.predict on the last 40 characters per character):`);
  printTable(["model", "stateful chars/s", "window chars/s", "× window"], rows);
}

/** The benchmarks `npm run bench -- NAME` runs. */
export const benches: Record<string, Bench> = {
  backends: {
    describe: "float32 512×512 matmul GFLOP/s and a small LSTM training step on each backend installed (ratios against cpu)",
    run: benchBackends,
  },
  wasm: {
    describe: "stock vs the course's wasm kernels: samples/s, ratio and matmul-roofline share for the MNIST, Shakespeare and poem models",
    run: benchWasm,
  },
  generate: {
    describe: "characters/s of stateful one-step generation vs re-predicting a 40-character window",
    run: benchGenerate,
  },
};
