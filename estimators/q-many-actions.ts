/**
 * `qma`: all-action / many-actions policy gradient with learned Q-functions (the MBMA paper's QMA
 * baseline, spec estimators.md §1.9): N extra actions per visited state, each valued by the minimum of
 * two Q-networks (clipped double-Q), A_j = min(Q1, Q2)(s, a_j) − V(s). The Q-networks regress the
 * TD(λ) targets of the real actions (the λ-returns R = Â + V that also train the critic) with MSE, a
 * few epochs of minibatch Adam steps per PPO iteration, before the extra actions are valued. The
 * action enters the Q-network as its value (Box) or one-hot (Discrete). Real and extra actions are
 * weighted 1/(N + 1), as in the other many-actions estimators.
 */
import { tf } from '../nets/tf.js';
import { Rng, type RngState } from '../common/rng.js';
import { Adam, type AdamState } from '../nets/adam.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import { EngineMlp } from '../nets/engine/engine-mlp.js';
import { createMlp, mlpForward, type Mlp } from '../nets/mlp.js';
import { loadVariables, serializeVariables, type SerializedTensor } from '../nets/serialize.js';
import type { Rollout } from '../ppo/rollout.js';
import { nonNegativeInt, parseOptions, positiveInt, positiveNumber, widths } from './options.js';
import type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { manyActionsBatch, repeatObservations } from './many-actions-rows.js';
import { SingleActionEstimator } from './single.js';
import { BUILTIN_ESTIMATORS } from './registry.js';

export interface QManyActionsOptions {
  actions: number;
  hidden: number[];
  lr: number;
  epochs: number;
  minibatch: number;
  seed: number;
}

interface QState {
  nets: SerializedTensor[][];
  opts: AdamState[];
  rng: RngState;
}

export class QManyActionsEstimator implements Estimator {
  readonly name = 'qma';
  private nets: Mlp[] | null = null;
  private opts: Adam[] = [];
  /** The Q-networks on the wasm engine (when the agent is on it). */
  private fast: EngineMlp[] | null | undefined = undefined;
  private inDim = 0;
  private readonly rng: Rng;
  private readonly single = new SingleActionEstimator();

  resolvedOptions(): Record<string, unknown> {
    return { ...this.o };
  }

  constructor(readonly o: QManyActionsOptions) {
    this.rng = new Rng(o.seed + 4099);
  }

  private ensure(agent: ActorCritic): Mlp[] {
    if (!this.nets) {
      this.inDim = agent.obsDim + (agent.kind === 'categorical' ? agent.outDim : agent.actionDim);
      this.nets = [0, 1].map((i) => createMlp(`qnet${i}`, [this.inDim, ...this.o.hidden, 1], 'leaky_relu', 1.0, this.rng));
      this.opts = this.nets.map((n) => new Adam(n.params, 0.9, 0.999, 1e-5));
    }
    // on the agent's engine: the wasm engine trains and runs the Q-networks (same maths; the tfjs
    // variables and optimiser state, fresh or restored from a checkpoint, move onto it)
    if (this.fast === undefined) {
      this.fast = agent.engine === 'wasm' ? this.nets.map((n, i) => {
        const e = new EngineMlp(n, 1e-5);
        e.opt.setState(this.opts[i]!.getState());
        return e;
      }) : null;
    }
    return this.nets;
  }

  /** The network input rows [obs, action] (one-hot actions for discrete policies). */
  private inputRows(agent: ActorCritic, obs: Float32Array, actions: Float32Array, n: number): Float32Array {
    const D = agent.obsDim;
    const W = this.inDim;
    const A = W - D;
    const x = new Float32Array(n * W);
    for (let i = 0; i < n; i++) {
      x.set(obs.subarray(i * D, (i + 1) * D), i * W);
      if (agent.kind === 'categorical') x[i * W + D + actions[i]!] = 1;
      else x.set(actions.subarray(i * A, (i + 1) * A), i * W + D);
    }
    return x;
  }

  private input(agent: ActorCritic, obs: Float32Array, actions: Float32Array, n: number): tf.Tensor2D {
    const o = tf.tensor2d(obs, [n, agent.obsDim]);
    const a = agent.kind === 'categorical' ? tf.oneHot(tf.tensor1d(actions, 'int32'), agent.outDim).toFloat() : tf.tensor2d(actions, [n, agent.actionDim]);
    return tf.concat([o, a], 1) as tf.Tensor2D;
  }

  /** min(Q1, Q2) for n (state, action) pairs. */
  q(agent: ActorCritic, obs: Float32Array, actions: Float32Array, n: number): Float32Array {
    const nets = this.ensure(agent);
    if (this.fast) {
      const x = this.inputRows(agent, obs, actions, n);
      const q1 = this.fast[0]!.predict(x, n);
      const q2 = this.fast[1]!.predict(x, n);
      return q1.map((v, i) => Math.min(v, q2[i]!));
    }
    const t = tf.tidy(() => {
      const x = this.input(agent, obs, actions, n);
      return tf.reshape(tf.minimum(mlpForward(nets[0]!, x), mlpForward(nets[1]!, x)), [-1]);
    });
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }

  private fit(agent: ActorCritic, r: Rollout, returns: Float32Array): number {
    const nets = this.ensure(agent);
    const S = returns.length;
    const D = agent.obsDim;
    const A = r.actionDim;
    let loss = 0;
    let steps = 0;
    for (let e = 0; e < this.o.epochs; e++) {
      const perm = this.rng.permutation(S);
      for (let start = 0; start + this.o.minibatch <= S; start += this.o.minibatch) {
        const idx = perm.subarray(start, start + this.o.minibatch);
        const obs = new Float32Array(idx.length * D);
        const act = new Float32Array(idx.length * A);
        const tgt = new Float32Array(idx.length);
        idx.forEach((k, i) => {
          obs.set(r.obs.subarray(k * D, (k + 1) * D), i * D);
          act.set(r.actions.subarray(k * A, (k + 1) * A), i * A);
          tgt[i] = returns[k]!;
        });
        if (this.fast) {
          const x = this.inputRows(agent, obs, act, idx.length);
          loss += this.fast.reduce((sum, f) => sum + f.mseStep(x, tgt, idx.length, this.o.lr), 0) / this.fast.length;
          steps += 1;
          continue;
        }
        const l = tf.tidy(() => {
          const x = this.input(agent, obs, act, idx.length);
          const y = tf.tensor1d(tgt);
          const losses = nets.map((net, i) => {
            const g = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.reshape(mlpForward(net, x), [-1]), y))) as tf.Scalar, net.params);
            this.opts[i]!.apply(net.params.map((p) => g.grads[p.name]!), this.o.lr);
            return g.value;
          });
          return tf.mean(tf.stack(losses));
        });
        loss += l.dataSync()[0]!;
        l.dispose();
        steps += 1;
      }
    }
    return loss / Math.max(steps, 1);
  }

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const base = this.single.prepare(r, ctx);
    const stats: Record<string, number> = {};
    if (ctx.training) stats['q_loss'] = this.fit(ctx.agent, r, base.value.returns);
    const S = base.numStates;
    const X = this.o.actions;
    const obsRep = repeatObservations(r, S, X);
    const extra = ctx.agent.act(obsRep, S * X, ctx.agent.sampleNoise(S * X, ctx.rng));
    const q = this.q(ctx.agent, obsRep, extra.actions, S * X);
    const adv = new Float32Array(S * X);
    for (let e = 0; e < S * X; e++) adv[e] = q[e]! - base.value.oldValues[Math.floor(e / X)]!;
    return manyActionsBatch(r, base, { actions: extra.actions, logProbs: extra.logProbs, advantages: adv }, X, { ...stats, extra_actions: X });
  }

  getState(): QState | null {
    if (!this.nets) return { nets: [], opts: [], rng: this.rng.getState() };
    this.fast?.forEach((f) => f.syncToTf());
    return { nets: this.nets.map((n) => serializeVariables(n.params)), opts: this.fast ? this.fast.map((f) => f.getOptState()) : this.opts.map((o) => o.getState()), rng: this.rng.getState() };
  }

  setState(s: unknown): void {
    const st = s as QState;
    if (st.nets.length) {
      const inDim = st.nets[0]![0]!.shape[0]!;
      if (!this.nets) {
        this.nets = [0, 1].map((i) => createMlp(`qnet${i}`, [inDim, ...this.o.hidden, 1], 'leaky_relu', 1.0, this.rng));
        this.opts = this.nets.map((n) => new Adam(n.params, 0.9, 0.999, 1e-5));
        this.inDim = inDim;
      }
      this.nets.forEach((n, i) => loadVariables(n.params, st.nets[i]!));
      this.opts.forEach((o, i) => o.setState(st.opts[i]!));
      this.fast?.forEach((f, i) => f.restored(st.opts[i]!));
    }
    this.rng.setState(st.rng);
  }

  dispose(): void {
    this.nets?.forEach((n) => n.params.forEach((p) => p.dispose()));
    this.opts.forEach((o) => o.dispose());
  }
}

export const qManyActionsInfo: EstimatorInfo = {
  ...BUILTIN_ESTIMATORS.qma,
  create(options) {
    const defaults: QManyActionsOptions = { actions: 8, hidden: [256, 256], lr: 3e-4, epochs: 4, minibatch: 64, seed: 0 };
    return new QManyActionsEstimator(parseOptions('qma', { actions: positiveInt, hidden: widths, lr: positiveNumber, epochs: positiveInt, minibatch: positiveInt, seed: nonNegativeInt }, defaults, options));
  },
};
