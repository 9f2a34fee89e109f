// TensorFlow.js models in a notebook and on disk: keep one model per name across re-run cells, and save/load the
// tfjs layers format (model.json + weights.bin), written by hand because tfjs's file:// handler needs tfjs-node.
import * as fs from "fs";
import * as path from "path";
import { processMemo } from "../course";
import { tf } from "./backend";
import { writeAtomically } from "../files";

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

/** Writes the model as dir/model.json + dir/weights.bin (tfjs layers format), replacing both atomically. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
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
      writeAtomically(path.join(dir, "weights.bin"), weights);
      writeAtomically(path.join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON", weightDataBytes: weights.length } };
    }),
  );
}


/** Loads a model written by saveModel (or tfjs's file:// handler) from dir/model.json and its weights files. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
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
  const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
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
