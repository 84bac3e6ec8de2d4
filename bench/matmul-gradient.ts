/**
 * The gradient of a matrix product on the active backend: tfjs' own (matMul with transpose flags)
 * against `matMul2d` (explicit transposes, nets/matmul.ts), interleaved round by round so that
 * other load on the machine hits both alike. Cases: the world model's hidden layer at its replay
 * batch, PPO's MuJoCo-sized layer at minibatch 64, and the Nature CNN's convolution products
 * (im2col rows × kernel) at minibatch 256. Reports the median ms of one product's forward pass and
 * both gradients (input and weights, as in a hidden layer).
 */
import { tf } from '../nets/tf.js';
import { matMul2d } from '../nets/matmul.js';

const CASES: [string, number, number, number][] = [
  ['world_model_256x128x128', 256, 128, 128],
  ['ppo_mlp_64x64x64', 64, 64, 64],
  ['nature_cnn_conv1_102400x256x32', 256 * 20 * 20, 256, 32],
  ['nature_cnn_conv2_20736x512x64', 256 * 9 * 9, 512, 64],
  ['nature_cnn_fc_256x3136x512', 256, 3136, 512],
];

/** Both gradients, as in a hidden layer: with respect to the layer's input and its weights. */
function timeOnce(mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D, a: tf.Variable, b: tf.Variable): number {
  const t0 = performance.now();
  tf.tidy(() => {
    const g = tf.variableGrads(() => tf.sum(mm(a as unknown as tf.Tensor2D, b as unknown as tf.Tensor2D)) as tf.Scalar, [a, b]);
    g.grads[a.name]!.dataSync();
    g.grads[b.name]!.dataSync();
  });
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

export function benchMatMulGradient(rounds = 7): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, n, k, m] of CASES) {
    const a = tf.variable(tf.randomNormal([n, k]));
    const b = tf.variable(tf.randomNormal([k, m]));
    const flagged: number[] = [];
    const explicit: number[] = [];
    timeOnce((x, y) => tf.matMul(x, y), a, b); // warm-up
    timeOnce(matMul2d, a, b);
    for (let r = 0; r < rounds; r++) {
      flagged.push(timeOnce((x, y) => tf.matMul(x, y), a, b));
      explicit.push(timeOnce(matMul2d, a, b));
    }
    const f = median(flagged);
    const e = median(explicit);
    out[name] = { tfjs_gradient_ms: +f.toFixed(3), matmul2d_gradient_ms: +e.toFixed(3), speedup: +(f / e).toFixed(2) };
    a.dispose();
    b.dispose();
  }
  return out;
}
