// TensorFlow.js's engine after an interrupt. ■ during a cell's synchronous part stops the JavaScript where it is,
// and none of its `finally` blocks run: the engine can be left inside an op (kernelDepth 1), inside tidy scopes that
// hold the op's tensors, and recording a gradient tape, so that the next training fails with "Cannot find a
// connection between any variable and the result of the loss function". Between two cells nothing of TensorFlow.js
// is running (a tidy cannot span an await), so the course kernel calls resetEngine after such a cell (backend.ts
// registers it).
import * as tf from "@tensorflow/tfjs";

/** What the engine holds while ops run (TensorFlow.js's EngineState, the fields an op or tidy changes). */
interface EngineState {
  scopeStack: unknown[];
  activeTape: Array<{ saved?: tf.Tensor[] }> | null;
  gradientDepth: number;
  kernelDepth: number;
  numDataMovesStack: number[];
}

/** Returns how far the engine is inside scopes, tapes and ops: all 0 when nothing runs. */
export function engineDepth(): { scopes: number; tape: number; gradientDepth: number; kernelDepth: number } {
  const state = tf.engine().state as unknown as EngineState;
  return { scopes: state.scopeStack.length, tape: state.activeTape?.length ?? 0, gradientDepth: state.gradientDepth, kernelDepth: state.kernelDepth };
}

/**
 * Puts the engine back to rest as a torn-out op or tidy would have on its way out: ends every open scope (disposing
 * the tensors made in it, as tidy does), drops the gradient tape with the tensors it saved, and zeroes the depths.
 * Variables and tensors kept outside a tidy are left alone.
 */
export function resetEngine(): void {
  const engine = tf.engine();
  const state = engine.state as unknown as EngineState;
  while (state.scopeStack.length > 0) engine.endScope();
  for (const node of state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
  state.gradientDepth = 0;
  state.kernelDepth = 0;
  state.numDataMovesStack = [];
}
