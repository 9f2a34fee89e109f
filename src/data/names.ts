// A list of names, one per line (datasets/dinos.txt or a learner's own file), and its characters.
import * as fs from "fs";

export interface NameList {
  /** The file's text, lowercased. */
  text: string;
  /** The names, one per non-empty line, stripped. */
  names: string[];
  /** The vocabulary, sorted: "\n" (the end of a name) first, then the letters. */
  chars: string[];
  charToIx: Map<string, number>;
  ixToChar: string[];
}

/**
 * Reads a names file: lowercased, one name per line. Throws for a missing, empty or binary file, and,
 * when `vocabulary` is given, for a character outside it (naming the line and the character).
 */
export function loadNames(file: string, vocabulary?: string[]): NameList {
  if (!fs.existsSync(file)) throw new Error(`loadNames: no file at ${file}`);
  if (fs.statSync(file).isDirectory()) throw new Error(`loadNames: ${file} is a folder: give the path of a text file with one name per line`);
  const bytes = fs.readFileSync(file);
  if (bytes.includes(0)) throw new Error(`loadNames: ${file} is a binary file (it contains NUL bytes), not a list of names`);
  let raw: string;
  try {
    raw = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`loadNames: ${file} is not UTF-8 text`);
  }
  // A byte-order mark (some Windows editors write one) is not part of the first name.
  // Line ends of any system (\r\n, a lone \r) become \n; accents typed as a letter plus a combining mark become
  // the one composed character (NFC), so "é" is one vocabulary entry however it was typed.
  const text = raw.replace(/^\ufeff/, "").replace(/\r\n?/g, "\n").normalize("NFC").toLowerCase();
  const names = text.split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
  if (names.length === 0) throw new Error(`loadNames: ${file} is empty: expected one name per line`);
  if (vocabulary) {
    const allowed = new Set(vocabulary);
    text.split("\n").forEach((line, i) => {
      const bad = [...line.trim()].find((c) => !allowed.has(c));
      if (bad !== undefined) {
        throw new Error(`loadNames: ${file} line ${i + 1}: character ${JSON.stringify(bad)} is not in the vocabulary (${vocabulary.join("").replace("\n", "\\n")})`);
      }
    });
  }
  const chars = vocabulary ?? [...new Set([...text, "\n"])].sort();
  return { text, names, chars, charToIx: new Map(chars.map((c, i) => [c, i])), ixToChar: chars };
}
