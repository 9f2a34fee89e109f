// Rhyme (押韵): in a regular poem the last characters of the even lines (2nd, 4th…) rhyme. Tang poets rhymed by the
// 平水韵 classes of Middle Chinese; no npm package has them, so this check reads modern Mandarin (pinyin-pro, every
// reading of a character) and groups finals into the 13 classes of 十三辙, the traditional rhyme table of modern
// Mandarin. That is an approximation: characters of the old entering tone (入声) and finals that moved since the Tang
// are misclassified (悲 bēi and 时 shí shared the rhyme 支 then; 斜 xié rhymed with 家 jiā), so about 1 regular Tang
// poem in 5 fails this check although it rhymed when it was written.
//
// "Share a rhyme", precisely: a syllable's tone is dropped, its final is spelled in full (you → iou, gui → uei, ju → ü,
// shi → -i) and the medial i/u/ü in front of the main vowel is removed (iang, uang → ang; ian, uan, üan → an); the
// finals left are grouped by the table below (o ~ e; ie ~ üe; en ~ in ~ ün; eng ~ ing ~ ong; i ~ -i ~ er ~ ü). A
// character has the classes of all its readings; characters share a rhyme when one class is among the classes of
// every one of them.
import { polyphonic } from "pinyin-pro";
import { versesOf } from "./forms";

/** The 13 rhyme classes of 十三辙 (each named, as usual, by two characters of the class). */
export type RhymeClass = "发花" | "梭波" | "乜斜" | "怀来" | "灰堆" | "遥条" | "油求" | "言前" | "人辰" | "江阳" | "中东" | "一七" | "姑苏";

/** Each class with the finals (in full spelling, toneless) it holds. */
export const rhymeTable: Record<RhymeClass, readonly string[]> = {
  发花: ["a", "ia", "ua"],
  梭波: ["o", "uo", "e", "io", "ê"],
  乜斜: ["ie", "üe", "ue"],
  怀来: ["ai", "uai"],
  灰堆: ["ei", "uei"],
  遥条: ["ao", "iao"],
  油求: ["ou", "iou"],
  言前: ["an", "ian", "uan", "üan"],
  人辰: ["en", "in", "uen", "ün"],
  江阳: ["ang", "iang", "uang"],
  中东: ["eng", "ing", "ueng", "ong", "iong"],
  一七: ["i", "-i", "er", "ü"],
  姑苏: ["u"],
};

const classOfFinal = new Map<string, RhymeClass>(Object.entries(rhymeTable).flatMap(([cls, finals]) => finals.map((f) => [f, cls as RhymeClass] as [string, RhymeClass])));

// Syllables with no initial, spelled with y or w, and their finals in full.
const zeroInitial: Record<string, string> = {
  yi: "i", ya: "ia", yo: "io", ye: "ie", yao: "iao", you: "iou", yan: "ian", yin: "in", yang: "iang", ying: "ing", yong: "iong",
  yu: "ü", yue: "üe", yuan: "üan", yun: "ün",
  wu: "u", wa: "ua", wo: "uo", wai: "uai", wei: "uei", wan: "uan", wen: "uen", wang: "uang", weng: "ueng",
};

/** Returns the final of a toneless pinyin syllable in full spelling ("shuang" → "uang", "you" → "iou", "ju" → "ü", "shi" → "-i"), or null when it is not pinyin. */
export function finalOf(syllable: string): string | null {
  // Tone marks and tone numbers go; the diaeresis of ü stays (v is the keyboard's ü).
  const s = syllable.toLowerCase().normalize("NFD").replace(/[\u0300-\u0307\u0309-\u036f]/g, "").normalize("NFC").replace(/v/g, "ü").replace(/[1-5]$/, "");
  if (!/^[a-zêü]+$/.test(s)) return null;
  if (zeroInitial[s]) return zeroInitial[s];
  const m = /^(zh|ch|sh|[bpmfdtnlgkhjqxrzcs])([aeiouêü].*)$/.exec(s);
  let final = m ? m[2] : s;
  const initial = m ? m[1] : "";
  if (/^[jqx]$/.test(initial) && final.startsWith("u")) final = "ü" + final.slice(1);
  if (/^(zh|ch|sh|r|z|c|s)$/.test(initial) && final === "i") return "-i";
  if (final === "iu") final = "iou";
  else if (final === "ui") final = "uei";
  else if (final === "un") final = "uen"; // after j, q, x it is already ün
  return classOfFinal.has(final) ? final : null;
}

/** Returns the rhyme class of a toneless pinyin syllable ("xiang" → 江阳), or null when its final is in no class (m, ng…). */
export function rhymeClassOf(syllable: string): RhymeClass | null {
  const final = finalOf(syllable);
  return final === null ? null : classOfFinal.get(final) ?? null;
}

const classCache = new Map<string, readonly RhymeClass[]>();

/** Returns a character's toneless readings in modern Mandarin (pinyin-pro, every reading it knows: 行 → xing, hang, heng); [] when it knows none. */
export function readingsOf(char: string): string[] {
  if (Array.from(char).length !== 1) throw new Error(`readingsOf takes one character, got ${JSON.stringify(char)}.`);
  const [readings = []] = polyphonic(char, { type: "array", toneType: "none" });
  return readings.filter((r) => finalOf(r) !== null);
}

/** Returns the rhyme classes of a character: one per distinct class among its readings (长 chang, zhang → 江阳; 还 hai, huan → 怀来, 言前); [] when it has no reading. */
export function rhymeClasses(char: string): readonly RhymeClass[] {
  let classes = classCache.get(char);
  if (!classes) {
    classes = [...new Set(readingsOf(char).map((r) => rhymeClassOf(r)).filter((c): c is RhymeClass => c !== null))];
    classCache.set(char, classes);
  }
  return classes;
}

/** Returns the classes that every one of the characters can be read in ([] when they share none, or for no character). */
export function sharedRhyme(chars: readonly string[]): RhymeClass[] {
  if (chars.length === 0) return [];
  let shared = [...rhymeClasses(chars[0])];
  for (const c of chars.slice(1)) {
    const classes = rhymeClasses(c);
    shared = shared.filter((k) => classes.includes(k));
  }
  return shared;
}

/** Returns the rhyme characters of a poem: the last character (before its punctuation) of each even line (2nd, 4th…). */
export function rhymeChars(text: string): string[] {
  return versesOf(text)
    .filter((_, i) => i % 2 === 1)
    .map((v) => {
      const chars = Array.from(v);
      return chars.length >= 2 ? chars[chars.length - 2] : chars[0];
    });
}

/** Returns true when a poem has at least two even lines and their last characters share a rhyme class (sharedRhyme is not empty). */
export function rhymes(text: string): boolean {
  const chars = rhymeChars(text);
  return chars.length >= 2 && sharedRhyme(chars).length > 0;
}

/** How many poems rhyme. */
export interface RhymeShare {
  total: number;
  rhyming: number;
  /** rhyming / total (0 when there is no poem). */
  share: number;
}

/** Returns how many of the poems (texts, or objects with a text) rhyme by rhymes(). */
export function rhymeShare(poems: readonly (string | { text: string })[]): RhymeShare {
  const rhyming = poems.filter((p) => rhymes(typeof p === "string" ? p : p.text)).length;
  return { total: poems.length, rhyming, share: poems.length === 0 ? 0 : rhyming / poems.length };
}
