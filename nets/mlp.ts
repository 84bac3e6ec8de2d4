/**
 * A plain MLP as a list of tf.Variables and a pure forward function (no tf.layers), so that
 * parameters, gradients and optimiser state are explicit and checkpointable. Hidden layers use
 * orthogonal init with gain √2 and zero bias (PPO detail 2); the output layer's gain is given.
 */
import { tf } from './tf.js';
import { matMul2d } from './matmul.js';
import type { Rng } from '../common/rng.js';
import { orthogonal } from './orthogonal.js';

let nextId = 0;
/** tfjs registers variables by name process-wide; several models may coexist (tests, analysis). */
export function uniqueName(base: string): string {
  nextId += 1;
  return `${base}#${nextId}`;
}

/** leaky_relu uses PyTorch's default negative slope 0.01 (MBMA's networks). */
export type Activation = 'tanh' | 'relu' | 'leaky_relu';

export interface Mlp {
  name: string;
  sizes: number[];
  activation: Activation;
  /** [W0, b0, W1, b1, ...] with W_i of shape [sizes[i], sizes[i+1]]. */
  params: tf.Variable[];
}

export function createMlp(name: string, sizes: number[], activation: Activation, outputGain: number, rng: Rng): Mlp {
  const params: tf.Variable[] = [];
  const id = uniqueName(name);
  for (let i = 0; i + 1 < sizes.length; i++) {
    const last = i + 2 === sizes.length;
    const w = orthogonal(sizes[i]!, sizes[i + 1]!, last ? outputGain : Math.SQRT2, rng);
    params.push(tf.tidy(() => tf.variable(tf.tensor2d(w, [sizes[i]!, sizes[i + 1]!]), true, `${id}/l${i}/W`)));
    params.push(tf.tidy(() => tf.variable(tf.zeros([sizes[i + 1]!]), true, `${id}/l${i}/b`)));
  }
  return { name, sizes, activation, params };
}

export function mlpForward(mlp: Mlp, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  const n = mlp.params.length / 2;
  for (let i = 0; i < n; i++) {
    h = tf.add(matMul2d(h, mlp.params[2 * i] as tf.Tensor2D), mlp.params[2 * i + 1]!) as tf.Tensor2D;
    if (i + 1 < n) h = mlp.activation === 'tanh' ? tf.tanh(h) : mlp.activation === 'relu' ? tf.relu(h) : tf.leakyRelu(h, 0.01);
  }
  return h;
}
