// Tang poems (datasets/tang/poems.txt, lesson 5): the course's process_poems (jinfagang/tensorflow_poems), done so that
// a model can learn where a poem ends without learning to write spaces. Each line of the file is `title:content`; a
// kept poem is wrapped in a start and an end token ("G…E"). What changes from the original, and why:
//   - characters are code points (Array.from), not UTF-16 units: 𬬻 is one character, as in Python's len();
//   - padding is not a character: index 0 is reserved for it, no character maps to it, and padBatch returns a mask
//     (1 where a target is real), so a masked loss never teaches the model to emit padding (the original pads with
//     ' ', a vocabulary entry, and trains on it);
//   - the vocabulary is capped (maxVocab most frequent training characters) with an unknown symbol;
//   - every 20th poem is held out (the poem at index i of the kept poems, in file order, when i % 20 === 19): never
//     trained on, never counted in the vocabulary.
import * as fs from "fs";
import * as path from "path";
import { datasetsDir } from "../course";

/** The shipped collection: 57,603 lines `title:content` of the 《全唐诗》 (datasets/SOURCES.md). */
export const poemsFile = path.join(datasetsDir, "tang", "poems.txt");

/** Symbols the original filter rejects in a poem's content, in the order they are looked for (start/end tokens added). */
export const rejectedSymbols = ["_", "(", "（", "《", "["] as const;

/** Poem lengths (characters, punctuation included) of the four regular forms: 4 or 8 lines of 5 or 7 characters, each with its ，or 。. */
export const formLengths: Record<number, string> = { 24: "五言绝句", 32: "七言绝句", 48: "五言律诗", 64: "七言律诗" };

/** One kept poem. */
export interface Poem {
  /** The title (the text before the first ":"). */
  title: string;
  /** The content without spaces and without the start and end tokens. */
  text: string;
  /** The content's characters (code points). */
  chars: string[];
  /** Its line in the file (1-based). */
  line: number;
  /** Its position among the kept poems, in file order. */
  index: number;
}

/** The symbols a poem model reads and writes, and their indices. */
export interface PoemVocab {
  /** Symbol of each index: [0] is "" (padding: not a character), [1] the start token, [2] the end token, [3] the unknown symbol, then the characters. */
  ixToChar: string[];
  /** Index of each character and of the start, end and unknown symbols; padding has no entry. */
  charToIx: Map<string, number>;
  /** The poem characters, most frequent first (no padding, no start, end or unknown symbol). */
  chars: string[];
  /** Number of indices, padding included: ixToChar.length (the model's output size). */
  vocabSize: number;
  /** Index of padding (0): input filler and never a target. */
  pad: number;
  /** Index of the start token. */
  start: number;
  /** Index of the end token. */
  end: number;
  /** Index of the unknown symbol (a character outside the vocabulary). */
  unknown: number;
  startToken: string;
  endToken: string;
  unknownToken: string;
}

/** What processPoems kept and removed, for the lesson's pictures. */
export interface PoemStats {
  /** Lines in the file. */
  lines: number;
  /** Poems kept. */
  kept: number;
  /** Lines removed, by the first reason that applies (in this order). */
  removed: {
    /** Empty lines. */
    blank: number;
    /** Lines without ":" (no title:content). */
    noColon: number;
    /** Contents holding a rejected symbol, by the first one found (`_ ( （ 《 [` then the start and end tokens). */
    symbol: Record<string, number>;
    /** Contents under 5 characters. */
    tooShort: number;
    /** Contents over 79 characters. */
    tooLong: number;
  };
  /** Characters in the kept poems (no tokens). */
  characters: number;
  /** Distinct characters in the kept poems. */
  distinctChars: number;
  /** lengthCounts[n] = kept poems of n characters (0 to 79): 24, 32, 48 and 64 are the regular forms (formLengths). */
  lengthCounts: number[];
  /** Every character of the kept poems with its count, most frequent first (ties by code point). */
  charCounts: [string, number][];
}

/** The poems, split, with their vocabulary, encoded sequences and statistics. */
export interface PoemSet {
  file: string;
  /** Every kept poem, in file order. */
  poems: Poem[];
  /** The poems trained on: all but the held-out ones. */
  train: Poem[];
  /** Every heldOutEvery-th poem (index % heldOutEvery === heldOutEvery − 1): never trained on. */
  heldOut: Poem[];
  heldOutEvery: number;
  vocab: PoemVocab;
  /** [start, characters…, end] of each training poem, as indices (unknown for a character outside the vocabulary). */
  trainSequences: Int32Array[];
  /** The same for the held-out poems. */
  heldOutSequences: Int32Array[];
  stats: PoemStats;
}

/** Options of processPoems. */
export interface ProcessPoemsOptions {
  /** Most frequent training characters kept in the vocabulary; the rest become the unknown symbol (default 4000; Infinity keeps all). */
  maxVocab?: number;
  /** Hold out every n-th poem (default 20: indices 19, 39, …). */
  heldOutEvery?: number;
  /** Start token (default "G", the course's; the current upstream uses "B"). A content containing it is skipped. */
  startToken?: string;
  /** End token (default "E"). A content containing it is skipped. */
  endToken?: string;
  /** Symbol standing for a character outside the vocabulary (default "\uFFFD", �). */
  unknownToken?: string;
}

const minChars = 5;
const maxChars = 79;

/** Returns a file's text, checked: a sentence naming the file for a missing file, a folder, a binary or non-UTF-8 file. */
function readUtf8(file: string): string {
  if (!fs.existsSync(file)) throw new Error(`processPoems: there is no file at ${file}: check the path.`);
  if (fs.statSync(file).isDirectory()) throw new Error(`processPoems: ${file} is a folder: give the path of a text file of lines title:content.`);
  const bytes = fs.readFileSync(file);
  if (bytes.includes(0)) throw new Error(`processPoems: ${file} is a binary file (it contains NUL bytes), not lines of title:content.`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\ufeff/, "");
  } catch {
    throw new Error(`processPoems: ${file} is not UTF-8 text (at least one byte sequence is invalid): save it as UTF-8.`);
  }
}

/** Returns a token checked to be one character (code point). */
function oneChar(name: string, value: string): string {
  if (typeof value !== "string" || Array.from(value).length !== 1) throw new Error(`processPoems: ${name} must be one character, got ${JSON.stringify(value)}.`);
  return value;
}

/**
 * Returns the kept poems of a `title:content` file with their vocabulary, split and statistics: the course's
 * process_poems. Each line is trimmed and split on its first ":"; spaces are dropped from the content; a content
 * holding `_ ( （ 《 [` or the start/end token is skipped, and so is one under 5 or over 79 characters.
 */
export function processPoems(file: string = poemsFile, options: ProcessPoemsOptions = {}): PoemSet {
  const startToken = oneChar("startToken", options.startToken ?? "G");
  const endToken = oneChar("endToken", options.endToken ?? "E");
  const unknownToken = oneChar("unknownToken", options.unknownToken ?? "\uFFFD");
  if (new Set([startToken, endToken, unknownToken]).size !== 3) throw new Error(`processPoems: startToken, endToken and unknownToken must differ, got ${JSON.stringify([startToken, endToken, unknownToken])}.`);
  const maxVocab = options.maxVocab ?? 4000;
  if (!(maxVocab === Infinity || (Number.isInteger(maxVocab) && maxVocab >= 1))) throw new Error(`processPoems: maxVocab must be a whole number ≥ 1 (or Infinity), got ${maxVocab}.`);
  const heldOutEvery = options.heldOutEvery ?? 20;
  if (!Number.isInteger(heldOutEvery) || heldOutEvery < 2) throw new Error(`processPoems: heldOutEvery must be a whole number ≥ 2, got ${heldOutEvery}.`);

  const lines = readUtf8(file).split(/\r\n?|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop(); // the file's final line break
  const rejected = [...rejectedSymbols, startToken, endToken];
  const removed: PoemStats["removed"] = { blank: 0, noColon: 0, symbol: Object.fromEntries(rejected.map((s) => [s, 0])), tooShort: 0, tooLong: 0 };
  const poems: Poem[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return void removed.blank++;
    // The original unpacks line.split(':') into two names, so a line with two colons raises and is skipped; here the
    // first colon splits. No line of datasets/tang/poems.txt holds two colons: the counts are the same.
    const colon = line.indexOf(":");
    if (colon < 0) return void removed.noColon++;
    const title = line.slice(0, colon);
    const text = line.slice(colon + 1).replace(/ /g, "");
    const symbol = rejected.find((s) => text.includes(s));
    if (symbol !== undefined) return void removed.symbol[symbol]++;
    const chars = Array.from(text);
    if (chars.length < minChars) return void removed.tooShort++;
    if (chars.length > maxChars) return void removed.tooLong++;
    poems.push({ title, text, chars, line: i + 1, index: poems.length });
  });
  if (poems.length === 0) throw new Error(`processPoems: ${file} has no poem left after the filter (${lines.length} lines): expected lines title:content of 5 to 79 characters.`);
  // The original then sorts the poems by `len(line)`: the length of the file's last line, the same for every poem,
  // so Python's stable sort leaves them in file order. Nothing to do here.

  const train = poems.filter((p) => p.index % heldOutEvery !== heldOutEvery - 1);
  const heldOut = poems.filter((p) => p.index % heldOutEvery === heldOutEvery - 1);
  const vocab = poemVocab(train.map((p) => p.chars), { maxVocab, startToken, endToken, unknownToken });

  const all = countChars(poems.map((p) => p.chars));
  const lengthCounts = new Array<number>(maxChars + 1).fill(0);
  for (const p of poems) lengthCounts[p.chars.length]++;
  const stats: PoemStats = {
    lines: lines.length,
    kept: poems.length,
    removed,
    characters: poems.reduce((n, p) => n + p.chars.length, 0),
    distinctChars: all.length,
    lengthCounts,
    charCounts: all,
  };
  return {
    file,
    poems,
    train,
    heldOut,
    heldOutEvery,
    vocab,
    trainSequences: train.map((p) => encodePoem(p.chars, vocab)),
    heldOutSequences: heldOut.map((p) => encodePoem(p.chars, vocab)),
    stats,
  };
}

/** Returns each character of `poems` with its count, most frequent first, ties by code point. */
function countChars(poems: readonly (readonly string[])[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const chars of poems) for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Options of poemVocab. */
export interface PoemVocabOptions {
  /** Most frequent characters kept (default 4000; Infinity keeps all). */
  maxVocab?: number;
  startToken?: string;
  endToken?: string;
  unknownToken?: string;
}

/**
 * Returns the vocabulary of poems (texts or arrays of characters): padding at 0 (not a character), the start, end and
 * unknown symbols at 1, 2, 3, then the maxVocab most frequent characters (ties by code point).
 */
export function poemVocab(poems: readonly (readonly string[] | string)[], options: PoemVocabOptions = {}): PoemVocab {
  const startToken = options.startToken ?? "G";
  const endToken = options.endToken ?? "E";
  const unknownToken = options.unknownToken ?? "\uFFFD";
  const maxVocab = options.maxVocab ?? 4000;
  const specials = [startToken, endToken, unknownToken];
  const counted = countChars(poems.map((p) => (typeof p === "string" ? Array.from(p) : p)));
  const clash = counted.find(([c]) => specials.includes(c) || c === "");
  if (clash) throw new Error(`poemVocab: the character ${JSON.stringify(clash[0])} of the poems is also the start, end or unknown symbol: pick other tokens or filter the poems.`);
  const chars = counted.slice(0, maxVocab === Infinity ? counted.length : maxVocab).map(([c]) => c);
  const ixToChar = ["", ...specials, ...chars];
  const charToIx = new Map<string, number>();
  ixToChar.forEach((c, i) => i > 0 && charToIx.set(c, i));
  return { ixToChar, charToIx, chars, vocabSize: ixToChar.length, pad: 0, start: 1, end: 2, unknown: 3, startToken, endToken, unknownToken };
}

/** Returns [start, characters…, end] as indices [n + 2]; a character outside the vocabulary becomes the unknown symbol. */
export function encodePoem(text: string | readonly string[], vocab: PoemVocab): Int32Array {
  const chars = typeof text === "string" ? Array.from(text) : text;
  const out = new Int32Array(chars.length + 2);
  out[0] = vocab.start;
  for (let i = 0; i < chars.length; i++) {
    const ix = vocab.charToIx.get(chars[i]);
    out[i + 1] = ix === undefined || ix === vocab.start || ix === vocab.end ? vocab.unknown : ix;
  }
  out[chars.length + 1] = vocab.end;
  return out;
}

/** Returns the text of indices: padding and the start token dropped, stopping at the end token, unknown shown as the unknown symbol. */
export function decodePoem(indices: ArrayLike<number>, vocab: PoemVocab): string {
  let out = "";
  for (let i = 0; i < indices.length; i++) {
    const ix = indices[i];
    if (ix === vocab.end) break;
    if (ix === vocab.pad || ix === vocab.start) continue;
    const c = vocab.ixToChar[ix];
    if (c === undefined) throw new Error(`decodePoem: index ${ix} (position ${i}) is outside the vocabulary (0 to ${vocab.vocabSize - 1}).`);
    out += c;
  }
  return out;
}

/** Returns the share (0 to 1) of all kept characters that the n most frequent characters cover. */
export function coverage(stats: PoemStats, n: number): number {
  let covered = 0;
  for (let i = 0; i < Math.min(n, stats.charCounts.length); i++) covered += stats.charCounts[i][1];
  return covered / stats.characters;
}

/** A batch of poems for teacher forcing: row-major [batchSize, steps] arrays. */
export interface PoemBatch {
  /** [B, T] int32: sequence[t], padding (0) after a poem's end. */
  inputs: Int32Array;
  /** [B, T] int32: sequence[t + 1], the symbol to predict; padding (0) where there is none. */
  targets: Int32Array;
  /** [B, T] float32: 1 where targets holds a real symbol (end token included), 0 on padding. */
  mask: Float32Array;
  batchSize: number;
  /** T: the longest sequence's length − 1. */
  steps: number;
  /** Real targets in the batch (the mask's sum): what a masked mean loss divides by. */
  targetCount: number;
}

/** Returns the sequences ([start, …, end] indices) as a padded batch: inputs and targets [B, T] int32 and the mask [B, T] float32. */
export function padBatch(sequences: readonly ArrayLike<number>[], pad = 0): PoemBatch {
  if (sequences.length === 0) throw new Error("padBatch: sequences is empty: a batch needs at least one poem.");
  let longest = 0;
  sequences.forEach((s, b) => {
    if (s.length < 2) throw new Error(`padBatch: sequence ${b} has ${s.length} symbol${s.length === 1 ? "" : "s"}; a poem needs at least its start and end tokens.`);
    for (let t = 0; t < s.length; t++) {
      if (s[t] === pad) throw new Error(`padBatch: sequence ${b} holds the padding index ${pad} at position ${t}; padding is not a character.`);
    }
    longest = Math.max(longest, s.length);
  });
  const B = sequences.length;
  const T = longest - 1;
  const inputs = new Int32Array(B * T).fill(pad);
  const targets = new Int32Array(B * T).fill(pad);
  const mask = new Float32Array(B * T);
  let targetCount = 0;
  sequences.forEach((s, b) => {
    for (let t = 0; t < s.length - 1; t++) {
      inputs[b * T + t] = s[t];
      targets[b * T + t] = s[t + 1];
      mask[b * T + t] = 1;
    }
    targetCount += s.length - 1;
  });
  return { inputs, targets, mask, batchSize: B, steps: T, targetCount };
}

/** Options of lengthBuckets. */
export interface LengthBucketsOptions {
  /** A uniform random number in [0, 1) (e.g. seededRandom(epoch)): shuffles the poems of each length and the order of the batches. Default: file order, shortest first. */
  random?: () => number;
}

/** Returns batches of at most batchSize sequences of one exact length each (no padding: every mask entry is 1), covering every sequence once. */
export function lengthBuckets(sequences: readonly ArrayLike<number>[], batchSize: number, options: LengthBucketsOptions = {}): PoemBatch[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`lengthBuckets: batchSize must be a whole number ≥ 1, got ${batchSize}.`);
  const random = options.random;
  const shuffle = <T>(items: T[]): T[] => {
    if (!random) return items;
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  };
  const byLength = new Map<number, number[]>();
  sequences.forEach((s, i) => {
    const list = byLength.get(s.length) ?? [];
    list.push(i);
    byLength.set(s.length, list);
  });
  const groups: number[][] = [];
  for (const length of [...byLength.keys()].sort((a, b) => a - b)) {
    const members = shuffle(byLength.get(length)!);
    for (let i = 0; i < members.length; i += batchSize) groups.push(members.slice(i, i + batchSize));
  }
  return shuffle(groups).map((group) => padBatch(group.map((i) => sequences[i])));
}

/** Returns the vocabulary whose symbols are `ixToChar` in index order (a saved vocab.json): padding "" at 0, then the start, end and unknown symbols. */
export function poemVocabFrom(ixToChar: readonly string[]): PoemVocab {
  if (!Array.isArray(ixToChar) || ixToChar.length < 5 || ixToChar[0] !== "" || ixToChar.some((c) => typeof c !== "string")) {
    throw new Error("poemVocabFrom: expected a list of symbols in index order: \"\" (padding), the start, end and unknown symbols, then the characters.");
  }
  const charToIx = new Map<string, number>();
  ixToChar.forEach((c, i) => i > 0 && charToIx.set(c, i));
  const [, startToken, endToken, unknownToken] = ixToChar;
  return { ixToChar: [...ixToChar], charToIx, chars: ixToChar.slice(4), vocabSize: ixToChar.length, pad: 0, start: 1, end: 2, unknown: 3, startToken, endToken, unknownToken };
}
