// The course's kernel threads in a real course kernel, as a learner meets them: a training cell run three times
// starts its worker once and holds memory steady; "Shut Down Kernel" ends the process with its threads.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { installKernel } from "../tools/setup";
import { kernelSession } from "./kernel-session";

before(() => installKernel());

// The model is built once (building a tf.layers model leaves one tensor of tfjs's own behind, with or without
// threads); the training cell is the one re-run.
const setup = `
const model = tf.sequential({ layers: [tf.layers.lstm({ units: 128, inputShape: [12, 16], recurrentActivation: "sigmoid" }), tf.layers.dense({ units: 8, activation: "softmax" })] });
model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
const [x, y] = [tf.randomNormal([64, 12, 16]), tf.oneHot(tf.randomUniform([64], 0, 8, "int32"), 8)];`;
const training = `
for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
console.log(JSON.stringify({ tensors: tf.memory().numTensors, heap: (tf.backend() as any).wasm.HEAPU8.length, workers: requireSimd(tf.backend() as never).workers(), threads: osThreads() }));`;

test("a training cell run three times keeps one worker and steady memory; shutting the kernel down ends it and its threads", () => {
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-threads-"));
  const session = kernelSession(
    [
      {
        code: [
          'process.env.RNN_LESSONS_THREADS = "2";',
          'import { initBackend, tf } from "./src/tf/backend";',
          'import { requireSimd } from "./src/tf/kernels/simd-kernels";',
          'import * as fs from "fs";',
          'const osThreads = () => Number(/Threads:\\s+(\\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))![1]);',
          "const info = await initBackend();",
          setup,
          "console.log(JSON.stringify({ line: info.line, threads: osThreads() }));",
        ].join("\n"),
        timeout: 120,
      },
      { code: training, timeout: 120 },
      { code: training, timeout: 120 },
      { code: training, timeout: 120 },
    ],
    runs,
    300,
    { graceful: true },
  );
  for (const step of session.steps) assert.equal(step.status, "ok", step.stderr + step.errors.join("\n"));
  const [start, ...reruns] = session.steps.map((s) => JSON.parse(s.stdout.trim().split("\n").at(-1)!));
  assert.match(start.line, /wasm \(SIMD, 2 threads, fast recurrent kernels/);
  for (const r of reruns) assert.equal(r.workers, 1, "one worker beside the kernel's own thread, started once");
  assert.equal(reruns[2].threads, reruns[0].threads, "re-running the cell starts no new thread in the kernel process");
  assert.equal(reruns[2].tensors, reruns[1].tensors, "no tensor left behind by a re-run");
  assert.equal(reruns[2].heap, reruns[1].heap, "the wasm heap does not grow across re-runs");
  assert.equal(session.exited_on_request, true, "the kernel process ended by itself when asked to shut down");
});
