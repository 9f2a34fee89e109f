// The four regular forms of Tang poetry (近体诗 by shape only: tone patterns are not checked): 绝句 have 4 lines, 律诗
// 8, of 5 (五言) or 7 (七言) characters each; a line ends in ，when it is odd (1st, 3rd…) and in 。when it is even, so
// two lines make a couplet. 36,644 of the course's 45,335 poems (80.8%; 81.7% of the held-out ones) have one of
// these shapes exactly, with Han characters only (a poem with □, a lost character, is not counted: with it, 81.1%).

/** The name of a regular form. */
export type FormName = "五言绝句" | "七言绝句" | "五言律诗" | "七言律诗";

/** A regular form: lines of lineLength characters, each followed by ，(odd lines) or 。(even lines). */
export interface Form {
  name: FormName;
  /** Characters in a line, punctuation not counted: 5 or 7. */
  lineLength: 5 | 7;
  /** Lines: 4 (绝句) or 8 (律诗). */
  lines: 4 | 8;
  /** The poem's characters, punctuation included: lines × (lineLength + 1). */
  length: number;
}

/** The four regular forms, shortest first. */
export const regularForms: readonly Form[] = (
  [
    ["五言绝句", 5, 4],
    ["七言绝句", 7, 4],
    ["五言律诗", 5, 8],
    ["七言律诗", 7, 8],
  ] as [FormName, 5 | 7, 4 | 8][]
).map(([name, lineLength, lines]) => ({ name, lineLength, lines, length: lines * (lineLength + 1) }));

/** The punctuation that ends a line in the corpus (，。 nearly always; ？！；：、 sometimes). */
export const lineEnds = "，。？！；：、";

/** The marks that may end a sentence, and so a free poem: 。？！ */
export const sentenceEnds = "。？！";

/** Returns the punctuation that ends line `line` (0-based) of a regular poem: "，" for the 1st, 3rd… line, "。" for the 2nd, 4th… */
export function lineEndOf(line: number): string {
  return line % 2 === 0 ? "，" : "。";
}

/** Returns true when `char` is one Han character (a CJK ideograph of any block): not punctuation, □, a letter or a space. */
export function isHan(char: string): boolean {
  return /^\p{Script=Han}$/u.test(char);
}

/** Returns the form called `name` (五言绝句, 七言绝句, 五言律诗 or 七言律诗); throws a sentence naming it otherwise. */
export function formByName(name: string): Form {
  const form = regularForms.find((f) => f.name === name);
  if (!form) throw new Error(`There is no regular form called ${JSON.stringify(name)}: choose one of ${regularForms.map((f) => f.name).join(", ")}.`);
  return form;
}

/** Returns the lines of a poem, each with the punctuation that ends it (one of ，。？！；：、); text after the last mark is a last line. */
export function versesOf(text: string): string[] {
  const verses: string[] = [];
  let current = "";
  for (const c of Array.from(text)) {
    current += c;
    if (lineEnds.includes(c)) {
      verses.push(current);
      current = "";
    }
  }
  if (current !== "") verses.push(current);
  return verses;
}

/** Returns a poem cut after each 。？！ (a couplet per line for a regular poem): the way to print it. */
export function coupletsOf(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const c of Array.from(text)) {
    current += c;
    if (sentenceEnds.includes(c)) {
      out.push(current);
      current = "";
    }
  }
  if (current !== "") out.push(current);
  return out;
}

/** Returns the regular form of a poem's text (no start or end token), or null when it has none of the four shapes exactly. */
export function formOf(text: string): Form | null {
  const verses = versesOf(text).map((v) => Array.from(v));
  if (verses.length !== 4 && verses.length !== 8) return null;
  const lineLength = verses[0].length - 1;
  if (lineLength !== 5 && lineLength !== 7) return null;
  for (let i = 0; i < verses.length; i++) {
    const v = verses[i];
    if (v.length !== lineLength + 1 || v[lineLength] !== lineEndOf(i)) return null;
    for (let j = 0; j < lineLength; j++) if (!isHan(v[j])) return null;
  }
  return regularForms.find((f) => f.lineLength === lineLength && f.lines === verses.length) ?? null;
}

/** Returns true when a poem's text is one of the four regular forms exactly (formOf is not null). */
export function isRegular(text: string): boolean {
  return formOf(text) !== null;
}

/** How many poems have a regular form. */
export interface RegularShare {
  total: number;
  regular: number;
  /** regular / total (0 when there is no poem). */
  share: number;
  /** Poems of each form. */
  byForm: Record<FormName, number>;
}

/** Returns how many of the poems (texts, or objects with a text) are regular, in all and by form. */
export function regularShare(poems: readonly (string | { text: string })[]): RegularShare {
  const byForm = Object.fromEntries(regularForms.map((f) => [f.name, 0])) as Record<FormName, number>;
  let regular = 0;
  for (const p of poems) {
    const form = formOf(typeof p === "string" ? p : p.text);
    if (form) {
      regular++;
      byForm[form.name]++;
    }
  }
  return { total: poems.length, regular, share: poems.length === 0 ? 0 : regular / poems.length, byForm };
}
