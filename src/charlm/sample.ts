// Sampling a name from the model: feed each drawn character back in as the next input.
import { NDArray, random } from "../np/index";
import { checkParameters, Parameters } from "./parameters";
import { jsKernels } from "./kernels";
import { forwardStepInto, weightsOf } from "./rnn";

/** The longest name sample draws before it stops and appends "\n" itself. */
export const MAX_SAMPLE_LENGTH = 50;

/**
 * Returns the indices of one sampled name, ending with the index of "\n". Starts from x = 0 and a = 0;
 * at each step computes ŷ, reseeds np.random with counter + seed, draws an index with probabilities ŷ,
 * feeds its one-hot back as the next x, then increments both seed and counter (the k-th draw uses seed + 2k).
 * Stops at "\n" or after 50 characters (then appends "\n").
 */
export function sample(parameters: Parameters, charToIx: Map<string, number>, seed: number): number[] {
  const { nA, nY } = checkParameters("sample", parameters);
  if (!(charToIx instanceof Map) || !charToIx.has("\n")) {
    throw new Error(`sample: charToIx must be a Map from characters to indices that holds "\\n", got ${charToIx instanceof Map ? `a Map of ${charToIx.size} characters without "\\n"` : typeof charToIx}`);
  }
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`sample: seed must be an integer >= 0, got ${seed}`);
  // A map of "\n" alone is how the course's own tests call sample; a whole vocabulary must be the model's.
  if (charToIx.size > 1 && charToIx.size !== nY) {
    throw new Error(`sample: the vocabulary has ${charToIx.size} characters but the model gives ${nY} probabilities (Wya has ${nY} rows): use the charToIx the model was trained with`);
  }
  const newline = charToIx.get("\n")!;
  if (!(Number.isInteger(newline) && newline >= 0 && newline < nY)) throw new Error(`sample: charToIx gives "\\n" the index ${newline}, outside 0..${nY - 1}`);
  let aPrev = new Float64Array(nA);
  let a = new Float64Array(nA);
  const y = new NDArray(new Float64Array(nY), [nY]);
  const weights = weightsOf(parameters);
  const indices: number[] = [];
  let x: number | null = null; // the zero vector: no character before the first
  let idx = -1;
  let counter = 0;
  while (idx !== newline && counter !== MAX_SAMPLE_LENGTH) {
    forwardStepInto(weights, jsKernels, x, aPrev, a, y.data);
    random.seed(counter + seed);
    idx = random.choice(nY, { p: y });
    indices.push(idx);
    x = idx;
    [aPrev, a] = [a, aPrev];
    seed += 1;
    counter += 1;
  }
  if (counter === MAX_SAMPLE_LENGTH) indices.push(newline);
  return indices;
}

/** Returns the characters of sampled indices as one string, its first letter upper-cased ("Trodonosaurus\n"). */
export function getSample(sampleIx: readonly number[], ixToChar: readonly string[]): string {
  const text = sampleIx.map((ix) => {
    const c = ixToChar[ix];
    if (c === undefined) throw new Error(`getSample: index ${ix} is not in the vocabulary (0..${ixToChar.length - 1})`);
    return c;
  }).join("");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
