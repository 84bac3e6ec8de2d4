/**
 * Adam with PyTorch's update rule (the reference implementations are PyTorch):
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
 * PPO uses ε = 1e-5 (detail 3). The learning rate is passed per step so a schedule can drive it.
 * State (t, m, v) is plain data for checkpoints.
 */
import { tf } from './tf.js';
import { loadVariables, serializeVariables, type SerializedTensor } from './serialize.js';

export interface AdamState {
  t: number;
  m: SerializedTensor[];
  v: SerializedTensor[];
}

export class Adam {
  private t = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(readonly params: tf.Variable[], readonly beta1 = 0.9, readonly beta2 = 0.999, readonly eps = 1e-5) {
    this.m = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.v = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  }

  get step(): number {
    return this.t;
  }

  /** Apply one update; `grads[i]` belongs to `params[i]`. Does not dispose `grads`. */
  apply(grads: tf.Tensor[], lr: number): void {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** this.t);
    tf.tidy(() => {
      grads.forEach((g, i) => {
        const m = this.m[i]!;
        const v = this.v[i]!;
        const p = this.params[i]!;
        const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        m.assign(mNew);
        v.assign(vNew);
        const denom = tf.add(tf.div(tf.sqrt(vNew), bc2Sqrt), this.eps);
        p.assign(tf.sub(p, tf.mul(tf.div(mNew, denom), lr / bc1)));
      });
    });
  }

  getState(): AdamState {
    return { t: this.t, m: serializeVariables(this.m), v: serializeVariables(this.v) };
  }

  setState(s: AdamState): void {
    this.t = s.t;
    loadVariables(this.m, s.m);
    loadVariables(this.v, s.v);
  }

  dispose(): void {
    this.m.forEach((x) => x.dispose());
    this.v.forEach((x) => x.dispose());
  }
}

/**
 * Global gradient-norm clipping (PyTorch `clip_grad_norm_`, PPO detail 11): scale all gradients by
 * min(1, maxNorm / (‖g‖ + 1e-6)). Returns the clipped gradients and the pre-clip norm tensor.
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return { grads: grads.map((g) => tf.mul(g, coef)), norm };
  });
}
