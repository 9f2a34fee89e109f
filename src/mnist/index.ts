// Lesson 2, MNIST read row by row: everything its notebook uses, one namespace.
//   ../data/mnist.ts  the IDX and CSV files, sets of digits (subset, pick, splitValidation), shifting a digit
//   tensors.ts        digits as tensors [N, 28, 28] and labels, in batches
//   figures.ts        pictures of digits
//   model.ts          buildClassifier: cell(units) → Dense(10, softmax); crossEntropy, accuracy, evaluate
//   train.ts          trainClassifier (Adam, clipping, live curves, logged run, stop flag) and the shipped recipe
//   analysis.ts       beliefs after each row, the reading curve, the confusion matrix, the mistakes
//   pretrained.ts     the shipped model and the shipped cell comparison
// Saving, loading and keeping one model per name are src/tf/models.ts; gradient clipping is src/tf/clip.ts.
export * from "../data/mnist";
export * from "./tensors";
export * from "./figures";
export * from "./model";
export * from "./train";
export * from "./analysis";
export * from "./pretrained";
export { keepOne, loadModel, saveModel } from "../tf/models";
export { clipByGlobalNorm } from "../tf/clip";
