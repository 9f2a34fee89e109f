// Writing like Shakespeare: warm a CharGenerator's state on a prompt, then sample one character at a time at a
// temperature, stopping after a number of characters or of line breaks (14 lines: a sonnet). Also the shipped model
// with its vocabulary, and the next character's most likely choices.
import * as path from "path";
import { pretrainedDir } from "../course";
import { encode, vocabFrom } from "../data/text";
import type { Vocab } from "../data/text";
import type { tf } from "../tf/backend";
import { CharGenerator, sampleIndex, softmax } from "../tf/generate";
import { loadModelFolder } from "../tf/models";

/** A trained character model with what turns text into its input. */
export interface CharModel {
  model: tf.LayersModel;
  vocab: Vocab;
  /** Lowercase a prompt before encoding it (the model was trained on lowercased text). */
  lowercase: boolean;
  /** The folder it came from. */
  dir: string;
}

/**
 * Returns the model in `dir` (default datasets/pretrained/shakespeare-lstm) with its vocab.json and settings.json's
 * lowercase, checked to match (loadModelFolder): a folder that does not is refused with a sentence naming the file.
 */
export async function loadCharModel(dir = pretrainedDir("shakespeare-lstm")): Promise<CharModel> {
  const folder = await loadModelFolder(dir, { vocab: true });
  const lowercase = folder.settings.lowercase;
  if (typeof lowercase !== "boolean") {
    folder.model.dispose();
    throw new Error(`${path.join(dir, "settings.json")} does not say whether the model reads lowercased text: it needs "lowercase": true or false.`);
  }
  return { model: folder.model, vocab: vocabFrom(folder.vocab), lowercase, dir };
}

/**
 * The course's sample(preds, temperature), the tfjs-examples way: reweights the probabilities `preds` as
 * softmax(log(preds) / temperature), i.e. p^(1/T) renormalised, then draws an index with one uniform number.
 */
export function sample(preds: ArrayLike<number>, temperature = 1, random: () => number = Math.random): number {
  if (!(temperature > 0)) throw new Error(`sample: temperature must be above 0, got ${temperature}.`);
  const logits = Array.from(preds, (p) => Math.log(p) / temperature);
  return sampleIndex(softmax(logits), random);
}

/** Options of generateOutput. */
export interface GenerateOutputOptions {
  /** Characters to write after the prompt (default 400). */
  length?: number;
  /** Default 0.5. */
  temperature?: number;
  /** A uniform random number in [0, 1), e.g. seededRandom(1). Default Math.random. */
  random?: () => number;
  /** The draw (default: sample above; a notebook passes the learner's). */
  sample?: (preds: ArrayLike<number>, temperature: number, random: () => number) => number;
}

/**
 * The course's generate_output(), statefully: lowercases the prompt, resets the generator, feeds the prompt one
 * character at a time to warm its state, then writes `length` characters, each drawn from the model's probabilities
 * after the previous one. Returns the prompt followed by what was written. Characters the model does not know are
 * left out of the prompt.
 */
export function generateOutput(gen: CharGenerator, vocab: Vocab, prompt: string, opts: GenerateOutputOptions = {}): string {
  const draw = opts.sample ?? sample;
  const random = opts.random ?? Math.random;
  const known = Array.from(prompt.toLowerCase()).filter((c) => vocab.charToIx.has(c));
  if (known.length === 0) throw new Error(`generateOutput: the prompt ${JSON.stringify(prompt)} has no character the model knows.`);
  gen.reset();
  let preds: ArrayLike<number> = [];
  for (const c of known) preds = gen.step(vocab.charToIx.get(c)!);
  let out = prompt;
  for (let i = 0; i < (opts.length ?? 400); i++) {
    const next = draw(preds, opts.temperature ?? 0.5, random);
    out += vocab.ixToChar[next];
    preds = gen.step(next);
  }
  return out;
}

/** Returns the course's window model trained the course's way (datasets/pretrained/shakespeare-window: trainCourseRecipe). */
export async function loadCourseModel(dir = pretrainedDir("shakespeare-window")): Promise<tf.LayersModel> {
  return (await loadModelFolder(dir, { vocab: true })).model;
}

/** Options of sampleText. */
export interface SampleTextOptions {
  /** Most characters to sample (default 400). */
  length?: number;
  /** Softmax temperature: below 1 safer, above 1 wilder (default 0.5). */
  temperature?: number;
  /** Stop after this many line breaks have been sampled (default: never; 14 for a sonnet after a full first line). */
  lines?: number;
  /** Count only line breaks that end a line with text, so blank lines do not count as lines (default false). */
  textLinesOnly?: boolean;
  /** A uniform random number in [0, 1), e.g. seededRandom(42). Default Math.random. */
  random?: () => number;
  /** Lowercase the prompt first (default false; loadCharModel's `lowercase` says what the model needs). */
  lowercase?: boolean;
}

/** One character written after a prompt: its place in what is written (0 first), and the character. */
export interface TextStep {
  position: number;
  char: string;
}

/**
 * Writes after `prompt` one character at a time (a page shows each at once): resets the generator, feeds the prompt to
 * warm its state, then samples up to `length` characters at `temperature`, stopping after `lines` line breaks.
 * sampleText is this, joined.
 */
export function* sampleSteps(gen: CharGenerator, vocab: Vocab, prompt: string, opts: SampleTextOptions = {}): Generator<TextStep, void, void> {
  const length = opts.length ?? 400;
  const temperature = opts.temperature ?? 0.5;
  const lines = opts.lines ?? Infinity;
  const random = opts.random ?? Math.random;
  if (!(temperature > 0)) throw new Error(`sampleText: temperature must be above 0, got ${temperature}.`);
  if (prompt.length === 0) throw new Error("sampleText: the prompt is empty; give at least one character to start from (e.g. \"\\n\").");
  const ix = encode(opts.lowercase ? prompt.toLowerCase() : prompt, vocab);
  gen.reset();
  for (let i = 0; i < ix.length - 1; i++) gen.stepLogits(ix[i]);
  let current = ix[ix.length - 1];
  let breaks = 0;
  let lineHasText = !opts.textLinesOnly || !prompt.endsWith("\n");
  for (let i = 0; i < length && breaks < lines; i++) {
    current = gen.sampleAfter(current, { temperature, random });
    const c = vocab.ixToChar[current];
    yield { position: i, char: c };
    if (c !== "\n") lineHasText = lineHasText || c.trim() !== "";
    else {
      if (lineHasText || !opts.textLinesOnly) breaks++;
      lineHasText = false;
    }
  }
}

/** Returns the text sampled after `prompt` (the prompt itself not included): sampleSteps, joined. */
export function sampleText(gen: CharGenerator, vocab: Vocab, prompt: string, opts: SampleTextOptions = {}): string {
  let out = "";
  for (const step of sampleSteps(gen, vocab, prompt, opts)) out += step.char;
  return out;
}

/**
 * Returns a poem of `lines` lines of text (default 14, a sonnet) that continues `prompt`: the prompt's line is
 * completed, then lines are sampled until `lines` lines with text in all, the prompt's included (blank lines are
 * dropped; at most 1,500 characters are sampled).
 */
export function writeSonnet(gen: CharGenerator, vocab: Vocab, prompt: string, opts: Omit<SampleTextOptions, "lines" | "length" | "textLinesOnly"> & { lines?: number } = {}): string {
  const wanted = opts.lines ?? 14;
  const text = opts.lowercase ? prompt.toLowerCase() : prompt;
  const inPrompt = text.split("\n").slice(0, -1).filter((line) => line.trim() !== "").length;
  const poem = text + sampleText(gen, vocab, text, { ...opts, lowercase: false, lines: Math.max(1, wanted - inPrompt), length: 1500, textLinesOnly: true });
  return poem.split("\n").filter((line, i, all) => line.trim() !== "" || i === all.length - 1).join("\n");
}

/** Returns the `k` most likely next characters after `prompt` with their probabilities at `temperature`, most likely first. */
export function nextChars(gen: CharGenerator, vocab: Vocab, prompt: string, k = 5, temperature = 1): Array<{ char: string; p: number }> {
  const ix = encode(prompt, vocab);
  if (ix.length === 0) throw new Error("nextChars: the prompt is empty.");
  gen.reset();
  let logits: Float32Array = new Float32Array(0);
  for (const i of ix) logits = gen.stepLogits(i);
  const p = softmax(logits, temperature);
  return Array.from(p, (pi, i) => ({ char: vocab.ixToChar[i], p: pi }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
}

/** Returns the generator's speed in characters per second, sampling `count` characters after a one-character start. */
export function generationSpeed(gen: CharGenerator, count = 5000, temperature = 0.5): number {
  gen.reset();
  const started = performance.now();
  gen.generate([0], count, { temperature });
  const seconds = (performance.now() - started) / 1000;
  gen.reset();
  return count / Math.max(seconds, 1e-9);
}
