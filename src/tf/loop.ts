// What lessons 4 and 5's training loops share: the options every loop takes (stopping, checkpoints, hooks), and a
// held-out score that stops improving: the learning rate drops, and after a few drops training ends (recordLoss and
// plateauReached, called after each evaluation on the part of the loop's state.json that tracks it), and what follows an
// evaluation (afterEvaluation: the row kept and logged, the hooks, the schedule, the checkpoint).
import type { tf } from "./backend";
import { saveCheckpoint } from "./checkpoint";

/** The options of a training loop that logs rows of type Row, evaluates every evalEvery batches and lowers its learning rate on a plateau. */
export interface LoopOptions<Row> {
  /** Batches between held-out evaluations (and logged rows, checkpoints). */
  evalEvery?: number;
  /** Evaluations without a new best before the learning rate is multiplied by lrDecay. */
  patience?: number;
  lrDecay?: number;
  /** Stop after the learning rate was lowered this many times and still did not improve for `patience` evaluations. */
  maxDecays?: number;
  /** Stop after this many batches in all. */
  maxSteps?: number;
  /** Stop after this many seconds of wall time (training and evaluation). */
  maxSeconds?: number;
  /** Seeds the batches drawn. */
  seed?: number;
  /** A folder for the latest checkpoint (model, optimiser state, state.json), rewritten at every evaluation. */
  checkpoint?: string;
  /** A folder of a checkpoint written by `checkpoint`: its weights, optimiser state and progress are loaded first. */
  resume?: string;
  /** The run (src/runs startRun) whose history.csv gets one line per logged row. */
  run?: { log(row: Record<string, number>): void };
  /** Called after each logged row. */
  onLog?: (row: Row) => void;
  /** Called after each batch with the batches done and its loss. */
  onBatch?: (step: number, loss: number) => void;
  /** Called (and awaited) after an evaluation that beats every earlier one, e.g. to save the model. */
  onBest?: (row: Row) => void | Promise<void>;
  /** Checked after each batch: true stops training (an interrupt, ■ in Jupyter or Ctrl-C, does the same). */
  shouldStop?: () => boolean;
}

/** What every loop's logged row holds (a lesson's row adds its own columns, such as its speed). */
export interface LoopRow {
  /** Batches so far. */
  step: number;
  /** Passes over the training data so far. */
  epoch: number;
  /** Mean training loss over the batches since the last row (dropout on, if any). */
  loss: number;
  /** Held-out loss now, and the best so far. */
  heldOut: number;
  bestHeldOut: number;
  lr: number;
  /** Seconds of training so far, evaluations excluded. */
  seconds: number;
}

/** What the schedule keeps between evaluations (part of a training loop's state.json). */
export interface PlateauState {
  lr: number;
  /** Batches done in all. */
  step: number;
  /** The best held-out loss so far, and the step it was measured at. */
  bestLoss: number;
  bestStep: number;
  /** Evaluations since the best one. */
  sinceBest: number;
  /** Times the learning rate was lowered. */
  decays: number;
}

/** Records a held-out loss measured at state.step; returns true when it beats every earlier one. */
export function recordLoss(state: PlateauState, loss: number): boolean {
  if (!(loss < state.bestLoss)) {
    state.sinceBest++;
    return false;
  }
  state.bestLoss = loss;
  state.bestStep = state.step;
  state.sinceBest = 0;
  return true;
}

/**
 * After `patience` evaluations without a new best, multiplies the learning rate by lrDecay (at most maxDecays times);
 * returns true when it has already dropped maxDecays times and still does not improve: time to stop.
 */
export function plateauReached(state: PlateauState, o: { patience: number; lrDecay: number; maxDecays: number }): boolean {
  if (state.sinceBest < o.patience) return false;
  if (state.decays >= o.maxDecays) return true;
  state.decays++;
  state.lr *= o.lrDecay;
  state.sinceBest = 0;
  return false;
}

/**
 * What a loop does after an evaluation: keeps the row in `rows` and logs it to opts.run, awaits opts.onBest when it is
 * a new best, calls opts.onLog, applies the plateau schedule and writes the checkpoint (opts.checkpoint) with the
 * state after it. Returns true when the plateau says stop.
 */
export async function afterEvaluation<Row extends LoopRow>(
  row: Row, improved: boolean, rows: Row[], state: PlateauState, opts: LoopOptions<Row>,
  schedule: { patience: number; lrDecay: number; maxDecays: number }, model: tf.LayersModel, optimizer: tf.Optimizer,
): Promise<boolean> {
  rows.push(row);
  opts.run?.log({ ...row } as unknown as Record<string, number>);
  if (improved) await opts.onBest?.(row);
  opts.onLog?.(row);
  const plateau = plateauReached(state, schedule);
  if (opts.checkpoint !== undefined) await saveCheckpoint(opts.checkpoint, model, optimizer, state);
  return plateau;
}
