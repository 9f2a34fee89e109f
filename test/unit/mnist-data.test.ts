// src/data/mnist.ts and src/mnist/tensors.ts on the committed files and on small corrupt copies of them written here.
import { test } from "node:test";
import * as mnist from "../../src/mnist/index";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { initBackend, tf } from "../../src/tf/backend";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mnist-data-"));
const testImagesFile = path.join(mnist.mnistDir, "t10k-images-idx3-ubyte.gz");
const testLabelsFile = path.join(mnist.mnistDir, "t10k-labels-idx1-ubyte.gz");
const testSet = mnist.loadMnist("test");

/** An IDX file of unsigned bytes: magic 0x0000080N, the dimensions, then the values. */
function idx(dims: number[], values: ArrayLike<number>, magic = 0x800 + dims.length): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Uint8Array.from(values))]);
}

function write(name: string, data: Buffer | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

test("the official test set: 10,000 digits of 28×28, the published label histogram", () => {
  assert.equal(testSet.count, 10000);
  assert.equal(testSet.images.length, 10000 * 784);
  assert.deepEqual([testSet.rows, testSet.cols], [28, 28]);
  assert.deepEqual(mnist.labelCounts(testSet), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.equal(testSet.labels[0], 7); // the famous first test digit
});

test("the official training set: 60,000 digits, the published label histogram; limit keeps the first ones", () => {
  const train = mnist.loadMnist("train");
  assert.equal(train.count, 60000);
  assert.deepEqual(mnist.labelCounts(train), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  const first = mnist.loadMnist("train", { limit: 3 });
  assert.equal(first.count, 3);
  assert.deepEqual(Array.from(first.labels), Array.from(train.labels.subarray(0, 3)));
  for (const limit of [2.5, NaN, -5, 0]) {
    assert.throws(() => mnist.loadMnist("test", { limit }), new RegExp(`loadMnist: limit must be a whole number of digits ≥ 1, got ${limit}\\.`));
  }
});

test("splitValidation keeps the last digits apart; subset and pick take views and copies", () => {
  const { train, validation } = mnist.splitValidation(testSet, 1000);
  assert.equal(train.count, 9000);
  assert.equal(validation.count, 1000);
  assert.equal(validation.labels[0], testSet.labels[9000]);
  assert.deepEqual(Array.from(validation.images.subarray(0, 784)), Array.from(testSet.images.subarray(9000 * 784, 9001 * 784)));
  assert.throws(() => mnist.splitValidation(testSet, 10000), /validationSize must be a whole number from 0 to 9999/);
  const picked = mnist.pick(testSet, [5, 2]);
  assert.deepEqual(Array.from(picked.labels), [testSet.labels[5], testSet.labels[2]]);
  assert.deepEqual(Array.from(picked.images.subarray(784, 1568)), Array.from(testSet.images.subarray(2 * 784, 3 * 784)));
  assert.throws(() => mnist.pick(testSet, [10000]), /index 10000 is outside the set's 10000 digits/);
});

test("uncompressed IDX files read the same as gzipped ones", () => {
  const labels = write("labels-idx1-ubyte", zlib.gunzipSync(fs.readFileSync(testLabelsFile)));
  assert.deepEqual(Array.from(mnist.readIdxLabels(labels)), Array.from(testSet.labels));
});

test("corrupt or truncated files: the error names the file and what is wrong", () => {
  const gz = fs.readFileSync(testLabelsFile);
  const cut = write("cut.gz", gz.subarray(0, gz.length - 100));
  assert.throws(() => mnist.readIdxLabels(cut), (e: Error) => e.message.includes(cut) && /gzip data is corrupt or truncated/.test(e.message));
  const short = write("short-images", idx([3, 28, 28], new Uint8Array(2 * 784)));
  assert.throws(() => mnist.readIdxImages(short), (e: Error) => e.message.includes(short) && /truncated: its header says 3×28×28 = 2352 values, but 1568 bytes follow it/.test(e.message));
  const long = write("long-labels", idx([2], [1, 2, 3]));
  assert.throws(() => mnist.readIdxLabels(long), /too long: its header says 2 = 2 values, but 3 bytes follow it/);
  const text = write("not-idx", "label,pixel\n5,0\n");
  assert.throws(() => mnist.readIdxImages(text), (e: Error) => e.message.includes(text) && /is not that of an IDX file/.test(e.message));
  assert.throws(() => mnist.readIdxImages(testLabelsFile), /magic number 2049, but an images file has 2051 \(this is a labels file\)/);
  assert.throws(() => mnist.readIdxLabels(testImagesFile), /magic number 2051, but a labels file has 2049 \(this is an images file\)/);
  const badLabel = write("bad-labels", idx([3], [1, 12, 3]));
  assert.throws(() => mnist.readIdxLabels(badLabel), /label 1 is 12, but MNIST labels are digits 0–9/);
  const tiny = write("tiny", Buffer.from([0, 0]));
  assert.throws(() => mnist.readIdx(tiny), /2 bytes is too short for an IDX file/);
  assert.throws(() => mnist.readIdx(path.join(dir, "missing.gz")), /missing\.gz: cannot read it \(ENOENT\)/);
  const small = write("small-images", idx([2, 20, 20], new Uint8Array(800)));
  const smallLabels = write("small-labels", idx([2], [0, 1]));
  fs.mkdirSync(path.join(dir, "small"));
  fs.copyFileSync(small, path.join(dir, "small", "t10k-images-idx3-ubyte.gz"));
  fs.copyFileSync(smallLabels, path.join(dir, "small", "t10k-labels-idx1-ubyte.gz"));
  assert.throws(() => mnist.loadMnist("test", { dir: path.join(dir, "small") }), /images are 20×20, but MNIST digits are 28×28/);
});

test("the CSV form (label + 784 pixels a line, with or without a header) reads the same digits", () => {
  const lines = [0, 1, 2].map((i) => [testSet.labels[i], ...testSet.images.subarray(i * 784, (i + 1) * 784)].join(","));
  const header = ["label", ...Array.from({ length: 784 }, (_, j) => `${Math.floor(j / 28) + 1}x${(j % 28) + 1}`)].join(",");
  for (const [name, text] of [["with-header.csv", [header, ...lines].join("\n") + "\n"], ["bare.csv", lines.join("\r\n")]]) {
    const set = mnist.readMnistCsv(write(name, text));
    assert.equal(set.count, 3, name);
    assert.deepEqual(Array.from(set.labels), Array.from(testSet.labels.subarray(0, 3)));
    assert.deepEqual(Array.from(set.images), Array.from(testSet.images.subarray(0, 3 * 784)));
  }
  const shortRow = write("short-row.csv", [header, lines[0], lines[1].split(",").slice(0, 700).join(",")].join("\n"));
  assert.throws(() => mnist.readMnistCsv(shortRow), (e: Error) => e.message.includes(shortRow) && /line 3: 700 values, but a digit is a label and 784 pixels/.test(e.message));
  const badPixel = write("bad-pixel.csv", lines[0].replace(/,0$/, ",300"));
  assert.throws(() => mnist.readMnistCsv(badPixel), /line 1: pixel 784 is "300", but it must be a whole number from 0 to 255/);
  const badLabel = write("bad-label.csv", [header, lines[0], lines[1].replace(/^2,/, "12,")].join("\n"));
  assert.throws(() => mnist.readMnistCsv(badLabel), /line 3: the label is "12", but it must be a whole number from 0 to 9/);
  assert.throws(() => mnist.readMnistCsv(write("empty.csv", header)), /no digits in it/);
});

test("tensors: [N, 28, 28] in [0, 1], one-hot or integer labels; toSequences equals imagesTensor", async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const images = mnist.imagesTensor(testSet, 0, 4);
  const pixels = mnist.pixelsTensor(testSet, 0, 4);
  const sequences = mnist.toSequences(pixels);
  const hot = mnist.labelsTensor(testSet, 0, 4);
  const ints = mnist.labelsTensor(testSet, 0, 4, false);
  assert.equal(tf.memory().numTensors - before, 5, "toSequences keeps only its result");
  assert.deepEqual(images.shape, [4, 28, 28]);
  assert.deepEqual(pixels.shape, [4, 784]);
  assert.deepEqual(Array.from(sequences.dataSync()), Array.from(images.dataSync()));
  const range = Array.from(images.dataSync()).reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
  assert.deepEqual(range, [0, 1]);
  assert.deepEqual(hot.shape, [4, 10]);
  assert.deepEqual(tf.tidy(() => Array.from(tf.argMax(hot, 1).dataSync())), Array.from(testSet.labels.subarray(0, 4)));
  assert.equal(ints.dtype, "int32");
  assert.deepEqual(Array.from(ints.dataSync()), Array.from(testSet.labels.subarray(0, 4)));
  const wrong = tf.zeros([2, 28, 28]);
  assert.throws(() => mnist.toSequences(wrong as unknown as tf.Tensor2D), /pixels must have shape \[N, 784\], got \[2, 28, 28\]/);
  tf.dispose([images, pixels, sequences, hot, ints, wrong]);
  assert.equal(tf.memory().numTensors, before);
});

test("batches: every digit once per epoch, seeded order, a smaller last batch, no tensor left behind", async () => {
  await initBackend();
  const set = mnist.subset(testSet, 0, 300);
  const before = tf.memory().numTensors;
  const seen: number[] = [];
  const sizes: number[] = [];
  for (const batch of mnist.batches(set, 128, { seed: 3 })) {
    sizes.push(batch.xs.shape[0]);
    assert.deepEqual(batch.xs.shape.slice(1), [28, 28]);
    const labels = tf.tidy(() => Array.from(tf.argMax(batch.ys, 1).dataSync()));
    assert.deepEqual(labels, Array.from(batch.indices, (i) => set.labels[i]));
    seen.push(...batch.indices);
  }
  assert.equal(tf.memory().numTensors, before, "a finished loop disposed every batch");
  assert.deepEqual(sizes, [128, 128, 44]);
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i));
  assert.notDeepEqual(seen.slice(0, 10), Array.from({ length: 10 }, (_, i) => i), "shuffled");
  const again: number[] = [];
  for (const batch of mnist.batches(set, 128, { seed: 3 })) again.push(...batch.indices);
  assert.deepEqual(again, seen, "the same seed gives the same order");
  for (const batch of mnist.batches(set, 100, { shuffle: false, oneHot: false })) {
    assert.deepEqual(Array.from(batch.indices.subarray(0, 3)), [0, 1, 2]);
    assert.equal(batch.ys.dtype, "int32");
    assert.deepEqual(batch.ys.shape, [100]);
    break; // a loop that breaks early disposes its batch too
  }
  assert.equal(tf.memory().numTensors, before);
});

test("shiftDigit moves a digit with blank edges; batches with shift move every digit by at most that much", async () => {
  await initBackend();
  const one = mnist.pick(testSet, [0]);
  const rows = mnist.digitRows(one, 0);
  mnist.shiftDigit(one, 0, 2, -1);
  const moved = mnist.digitRows(one, 0);
  assert.equal(moved[10][12], rows[11][10]);
  assert.ok(moved[27].every((v) => v === 0) && moved.every((row) => row[0] === 0 && row[1] === 0));
  const set = mnist.subset(testSet, 0, 50);
  const centre = (image: number[][]) => {
    let [mass, x, y] = [0, 0, 0];
    image.forEach((row, r) => row.forEach((v, c) => ((mass += v), (x += v * c), (y += v * r))));
    return [x / mass, y / mass];
  };
  let changed = 0;
  for (const batch of mnist.batches(set, 50, { shuffle: false, shift: 2, seed: 1 })) {
    const images = batch.xs.arraySync() as number[][][];
    images.forEach((image, k) => {
      const [x0, y0] = centre(mnist.digitRows(set, k));
      const [x1, y1] = centre(image);
      // Ink pushed past an edge is lost, which moves the centre a little more than the shift.
      assert.ok(Math.abs(x1 - x0) <= 2.5 && Math.abs(y1 - y0) <= 2.5, `digit ${k} moved by (${x1 - x0}, ${y1 - y0})`);
      if (Math.abs(x1 - x0) > 0.5 || Math.abs(y1 - y0) > 0.5) changed++;
    });
  }
  assert.ok(changed > 25, `${changed} of 50 digits moved`);
  assert.equal(set.images[0], testSet.images[0], "the set itself is not changed");
  assert.throws(() => mnist.batches(set, 10, { shift: 1.5 }).next(), /shift must be a whole number from 0 to 27, got 1.5/);
});

test("figures: one digit, the digit as a sequence (transposed), a captioned grid", () => {
  const digit = mnist.digitFigure(testSet, 0);
  const z = digit.data[0].z as number[][];
  assert.equal(z.length, 28);
  assert.deepEqual(z[10], mnist.digitRows(testSet, 0)[10]);
  const sequence = mnist.sequenceFigure(testSet, 0);
  const zt = sequence.data[0].z as number[][];
  assert.equal(zt[5][12], z[12][5], "column t of the sequence figure is row t of the digit");
  const grid = mnist.digitsFigure(testSet, [0, 1, 2], ["7 → 1", "2 → 2", "1 → 7"], { columns: 2 });
  assert.equal((grid.layout!.annotations as unknown[]).length, 3);
  assert.equal((grid.data[0].z as unknown[][]).length, 2 * (28 + 10));
  assert.throws(() => mnist.digitsFigure(testSet, [0, 1], ["one"]), /2 digits but 1 captions/);
  assert.throws(() => mnist.digitRows(testSet, 10000), /i must be a whole number from 0 to 9999/);
});
