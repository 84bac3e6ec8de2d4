/**
 * A critic ensemble: K scalar Q-networks on concat(s, a) in one store (one Adam over all, CleanRL's
 * q_optimizer), their Polyak target copies, and pluggable aggregators over the K values
 * (spec baselines.md §1 and §12.4): `min` (clipped double Q, β = 1), `mean` (β = 0), `first`
 * (TD3's actor, which ascends Q1 alone), and `mean-spread`, mean − β·spread with β read at each call
 * (fixed, or a learned Dual: DAC's optimism, VPL's pessimism).
 */
import type { Rng } from '../common/rng.js';
import type { Arena } from '../nets/engine/arena.js';
import type { EngineNet } from '../nets/engine/engine-net.js';
import type { ParamStore } from '../nets/engine/param-store.js';
import { makeNets, makeTargetNets, polyak, type TrunkSpec } from './trunk.js';

export interface Aggregator {
  readonly name: AggregatorName;
  /** The aggregate of q[0..K). */
  value(q: ArrayLike<number>): number;
  /** ∂value/∂q[k] into w. */
  weights(q: ArrayLike<number>, w: Float64Array): void;
}

export const AGGREGATOR_NAMES = ['min', 'mean', 'first', 'mean-spread'] as const;
export type AggregatorName = (typeof AGGREGATOR_NAMES)[number];
/** The aggregators without a parameter. */
export type FixedAggregatorName = Exclude<AggregatorName, 'mean-spread'>;

export const AGGREGATORS: Record<FixedAggregatorName, Aggregator> = {
  min: {
    name: 'min',
    value: (q) => Math.min(...Array.from(q)),
    // torch.min's gradient: to the smallest, split evenly on ties
    weights(q, w) {
      const m = Math.min(...Array.from(q));
      let ties = 0;
      for (let k = 0; k < q.length; k++) if (q[k] === m) ties += 1;
      for (let k = 0; k < q.length; k++) w[k] = q[k] === m ? 1 / ties : 0;
    },
  },
  mean: {
    name: 'mean',
    value: (q) => Array.from(q).reduce((a, b) => a + b, 0) / q.length,
    weights(q, w) {
      w.fill(1 / q.length, 0, q.length);
    },
  },
  first: {
    name: 'first',
    value: (q) => q[0]!,
    weights(q, w) {
      w.fill(0, 0, q.length);
      w[0] = 1;
    },
  },
};

/**
 * The spread of an ensemble: the population standard deviation sqrt(mean_k (q_k − q̄)²), which for two
 * critics is |Q1 − Q2|/2, the spread of the Nauman codebases (spec §1).
 */
export function ensembleSpread(q: ArrayLike<number>): number {
  const K = q.length;
  let mean = 0;
  for (let k = 0; k < K; k++) mean += q[k]! / K;
  let v = 0;
  for (let k = 0; k < K; k++) v += (q[k]! - mean) ** 2 / K;
  return Math.sqrt(v);
}

/**
 * Q_β = mean(q) − β·spread(q) (spec §1): β = 1 is min(Q1, Q2) for two critics, β = 0 the mean, β < 0
 * optimistic (DAC's upper bound mean + β_ub·spread is β = −β_ub). `beta` is read at every call, so a
 * learned coefficient acts at its current value. ∂Q_β/∂q_k = 1/K − β·(q_k − q̄)/(K·spread); at spread 0
 * the spread's subgradient 0 is taken (as |x|′(0) = 0 in JAX), leaving 1/K.
 */
export function meanMinusBetaSpread(beta: () => number): Aggregator {
  return {
    name: 'mean-spread',
    value(q) {
      let mean = 0;
      for (let k = 0; k < q.length; k++) mean += q[k]! / q.length;
      return mean - beta() * ensembleSpread(q);
    },
    weights(q, w) {
      const K = q.length;
      let mean = 0;
      for (let k = 0; k < K; k++) mean += q[k]! / K;
      const sd = ensembleSpread(q);
      const b = beta();
      for (let k = 0; k < K; k++) w[k] = 1 / K - (sd > 0 ? (b * (q[k]! - mean)) / (K * sd) : 0);
    },
  };
}

/** The aggregator of a config name; `beta` feeds `mean-spread`. */
export function makeAggregator(name: AggregatorName, beta: () => number): Aggregator {
  return name === 'mean-spread' ? meanMinusBetaSpread(beta) : AGGREGATORS[name];
}

export class CriticEnsemble {
  readonly store: ParamStore;
  readonly nets: EngineNet[];
  readonly targetStore: ParamStore;
  readonly targets: EngineNet[];
  private readonly q: Float64Array;
  private readonly w: Float64Array;

  constructor(readonly arena: Arena, readonly size: number, readonly obsDim: number, readonly actDim: number, trunk: TrunkSpec, rng: Rng) {
    const online = makeNets(arena, size, obsDim + actDim, 1, trunk, rng);
    const target = makeTargetNets(arena, online);
    this.store = online.store;
    this.nets = online.nets;
    this.targetStore = target.store;
    this.targets = target.nets;
    this.q = new Float64Array(size);
    this.w = new Float64Array(size);
  }

  /** Sizes every network's buffers for n rows, so that no allocation detaches a view mid-pass. */
  reserve(n: number): void {
    for (const net of [...this.nets, ...this.targets]) net.outputGrad(n);
  }

  /** Writes concat(s, a) (n rows) into a network's input. */
  private feed(net: EngineNet, s: Float32Array, a: Float32Array, n: number): void {
    const { obsDim, actDim } = this;
    const x = net.input(n);
    const w = obsDim + actDim;
    for (let i = 0; i < n; i++) {
      x.set(s.subarray(i * obsDim, (i + 1) * obsDim), i * w);
      x.set(a.subarray(i * actDim, (i + 1) * actDim), i * w + obsDim);
    }
  }

  /** Each member's Q(s, a) (copies), online or target networks. */
  values(s: Float32Array, a: Float32Array, n: number, which: 'online' | 'target' = 'online'): Float32Array[] {
    this.reserve(n);
    return (which === 'online' ? this.nets : this.targets).map((net) => {
      this.feed(net, s, a, n);
      return this.arena.f32(net.run(n), n).slice();
    });
  }

  /** The aggregated target critics' value of (s′, a′) into out. */
  targetValue(s: Float32Array, a: Float32Array, n: number, agg: Aggregator, out: Float32Array): Float32Array {
    const qs = this.values(s, a, n, 'target');
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < this.size; k++) this.q[k] = qs[k]![i]!;
      out[i] = agg.value(this.q);
    }
    return out;
  }

  /**
   * Zeroes the ensemble's gradients and adds those of Σ_k mean_i (Q_k(s_i, a_i) − y_i)² (CleanRL's
   * qf1_loss + qf2_loss). Returns the loss and the mean of Q_1 (CleanRL's qf1_values).
   */
  regressionGrad(s: Float32Array, a: Float32Array, y: Float32Array, n: number): { loss: number; q1Mean: number } {
    this.reserve(n);
    this.store.zeroGrad();
    let loss = 0;
    let q1Mean = 0;
    this.nets.forEach((net, k) => {
      this.feed(net, s, a, n);
      const out = this.arena.f32(net.run(n), n);
      const g = net.outputGrad(n);
      for (let i = 0; i < n; i++) {
        const e = out[i]! - y[i]!;
        loss += (e * e) / n;
        g[i] = (2 * e) / n;
        if (k === 0) q1Mean += out[i]! / n;
      }
      net.backward(n);
    });
    return { loss, q1Mean };
  }

  /**
   * For an actor loss −coef·Σ_i agg(Q)(s_i, a_i): writes ∂/∂a into dA (n × actDim) and returns the
   * aggregated values. Only input gradients are computed; the critics' parameters get none (their
   * gradient from the actor's loss would be discarded anyway).
   */
  actionGrad(s: Float32Array, a: Float32Array, n: number, agg: Aggregator, coef: number, dA: Float32Array): Float32Array {
    const { obsDim, actDim } = this;
    this.reserve(n);
    const outs = this.nets.map((net) => {
      this.feed(net, s, a, n);
      return this.arena.f32(net.run(n), n);
    });
    const grads = this.nets.map((net) => net.outputGrad(n));
    const value = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < this.size; k++) this.q[k] = outs[k]![i]!;
      value[i] = agg.value(this.q);
      agg.weights(this.q, this.w);
      for (let k = 0; k < this.size; k++) grads[k]![i] = -coef * this.w[k]!;
    }
    dA.fill(0, 0, n * actDim);
    const W = obsDim + actDim;
    this.nets.forEach((net, k) => {
      if (agg.name === 'first' && k > 0) return; // only Q_1 carries a gradient
      net.backward(n, true, false);
      const dx = net.inputGradient(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < actDim; j++) dA[i * actDim + j] = dA[i * actDim + j]! + dx[i * W + obsDim + j]!;
    });
    return value;
  }

  /** θ̄ ← τ·θ + (1 − τ)·θ̄ for every member. */
  polyak(tau: number): void {
    polyak(this.targetStore, this.store, tau);
  }
}
