// Any UTF-8 text file as a list of characters (datasets/shakespeare.txt, or a learner's own file): its vocabulary,
// a held-out tail, and the course's training examples (40-character windows and the character after each).
import * as fs from "fs";

/** A text file read as characters. */
export interface TextFile {
  /** The file it came from. */
  file: string;
  /** The characters (Unicode code points, not UTF-16 units: "诗" and "😀" are one character each). */
  chars: string[];
  /** The same characters joined. */
  text: string;
  /** True when the text was lowercased on loading. */
  lowercase: boolean;
}

/** Options of loadText. */
export interface LoadTextOptions {
  /** Lowercase the text (the course does, for Shakespeare: 38 symbols instead of 60). Default false. */
  lowercase?: boolean;
  /** Fewest characters accepted (default 2: one character and the one after it). */
  minLength?: number;
}

/**
 * Returns a UTF-8 text file as characters (Array.from, so one entry per code point), with Windows line breaks
 * made "\n" and a byte-order mark dropped. Throws a sentence naming the file for a missing file, a folder, an
 * empty file, a binary or non-UTF-8 file, and a file shorter than `minLength` characters.
 */
export function loadText(file: string, options: LoadTextOptions = {}): TextFile {
  const lowercase = options.lowercase ?? false;
  const minLength = options.minLength ?? 2;
  if (!fs.existsSync(file)) throw new Error(`loadText: there is no file at ${file}: check the path.`);
  if (fs.statSync(file).isDirectory()) throw new Error(`loadText: ${file} is a folder: give the path of a text file.`);
  const bytes = fs.readFileSync(file);
  if (bytes.length === 0) throw new Error(`loadText: ${file} is empty: a text to learn from needs at least ${minLength} characters.`);
  if (bytes.includes(0)) throw new Error(`loadText: ${file} is a binary file (it contains NUL bytes), not text.`);
  let raw: string;
  try {
    raw = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`loadText: ${file} is not UTF-8 text (at least one byte sequence is invalid): save it as UTF-8.`);
  }
  let text = raw.replace(/^\ufeff/, "").replace(/\r\n?/g, "\n");
  if (lowercase) text = text.toLowerCase();
  const chars = Array.from(text);
  if (chars.length < minLength) {
    throw new Error(`loadText: ${file} holds ${chars.length} character${chars.length === 1 ? "" : "s"}; it needs at least ${minLength}.`);
  }
  return { file, chars, text, lowercase };
}

/** The characters a model knows, and their indices. */
export interface Vocab {
  /** The characters in index order (sorted by code point). */
  ixToChar: string[];
  /** Each character's index. */
  charToIx: Map<string, number>;
  /** Number of characters, ixToChar.length. */
  vocabSize: number;
}

/** Returns the vocabulary of `chars` (an array of characters or a string): the sorted distinct characters and their indices. */
export function buildVocab(chars: readonly string[] | string): Vocab {
  const list = typeof chars === "string" ? Array.from(chars) : chars;
  const ixToChar = [...new Set(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return vocabFrom(ixToChar);
}

/** Returns the vocabulary whose characters are `ixToChar`, in that order (e.g. read back from a model's vocab.json). */
export function vocabFrom(ixToChar: readonly string[]): Vocab {
  const charToIx = new Map(ixToChar.map((c, i) => [c, i] as [string, number]));
  if (charToIx.size !== ixToChar.length) throw new Error(`vocabFrom: the characters repeat (${ixToChar.length} given, ${charToIx.size} distinct).`);
  return { ixToChar: [...ixToChar], charToIx, vocabSize: ixToChar.length };
}

/** Returns the indices [n] of the characters of `text` (a string or characters); throws naming the first unknown character and its line. */
export function encode(text: readonly string[] | string, vocab: Vocab): Int32Array {
  const chars = typeof text === "string" ? Array.from(text) : text;
  const out = new Int32Array(chars.length);
  for (let i = 0; i < chars.length; i++) {
    const ix = vocab.charToIx.get(chars[i]);
    if (ix === undefined) {
      const line = chars.slice(0, i).filter((c) => c === "\n").length + 1;
      throw new Error(`encode: character ${JSON.stringify(chars[i])} (position ${i}, line ${line}) is not in the vocabulary of ${vocab.vocabSize} characters.`);
    }
    out[i] = ix;
  }
  return out;
}

/** Returns the text spelled by character indices [n]. */
export function decode(indices: ArrayLike<number>, vocab: Vocab): string {
  let out = "";
  for (let i = 0; i < indices.length; i++) {
    const c = vocab.ixToChar[indices[i]];
    if (c === undefined) throw new Error(`decode: index ${indices[i]} (position ${i}) is outside the vocabulary (0 to ${vocab.vocabSize - 1}).`);
    out += c;
  }
  return out;
}

/**
 * Returns { train, heldOut }: the first Math.floor((1 − fraction) · length) items for training and the rest held out
 * (the end of the text, never seen in training). Works on characters, a string's characters, or indices.
 */
export function splitHeldOut<T>(text: readonly T[] | ArrayLike<T>, fraction = 0.1): { train: T[]; heldOut: T[] } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`splitHeldOut: fraction must be between 0 and 1, got ${fraction}.`);
  const items: T[] = typeof text === "string" ? (Array.from(text) as unknown as T[]) : Array.from(text);
  const at = Math.floor((1 - fraction) * items.length);
  if (at < 2 || items.length - at < 2) {
    throw new Error(`splitHeldOut: a text of ${items.length} characters is too short to hold out ${fraction}: both parts need at least 2 characters.`);
  }
  return { train: items.slice(0, at), heldOut: items.slice(at) };
}

/** The course's training examples: windows of Tx character indices and the character that follows each. */
export interface Windows {
  /** Row-major [m, Tx] character indices: X[i·Tx + t] = text[i·stride + t]. */
  X: Int32Array;
  /** [m]: the character after each window, Y[i] = text[i·stride + Tx]. */
  Y: Int32Array;
  /** Number of examples. */
  m: number;
  Tx: number;
}

/**
 * Returns the course's examples from indices (the Coursera notebook's build_data): a window starts every `stride`
 * characters, for i in range(0, length − Tx, stride); X [m, Tx] holds the window, Y [m] the next character.
 */
export function windows(text: ArrayLike<number>, Tx = 40, stride = 3): Windows {
  if (!Number.isInteger(Tx) || Tx < 1) throw new Error(`windows: Tx must be a whole number ≥ 1, got ${Tx}.`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`windows: stride must be a whole number ≥ 1, got ${stride}.`);
  if (text.length <= Tx) throw new Error(`windows: a text of ${text.length} characters has no window of ${Tx} followed by a character.`);
  const m = Math.ceil((text.length - Tx) / stride);
  const X = new Int32Array(m * Tx);
  const Y = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const start = i * stride;
    for (let t = 0; t < Tx; t++) X[i * Tx + t] = text[start + t];
    Y[i] = text[start + Tx];
  }
  return { X, Y, m, Tx };
}

/** Returns the one-hot vectors of indices [n] as a row-major Float32Array [n, vocabSize]. */
export function oneHot(indices: ArrayLike<number>, vocabSize: number): Float32Array {
  const out = new Float32Array(indices.length * vocabSize);
  for (let i = 0; i < indices.length; i++) {
    const ix = indices[i];
    if (!(Number.isInteger(ix) && ix >= 0 && ix < vocabSize)) throw new Error(`oneHot: index ${ix} (position ${i}) is outside 0 to ${vocabSize - 1}.`);
    out[i * vocabSize + ix] = 1;
  }
  return out;
}

/** Returns the character with the largest value in each row of a row-major [n, vocabSize] array, joined (one-hot back to text). */
export function fromOneHot(rows: ArrayLike<number>, vocab: Vocab): string {
  const v = vocab.vocabSize;
  if (rows.length % v !== 0) throw new Error(`fromOneHot: ${rows.length} numbers are not whole rows of ${v}.`);
  let out = "";
  for (let r = 0; r < rows.length / v; r++) {
    let best = 0;
    for (let j = 1; j < v; j++) if (rows[r * v + j] > rows[r * v + best]) best = j;
    out += vocab.ixToChar[best];
  }
  return out;
}
