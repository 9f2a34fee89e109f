// The course's gen_poem(begin_word), done right: the lesson's exercise and its reference. A poem starts from the start
// token and its first character, then each symbol is drawn from the model's probabilities at a temperature with the
// symbols that are not characters (padding, the start token, the unknown symbol) given no weight; the end token ends
// it, and so does a cap of 79 characters (the longest poem kept), so it always ends. Nothing else is constrained:
// generatePoem (generate.ts) adds the rules of punctuation, forms, heads and rhyme.
import type { PoemVocab } from "../data/poems";
import { sampleIndex } from "../tf/generate";
import type { StepModel } from "./generate";

/** Options of freePoem. */
export interface FreePoemOptions {
  /** p^(1/T) before the draw (default 1). */
  temperature?: number;
  /** A uniform random number in [0, 1), e.g. seededRandom(1). Default Math.random. */
  random?: () => number;
  /** Most characters (default 79). */
  maxLength?: number;
}

/** Returns a poem that starts with `first`, written by `gen` until it draws the end token or reaches maxLength characters. */
export function freePoem(gen: StepModel, vocab: PoemVocab, first: string, opts: FreePoemOptions = {}): string {
  const temperature = opts.temperature ?? 1;
  const random = opts.random ?? Math.random;
  const maxLength = opts.maxLength ?? 79;
  if (!(temperature > 0)) throw new Error(`freePoem: temperature must be above 0, got ${temperature}.`);
  const firstIndex = vocab.charToIx.get(first);
  if (firstIndex === undefined || firstIndex <= vocab.unknown) throw new Error(`freePoem: the first character ${JSON.stringify(first)} is not in the model's vocabulary.`);
  gen.reset();
  gen.step(vocab.start);
  let p = gen.step(firstIndex);
  let poem = first;
  while (Array.from(poem).length < maxLength) {
    const weights = Array.from(p, (x, i) => (i === vocab.pad || i === vocab.start || i === vocab.unknown ? 0 : x ** (1 / temperature)));
    const next = sampleIndex(weights, random);
    if (next === vocab.end) break;
    poem += vocab.ixToChar[next];
    p = gen.step(next);
  }
  return poem;
}
