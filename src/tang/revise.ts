// Revising a poem with the machine, and seeing why it wrote what it wrote. Both replay the poem through the model with
// writePoem (generate.ts), giving it the poem's own characters instead of drawing them, so the masks (form, heads,
// rhyme) are the very ones that wrote it:
//   - whyThisCharacter: at one place, the model's probabilities there, the choices the masks left with the chance each
//     had of being drawn (at the poem's temperature), and what the masks removed;
//   - rewritePoem: the poem with one character changed and/or some characters pinned: everything before the change and
//     every pinned character stays where it is, every other character after the change is drawn again, left to right,
//     still in the poem's form, with its heads and its rhyme (a pinned rhyme is rhymed with by the rhymes drawn before it).
import type { PoemVocab } from "../data/poems";
import { drawProbabilities, symbolKinds, writePoem } from "./generate";
import type { GeneratedPoem, PoemModel, PoemOptions, PoemStep } from "./generate";
import { formOf } from "./forms";

/** One choice at a place: a symbol, its chance of being drawn after the masks and the temperature, and the model's own probability. */
export interface Choice {
  /** The character, or ⟨end⟩ for the end token. */
  char: string;
  index: number;
  /** The chance it was drawn with: after the masks, at the temperature (the choices' p sum to at most 1). */
  p: number;
  /** The model's probability, before masks and temperature. */
  model: number;
}

/** Why a character stands where it does. */
export interface WhyThisCharacter {
  position: number;
  char: string;
  /** The rule of the masks at this place, in words. */
  rule: string;
  /** The most likely choices the masks left, most likely first. */
  choices: Choice[];
  /** How many symbols the masks left here. */
  allowedCount: number;
  /** What the masks removed: the model's probability they took away, and the model's likeliest symbols among them. */
  removed: { share: number; top: Choice[] };
}

/** A revision: a character changed at a place, and places kept as they are. */
export interface Revision {
  /** Put `char` at `position` (0-based, punctuation counts); everything after it that is not pinned is written again. */
  change?: { position: number; char: string };
  /** Places whose characters stay (0-based). Without a change, every other character is written again. */
  pinned?: readonly number[];
}

/** Returns how a symbol is shown: the character, or ⟨end⟩, ⟨start⟩, ⟨unknown⟩, ⟨padding⟩ for the model's own symbols. */
export function symbolLabel(vocab: PoemVocab, index: number): string {
  if (index === vocab.end) return "⟨end⟩";
  if (index === vocab.start) return "⟨start⟩";
  if (index === vocab.unknown) return "⟨unknown⟩";
  if (index === vocab.pad) return "⟨padding⟩";
  return vocab.ixToChar[index];
}

/** Returns the poem's symbols; throws a sentence naming a character the vocabulary lacks. */
function poemIndices(vocab: PoemVocab, text: string): number[] {
  return Array.from(text).map((c, i) => {
    const ix = vocab.charToIx.get(c);
    if (ix === undefined || ix <= vocab.unknown) throw new Error(`The character ${JSON.stringify(c)} (place ${i + 1} of the poem) is not in the model's vocabulary of ${vocab.chars.length} characters.`);
    return ix;
  });
}

/**
 * Returns the options a poem is replayed with: its own settings, with the form fixed to the one it was written in (a
 * revision keeps the form: a pinned character keeps its line and column).
 */
function replayOptions(text: string, options: PoemOptions): PoemOptions {
  const free = (options.form ?? (options.heads || options.rhyme ? "regular" : "free")) === "free";
  if (free) return { ...options, form: "free" };
  const form = formOf(text);
  if (!form) throw new Error(`The poem is in none of the four regular forms, but its settings ask for ${options.form ?? "a regular form"}: revise the poem that was written with these settings.`);
  return { ...options, form: form.name };
}

/** Returns the step at `position` of the poem replayed through the model (every character given, none drawn). */
function replayTo(model: PoemModel, vocab: PoemVocab, text: string, position: number, options: PoemOptions): PoemStep {
  const indices = poemIndices(vocab, text);
  if (!(Number.isInteger(position) && position >= 0 && position < indices.length)) throw new Error(`The place must be a whole number from 0 to ${indices.length - 1} (the poem has ${indices.length} characters), got ${position}.`);
  const steps = writePoem(model, vocab, replayOptions(text, options), { given: (at) => indices[at] });
  for (let next = steps.next(); !next.done; next = steps.next()) {
    const step = next.value as PoemStep;
    if (step.position === position) {
      steps.return(undefined as never);
      return step;
    }
  }
  throw new Error(`The poem ended before place ${position + 1}.`);
}

/**
 * Returns why the character at `position` of a poem written with `options` is there: the `count` (default 10) likeliest
 * choices the masks left, with their chance of being drawn at the poem's temperature, and what the masks removed.
 */
export function whyThisCharacter(model: PoemModel, vocab: PoemVocab, text: string, position: number, options: PoemOptions = {}, count = 10): WhyThisCharacter {
  const step = replayTo(model, vocab, text, position, options);
  const byKind = (options.temperatureBy ?? "kind") === "kind";
  const drawn = drawProbabilities(step.p, step.allowed, options.temperature ?? 1, byKind ? symbolKinds(vocab) : undefined);
  const choice = (index: number, p: number): Choice => ({ char: symbolLabel(vocab, index), index, p, model: Number(step.p[index]) || 0 });
  const choices = step.allowed.map((index, k) => choice(index, drawn[k])).sort((a, b) => b.p - a.p).slice(0, count);
  const allowed = new Set(step.allowed);
  let kept = 0;
  for (const i of allowed) kept += Number(step.p[i]) > 0 ? Number(step.p[i]) : 0;
  const removedTop = Array.from(step.p, (p, index) => ({ index, p: Number(p) }))
    .filter((s) => !allowed.has(s.index) && s.index !== vocab.pad && s.p > 0)
    .sort((a, b) => b.p - a.p)
    .slice(0, 5)
    .map((s) => choice(s.index, 0));
  return { position, char: step.char, rule: step.rule, choices, allowedCount: step.allowed.length, removed: { share: Math.max(0, 1 - kept), top: removedTop } };
}

/**
 * Writes the poem again after a revision (see Revision), one symbol at a time like writePoem: every character before
 * the change and every pinned one is given, the others are drawn with `options` (its seed: the same revision and seed
 * write the same poem). Throws a sentence when the change breaks the form, the heads or the rhyme, or when pinned
 * rhymes share no rhyme.
 */
export function* rewritePoem(model: PoemModel, vocab: PoemVocab, text: string, revision: Revision, options: PoemOptions = {}): Generator<PoemStep, GeneratedPoem, void> {
  const indices = poemIndices(vocab, text);
  const replay = replayOptions(text, options);
  const pinned = new Set(revision.pinned ?? []);
  for (const at of pinned) {
    if (!(Number.isInteger(at) && at >= 0 && at < indices.length)) throw new Error(`A pinned place must be a whole number from 0 to ${indices.length - 1}, got ${at}.`);
  }
  if (replay.form === "free" && pinned.size > 0) throw new Error("Pinning needs a regular form: the places of a free poem move when it is written again.");
  let from = 0;
  let changed: number | undefined;
  if (revision.change) {
    const { position, char } = revision.change;
    if (!(Number.isInteger(position) && position >= 0 && position < indices.length)) throw new Error(`The place to change must be a whole number from 0 to ${indices.length - 1}, got ${position}.`);
    changed = vocab.charToIx.get(char);
    if (changed === undefined || changed <= vocab.unknown) throw new Error(`The character ${JSON.stringify(char)} is not in the model's vocabulary of ${vocab.chars.length} characters.`);
    from = position;
  }
  const given = (at: number): number | undefined => {
    if (revision.change && at === from) return changed;
    if (at < from || pinned.has(at)) return at < indices.length ? indices[at] : undefined;
    return undefined;
  };
  // Rhymes pinned after the change: the rhymes drawn before them must rhyme with them.
  const form = replay.form === "free" ? null : formOf(text)!;
  const rhymeWith = form && replay.rhyme
    ? [...pinned].filter((at) => at > from && at % (form.lineLength + 1) === form.lineLength - 1 && Math.floor(at / (form.lineLength + 1)) % 2 === 1).map((at) => indices[at])
    : [];
  return yield* writePoem(model, vocab, replay, { given, rhymeWith });
}
