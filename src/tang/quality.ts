// How good a poem model's poems are, measured the same way in the notebook, the tests and the shipped model's
// metrics: free poems (no form imposed) from many first characters, how many are regular and how many hold stray
// symbols; then the constrained ways (a form, an acrostic, rhyme), which must be right every time.
import type { PoemVocab } from "../data/poems";
import type { tf } from "../tf/backend";
import { CharGenerator, seededRandom } from "../tf/generate";
import { formOf, isHan, lineEnds, regularForms, versesOf } from "./forms";
import { generatePoem } from "./generate";
import type { GeneratedPoem } from "./generate";
import { poemGenerator } from "./model";
import { rhymes, rhymeShare } from "./rhyme";

/** Options of measureFree and measurePoems. */
export interface MeasureOptions {
  /** Poems of each kind (default 100). */
  count?: number;
  /** Softmax temperature (default 0.7). */
  temperature?: number;
  /** Poem i is written with seed + i (default 1). */
  seed?: number;
  /** How the temperature applies (generatePoem's temperatureBy; default "kind"). */
  temperatureBy?: "symbol" | "kind";
  /** measureFree only: skip this many of the most frequent characters before taking the first characters (default 0): other poems than the default ones, e.g. ones no test has seen. */
  skipFirsts?: number;
}

/** What measureFree found. */
export interface FreeFigures {
  count: number;
  /** Poems with a regular form (isRegular), and their share. */
  regular: number;
  share: number;
  /** Regular poems whose even lines rhyme (rhymes(): nothing forced them to), and their share of the regular ones (NaN when none is regular). */
  rhyming: number;
  rhymeShare: number;
  /** Characters that are neither Han characters nor line-end punctuation (padding, tokens, unknown, letters, spaces), in all poems. */
  stray: number;
  /** The poems, in order of their first characters. */
  poems: string[];
}

/** Returns the `n` most frequent Han characters of the vocabulary: the first characters of the measured poems. */
export function firstCharacters(vocab: PoemVocab, n: number): string[] {
  const chars = vocab.chars.filter(isHan).slice(0, n);
  if (chars.length < n) throw new Error(`The vocabulary has ${chars.length} Han characters, fewer than the ${n} first characters asked for.`);
  return chars;
}

/** Returns the characters of `text` that are neither Han characters nor line-end punctuation. */
export function strayOf(text: string): string[] {
  return Array.from(text).filter((c) => !isHan(c) && !lineEnds.includes(c));
}

const asGenerator = (model: tf.LayersModel | CharGenerator, vocab: PoemVocab) => (model instanceof CharGenerator ? model : poemGenerator(model, vocab));

/** Writes `count` free poems (form "free": nothing imposed but ending), one from each of the most frequent first characters, and counts the regular ones and the stray symbols. */
export function measureFree(model: tf.LayersModel | CharGenerator, vocab: PoemVocab, opts: MeasureOptions = {}): FreeFigures {
  const count = opts.count ?? 100;
  const temperature = opts.temperature ?? 0.7;
  const seed = opts.seed ?? 1;
  const gen = asGenerator(model, vocab);
  const skip = opts.skipFirsts ?? 0;
  const poems = firstCharacters(vocab, skip + count).slice(skip).map((first, i) => generatePoem(gen, vocab, { first, form: "free", temperature, temperatureBy: opts.temperatureBy, seed: seed + i }).text);
  const regular = poems.filter((p) => formOf(p) !== null);
  const { rhyming } = rhymeShare(regular);
  return { count, regular: regular.length, share: regular.length / count, rhyming, rhymeShare: rhyming / regular.length, stray: poems.reduce((n, p) => n + strayOf(p).length, 0), poems };
}

/** A constrained kind of poem and how often it came out right. */
export interface ConstrainedFigures {
  count: number;
  /** Poems that are right (regular in the asked form; every line's head; even lines rhyming), and their share. */
  right: number;
  share: number;
  /** A few of the poems. */
  samples: string[];
}

/** Everything measurePoems found. */
export interface PoemFigures {
  temperature: number;
  temperatureBy: "symbol" | "kind";
  free: FreeFigures;
  /** Each of the four forms in turn, from the same first characters: regular in that form; and how many of those rhyme unforced. */
  form: ConstrainedFigures & { rhyming: number; rhymeShare: number };
  /** Acrostics of 4 heads (the first characters four at a time, any regular form): every line starts with its head and the poem is regular. */
  acrostic: ConstrainedFigures;
  /** Rhyming poems in each form in turn: regular and the even lines rhyme (rhymes()). */
  rhyme: ConstrainedFigures;
  /** Characters written per second, all poems together. */
  charsPerSecond: number;
}

function constrained(poems: GeneratedPoem[], right: (p: GeneratedPoem, i: number) => boolean): ConstrainedFigures {
  const ok = poems.filter(right).length;
  return { count: poems.length, right: ok, share: ok / poems.length, samples: poems.slice(0, 5).map((p) => p.text) };
}

/** Measures a poem model on `count` poems of each kind (free, in a form, acrostic, rhyming): the figures of issue #13. */
export function measurePoems(model: tf.LayersModel | CharGenerator, vocab: PoemVocab, opts: MeasureOptions = {}): PoemFigures {
  const count = opts.count ?? 100;
  const temperature = opts.temperature ?? 0.7;
  const seed = opts.seed ?? 1;
  const gen = asGenerator(model, vocab);
  const started = performance.now();
  const free = measureFree(gen, vocab, { count, temperature, seed, temperatureBy: opts.temperatureBy });
  const firsts = firstCharacters(vocab, Math.max(count, 4));
  const formOfPoem = (i: number) => regularForms[i % 4];
  const formed = firsts.slice(0, count).map((first, i) => generatePoem(gen, vocab, { first, form: formOfPoem(i).name, temperature, temperatureBy: opts.temperatureBy, seed: seed + i }));
  const inForm = (p: GeneratedPoem, i: number) => formOf(p.text)?.name === formOfPoem(i).name;
  const formedRhyme = rhymeShare(formed.filter(inForm)); // nothing forced these to rhyme
  const headsOf = (i: number) => Array.from({ length: 4 }, (_, k) => firsts[(4 * i + k) % firsts.length]);
  const acrostics = Array.from({ length: count }, (_, i) => generatePoem(gen, vocab, { heads: headsOf(i), temperature, temperatureBy: opts.temperatureBy, seed: seed + i }));
  const rhyming = firsts.slice(0, count).map((first, i) => generatePoem(gen, vocab, { first, form: formOfPoem(i).name, rhyme: true, temperature, temperatureBy: opts.temperatureBy, seed: seed + i }));
  const chars = [...free.poems, ...[...formed, ...acrostics, ...rhyming].map((p) => p.text)].reduce((n, p) => n + Array.from(p).length + 1, 0);
  return {
    temperature,
    temperatureBy: opts.temperatureBy ?? "kind",
    free,
    form: { ...constrained(formed, inForm), rhyming: formedRhyme.rhyming, rhymeShare: formedRhyme.share },
    acrostic: constrained(acrostics, (p, i) => formOf(p.text) !== null && versesOf(p.text).every((v, k) => Array.from(v)[0] === headsOf(i)[k])),
    rhyme: constrained(rhyming, (p, i) => formOf(p.text)?.name === formOfPoem(i).name && rhymes(p.text)),
    charsPerSecond: Math.round(chars / ((performance.now() - started) / 1000)),
  };
}

/** What rawSamples found. */
export interface RawSamples {
  /** The texts written, padding shown as ␣ and the unknown symbol as �, each up to its end token. */
  texts: string[];
  /** Symbols drawn in all (end tokens included), and how many were padding. */
  symbols: number;
  padding: number;
  /** padding / symbols */
  paddingShare: number;
}

/**
 * Draws `count` texts of up to `length` symbols from the model with no mask at all (the course's gen_poem: any symbol
 * may come, padding too), each from the start token, at `temperature`: how the course's unmasked training shows its
 * bug (it writes padding, the original's spaces), and a masked model does not.
 */
export function rawSamples(model: tf.LayersModel | CharGenerator, vocab: PoemVocab, opts: { count?: number; length?: number; temperature?: number; seed?: number } = {}): RawSamples {
  const gen = asGenerator(model, vocab);
  const random = seededRandom(opts.seed ?? 1);
  const texts: string[] = [];
  let symbols = 0;
  let padding = 0;
  for (let k = 0; k < (opts.count ?? 20); k++) {
    gen.reset();
    let ix = vocab.start;
    let text = "";
    for (let i = 0; i < (opts.length ?? 60); i++) {
      ix = gen.sampleAfter(ix, { random, temperature: opts.temperature ?? 1 });
      symbols++;
      if (ix === vocab.end) break;
      if (ix === vocab.pad) padding++;
      text += ix === vocab.pad ? "␣" : vocab.ixToChar[ix];
    }
    texts.push(text);
  }
  return { texts, symbols, padding, paddingShare: padding / symbols };
}
