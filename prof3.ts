import { tf, initBackend } from "./src/tf/backend";
import { useThreads } from "./src/tf/kernels/simd-kernels";
import { processPoems } from "./src/data/poems";
import { buildPoemModel, trainPoemModel } from "./src/tang/index";
(async () => {
  await initBackend();
  const poems = processPoems(undefined, { maxVocab: 3000 });
  for (const t of [1, 2]) {
    useThreads(t);
    const model = buildPoemModel({ vocabSize: poems.vocab.vocabSize, position: true });
    let pps = 0;
    const prof = await tf.profile(async () => { pps = (await trainPoemModel(model, poems.trainSequences, poems.heldOutSequences.slice(0, 8), poems.vocab, { buckets: true, softmaxAt: "targets", batchSize: 64, maxSeconds: 4, evalEvery: 1e9, sampleCount: 0 })).poemsPerSecond; });
    const by = new Map<string, [number, number]>();
    for (const k of prof.kernels) { const e = by.get(k.name) ?? [0, 0]; e[0] += k.kernelTimeMs as number; e[1]++; by.set(k.name, e); }
    const total = [...by.values()].reduce((s, e) => s + e[0], 0);
    console.log("threads", t, "poems/s", pps.toFixed(1), "kernels", prof.kernels.length, "kernel ms", total.toFixed(0));
    for (const [n, [ms, cnt]] of [...by.entries()].sort((a, b) => b[1][0] - a[1][0]).slice(0, 14)) console.log("  ", n.padEnd(24), ms.toFixed(1), cnt);
    model.dispose();
  }
})();
