// Lesson 5's forms, rhyme and constrained decoding. The generation tests use models that know nothing (a fixed random
// distribution, one that prefers every forbidden symbol, one that gives no weight at all, an untrained tfjs LSTM):
// the masks alone must guarantee the form, the heads, the rhyme, the end and the absence of stray symbols.
import assert from "node:assert/strict";
import { test } from "node:test";
import { poemVocab, processPoems } from "../../src/data/poems";
import type { PoemSet, PoemVocab } from "../../src/data/poems";
import { tf } from "../../src/tf/backend";
import { CharGenerator, seededRandom } from "../../src/tf/generate";
import { acrostic, coupletsOf, formOf, generatePoem, isHan, isRegular, regularForms, regularShare, rhymeChars, rhymeClasses, rhymes, rhymeShare, sharedRhyme, versesOf } from "../../src/tang/index";
import type { FormName, GeneratedPoem, NextDistribution } from "../../src/tang/index";

let cached: PoemSet | undefined;
const shipped = (): PoemSet => (cached ??= processPoems());

const quietNight = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"; // 李白《静夜思》
const mountainWalk = "远上寒山石径斜，白云生处有人家。停车坐爱枫林晚，霜叶红于二月花。"; // 杜牧《山行》
const springView = "国破山河在，城春草木深。感时花溅泪，恨别鸟惊心。烽火连三月，家书抵万金。白头搔更短，浑欲不胜簪。"; // 杜甫《春望》

/** A model that knows nothing: the same random distribution after every symbol (padding and tokens included). */
function fixedRandom(vocab: PoemVocab, seed: number): NextDistribution {
  const random = seededRandom(seed);
  const p = new Float32Array(vocab.vocabSize).map(() => random() ** 3);
  return () => p;
}

/** Returns the reasons a generated poem breaks the rules: stray symbols, wrong form, heads or rhyme. */
function problems(poem: GeneratedPoem, vocab: PoemVocab, want: { form?: FormName; heads?: string; rhyme?: boolean }): string[] {
  const out: string[] = [];
  const text = poem.text;
  for (const c of Array.from(text)) if (!isHan(c) && c !== "，" && c !== "。") out.push(`stray symbol ${JSON.stringify(c)}`);
  for (const i of poem.indices) if (i === vocab.pad || i === vocab.start || i === vocab.end || i === vocab.unknown) out.push(`special index ${i}`);
  const form = formOf(text);
  if (!form) out.push("not regular");
  if (want.form && form?.name !== want.form) out.push(`form ${form?.name} instead of ${want.form}`);
  if (form && poem.form?.name !== form.name) out.push(`reported form ${poem.form?.name}, written ${form.name}`);
  if (want.heads) {
    const heads = versesOf(text).map((v) => Array.from(v)[0]).join("");
    if (heads !== want.heads) out.push(`heads ${heads} instead of ${want.heads}`);
  }
  if (want.rhyme && !rhymes(text)) out.push(`no rhyme: ${rhymeChars(text).join(" ")}`);
  if (want.rhyme && new Set(rhymeChars(text)).size !== rhymeChars(text).length) out.push(`a rhyme character repeats: ${rhymeChars(text).join(" ")}`);
  return out.map((p) => `${p} in ${text}`);
}

test("forms: the four regular shapes, and 81.7% of the held-out real poems have one", () => {
  assert.equal(formOf(quietNight)?.name, "五言绝句");
  assert.equal(formOf(mountainWalk)?.name, "七言绝句");
  assert.equal(formOf(springView)?.name, "五言律诗");
  assert.deepEqual(regularForms.map((f) => f.length), [24, 32, 48, 64]);
  assert.equal(isRegular("床前明月光。疑是地上霜，举头望明月，低头思故乡。"), false); // 。 after an odd line
  assert.equal(isRegular("床前明月光，疑是地上霜。举头望明月，低头思故乡"), false); // the last 。 missing
  assert.equal(isRegular("床前明月光，疑是地上霜。"), false); // two lines
  assert.equal(isRegular("床前明月□，疑是地上霜。举头望明月，低头思故乡。"), false); // □ marks a lost character
  assert.deepEqual(coupletsOf(quietNight), ["床前明月光，疑是地上霜。", "举头望明月，低头思故乡。"]);
  const share = regularShare(shipped().heldOut);
  assert.deepEqual([share.total, share.regular], [2266, 1851]);
  assert.deepEqual(share.byForm, { 五言绝句: 189, 七言绝句: 544, 五言律诗: 715, 七言律诗: 403 });
  assert.equal(regularShare(shipped().poems).regular, 36644); // 80.8% of all 45,335
});

test("rhyme: 霜/乡 and 家/花 rhyme, 霜/人 do not; 78% of the real regular poems rhyme by modern readings", () => {
  assert.ok(rhymeClasses("霜").includes("江阳") && rhymeClasses("乡").includes("江阳"));
  assert.deepEqual(rhymeChars(quietNight), ["霜", "乡"]);
  assert.equal(rhymes(quietNight), true);
  assert.deepEqual(rhymeChars(mountainWalk), ["家", "花"]);
  assert.equal(rhymes(mountainWalk), true);
  // 深 心 金 rhyme (shen, xin, jin: 人辰), 簪 (zan: 言前) no longer does: Tang rhyme was not modern Mandarin.
  assert.deepEqual(sharedRhyme(rhymeChars(springView).slice(0, 3)), ["人辰"]);
  assert.equal(rhymes(springView), false);
  assert.equal(rhymes("床前明月光，疑是地上霜。举头望明月，低头思故人。"), false);
  assert.equal(rhymes("床前明月光，疑是地上霜。"), false); // one even line: nothing to rhyme with
  assert.deepEqual(rhymeClasses("是"), ["一七"]); // shi: -i, with i, er and ü in 十三辙
  assert.deepEqual(rhymeClasses("□"), []);
  const regularHeldOut = shipped().heldOut.filter((p) => isRegular(p.text));
  assert.deepEqual(rhymeShare(regularHeldOut), { total: 1851, rhyming: 1452, share: 1452 / 1851 });
});

test("a line ending in ？ in a real poem breaks nothing: lines, rhyme characters, encoding, and an acrostic on its heads", () => {
  const { heldOut, vocab } = shipped();
  const poem = heldOut.find((p) => p.index === 2639)!;
  assert.equal(poem.text, "阳月南飞雁，传闻至此回。我行殊未已，何日复归来？江静潮初落，林昏瘴不开。明朝望乡处，应见陇头梅。");
  const verses = versesOf(poem.text);
  assert.equal(verses.length, 8);
  assert.equal(verses[3], "何日复归来？");
  assert.deepEqual(rhymeChars(poem.text), ["回", "来", "开", "梅"]);
  assert.equal(formOf(poem.text), null); // strictly, ？ is not the 。 of an even line
  assert.equal(rhymes(poem.text), false); // 回 来 开 梅 rhymed in Tang (灰 class), not in modern readings
  const heads = verses.map((v) => Array.from(v)[0]).join("");
  assert.equal(heads, "阳传我何江林明应");
  // A model that wants ？ after every character still gets its heads at the start of every line.
  const question = vocab.charToIx.get("？")!;
  const base = fixedRandom(vocab, 3)(0);
  const lovesQuestion = Float32Array.from(base, (v, i) => (i === question ? 1000 : v));
  for (let seed = 0; seed < 5; seed++) {
    const written = acrostic(() => lovesQuestion, vocab, heads, { seed, rhyme: true });
    assert.deepEqual(problems(written, vocab, { heads, rhyme: true }), []);
    assert.equal(written.form?.lines, 8);
  }
});

test("forms with rhyme: a model that knows nothing writes 100% regular, rhyming poems of the form asked for", () => {
  const { vocab } = shipped();
  const bad: string[] = [];
  for (const form of regularForms) {
    for (let seed = 0; seed < 10; seed++) {
      const poem = generatePoem(fixedRandom(vocab, seed), vocab, { form: form.name, rhyme: true, seed, temperature: 1.5 });
      bad.push(...problems(poem, vocab, { form: form.name, rhyme: true }));
      assert.equal(poem.forcedEnd, true);
    }
  }
  // With "regular" the model chooses the line length (，after 5 characters, or 7) and the line count (the end after
  // 4 lines, or 4 more): give ，and the end token as much weight as all the characters together.
  const chosen = new Set<string>();
  for (let seed = 0; seed < 30; seed++) {
    const p = Float32Array.from(fixedRandom(vocab, 100 + seed)(0));
    const all = p.reduce((a, b) => a + b, 0);
    p[vocab.charToIx.get("，")!] = all;
    p[vocab.end] = all;
    const poem = generatePoem(() => p, vocab, { form: "regular", seed });
    bad.push(...problems(poem, vocab, {}));
    chosen.add(poem.form!.name);
  }
  assert.deepEqual(bad, []);
  assert.equal(chosen.size, 4, `"regular" lets the model choose the form; it chose only ${[...chosen]}`);
});

test("acrostic: 4 or 8 heads start the lines in any form; a head the vocabulary lacks is named in the error", () => {
  const { vocab } = shipped();
  const bad: string[] = [];
  for (let seed = 0; seed < 10; seed++) {
    for (const heads of ["春夏秋冬", "明月清风白云流水"]) {
      const poem = acrostic(fixedRandom(vocab, seed), vocab, heads, { seed, rhyme: seed % 2 === 0 });
      bad.push(...problems(poem, vocab, { heads, rhyme: seed % 2 === 0 }));
    }
    const seven = acrostic(fixedRandom(vocab, seed), vocab, "春夏秋冬", { seed, form: "七言绝句" });
    bad.push(...problems(seven, vocab, { heads: "春夏秋冬", form: "七言绝句" }));
  }
  assert.deepEqual(bad, []);
  const next = fixedRandom(vocab, 1);
  assert.throws(() => acrostic(next, vocab, "春夏秋𪚥"), /head character of line 4 "𪚥" is not in the vocabulary/);
  assert.throws(() => acrostic(next, vocab, "春夏，冬"), /head character of line 3 "，" is not a Han character/);
  assert.throws(() => acrostic(next, vocab, "春夏秋"), /4 or 8 heads .* got 3/);
  assert.throws(() => acrostic(next, vocab, "春夏秋冬", { form: "五言律诗" }), /五言律诗 has 8 lines, but 4 heads were given/);
  assert.throws(() => acrostic(next, vocab, "春夏秋冬", { form: "free" }), /needs a regular form/);
  assert.throws(() => generatePoem(next, vocab, { first: "𪚥" }), /first character "𪚥" is not in the vocabulary/);
  assert.throws(() => generatePoem(next, vocab, { form: "五言" as FormName }), /no regular form called "五言"/);
});

test("free poems always end, within maxLength, on 。？！, and never emit padding, tokens, unknown, letters or spaces", () => {
  // A vocabulary with letters, a space, □ and ？, and a model that prefers every symbol it must not write.
  const vocab = poemVocab(["春风吹又生，野火烧不尽。", "何处是归程？长亭更短亭！", "ab c□"], { maxVocab: Infinity });
  const nasty = new Float32Array(vocab.vocabSize).fill(0.001);
  for (const c of ["a", "b", " ", "□"]) nasty[vocab.charToIx.get(c)!] = 1;
  for (const i of [vocab.pad, vocab.start, vocab.unknown]) nasty[i] = 1;
  nasty[vocab.end] = 0; // it never wants to stop
  for (let seed = 0; seed < 20; seed++) {
    const maxLength = 5 + seed;
    const poem = generatePoem(() => nasty, vocab, { seed, first: "春", maxLength });
    const chars = Array.from(poem.text);
    assert.ok(chars.length <= maxLength, `${poem.text} is longer than ${maxLength}`);
    assert.equal(chars[0], "春");
    assert.ok("。？！".includes(chars[chars.length - 1]), `${poem.text} ends mid-sentence`);
    assert.ok(chars.every((c) => isHan(c) || "，。？！".includes(c)), `stray symbol in ${poem.text}`);
    assert.ok(chars.every((c, i) => isHan(c) || (i > 0 && isHan(chars[i - 1]))), `punctuation after punctuation in ${poem.text}`);
    assert.equal(poem.forcedEnd, true);
  }
  // A model that wants to stop may do so after a sentence end only.
  const stopper = new Float32Array(vocab.vocabSize).fill(0.01);
  stopper[vocab.end] = 100;
  const short = generatePoem(() => stopper, vocab, { seed: 1 });
  assert.ok("。？！".includes(Array.from(short.text).pop()!));
  assert.equal(short.forcedEnd, false);
});

test("the same seed writes the same poem; a model with no weight anywhere still writes a regular, rhyming acrostic", () => {
  const { vocab } = shipped();
  const a = generatePoem(fixedRandom(vocab, 9), vocab, { seed: 42, form: "五言律诗", rhyme: true });
  const b = generatePoem(fixedRandom(vocab, 9), vocab, { seed: 42, form: "五言律诗", rhyme: true });
  const c = generatePoem(fixedRandom(vocab, 9), vocab, { seed: 43, form: "五言律诗", rhyme: true });
  assert.equal(a.text, b.text);
  assert.notEqual(a.text, c.text);
  const nothing = new Float32Array(vocab.vocabSize);
  const poem = acrostic(() => nothing, vocab, "江南好风", { seed: 2, rhyme: true });
  assert.deepEqual(problems(poem, vocab, { heads: "江南好风", rhyme: true }), []);
  assert.ok(poem.uniformDraws > 0);
  // A model whose only choices rhyme with nothing: the rhyme falls back to repeating a character, never breaks.
  const few = new Float32Array(vocab.vocabSize);
  for (const ch of "一山人水") few[vocab.charToIx.get(ch)!] = 1;
  for (const ch of "，。") few[vocab.charToIx.get(ch)!] = 1;
  const stubborn = generatePoem(() => few, vocab, { seed: 5, form: "五言律诗", rhyme: true });
  assert.ok(isRegular(stubborn.text) && rhymes(stubborn.text), stubborn.text);
  assert.throws(() => generatePoem(() => new Float32Array(10), vocab), /gives 10 probabilities, but the vocabulary has 4004 symbols/);
});

test("an untrained Embedding → LSTM → Dense model through CharGenerator writes a regular, rhyming acrostic", async () => {
  await tf.setBackend("cpu");
  const { vocab } = shipped();
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: vocab.vocabSize, outputDim: 8, inputShape: [null] }),
      tf.layers.lstm({ units: 8, returnSequences: true }),
      tf.layers.dense({ units: vocab.vocabSize, activation: "softmax" }),
    ],
  });
  const generator = new CharGenerator(model);
  model.dispose();
  const first = acrostic(generator, vocab, "春眠不觉", { seed: 7, rhyme: true, temperature: 0.8 });
  assert.deepEqual(problems(first, vocab, { heads: "春眠不觉", rhyme: true }), []);
  const again = acrostic(generator, vocab, "春眠不觉", { seed: 7, rhyme: true, temperature: 0.8 });
  assert.equal(again.text, first.text); // reset() before each poem: same seed, same poem
});
