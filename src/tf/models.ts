// TensorFlow.js models in a notebook and on disk: keep one model per name across re-run cells, and save/load the
// tfjs layers format (model.json + weights.bin), written by hand because tfjs's file:// handler needs tfjs-node, as one
// unit with the files beside it; load a model folder (the model, settings.json, vocab.json) checked to match itself.
import * as fs from "fs";
import * as path from "path";
import { processMemo } from "../course";
import { tf } from "./backend";
import { settleFolder, writeFolderAtomically } from "../files";

/**
 * Returns `model` after disposing the model kept under the same name before: a cell that builds a model with
 * keepOne("main", build()) can be run again without leaving the old model's weights in memory (null: just dispose).
 */
export function keepOne<M extends tf.LayersModel>(name: string, model: M | null): M | null {
  const slots = processMemo("mnistModels", () => new Map<string, tf.LayersModel>());
  const old = slots.get(name);
  if (old && old !== model) old.dispose();
  if (model) slots.set(name, model);
  else slots.delete(name);
  return model;
}

/** Returns the model's files in the tfjs layers format: model.json (topology and weight specs) and weights.bin. */
export async function modelFiles(model: tf.LayersModel): Promise<{ "model.json": string; "weights.bin": Buffer }> {
  let files: { "model.json": string; "weights.bin": Buffer } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: "layers-model",
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
      };
      files = { "model.json": JSON.stringify(json), "weights.bin": weights };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON", weightDataBytes: weights.length } };
    }),
  );
  return files!;
}

/**
 * Writes the model as dir/model.json + dir/weights.bin (tfjs layers format), with `files` beside them (vocab.json,
 * metrics.json…), as one unit: the folder holds the old model and files or the new ones, never a mix of the two.
 */
export async function saveModel(model: tf.LayersModel, dir: string, files: Record<string, string | Buffer> = {}): Promise<void> {
  writeFolderAtomically(dir, { ...(await modelFiles(model)), ...files });
}

/** Loads a model written by saveModel (or tfjs's file:// handler) from dir/model.json and its weights files. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  settleFolder(dir); // a save cut short between its two renames
  const jsonFile = path.join(dir, "model.json");
  let json: { modelTopology?: unknown; weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
  try {
    json = JSON.parse(fs.readFileSync(jsonFile, "utf8"));
  } catch (err) {
    throw new Error(`${jsonFile}: cannot read the model (${(err as Error).message}). Train one with npm run train.`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${jsonFile}: not a tfjs layers model (it needs modelTopology and weightsManifest).`);
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => {
    const file = path.join(dir, p);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: model.json names it as the file of the model's weights (copy the whole model folder).`);
    return fs.readFileSync(file);
  }));
  const weightData = Buffer.concat(buffers);
  const expected = weightSpecs.reduce((n, spec) => n + 4 * spec.shape.reduce((a, b) => a * b, 1), 0);
  if (weightData.length !== expected) {
    throw new Error(`${dir}: the weights files hold ${weightData.length} bytes, but model.json describes ${expected} (float32): truncated or from another model.`);
  }
  const artifacts = {
    modelTopology: withoutInitializers(json.modelTopology) as tf.io.ModelArtifacts["modelTopology"],
    weightSpecs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.length),
  };
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * Returns a copy of a model topology whose layers initialise their weights to zeros: loading overwrites them with
 * the saved ones at once, so this skips the random initialisation (orthogonal is a QR decomposition) and tfjs's
 * unitForgetBias initialiser, which leaves tensors behind.
 */
function withoutInitializers(topology: unknown): unknown {
  return JSON.parse(JSON.stringify(topology), (key, value) => {
    if (key.endsWith("_initializer") && value !== null) return { class_name: "Zeros", config: {} };
    return key === "unit_forget_bias" ? false : value;
  });
}

/** A model folder as the lessons write and ship it: the model, its settings.json and, for a text model, vocab.json. */
export interface ModelFolder {
  model: tf.LayersModel;
  /** settings.json: how data becomes the model's input (e.g. lowercase) and how it was trained. */
  settings: Record<string, unknown>;
  /** vocab.json: the symbols in index order (text models; [] when not asked for). */
  vocab: string[];
  dir: string;
}

/**
 * Loads the model folder `dir` and checks that it matches itself, before anything is generated with it: model.json
 * and weights.bin (loadModel), settings.json a JSON object and, with `vocab`, vocab.json a list of one symbol per class
 * the model predicts (and per column of a one-hot input). Throws one sentence naming the file and what is wrong.
 */
export async function loadModelFolder(dir: string, opts: { vocab: boolean }): Promise<ModelFolder> {
  settleFolder(dir);
  const jsonFile = path.join(dir, "model.json");
  if (!fs.existsSync(jsonFile)) throw new Error(`${jsonFile} is missing: ${dir} is not a model folder (model.json, weights.bin, settings.json${opts.vocab ? ", vocab.json" : ""}); train one with npm run train -- LESSON --out DIR.`);
  const settingsFile = path.join(dir, "settings.json");
  const settings = readFolderJson(settingsFile, "the model's settings: how data becomes its input, e.g. whether text is lowercased");
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) throw new Error(`${settingsFile} must hold a JSON object (the model's settings), got ${JSON.stringify(settings)}.`);
  const vocabFile = path.join(dir, "vocab.json");
  const vocab = opts.vocab ? readFolderJson(vocabFile, "the model's symbols in index order") : [];
  if (!Array.isArray(vocab) || vocab.some((c) => typeof c !== "string")) throw new Error(`${vocabFile} must be a JSON list of the model's symbols (strings) in index order.`);
  const model = await loadModel(dir);
  if (opts.vocab) {
    const predicts = model.outputs[0].shape.at(-1);
    const input = model.inputs[0].shape;
    const oneHot = input.length === 3 ? input[2] : undefined; // the course's window model reads one-hot characters
    const mismatch = predicts !== vocab.length ? `model.json's model predicts ${predicts}` : oneHot !== undefined && oneHot !== vocab.length ? `model.json's model reads one-hot vectors of ${oneHot}` : undefined;
    if (mismatch !== undefined) {
      model.dispose();
      throw new Error(`${vocabFile} lists ${vocab.length} symbols, but ${mismatch}: the two files are not from the same model (copy the model folder whole).`);
    }
  }
  return { model, settings: settings as Record<string, unknown>, vocab: vocab as string[], dir };
}

/** Reads a JSON file of a model folder; throws one sentence naming it when it is missing or not JSON. */
function readFolderJson(file: string, holds: string): unknown {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: a model folder holds it beside model.json (${holds}); copy the model folder whole.`);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); it should hold ${holds}.`);
  }
}
