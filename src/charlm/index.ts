// The dinosaur lesson's character-level RNN, from scratch in float64 (lesson 3,
// notebooks/lessons/03-dinosaur-names.md): `import * as charlm from "./src/charlm/index"`.
// The algorithm is the Coursera assignment "Dinosaurus Island", step for step, with its names in
// camelCase; column vectors are (n, 1) np arrays, as in the course.
//   parameters.ts  Parameters, Gradients, initializeParameters
//   rnn.ts         softmax, rnnStepForward, rnnStepBackward, rnnForward, rnnBackward (and their kernels)
//   kernels.ts     the two products the RNN spends its time in, as plain loops (the reference)
//   simd.ts        the same loops in WebAssembly SIMD, bit for bit the same results, ~3× faster
//   optimize.ts    clip, updateParameters, updateParametersAdagrad, optimize
//   sample.ts      sample, getSample
//   model.ts       model: the training loop, on buffers allocated once
//   novelty.ts     how many sampled names are new
//   train.ts       trainLogged: model() with a run log and a live loss curve
//   bench.ts       npm run bench -- dinos: model() against numpy's implementation of the same algorithm
export { copyParameters, initializeParameters, randomGradients, randomParameters } from "./parameters";
export type { Gradients, Parameters, Sizes } from "./parameters";
export { rnnBackward, rnnForward, rnnStepBackward, rnnStepForward, softmax } from "./rnn";
export type { RnnCache, Sequence } from "./rnn";
export { adagradMemory, clip, optimize, updateParameters, updateParametersAdagrad } from "./optimize";
export type { AdagradMemory, OptimizeResult } from "./optimize";
export { getSample, MAX_SAMPLE_LENGTH, sample } from "./sample";
export { describeParameters, formatIteration, initialLoss, model, nameToSequences, printLog } from "./model";
export type { ModelOptions, ModelResult, UpdateRule } from "./model";
export { novelty, sampleNames } from "./novelty";
export type { Novelty } from "./novelty";
export { trainLogged } from "./train";
export type { ModelFunction, NamesData, TrainLoggedOptions } from "./train";
