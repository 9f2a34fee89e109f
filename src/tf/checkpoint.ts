// Training checkpoints that can resume: the model (model.json + weights.bin), Adam's state (its iteration count and
// both moments) and the training loop's own state (state.json: any JSON object). Written by lesson 4's and lesson 5's
// training loops at every evaluation; --resume reads them back.
import * as fs from "fs";
import * as path from "path";
import { tf } from "./backend";
import { loadModel, saveModel } from "./models";
import { writeAtomically } from "../files";

/**
 * Writes a checkpoint to dir: the model (model.json + weights.bin), Adam's state (optimizer.json + optimizer.bin:
 * its iteration count and both moments, from optimizer.getWeights()) and the training state (state.json).
 */
export async function saveCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: object): Promise<void> {
  await saveModel(model, dir);
  const weights = await optimizer.getWeights();
  const specs = weights.map((w) => ({ name: w.name, shape: w.tensor.shape, dtype: w.tensor.dtype }));
  // Every value as float32 (the iteration count is int32: converted, not reinterpreted).
  const parts = weights.map((w) => Buffer.from(Float32Array.from(w.tensor.dataSync()).buffer));
  // getWeights returns the moments themselves (variables) and a new scalar for the iteration count: dispose that one.
  weights.filter((w) => !(w.tensor instanceof tf.Variable)).forEach((w) => w.tensor.dispose());
  writeAtomically(path.join(dir, "optimizer.bin"), Buffer.concat(parts));
  writeAtomically(path.join(dir, "optimizer.json"), JSON.stringify({ optimizer: optimizer.getClassName(), weights: specs }));
  writeAtomically(path.join(dir, "state.json"), JSON.stringify(state, null, 2) + "\n");
}

/** Loads a checkpoint's weights into `model` and its Adam state into `optimizer`; returns its training state. */
export async function loadCheckpointInto<S extends object>(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<S> {
  const stateFile = path.join(dir, "state.json");
  const specFile = path.join(dir, "optimizer.json");
  for (const file of [stateFile, specFile, path.join(dir, "optimizer.bin")]) {
    if (!fs.existsSync(file)) throw new Error(`resume: ${file} is missing: ${dir} is not a checkpoint written by trainCharModel's or trainPoemModel's checkpoint option (saveCheckpoint).`);
  }
  const saved = await loadModel(dir);
  const mine = model.getWeights().map((w) => w.shape.join("×")).join(", ");
  const theirs = saved.getWeights().map((w) => w.shape.join("×")).join(", ");
  if (mine !== theirs) {
    saved.dispose();
    throw new Error(`resume: the checkpoint in ${dir} holds weights of shapes ${theirs}, but the model has ${mine}: build the model with the checkpoint's settings.`);
  }
  model.setWeights(saved.getWeights());
  saved.dispose();
  const { weights: specs } = JSON.parse(fs.readFileSync(specFile, "utf8")) as { weights: Array<{ name: string; shape: number[]; dtype: string }> };
  const bytes = fs.readFileSync(path.join(dir, "optimizer.bin"));
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  let at = 0;
  const named = specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const values = floats.subarray(at, at + size);
    const tensor = s.dtype === "int32" ? tf.tensor(Int32Array.from(values), s.shape, "int32") : tf.tensor(values, s.shape, "float32");
    at += size;
    return { name: s.name, tensor };
  });
  if (at !== floats.length) throw new Error(`resume: ${path.join(dir, "optimizer.bin")} holds ${floats.length} numbers, but optimizer.json describes ${at}.`);
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  return JSON.parse(fs.readFileSync(stateFile, "utf8")) as S;
}
