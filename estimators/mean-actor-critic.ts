/**
 * `mac`: Mean Actor-Critic (Allen et al. 2017; spec estimators.md §2.2). Discrete actions only. Per
 * visited state the policy gradient sums over every action, Σ_a ∇π(a|s) Q̂(s,a), with a learned
 * Q-network (one output per action). As PPO rows: one row per action, weight π_old(a|s), advantage
 * Q̂(s,a) − Σ_a' π_old(a'|s) Q̂(s,a') (the state baseline changes nothing in the sum: Σ_a ∇π = 0; it
 * keeps PPO's advantage normalisation meaningful).
 *
 * The Q-network is trained as in the reference code (`kavosh8/MAC`): expected-SARSA TD targets
 * r + γ (1 − terminated) Σ_a' π(a'|s') Q_target(s',a') on minibatches from a replay buffer of real
 * transitions, the target network copied before each round of updates. Deviations (documented): one
 * round of `updates` minibatch steps per PPO iteration (the reference trains 10 epochs per episode),
 * the target synced per iteration (reference: per episode), γ = PPO's γ, two hidden layers.
 */
import { tf } from '../nets/tf.js';
import { Rng, type RngState } from '../common/rng.js';
import type { Space } from '../envs/spaces.js';
import { Adam, type AdamState } from '../nets/adam.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import { EngineMlp } from '../nets/engine/engine-mlp.js';
import { createMlp, mlpForward, type Mlp } from '../nets/mlp.js';
import { loadVariables, serializeVariables, type SerializedTensor } from '../nets/serialize.js';
import type { Rollout } from '../ppo/rollout.js';
import { ReplayBuffer } from '../worldmodels/replay-buffer.js';
import { actionSetBatch, requireDiscrete, requireDiscreteSpace, type ActionSetRow } from './action-set-rows.js';
import type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { nonNegativeInt, parseOptions, positiveInt, positiveNumber, widths } from './options.js';
import { SingleActionEstimator } from './single.js';
import { BUILTIN_ESTIMATORS } from './registry.js';

export interface MeanActorCriticOptions {
  hidden: number[];
  lr: number;
  updates: number;
  batch: number;
  bufferSize: number;
  seed: number;
}

interface MacState {
  q: SerializedTensor[] | null;
  opt: AdamState | null;
  buffer: unknown;
  dims: [number, number] | null;
  rng: RngState;
}

export class MeanActorCriticEstimator implements Estimator {
  readonly name = 'mac';
  private q: Mlp | null = null;
  private target: Mlp | null = null;
  private opt: Adam | null = null;
  /** The Q-network and its target on the wasm engine, when the agent is on it (undefined: not decided yet). */
  private fastQ: EngineMlp | null | undefined = undefined;
  private fastTarget: EngineMlp | null = null;
  private buffer: ReplayBuffer | null = null;
  private readonly rng: Rng;
  private readonly single = new SingleActionEstimator();

  resolvedOptions(): Record<string, unknown> {
    return { ...this.o };
  }

  constructor(readonly o: MeanActorCriticOptions) {
    this.rng = new Rng(o.seed + 6151);
  }

  private ensure(obsDim: number, nA: number): { q: Mlp; target: Mlp; opt: Adam; buffer: ReplayBuffer } {
    if (!this.q) {
      this.q = createMlp('mac_q', [obsDim, ...this.o.hidden, nA], 'relu', 1.0, this.rng);
      this.target = createMlp('mac_q_target', [obsDim, ...this.o.hidden, nA], 'relu', 1.0, this.rng);
      this.opt = new Adam(this.q.params, 0.9, 0.999, 1e-8);
      this.buffer = new ReplayBuffer(this.o.bufferSize, obsDim, 1);
    }
    return { q: this.q, target: this.target!, opt: this.opt!, buffer: this.buffer! };
  }

  /** The Q-network on the agent's engine (decided at first use, also after a restore). */
  private engineQ(agent: ActorCritic): EngineMlp | null {
    if (this.fastQ === undefined && this.q) {
      this.fastQ = agent.engine === 'wasm' ? new EngineMlp(this.q, 1e-8) : null;
      this.fastQ?.opt.setState(this.opt!.getState());
    }
    return this.fastQ ?? null;
  }

  /** Q̂(s, ·) for n states, n × |A|. */
  qValues(obs: Float32Array, n: number, obsDim: number, agent?: ActorCritic): Float32Array {
    const fast = agent ? this.engineQ(agent) : this.fastQ;
    if (fast) return fast.predict(obs, n);
    const t = tf.tidy(() => mlpForward(this.q!, tf.tensor2d(obs, [n, obsDim])));
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }

  private fit(agent: ActorCritic, gamma: number): number {
    const { q, target, opt, buffer } = this.ensure(agent.obsDim, agent.outDim);
    const fast = this.engineQ(agent);
    if (fast) return this.fitOnEngine(agent, fast, buffer, gamma);
    target.params.forEach((p, i) => p.assign(q.params[i]!));
    const D = agent.obsDim;
    const B = Math.min(this.o.batch, buffer.size);
    let loss = 0;
    for (let u = 0; u < this.o.updates; u++) {
      const b = buffer.sample(B, this.rng);
      const l = tf.tidy(() => {
        const next = tf.tensor2d(b.nextObs, [B, D]);
        const pi = tf.softmax(agent.policyOut(next));
        const bootstrap = tf.sum(tf.mul(pi, mlpForward(target, next)), 1);
        const notDone = tf.sub(1, tf.tensor1d(Float32Array.from(b.terminated)));
        const y = tf.add(tf.tensor1d(b.rewards), tf.mul(gamma, tf.mul(notDone, bootstrap)));
        const onehot = tf.oneHot(tf.tensor1d(b.actions, 'int32'), agent.outDim).toFloat();
        const obs = tf.tensor2d(b.obs, [B, D]);
        const g = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.sum(tf.mul(mlpForward(q, obs), onehot), 1), y))) as tf.Scalar, q.params);
        opt.apply(q.params.map((p) => g.grads[p.name]!), this.o.lr);
        return g.value;
      });
      loss += l.dataSync()[0]!;
      l.dispose();
    }
    return loss / Math.max(this.o.updates, 1);
  }

  /**
   * fit() on the engine, the same expected-SARSA regression: the target network is a frozen copy of Q
   * for the call, y = r + γ(1 − d) Σₐ π(a|s′) Q̄(s′, a), L = mean((Q(s, a) − y)²) on the taken actions.
   */
  private fitOnEngine(agent: ActorCritic, fast: EngineMlp, buffer: ReplayBuffer, gamma: number): number {
    const target = (this.fastTarget ??= new EngineMlp(this.target!, 1e-8));
    target.store.write(fast.store.read('p'));
    const nA = agent.outDim;
    const B = Math.min(this.o.batch, buffer.size);
    let loss = 0;
    for (let u = 0; u < this.o.updates; u++) {
      const b = buffer.sample(B, this.rng);
      const logp = agent.logProbsAll(b.nextObs, B);
      const qn = target.net.forward(b.nextObs, B);
      const y = new Float64Array(B);
      for (let i = 0; i < B; i++) {
        let boot = 0;
        for (let a = 0; a < nA; a++) boot += Math.exp(logp[i * nA + a]!) * qn[i * nA + a]!;
        y[i] = b.rewards[i]! + gamma * (1 - b.terminated[i]!) * boot;
      }
      loss += fast.stepOn(b.obs, B, this.o.lr, (out, g) => {
        g.fill(0);
        let l = 0;
        for (let i = 0; i < B; i++) {
          const a = b.actions[i]!;
          const d = out[i * nA + a]! - y[i]!;
          l += d * d;
          g[i * nA + a] = (2 * d) / B;
        }
        return l / B;
      });
    }
    return loss / Math.max(this.o.updates, 1);
  }

  checkSpaces(_observationSpace: Space, actionSpace: Space): void {
    requireDiscreteSpace(actionSpace, this.name);
  }

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const nA = requireDiscrete(ctx.agent, this.name);
    const base = this.single.prepare(r, ctx);
    const { buffer } = this.ensure(r.obsDim, nA);
    const stats: Record<string, number> = {};
    if (ctx.training) {
      buffer.addRollout(r);
      stats['q_loss'] = this.fit(ctx.agent, ctx.gamma);
      stats['buffer_size'] = buffer.size;
    }
    const S = base.numStates;
    const logp = ctx.agent.logProbsAll(r.obs, S);
    const qv = this.qValues(r.obs, S, r.obsDim, ctx.agent);
    const rows: ActionSetRow[] = [];
    let meanQ = 0;
    for (let s = 0; s < S; s++) {
      let v = 0;
      for (let a = 0; a < nA; a++) v += Math.exp(logp[s * nA + a]!) * qv[s * nA + a]!;
      meanQ += v / S;
      for (let a = 0; a < nA; a++) rows.push({ state: s, action: a, logProb: logp[s * nA + a]!, weight: Math.exp(logp[s * nA + a]!), advantage: qv[s * nA + a]! - v });
    }
    return actionSetBatch(r, base, rows, { ...stats, q_mean: meanQ, extra_actions: nA - 1 });
  }

  getState(): MacState {
    this.fastQ?.syncToTf();
    return {
      q: this.q ? serializeVariables(this.q.params) : null,
      opt: (this.fastQ ? this.fastQ.getOptState() : this.opt?.getState()) ?? null,
      buffer: this.buffer?.getState() ?? null,
      dims: this.q ? [this.q.sizes[0]!, this.q.sizes[this.q.sizes.length - 1]!] : null,
      rng: this.rng.getState(),
    };
  }

  setState(s: unknown): void {
    const st = s as MacState;
    if (st.dims && st.q && st.opt) {
      this.ensure(st.dims[0], st.dims[1]);
      loadVariables(this.q!.params, st.q);
      this.opt!.setState(st.opt);
      this.fastQ?.restored(st.opt);
      this.buffer!.setState(st.buffer);
    }
    this.rng.setState(st.rng);
  }

  dispose(): void {
    [...(this.q?.params ?? []), ...(this.target?.params ?? [])].forEach((p) => p.dispose());
    this.opt?.dispose();
  }
}

export const meanActorCriticInfo: EstimatorInfo = {
  ...BUILTIN_ESTIMATORS.mac,
  create(options) {
    const defaults: MeanActorCriticOptions = { hidden: [64, 64], lr: 1e-3, updates: 64, batch: 128, bufferSize: 20_000, seed: 0 };
    return new MeanActorCriticEstimator(parseOptions('mac', { hidden: widths, lr: positiveNumber, updates: positiveInt, batch: positiveInt, bufferSize: positiveInt, seed: nonNegativeInt }, defaults, options));
  },
};
