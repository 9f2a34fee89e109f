// src/data/text.ts: the sonnets as characters (94,275, 38 symbols lowercased), the held-out split, the course's
// windows (31,412), UTF-8 beyond ASCII, and the error sentences for files that are not usable text.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { datasetsDir } from "../../src/course";
import { buildVocab, decode, encode, fromOneHot, loadText, oneHot, splitHeldOut, vocabFrom, windows } from "../../src/data/text";

const sonnets = path.join(datasetsDir, "shakespeare.txt");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "text-data-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tmpFile(name: string, content: string | Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

test("the sonnets lowercased: 94,275 characters, 38 symbols, sorted, with indices both ways", () => {
  const { chars, text, lowercase } = loadText(sonnets, { lowercase: true });
  assert.equal(chars.length, 94275);
  assert.equal(lowercase, true);
  assert.equal(text, chars.join(""));
  assert.equal(text, text.toLowerCase());
  const vocab = buildVocab(chars);
  assert.equal(vocab.vocabSize, 38);
  assert.deepEqual(vocab.ixToChar, [...vocab.ixToChar].sort());
  assert.equal(vocab.ixToChar[0], "\n");
  vocab.ixToChar.forEach((c, i) => assert.equal(vocab.charToIx.get(c), i));
  const ix = encode(chars, vocab);
  assert.equal(decode(ix, vocab), text);
  assert.ok(loadText(sonnets).chars.some((c) => c !== c.toLowerCase()), "without lowercase the capitals stay");
});

test("splitHeldOut keeps the characters from Math.floor(0.9 · length) on: 84,847 for training, 9,428 held out", () => {
  const { chars } = loadText(sonnets, { lowercase: true });
  const { train, heldOut } = splitHeldOut(chars);
  assert.equal(train.length, Math.floor(0.9 * 94275));
  assert.equal(train.length, 84847);
  assert.equal(heldOut.length, 9428);
  assert.deepEqual([...train, ...heldOut], chars);
  const ix = encode(chars, buildVocab(chars));
  const split = splitHeldOut(ix, 0.1);
  assert.equal(split.heldOut[0], ix[84847]);
  assert.equal(splitHeldOut("abcdefghij", 0.2).heldOut.join(""), "ij");
  assert.throws(() => splitHeldOut("abcdefghij", 1), /fraction must be between 0 and 1, got 1/);
  assert.throws(() => splitHeldOut("abc", 0.1), /too short/);
});

test("windows: the course's 31,412 examples of 40 characters and the next one, a window every 3 characters", () => {
  const { chars } = loadText(sonnets, { lowercase: true });
  const vocab = buildVocab(chars);
  const ix = encode(chars, vocab);
  const { X, Y, m, Tx } = windows(ix, 40, 3);
  assert.equal(m, 31412);
  assert.equal(Tx, 40);
  assert.equal(X.length, m * 40);
  assert.equal(Y.length, m);
  assert.deepEqual(Array.from(X.subarray(0, 40)), Array.from(ix.subarray(0, 40)));
  assert.equal(Y[0], ix[40]);
  const last = m - 1;
  assert.deepEqual(Array.from(X.subarray(last * 40, m * 40)), Array.from(ix.subarray(3 * last, 3 * last + 40)));
  assert.equal(Y[last], ix[3 * last + 40]);
  assert.ok(3 * last + 40 < ix.length && 3 * (last + 1) >= ix.length - 40);
  assert.equal(windows([0, 1, 2, 3, 4], 2, 2).m, 2); // range(0, 3, 2): windows at 0 and 2
  assert.throws(() => windows([0, 1], 2), /a text of 2 characters has no window of 2 followed by a character/);
  assert.throws(() => windows([0, 1, 2], 1, 0), /stride must be a whole number ≥ 1, got 0/);
});

test("one-hot rows and back", () => {
  const vocab = buildVocab("abc");
  const hot = oneHot([2, 0, 1], 3);
  assert.deepEqual(Array.from(hot), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
  assert.equal(fromOneHot(hot, vocab), "cab");
  assert.throws(() => oneHot([3], 3), /index 3 \(position 0\) is outside 0 to 2/);
});

test("UTF-8 beyond ASCII: a Chinese poem and an emoji are one character each, not UTF-16 units", () => {
  const poem = "床前明月光，\r\n疑是地上霜。\r\n举头望明月，\r\n低头思故乡。😀\r\n";
  const file = tmpFile("poem.txt", "\ufeff" + poem);
  const { chars, text } = loadText(file);
  assert.equal(text, poem.replace(/\r\n/g, "\n"));
  assert.equal(chars.length, Array.from(poem.replace(/\r\n/g, "\n")).length);
  assert.equal(chars.length, 29);
  assert.ok(chars.includes("😀"));
  const vocab = buildVocab(chars);
  assert.ok(vocab.charToIx.has("床"));
  assert.equal(decode(encode(text, vocab), vocab), text);
  assert.equal(vocabFrom(vocab.ixToChar).charToIx.get("月"), vocab.charToIx.get("月"));
});

test("files that are not usable text fail with a sentence naming the file and the problem", () => {
  const missing = path.join(tmp, "nowhere.txt");
  assert.throws(() => loadText(missing), (e: Error) => e.message.includes(missing) && /there is no file at/.test(e.message));
  assert.throws(() => loadText(tmp), (e: Error) => e.message.includes(tmp) && /is a folder/.test(e.message));
  const empty = tmpFile("empty.txt", "");
  assert.throws(() => loadText(empty), (e: Error) => e.message.includes(empty) && /is empty/.test(e.message));
  const binary = tmpFile("binary.bin", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
  assert.throws(() => loadText(binary), (e: Error) => e.message.includes(binary) && /binary file/.test(e.message));
  const latin1 = tmpFile("latin1.txt", Buffer.from("caf\xe9 cr\xe8me", "latin1"));
  assert.throws(() => loadText(latin1), (e: Error) => e.message.includes(latin1) && /is not UTF-8 text/.test(e.message));
  const short = tmpFile("short.txt", "ab");
  assert.throws(() => loadText(short, { minLength: 10 }), (e: Error) => e.message.includes(short) && /holds 2 characters; it needs at least 10/.test(e.message));
  assert.throws(() => encode("ab\ncz", buildVocab("abc\n")), /character "z" \(position 4, line 2\) is not in the vocabulary of 4 characters/);
});
