/**
 * 2-D matrix product whose gradient uses explicit transposes: dA = dY·Bᵀ, dB = Aᵀ·dY, each as
 * `transpose` then a plain `matMul`. tfjs' own gradient calls matMul with its transpose flags, which
 * the WebAssembly backend runs about 6× slower than a transpose plus an untransposed product
 * (measured: 256×128 by 128×128 takes 0.87 ms plain, 4.7–5.4 ms with a flag, 0.84 ms with an
 * explicit transpose), so every gradient step of every network here goes through this op. The values
 * are the same products (tested against tf.matMul's gradient); only the kernel choice differs.
 */
import { tf } from './tf.js';

const product = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(saved[1]! as tf.Tensor2D)), tf.matMul(tf.transpose(saved[0]! as tf.Tensor2D), dy)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** a (n × k) · b (k × m), differentiable with respect to both. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[0]) throw new Error(`matMul2d: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not multiply`);
  return product(a, b) as tf.Tensor2D;
}

/**
 * Rows `index[i]` of x (n × m), differentiable with respect to x: a one-hot product, because
 * tf.gather's gradient needs the UnsortedSegmentSum kernel, which the wasm backend lacks.
 */
export function gatherRows(x: tf.Tensor2D, index: Int32Array): tf.Tensor2D {
  return matMul2d(tf.oneHot(tf.tensor1d(index, 'int32'), x.shape[0]).toFloat() as tf.Tensor2D, x);
}
