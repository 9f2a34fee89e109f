// The lesson's text as the models see it: lowercased characters, their vocabulary, and the split into the text
// trained on and the held-out tail (the last 10% of the characters, which no model or tuning step sees).
import * as fs from "fs";
import * as path from "path";
import { datasetsDir } from "../course";
import { buildVocab, encode, loadText, splitHeldOut } from "../data/text";
import type { TextFile, Vocab } from "../data/text";

/** A text split for training: characters, vocabulary, indices of both parts. */
export interface SplitText {
  source: TextFile;
  vocab: Vocab;
  /** Indices of the first (1 − heldOutFraction) of the characters. */
  train: Int32Array;
  /** Indices of the rest: the held-out tail. */
  heldOut: Int32Array;
  /** The held-out tail as text. */
  heldOutText: string;
}

/** Options of loadSonnets. */
export interface LoadSonnetsOptions {
  /** Lowercase the text (default true, as the course does). */
  lowercase?: boolean;
  /** The share of characters held out at the end (default 0.1). */
  heldOutFraction?: number;
  /** Fewest characters accepted. */
  minLength?: number;
}

/** Returns `file` read, lowercased and split: a path, else a name in datasets/ (default datasets/shakespeare.txt). */
export function loadSonnets(file = "shakespeare.txt", opts: LoadSonnetsOptions = {}): SplitText {
  const full = path.isAbsolute(file) || fs.existsSync(file) ? path.resolve(file) : path.join(datasetsDir, file);
  const source = loadText(full, { lowercase: opts.lowercase ?? true, minLength: opts.minLength });
  const vocab = buildVocab(source.chars);
  const split = splitHeldOut(source.chars, opts.heldOutFraction ?? 0.1);
  return { source, vocab, train: encode(split.train, vocab), heldOut: encode(split.heldOut, vocab), heldOutText: split.heldOut.join("") };
}
