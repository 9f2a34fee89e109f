// `npm run bench -- tang`: lesson 5's poem model on the wasm backend, measured in one run: training poems per second
// with the stock wasm kernels and with the course's, the loss's softmax only at the real targets against at every
// position (padded batches, where it matters, and batches of one length), and generation characters per second.
import { processPoems } from "../../src/data/poems";
import { buildPoemModel, generatePoem, heldOutLoss, poemGenerator, trainPoemModel } from "../../src/tang/index";
import type { SoftmaxAt } from "../../src/tang/index";
import { initBackend } from "../../src/tf/backend";
import { seededRandom } from "../../src/tf/generate";
import { registerFastWasmKernels, unregisterFastWasmKernels } from "../../src/tf/kernels/index";
import { alternate, parseOptions, printTable, rate } from "./tf";

export async function benchTang(args: string[]): Promise<void> {
  const { seconds, rounds } = parseOptions(args);
  const info = await initBackend();
  if (info.name !== "wasm") throw new Error(`This benchmark compares wasm kernels; this process runs ${info.name}. Run it with RNN_LESSONS_BACKEND=wasm.`);
  const set = processPoems(undefined, { maxVocab: 3000 });
  const heldOut = set.heldOutSequences.slice(0, 8); // the loop measures it once at the end: keep that short
  const trainSpeed = async (o: { buckets: boolean; softmaxAt: SoftmaxAt; position?: boolean }) => {
    const model = buildPoemModel({ vocabSize: set.vocab.vocabSize, position: o.position ?? true });
    try {
      const result = await trainPoemModel(model, set.trainSequences, heldOut, set.vocab, { ...o, maxSeconds: seconds, evalEvery: 1e9, sampleCount: 0 });
      return result.poemsPerSecond;
    } catch (err) {
      // The stock wasm backend has no UnsortedSegmentSum kernel, which an Embedding's gradient needs.
      if (/UnsortedSegmentSum/.test(String(err))) return NaN;
      throw err;
    } finally {
      model.dispose();
    }
  };
  const kernels = { stock: unregisterFastWasmKernels, course: () => void registerFastWasmKernels() };
  const byKernels = await alternate(kernels, rounds, () => trainSpeed({ buckets: true, softmaxAt: "targets" }));
  // The forward pass alone (the held-out loss: no Embedding gradient needed) runs on both.
  const evalModel = buildPoemModel({ vocabSize: set.vocab.vocabSize });
  const evalPoems = set.heldOutSequences.slice(0, 512);
  const forward = await alternate(kernels, rounds, async () => (await rate(() => heldOutLoss(evalModel, evalPoems, set.vocab), seconds, 1)) * evalPoems.length);
  evalModel.dispose();
  registerFastWasmKernels();
  const ways = {
    "padded, softmax at targets": () => undefined, "padded, softmax everywhere": () => undefined,
    "buckets, softmax at targets": () => undefined, "buckets, softmax everywhere": () => undefined,
    "buckets, no position features": () => undefined,
  };
  const byWay = await alternate(ways, rounds, (way) => trainSpeed({
    buckets: way.startsWith("buckets"), softmaxAt: way.includes("everywhere") ? "all" : "targets", position: !way.includes("no position"),
  }));
  const f = (v: number) => (Number.isNaN(v) ? "cannot train" : v.toFixed(1));
  console.log(`\nTraining on ${info.name}, poems per second (batches of 64, the shipped model's shape; best of ${rounds} alternating runs of ${seconds} s):`);
  printTable(["kernels", "poems/s", "× stock"], [
    ["stock wasm kernels", f(byKernels.stock), "1"],
    ["the course's kernels", f(byKernels.course), Number.isNaN(byKernels.stock) ? "–" : (byKernels.course / byKernels.stock).toFixed(1)],
  ]);
  if (Number.isNaN(byKernels.stock)) console.log("  cannot train: the stock wasm backend has no UnsortedSegmentSum kernel, which an Embedding's gradient needs (the course registers one).");
  console.log(`\nThe held-out loss (forward only, 512 held-out poems in batches of 512), poems per second:`);
  printTable(["kernels", "poems/s", "× stock"], [
    ["stock wasm kernels", forward.stock.toFixed(0), "1"],
    ["the course's kernels", forward.course.toFixed(0), (forward.course / forward.stock).toFixed(1)],
  ]);
  console.log(`\nThe loss (course kernels), poems per second:`);
  const base = byWay["padded, softmax everywhere"];
  printTable(["batches and loss", "poems/s", "× padded everywhere"], Object.entries(byWay).map(([k, v]) => [k, v.toFixed(1), (v / base).toFixed(2)]));
  // Generation: an untrained model of the same shape (speed does not depend on the weights): one step with the
  // position features fed by PoemPosition, and whole constrained poems.
  const model = buildPoemModel({ vocabSize: set.vocab.vocabSize });
  const generator = poemGenerator(model, set.vocab);
  model.dispose();
  let current = set.vocab.start;
  generator.reset();
  const random = seededRandom(1);
  const steps = await rate(() => {
    for (let i = 0; i < 100; i++) {
      current = generator.sampleAfter(current, { temperature: 0.6, random });
      if (current === set.vocab.end || current === set.vocab.pad) {
        generator.reset();
        current = set.vocab.start;
      }
    }
  }, seconds, 2);
  let chars = 0;
  let written = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000 || written < 3) {
    chars += Array.from(generatePoem(generator, set.vocab, { form: "五言律诗", rhyme: true, temperature: 0.6, random }).text).length + 1; // + the end token
    written++;
  }
  const poemChars = chars / ((performance.now() - started) / 1000);
  console.log(`\nGeneration on ${info.name} (CharGenerator with the position features), characters per second:`);
  printTable(["way", "chars/s"], [
    ["one step + a draw (sampleAfter)", (steps * 100).toFixed(0)],
    ["generatePoem 五言律诗 with rhyme (the masks, the draws)", poemChars.toFixed(0)],
  ]);
}
