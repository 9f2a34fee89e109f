// The welcome lesson's model: a bigram character model of dinosaur names. It predicts the next
// character from the current one alone — a softmax over a row of logits W[current] — and learns W by
// gradient descent. Lesson 3 replaces the single row lookup with a recurrent hidden state.

import { softmaxInPlace } from "../np/softmax";

/** softmax(z)_i = exp(z_i − max z) / Σ_j exp(z_j − max z): probabilities that sum to 1. */
export function softmax(z: number[]): number[] {
  const p = z.slice();
  softmaxInPlace(p); // src/np/softmax.ts: subtracting the max keeps exp() from overflowing; the result is unchanged
  return p;
}

/** counts[i][j] = how often character j follows character i; every name starts and ends with "\n". */
export function bigramCounts(names: string[], charToIx: Map<string, number>): number[][] {
  const size = charToIx.size;
  const counts = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (const name of names) {
    const sequence = ["\n", ...name, "\n"].map((c) => {
      const ix = charToIx.get(c);
      if (ix === undefined) throw new Error(`bigramCounts: character ${JSON.stringify(c)} of "${name}" is not in the vocabulary`);
      return ix;
    });
    for (let t = 1; t < sequence.length; t++) counts[sequence[t - 1]][sequence[t]] += 1;
  }
  return counts;
}

export interface BigramStep {
  step: number;
  loss: number;
}

/** The welcome lesson's training settings from the terminal (npm run train -- welcome): lr 5 for 200 steps. */
export const bigramDefaults = { lr: 5, steps: 200 };

/** Throws a sentence naming the setting unless lr is a positive number and steps a positive whole number. */
export function checkBigramOptions({ lr, steps }: { lr: number; steps: number }): void {
  if (!(lr > 0)) throw new Error(`trainBigram: lr must be a positive number, got ${lr}`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`trainBigram: steps must be a positive integer, got ${steps}`);
}

/**
 * Gradient descent on the logits W (vocab × vocab, starting at 0) for the mean cross-entropy
 * loss = −(1/N) Σ_ij counts[i][j] · log softmax(W[i])[j]; its gradient for row i is
 * (n_i · softmax(W[i]) − counts[i]) / N, with n_i the row's total and N the number of pairs.
 * Calls `onStep` after every step; returns the learned W.
 */
export function trainBigram(
  counts: number[][],
  options: { lr: number; steps: number; softmaxFn?: (z: number[]) => number[]; onStep?: (s: BigramStep) => void },
): number[][] {
  const { lr, steps, softmaxFn = softmax } = options;
  checkBigramOptions({ lr, steps });
  const size = counts.length;
  const rowTotals = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const pairs = rowTotals.reduce((a, b) => a + b, 0);
  const W = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (let step = 1; step <= steps; step++) {
    let loss = 0;
    for (let i = 0; i < size; i++) {
      const p = softmaxFn(W[i]);
      for (let j = 0; j < size; j++) {
        if (counts[i][j] > 0) loss -= (counts[i][j] * Math.log(p[j])) / pairs;
        W[i][j] -= (lr * (rowTotals[i] * p[j] - counts[i][j])) / pairs;
      }
    }
    options.onStep?.({ step, loss });
  }
  return W;
}

/** Draws one name from the bigram model: start after "\n", stop at the next "\n" or after `maxLength`. */
export function sampleBigramName(W: number[][], ixToChar: string[], uniform: () => number, maxLength = 30): string {
  let current = ixToChar.indexOf("\n");
  let name = "";
  while (name.length < maxLength) {
    const p = softmax(W[current]);
    let u = uniform();
    let next = 0;
    while (next < p.length - 1 && u >= p[next]) u -= p[next++];
    if (ixToChar[next] === "\n") break;
    name += ixToChar[next];
    current = next;
  }
  return name.charAt(0).toUpperCase() + name.slice(1);
}
