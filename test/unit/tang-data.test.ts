// Lesson 5's data: processPoems on the shipped file (the figures of datasets/SOURCES.md), padding that is no character,
// the mask of padBatch, batches of one length, and a held-out split that never meets the training poems.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { coverage, decodePoem, encodePoem, formLengths, lengthBuckets, padBatch, poemVocab, processPoems } from "../../src/data/poems";
import type { PoemSet } from "../../src/data/poems";

let cached: PoemSet | undefined;
const shipped = (): PoemSet => (cached ??= processPoems());

test("processPoems keeps 45,335 of the 57,603 poems, with 7,175 distinct characters, the 3,000 most frequent covering 98.5%", () => {
  const { stats, poems, train, heldOut, vocab } = shipped();
  assert.equal(stats.lines, 57603);
  assert.equal(stats.kept, 45335);
  assert.equal(poems.length, 45335);
  assert.equal(stats.characters, 2059815);
  assert.equal(stats.distinctChars, 7175);
  assert.ok(Math.abs(coverage(stats, 3000) - 0.98505) < 5e-5, `coverage of 3,000 characters ${coverage(stats, 3000)}`);
  // Why the others went, by the first reason that applies.
  assert.deepEqual(stats.removed, { blank: 0, noColon: 0, symbol: { _: 0, "(": 0, "（": 4591, "《": 33, "[": 548, G: 0, E: 0 }, tooShort: 217, tooLong: 6879 });
  const removed = stats.removed.blank + stats.removed.noColon + stats.removed.tooShort + stats.removed.tooLong + Object.values(stats.removed.symbol).reduce((a, b) => a + b, 0);
  assert.equal(removed + stats.kept, stats.lines);
  // The regular forms' lengths dominate the histogram.
  assert.deepEqual([24, 32, 48, 64].map((n) => stats.lengthCounts[n]), [3970, 10957, 14821, 8050]);
  assert.deepEqual(Object.values(formLengths), ["五言绝句", "七言绝句", "五言律诗", "七言律诗"]);
  assert.equal(stats.lengthCounts.reduce((a, b) => a + b, 0), 45335);
  assert.deepEqual(stats.charCounts.slice(0, 3), [["，", 154301], ["。", 152799], ["不", 17560]]);
  assert.equal(train.length, 43069);
  assert.equal(heldOut.length, 2266);
  assert.equal(vocab.vocabSize, 4004); // padding, start, end, unknown + 4,000 characters
});

test("characters are code points: a character outside the Basic Multilingual Plane is one character", () => {
  const poem = shipped().poems.find((p) => p.chars.some((c) => c.length === 2));
  assert.ok(poem, "the collection has characters such as 𬬻");
  assert.equal(poem.chars.length, Array.from(poem.text).length);
  assert.ok(poem.text.length > poem.chars.length);
  assert.equal(encodePoem(poem.text, shipped().vocab).length, poem.chars.length + 2);
});

test("padding is no character: index 0 is reserved, no character maps to it, no sequence holds it", () => {
  const { vocab, trainSequences, heldOutSequences } = shipped();
  assert.equal(vocab.pad, 0);
  assert.equal(vocab.ixToChar[0], "");
  assert.ok(![...vocab.charToIx.values()].includes(0));
  assert.ok(!vocab.chars.includes("") && !vocab.chars.includes(" "));
  assert.deepEqual([vocab.start, vocab.end, vocab.unknown], [1, 2, 3]);
  assert.deepEqual([vocab.ixToChar[1], vocab.ixToChar[2]], ["G", "E"]);
  assert.ok(!vocab.chars.includes("G") && !vocab.chars.includes("E") && !vocab.chars.includes(vocab.unknownToken));
  for (const s of [...trainSequences, ...heldOutSequences]) {
    assert.equal(s[0], vocab.start);
    assert.equal(s[s.length - 1], vocab.end);
    assert.ok(!s.includes(0));
  }
  const all = poemVocab(shipped().poems.map((p) => p.chars), { maxVocab: Infinity });
  assert.equal(all.chars.length, 7175);
  assert.equal(all.vocabSize, 7179);
});

test("every 20th poem is held out (index % 20 === 19), never trained on, and the vocabulary counts only training poems", () => {
  const { poems, train, heldOut, heldOutEvery, vocab } = shipped();
  assert.equal(heldOutEvery, 20);
  assert.ok(heldOut.every((p) => p.index % 20 === 19));
  assert.ok(train.every((p) => p.index % 20 !== 19));
  const trainIds = new Set(train.map((p) => p.index));
  assert.ok(heldOut.every((p) => !trainIds.has(p.index)));
  assert.equal(train.length + heldOut.length, poems.length);
  assert.deepEqual(heldOut.slice(0, 2).map((p) => p.index), [19, 39]);
  // The vocabulary is the 4,000 most frequent characters of the training poems alone.
  const counts = new Map<string, number>();
  for (const p of train) for (const c of p.chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 4000).map(([c]) => c);
  assert.deepEqual(vocab.chars, top);
  const onlyHeldOut = [...new Set(heldOut.flatMap((p) => p.chars))].find((c) => !counts.has(c));
  assert.ok(onlyHeldOut !== undefined);
  assert.equal(encodePoem(onlyHeldOut, vocab)[1], vocab.unknown);
});

test("encodePoem and decodePoem: start and end tokens around the characters, unknown characters become the unknown symbol", () => {
  const { vocab, heldOut, heldOutSequences } = shipped();
  const poem = heldOut.find((p) => p.chars.every((c) => vocab.charToIx.has(c)))!;
  assert.equal(decodePoem(encodePoem(poem.text, vocab), vocab), poem.text);
  assert.equal(decodePoem(heldOutSequences[heldOut.indexOf(poem)], vocab), poem.text);
  assert.equal(decodePoem([vocab.start, vocab.charToIx.get("春")!, vocab.end, vocab.charToIx.get("风")!, 0], vocab), "春");
  assert.equal(decodePoem(encodePoem("春𪚥", vocab), vocab), `春${vocab.unknownToken}`);
});

test("padBatch: inputs and targets shifted by one, padded with 0, and a mask of 1 exactly where a target is real", () => {
  const batch = padBatch([
    [1, 5, 6, 2],
    [1, 7, 2],
    [1, 8, 9, 10, 11, 2],
  ]);
  assert.equal(batch.batchSize, 3);
  assert.equal(batch.steps, 5);
  assert.deepEqual([...batch.inputs], [1, 5, 6, 0, 0, 1, 7, 0, 0, 0, 1, 8, 9, 10, 11]);
  assert.deepEqual([...batch.targets], [5, 6, 2, 0, 0, 7, 2, 0, 0, 0, 8, 9, 10, 11, 2]);
  assert.deepEqual([...batch.mask], [1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.ok(batch.inputs instanceof Int32Array && batch.targets instanceof Int32Array && batch.mask instanceof Float32Array);
  assert.equal(batch.targetCount, 10);
  // Where the mask is 1 the target is never padding; where it is 0 it always is.
  batch.mask.forEach((m, i) => assert.equal(m === 1, batch.targets[i] !== 0));
  assert.throws(() => padBatch([[1, 0, 2]]), /sequence 0 holds the padding index 0 at position 1/);
  assert.throws(() => padBatch([[1]]), /sequence 0 has 1 symbol; a poem needs at least its start and end tokens/);
  assert.throws(() => padBatch([]), /at least one poem/);
});

test("lengthBuckets: batches of one exact length (mask all 1), every poem once, the same order for the same seed", () => {
  const { trainSequences } = shipped();
  const some = trainSequences.slice(0, 3000);
  let seed = 5;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const batches = lengthBuckets(some, 64, { random });
  let total = 0;
  for (const b of batches) {
    assert.ok(b.batchSize <= 64);
    assert.ok(b.mask.every((m) => m === 1));
    assert.equal(b.targetCount, b.batchSize * b.steps);
    total += b.batchSize;
  }
  assert.equal(total, some.length);
  const seen = batches.flatMap((b) => Array.from({ length: b.batchSize }, (_, r) => Array.from(b.inputs.subarray(r * b.steps, (r + 1) * b.steps)).join(",")));
  const expected = some.map((s) => Array.from(s.subarray(0, s.length - 1)).join(","));
  assert.deepEqual([...seen].sort(), [...expected].sort());
  seed = 5;
  const again = lengthBuckets(some, 64, { random });
  assert.deepEqual(again.map((b) => b.inputs[1] + b.steps * 1e5), batches.map((b) => b.inputs[1] + b.steps * 1e5));
  assert.throws(() => lengthBuckets(some, 0), /batchSize must be a whole number ≥ 1, got 0/);
});

test("processPoems on a small file: the filter's reasons, the tokens, the held-out poem, and errors that name the file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tang-data-"));
  try {
    const file = path.join(dir, "poems.txt");
    const good = (i: number) => `题${i}:春风${"一二三四五六七八九十"[i % 10]}夜雨，花落知多少。`;
    const lines = [
      ...Array.from({ length: 19 }, (_, i) => good(i)),
      "无题:床 前明月光，疑是地上霜。", // spaces dropped
      "",
      "没有冒号的一行",
      "题:春(风)来",
      "题:短",
      `题:${"长".repeat(80)}`,
      "题:Good morning",
      `题:${"一二三四五六七八九十".repeat(7)}一二三四五六七八九`, // 79 characters: the longest kept
    ];
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const set = processPoems(file, { maxVocab: 10 });
    assert.equal(set.stats.kept, 21);
    assert.deepEqual(set.stats.removed, { blank: 1, noColon: 1, symbol: { _: 0, "(": 1, "（": 0, "《": 0, "[": 0, G: 1, E: 0 }, tooShort: 1, tooLong: 1 });
    assert.equal(set.poems[19].text, "床前明月光，疑是地上霜。");
    assert.deepEqual(set.heldOut.map((p) => p.line), [20]);
    assert.equal(set.poems[20].chars.length, 79);
    assert.equal(set.vocab.chars.length, 10);
    assert.throws(() => processPoems(path.join(dir, "missing.txt")), /there is no file at .*missing\.txt: check the path/);
    assert.throws(() => processPoems(dir), /is a folder/);
    fs.writeFileSync(file, "题:短\n");
    assert.throws(() => processPoems(file), /has no poem left after the filter/);
    assert.throws(() => processPoems(file, { startToken: "BE" }), /startToken must be one character, got "BE"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
