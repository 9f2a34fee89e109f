// `npm run generate -- LESSON [flags]`: text from a lesson's trained model in the terminal, the same as the
// notebook's cells (same seed, same text).
import * as path from "path";
import { repoRoot } from "../../src/course";
import type { FlagSpec, Flags } from "./flags";
import { UsageError } from "./flags";

export interface Generator {
  describe: string;
  flags: Record<string, FlagSpec>;
  run(flags: Flags): Promise<void>;
}

export const generators: Record<string, Generator> = {
  shakespeare: {
    describe: "lesson 4: continue a prompt with the character LSTM (the shipped model, or --model DIR trained with --text)",
    flags: {
      prompt: { type: "string", default: "shall i compare thee", help: "the text to continue" },
      length: { type: "integer", default: 400, help: "characters to write" },
      temperature: { type: "number", default: 0.7, help: "below 1 safer, above 1 wilder" },
      seed: { type: "integer", default: 1, help: "the same seed writes the same text" },
      model: { type: "string", help: "a model folder (model.json, vocab.json, settings.json); default the shipped one" },
    },
    async run(flags) {
      // Loaded here: the other commands do not start TensorFlow.js.
      const { initBackend } = require("../../src/tf/backend") as typeof import("../../src/tf/backend");
      const lesson = require("../../src/shakespeare/index") as typeof import("../../src/shakespeare/index");
      if (!((flags.length as number) > 0)) throw new UsageError(`--length must be 1 or more, got ${flags.length}`);
      if (!((flags.temperature as number) > 0)) throw new UsageError(`--temperature must be above 0, got ${flags.temperature}`);
      await initBackend();
      const loaded = await lesson.loadCharModel(flags.model === undefined ? undefined : path.resolve(repoRoot, flags.model as string));
      const generator = new lesson.CharGenerator(loaded.model);
      const prompt = flags.prompt as string;
      // The text is printed as it is written (a long --length shows from its first character on); the prompt with the
      // first character, once sampleSteps has accepted it.
      let started = false;
      for (const step of lesson.sampleSteps(generator, loaded.vocab, prompt, {
        length: flags.length as number, temperature: flags.temperature as number, random: lesson.seededRandom(flags.seed as number), lowercase: loaded.lowercase,
      })) {
        if (!started) process.stdout.write(loaded.lowercase ? prompt.toLowerCase() : prompt);
        started = true;
        process.stdout.write(step.char);
      }
      process.stdout.write("\n");
    },
  },
  tang: {
    describe: "lesson 5: Tang poems from the poem LSTM (the shipped model, or --model DIR): free, in a form, acrostic (--heads), rhyming",
    flags: {
      first: { type: "string", help: "the poem's first character (default: the model chooses)" },
      heads: { type: "string", help: "an acrostic (藏头诗): 4 or 8 characters, one at the head of each line" },
      form: { type: "string", help: "free (nothing imposed), regular (any of the four forms), or 五言绝句, 七言绝句, 五言律诗, 七言律诗 (default free; regular with --heads or --rhyme)" },
      rhyme: { type: "boolean", help: "make the even lines rhyme (押韵, by modern readings)" },
      temperature: { type: "number", default: 0.7, help: "below 1 safer, above 1 wilder" },
      "temperature-by": { type: "string", default: "kind", help: "kind (first character, punctuation or end, then which one) or symbol (each symbol alone)" },
      seed: { type: "integer", default: 1, help: "poem i is written with seed + i: the same seed writes the same poems" },
      count: { type: "integer", default: 1, help: "poems to write" },
      json: { type: "boolean", help: "one JSON object per poem and line: text, lines, form (run npm run -s generate -- tang --json: without -s, npm prints its banner on stdout too)" },
      model: { type: "string", help: "a model folder (model.json, vocab.json, settings.json); default the shipped one" },
      measure: { type: "integer", help: "instead of poems, measure N of each kind (free, in a form, acrostic, rhyming) and print the figures" },
    },
    async run(flags) {
      const { initBackend } = require("../../src/tf/backend") as typeof import("../../src/tf/backend");
      const tang = require("../../src/tang/index") as typeof import("../../src/tang/index");
      const count = flags.count as number;
      const temperature = flags.temperature as number;
      if (!(count >= 1)) throw new UsageError(`--count must be 1 or more, got ${count}`);
      if (!(temperature > 0)) throw new UsageError(`--temperature must be above 0, got ${temperature}`);
      const form = flags.form as string | undefined;
      const forms = ["free", "regular", ...tang.regularForms.map((f) => f.name)];
      if (form !== undefined && !forms.includes(form)) throw new UsageError(`--form must be one of ${forms.join(", ")}, got "${form}"`);
      const temperatureBy = flags["temperature-by"] as string;
      if (temperatureBy !== "kind" && temperatureBy !== "symbol") throw new UsageError(`--temperature-by must be kind or symbol, got "${temperatureBy}"`);
      const heads = flags.heads as string | undefined;
      if (heads !== undefined && ![4, 8].includes(Array.from(heads).length)) throw new UsageError(`--heads takes 4 or 8 characters (one per line), got ${Array.from(heads).length}: "${heads}"`);
      // With --json, stdout holds only the poems: the backend's one line goes to stderr.
      const log = console.log;
      if (flags.json) console.log = console.error;
      try {
        await initBackend();
      } finally {
        console.log = log;
      }
      const loaded = await tang.loadPoemModel(flags.model === undefined ? undefined : path.resolve(repoRoot, flags.model as string));
      const generator = tang.poemGenerator(loaded.model, loaded.vocab);
      loaded.model.dispose();
      if (flags.measure !== undefined) {
        const n = flags.measure as number;
        if (!(n >= 1)) throw new UsageError(`--measure must be 1 or more, got ${n}`);
        const q = tang.measurePoems(generator, loaded.vocab, { count: n, temperature, temperatureBy, seed: flags.seed as number });
        if (flags.json) console.log(JSON.stringify(q));
        else {
          const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
          console.log(`${n} poems of each kind at temperature ${temperature} (by ${temperatureBy}), seeds ${flags.seed} to ${(flags.seed as number) + n - 1}:`);
          console.log(`  free (from the ${n} most frequent first characters): ${pct(q.free.share)} regular, ${q.free.stray} stray symbols`);
          console.log(`  in a form (each of the four in turn): ${pct(q.form.share)} regular in that form`);
          console.log(`  acrostics of 4 heads: ${pct(q.acrostic.share)} right`);
          console.log(`  rhyming, in each form in turn: ${pct(q.rhyme.share)} rhyme`);
          console.log(`  ${q.charsPerSecond} characters/s`);
        }
        return;
      }
      for (let i = 0; i < count; i++) {
        let poem;
        try {
          poem = tang.generatePoem(generator, loaded.vocab, {
            first: flags.first as string | undefined, heads, form: form as import("../../src/tang/index").PoemOptions["form"], rhyme: flags.rhyme === true, temperature, temperatureBy, seed: (flags.seed as number) + i,
          });
        } catch (err) {
          // A head or first character the vocabulary lacks, contradicting options: the library's sentence.
          throw new UsageError((err as Error).message);
        }
        const lines = tang.versesOf(poem.text);
        if (flags.json) console.log(JSON.stringify({ text: poem.text, lines, form: poem.form?.name ?? tang.formOf(poem.text)?.name ?? null }));
        else console.log((i > 0 ? "\n" : "") + tang.coupletsOf(poem.text).join("\n"));
      }
    },
  },
};

