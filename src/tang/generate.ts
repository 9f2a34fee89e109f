// Writing a poem with constrained decoding: the model proposes the next symbol's probabilities, the rules of the
// poem mask them, and the draw happens among what is left. Form, heads and rhyme are therefore guaranteed by
// construction, whatever the model has learned, instead of filtering poems afterwards; the model only chooses among
// legal symbols. What the masks forbid, always: padding, the start token, the unknown symbol, anything that is not a
// Han character or punctuation (letters, spaces, □, {…}), and the end token anywhere but a legal place. What they
// fix, when asked:
//   - free poem (form "free"): punctuation never first nor after punctuation, the end only after 。？！, and at most
//     maxLength characters (the cap closes the sentence with 。？！, then the end token): it always ends;
//   - regular form (a name, or "regular" to let the model choose 5 or 7 characters and 4 or 8 lines): lineLength Han
//     characters per line, then ，after odd lines and 。after even ones, the end token right after the last line;
//   - acrostic (heads, 藏头诗): line i starts with heads[i], 4 or 8 heads, in any regular form;
//   - rhyme: the last character of each even line after the first shares a rhyme class (rhyme.ts) with all earlier
//     even-line ends and is not one of them. That set always holds a character (the first even line's end rhymes
//     with itself); when the model gives no weight to any of its characters, an earlier rhyme character may repeat,
//     and if the model gives no weight to those either, the draw is uniform among the rhyming characters: the rhyme
//     is never dropped.
// The temperature sharpens (below 1) or flattens each decision: by default first "a character, a punctuation mark or the
// end?" by the kinds' total probabilities, then which one (temperatureBy "kind"); per symbol, the one end token would
// beat thousands of characters that are each less likely, and free poems would stop after two lines.
// The model is anything that gives the next symbol's probabilities after feeding one: CharGenerator (src/tf/generate.ts,
// reset() then step()), or a plain function (a fake model in the tests).
import type { PoemVocab } from "../data/poems";
import { sampleIndex, seededRandom } from "../tf/generate";
import { formByName, isHan, lineEndOf, lineEnds, regularForms, sentenceEnds } from "./forms";
import type { Form, FormName } from "./forms";
import { rhymeClasses, sharedRhyme } from "./rhyme";
import type { RhymeClass } from "./rhyme";

/** The probabilities [vocabSize] of the symbol after prevIndex, once prevIndex is fed (the model keeps its own state). */
export type NextDistribution = (prevIndex: number) => ArrayLike<number>;

/** A stateful model that starts afresh on reset() and returns the next symbol's probabilities from step(index): CharGenerator is one. */
export interface StepModel {
  reset(): void;
  step(index: number): ArrayLike<number>;
}

/** What generatePoem writes with: a NextDistribution, or a StepModel (reset before each poem). */
export type PoemModel = NextDistribution | StepModel;

/** Options of generatePoem. */
export interface PoemOptions {
  /** The poem's first character (default: the model chooses). */
  first?: string;
  /** "free" (no form), "regular" (any of the four forms, chosen by the model), or a form's name. Default "free", or "regular" with heads or rhyme. */
  form?: FormName | "regular" | "free";
  /** Acrostic (藏头诗): the first character of each line, 4 or 8 of them (a string or an array of characters). */
  heads?: string | readonly string[];
  /** Make the even lines rhyme (needs a regular form). Default false. */
  rhyme?: boolean;
  /** Softmax temperature applied to the model's probabilities: p^(1/T), renormalised over the allowed symbols, per kind of symbol first (temperatureBy). Default 1. */
  temperature?: number;
  /** Seed of the draws: the same seed, model and options give the same poem. Default: Math.random. */
  seed?: number;
  /** A uniform random number in [0, 1), instead of seed. */
  random?: () => number;
  /** Most characters of a free poem, punctuation included (default 79, the longest poem kept by processPoems). */
  maxLength?: number;
  /**
   * How the temperature applies (default "kind"): to each symbol's probability ("symbol", p^(1/T) renormalised), or
   * "kind": first to the choice between kinds of symbol (a character, a punctuation mark, the end) by their total
   * probabilities, then to the symbol within the kind drawn. Per symbol, a temperature below 1 favours the one end
   * token over thousands of characters that are each less likely but together far more likely, and a free poem stops
   * early; per kind, "end or go on" is sharpened as a choice of its own.
   */
  temperatureBy?: "symbol" | "kind";
}

/** A generated poem. */
export interface GeneratedPoem {
  /** The poem, punctuation included, without start and end tokens. */
  text: string;
  /** Its symbols' indices in the vocabulary. */
  indices: number[];
  /** The regular form it was written in (null for a free poem). */
  form: Form | null;
  /** True when the end token was the only symbol allowed (after the form's last line, or at the cap), false when the model chose to end. */
  forcedEnd: boolean;
  /** Draws where the model gave no weight to any allowed symbol, so the choice was uniform among them (a sign of an untrained or very sharp model). */
  uniformDraws: number;
}

/** Indices of a vocabulary's symbols by kind, and the rhyme classes of its Han characters. */
interface VocabIndex {
  /** Kind of each symbol for temperatureBy "kind": 0 a character (or anything else), 1 punctuation, 2 the end token. */
  kinds: Uint8Array;
  /** han + punctuation, han + sentence ends, han + the end token: the unions a free poem allows, built once. */
  hanPunctuation: number[];
  hanSentenceEnds: number[];
  hanEnd: number[];
  han: number[];
  rhymeClasses: (readonly RhymeClass[])[];
  punctuation: number[];
  sentenceEnds: number[];
}

const indexCache = new WeakMap<PoemVocab, VocabIndex>();

/** Returns the vocabulary's Han characters, punctuation and sentence ends as index lists (computed once per vocabulary). */
function indexOf(vocab: PoemVocab): VocabIndex {
  let found = indexCache.get(vocab);
  if (!found) {
    const han: number[] = [];
    const punctuation: number[] = [];
    const ends: number[] = [];
    const classes: (readonly RhymeClass[])[] = [];
    vocab.ixToChar.forEach((c, i) => {
      if (i === vocab.pad || i === vocab.start || i === vocab.end || i === vocab.unknown) return;
      if (isHan(c)) {
        han.push(i);
        classes[i] = rhymeClasses(c);
      } else if (lineEnds.includes(c)) {
        punctuation.push(i);
        if (sentenceEnds.includes(c)) ends.push(i);
      }
    });
    const kinds = new Uint8Array(vocab.vocabSize);
    for (const i of punctuation) kinds[i] = 1;
    kinds[vocab.end] = 2;
    found = {
      han, rhymeClasses: classes, punctuation, sentenceEnds: ends, kinds,
      hanPunctuation: [...han, ...punctuation], hanSentenceEnds: [...han, ...ends], hanEnd: [...han, vocab.end],
    };
    indexCache.set(vocab, found);
  }
  return found;
}

/** Returns the index of a character the poem needs, or throws a sentence naming the character and its role. */
function needChar(vocab: PoemVocab, char: string, role: string): number {
  if (Array.from(char).length !== 1) throw new Error(`${role} must be one character, got ${JSON.stringify(char)}.`);
  const ix = vocab.charToIx.get(char);
  if (ix === undefined || ix === vocab.start || ix === vocab.end || ix === vocab.unknown) {
    throw new Error(`${role} ${JSON.stringify(char)} is not in the vocabulary (${vocab.chars.length} characters): choose a character the model knows.`);
  }
  if (!isHan(char)) throw new Error(`${role} ${JSON.stringify(char)} is not a Han character: a line starts with a character, not punctuation or a letter.`);
  return ix;
}

let weightBuffer = new Float64Array(0);

/** Returns one of `allowed` drawn in proportion to p^(1/T); uniform when the model gives them no weight. Counts the uniform draws in `stats`. */
function pick(p: ArrayLike<number>, allowed: readonly number[], temperature: number, random: () => number, stats: { uniformDraws: number }): number {
  if (allowed.length === 1) return allowed[0];
  let max = 0;
  for (const i of allowed) if (p[i] > max) max = p[i]; // NaN and negative values count as no weight
  if (weightBuffer.length < allowed.length) weightBuffer = new Float64Array(allowed.length);
  const weights = weightBuffer.subarray(0, allowed.length);
  if (max > 0 && Number.isFinite(max)) {
    const power = 1 / temperature;
    for (let k = 0; k < allowed.length; k++) {
      const v = p[allowed[k]];
      weights[k] = v > 0 ? (power === 1 ? v / max : Math.pow(v / max, power)) : 0;
    }
  } else {
    stats.uniformDraws++;
    weights.fill(1);
  }
  return allowed[sampleIndex(weights, random)];
}

/** Like pick, with the temperature applied first to the kind of symbol (kinds[i]: 0 character, 1 punctuation, 2 end) and then within the kind drawn. */
function pickByKind(p: ArrayLike<number>, allowed: readonly number[], kinds: Uint8Array, temperature: number, random: () => number, stats: { uniformDraws: number }): number {
  const masses = [0, 0, 0];
  const counts = [0, 0, 0];
  for (const i of allowed) {
    counts[kinds[i]]++;
    if (p[i] > 0) masses[kinds[i]] += p[i];
  }
  if (counts.filter((n) => n > 0).length === 1) return pick(p, allowed, temperature, random, stats);
  const top = Math.max(...masses);
  if (!(top > 0 && Number.isFinite(top))) return pick(p, allowed, temperature, random, stats);
  const kind = sampleIndex(masses.map((m) => Math.pow(m / top, 1 / temperature)), random);
  return pick(p, allowed.filter((i) => kinds[i] === kind), temperature, random, stats);
}

/** Returns the total weight the model gives to `allowed`. */
function mass(p: ArrayLike<number>, allowed: readonly number[]): number {
  let total = 0;
  for (const i of allowed) if (p[i] > 0) total += p[i];
  return total;
}

/** One symbol of a poem as it is written: where it stands, what it is, and, for the curious, how it was chosen. */
export interface PoemStep {
  /** Its place in the poem's text (0 for the first character; punctuation counts). */
  position: number;
  index: number;
  char: string;
  /** The model's probabilities [vocabSize] for this place, before the masks and the temperature. */
  p: ArrayLike<number>;
  /** The symbols the masks allowed here. */
  allowed: readonly number[];
  /** The rule that chose `allowed`, in words ("line 2 ends in a rhyme of 江阳…"). */
  rule: string;
  /** False when the symbol was given (a pinned or kept character) instead of drawn. */
  drawn: boolean;
}

/**
 * What a revision keeps (revise.ts): `given(position)` returns the symbol that must stand there (a character kept,
 * pinned or picked by the writer) or undefined to draw one; `rhymeWith` lists characters given at later rhyme places,
 * which every rhyme drawn before them must rhyme with.
 */
export interface PoemPlan {
  given?: (position: number) => number | undefined;
  rhymeWith?: readonly number[];
}

/**
 * Writes a poem with `model` under the masks of `options` (see the file's header), one symbol at a time: yields each
 * symbol as it is written (a page shows it at once), and returns the poem. generatePoem is this, run to the end. Always
 * ends. Throws a sentence naming the character for a first character or head the vocabulary lacks, and for options
 * that contradict each other.
 */
export function* writePoem(model: PoemModel, vocab: PoemVocab, options: PoemOptions = {}, plan: PoemPlan = {}): Generator<PoemStep, GeneratedPoem, void> {
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new Error(`temperature must be a number above 0, got ${temperature}.`);
  const random = options.random ?? (options.seed !== undefined ? seededRandom(options.seed) : Math.random);
  const heads = options.heads === undefined ? undefined : typeof options.heads === "string" ? Array.from(options.heads) : [...options.heads];
  const rhyme = options.rhyme ?? false;
  const formOption = options.form ?? (heads || rhyme ? "regular" : "free");
  const index = indexOf(vocab);
  if (index.han.length === 0) throw new Error("The vocabulary has no Han character: a poem needs characters to write.");

  let fixed: Form | null = null;
  if (formOption !== "free" && formOption !== "regular") fixed = formByName(formOption);
  const free = formOption === "free";
  if (free && heads) throw new Error(`An acrostic (heads ${JSON.stringify(heads.join(""))}) needs a regular form, not form "free": use "regular" or a form's name.`);
  if (free && rhyme) throw new Error('rhyme: true needs a regular form (its even lines), not form "free": use "regular" or a form\'s name.');
  let headIx: number[] | undefined;
  if (heads) {
    if (heads.length !== 4 && heads.length !== 8) throw new Error(`An acrostic takes 4 or 8 heads (one per line), got ${heads.length}: ${JSON.stringify(heads.join(""))}.`);
    if (fixed && fixed.lines !== heads.length) {
      const fitting = regularForms.filter((f) => f.lines === heads.length).map((f) => f.name).join(" or ");
      throw new Error(`${fixed.name} has ${fixed.lines} lines, but ${heads.length} heads were given (${heads.join("")}): give ${fixed.lines} heads, or a form of ${heads.length} lines (${fitting}).`);
    }
    headIx = heads.map((h, i) => needChar(vocab, h, `The head character of line ${i + 1}`));
  }
  let firstIx = options.first === undefined ? undefined : needChar(vocab, options.first, "The first character");
  if (headIx && firstIx !== undefined && firstIx !== headIx[0]) throw new Error(`The first character ${JSON.stringify(options.first)} differs from the first head ${JSON.stringify(heads![0])}: give one of them.`);
  if (headIx) firstIx = headIx[0];
  const comma = vocab.charToIx.get("，");
  const period = vocab.charToIx.get("。");
  if (!free && (comma === undefined || period === undefined)) throw new Error(`A regular form needs ，and 。, and the vocabulary lacks ${comma === undefined ? "，" : "。"}.`);
  const maxLength = options.maxLength ?? 79;
  if (free && !(Number.isInteger(maxLength) && maxLength >= 2)) throw new Error(`maxLength must be a whole number ≥ 2 (a character and its 。), got ${maxLength}.`);
  if (free && index.sentenceEnds.length === 0) throw new Error("A free poem ends after 。, ？ or ！, and the vocabulary has none of them.");

  const next: NextDistribution = typeof model === "function" ? model : (ix) => model.step(ix);
  if (typeof model !== "function") model.reset();
  const step = (ix: number): ArrayLike<number> => {
    const p = next(ix);
    if (p.length !== vocab.vocabSize) throw new Error(`The model gives ${p.length} probabilities, but the vocabulary has ${vocab.vocabSize} symbols: they must be the same model and vocabulary.`);
    return p;
  };

  const byKind = (options.temperatureBy ?? "kind") === "kind";
  if (!["symbol", "kind"].includes(options.temperatureBy ?? "kind")) throw new Error(`temperatureBy must be "symbol" or "kind", got ${JSON.stringify(options.temperatureBy)}.`);
  const stats = { uniformDraws: 0 };
  const out: number[] = [];
  let forcedEnd = false;
  let p = step(vocab.start);
  // The state of a regular poem: line and characters in it; the line length and line count once known.
  let line = 0;
  let inLine = 0;
  let lineLength: number | null = fixed ? fixed.lineLength : null;
  let lines: number | null = fixed ? fixed.lines : headIx ? headIx.length : null;
  let rhymeSet: RhymeClass[] | null = null;
  const rhymeUsed: number[] = [];
  const rhymeStarts = rhyme ? index.han.filter((i) => (index.rhymeClasses[i] ?? []).length > 0) : [];
  if (rhyme && rhymeStarts.length === 0) throw new Error("rhyme: true needs characters with a known reading, and pinyin-pro knows none of this vocabulary's.");
  if (rhyme && plan.rhymeWith && plan.rhymeWith.length > 0) {
    // Rhymes kept further on: every rhyme written before them must rhyme with them all.
    const kept = plan.rhymeWith.map((i) => vocab.ixToChar[i]);
    rhymeSet = sharedRhyme(kept);
    if (rhymeSet.length === 0) throw new Error(`The rhyme characters kept (${kept.join(" ")}) share no rhyme: unpin one of them.`);
    rhymeUsed.push(...plan.rhymeWith);
  }
  const han = (i: number) => vocab.ixToChar[i];

  for (;;) {
    let allowed: number[];
    let rule: string;
    let rhymeChoice = false;
    let rhyming: number[] = [];
    if (free) {
      const last = out.length === 0 ? null : vocab.ixToChar[out[out.length - 1]];
      const n = out.length;
      if (last === null) [allowed, rule] = firstIx !== undefined ? [[firstIx], `the poem starts with ${han(firstIx)}`] : [index.han, "a poem starts with a character"];
      else if (sentenceEnds.includes(last)) [allowed, rule] = n >= maxLength - 1 ? [[vocab.end], `the poem has its ${maxLength} symbols: it ends`] : [index.hanEnd, "after 。？！: a character, or the end"];
      else if (lineEnds.includes(last)) [allowed, rule] = [index.han, "after punctuation: a character"];
      else if (n >= maxLength - 1) [allowed, rule] = [index.sentenceEnds, `the poem reaches its ${maxLength} symbols: 。？！ closes it`];
      else if (n >= maxLength - 2) [allowed, rule] = [index.hanSentenceEnds, `the poem nears its ${maxLength} symbols: a character or 。？！`];
      else [allowed, rule] = [index.hanPunctuation, "a character or punctuation (the end only after 。？！)"];
    } else if (lines !== null && line === lines) {
      [allowed, rule] = [[vocab.end], `the poem has its ${lines} lines: it ends`];
    } else if (line === 4 && inLine === 0 && lines === null) {
      [allowed, rule] = [index.hanEnd, "after four lines: the end (a 绝句) or a character (a 律诗)"]; // a 绝句 ends here, a 律诗 goes on
    } else if (inLine === 0 && headIx) {
      [allowed, rule] = [[headIx[line]], `line ${line + 1} of the acrostic starts with ${han(headIx[line])}`];
    } else if (inLine === 0 && line === 0 && firstIx !== undefined) {
      [allowed, rule] = [[firstIx], `the poem starts with ${han(firstIx)}`];
    } else if (lineLength === null) {
      // The first line of a poem whose line length the model chooses: ，after 5 characters, or 7.
      allowed = inLine < 5 || inLine === 6 ? index.han : inLine === 5 ? [...index.han, comma!] : [comma!];
      rule = inLine === 5 ? "a line has 5 or 7 characters: ，or a sixth character" : inLine === 7 ? "a line has 5 or 7 characters: ，ends it" : "a character of the first line";
    } else if (inLine === lineLength) {
      allowed = [lineEndOf(line) === "，" ? comma! : period!];
      rule = `line ${line + 1} has its ${lineLength} characters: ${lineEndOf(line)} ends it`;
    } else if (rhyme && line % 2 === 1 && inLine === lineLength - 1) {
      rhymeChoice = true;
      if (rhymeSet === null) {
        allowed = rhyming = rhymeStarts;
        rule = `line ${line + 1} ends in the poem's first rhyme: a character with a known reading`;
      } else {
        const set = rhymeSet;
        rhyming = index.han.filter((i) => (index.rhymeClasses[i] ?? []).some((c) => set.includes(c)));
        const fresh = rhyming.filter((i) => !rhymeUsed.includes(i));
        allowed = fresh.length > 0 && mass(p, fresh) > 0 ? fresh : rhyming;
        rule = `line ${line + 1} ends in a rhyme of ${set.join(" or ")}${allowed === fresh ? ", not used yet" : ""}`;
      }
    } else {
      [allowed, rule] = [index.han, `a character of line ${line + 1} (no punctuation inside a line)`];
    }
    const givenIx = plan.given?.(out.length);
    let chosen: number;
    if (givenIx !== undefined) {
      // A character the writer keeps: it must obey the masks too (a kept rhyme may repeat an earlier one).
      if (!allowed.includes(givenIx) && !(rhymeChoice && rhyming.includes(givenIx))) {
        throw new Error(`${JSON.stringify(vocab.ixToChar[givenIx] ?? "?")} cannot stand at place ${out.length + 1} of the poem: ${rule}.`);
      }
      chosen = givenIx;
    } else {
      chosen = byKind ? pickByKind(p, allowed, index.kinds, temperature, random, stats) : pick(p, allowed, temperature, random, stats);
    }
    if (chosen === vocab.end) {
      forcedEnd = allowed.length === 1;
      break;
    }
    yield { position: out.length, index: chosen, char: vocab.ixToChar[chosen], p, allowed, rule, drawn: givenIx === undefined };
    out.push(chosen);
    if (!free) {
      const c = vocab.ixToChar[chosen];
      if (c === "，" || c === "。") {
        if (lineLength === null) lineLength = inLine;
        line++;
        inLine = 0;
        if (line === 8) lines = 8;
      } else {
        if (line === 4 && inLine === 0 && lines === null) lines = 8; // the model went on after four lines
        inLine++;
      }
      if (rhymeChoice) {
        const classes = index.rhymeClasses[chosen] ?? [];
        rhymeSet = rhymeSet === null ? [...classes] : rhymeSet.filter((k) => classes.includes(k));
        if (!rhymeUsed.includes(chosen)) rhymeUsed.push(chosen);
      }
    }
    p = step(chosen);
  }

  const text = out.map((i) => vocab.ixToChar[i]).join("");
  const form = free ? null : formByName(`${lineLength === 5 ? "五" : "七"}言${line === 4 ? "绝句" : "律诗"}`);
  return { text, indices: out, form, forcedEnd, uniformDraws: stats.uniformDraws };
}

/**
 * Returns a poem written by `model` under the masks of `options` (see the file's header): free, in a regular form, as an
 * acrostic, rhyming. Always ends. writePoem, run to the end.
 */
export function generatePoem(model: PoemModel, vocab: PoemVocab, options: PoemOptions = {}): GeneratedPoem {
  const steps = writePoem(model, vocab, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Returns the probability of drawing each of `allowed` (in its order) that pick, or pickByKind with `kinds`, gives:
 * what "why this character" shows. p^(1/T) renormalised; by kind, the kind's share first, then the symbol's within it.
 */
export function drawProbabilities(p: ArrayLike<number>, allowed: readonly number[], temperature: number, kinds?: Uint8Array): Float64Array {
  const within = (subset: readonly number[]): Float64Array => {
    let max = 0;
    for (const i of subset) if (p[i] > max) max = p[i];
    const w = new Float64Array(subset.length);
    if (max > 0 && Number.isFinite(max)) subset.forEach((i, k) => (w[k] = p[i] > 0 ? Math.pow(p[i] / max, 1 / temperature) : 0));
    else w.fill(1);
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / total);
  };
  const out = new Float64Array(allowed.length);
  if (!kinds || allowed.length === 1) return within(allowed);
  const masses = [0, 0, 0];
  const counts = [0, 0, 0];
  for (const i of allowed) {
    counts[kinds[i]]++;
    if (p[i] > 0) masses[kinds[i]] += p[i];
  }
  const top = Math.max(...masses);
  if (counts.filter((n) => n > 0).length === 1 || !(top > 0 && Number.isFinite(top))) return within(allowed);
  const kindWeights = masses.map((m) => Math.pow(m / top, 1 / temperature));
  const kindTotal = kindWeights.reduce((a, b) => a + b, 0);
  for (let kind = 0; kind < 3; kind++) {
    const members = allowed.map((i, k) => [i, k]).filter(([i]) => kinds[i] === kind);
    if (members.length === 0) continue;
    const shares = within(members.map(([i]) => i));
    members.forEach(([, k], m) => (out[k] = (kindWeights[kind] / kindTotal) * shares[m]));
  }
  return out;
}

/** Returns the kinds of a vocabulary's symbols for drawProbabilities (0 a character, 1 punctuation, 2 the end token). */
export function symbolKinds(vocab: PoemVocab): Uint8Array {
  return indexOf(vocab).kinds;
}

/** Returns an acrostic (藏头诗): line i starts with heads[i] (4 or 8 heads), in `options.form` (default: any regular form, the model's choice). */
export function acrostic(model: PoemModel, vocab: PoemVocab, heads: string | readonly string[], options: Omit<PoemOptions, "heads"> = {}): GeneratedPoem {
  return generatePoem(model, vocab, { ...options, heads });
}
