// Lesson 5, Tang poems: everything its notebook uses, one namespace (`import * as tang from "./src/tang/index"`).
//   ../data/poems.ts  processPoems (the course's process_poems, done right: padding is no character, every 20th poem
//                     held out), the vocabulary, encodePoem/decodePoem, padBatch (inputs, targets, mask), lengthBuckets,
//                     statistics (lengths, top characters, what the filter removed) and coverage
//   forms.ts          the four regular forms (五言/七言 × 绝句/律诗), formOf, isRegular, regularShare, versesOf, coupletsOf
//   rhyme.ts          rhyme (押韵) by the 十三辙 classes of modern readings (pinyin-pro): rhymeClasses, rhymes, rhymeShare
//   free-poem.ts      freePoem: the course's gen_poem done right (no symbol that is not a character; always ends)
//   generate.ts       constrained decoding: generatePoem (free, a form, rhyming), acrostic (藏头诗); always ends;
//                     writePoem: the same, one symbol at a time (a page streams it), with the rule at each place
//   revise.ts         whyThisCharacter (the choices the masks left, their chances, what the masks removed) and
//                     rewritePoem (a character changed, characters pinned, the rest written again in form)
//   model.ts          buildPoemModel (Embedding → 2 × LSTM(128) → Dense, optionally reading the position in the poem
//                     and its rhyme so far: PoemPosition, poemFeatures), poemGenerator (a CharGenerator that feeds
//                     those features itself)
//   train.ts          trainPoemModel (length buckets or padded batches, the masked loss poemLoss, Adam, clipping,
//                     held-out loss, best checkpoint, resume), heldOutLoss, batchTensors
//   recipe.ts         the shipped model's recipe (recipeDefaults, trainRecipe) and loadPoemModel
//   quality.ts        measurePoems / measureFree: regular share, unforced rhyme, stray symbols, forms, acrostics,
//                     forced rhyme on 100 poems
//   compare.ts        comparisonRuns: the shipped runs behind the recipe's rhyme input (tang-lstm/compare/)
// One-step generation is src/tf/generate.ts (CharGenerator); poemGenerator builds one for generatePoem.
export * from "../data/poems";
export * from "./forms";
export * from "./rhyme";
export * from "./generate";
export * from "./revise";
export * from "./free-poem";
export * from "./model";
export * from "./train";
export * from "./recipe";
export * from "./quality";
export * from "./compare";
export { keepOne, loadModel, saveModel } from "../tf/models";
export { CharGenerator, sampleIndex, seededRandom, softmax } from "../tf/generate";
