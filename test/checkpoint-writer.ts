// A training loop reduced to its checkpoints, for test/unit/checkpoints.test.ts to kill with SIGKILL at random moments:
// it resumes from the checkpoint in argv[2] (if any), then at each step makes one Adam update, sets every weight to the
// step and saves the checkpoint there, printing "writing N" before and "saved N in T ms" after.
import { initBackend, tf } from "../src/tf/backend";
import * as fs from "fs";
import * as path from "path";
import { loadCheckpointInto, saveCheckpoint } from "../src/tf/checkpoint";

async function main(dir: string): Promise<void> {
  await initBackend();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 256, inputShape: [256] }), tf.layers.dense({ units: 256 })] });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.ones([4, 256]);
  const start = performance.now();
  const resumed = fs.existsSync(dir) || fs.existsSync(`${dir}.old`) ? (await loadCheckpointInto<{ step: number }>(dir, model, optimizer)).step : 0;
  console.log(`resumed ${resumed} in ${Math.round(performance.now() - start)} ms`);
  for (let step = resumed + 1; ; step++) {
    optimizer.minimize(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar);
    const filled = model.getWeights().map((w) => tf.fill(w.shape, step));
    model.setWeights(filled);
    tf.dispose(filled);
    console.log(`writing ${step}`);
    const started = performance.now();
    await saveCheckpoint(dir, model, optimizer, { step });
    console.log(`saved ${step} in ${(performance.now() - started).toFixed(1)} ms`);
  }
}

void main(path.resolve(process.argv[2]));
