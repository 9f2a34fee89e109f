// Training on the names, one name per iteration, as the course's model(): the same algorithm, and
// the same numbers, as calling optimize() in a loop, but on buffers allocated once and with the
// WebAssembly SIMD kernels of simd.ts, so that it runs about 6× faster than numpy (whose time goes
// to the overhead of each call on 50×50 arrays; npm run bench -- dinos measures it).
import { NDArray, random } from "../np/index";
import { formatShape } from "../np/shape";
import { Kernels } from "./kernels";
import { AdagradMemory, clipAndUpdateInto } from "./optimize";
import { checkParameters, copyParameters, Gradients, initializeParameters, Parameters } from "./parameters";
import { backwardInto, dataOf, forwardInto, GradientData, refreshTransposes, Sequence, Weights, weightsOf } from "./rnn";
import { KernelArena } from "./simd";
import { getSample, sample } from "./sample";

/** How the parameters follow their gradients: plain gradient descent (the course) or Adagrad (min-char-rnn). */
export type UpdateRule = "sgd" | "adagrad";

/** Settings of model(); the course's defaults. */
/** model()'s settings when not given: the course's (35,000 iterations, nA = 50, plain SGD at 0.01). */
export const modelDefaults = {
  numIterations: 35000, nA: 50, dinoNames: 7, learningRate: 0.01, update: "sgd" as "sgd" | "adagrad", sampleEvery: 2000, print: true,
  kernels: "simd" as "simd" | "js",
};

export interface ModelOptions {
  /** Iterations, one name each (35000). */
  numIterations?: number;
  /** Hidden units (50). */
  nA?: number;
  /** Names sampled at each log (7). */
  dinoNames?: number;
  /** The step size (0.01). */
  learningRate?: number;
  /** "sgd" (the course) or "adagrad" (min-char-rnn, which uses learningRate 0.1). */
  update?: UpdateRule;
  /** Iterations between two logs of the loss and sampled names (2000). */
  sampleEvery?: number;
  /** Print the course's log ("Iteration: j, Loss: …" and the names) at each log (true). */
  print?: boolean;
  /** "simd" (default): WebAssembly SIMD kernels where the runtime has them; "js": the plain JavaScript ones. Same results. */
  kernels?: "simd" | "js";
  /** Called after every iteration with the smoothed loss, this name's loss and the parameters (live: copy them to keep them). */
  onIteration?: (iteration: number, loss: number, currentLoss: number, parameters: Parameters) => void;
  /** Called at each log with the smoothed loss and the sampled names (first letter upper-cased, no "\n"). */
  onSample?: (iteration: number, loss: number, names: string[]) => void;
}

/** What model returns: the trained parameters, the last sampled name (with its "\n"), the smoothed loss. */
export interface ModelResult {
  parameters: Parameters;
  lastDinoName: string;
  loss: number;
}

/** Returns the course's log line: "Iteration: 2000, Loss: 27.884160". */
export function formatIteration(iteration: number, loss: number): string {
  return `Iteration: ${iteration}, Loss: ${loss.toFixed(6)}`;
}

/** Prints the course's log at an iteration: the loss line, a blank line, the names one per line, a blank line. */
export function printLog(iteration: number, loss: number, names: readonly string[]): void {
  console.log(`${formatIteration(iteration, loss)}\n\n${names.map((name) => name.replace(/\n$/, "")).join("\n")}\n`);
}

/** Returns the loss of a model that knows nothing, for dinoNames names: −log(1/vocabSize)·dinoNames. */
export function initialLoss(vocabSize: number, dinoNames: number): number {
  return -Math.log(1.0 / vocabSize) * dinoNames;
}

/** Returns X = [null, ...indices of the name] and Y = X[1:] + ["\n"]: the inputs and the targets of one name. */
export function nameToSequences(name: string, charToIx: Map<string, number>, fn = "nameToSequences"): { X: Sequence; Y: Sequence } {
  const indices = [...name].map((c) => {
    const ix = charToIx.get(c);
    if (ix === undefined) {
      throw new Error(`${fn}: the name ${JSON.stringify(name)} has the character ${JSON.stringify(c)}, which is not in the vocabulary`);
    }
    return ix;
  });
  const X = [null, ...indices];
  return { X, Y: [...X.slice(1), charToIx.get("\n")!] as number[] };
}

/**
 * The model's parameters and every buffer one optimize step needs, allocated once in an Arena (WebAssembly
 * memory, for the SIMD kernels, when available) and reused from one iteration to the next.
 */
class Workspace {
  readonly parameters: Parameters;
  readonly weights: Weights;
  readonly kernels: Kernels;
  /** Row 0: the hidden state the next name starts from; row t + 1: a⟨t⟩. */
  readonly aHist: Float64Array;
  readonly yAll: Float64Array;
  readonly dyAll: Float64Array;
  readonly darawAll: Float64Array;
  readonly gradients: Required<Gradients>;
  readonly g: GradientData;
  readonly memory: AdagradMemory | null;

  constructor(start: Parameters, maxLength: number, adagrad: boolean, simd: boolean) {
    const { nA, nX, nY } = checkParameters("model", start);
    // Room for the parameters with Waa's and Wya's transposes, the gradients (and Adagrad's memory),
    // and per step of the longest name a⟨t⟩, ŷ⟨t⟩, dy⟨t⟩ and daraw⟨t⟩.
    const matrices = nA * nX + 2 * nA * nA + 2 * nY * nA + nA + nY;
    const perStep = 2 * nA + 2 * nY;
    const arena = new KernelArena((adagrad ? 3 : 2) * matrices + (maxLength + 1) * perStep + 2 * nA, simd);
    this.kernels = arena.kernels;
    const array = (shape: [number, number], from?: NDArray) => {
      const data = arena.alloc(shape[0] * shape[1]);
      if (from) data.set(from.data);
      return new NDArray(data, shape);
    };
    this.parameters = {
      Wax: array([nA, nX], start.Wax), Waa: array([nA, nA], start.Waa), Wya: array([nY, nA], start.Wya), b: array([nA, 1], start.b), by: array([nY, 1], start.by),
    };
    this.weights = weightsOf(this.parameters, arena.alloc(nA * nA), arena.alloc(nA * nY));
    this.aHist = arena.alloc((maxLength + 1) * nA);
    this.yAll = arena.alloc(maxLength * nY);
    this.dyAll = arena.alloc(maxLength * nY);
    this.darawAll = arena.alloc(maxLength * nA);
    this.gradients = { dWax: array([nA, nX]), dWaa: array([nA, nA]), dWya: array([nY, nA]), db: array([nA, 1]), dby: array([nY, 1]), daNext: array([nA, 1]) };
    this.g = dataOf(this.gradients);
    this.memory = adagrad ? { dWax: array([nA, nX]), dWaa: array([nA, nA]), dWya: array([nY, nA]), db: array([nA, 1]), dby: array([nY, 1]) } : null;
  }

  /**
   * optimize() on the buffers: forward from row 0 of aHist, backward, clip at 5, update the parameters
   * (Adagrad when the workspace has its memory); the last hidden state becomes row 0. Returns the loss.
   */
  optimize(X: Sequence, Y: Sequence, learningRate: number): number {
    const { weights, kernels, parameters, gradients } = this;
    const T = X.length, nA = weights.nA;
    const loss = forwardInto(weights, kernels, X, Y, this.aHist, this.yAll);
    backwardInto(weights, kernels, X, Y, this.aHist, this.yAll, this.g, this.dyAll, this.darawAll);
    clipAndUpdateInto(parameters, gradients, 5, learningRate, this.memory);
    refreshTransposes(weights);
    this.aHist.copyWithin(0, T * nA, (T + 1) * nA);
    return loss;
  }
}

/**
 * Trains the RNN on `data` (one name per entry) as the course's model(): parameters from
 * initializeParameters(nA, vocab, vocab); the smoothed loss starts at −log(1/vocab)·dinoNames; np.random
 * seeded with 0 shuffles the names; iteration j trains on name j mod count, carrying the hidden state
 * over; loss = 0.999·loss + 0.001·(this name's loss); every sampleEvery iterations it samples dinoNames
 * names with seeds 0, 1, 2, … and prints them. Returns the parameters, the last sampled name and the loss.
 */
export function model(data: readonly string[], ixToChar: readonly string[], charToIx: Map<string, number>, options: ModelOptions = {}): ModelResult {
  const d = modelDefaults;
  const {
    numIterations = d.numIterations, nA = d.nA, dinoNames = d.dinoNames, learningRate = d.learningRate, update = d.update,
    sampleEvery = d.sampleEvery, print = d.print, kernels = d.kernels,
  } = options;
  checkModelArguments(data, ixToChar, charToIx, { numIterations, nA, dinoNames, sampleEvery, learningRate, update });
  const vocabSize = ixToChar.length;
  const workspace = new Workspace(initializeParameters(nA, vocabSize, vocabSize), longest(data), update === "adagrad", kernels !== "js");
  const { parameters } = workspace;
  let loss = initialLoss(vocabSize, dinoNames);
  const examples = data.map((x) => x.trim());
  random.seed(0);
  random.shuffle(examples);
  const sequences = examples.map((name) => nameToSequences(name, charToIx, "model"));
  let lastDinoName = "";
  for (let j = 0; j < numIterations; j++) {
    const { X, Y } = sequences[j % sequences.length];
    const currentLoss = workspace.optimize(X, Y, learningRate);
    loss = loss * 0.999 + currentLoss * 0.001;
    options.onIteration?.(j, loss, currentLoss, parameters);
    if (j % sampleEvery === 0) {
      const names: string[] = [];
      for (let seed = 0; seed < dinoNames; seed++) {
        lastDinoName = getSample(sample(parameters, charToIx, seed), ixToChar);
        names.push(lastDinoName.replace(/\n$/, ""));
      }
      if (print) printLog(j, loss, names);
      options.onSample?.(j, loss, names);
    }
  }
  // Copies, so that the arrays returned do not hold on to the workspace's memory.
  return { parameters: copyParameters(parameters), lastDinoName, loss };
}

/** Throws a sentence naming the first argument or setting of model() that is out of range (before any work starts). */
export function checkModelArguments(
  data: readonly string[], ixToChar: readonly string[], charToIx: Map<string, number>,
  settings: { numIterations: number; nA: number; dinoNames: number; sampleEvery: number; learningRate: number; update: string },
): void {
  if (!Array.isArray(data) || data.length === 0 || data.some((x) => typeof x !== "string")) {
    throw new Error(`model: data must be a non-empty array of names (strings), e.g. loadNames("datasets/dinos.txt").names`);
  }
  if (!Array.isArray(ixToChar) || !(charToIx instanceof Map) || ixToChar.length !== charToIx.size) {
    throw new Error(`model: ixToChar (an array) and charToIx (a Map) must describe the same vocabulary, got ${ixToChar?.length} and ${charToIx instanceof Map ? charToIx.size : typeof charToIx} characters`);
  }
  ixToChar.forEach((c, i) => {
    if (charToIx.get(c) !== i) throw new Error(`model: charToIx.get(${JSON.stringify(c)}) is ${charToIx.get(c)}, but ixToChar[${i}] is ${JSON.stringify(c)}`);
  });
  if (!charToIx.has("\n")) throw new Error(`model: the vocabulary must hold "\\n", the end of a name`);
  for (const name of ["numIterations", "nA", "dinoNames", "sampleEvery"] as const) {
    const v = settings[name];
    if (!Number.isInteger(v) || v < (name === "numIterations" || name === "dinoNames" ? 0 : 1)) {
      throw new Error(`model: ${name} must be a ${name === "numIterations" || name === "dinoNames" ? "non-negative" : "positive"} integer, got ${v}`);
    }
  }
  if (!(settings.learningRate > 0)) throw new Error(`model: learningRate must be a positive number, got ${settings.learningRate}`);
  if (settings.update !== "sgd" && settings.update !== "adagrad") throw new Error(`model: update must be "sgd" or "adagrad", got ${JSON.stringify(settings.update)}`);
}

/** Returns the number of steps of the longest name: its characters, plus the null first input. */
function longest(data: readonly string[]): number {
  return Math.max(...data.map((name) => [...name.trim()].length + 1));
}

/** Returns a one-line summary of parameters' shapes, e.g. "Wax (50, 27), Waa (50, 50), Wya (27, 50), b (50, 1), by (27, 1)". */
export function describeParameters(parameters: Parameters): string {
  return (Object.keys(parameters) as (keyof Parameters)[]).map((k) => `${k} ${formatShape(parameters[k].shape)}`).join(", ");
}
