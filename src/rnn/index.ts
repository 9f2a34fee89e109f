// Recurrent cells from scratch, in float64 on src/np, named as in lesson 1 (notebooks/lessons/01-rnn-lstm-theory.md):
// `import * as rnn from "./src/rnn/index"`. Shapes: x (n_x, m, T_x), a (n_a, m, T_x), ŷ (n_y, m, T_x).
//   rnn.ts        rnnCellForward, rnnForward, rnnCellBackward, rnnBackward
//   lstm.ts       lstmCellForward, lstmForward, lstmCellBackward, lstmBackward
//   gru.ts        gruCellForward, gruForward
//   gradcheck.ts  gradCheck, gradCheckEach, numericalGradient: is a backward pass right?
//   dynamics.ts   stateJacobianNorms, orthogonalWeights, clipByGlobalNorm: vanishing and exploding gradients
//   params.ts     the parameter types, and random ones drawn from a seeded RandomState
//   softmax       the softmax of each column (src/np/softmax.ts, shared by every lesson)
//   shapes.ts     shape checks whose errors name the argument and both shapes
export { rnnBackward, rnnCellBackward, rnnCellForward, rnnForward } from "./rnn";
export type { RnnCache, RnnCaches, RnnCellGradients, RnnGradients } from "./rnn";
export { lstmBackward, lstmCellBackward, lstmCellForward, lstmForward } from "./lstm";
export type { LstmCache, LstmCaches, LstmCellGradients, LstmGradients } from "./lstm";
export { gruCellForward, gruForward } from "./gru";
export type { GruCache } from "./gru";
export { gradCheck, gradCheckEach, numericalGradient } from "./gradcheck";
export { clipByGlobalNorm, orthogonalWeights, stateJacobianNorms } from "./dynamics";
export { randomGruParameters, randomLstmParameters, randomRnnParameters } from "./params";
export type { GruParameters, LstmParameters, Params, RnnParameters } from "./params";
export { softmax } from "../np/softmax";
export { checkShapes, rows } from "./shapes";
export type { ShapeSpec } from "./shapes";
