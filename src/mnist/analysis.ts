// Reading lesson 2's classifier: its beliefs after each row, how accuracy grows with the rows read, its
// confusion matrix and its most confident mistakes.
import { numClasses } from "../data/mnist";
import type { MnistSet } from "../data/mnist";
import { tf } from "../tf/backend";
import type { Evaluation } from "./model";
import { imagesTensor } from "./tensors";

/**
 * Returns the class probabilities after each row read, [n][28][10], for the given digits: the same weights run
 * with returnSequences, so the softmax layer reads every hidden state h⟨t⟩, not only the last.
 */
export function probabilitiesByRow(model: tf.LayersModel, set: MnistSet, indices: number[]): number[][][] {
  const recurrent = model.layers[0];
  const kind = recurrent.getClassName();
  const units = (recurrent.getConfig() as { units: number }).units;
  const config = { units, returnSequences: true, inputShape: [28, 28], kernelInitializer: "zeros" as const, recurrentInitializer: "zeros" as const };
  const layer = kind === "LSTM" ? tf.layers.lstm(config) : kind === "GRU" ? tf.layers.gru(config) : tf.layers.simpleRNN(config);
  const everyStep = tf.sequential({ layers: [layer, tf.layers.dense({ units: numClasses, activation: "softmax" })] });
  try {
    everyStep.setWeights(model.getWeights());
    return tf.tidy(() => {
      const xs = tf.stack(indices.map((i) => tf.squeeze(imagesTensor(set, i, i + 1), [0])));
      return (everyStep.apply(xs) as tf.Tensor).arraySync() as number[][][];
    });
  } finally {
    everyStep.dispose();
  }
}

/**
 * Returns, after each number of rows read t = 1…28, the accuracy and the mean probability of the true digit over
 * the first `count` digits of the set: how the decision forms as more of the digit is seen.
 */
export function readingCurve(model: tf.LayersModel, set: MnistSet, count: number): { accuracy: number[]; confidence: number[] } {
  const n = Math.min(count, set.count);
  const accuracy = new Array<number>(28).fill(0);
  const confidence = new Array<number>(28).fill(0);
  const chunk = 250;
  for (let start = 0; start < n; start += chunk) {
    const indices = Array.from({ length: Math.min(chunk, n - start) }, (_, k) => start + k);
    probabilitiesByRow(model, set, indices).forEach((steps, k) => {
      const label = set.labels[indices[k]];
      steps.forEach((p, t) => {
        confidence[t] += p[label] / n;
        if (p.indexOf(Math.max(...p)) === label) accuracy[t] += 1 / n;
      });
    });
  }
  return { accuracy, confidence };
}

/** Returns the 10×10 confusion matrix: counts[true digit][predicted digit]. */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>): number[][] {
  if (labels.length !== predictions.length) throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions.`);
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) counts[labels[i]][predictions[i]]++;
  return counts;
}

/** Returns the indices of the misclassified digits, the most confident mistakes first, at most `limit`. */
export function mistakes(set: MnistSet, evaluation: Evaluation, limit = 32): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < set.count; i++) if (evaluation.predictions[i] !== set.labels[i]) wrong.push(i);
  const confidence = (i: number) => evaluation.probabilities[i * numClasses + evaluation.predictions[i]];
  return wrong.sort((a, b) => confidence(b) - confidence(a)).slice(0, limit);
}
