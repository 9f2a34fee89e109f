// Lesson 4, writing like Shakespeare: everything its notebook uses, one namespace.
//   ../data/text.ts  any UTF-8 text as characters, its vocabulary, the held-out tail, the course's windows, one-hot
//   model.ts         buildCourseModel (LSTM(128) over 40 one-hot characters), buildCharModel (Embedding → LSTMs →
//                    logits at every step), their losses
//   train.ts         trainCharModel (random windows, Adam, clipping, held-out loss, best checkpoint, resume),
//                    heldOutLoss, trainWindowModel (the course's model), checkpoints with the optimiser's state
//   recipe.ts        the shipped model's recipe (datasets/pretrained/shakespeare-lstm/)
//   sonnets.ts       loadSonnets: the text lowercased, its vocabulary, the training part and the held-out tail
//   generate.ts      sample (the course's), generateOutput, sampleText, writeSonnet, nextChars, loadCharModel,
//                    loadCourseModel, generationSpeed
//   measure.ts       what a model learned: the share of English words and the syllables per line it writes
// One-step generation is src/tf/generate.ts (CharGenerator); saving and loading models src/tf/models.ts.
export * from "../data/text";
export * from "./model";
export * from "./train";
export * from "./recipe";
export * from "./generate";
export * from "./sonnets";
export * from "./measure";
export { CharGenerator, sampleIndex, seededRandom, softmax } from "../tf/generate";
export { keepOne, loadModel, saveModel } from "../tf/models";
export { clipByGlobalNorm } from "../tf/clip";
