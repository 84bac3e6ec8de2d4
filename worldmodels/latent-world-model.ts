/**
 * A latent world model for frame observations (`wmpg` on `Pong-v0`), small enough for CPU:
 * - encoder E: C × 84 × 84 frames (0–255, scaled by 1/255) → conv 16×8×8/4 → conv 32×4×4/2 → FC → tanh,
 *   a `latent`-dimensional state z (the DQN 2013 trunk, a quarter of the Nature CNN's cost);
 * - transition: an MLP on [z, one-hot(a)] → z' − z, the reward and a termination logit;
 * - a value head V(z) and a policy head π(·|z), distilled from the PPO agent's V_old(s) and
 *   π_old(·|s) stored with each transition, so imagined rollouts can follow π and be bootstrapped by
 *   the critic without decoding frames.
 *
 * Training (one Adam over all parts, on replay minibatches): latent consistency
 * ‖z + Δ(z, a) − E(s')‖² with E(s') held fixed (no gradient through the target, as in TD-MPC/SPR),
 * reward MSE, termination BCE, value MSE and the policy cross-entropy −Σ π_old log π(·|z). There is no
 * decoder: the reward, termination, value and policy terms are what keep the latent informative
 * (design choice; the WMPG paper's Pong model is not described in the text available to us).
 *
 * It offers the same `predict` as the state-vector world model and the `act`/`values`/`sampleNoise`
 * of the agent, so `imaginedReturns` runs on latents unchanged.
 */
import { tf } from '../nets/tf.js';
import type { Rng } from '../common/rng.js';
import { Adam, type AdamState } from '../nets/adam.js';
import { conv2dValid } from '../nets/conv2d.js';
import { matMul2d } from '../nets/matmul.js';
import { createMlp, mlpForward, uniqueName, type Mlp } from '../nets/mlp.js';
import { orthogonal } from '../nets/orthogonal.js';
import { loadVariables, serializeVariables, type SerializedTensor } from '../nets/serialize.js';
import type { DiscretePrediction } from './discrete-world-model.js';
import type { FrameReplayBuffer } from './frame-replay-buffer.js';

export interface LatentWorldModelOptions {
  latent: number;
  hidden: number[];
  lr: number;
}

export interface LatentLosses {
  consistencyLoss: number;
  rewardLoss: number;
  terminalLoss: number;
  valueLoss: number;
  policyLoss: number;
}

const ENCODE_CHUNK = 128;

export class LatentWorldModel {
  readonly encoder: tf.Variable[];
  readonly dynamics: Mlp;
  readonly valueHead: Mlp;
  readonly policyHead: Mlp;
  private readonly opt: Adam;
  readonly frameDim: number;

  /** `channels` frames of 84 × 84 per observation. */
  constructor(readonly channels: number, readonly numActions: number, readonly options: LatentWorldModelOptions, rng: Rng) {
    if (!Number.isInteger(numActions) || numActions < 2) throw new Error(`LatentWorldModel: numActions must be an integer ≥ 2, got ${numActions}`);
    this.frameDim = channels * 84 * 84;
    const id = uniqueName('latent_encoder');
    this.encoder = [];
    ([[8, channels, 16], [4, 16, 32]] as const).forEach(([k, cin, cout], i) => {
      const w = orthogonal(k * k * cin, cout, Math.SQRT2, rng);
      this.encoder.push(tf.tidy(() => tf.variable(tf.tensor4d(w, [k, k, cin, cout]), true, `${id}/conv${i}/K`)));
      this.encoder.push(tf.tidy(() => tf.variable(tf.zeros([cout]), true, `${id}/conv${i}/b`)));
    });
    const fc = orthogonal(9 * 9 * 32, options.latent, 1, rng);
    this.encoder.push(tf.tidy(() => tf.variable(tf.tensor2d(fc, [9 * 9 * 32, options.latent]), true, `${id}/fc/W`)));
    this.encoder.push(tf.tidy(() => tf.variable(tf.zeros([options.latent]), true, `${id}/fc/b`)));
    const d = options.latent;
    this.dynamics = createMlp('latent_dynamics', [d + numActions, ...options.hidden, d + 2], 'relu', 1.0, rng);
    this.valueHead = createMlp('latent_value', [d, options.hidden[0] ?? 128, 1], 'relu', 1.0, rng);
    this.policyHead = createMlp('latent_policy', [d, options.hidden[0] ?? 128, numActions], 'relu', 0.01, rng);
    this.opt = new Adam(this.params, 0.9, 0.999, 1e-8);
  }

  get params(): tf.Variable[] {
    return [...this.encoder, ...this.dynamics.params, ...this.valueHead.params, ...this.policyHead.params];
  }

  /** Imagined rollouts sample from the policy head: one Gumbel per action, as the agent's `act`. */
  get outDim(): number {
    return this.numActions;
  }

  private encodeT(frames: tf.Tensor2D): tf.Tensor2D {
    const p = this.encoder;
    const x = tf.transpose(tf.reshape(tf.div(frames, 255), [-1, this.channels, 84, 84]), [0, 2, 3, 1]) as tf.Tensor4D;
    let h = tf.relu(tf.add(conv2dValid(x, p[0] as tf.Tensor4D, 4, { inputGrad: false }), p[1]!)) as tf.Tensor4D;
    h = tf.relu(tf.add(conv2dValid(h, p[2] as tf.Tensor4D, 2), p[3]!)) as tf.Tensor4D;
    const flat = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [-1, 9 * 9 * 32]) as tf.Tensor2D;
    return tf.tanh(tf.add(matMul2d(flat, p[4] as tf.Tensor2D), p[5]!)) as tf.Tensor2D;
  }

  private step(z: tf.Tensor2D, actions: tf.Tensor1D): { next: tf.Tensor2D; reward: tf.Tensor1D; logit: tf.Tensor1D } {
    const d = this.options.latent;
    const out = mlpForward(this.dynamics, tf.concat([z, tf.oneHot(tf.cast(actions, 'int32'), this.numActions).toFloat()], 1) as tf.Tensor2D);
    return {
      next: tf.add(z, tf.slice(out, [0, 0], [-1, d])) as tf.Tensor2D,
      reward: tf.reshape(tf.slice(out, [0, d], [-1, 1]), [-1]) as tf.Tensor1D,
      logit: tf.reshape(tf.slice(out, [0, d + 1], [-1, 1]), [-1]) as tf.Tensor1D,
    };
  }

  /** n frame stacks (n × C·84·84, values 0–255) → n × latent, in chunks to bound memory. */
  encode(frames: Float32Array, n: number): Float32Array {
    const d = this.options.latent;
    const out = new Float32Array(n * d);
    for (let s = 0; s < n; s += ENCODE_CHUNK) {
      const m = Math.min(ENCODE_CHUNK, n - s);
      const z = tf.tidy(() => this.encodeT(tf.tensor2d(frames.subarray(s * this.frameDim, (s + m) * this.frameDim), [m, this.frameDim])));
      out.set(z.dataSync() as Float32Array, s * d);
      z.dispose();
    }
    return out;
  }

  predict(z: Float32Array, actions: Float32Array, n: number): DiscretePrediction {
    const ts = tf.tidy(() => {
      const p = this.step(tf.tensor2d(z, [n, this.options.latent]), tf.tensor1d(actions));
      return [p.next, p.reward, tf.sigmoid(p.logit)];
    });
    const [next, reward, terminal] = ts.map((t) => t.dataSync() as Float32Array);
    tf.dispose(ts);
    return { next: next!, reward: reward!, terminal: terminal! };
  }

  /** Actions from the policy head: argmax of logits + the given Gumbel noise (n × |A|). */
  act(z: Float32Array, n: number, noise: Float32Array): { actions: Float32Array } {
    const a = tf.tidy(() => tf.cast(tf.argMax(tf.add(mlpForward(this.policyHead, tf.tensor2d(z, [n, this.options.latent])), tf.tensor2d(noise, [n, this.numActions])), 1), 'float32'));
    const actions = a.dataSync() as Float32Array;
    a.dispose();
    return { actions };
  }

  values(z: Float32Array, n: number): Float32Array {
    const v = tf.tidy(() => tf.reshape(mlpForward(this.valueHead, tf.tensor2d(z, [n, this.options.latent])), [-1]));
    const out = v.dataSync() as Float32Array;
    v.dispose();
    return out;
  }

  sampleNoise(n: number, rng: Rng): Float32Array {
    const noise = new Float32Array(n * this.numActions);
    for (let i = 0; i < noise.length; i++) noise[i] = rng.gumbel();
    return noise;
  }

  train(buffer: FrameReplayBuffer, updates: number, batch: number, rng: Rng): LatentLosses {
    const sums = [0, 0, 0, 0, 0];
    const D = this.frameDim;
    for (let u = 0; u < updates; u++) {
      const b = buffer.sample(batch, rng);
      const losses = tf.tidy(() => {
        const obs = tf.tensor2d(b.obs, [batch, D]);
        // the consistency target: the encoder's latent of s', computed outside the gradient tape
        const target = this.encodeT(tf.tensor2d(b.nextObs, [batch, D]));
        const act = tf.tensor1d(b.actions);
        const rew = tf.tensor1d(b.rewards);
        const term = tf.tensor1d(b.terminated);
        const vTarget = tf.tensor1d(b.values);
        const pTarget = tf.exp(tf.tensor2d(b.logProbs, [batch, this.numActions]));
        const parts: tf.Scalar[] = [];
        const g = tf.variableGrads(() => {
          const z = this.encodeT(obs);
          const p = this.step(z, act);
          const lc = tf.mean(tf.square(tf.sub(p.next, target))) as tf.Scalar;
          const lr = tf.mean(tf.square(tf.sub(p.reward, rew))) as tf.Scalar;
          const ld = tf.losses.sigmoidCrossEntropy(term, p.logit) as tf.Scalar;
          const lv = tf.mean(tf.square(tf.sub(tf.reshape(mlpForward(this.valueHead, z), [-1]), vTarget))) as tf.Scalar;
          const lp = tf.neg(tf.mean(tf.sum(tf.mul(pTarget, tf.logSoftmax(mlpForward(this.policyHead, z))), 1))) as tf.Scalar;
          parts.push(...[lc, lr, ld, lv, lp].map((x) => tf.keep(x)));
          return tf.addN([lc, lr, ld, lv, lp]) as tf.Scalar;
        }, this.params);
        this.opt.apply(this.params.map((p) => g.grads[p.name]!), this.options.lr);
        const stacked = tf.stack(parts);
        tf.dispose(parts);
        return stacked;
      });
      losses.dataSync().forEach((x, i) => (sums[i]! += x));
      losses.dispose();
    }
    const k = Math.max(updates, 1);
    return { consistencyLoss: sums[0]! / k, rewardLoss: sums[1]! / k, terminalLoss: sums[2]! / k, valueLoss: sums[3]! / k, policyLoss: sums[4]! / k };
  }

  getState(): { params: SerializedTensor[]; opt: AdamState } {
    return { params: serializeVariables(this.params), opt: this.opt.getState() };
  }

  setState(state: unknown): void {
    const s = state as ReturnType<LatentWorldModel['getState']>;
    loadVariables(this.params, s.params);
    this.opt.setState(s.opt);
  }

  dispose(): void {
    this.params.forEach((p) => p.dispose());
    this.opt.dispose();
  }
}
