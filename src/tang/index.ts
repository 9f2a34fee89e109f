// Lesson 5, Tang poems: everything its notebook uses, one namespace (`import * as tang from "./src/tang/index"`).
//   ../data/poems.ts  processPoems (the course's process_poems, done right: padding is no character, every 20th poem
//                     held out), the vocabulary, encodePoem/decodePoem, padBatch (inputs, targets, mask), lengthBuckets,
//                     statistics (lengths, top characters, what the filter removed) and coverage
//   forms.ts          the four regular forms (五言/七言 × 绝句/律诗), formOf, isRegular, regularShare, versesOf, coupletsOf
//   rhyme.ts          rhyme (押韵) by the 十三辙 classes of modern readings (pinyin-pro): rhymeClasses, rhymes, rhymeShare
//   generate.ts       constrained decoding: generatePoem (free, a form, rhyming), acrostic (藏头诗); always ends
// One-step generation from a trained Embedding → LSTM → Dense model is src/tf/generate.ts (CharGenerator): pass it to
// generatePoem as the model.
export * from "../data/poems";
export * from "./forms";
export * from "./rhyme";
export * from "./generate";
export { CharGenerator, sampleIndex, seededRandom, softmax } from "../tf/generate";
