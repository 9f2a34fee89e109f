// What a character model learned, measured on the text it writes: the share of its words that are English words
// (an-array-of-english-words: ~275,000 words, thee/thou/doth included) and the syllables of each line (syllable,
// an English syllable counter: a sonnet's iambic pentameter has about 10). The same measures on real sonnets and on
// random characters give the two ends of the scale.
import { encode } from "../data/text";
import type { Vocab } from "../data/text";
import { sampleIndex } from "../tf/generate";

// Both packages are CommonJS (tslab cannot require ESM-only packages: syllable 5 is one, so 4 is used).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const englishWords: string[] = require("an-array-of-english-words");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const countSyllables: (text: string) => number = require("syllable");

let dictionary: Set<string> | undefined;

/** Returns the words of `text`, lowercased: letters with inner apostrophes (o'er, beauty's); other symbols split. */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]+(?:'[a-z]+)*/g) ?? []);
}

/** Returns true if `word` is an English word: in the list, or its possessive (beauty's) or elision (o'er → over) is. */
export function isEnglishWord(word: string): boolean {
  dictionary ??= new Set(englishWords);
  const w = word.toLowerCase();
  if (dictionary.has(w)) return true;
  if (w.endsWith("'s") && dictionary.has(w.slice(0, -2))) return true;
  // Elisions drop a letter: o'er, ne'er, e'en (over, never, even), lov'd, heav'n (loved, heaven).
  return w.includes("'") && (dictionary.has(w.replace("'", "v")) || dictionary.has(w.replace("'", "e")));
}

/** What measureText found. */
export interface TextMeasures {
  words: number;
  englishWords: number;
  /** englishWords / words (NaN without words). */
  englishShare: number;
  /** The syllables of each line with text. */
  syllablesPerLine: number[];
  /** Their mean (NaN without lines). */
  meanSyllables: number;
}

/** Returns the English-word share of `text`'s words and the syllables of each of its lines that has a word. */
export function measureText(text: string): TextMeasures {
  const words = wordsOf(text);
  const englishWords = words.filter(isEnglishWord).length;
  const syllablesPerLine = text.split("\n").filter((line) => wordsOf(line).length > 0).map((line) => countSyllables(wordsOf(line).join(" ")));
  const mean = syllablesPerLine.reduce((a, b) => a + b, 0) / syllablesPerLine.length;
  return { words: words.length, englishWords, englishShare: englishWords / words.length, syllablesPerLine, meanSyllables: mean };
}

/**
 * Returns `length` characters drawn independently with the frequencies they have in `text` (indices of `vocab`):
 * the baseline a model must beat, what a model that learned only which characters are common would write.
 */
export function randomCharacters(text: string, vocab: Vocab, length: number, random: () => number): string {
  const counts = new Float64Array(vocab.vocabSize);
  for (const i of encode(text, vocab)) counts[i]++;
  const total = counts.reduce((a, b) => a + b, 0);
  const p = counts.map((c) => c / total);
  let out = "";
  for (let i = 0; i < length; i++) out += vocab.ixToChar[sampleIndex(p, random)];
  return out;
}
