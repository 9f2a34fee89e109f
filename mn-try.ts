import { tf, initBackend } from "./src/tf/backend";
import { useThreads } from "./src/tf/kernels/simd-kernels";
import { lessonModels } from "./tools/bench/tf";
(async () => {
  await initBackend();
  const cases = lessonModels();
  for (const c of cases) {
    const times = new Map<number, number[]>();
    for (const t of [1, 2]) { useThreads(t); for (let i = 0; i < 2; i++) await c.model.trainOnBatch(c.x, c.y); }
    for (let i = 0; i < 12; i++) for (const t of [1, 2]) {
      useThreads(t); const t0 = performance.now(); await c.model.trainOnBatch(c.x, c.y);
      times.set(t, [...(times.get(t) ?? []), performance.now() - t0]);
    }
    const med = (t: number) => { const ts = times.get(t)!.sort((a, b) => a - b); return ts[6]; };
    console.log(c.name.slice(0, 40).padEnd(42), "1:", med(1).toFixed(1), "2:", med(2).toFixed(1), "ratio", (med(1) / med(2)).toFixed(2), "samples/s 1t", (c.batch / med(1) * 1000).toFixed(0));
  }
})();
