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
      temperature: { type: "number", default: 0.5, help: "below 1 safer, above 1 wilder" },
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
      const text = lesson.sampleText(generator, loaded.vocab, prompt, {
        length: flags.length as number, temperature: flags.temperature as number, random: lesson.seededRandom(flags.seed as number), lowercase: loaded.lowercase,
      });
      console.log((loaded.lowercase ? prompt.toLowerCase() : prompt) + text);
    },
  },
};
