import { tf, initBackend } from "./src/tf/backend";
import { useThreads } from "./src/tf/kernels/simd-kernels";
import { lessonModels } from "./tools/bench/tf";
(async () => {
  await initBackend();
  const [c] = lessonModels();
  useThreads(Number(process.argv[2]));
  for (let i = 0; i < 3; i++) await c.model.trainOnBatch(c.x, c.y);
  const t0 = performance.now(); const u0 = process.cpuUsage();
  for (let i = 0; i < 20; i++) await c.model.trainOnBatch(c.x, c.y);
  const u = process.cpuUsage(u0);
  console.log(process.argv[2], "wall ms/step", ((performance.now() - t0) / 20).toFixed(1), "cpu ms/step", ((u.user + u.system) / 1000 / 20).toFixed(1));
  process.exit(0);
})();
