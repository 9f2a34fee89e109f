// Gradient clipping for TensorFlow.js training loops (lesson 1 derives it in float64: src/rnn/dynamics.ts).
import { tf } from "./backend";

/** Returns the gradients scaled by min(1, maxNorm / ‖all gradients‖₂), so that one step is never huge. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(tf.addN(squares));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12)));
    const clipped: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) clipped[name] = tf.mul(g, scale);
    return clipped;
  });
}
