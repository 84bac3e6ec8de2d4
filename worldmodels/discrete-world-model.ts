/**
 * A world model for discrete-action, state-vector environments (CartPole, LunarLander, PongState):
 * one MLP maps [s, one-hot(a)] to the state change s' − s, the reward and a termination logit. It is
 * trained online on replay minibatches with MSE (state change, reward) plus binary cross-entropy
 * (termination), one Adam optimiser. Actions arrive as index floats (the rollout's storage).
 *
 * Design choice (the WMPG paper is silent): a termination head is needed because in CartPole and
 * LunarLander the return is decided by when the episode ends; imagination multiplies each step's
 * reward by the predicted probability of still being alive (expected continuation, no sampling).
 */
import { tf } from '../nets/tf.js';
import type { Rng } from '../common/rng.js';
import { Adam, type AdamState } from '../nets/adam.js';
import type { Engine } from '../nets/actor-critic.js';
import { EngineMlp } from '../nets/engine/engine-mlp.js';
import { sigmoid, sigmoidCrossEntropy } from '../nets/engine/output-losses.js';
import { createMlp, mlpForward, type Mlp } from '../nets/mlp.js';
import { loadVariables, serializeVariables, type SerializedTensor } from '../nets/serialize.js';
import type { TrainableDynamicsModel } from './dynamics-model.js';
import type { ReplayBuffer } from './replay-buffer.js';

export interface DiscreteWorldModelOptions {
  hidden: number[];
  lr: number;
  adamEps: number;
  /** 'wasm': train and predict on the small-network engine (nets/engine); default tfjs. Same maths. */
  engine?: Engine;
}

export interface DiscretePrediction {
  next: Float32Array;
  reward: Float32Array;
  /** Probability that the transition ends the episode. */
  terminal: Float32Array;
}

export class DiscreteWorldModel implements TrainableDynamicsModel {
  readonly actDim = 1;
  readonly net: Mlp;
  private readonly opt: Adam;
  /** The network on the wasm engine (null on tfjs). */
  private readonly fast: EngineMlp | null;

  constructor(readonly obsDim: number, readonly numActions: number, readonly options: DiscreteWorldModelOptions, rng: Rng) {
    if (!Number.isInteger(numActions) || numActions < 2) throw new Error(`DiscreteWorldModel: numActions must be an integer ≥ 2, got ${numActions}`);
    this.net = createMlp('world_model', [obsDim + numActions, ...options.hidden, obsDim + 2], 'relu', 1.0, rng);
    this.opt = new Adam(this.net.params, 0.9, 0.999, options.adamEps);
    this.fast = options.engine === 'wasm' ? new EngineMlp(this.net, options.adamEps) : null;
  }

  /** The network input rows [s, one-hot(a)]. */
  private inputRows(obs: Float32Array, actions: Float32Array, n: number): Float32Array {
    const D = this.obsDim;
    const W = D + this.numActions;
    const x = new Float32Array(n * W);
    for (let i = 0; i < n; i++) {
      x.set(obs.subarray(i * D, (i + 1) * D), i * W);
      x[i * W + D + actions[i]!] = 1;
    }
    return x;
  }

  private forward(obs: tf.Tensor2D, actions: tf.Tensor1D): { next: tf.Tensor2D; reward: tf.Tensor1D; logit: tf.Tensor1D } {
    const x = tf.concat([obs, tf.oneHot(tf.cast(actions, 'int32'), this.numActions).toFloat()], 1) as tf.Tensor2D;
    const out = mlpForward(this.net, x);
    const D = this.obsDim;
    return {
      next: tf.add(obs, tf.slice(out, [0, 0], [-1, D])) as tf.Tensor2D,
      reward: tf.reshape(tf.slice(out, [0, D], [-1, 1]), [-1]) as tf.Tensor1D,
      logit: tf.reshape(tf.slice(out, [0, D + 1], [-1, 1]), [-1]) as tf.Tensor1D,
    };
  }

  predict(obs: Float32Array, actions: Float32Array, n: number): DiscretePrediction {
    if (this.fast) {
      const D = this.obsDim;
      const out = this.fast.predict(this.inputRows(obs, actions, n), n);
      const next = new Float32Array(n * D);
      const reward = new Float32Array(n);
      const terminal = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        for (let d = 0; d < D; d++) next[i * D + d] = obs[i * D + d]! + out[i * (D + 2) + d]!;
        reward[i] = out[i * (D + 2) + D]!;
        terminal[i] = sigmoid(out[i * (D + 2) + D + 1]!);
      }
      return { next, reward, terminal };
    }
    const ts = tf.tidy(() => {
      const p = this.forward(tf.tensor2d(obs, [n, this.obsDim]), tf.tensor1d(actions));
      return [p.next, p.reward, tf.sigmoid(p.logit)];
    });
    const [next, reward, terminal] = ts.map((t) => t.dataSync() as Float32Array);
    tf.dispose(ts);
    return { next: next!, reward: reward!, terminal: terminal! };
  }

  train(buffer: ReplayBuffer, updates: number, batch: number, rng: Rng): { transitionLoss: number; rewardLoss: number; terminalLoss: number } {
    let tl = 0;
    let rl = 0;
    let dl = 0;
    for (let u = 0; u < updates; u++) {
      const b = buffer.sample(batch, rng);
      if (this.fast) {
        // the tfjs loss below, written out: MSE of s + Δ̂ against s', MSE of the reward, sigmoid cross-entropy of the termination logit
        const D = this.obsDim;
        const W = D + 2;
        let parts = [0, 0, 0];
        this.fast.stepOn(this.inputRows(b.obs, b.actions, batch), batch, this.options.lr, (out, g) => {
          parts = [0, 0, 0];
          for (let i = 0; i < batch; i++) {
            for (let d = 0; d < D; d++) {
              const e = b.obs[i * D + d]! + out[i * W + d]! - b.nextObs[i * D + d]!;
              parts[0]! += e * e;
              g[i * W + d] = (2 * e) / (batch * D);
            }
            const er = out[i * W + D]! - b.rewards[i]!;
            parts[1]! += er * er;
            g[i * W + D] = (2 * er) / batch;
            const x = out[i * W + D + 1]!;
            const z = b.terminated[i]!;
            parts[2]! += sigmoidCrossEntropy(x, z);
            g[i * W + D + 1] = (sigmoid(x) - z) / batch;
          }
          parts = [parts[0]! / (batch * D), parts[1]! / batch, parts[2]! / batch];
          return parts[0]! + parts[1]! + parts[2]!;
        });
        tl += parts[0]!;
        rl += parts[1]!;
        dl += parts[2]!;
        continue;
      }
      const losses = tf.tidy(() => {
        const obs = tf.tensor2d(b.obs, [batch, this.obsDim]);
        const act = tf.tensor1d(b.actions);
        const target = tf.tensor2d(b.nextObs, [batch, this.obsDim]);
        const rew = tf.tensor1d(b.rewards);
        const term = tf.tensor1d(Float32Array.from(b.terminated));
        const parts: tf.Scalar[] = [];
        const g = tf.variableGrads(() => {
          const p = this.forward(obs, act);
          const lt = tf.mean(tf.square(tf.sub(p.next, target))) as tf.Scalar;
          const lr = tf.mean(tf.square(tf.sub(p.reward, rew))) as tf.Scalar;
          const ld = tf.losses.sigmoidCrossEntropy(term, p.logit) as tf.Scalar;
          parts.push(tf.keep(lt), tf.keep(lr), tf.keep(ld));
          return tf.addN([lt, lr, ld]) as tf.Scalar;
        }, this.net.params);
        this.opt.apply(this.net.params.map((p) => g.grads[p.name]!), this.options.lr);
        const stacked = tf.stack(parts);
        tf.dispose(parts);
        return stacked;
      });
      const [a, c, d] = losses.dataSync();
      losses.dispose();
      tl += a!;
      rl += c!;
      dl += d!;
    }
    const k = Math.max(updates, 1);
    return { transitionLoss: tl / k, rewardLoss: rl / k, terminalLoss: dl / k };
  }

  getState(): { net: SerializedTensor[]; opt: AdamState } {
    this.fast?.syncToTf();
    return { net: serializeVariables(this.net.params), opt: this.fast ? this.fast.getOptState() : this.opt.getState() };
  }

  setState(state: unknown): void {
    const s = state as ReturnType<DiscreteWorldModel['getState']>;
    loadVariables(this.net.params, s.net);
    this.opt.setState(s.opt);
    this.fast?.restored(s.opt);
  }

  dispose(): void {
    this.net.params.forEach((p) => p.dispose());
    this.opt.dispose();
  }
}
