// `npm run bench -- mnist`: lesson 2's model, trained on real batches, on each backend installed.
import { quick as courseQuick } from "../../src/course";
import { loadMnist, splitValidation, subset } from "../../src/data/mnist";
import { buildClassifier } from "../../src/mnist/model";
import { batches } from "../../src/mnist/tensors";
import { trainClassifier, trainStep } from "../../src/mnist/train";
import { initBackend, tf } from "../../src/tf/backend";
import { registerFastWasmKernels, unregisterFastWasmKernels } from "../../src/tf/kernels/index";
import { printTable, rate } from "./tf";

/**
 * Prints the training samples/s of LSTM(128) → Dense(10) at batch 128 on each backend here (wasm with the
 * course's kernels and with the stock ones, cpu, tfjs-node when installed), measured in one run, and the time of
 * one epoch (55,000 digits, then the 5,000 validation digits) on the fastest. `--quick`: shorter, and the epoch
 * time is extrapolated from a tenth of an epoch.
 */
export async function benchMnist(args: string[]): Promise<void> {
  const quick = args.includes("--quick") || courseQuick;
  const seconds = quick ? 2 : 6;
  const chosen = await initBackend();
  const { train, validation } = splitValidation(loadMnist("train"), 5000);
  const settings: Array<[string, string, () => void]> = [];
  const names = tf.engine().backendNames();
  if (names.includes("tensorflow")) settings.push(["tensorflow", "tensorflow (tfjs-node)", () => undefined]);
  if (names.includes("wasm")) {
    settings.push(["wasm", "wasm, course kernels", () => void registerFastWasmKernels()]);
    settings.push(["wasm", "wasm, stock kernels", unregisterFastWasmKernels]);
  }
  settings.push(["cpu", "cpu (plain JavaScript)", () => undefined]);
  const rows: Array<[string, number]> = [];
  for (const [backend, label, prepare] of settings) {
    await tf.setBackend(backend);
    prepare();
    const model = buildClassifier();
    const optimizer = tf.train.adam(1e-3);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const source = batches(train, 128, { seed: 1 });
    const step = () => {
      const next = source.next();
      if (next.done) throw new Error("benchMnist: ran out of batches");
      trainStep(model, optimizer, variables, next.value.xs, next.value.ys, 5);
    };
    // The cpu backend is two orders slower: one warm-up step and a shorter window keep the bench bearable.
    const perSecond = await rate(step, backend === "cpu" ? Math.min(seconds, 3) : seconds, backend === "cpu" ? 1 : 3);
    source.return(undefined);
    optimizer.dispose();
    model.dispose();
    rows.push([label, perSecond * 128]);
    console.log(`${label}: ${(perSecond * 128).toFixed(0)} samples/s`);
  }
  await tf.setBackend(chosen.name);
  if (chosen.name === "wasm") registerFastWasmKernels();
  const slowest = Math.min(...rows.map(([, s]) => s));
  console.log("\nTraining LSTM(128) 28×28 → Dense(10), batch 128, Adam, clipnorm 5, real MNIST batches (same run):");
  printTable(["backend", "samples/s", "× slowest", "epoch of 55,000 (s, estimated)"],
    rows.map(([label, s]) => [label, s.toFixed(0), (s / slowest).toFixed(1), (55000 / s).toFixed(0)]));
  const part = quick ? Math.round(train.count / 10) : train.count;
  const model = buildClassifier();
  const started = performance.now();
  const result = await trainClassifier(model, subset(train, 0, part), validation, { epochs: 1, logEvery: Infinity });
  const wall = (performance.now() - started) / 1000;
  model.dispose();
  const scale = train.count / part;
  console.log(`\nOne epoch on ${chosen.name}${quick ? " (a tenth, ×10)" : ""}: ${(result.seconds * scale).toFixed(0)} s training ` +
    `(${result.samplesPerSecond.toFixed(0)} samples/s), ${(wall * scale).toFixed(0)} s with batching and the validation pass.`);
}
