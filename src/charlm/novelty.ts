// Beyond the course: does the model invent names, or recite the ones it was trained on?
import { Parameters } from "./parameters";
import { getSample, sample } from "./sample";

/**
 * Returns `count` sampled names (first letter upper-cased, without "\n"), drawn with the seeds 0, seedStep,
 * 2·seedStep, …: sample's k-th draw uses seed + 2k, so seeds closer than 100 would share random numbers
 * (the course's names for seeds 0, 2, 4 and 6 end alike for that reason).
 */
export function sampleNames(parameters: Parameters, charToIx: Map<string, number>, ixToChar: readonly string[], count: number, seedStep = 100): string[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`sampleNames: count must be a positive integer, got ${count}`);
  return Array.from({ length: count }, (_, k) => getSample(sample(parameters, charToIx, k * seedStep), ixToChar).replace(/\n$/, ""));
}

/** What novelty returns: the sampled names, those that are new, and their share. */
export interface Novelty {
  /** The sampled names, first letter upper-cased, without "\n" (an empty one when "\n" came first). */
  names: string[];
  /** The sampled names that are not empty and not in the training list (repeats kept). */
  newNames: string[];
  /** newNames.length / names.length. */
  share: number;
  /** How many different names were sampled. */
  distinct: number;
}

/**
 * Samples `count` names (see sampleNames) and returns the share that are new: not empty, and not in
 * `trainingNames` (compared lowercased).
 */
export function novelty(
  parameters: Parameters, trainingNames: readonly string[], charToIx: Map<string, number>, ixToChar: readonly string[],
  { count = 200, seedStep = 100 }: { count?: number; seedStep?: number } = {},
): Novelty {
  const known = new Set(trainingNames.map((name) => name.trim().toLowerCase()));
  const names = sampleNames(parameters, charToIx, ixToChar, count, seedStep);
  const newNames = names.filter((name) => name !== "" && !known.has(name.toLowerCase()));
  return { names, newNames, share: newNames.length / names.length, distinct: new Set(names).size };
}
