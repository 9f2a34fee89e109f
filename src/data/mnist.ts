// MNIST (LeCun, Cortes & Burges; datasets/SOURCES.md) for lesson 2, which reads each 28×28 digit as a sequence
// of 28 rows of 28 pixels. The images stay as bytes in JavaScript (60,000 digits are 47 MB as bytes, 188 MB as
// float32 tensors): this file reads the files and handles sets of digits; src/mnist/tensors.ts makes tensors.
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as Papa from "papaparse";
import { datasetsDir } from "../course";

/** Digits as bytes: image i is images[i·784 … (i+1)·784), row by row; labels[i] is its digit 0–9. */
export interface MnistSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Where the committed files are: datasets/mnist under the repository root. */
export const mnistDir = path.join(datasetsDir, "mnist");

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
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 1)) {
    throw new Error(`loadMnist: limit must be a whole number of digits ≥ 1, got ${opts.limit}.`);
  }
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
