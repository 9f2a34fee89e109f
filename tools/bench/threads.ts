// `npm run bench -- threads`: the course's wasm kernels on one thread against every core, in one run. Training
// throughput of lesson 2's, 4's and 5's shipped settings with 1 and N threads (RNN_LESSONS_THREADS, default every
// core), the time to the shipped models' quality at those speeds, generation at batch 1 with the shipped models,
// the single-thread roofline share of the MNIST LSTM, and one matrix product at the lessons' shapes, to show where
// splitting a product starts to pay (simd-kernels.ts minPartWork chooses by that size).
import * as fs from "fs";
import * as path from "path";
import { pretrainedDir } from "../../src/course";
import { processPoems } from "../../src/data/poems";
import { buildCharModel, loadCharModel, loadSonnets, trainCharModel } from "../../src/shakespeare/index";
import { recipeDefaults as shakespeareRecipe } from "../../src/shakespeare/recipe";
import { buildPoemModel, poemGenerator, trainPoemModel } from "../../src/tang/index";
import { loadPoemModel, recipeDefaults as tangRecipe } from "../../src/tang/recipe";
import { initBackend, tf } from "../../src/tf/backend";
import { CharGenerator, seededRandom } from "../../src/tf/generate";
import { productParts, threadsInUse, useThreads } from "../../src/tf/kernels/simd-kernels";
import { alternate, lessonModels, matmulGflops, parseOptions, printTable, rate } from "./tf";

export async function benchThreads(args: string[]): Promise<void> {
  const { seconds, rounds } = parseOptions(args);
  const info = await initBackend();
  if (info.name !== "wasm") throw new Error(`This benchmark compares thread counts of the wasm kernels; this process runs ${info.name}. Run it with RNN_LESSONS_BACKEND=wasm.`);
  const many = Math.max(2, threadsInUse());
  const counts = { one: () => void useThreads(1), many: () => void useThreads(many) };
  const label = `${many} threads`;

  const [mnist] = lessonModels();
  const mnistRate = await alternate(counts, rounds, async () => (await rate(() => mnist.model.trainOnBatch(mnist.x, mnist.y), seconds, 2)) * mnist.batch);
  useThreads(1);
  const roofline = await matmulGflops(512, seconds);
  const mnistShare = (mnistRate.one / mnist.batch) * mnist.flopsPerStep / 1e9 / roofline;
  tf.dispose([mnist.x, mnist.y]);
  mnist.model.dispose();

  const { vocab, train, heldOut } = loadSonnets();
  const s = shakespeareRecipe;
  const shakespeare = await alternate(counts, rounds, async () => {
    const model = buildCharModel({ vocabSize: vocab.vocabSize, embedding: s.embedding, units: s.units, dropout: s.dropout, seed: 0 });
    try {
      return (await trainCharModel(model, train, heldOut, { batchSize: s.batchSize, seqLength: s.seqLength, maxSeconds: seconds, evalEvery: 1e9 })).charsPerSecond;
    } finally {
      model.dispose();
    }
  });

  const poems = processPoems(undefined, { maxVocab: tangRecipe.maxVocab });
  // Lesson 5's batches are poems of one length (length buckets), some twice as long as others: every run trains the
  // same first batches, as many as the first run got through in `seconds`, so that both thread counts do the same work.
  let steps: number | undefined;
  const tang = await alternate(counts, rounds, async () => {
    const model = buildPoemModel({ vocabSize: poems.vocab.vocabSize, position: tangRecipe.position, rhymeInput: tangRecipe.rhymeInput });
    try {
      const o = { buckets: tangRecipe.buckets, softmaxAt: tangRecipe.softmaxAt, batchSize: tangRecipe.batchSize, evalEvery: 1e9, sampleCount: 0 };
      const run = await trainPoemModel(model, poems.trainSequences, poems.heldOutSequences.slice(0, 8), poems.vocab, { ...o, ...(steps === undefined ? { maxSeconds: seconds } : { maxSteps: steps }) });
      steps ??= run.state.step;
      return run.poemsPerSecond;
    } finally {
      model.dispose();
    }
  });

  // One product at the shapes the lessons train and generate with.
  const shapes: Array<[string, number, number, number]> = [
    ["generation: h·U, LSTM(128)", 1, 128, 512],
    ["generation: h·U, LSTM(256)", 1, 256, 1024],
    ["training step: h·U, batch 64, LSTM(128)", 64, 128, 512],
    ["training step: h·U, batch 128, LSTM(128)", 128, 128, 512],
    ["training step: h·U, batch 32, LSTM(256)", 32, 256, 1024],
    ["output layer: 2048 positions × 3000 characters", 2048, 128, 3000],
  ];
  const products: Array<Array<string | number>> = [];
  for (const [name, m, k, n] of shapes) {
    const [a, b] = [tf.randomNormal([m, k]), tf.randomNormal([k, n])];
    const perSecond = await alternate(counts, rounds, () => rate(() => tf.dispose(tf.matMul(a, b)), Math.min(seconds, 1), 3));
    const parts = productParts(m, n, k, many).length;
    products.push([name, `${m}×${k}·${k}×${n}`, (1e6 / perSecond.one).toFixed(0), (1e6 / perSecond.many).toFixed(0), (perSecond.many / perSecond.one).toFixed(2), parts]);
    tf.dispose([a, b]);
  }
  // Generation with the shipped models, one character at a time at batch 1 (stays on one thread: too small to split).
  const generation = async (generator: CharGenerator, start: number, ends: number[]) => {
    const random = seededRandom(1);
    let current = start;
    return alternate(counts, rounds, async () => 100 * (await rate(() => {
      for (let i = 0; i < 100; i++) {
        current = generator.sampleAfter(current, { temperature: 0.7, random });
        if (ends.includes(current)) {
          generator.reset();
          current = start;
        }
      }
    }, seconds, 2)));
  };
  const charModel = await loadCharModel();
  const charRate = await generation(new CharGenerator(charModel.model), 0, []);
  charModel.model.dispose();
  const poems5 = await loadPoemModel();
  const poemRate = await generation(poemGenerator(poems5.model, poems5.vocab), poems5.vocab.start, [poems5.vocab.end, poems5.vocab.pad]);
  poems5.model.dispose();
  useThreads(many);

  const x = (r: Record<"one" | "many", number>) => (r.many / r.one).toFixed(2);
  console.log(`\nTraining on wasm with the course's kernels, 1 thread against ${label} (best of ${rounds} alternating runs of ${seconds} s):`);
  printTable(["model (shipped settings)", "1 thread", label, "× 1 thread"], [
    [`lesson 2: ${mnist.name}, samples/s`, mnistRate.one.toFixed(0), mnistRate.many.toFixed(0), x(mnistRate)],
    [`lesson 4: 2×LSTM(${s.units.join(", ")}), batch ${s.batchSize}×${s.seqLength}, characters/s`, shakespeare.one.toFixed(0), shakespeare.many.toFixed(0), x(shakespeare)],
    [`lesson 5: Embedding + 2×LSTM(${tangRecipe.units.join(", ")}), batch ${tangRecipe.batchSize}, its first ${steps} batches, poems/s`, tang.one.toFixed(1), tang.many.toFixed(1), x(tang)],
  ]);
  // Time to each shipped model's best held-out loss at these speeds: the batches it took come from its shipped
  // metrics.json (they do not depend on the machine), the speed from this run.
  const shipped = (name: string) => JSON.parse(fs.readFileSync(path.join(pretrainedDir(name), "metrics.json"), "utf8"));
  const lstm = shipped("shakespeare-lstm");
  const poemModel = shipped("tang-lstm");
  const chars = lstm.bestStep * lstm.settings.batchSize * lstm.settings.seqLength;
  const poemsSeen = poemModel.bestStep * poemModel.settings.batchSize;
  const minutes = (work: number, perSecond: number) => (work / perSecond / 60).toFixed(1);
  console.log(`\nTraining time to the shipped models' best held-out loss at these speeds (batches from their metrics.json; the shipped runs' own time on the threads they had):`);
  const ownTime = (m: { bestTrainSeconds: number; threads?: number }) => `${(m.bestTrainSeconds / 60).toFixed(1)} (${m.threads ?? 1} thread${(m.threads ?? 1) > 1 ? "s" : ""})`;
  printTable(["model", "held-out nats/char", "reached after", "shipped run, min", "1 thread, min", `${label}, min`], [
    ["lesson 4: shakespeare-lstm", lstm.heldOutLoss.toFixed(4), `${lstm.bestStep} batches`, ownTime(lstm), minutes(chars, shakespeare.one), minutes(chars, shakespeare.many)],
    ["lesson 5: tang-lstm", poemModel.heldOutLoss.toFixed(3), `${poemModel.bestStep} batches`, ownTime(poemModel), minutes(poemsSeen, tang.one), minutes(poemsSeen, tang.many)],
  ]);
  console.log(`\nGeneration at batch 1 with the shipped models, characters per second:`);
  printTable(["model", "1 thread", label, "× 1 thread"], [
    ["lesson 4: shakespeare-lstm (CharGenerator)", charRate.one.toFixed(0), charRate.many.toFixed(0), x(charRate)],
    ["lesson 5: tang-lstm (poemGenerator, one step)", poemRate.one.toFixed(0), poemRate.many.toFixed(0), x(poemRate)],
  ]);
  console.log(`\nSingle-thread float32 512×512 matmul: ${roofline.toFixed(1)} GFLOP/s; the MNIST LSTM on 1 thread runs at ${(100 * mnistShare).toFixed(0)}% of it (FLOPs = 3 × the forward products).`);
  console.log(`\nOne matrix product, µs (best of alternating runs; parts: how the kernel splits it with ${many} threads):`);
  printTable(["product", "shape", "1 thread µs", `${label} µs`, "× 1 thread", "parts"], products);
}
