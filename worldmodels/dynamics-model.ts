/**
 * Learned dynamics for imagination (spec estimators.md §1.7): deterministic MLPs for the next state
 * and the reward, trained with MSE on replay minibatches, each with its own Adam optimiser. MBMA
 * predicts the next state directly; `predictDelta` predicts s' − s instead. Plain data in and out
 * (flat float32 arrays of n rows), one tensor call per batched prediction.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../common/rng.js';
import { Adam, type AdamState } from '../nets/adam.js';
import { createMlp, mlpForward, type Activation, type Mlp } from '../nets/mlp.js';
import { loadVariables, serializeVariables, type SerializedTensor } from '../nets/serialize.js';
import type { ReplayBuffer, Transitions } from './replay-buffer.js';

export interface DynamicsModel {
  readonly obsDim: number;
  readonly actDim: number;
  predict(obs: Float32Array, actions: Float32Array, n: number): { next: Float32Array; reward: Float32Array };
}

/** A dynamics model the ModelLearner trains and checkpoints (a single MLP pair or an ensemble of them). */
export interface TrainableDynamicsModel extends DynamicsModel {
  /** Mean losses of the updates; models with a termination head also report its loss. */
  train(buffer: ReplayBuffer, updates: number, batch: number, rng: Rng): { transitionLoss: number; rewardLoss: number; terminalLoss?: number };
  getState(): unknown;
  setState(s: unknown): void;
  dispose(): void;
}

/** Mean squared errors of a model's one-step predictions on a set of real transitions. */
export function predictionErrors(model: DynamicsModel, t: Transitions): { obsMse: number; rewardMse: number } {
  const p = model.predict(t.obs, t.actions, t.n);
  let o = 0;
  for (let i = 0; i < p.next.length; i++) o += (p.next[i]! - t.nextObs[i]!) ** 2;
  let r = 0;
  for (let i = 0; i < t.n; i++) r += (p.reward[i]! - t.rewards[i]!) ** 2;
  return { obsMse: o / p.next.length, rewardMse: r / t.n };
}

export interface MlpDynamicsOptions {
  hidden: number[];
  activation: Activation;
  predictDelta: boolean;
  lr: number;
  adamEps: number;
}

export class MlpDynamicsModel implements TrainableDynamicsModel {
  readonly transition: Mlp;
  readonly reward: Mlp;
  private readonly transitionOpt: Adam;
  private readonly rewardOpt: Adam;

  constructor(readonly obsDim: number, readonly actDim: number, readonly options: MlpDynamicsOptions, rng: Rng) {
    const inDim = obsDim + actDim;
    this.transition = createMlp('dyn_transition', [inDim, ...options.hidden, obsDim], options.activation, 1.0, rng);
    this.reward = createMlp('dyn_reward', [inDim, ...options.hidden, 1], options.activation, 1.0, rng);
    this.transitionOpt = new Adam(this.transition.params, 0.9, 0.999, options.adamEps);
    this.rewardOpt = new Adam(this.reward.params, 0.9, 0.999, options.adamEps);
  }

  private forward(obs: tf.Tensor2D, act: tf.Tensor2D): { next: tf.Tensor2D; reward: tf.Tensor1D } {
    const x = tf.concat([obs, act], 1) as tf.Tensor2D;
    const out = mlpForward(this.transition, x);
    return { next: this.options.predictDelta ? (tf.add(obs, out) as tf.Tensor2D) : out, reward: tf.reshape(mlpForward(this.reward, x), [-1]) as tf.Tensor1D };
  }

  predict(obs: Float32Array, actions: Float32Array, n: number): { next: Float32Array; reward: Float32Array } {
    const [next, reward] = tf.tidy(() => {
      const p = this.forward(tf.tensor2d(obs, [n, this.obsDim]), tf.tensor2d(actions, [n, this.actDim]));
      return [p.next, p.reward];
    });
    const out = { next: next.dataSync() as Float32Array, reward: reward.dataSync() as Float32Array };
    tf.dispose([next, reward]);
    return out;
  }

  /** `updates` Adam steps on uniform replay minibatches; returns the mean losses. */
  train(buffer: ReplayBuffer, updates: number, batch: number, rng: Rng): { transitionLoss: number; rewardLoss: number } {
    let tl = 0;
    let rl = 0;
    for (let u = 0; u < updates; u++) {
      const b = buffer.sample(batch, rng);
      const losses = tf.tidy(() => {
        const obs = tf.tensor2d(b.obs, [batch, this.obsDim]);
        const act = tf.tensor2d(b.actions, [batch, this.actDim]);
        const target = tf.tensor2d(b.nextObs, [batch, this.obsDim]);
        const rew = tf.tensor1d(b.rewards);
        const t = tf.variableGrads(() => tf.mean(tf.square(tf.sub(this.forward(obs, act).next, target))) as tf.Scalar, this.transition.params);
        this.transitionOpt.apply(this.transition.params.map((p) => t.grads[p.name]!), this.options.lr);
        const r = tf.variableGrads(() => tf.mean(tf.square(tf.sub(this.forward(obs, act).reward, rew))) as tf.Scalar, this.reward.params);
        this.rewardOpt.apply(this.reward.params.map((p) => r.grads[p.name]!), this.options.lr);
        return tf.stack([t.value, r.value]);
      });
      const [a, c] = losses.dataSync();
      losses.dispose();
      tl += a!;
      rl += c!;
    }
    return { transitionLoss: tl / Math.max(updates, 1), rewardLoss: rl / Math.max(updates, 1) };
  }

  getState(): { transition: SerializedTensor[]; reward: SerializedTensor[]; transitionOpt: AdamState; rewardOpt: AdamState } {
    return { transition: serializeVariables(this.transition.params), reward: serializeVariables(this.reward.params), transitionOpt: this.transitionOpt.getState(), rewardOpt: this.rewardOpt.getState() };
  }

  setState(state: unknown): void {
    const s = state as ReturnType<MlpDynamicsModel['getState']>;
    loadVariables(this.transition.params, s.transition);
    loadVariables(this.reward.params, s.reward);
    this.transitionOpt.setState(s.transitionOpt);
    this.rewardOpt.setState(s.rewardOpt);
  }

  dispose(): void {
    [...this.transition.params, ...this.reward.params].forEach((p) => p.dispose());
    this.transitionOpt.dispose();
    this.rewardOpt.dispose();
  }
}

/**
 * K independently initialised MLP models, each trained on its own replay minibatches; predictions
 * are the members' mean (an optional variance reduction of the model's errors; MBMA uses K = 1).
 */
export class EnsembleDynamicsModel implements TrainableDynamicsModel {
  readonly members: MlpDynamicsModel[];

  constructor(readonly obsDim: number, readonly actDim: number, options: MlpDynamicsOptions, size: number, rng: Rng) {
    if (!Number.isInteger(size) || size < 2) throw new Error(`EnsembleDynamicsModel: size must be an integer ≥ 2, got ${size}`);
    this.members = Array.from({ length: size }, () => new MlpDynamicsModel(obsDim, actDim, options, rng));
  }

  predict(obs: Float32Array, actions: Float32Array, n: number): { next: Float32Array; reward: Float32Array } {
    return this.meanOf(this.members.map((m) => m.predict(obs, actions, n)), n);
  }

  private meanOf(preds: { next: Float32Array; reward: Float32Array }[], n: number): { next: Float32Array; reward: Float32Array } {
    const K = preds.length;
    const next = new Float32Array(n * this.obsDim);
    const reward = new Float32Array(n);
    for (const p of preds) {
      for (let i = 0; i < next.length; i++) next[i]! += p.next[i]! / K;
      for (let i = 0; i < n; i++) reward[i]! += p.reward[i]! / K;
    }
    return { next, reward };
  }

  /** Mean squared spread of the members' next-state predictions around their mean (a diagnostic, kept off the imagination path). */
  disagreement(obs: Float32Array, actions: Float32Array, n: number): number {
    const preds = this.members.map((m) => m.predict(obs, actions, n));
    const { next } = this.meanOf(preds, n);
    let spread = 0;
    for (const p of preds) for (let i = 0; i < next.length; i++) spread += (p.next[i]! - next[i]!) ** 2;
    return spread / preds.length / Math.max(next.length, 1);
  }

  train(buffer: ReplayBuffer, updates: number, batch: number, rng: Rng): { transitionLoss: number; rewardLoss: number } {
    const losses = this.members.map((m) => m.train(buffer, updates, batch, rng));
    return { transitionLoss: losses.reduce((a, l) => a + l.transitionLoss, 0) / losses.length, rewardLoss: losses.reduce((a, l) => a + l.rewardLoss, 0) / losses.length };
  }

  getState(): { members: unknown[] } {
    return { members: this.members.map((m) => m.getState()) };
  }

  setState(state: unknown): void {
    const s = state as { members: unknown[] };
    if (s.members.length !== this.members.length) throw new Error(`ensemble checkpoint has ${s.members.length} members, this model ${this.members.length}`);
    this.members.forEach((m, i) => m.setState(s.members[i]));
  }

  dispose(): void {
    this.members.forEach((m) => m.dispose());
  }
}
