import { tf } from '../nets/tf.js';
import t from 'tap';
import { conv2dByPatches as im2colConv, conv2dValid } from '../nets/conv2d.js';
import { backend } from './helpers.js';

await backend();

t.test('conv2dValid: value and both gradients equal the patch-product reference (Nature CNN shapes and a small odd one)', async (t) => {
  const cases: [number, number, number, number, number, number][] = [
    [2, 84, 4, 8, 4, 32],
    [2, 20, 32, 4, 2, 64],
    [2, 9, 64, 3, 1, 64],
    [3, 12, 3, 6, 3, 5],
  ];
  for (const [B, H, C, k, s, O] of cases) {
    const [dv, dx, dk, dkOnly, scale] = tf.tidy(() => {
      const x = tf.randomNormal([B, H, H, C], 0, 1, 'float32', 1) as tf.Tensor4D;
      const K = tf.randomNormal([k, k, C, O], 0, 1, 'float32', 2) as tf.Tensor4D;
      const oh = (H - k) / s + 1;
      const w = tf.randomNormal([B, oh, oh, O], 0, 1, 'float32', 3);
      const loss = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), w));
      const [rx, rk] = tf.grads(loss((a, b) => im2colConv(a, b, s)))([x, K]);
      const [gx, gk] = tf.grads(loss((a, b) => conv2dValid(a, b, s)))([x, K]);
      const [gkOnly] = tf.grads((b: tf.Tensor) => tf.sum(tf.mul(conv2dValid(x, b as tf.Tensor4D, s, { inputGrad: false }), w)))([K]);
      const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
      return [maxDiff(im2colConv(x, K, s), conv2dValid(x, K, s)), maxDiff(rx!, gx!), maxDiff(rk!, gk!), maxDiff(rk!, gkOnly!), tf.max(tf.abs(rk!)).dataSync()[0]!];
    });
    const tol = 1e-5 * Math.max(1, scale!) * 10;
    t.ok(dv! < tol && dx! < tol && dk! < tol && dkOnly! < tol, `${k}×${k}/${s} on ${H}×${H}×${C} → ${O}: max |Δ| value ${dv!.toExponential(1)}, dx ${dx!.toExponential(1)}, dK ${dk!.toExponential(1)} (kernel-only ${dkOnly!.toExponential(1)}; |dK| up to ${scale!.toFixed(0)})`);
  }
});

t.test('conv2dValid: a kernel or stride that does not fit is named', async (t) => {
  const x = tf.zeros([1, 10, 10, 3]) as tf.Tensor4D;
  t.throws(() => conv2dValid(x, tf.zeros([4, 4, 2, 1]) as tf.Tensor4D, 2), /kernel \[4, 4, 2, 1\] does not fit input \[1, 10, 10, 3\]/);
  t.throws(() => conv2dValid(x, tf.zeros([4, 4, 3, 1]) as tf.Tensor4D, 3), /stride 3 must divide the kernel size 4 and the input size 10×10/);
  tf.dispose(x);
});
