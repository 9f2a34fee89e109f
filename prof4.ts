import { tf, initBackend } from "./src/tf/backend";
import { useThreads } from "./src/tf/kernels/simd-kernels";
import { lessonModels } from "./tools/bench/tf";
(async () => {
  await initBackend();
  const [c] = lessonModels();
  for (const t of [1, 2]) {
    useThreads(t);
    for (let i = 0; i < 3; i++) await c.model.trainOnBatch(c.x, c.y);
    const prof = await tf.profile(async () => { await c.model.trainOnBatch(c.x, c.y); });
    const by = new Map<string, [number, number]>();
    for (const k of prof.kernels) { const e = by.get(k.name) ?? [0, 0]; e[0] += k.kernelTimeMs as number; e[1]++; by.set(k.name, e); }
    console.log("threads", t, "kernels", prof.kernels.length);
    for (const [n, [ms, cnt]] of [...by.entries()].sort((a, b) => b[1][0] - a[1][0]).slice(0, 8)) console.log("  ", n.padEnd(24), ms.toFixed(1), cnt);
  }
})();
