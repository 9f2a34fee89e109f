import { tf, initBackend } from "./src/tf/backend";
import { useThreads } from "./src/tf/kernels/simd-kernels";
(async () => {
  await initBackend();
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ["X·W", [3584, 28], [28, 512], false, false],
    ["dZ·Wᵀ", [3584, 512], [28, 512], false, true],
    ["Xᵀ·dZ", [3584, 28], [3584, 512], true, false],
    ["h·U", [128, 128], [128, 512], false, false],
    ["dZ·Uᵀ", [128, 512], [128, 512], false, true],
    ["Hᵀ·dZ", [128, 128], [128, 512], true, false],
  ];
  for (const [name, as, bs, ta, tb] of cases) {
    const a = tf.randomNormal(as), b = tf.randomNormal(bs);
    const r: number[] = [];
    for (const t of [1, 2, 1, 2]) {
      useThreads(t);
      for (let i = 0; i < 20; i++) tf.dispose(tf.matMul(a, b, ta, tb));
      const t0 = performance.now(); for (let i = 0; i < 100; i++) tf.dispose(tf.matMul(a, b, ta, tb));
      r.push((performance.now() - t0) / 100 * 1000);
    }
    console.log(name.padEnd(8), r.map((v) => v.toFixed(0)).join(" / "), "µs");
  }
})();
