// Training checkpoints that can resume: the model (model.json + weights.bin), Adam's state (its iteration count and
// both moments) and the training loop's own state (state.json: any JSON object). Written by lesson 4's and lesson 5's
// training loops at every evaluation; --resume reads them back. A checkpoint is written as one unit (a new folder
// renamed into place) with checkpoint.json naming its step and a SHA-256 of every file, so that a checkpoint mixing
// files of two steps (copied by hand, or cut short by an older version) is refused on load instead of resumed.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { tf } from "./backend";
import { loadModel, modelFiles } from "./models";
import { settleFolder, writeFolderAtomically } from "../files";

/** checkpoint.json: the step a checkpoint was written at and the SHA-256 of each of its files. */
interface Manifest {
  step: number | null;
  files: Record<string, string>;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * Writes a checkpoint to dir as one unit: the model (model.json + weights.bin), Adam's state (optimizer.json +
 * optimizer.bin: its iteration count and both moments, from optimizer.getWeights()), the training state (state.json)
 * and checkpoint.json. A kill at any moment leaves the previous checkpoint or this one, whole.
 */
export async function saveCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: object): Promise<void> {
  const weights = await optimizer.getWeights();
  const specs = weights.map((w) => ({ name: w.name, shape: w.tensor.shape, dtype: w.tensor.dtype }));
  // Every value as float32 (the iteration count is int32: converted, not reinterpreted).
  const parts = weights.map((w) => Buffer.from(Float32Array.from(w.tensor.dataSync()).buffer));
  // getWeights returns the moments themselves (variables) and a new scalar for the iteration count: dispose that one.
  weights.filter((w) => !(w.tensor instanceof tf.Variable)).forEach((w) => w.tensor.dispose());
  const files: Record<string, string | Buffer> = {
    ...(await modelFiles(model)),
    "optimizer.bin": Buffer.concat(parts),
    "optimizer.json": JSON.stringify({ optimizer: optimizer.getClassName(), weights: specs }),
    "state.json": JSON.stringify(state, null, 2) + "\n",
  };
  const step = (state as { step?: unknown }).step;
  const manifest: Manifest = { step: typeof step === "number" ? step : null, files: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, sha256(data)])) };
  writeFolderAtomically(dir, { ...files, "checkpoint.json": JSON.stringify(manifest, null, 2) + "\n" });
}

/**
 * Loads a checkpoint's weights into `model` and its Adam state into `optimizer`; returns its training state. Refuses,
 * with a sentence naming the folder, a checkpoint whose files are not those checkpoint.json names, or whose Adam
 * state counts another number of steps than state.json.
 */
export async function loadCheckpointInto<S extends object>(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<S> {
  settleFolder(dir); // a write cut short between its two renames
  const stateFile = path.join(dir, "state.json");
  const specFile = path.join(dir, "optimizer.json");
  for (const file of [stateFile, specFile, path.join(dir, "optimizer.bin")]) {
    if (!fs.existsSync(file)) throw new Error(`resume: ${file} is missing: ${dir} is not a checkpoint written by trainCharModel's or trainPoemModel's checkpoint option (saveCheckpoint).`);
  }
  checkManifest(dir);
  const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as S;
  const saved = await loadModel(dir);
  const mine = model.getWeights().map((w) => w.shape.join("×")).join(", ");
  const theirs = saved.getWeights().map((w) => w.shape.join("×")).join(", ");
  if (mine !== theirs) {
    saved.dispose();
    throw new Error(`resume: the checkpoint in ${dir} holds weights of shapes ${theirs}, but the model has ${mine}: build the model with the checkpoint's settings.`);
  }
  const { weights: specs } = JSON.parse(fs.readFileSync(specFile, "utf8")) as { weights: Array<{ name: string; shape: number[]; dtype: string }> };
  const bytes = fs.readFileSync(path.join(dir, "optimizer.bin"));
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const size = (s: { shape: number[] }) => s.shape.reduce((a, b) => a * b, 1);
  const described = specs.reduce((n, s) => n + size(s), 0);
  const refuse = (why: string) => {
    saved.dispose();
    return new Error(`resume: ${why}`);
  };
  if (described !== floats.length) throw refuse(`${path.join(dir, "optimizer.bin")} holds ${floats.length} numbers, but optimizer.json describes ${described}.`);
  // Adam counts its updates: one per step, so a whole checkpoint's count is state.json's step.
  const iterations = specs[0]?.name === "iter" ? floats[0] : undefined;
  const step = (state as { step?: unknown }).step;
  if (iterations !== undefined && typeof step === "number" && iterations !== step) {
    throw refuse(`the checkpoint in ${dir} mixes two steps: optimizer.bin holds Adam's state after ${iterations} steps, but state.json says step ${step}; resume from a whole checkpoint.`);
  }
  model.setWeights(saved.getWeights());
  saved.dispose();
  let at = 0;
  const named = specs.map((s) => {
    const values = floats.subarray(at, at + size(s));
    const tensor = s.dtype === "int32" ? tf.tensor(Int32Array.from(values), s.shape, "int32") : tf.tensor(values, s.shape, "float32");
    at += size(s);
    return { name: s.name, tensor };
  });
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  return state;
}

/** Throws a sentence naming the first file of dir that is not the one checkpoint.json names (none: written before it existed). */
function checkManifest(dir: string): void {
  const file = path.join(dir, "checkpoint.json");
  if (!fs.existsSync(file)) return;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
  } catch (err) {
    throw new Error(`resume: ${file} is not valid JSON (${(err as Error).message}); it names the step and the files of the checkpoint.`);
  }
  for (const [name, hash] of Object.entries(manifest.files ?? {})) {
    const data = path.join(dir, name);
    if (!fs.existsSync(data)) throw new Error(`resume: the checkpoint in ${dir} is not whole: ${name} is missing (checkpoint.json names it); resume from a whole checkpoint.`);
    if (sha256(fs.readFileSync(data)) !== hash) {
      throw new Error(`resume: the checkpoint in ${dir} mixes two steps: ${name} is not the file written with step ${manifest.step} (checkpoint.json names another); resume from a whole checkpoint.`);
    }
  }
}
