// Checkpoints written as one unit (issue 18, item 4): a process killed with SIGKILL while it writes checkpoints leaves
// the previous checkpoint or the new one, whole (state.json's step = Adam's iteration count = the step the weights were
// saved at), and a checkpoint that mixes files of two steps is refused on load with a sentence naming the folder.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../src/course";
import { initBackend, tf } from "../../src/tf/backend";
import { loadCheckpointInto, saveCheckpoint } from "../../src/tf/checkpoint";
import { saveModel } from "../../src/tf/models";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-checkpoints-"));
const writer = path.join(repoRoot, "test", "checkpoint-writer.ts");

/** The writer's model (test/checkpoint-writer.ts) and a fresh Adam. */
function writerModel(): { model: tf.Sequential; optimizer: tf.Optimizer } {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 256, inputShape: [256] }), tf.layers.dense({ units: 256 })] });
  return { model, optimizer: tf.train.adam(1e-3) };
}

/**
 * Runs the writer on `dir` until it has saved one checkpoint and started the next, then kills it with SIGKILL after a
 * random part of one save's duration (so at a random moment of a write). Returns the last step it said it saved.
 */
function writeUntilKilled(dir: string): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", writer, dir], { cwd: repoRoot, env: { ...process.env, RNN_LESSONS_BACKEND: "cpu" } });
  let stdout = "";
  let stderr = "";
  let aimed = false;
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.on("data", (d) => {
    stdout += d;
    const saves = [...stdout.matchAll(/saved \d+ in ([\d.]+) ms/g)];
    if (aimed || saves.length === 0 || !/writing \d+\n$/.test(stdout)) return;
    aimed = true;
    setTimeout(() => child.kill("SIGKILL"), Math.random() * Number(saves[0][1]));
  });
  return new Promise((resolve, reject) => {
    child.on("close", (code, signal) => { // after its output is read to the end
      if (signal !== "SIGKILL") return reject(new Error(`the writer ended with ${code ?? signal}: ${stderr}`));
      resolve(Math.max(...[...stdout.matchAll(/saved (\d+)/g)].map((m) => Number(m[1]))));
    });
  });
}

test("processes killed (SIGKILL) at random moments of their checkpoint writes always leave a whole checkpoint: the last one or the one being written", async () => {
  await initBackend();
  // Three writers at once (each on its own folder), twice: the second round resumes from what the first left.
  const dirs = [1, 2, 3].map((i) => path.join(tmp, `killed-${i}`, "checkpoint"));
  for (let round = 1; round <= 2; round++) {
    const saved = await Promise.all(dirs.map(writeUntilKilled));
    for (const [i, dir] of dirs.entries()) {
      const where = `round ${round}, writer ${i + 1}`;
      const { model, optimizer } = writerModel();
      const { step } = await loadCheckpointInto<{ step: number }>(dir, model, optimizer);
      assert.ok(step === saved[i] || step === saved[i] + 1, `${where}: the writer had saved step ${saved[i]}, the checkpoint holds step ${step}`);
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      assert.ok(weights.every((values) => values.every((v) => v === step)), `${where}: weights of another step than state.json's ${step}`);
      const [iterations, ...moments] = await optimizer.getWeights();
      assert.equal(iterations.tensor.dataSync()[0], step, `${where}: Adam's iteration count`);
      iterations.tensor.dispose();
      assert.equal(moments.length, 8, "Adam's two moments of each of the 4 weights");
      model.dispose();
      optimizer.dispose();
      assert.ok(!fs.existsSync(`${dir}.old`), "loading finished any swap cut short");
    }
  }
});

test("a checkpoint whose files come from two steps is refused with a sentence naming the folder and the file", async () => {
  await initBackend();
  const { model, optimizer } = writerModel();
  const at = (step: number) => path.join(tmp, "mixed", `step-${step}`);
  const x = tf.ones([4, 256]);
  for (let step = 1; step <= 6; step++) {
    optimizer.minimize(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar);
    if (step === 3 || step === 6) await saveCheckpoint(at(step), model, optimizer, { step });
  }
  x.dispose();
  const mixes: Array<[string, RegExp]> = [
    ["weights.bin", /the checkpoint in .*mixed\/with-weights\.bin mixes two steps: weights\.bin is not the file written with step 6 \(checkpoint\.json names another\); resume from a whole checkpoint\./],
    ["state.json", /mixes two steps: state\.json is not the file written with step 6/],
    ["optimizer.bin", /mixes two steps: optimizer\.bin is not the file written with step 6/],
  ];
  for (const [file, refusal] of mixes) {
    const mixed = path.join(tmp, "mixed", `with-${file}`);
    fs.cpSync(at(6), mixed, { recursive: true });
    fs.copyFileSync(path.join(at(3), file), path.join(mixed, file));
    await assert.rejects(loadCheckpointInto(mixed, model, optimizer), refusal);
  }
  // As a learner meets it: npm run train -- shakespeare --resume on the mixed checkpoint stops with the sentence.
  const runs = path.join(tmp, "runs");
  const train = spawnSync("npm", ["run", "--silent", "train", "--", "shakespeare", "--resume", path.join(tmp, "mixed", "with-weights.bin"), "--max-steps", "1", "--units", "8", "--embedding", "4"], {
    cwd: repoRoot, env: { ...process.env, RNN_LESSONS_RUNS: runs }, encoding: "utf8",
  });
  assert.equal(train.status, 1, train.stderr);
  assert.match(train.stderr, mixes[0][1]);
  // Without its manifest (a checkpoint written before checkpoint.json existed), Adam's count still has to be state.json's step.
  const old = path.join(tmp, "mixed", "no-manifest");
  fs.cpSync(at(6), old, { recursive: true });
  fs.rmSync(path.join(old, "checkpoint.json"));
  fs.copyFileSync(path.join(at(3), "state.json"), path.join(old, "state.json"));
  await assert.rejects(loadCheckpointInto(old, model, optimizer), /the checkpoint in .*no-manifest mixes two steps: optimizer\.bin holds Adam's state after 6 steps, but state\.json says step 3; resume from a whole checkpoint\./);
  const whole = await loadCheckpointInto<{ step: number }>(at(6), model, optimizer);
  assert.equal(whole.step, 6);
  // Killed between the two renames of a write: the old checkpoint moved aside, the new one whole beside it.
  const cut = path.join(tmp, "mixed", "cut");
  fs.cpSync(at(3), `${cut}.old`, { recursive: true });
  fs.cpSync(at(6), `${cut}.new`, { recursive: true });
  assert.equal((await loadCheckpointInto<{ step: number }>(cut, model, optimizer)).step, 6);
  assert.deepEqual(fs.readdirSync(path.dirname(cut)).filter((f) => f.startsWith("cut")), ["cut"], "the swap finished");
  model.dispose();
  optimizer.dispose();
});

test("a model is never saved over a folder that is not a model folder: refused with a sentence, nothing moved", async () => {
  await initBackend();
  const mine = path.join(tmp, "learner");
  fs.mkdirSync(mine);
  fs.writeFileSync(path.join(mine, "notes.txt"), "my notes");
  const { model, optimizer } = writerModel();
  await assert.rejects(saveModel(model, mine), new RegExp(`${mine} holds other files and none of model\\.json, weights\\.bin: it is not a folder this writes; give a new or empty folder\\.`));
  await assert.rejects(saveCheckpoint(mine, model, optimizer, { step: 0 }), /holds other files and none of model\.json/);
  assert.deepEqual(fs.readdirSync(mine), ["notes.txt"]);
  assert.ok(!fs.existsSync(`${mine}.new`));
  model.dispose();
  optimizer.dispose();
});
