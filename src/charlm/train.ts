// model() as a logged training run: runs/<lesson>/<run-id>/ (settings.json, history.csv written row by row)
// and a live curve of the smoothed loss in the notebook.
import { liveFigure } from "../plot/index";
import { startRun } from "../runs/index";
import { checkModelArguments, model, modelDefaults, ModelOptions } from "./model";
import { Parameters } from "./parameters";

/** A function with model()'s signature: the library's, or the learner's own. */
export type ModelFunction = (
  data: string[], ixToChar: string[], charToIx: Map<string, number>, options?: ModelOptions,
) => { parameters: Parameters; lastDinoName: string; loss?: number };

/** A list of names and its vocabulary, as loadNames returns it. */
export interface NamesData {
  names: string[];
  ixToChar: string[];
  charToIx: Map<string, number>;
}

/** Settings of trainLogged: model()'s, and how the run is logged. */
export interface TrainLoggedOptions extends ModelOptions {
  /** The lesson the run belongs to: runs/<lesson>/ ("dinosaur-names"). */
  lesson?: string;
  /** Iterations between two logged rows of the smoothed loss (100). */
  logEvery?: number;
  /** What the data is, kept in the run's settings ("dinos.txt"). */
  dataName?: string;
  /** The model function to train with (the library's model by default). */
  modelFn?: ModelFunction;
  /** Draw the live curve (true); the run is logged either way. */
  live?: boolean;
}

/**
 * Trains with `modelFn` (model by default) and logs the run: the settings at once, then a row
 * { step, loss } of the smoothed loss every logEvery iterations, drawn live in the notebook.
 * Rows are appended as they come, so an interrupted run keeps its curve. Returns model's result and the run id.
 */
export function trainLogged(data: NamesData, options: TrainLoggedOptions = {}): ReturnType<ModelFunction> & { runId: string } {
  const { lesson = "dinosaur-names", logEvery = 100, dataName = "dinos.txt", modelFn = model, live: showLive = true, ...modelOptions } = options;
  const chosen = {
    nA: modelOptions.nA ?? modelDefaults.nA, learningRate: modelOptions.learningRate ?? modelDefaults.learningRate,
    update: modelOptions.update ?? modelDefaults.update, numIterations: modelOptions.numIterations ?? modelDefaults.numIterations,
  };
  // Logged under the names every lesson's runs use (docs/ARCHITECTURE.md): units (the hidden size), lr, steps.
  const settings = {
    model: modelFn === model ? "rnn" : "your model",
    data: dataName,
    units: chosen.nA,
    lr: chosen.learningRate,
    update: chosen.update,
    steps: chosen.numIterations,
  };
  // Bad settings stop here, before a run folder exists.
  const d = modelDefaults;
  checkModelArguments(data.names, data.ixToChar, data.charToIx, {
    ...chosen, dinoNames: modelOptions.dinoNames ?? d.dinoNames, sampleEvery: modelOptions.sampleEvery ?? d.sampleEvery,
  });
  const run = startRun(lesson, settings);
  const live = showLive
    ? liveFigure({ title: `Smoothed loss on ${dataName}: nA = ${chosen.nA}, ${chosen.update}, learning rate ${chosen.learningRate}`, xTitle: "iteration", yTitle: "smoothed loss" })
    : null;
  const last = chosen.numIterations - 1;
  const result = modelFn(data.names, data.ixToChar, data.charToIx, {
    ...modelOptions,
    onIteration: (j, loss, currentLoss, parameters) => {
      if (j % logEvery === 0 || j === last) {
        run.log({ step: j, loss });
        live?.append("smoothed loss", j, loss);
      }
      modelOptions.onIteration?.(j, loss, currentLoss, parameters);
    },
  });
  live?.flush();
  run.finish({ loss: result.loss ?? null, lastDinoName: result.lastDinoName.trim() });
  return { ...result, runId: run.id };
}
