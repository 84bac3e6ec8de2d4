/**
 * The Nature CNN's three convolutions at PPO's Atari minibatch (256 frames), forward pass plus the
 * gradients a training step needs, on the active backend: `conv2dValid` (nets/conv2d.ts: tf.conv2d
 * forward, both gradients as conv2d calls on space-to-depth blocks) against the patch-product
 * definition (`conv2dByPatches`, slices + one matMul, tfjs' own gradients), interleaved round by
 * round so that other load hits both alike. The first layer needs only the kernel gradient (its
 * input is the observation), the others both. Reports median ms.
 */
import { tf } from '../nets/tf.js';
import { conv2dByPatches, conv2dValid } from '../nets/conv2d.js';

const LAYERS: [string, number, number, number, number, number][] = [
  ['conv1_84x84x4_8x8s4_32', 84, 4, 8, 4, 32],
  ['conv2_20x20x32_4x4s2_64', 20, 32, 4, 2, 64],
  ['conv3_9x9x64_3x3s1_64', 9, 64, 3, 1, 64],
];

type Conv = (x: tf.Tensor4D, k: tf.Tensor4D, s: number) => tf.Tensor4D;

function timeOnce(conv: Conv, x: tf.Variable, kernel: tf.Variable, stride: number, inputGrad: boolean): number {
  const t0 = performance.now();
  tf.tidy(() => {
    const vars = inputGrad ? [x, kernel] : [kernel];
    const g = tf.variableGrads(() => tf.sum(conv(x as unknown as tf.Tensor4D, kernel as unknown as tf.Tensor4D, stride)) as tf.Scalar, vars);
    vars.forEach((v) => g.grads[v.name]!.dataSync());
  });
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

export function benchConvGradient(batch = 256, rounds = 5): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  LAYERS.forEach(([name, H, C, k, s, O], i) => {
    const inputGrad = i > 0;
    const x = tf.variable(tf.randomUniform([batch, H, H, C]));
    const kernel = tf.variable(tf.randomNormal([k, k, C, O], 0, 0.05));
    const ours: Conv = (a, b, st) => conv2dValid(a, b, st, { inputGrad });
    const ref: number[] = [];
    const mine: number[] = [];
    timeOnce(conv2dByPatches, x, kernel, s, inputGrad); // warm-up
    timeOnce(ours, x, kernel, s, inputGrad);
    for (let r = 0; r < rounds; r++) {
      ref.push(timeOnce(conv2dByPatches, x, kernel, s, inputGrad));
      mine.push(timeOnce(ours, x, kernel, s, inputGrad));
    }
    const a = median(ref);
    const b = median(mine);
    out[name] = { input_gradient: inputGrad ? 1 : 0, patches_ms: +a.toFixed(1), conv2d_valid_ms: +b.toFixed(1), speedup: +(a / b).toFixed(2) };
    x.dispose();
    kernel.dispose();
  });
  return out;
}
