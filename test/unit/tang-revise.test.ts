// Lesson 5's revision with the machine (src/tang/revise.ts) and the step-by-step writing it stands on: a poem streamed
// by writePoem is generatePoem's; "why this character" gives choices that sum to at most 1 and says what the masks
// removed; a rewrite keeps everything before the change and every pinned character, and stays in form, heads and rhyme.
import assert from "node:assert/strict";
import { test } from "node:test";
import { processPoems } from "../../src/data/poems";
import type { PoemVocab } from "../../src/data/poems";
import { seededRandom } from "../../src/tf/generate";
import { formOf, generatePoem, rewritePoem, rhymeChars, rhymes, versesOf, whyThisCharacter, writePoem } from "../../src/tang/index";
import type { GeneratedPoem, NextDistribution, PoemOptions, PoemStep } from "../../src/tang/index";

const vocab: PoemVocab = processPoems().vocab;

/** A model that knows nothing: the same random distribution after every symbol. */
function fixedRandom(seed: number): NextDistribution {
  const random = seededRandom(seed);
  const p = new Float32Array(vocab.vocabSize).map(() => random() ** 3);
  const total = p.reduce((a, b) => a + b, 0);
  return () => p.map((x) => x / total);
}

/** Runs a step generator to the end: its steps and the poem it returns. */
function drain(steps: Generator<PoemStep, GeneratedPoem, void>): { steps: PoemStep[]; poem: GeneratedPoem } {
  const seen: PoemStep[] = [];
  for (;;) {
    const next = steps.next();
    if (next.done) return { steps: seen, poem: next.value };
    seen.push(next.value);
  }
}

const settings: PoemOptions = { heads: "春夏秋冬", form: "五言绝句", rhyme: true, temperature: 0.8, seed: 7 };

test("writePoem yields the poem of generatePoem one character at a time, with the rule at each place", () => {
  for (const options of [settings, { seed: 3 }, { form: "regular", seed: 4 }, { heads: "明月清风白云流水", rhyme: true, seed: 5 }] as PoemOptions[]) {
    const whole = generatePoem(fixedRandom(1), vocab, options);
    const { steps, poem } = drain(writePoem(fixedRandom(1), vocab, options));
    assert.equal(steps.map((s) => s.char).join(""), whole.text);
    assert.equal(poem.text, whole.text);
    assert.deepEqual(steps.map((s) => s.position), steps.map((_, i) => i));
  }
  const { steps } = drain(writePoem(fixedRandom(1), vocab, settings));
  assert.equal(steps[0].rule, "line 1 of the acrostic starts with 春");
  assert.equal(steps[5].rule, "line 1 has its 5 characters: ， ends it");
  assert.match(steps[12].rule, /^line 3 of the acrostic starts with 秋/);
  assert.match(steps[10].rule, /^line 2 ends in the poem's first rhyme/);
  assert.match(steps[22].rule, /^line 4 ends in a rhyme of /);
});

test("why this character: ten choices after the masks summing to at most 1, the drawn one among them, and what the masks removed", () => {
  const poem = generatePoem(fixedRandom(2), vocab, settings);
  const why = whyThisCharacter(fixedRandom(2), vocab, poem.text, 3, settings);
  assert.equal(why.choices.length, 10);
  const total = why.choices.reduce((a, c) => a + c.p, 0);
  assert.ok(total > 0 && total <= 1 + 1e-9, `choices sum to ${total}`);
  assert.ok(why.choices.every((c, i) => i === 0 || c.p <= why.choices[i - 1].p));
  assert.equal(why.char, Array.from(poem.text)[3]);
  assert.match(why.rule, /a character of line 1/);
  // The masks removed punctuation and the model's own symbols here: a share of the model's probability above 0.
  assert.ok(why.removed.share > 0 && why.removed.share < 1);
  assert.ok(why.removed.top.every((c) => !why.choices.some((k) => k.index === c.index)));
  // At a head the masks leave one character, drawn with certainty.
  const head = whyThisCharacter(fixedRandom(2), vocab, poem.text, 12, settings);
  assert.deepEqual([head.choices.length, head.choices[0].char, head.choices[0].p, head.allowedCount], [1, "秋", 1, 1]);
  // At a rhyme place, every choice rhymes with the line-2 rhyme.
  const rhyme = whyThisCharacter(fixedRandom(2), vocab, poem.text, 22, settings);
  const first = rhymeChars(poem.text)[0];
  for (const c of rhyme.choices) assert.ok(rhymes(`一一一一一，一一一一${first}。一一一一一，一一一一${c.char}。`), `${c.char} does not rhyme with ${first}`);
  assert.throws(() => whyThisCharacter(fixedRandom(2), vocab, poem.text, 99, settings), /place must be a whole number from 0 to 23/);
});

test("rewrite: before the change nothing moves, the new character stands, pinned characters stay, and the poem keeps form, heads and rhyme", () => {
  const poem = generatePoem(fixedRandom(3), vocab, settings);
  const chars = Array.from(poem.text);
  const why = whyThisCharacter(fixedRandom(3), vocab, poem.text, 8, settings);
  const pick = why.choices.find((c) => c.char !== chars[8])!;
  const pinned = [18, 19, 20, 21, 22]; // line 4 but its head (a head stays anyway)
  const { poem: revised, steps } = drain(rewritePoem(fixedRandom(3), vocab, poem.text, { change: { position: 8, char: pick.char }, pinned }, { ...settings, seed: 11 }));
  const after = Array.from(revised.text);
  assert.equal(after.slice(0, 8).join(""), chars.slice(0, 8).join(""));
  assert.equal(after[8], pick.char);
  for (const at of pinned) assert.equal(after[at], chars[at], `place ${at}`);
  assert.equal(formOf(revised.text)?.name, "五言绝句");
  assert.equal(versesOf(revised.text).map((v) => v[0]).join(""), "春夏秋冬");
  assert.ok(rhymes(revised.text), revised.text);
  assert.ok(steps.filter((s) => s.drawn).every((s) => s.position > 8 && !pinned.includes(s.position)));
  assert.notEqual(revised.text, poem.text);
  // Pins alone: every other character is written again, the pinned line stays.
  const line2 = [6, 7, 8, 9, 10];
  const { poem: repinned } = drain(rewritePoem(fixedRandom(3), vocab, poem.text, { pinned: line2 }, { ...settings, seed: 12 }));
  assert.equal(Array.from(repinned.text).slice(6, 11).join(""), chars.slice(6, 11).join(""));
  assert.ok(rhymes(repinned.text) && formOf(repinned.text)?.name === "五言绝句", repinned.text);
  // A change that breaks the rhyme or the heads is refused with a sentence; so is a character the vocabulary lacks.
  const noRhyme = Array.from("一二三四五六七八九十人山水").find((c) => !rhymes(`一一一一一，一一一一${chars[10]}。一一一一一，一一一一${c}。`))!;
  assert.throws(() => drain(rewritePoem(fixedRandom(3), vocab, poem.text, { change: { position: 22, char: noRhyme } }, settings)), new RegExp(`"${noRhyme}" cannot stand at place 23 of the poem: line 4 ends in a rhyme of`));
  assert.throws(() => drain(rewritePoem(fixedRandom(3), vocab, poem.text, { change: { position: 12, char: "月" } }, settings)), /"月" cannot stand at place 13 of the poem: line 3 of the acrostic starts with 秋/);
  assert.throws(() => drain(rewritePoem(fixedRandom(3), vocab, poem.text, { change: { position: 2, char: "𪚥" } }, settings)), /"𪚥" is not in the model's vocabulary/);
});
