// A small PNG decoder (8-bit, non-interlaced: what Chromium's screenshots are) and pixel statistics, with Node's
// zlib only, to tell a drawn chart from a blank page.
import * as zlib from "zlib";

/** A decoded image: width × height pixels, 4 bytes (r, g, b, a) per pixel, row by row. */
export interface PngImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const channelsByColourType: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Returns the pixels of a PNG file's bytes; throws for PNG variants screenshots do not use (16-bit, interlaced). */
export function decodePng(bytes: Buffer): PngImage {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(signature)) throw new Error("decodePng: these bytes are not a PNG file (wrong signature).");
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colourType = 0;
  let interlace = 0;
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString("latin1", at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8];
      colourType = data[9];
      interlace = data[12];
    } else if (type === "PLTE") palette = data;
    else if (type === "tRNS") transparency = data;
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  const channels = channelsByColourType[colourType];
  if (bitDepth !== 8 || channels === undefined || interlace !== 0) {
    throw new Error(`decodePng reads 8-bit non-interlaced PNGs; this one has bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}.`);
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error(`decodePng: the image data is truncated (${raw.length} bytes for ${width}×${height}).`);
  // Undo the per-row filters (PNG spec, section 9), in place in `lines`.
  const lines = new Uint8Array(height * stride);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)];
    const src = row * (stride + 1) + 1;
    const dst = row * stride;
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? lines[dst + i - channels] : 0;
      const up = row > 0 ? lines[dst - stride + i] : 0;
      const upLeft = row > 0 && i >= channels ? lines[dst - stride + i - channels] : 0;
      const value = raw[src + i];
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) predictor = paeth(left, up, upLeft);
      else if (filter !== 0) throw new Error(`decodePng: row ${row} has unknown filter type ${filter}.`);
      lines[dst + i] = (value + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    let r: number, g: number, b: number, a: number;
    if (colourType === 0) [r, g, b, a] = [lines[s], lines[s], lines[s], 255];
    else if (colourType === 2) [r, g, b, a] = [lines[s], lines[s + 1], lines[s + 2], 255];
    else if (colourType === 4) [r, g, b, a] = [lines[s], lines[s], lines[s], lines[s + 1]];
    else if (colourType === 6) [r, g, b, a] = [lines[s], lines[s + 1], lines[s + 2], lines[s + 3]];
    else {
      const index = lines[s];
      if (palette === undefined) throw new Error("decodePng: a palette image without a PLTE chunk.");
      [r, g, b] = [palette[3 * index], palette[3 * index + 1], palette[3 * index + 2]];
      a = transparency !== undefined && index < transparency.length ? transparency[index] : 255;
    }
    rgba.set([r, g, b, a], p * 4);
  }
  return { width, height, rgba };
}

/** How colourful an image is: the number of distinct colours and the share of pixels of the commonest one. */
export interface ColourStats {
  distinctColours: number;
  dominant: [number, number, number, number];
  dominantShare: number;
}

/** Returns the colour statistics of an image. */
export function colourStats(image: PngImage): ColourStats {
  const counts = new Map<number, number>();
  const view = new DataView(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength);
  for (let at = 0; at < image.rgba.length; at += 4) {
    const key = view.getUint32(at);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let dominantKey = 0;
  let dominantCount = 0;
  for (const [key, count] of counts) {
    if (count > dominantCount) [dominantKey, dominantCount] = [key, count];
  }
  const pixels = image.width * image.height;
  return {
    distinctColours: counts.size,
    dominant: [dominantKey >>> 24, (dominantKey >>> 16) & 0xff, (dominantKey >>> 8) & 0xff, dominantKey & 0xff],
    dominantShare: pixels === 0 ? 1 : dominantCount / pixels,
  };
}

/** Returns true when (almost) every pixel has one colour: at most `maxOtherShare` (0.1 %) of pixels differ. */
export function isBlank(image: PngImage, maxOtherShare = 0.001): boolean {
  return 1 - colourStats(image).dominantShare <= maxOtherShare;
}

/** Returns how many pixels are within `tolerance` (per channel) of the colour rgb, e.g. a trace's line colour. */
export function countPixelsNear(image: PngImage, rgb: [number, number, number], tolerance = 24): number {
  let count = 0;
  for (let at = 0; at < image.rgba.length; at += 4) {
    if (
      Math.abs(image.rgba[at] - rgb[0]) <= tolerance &&
      Math.abs(image.rgba[at + 1] - rgb[1]) <= tolerance &&
      Math.abs(image.rgba[at + 2] - rgb[2]) <= tolerance
    ) {
      count++;
    }
  }
  return count;
}
