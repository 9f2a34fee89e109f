// MNIST (LeCun, Cortes & Burges; datasets/SOURCES.md) for lesson 2, which reads each 28×28 digit as a sequence
// of 28 rows of 28 pixels. The images stay as bytes in JavaScript (60,000 digits are 47 MB as bytes, 188 MB as
// float32 tensors); tensors are made per batch, scaled to [0, 1], and disposed by whoever asked for them.
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as Papa from "papaparse";
import { Figure, heatmap } from "../plot/index";
import { RandomState } from "../np/random";
import { tf } from "../tf/backend";

/** Digits as bytes: image i is images[i·784 … (i+1)·784), row by row; labels[i] is its digit 0–9. */
export interface MnistSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Where the committed files are: datasets/mnist under the repository root. */
export const mnistDir = path.resolve(__dirname, "..", "..", "datasets", "mnist");

/** The number of classes (digits 0–9). */
export const numClasses = 10;

const IMAGES_MAGIC = 2051; // 0x00000803: unsigned bytes, 3 dimensions
const LABELS_MAGIC = 2049; // 0x00000801: unsigned bytes, 1 dimension

/** An IDX file's contents: its magic number, its dimensions, and its values as bytes. */
export interface IdxFile {
  magic: number;
  dims: number[];
  data: Uint8Array;
}

/** Returns the file's bytes, gunzipped when they start with gzip's magic (1f 8b) whatever the file is called. */
function readBytes(file: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). The MNIST files are in datasets/mnist/ (see datasets/SOURCES.md).`);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = zlib.gunzipSync(raw);
    } catch (err) {
      throw new Error(`${file}: the gzip data is corrupt or truncated (${(err as Error).message}).`);
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}

/** Reads an IDX file (gzipped or not): checks that it holds unsigned bytes and exactly as many as its header says. */
export function readIdx(file: string): IdxFile {
  const bytes = readBytes(file);
  if (bytes.length < 4) throw new Error(`${file}: ${bytes.length} bytes is too short for an IDX file (its header alone has at least 8).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const magic = view.getUint32(0); // big-endian, as IDX is
  const type = bytes[2];
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type !== 0x08 || ndims < 1 || ndims > 4) {
    throw new Error(`${file}: magic number ${magic} (0x${magic.toString(16).padStart(8, "0")}) is not that of an IDX file of unsigned bytes ` +
      `(${LABELS_MAGIC} for labels, ${IMAGES_MAGIC} for images): is it an MNIST file?`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw new Error(`${file}: truncated header: ${ndims} dimensions need ${headerBytes} bytes, the file has ${bytes.length}.`);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const what = actual < expected ? "truncated" : "too long";
    throw new Error(`${file}: ${what}: its header says ${dims.join("×")} = ${expected} values, but ${actual} bytes follow it.`);
  }
  return { magic, dims, data: bytes.subarray(headerBytes) };
}

/** Reads an IDX image file: returns the pixels (count·rows·cols bytes, 0–255) and the dimensions. */
export function readIdxImages(file: string): { images: Uint8Array; count: number; rows: number; cols: number } {
  const idx = readIdx(file);
  if (idx.magic !== IMAGES_MAGIC) {
    const hint = idx.magic === LABELS_MAGIC ? " (this is a labels file)" : "";
    throw new Error(`${file}: magic number ${idx.magic}, but an images file has ${IMAGES_MAGIC}${hint}.`);
  }
  const [count, rows, cols] = idx.dims;
  return { images: idx.data, count, rows, cols };
}

/** Reads an IDX label file: returns one byte per image, each checked to be a digit 0–9. */
export function readIdxLabels(file: string): Uint8Array {
  const idx = readIdx(file);
  if (idx.magic !== LABELS_MAGIC) {
    const hint = idx.magic === IMAGES_MAGIC ? " (this is an images file)" : "";
    throw new Error(`${file}: magic number ${idx.magic}, but a labels file has ${LABELS_MAGIC}${hint}.`);
  }
  checkLabels(file, idx.data);
  return idx.data;
}

function checkLabels(file: string, labels: Uint8Array): void {
  const bad = labels.findIndex((label) => label >= numClasses);
  if (bad >= 0) throw new Error(`${file}: label ${bad} is ${labels[bad]}, but MNIST labels are digits 0–9.`);
}

/** Returns the set after checking images and labels agree in number and the images are 28×28. */
function makeSet(where: string, images: Uint8Array, labels: Uint8Array, count: number, rows: number, cols: number): MnistSet {
  if (labels.length !== count) throw new Error(`${where}: ${count} images but ${labels.length} labels.`);
  if (rows !== 28 || cols !== 28) throw new Error(`${where}: images are ${rows}×${cols}, but MNIST digits are 28×28.`);
  return { images, labels, count, rows, cols };
}

/**
 * Loads the official training (60,000) or test (10,000) digits from datasets/mnist/*.gz, or from `dir`;
 * `limit` keeps the first ones only.
 */
export function loadMnist(split: "train" | "test", opts: { dir?: string; limit?: number } = {}): MnistSet {
  if (split !== "train" && split !== "test") throw new Error(`loadMnist: split must be "train" or "test", got ${JSON.stringify(split)}.`);
  const dir = opts.dir ?? mnistDir;
  const prefix = split === "train" ? "train" : "t10k";
  const imagesFile = path.join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const labelsFile = path.join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  const { images, count, rows, cols } = readIdxImages(imagesFile);
  const labels = readIdxLabels(labelsFile);
  const set = makeSet(`${imagesFile} and ${labelsFile}`, images, labels, count, rows, cols);
  return opts.limit === undefined ? set : subset(set, 0, opts.limit);
}

/**
 * Reads MNIST in the common CSV form: one digit per line, its label then its 784 pixels (0–255), with or
 * without a header line (such as "label,1x1,1x2,…").
 */
export function readMnistCsv(file: string): MnistSet {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true });
  let rows = parsed.data;
  if (rows.length > 0 && !/^\s*\d+\s*$/.test(rows[0][0] ?? "")) rows = rows.slice(1); // a header line
  const pixels = 28 * 28;
  const images = new Uint8Array(rows.length * pixels);
  const labels = new Uint8Array(rows.length);
  const lineOffset = rows === parsed.data ? 1 : 2;
  rows.forEach((row, i) => {
    const line = i + lineOffset;
    if (row.length !== pixels + 1) {
      throw new Error(`${file}, line ${line}: ${row.length} values, but a digit is a label and ${pixels} pixels (${pixels + 1} values).`);
    }
    for (let j = 0; j <= pixels; j++) {
      const value = Number(row[j]);
      const max = j === 0 ? numClasses - 1 : 255;
      if (row[j].trim() === "" || !Number.isInteger(value) || value < 0 || value > max) {
        const what = j === 0 ? "the label" : `pixel ${j}`;
        throw new Error(`${file}, line ${line}: ${what} is ${JSON.stringify(row[j])}, but it must be a whole number from 0 to ${max}.`);
      }
      if (j === 0) labels[i] = value;
      else images[i * pixels + j - 1] = value;
    }
  });
  if (rows.length === 0) throw new Error(`${file}: no digits in it (expected lines of a label and ${pixels} pixels).`);
  return makeSet(file, images, labels, rows.length, 28, 28);
}

/** Returns digits start…end−1 of the set (views, no copy). */
export function subset(set: MnistSet, start: number, end: number): MnistSet {
  const s = Math.max(0, Math.min(start, set.count));
  const e = Math.max(s, Math.min(end, set.count));
  const size = set.rows * set.cols;
  return { ...set, images: set.images.subarray(s * size, e * size), labels: set.labels.subarray(s, e), count: e - s };
}

/** Returns the digits at the given positions, copied in that order. */
export function pick(set: MnistSet, indices: ArrayLike<number>): MnistSet {
  const size = set.rows * set.cols;
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < set.count)) throw new Error(`pick: index ${i} is outside the set's ${set.count} digits.`);
    images.set(set.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = set.labels[i];
  }
  return { ...set, images, labels, count: indices.length };
}

/** Splits a training set: the last `validationSize` digits become the validation set, the rest stay for training. */
export function splitValidation(set: MnistSet, validationSize: number): { train: MnistSet; validation: MnistSet } {
  if (!Number.isInteger(validationSize) || validationSize < 0 || validationSize >= set.count) {
    throw new Error(`splitValidation: validationSize must be a whole number from 0 to ${set.count - 1} (the set has ${set.count} digits), got ${validationSize}.`);
  }
  return { train: subset(set, 0, set.count - validationSize), validation: subset(set, set.count - validationSize, set.count) };
}

/** Returns how many digits of each class 0–9 the set holds. */
export function labelCounts(set: MnistSet): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const label of set.labels) counts[label]++;
  return counts;
}

/** Returns the flat pixels of digits start…end−1 as a float32 tensor [N, 784], still 0–255. */
export function pixelsTensor(set: MnistSet, start = 0, end = set.count): tf.Tensor2D {
  const part = subset(set, start, end);
  return tf.tensor2d(Float32Array.from(part.images), [part.count, set.rows * set.cols]);
}

/** Returns flat pixels [N, 784] (0–255) as sequences [N, 28, 28] scaled to [0, 1]: row t of a digit is step t. */
export function toSequences(pixels: tf.Tensor2D): tf.Tensor3D {
  if (pixels.rank !== 2 || pixels.shape[1] !== 28 * 28) {
    throw new Error(`toSequences: pixels must have shape [N, 784], got [${pixels.shape.join(", ")}].`);
  }
  return tf.tidy(() => tf.div(tf.reshape(pixels, [pixels.shape[0], 28, 28]), 255) as tf.Tensor3D);
}

/** Returns digits start…end−1 as a float32 tensor [N, 28, 28] scaled to [0, 1]. */
export function imagesTensor(set: MnistSet, start = 0, end = set.count): tf.Tensor3D {
  const part = subset(set, start, end);
  const scaled = new Float32Array(part.images.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = part.images[i] / 255;
  return tf.tensor3d(scaled, [part.count, set.rows, set.cols]);
}

/** Returns the labels of digits start…end−1: one-hot float32 [N, 10], or integers int32 [N] when oneHot is false. */
export function labelsTensor(set: MnistSet, start = 0, end = set.count, oneHot = true): tf.Tensor {
  const part = subset(set, start, end);
  if (!oneHot) return tf.tensor1d(Int32Array.from(part.labels), "int32");
  const hot = new Float32Array(part.count * numClasses);
  part.labels.forEach((label, i) => (hot[i * numClasses + label] = 1));
  return tf.tensor2d(hot, [part.count, numClasses]);
}

/** One batch: xs [B, 28, 28] in [0, 1], ys one-hot [B, 10] (or int32 [B]), and which digits of the set they are. */
export interface Batch {
  xs: tf.Tensor3D;
  ys: tf.Tensor;
  indices: Int32Array;
}

/** How batches are drawn: order, seed, label encoding, and random shifts (augmentation). */
export interface BatchOptions {
  /** Random order (default true), seeded by `seed` (default 0). */
  shuffle?: boolean;
  seed?: number;
  /** One-hot labels [B, 10] (default) or integers [B]. */
  oneHot?: boolean;
  /** Moves each digit by a random whole number of pixels from −shift to shift, across and down (default 0). */
  shift?: number;
}

/**
 * Yields the set in batches of `batchSize` (the last may be smaller), in a seeded random order unless
 * `shuffle: false`. Each batch's tensors are disposed when the next batch is asked for or the loop ends
 * (also by break or throw): keep a tensor past that with tf.clone / tf.keep.
 */
export function* batches(set: MnistSet, batchSize: number, opts: BatchOptions = {}): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batches: batchSize must be a whole number ≥ 1, got ${batchSize}.`);
  const shift = opts.shift ?? 0;
  if (!Number.isInteger(shift) || shift < 0 || shift >= set.rows) throw new Error(`batches: shift must be a whole number from 0 to ${set.rows - 1}, got ${shift}.`);
  const rng = new RandomState(opts.seed ?? 0);
  const order = opts.shuffle === false ? null : rng.permutation(set.count).data;
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const indices = Int32Array.from({ length: n }, (_, k) => (order ? order[start + k] : start + k));
    const part = pick(set, indices);
    if (shift > 0) {
      for (let k = 0; k < n; k++) shiftDigit(part, k, rng.randint(-shift, shift + 1), rng.randint(-shift, shift + 1));
    }
    const batch = { xs: imagesTensor(part), ys: labelsTensor(part, 0, n, opts.oneHot ?? true), indices };
    try {
      yield batch;
    } finally {
      tf.dispose([batch.xs, batch.ys]);
    }
  }
}

/** Moves digit k of the set in place by dx pixels right and dy pixels down; pixels moved in are blank. */
export function shiftDigit(set: MnistSet, k: number, dx: number, dy: number): void {
  const { rows, cols } = set;
  const image = set.images.subarray(k * rows * cols, (k + 1) * rows * cols);
  const copy = Uint8Array.from(image);
  image.fill(0);
  for (let r = Math.max(0, dy); r < Math.min(rows, rows + dy); r++) {
    for (let c = Math.max(0, dx); c < Math.min(cols, cols + dx); c++) image[r * cols + c] = copy[(r - dy) * cols + (c - dx)];
  }
}

/** Returns the pixels of digit i as 28 rows of 28 values in [0, 1]. */
export function digitRows(set: MnistSet, i: number): number[][] {
  if (!(Number.isInteger(i) && i >= 0 && i < set.count)) throw new Error(`digitRows: i must be a whole number from 0 to ${set.count - 1}, got ${i}.`);
  const size = set.rows * set.cols;
  return Array.from({ length: set.rows }, (_, r) => Array.from(set.images.subarray(i * size + r * set.cols, i * size + (r + 1) * set.cols), (p) => p / 255));
}

/** Returns a heatmap of digit i: row 0 at the top, dark ink on white. */
export function digitFigure(set: MnistSet, i: number, title = `Digit ${i} of the set: a ${set.labels[i]}`): Figure {
  return inkOnPaper(heatmap(digitRows(set, i), { title, xTitle: "column", yTitle: "row t", colorscale: "Greys", zmin: 0, zmax: 1 }), 360);
}

/**
 * Returns digit i as the recurrent network reads it: a heatmap with time step t along x and, down each column,
 * the 28 pixels of row t, the input vector x⟨t⟩.
 */
export function sequenceFigure(set: MnistSet, i: number): Figure {
  const rows = digitRows(set, i);
  const columns = rows[0].map((_, c) => rows.map((row) => row[c])); // transposed: one column per time step
  const steps = rows.map((_, t) => t + 1);
  const figure = heatmap(columns, {
    title: `The same digit as a sequence: x⟨t⟩ is row t (28 pixels), read left to right`,
    xTitle: "time step t (row read)",
    yTitle: "pixel of the row (feature)",
    xLabels: steps,
    colorscale: "Greys",
    zmin: 0,
    zmax: 1,
  });
  return inkOnPaper(figure, 400);
}

/**
 * Returns a grid of digits as one heatmap, `columns` per line, each with its caption above it (e.g. "7 → 2"
 * for a 7 predicted as a 2).
 */
export function digitsFigure(set: MnistSet, indices: ArrayLike<number>, captions: string[], opts: { columns?: number; title?: string } = {}): Figure {
  if (captions.length !== indices.length) throw new Error(`digitsFigure: ${indices.length} digits but ${captions.length} captions.`);
  const columns = Math.max(1, Math.min(opts.columns ?? 8, indices.length || 1));
  const lines = Math.max(1, Math.ceil(indices.length / columns));
  const gapX = 4;
  const gapY = 10; // room for the caption
  const cellW = set.cols + gapX;
  const cellH = set.rows + gapY;
  const z = Array.from({ length: lines * cellH }, () => new Array<number | null>(columns * cellW).fill(null));
  const annotations: Array<Record<string, unknown>> = [];
  for (let k = 0; k < indices.length; k++) {
    const top = Math.floor(k / columns) * cellH + gapY;
    const left = (k % columns) * cellW;
    digitRows(set, indices[k]).forEach((row, r) => row.forEach((p, c) => (z[top + r][left + c] = p)));
    annotations.push({ x: left + set.cols / 2, y: top - gapY / 2, text: captions[k], showarrow: false, font: { size: 11 } });
  }
  const figure = heatmap(z as number[][], { title: opts.title, colorscale: "Greys", zmin: 0, zmax: 1 });
  figure.data[0].showscale = false;
  figure.data[0].hoverinfo = "skip";
  const hidden = { showticklabels: false, showgrid: false, zeroline: false };
  figure.layout = { ...figure.layout, annotations, xaxis: hidden, yaxis: { ...hidden, autorange: "reversed" } };
  // About 2.8 pixels per data unit: a digit ≈ 80 px wide, room for its caption.
  return inkOnPaper(figure, Math.round(100 + lines * cellH * 2.8));
}

/** Draws ink dark on white (plotly's Greys runs from black to white), with square pixels and the given height. */
function inkOnPaper(figure: Figure, height: number): Figure {
  figure.data[0].reversescale = true;
  const layout = figure.layout ?? {};
  layout.xaxis = { ...(layout.xaxis as Record<string, unknown>), constrain: "domain" };
  layout.yaxis = { ...(layout.yaxis as Record<string, unknown>), scaleanchor: "x", constrain: "domain" };
  layout.height = height;
  figure.layout = layout;
  return figure;
}
