/** Scalar pieces of the losses the engine's callers write out by hand (their tfjs twins are the reference). */

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Sigmoid cross-entropy of a logit x against a label z in its stable form, as
 * tf.losses.sigmoidCrossEntropy: max(x, 0) − xz + log(1 + e^−|x|). Its derivative in x is sigmoid(x) − z.
 */
export function sigmoidCrossEntropy(x: number, z: number): number {
  return Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
}
