/**
 * Learned dynamics for imagination (spec estimators.md §1.7): deterministic MLPs for the next state
 * and the reward, trained with MSE on replay minibatches, each with its own Adam optimiser. MBMA
 * predicts the next state directly; `predictDelta` predicts s' − s instead. Optionally the model
 * normalises its own inputs and targets with the replay data's statistics (so it can live in raw
 * observation units whatever the env's normalisers do), and the reward network predicts termination
 * as a second output (tasks that can end: Hopper, CartPole, LunarLander). Plain data in and out
 * (flat float32 arrays of n rows), one tensor call per batched prediction.
 */
import { tf } from '../nets/tf.js';
import type { Rng } from '../common/rng.js';
import { Adam, type AdamState } from '../nets/adam.js';
import type { Engine } from '../nets/actor-critic.js';
import { Arena } from '../nets/engine/arena.js';
import { EngineMlp } from '../nets/engine/engine-mlp.js';
import { sharedForwardPool } from '../nets/engine/forward-pool.js';
import { sigmoid, sigmoidCrossEntropy } from '../nets/engine/output-losses.js';
import { createMlp, mlpForward, type Activation, type Mlp } from '../nets/mlp.js';
import { loadVariables, serializeVariables, type SerializedTensor } from '../nets/serialize.js';
import type { MeanStd, ReplayBuffer, Transitions } from './replay-buffer.js';

export interface Prediction {
  next: Float32Array;
  reward: Float32Array;
  /** Probability that the transition ends the episode (models with a termination head only). */
  terminal?: Float32Array;
}

export interface DynamicsModel {
  readonly obsDim: number;
  readonly actDim: number;
  predict(obs: Float32Array, actions: Float32Array, n: number): Prediction;
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
  /**
   * Normalise inputs (observation, action) and targets (next observation or its change, reward) with
   * the replay data's per-dimension mean and std, recomputed before each training call and kept in
   * the checkpoint; predictions come back in the data's own units. Off = the released MBMA code.
   */
  normalize?: boolean;
  /** Predict termination: a second output of the reward network (a logit), trained with cross-entropy. */
  termination?: boolean;
  /** 'wasm': train and predict on the small-network engine (nets/engine); default tfjs. Same maths. */
  engine?: Engine;
}

/** (x − mean)/std per dimension, rows of width mean.length. */
function standardize(x: Float32Array, s: MeanStd): Float32Array {
  const w = s.mean.length;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i]! - s.mean[i % w]!) / s.std[i % w]!;
  return out;
}

interface Normalizer {
  obs: MeanStd;
  actions: MeanStd;
  target: MeanStd;
  reward: MeanStd;
}

const toArrays = (s: MeanStd) => ({ mean: Array.from(s.mean), std: Array.from(s.std) });
const fromArrays = (s: { mean: number[]; std: number[] }): MeanStd => ({ mean: Float32Array.from(s.mean), std: Float32Array.from(s.std) });

/** Predictions of at least this many rows are split with the engine's forward thread (daa: 16,384 rows per imagined step, 10 % faster per iteration; mbpo's 2,048 did not gain). */
const SPLIT_ROWS = 4096;
let modelCount = 0;

export class MlpDynamicsModel implements TrainableDynamicsModel {
  readonly transition: Mlp;
  readonly reward: Mlp;
  private readonly transitionOpt: Adam;
  private readonly rewardOpt: Adam;
  /** The data statistics inputs and targets are normalised with (null until the first training, or when off). */
  private norm: Normalizer | null = null;
  /** Names this model's networks on the forward thread. */
  private readonly id = `dyn${++modelCount}`;
  /** The engine's copies of both networks (null on tfjs). */
  private readonly fast: { arena: Arena; transition: EngineMlp; reward: EngineMlp } | null;

  constructor(readonly obsDim: number, readonly actDim: number, readonly options: MlpDynamicsOptions, rng: Rng) {
    const inDim = obsDim + actDim;
    this.transition = createMlp('dyn_transition', [inDim, ...options.hidden, obsDim], options.activation, 1.0, rng);
    this.reward = createMlp('dyn_reward', [inDim, ...options.hidden, options.termination ? 2 : 1], options.activation, 1.0, rng);
    this.transitionOpt = new Adam(this.transition.params, 0.9, 0.999, options.adamEps);
    this.rewardOpt = new Adam(this.reward.params, 0.9, 0.999, options.adamEps);
    if (options.engine === 'wasm') {
      const arena = new Arena();
      this.fast = { arena, transition: new EngineMlp(this.transition, options.adamEps, arena), reward: new EngineMlp(this.reward, options.adamEps, arena) };
    } else this.fast = null;
  }

  get engine(): Engine {
    return this.fast ? 'wasm' : 'tfjs';
  }

  /** Writes the (normalised) network input [obs, action] into both engine networks' input rows. */
  private fastInput(obs: Float32Array, actions: Float32Array, n: number): void {
    const D = this.obsDim;
    const A = this.actDim;
    const nm = this.norm;
    this.fast!.transition.fresh();
    this.fast!.reward.fresh();
    const x = this.fast!.transition.net.input(n);
    for (let b = 0; b < n; b++) {
      for (let d = 0; d < D; d++) x[b * (D + A) + d] = nm ? (obs[b * D + d]! - nm.obs.mean[d]!) / nm.obs.std[d]! : obs[b * D + d]!;
      for (let d = 0; d < A; d++) x[b * (D + A) + D + d] = nm ? (actions[b * A + d]! - nm.actions.mean[d]!) / nm.actions.std[d]! : actions[b * A + d]!;
    }
    this.fast!.reward.net.input(n).set(this.fast!.transition.net.input(n));
  }

  /** Network outputs of n rows: next-state head and reward(/termination) head, as copies. */
  private outputs(obs: Float32Array, actions: Float32Array, n: number): [Float32Array, Float32Array] {
    if (this.fast) {
      const f = this.fast;
      const k = this.reward.sizes[this.reward.sizes.length - 1]!;
      this.fastInput(obs, actions, n);
      // large batches (imagination): the second half of the rows on the engine's forward thread, same numbers
      const half = Math.floor(n / 2);
      const W = this.obsDim + this.actDim;
      const pool = n >= SPLIT_ROWS ? sharedForwardPool() : null;
      const split = pool !== null && pool.start([f.transition.forwardJob(`${this.id}/transition`), f.reward.forwardJob(`${this.id}/reward`)], f.transition.net.input(n).slice(half * W, n * W), n - half);
      const own = split ? half : n;
      const raw = new Float32Array(n * this.obsDim);
      const h = new Float32Array(n * k);
      raw.set(f.arena.f32(f.transition.net.run(own), own * this.obsDim));
      h.set(f.arena.f32(f.reward.net.run(own), own * k));
      if (split) {
        const [t2, r2] = pool.finish();
        raw.set(t2!, own * this.obsDim);
        h.set(r2!, own * k);
      }
      return [raw, h];
    }
    const [out, head] = tf.tidy(() => {
      const x = this.input(obs, actions, n);
      return [mlpForward(this.transition, x), mlpForward(this.reward, x)];
    });
    const raw = out!.dataSync() as Float32Array;
    const h = head!.dataSync() as Float32Array;
    tf.dispose([out!, head!]);
    return [raw, h];
  }

  /** The network input [obs, action], normalised when the model normalises. */
  private input(obs: Float32Array, actions: Float32Array, n: number): tf.Tensor2D {
    const o = this.norm ? standardize(obs, this.norm.obs) : obs;
    const a = this.norm ? standardize(actions, this.norm.actions) : actions;
    return tf.concat([tf.tensor2d(o, [n, this.obsDim]), tf.tensor2d(a, [n, this.actDim])], 1) as tf.Tensor2D;
  }

  predict(obs: Float32Array, actions: Float32Array, n: number): Prediction {
    const [raw, h] = this.outputs(obs, actions, n);
    const D = this.obsDim;
    const t = this.norm?.target;
    const next = new Float32Array(n * D);
    for (let i = 0; i < next.length; i++) {
      const v = t ? raw[i]! * t.std[i % D]! + t.mean[i % D]! : raw[i]!;
      next[i] = this.options.predictDelta ? obs[i]! + v : v;
    }
    const k = this.options.termination ? 2 : 1;
    const r = this.norm?.reward;
    const reward = new Float32Array(n);
    for (let b = 0; b < n; b++) reward[b] = r ? h[b * k]! * r.std[0]! + r.mean[0]! : h[b * k]!;
    if (!this.options.termination) return { next, reward };
    const terminal = new Float32Array(n);
    for (let b = 0; b < n; b++) terminal[b] = sigmoid(h[b * 2 + 1]!);
    return { next, reward, terminal };
  }

  /** `updates` Adam steps on uniform replay minibatches; returns the mean losses (in normalised units when the model normalises). */
  train(buffer: ReplayBuffer, updates: number, batch: number, rng: Rng): { transitionLoss: number; rewardLoss: number; terminalLoss?: number } {
    if (this.options.normalize) this.norm = buffer.statistics(this.options.predictDelta);
    const D = this.obsDim;
    let tl = 0;
    let rl = 0;
    let dl = 0;
    for (let u = 0; u < updates; u++) {
      const b = buffer.sample(batch, rng);
      const target = new Float32Array(batch * D);
      for (let i = 0; i < target.length; i++) target[i] = b.nextObs[i]! - (this.options.predictDelta ? b.obs[i]! : 0);
      if (this.fast) {
        const v = this.fastStep(b.obs, b.actions, this.norm ? standardize(target, this.norm.target) : target, this.norm ? standardize(b.rewards, this.norm.reward) : b.rewards, b.terminated, batch);
        tl += v[0]!;
        rl += v[1]!;
        dl += v[2]!;
        continue;
      }
      const losses = tf.tidy(() => {
        const x = this.input(b.obs, b.actions, batch);
        const y = tf.tensor2d(this.norm ? standardize(target, this.norm.target) : target, [batch, D]);
        const rew = tf.tensor1d(this.norm ? standardize(b.rewards, this.norm.reward) : b.rewards);
        const t = tf.variableGrads(() => tf.mean(tf.square(tf.sub(mlpForward(this.transition, x), y))) as tf.Scalar, this.transition.params);
        this.transitionOpt.apply(this.transition.params.map((p) => t.grads[p.name]!), this.options.lr);
        const parts: tf.Scalar[] = [];
        const r = tf.variableGrads(() => {
          const out = mlpForward(this.reward, x);
          const lr = tf.mean(tf.square(tf.sub(tf.reshape(tf.slice(out, [0, 0], [-1, 1]), [-1]), rew))) as tf.Scalar;
          parts.push(tf.keep(lr));
          if (!this.options.termination) return lr;
          const ld = tf.losses.sigmoidCrossEntropy(tf.tensor1d(Float32Array.from(b.terminated)), tf.reshape(tf.slice(out, [0, 1], [-1, 1]), [-1])) as tf.Scalar;
          parts.push(tf.keep(ld));
          return tf.add(lr, ld) as tf.Scalar;
        }, this.reward.params);
        this.rewardOpt.apply(this.reward.params.map((p) => r.grads[p.name]!), this.options.lr);
        const stacked = tf.stack([t.value, ...parts]);
        tf.dispose(parts);
        return stacked;
      });
      const v = losses.dataSync();
      losses.dispose();
      tl += v[0]!;
      rl += v[1]!;
      dl += v[2] ?? 0;
    }
    const k = Math.max(updates, 1);
    return { transitionLoss: tl / k, rewardLoss: rl / k, ...(this.options.termination ? { terminalLoss: dl / k } : {}) };
  }

  /**
   * One Adam step of each network on the engine, the losses of the tfjs path written out: MSE of the
   * next-state head (∂/∂out = 2(out − y)/(nD)), MSE of the reward output (2(r̂ − r)/n) and, with a
   * termination head, sigmoid cross-entropy of its logit (max(x, 0) − xz + log(1 + e^−|x|), ∂ = (σ(x) − z)/n).
   */
  private fastStep(obs: Float32Array, actions: Float32Array, y: Float32Array, rew: Float32Array, terminated: ArrayLike<number>, n: number): [number, number, number] {
    const f = this.fast!;
    const D = this.obsDim;
    this.fastInput(obs, actions, n);
    const out = f.arena.f32(f.transition.net.run(n), n * D);
    const g = f.transition.net.outputGrad(n);
    let tl = 0;
    for (let i = 0; i < n * D; i++) {
      const d = out[i]! - y[i]!;
      tl += d * d;
      g[i] = (2 * d) / (n * D);
    }
    f.transition.net.backward(n);
    f.transition.step(this.options.lr);
    const k = this.options.termination ? 2 : 1;
    const h = f.arena.f32(f.reward.net.run(n), n * k);
    const gr = f.reward.net.outputGrad(n);
    let rl = 0;
    let dl = 0;
    for (let b = 0; b < n; b++) {
      const d = h[b * k]! - rew[b]!;
      rl += d * d;
      gr[b * k] = (2 * d) / n;
      if (k === 2) {
        const x = h[b * 2 + 1]!;
        const z = terminated[b]!;
        dl += sigmoidCrossEntropy(x, z);
        gr[b * 2 + 1] = (sigmoid(x) - z) / n;
      }
    }
    f.reward.net.backward(n);
    f.reward.step(this.options.lr);
    return [tl / (n * D), rl / n, dl / n];
  }

  getState(): { transition: SerializedTensor[]; reward: SerializedTensor[]; transitionOpt: AdamState; rewardOpt: AdamState; norm?: unknown } {
    const n = this.norm;
    this.fast?.transition.syncToTf();
    this.fast?.reward.syncToTf();
    return {
      transition: serializeVariables(this.transition.params),
      reward: serializeVariables(this.reward.params),
      transitionOpt: this.fast ? this.fast.transition.getOptState() : this.transitionOpt.getState(),
      rewardOpt: this.fast ? this.fast.reward.getOptState() : this.rewardOpt.getState(),
      ...(n ? { norm: { obs: toArrays(n.obs), actions: toArrays(n.actions), target: toArrays(n.target), reward: toArrays(n.reward) } } : {}),
    };
  }

  setState(state: unknown): void {
    const s = state as ReturnType<MlpDynamicsModel['getState']> & { norm?: Record<keyof Normalizer, { mean: number[]; std: number[] }> };
    loadVariables(this.transition.params, s.transition);
    loadVariables(this.reward.params, s.reward);
    if (this.fast) {
      this.fast.transition.restored(s.transitionOpt);
      this.fast.reward.restored(s.rewardOpt);
    } else {
      this.transitionOpt.setState(s.transitionOpt);
      this.rewardOpt.setState(s.rewardOpt);
    }
    this.norm = s.norm ? { obs: fromArrays(s.norm.obs), actions: fromArrays(s.norm.actions), target: fromArrays(s.norm.target), reward: fromArrays(s.norm.reward) } : null;
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

  predict(obs: Float32Array, actions: Float32Array, n: number): Prediction {
    return this.meanOf(this.members.map((m) => m.predict(obs, actions, n)), n);
  }

  private meanOf(preds: Prediction[], n: number): Prediction {
    const K = preds.length;
    const next = new Float32Array(n * this.obsDim);
    const reward = new Float32Array(n);
    const terminal = preds[0]!.terminal ? new Float32Array(n) : undefined;
    for (const p of preds) {
      for (let i = 0; i < next.length; i++) next[i]! += p.next[i]! / K;
      for (let i = 0; i < n; i++) reward[i]! += p.reward[i]! / K;
      if (terminal) for (let i = 0; i < n; i++) terminal[i]! += p.terminal![i]! / K;
    }
    return terminal ? { next, reward, terminal } : { next, reward };
  }

  /** Mean squared spread of the members' next-state predictions around their mean (a diagnostic, kept off the imagination path). */
  disagreement(obs: Float32Array, actions: Float32Array, n: number): number {
    const preds = this.members.map((m) => m.predict(obs, actions, n));
    const { next } = this.meanOf(preds, n);
    let spread = 0;
    for (const p of preds) for (let i = 0; i < next.length; i++) spread += (p.next[i]! - next[i]!) ** 2;
    return spread / preds.length / Math.max(next.length, 1);
  }

  train(buffer: ReplayBuffer, updates: number, batch: number, rng: Rng): { transitionLoss: number; rewardLoss: number; terminalLoss?: number } {
    const losses = this.members.map((m) => m.train(buffer, updates, batch, rng));
    const mean = (f: (l: (typeof losses)[number]) => number) => losses.reduce((a, l) => a + f(l), 0) / losses.length;
    const out = { transitionLoss: mean((l) => l.transitionLoss), rewardLoss: mean((l) => l.rewardLoss) };
    return losses[0]!.terminalLoss === undefined ? out : { ...out, terminalLoss: mean((l) => l.terminalLoss!) };
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
