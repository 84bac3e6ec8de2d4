/**
 * A critic ensemble: K Q-networks on concat(s, a) in one store (one Adam over all, CleanRL's
 * q_optimizer), their Polyak target copies, a value head (offpolicy/heads.ts: scalar, quantile or
 * categorical outputs) and pluggable aggregators over the K members (spec baselines.md §1 and
 * §12.4): `min` (clipped double Q, β = 1), `mean` (β = 0), `first` (TD3's actor, which ascends Q1
 * alone), `mean-spread`, mean − β·spread with β read at each call (fixed, or a learned Dual: DAC's
 * optimism, VPL's pessimism), and `min-by-expectation` (FastTD3: the member with the smallest Q).
 *
 * On a distributional head the aggregators act on the head's representation (offpolicy/heads.ts):
 * the first four element by element — per quantile, as BRO applies mean − β·spread (§1: "applied per
 * quantile or atom"; β = 0 is BRO's mean of quantiles), or per atom probability, where `mean` is BRC's
 * mean of probabilities — and `min-by-expectation` takes the whole distribution of the member whose
 * expectation is smallest (FastTD3; for a categorical head's TD target the learner projects every
 * member first and compares the projections' expectations, ties to the last member:
 * minByProjectedExpectation). The value an actor ascends is the expectation of the combined
 * representation: for quantiles mean_i agg_k(q_ki), BRO's actor objective.
 *
 * Multi-task (BRC, spec §8 [code]): the ensemble holds a task embedding (offpolicy/task-embedding.ts)
 * as the last tensor of its store, shared by the members. Its methods then take states s = [obs, e]
 * (n × (obsDim + dim): `state()` appends the online e, `targetState()` swaps in the target copy's) and
 * feed every member [obs, act, e]; `regressionGrad` carries the TD loss's gradient on to the table.
 */
import type { Rng } from '../common/rng.js';
import type { Arena } from '../nets/engine/arena.js';
import type { EngineNet } from '../nets/engine/engine-net.js';
import type { ParamStore } from '../nets/engine/param-store.js';
import { expectationOf, scalarHead, type ValueHead } from './heads.js';
import { TaskEmbedding } from './task-embedding.js';
import { makeNets, makeTargetNets, polyak, type TrunkSpec } from './trunk.js';

export interface Aggregator {
  readonly name: AggregatorName;
  /** The aggregate of q[0..K). */
  value(q: ArrayLike<number>): number;
  /** ∂value/∂q[k] into w. */
  weights(q: ArrayLike<number>, w: Float64Array): void;
}

export const AGGREGATOR_NAMES = ['min', 'mean', 'first', 'mean-spread', 'min-by-expectation'] as const;
export type AggregatorName = (typeof AGGREGATOR_NAMES)[number];
/** The aggregators without a parameter. */
export type FixedAggregatorName = Exclude<AggregatorName, 'mean-spread'>;

function minOf(q: ArrayLike<number>): number {
  let m = Infinity;
  for (let k = 0; k < q.length; k++) m = Math.min(m, q[k]!);
  return m;
}

/** The first index of the smallest value. */
function argminOf(q: ArrayLike<number>): number {
  let k0 = 0;
  for (let k = 1; k < q.length; k++) if (q[k]! < q[k0]!) k0 = k;
  return k0;
}

export const AGGREGATORS: Record<FixedAggregatorName, Aggregator> = {
  min: {
    name: 'min',
    value: minOf,
    // torch.min's gradient: to the smallest, split evenly on ties
    weights(q, w) {
      const m = minOf(q);
      let ties = 0;
      for (let k = 0; k < q.length; k++) if (q[k] === m) ties += 1;
      for (let k = 0; k < q.length; k++) w[k] = q[k] === m ? 1 / ties : 0;
    },
  },
  // on scalars the min, its gradient to the first smallest member (torch.argmin); on distributions see minByExpectation
  'min-by-expectation': {
    name: 'min-by-expectation',
    value: minOf,
    weights(q, w) {
      const k0 = argminOf(q);
      for (let k = 0; k < q.length; k++) w[k] = k === k0 ? 1 : 0;
    },
  },
  mean: {
    name: 'mean',
    value(q) {
      let s = 0;
      for (let k = 0; k < q.length; k++) s += q[k]!;
      return s / q.length;
    },
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

/**
 * An aggregator over the members' head representations (K rows of D values, member-major; c the
 * head's expectation weights, Q = Σ_d c_d·rep_d).
 */
export interface EnsembleAggregator {
  readonly name: AggregatorName;
  /** out[o..o+D) ← the combined representation. */
  combine(reps: Float64Array, K: number, D: number, c: Float64Array, out: Float64Array, o: number): void;
  /** w[k·D + d] ← ∂(Σ_d c_d·combined_d)/∂reps[k·D + d]. */
  valueWeights(reps: Float64Array, K: number, D: number, c: Float64Array, w: Float64Array): void;
}

/** A scalar aggregator applied to each element d of the representations on its own (per quantile, per atom). */
export function elementwise(agg: Aggregator): EnsembleAggregator {
  let q = new Float64Array(0);
  let wk = new Float64Array(0);
  return {
    name: agg.name,
    combine(reps, K, D, _c, out, o) {
      if (q.length !== K) [q, wk] = [new Float64Array(K), new Float64Array(K)];
      for (let d = 0; d < D; d++) {
        for (let k = 0; k < K; k++) q[k] = reps[k * D + d]!;
        out[o + d] = agg.value(q);
      }
    },
    valueWeights(reps, K, D, c, w) {
      if (q.length !== K) [q, wk] = [new Float64Array(K), new Float64Array(K)];
      for (let d = 0; d < D; d++) {
        for (let k = 0; k < K; k++) q[k] = reps[k * D + d]!;
        agg.weights(q, wk);
        for (let k = 0; k < K; k++) w[k * D + d] = c[d]! * wk[k]!;
      }
    },
  };
}

/**
 * FastTD3's min by expectation (spec §9, §11): the whole representation of the member with the
 * smallest Q = c·rep (the first on ties, as torch.argmin); the gradient goes to that member only.
 */
export const minByExpectation: EnsembleAggregator = {
  name: 'min-by-expectation',
  combine(reps, K, D, c, out, o) {
    const k0 = argminByExpectation(reps, K, D, c);
    for (let d = 0; d < D; d++) out[o + d] = reps[k0 * D + d]!;
  },
  valueWeights(reps, K, D, c, w) {
    const k0 = argminByExpectation(reps, K, D, c);
    w.fill(0, 0, K * D);
    for (let d = 0; d < D; d++) w[k0 * D + d] = c[d]!;
  },
};

function argminByExpectation(reps: Float64Array, K: number, D: number, c: Float64Array): number {
  let k0 = 0;
  let best = Infinity;
  for (let k = 0; k < K; k++) {
    let e = 0;
    for (let d = 0; d < D; d++) e += c[d]! * reps[k * D + d]!;
    if (e < best) [best, k0] = [e, k];
  }
  return k0;
}

/**
 * FastTD3's distributional CDQ on projected targets (train.py: both target members' distributions
 * C51-projected, then `torch.where(q1 < q2, proj1, proj2)` on the expectations Σ_k z_k·proj_k): per
 * row, the projected distribution (members[k], n × D each) with the smallest expectation under z; ties
 * go to the last member. Clipping at the support's edges can reverse the order of the members'
 * unprojected expectations, so the choice is made after the projection. Into out (n × D).
 */
export function minByProjectedExpectation(members: Float32Array[], z: Float64Array, n: number, out: Float32Array): Float32Array {
  const D = z.length;
  for (let i = 0; i < n; i++) {
    let k0 = 0;
    let best = Infinity;
    members.forEach((p, k) => {
      let e = 0;
      for (let d = 0; d < D; d++) e += z[d]! * p[i * D + d]!;
      if (e <= best) [best, k0] = [e, k];
    });
    out.set(members[k0]!.subarray(i * D, (i + 1) * D), i * D);
  }
  return out;
}

/** A config name's aggregator over head representations; `beta` feeds `mean-spread`. */
export function makeEnsembleAggregator(name: AggregatorName, beta: () => number): EnsembleAggregator {
  return name === 'min-by-expectation' ? minByExpectation : elementwise(makeAggregator(name, beta));
}

export class CriticEnsemble {
  readonly store: ParamStore;
  readonly nets: EngineNet[];
  readonly targetStore: ParamStore;
  readonly targets: EngineNet[];
  /** One row's representations of every member (K × D), and the aggregator's weights on them. */
  private readonly reps: Float64Array;
  private readonly w: Float64Array;
  private readonly dRep: Float64Array;
  private readonly combined: Float64Array;
  /** Multi-task: the task embedding in the store, else null. */
  readonly embedding: TaskEmbedding | null;
  /** Width of a state row: obsDim, plus the embedding's size. */
  readonly stateDim: number;
  /** Width of a member's input, [obs, act, e]. */
  readonly inDim: number;

  constructor(readonly arena: Arena, readonly size: number, readonly obsDim: number, readonly actDim: number, trunk: TrunkSpec, rng: Rng, readonly head: ValueHead = scalarHead, embedding?: { tasks: number; dim: number }) {
    const E = embedding?.dim ?? 0;
    this.inDim = obsDim + actDim + E;
    this.stateDim = obsDim + E;
    const online = makeNets(arena, size, this.inDim, head.outputs, trunk, rng, undefined, embedding ? [TaskEmbedding.table(embedding.tasks, E)] : []);
    // the table follows the members' tensors
    this.embedding = embedding ? new TaskEmbedding(embedding.tasks, E, online.store.shapes.length - 1) : null;
    const target = makeTargetNets(arena, online);
    this.store = online.store;
    this.nets = online.nets;
    this.targetStore = target.store;
    this.targets = target.nets;
    const D = head.outputs;
    this.reps = new Float64Array(size * D);
    this.w = new Float64Array(size * D);
    this.dRep = new Float64Array(size * D);
    this.combined = new Float64Array(D);
  }

  /** Sizes every network's buffers for n rows, so that no allocation detaches a view mid-pass. */
  reserve(n: number): void {
    for (const net of [...this.nets, ...this.targets]) net.outputGrad(n);
  }

  /** Writes [obs, a, e] (n rows) of states s = [obs, e] and actions a into a network's input. */
  private feed(net: EngineNet, s: Float32Array, a: Float32Array, n: number): void {
    const { obsDim, actDim, stateDim, inDim: w } = this;
    const x = net.input(n);
    for (let i = 0; i < n; i++) {
      x.set(s.subarray(i * stateDim, i * stateDim + obsDim), i * w);
      x.set(a.subarray(i * actDim, (i + 1) * actDim), i * w + obsDim);
      if (stateDim > obsDim) x.set(s.subarray(i * stateDim + obsDim, (i + 1) * stateDim), i * w + obsDim + actDim);
    }
  }

  /** States [obs, e(task_i)] with the online embedding (the observations themselves for a single-task ensemble). */
  state(obs: Float32Array, task: ArrayLike<number> | undefined, n: number): Float32Array {
    return this.embedding ? this.embedding.append(this.store, obs, this.obsDim, task, n) : obs;
  }

  /** States of the target critics: [obs, e(task_i)] with the target copy's embedding. */
  targetState(s: Float32Array, task: ArrayLike<number> | undefined, n: number): Float32Array {
    return this.restate(s, task, n, 'target');
  }

  /**
   * States s (rows [obs, e]) with e rewritten from the online or target table, a copy (s itself for a
   * single-task ensemble): the online one after the critic's optimiser step moved the table.
   */
  restate(s: Float32Array, task: ArrayLike<number> | undefined, n: number, which: 'online' | 'target' = 'online'): Float32Array {
    const e = this.embedding;
    if (!e) return s;
    const out = s.slice(0, n * this.stateDim);
    const store = which === 'online' ? this.store : this.targetStore;
    for (let i = 0; i < n; i++) e.write(store, task ? task[i]! : 0, out, i * this.stateDim + this.obsDim);
    return out;
  }

  /** Each member's raw outputs (n × D, copies), online or target networks. */
  outputs(s: Float32Array, a: Float32Array, n: number, which: 'online' | 'target' = 'online'): Float32Array[] {
    this.reserve(n);
    const D = this.head.outputs;
    return (which === 'online' ? this.nets : this.targets).map((net) => {
      this.feed(net, s, a, n);
      return this.arena.f32(net.run(n), n * D).slice();
    });
  }

  /** Each member's Q(s, a) (the head's expectation; a scalar head's output), online or target networks. */
  values(s: Float32Array, a: Float32Array, n: number, which: 'online' | 'target' = 'online'): Float32Array[] {
    const outs = this.outputs(s, a, n, which);
    const { head } = this;
    if (head.kind === 'scalar') return outs;
    const D = head.outputs;
    const rep = new Float64Array(D);
    return outs.map((out) => Float32Array.from({ length: n }, (_, i) => {
      head.represent(out, i * D, rep, 0);
      return expectationOf(head, rep, 0);
    }));
  }

  /**
   * The aggregated target critics' representation of (s′, a′) into out (n × D): for a scalar head
   * the aggregated Q̄, for quantiles the combined quantiles, for a categorical head the combined
   * probabilities.
   */
  /** Each target member's representations (n × D each: probabilities, quantiles, Q) of (s, a). */
  targetRepresentations(s: Float32Array, a: Float32Array, n: number): Float32Array[] {
    const outs = this.outputs(s, a, n, 'target');
    const D = this.head.outputs;
    const rep = new Float64Array(D);
    return outs.map((o) => {
      const r = new Float32Array(n * D);
      for (let i = 0; i < n; i++) {
        this.head.represent(o, i * D, rep, 0);
        for (let d = 0; d < D; d++) r[i * D + d] = rep[d]!;
      }
      return r;
    });
  }

  targetValue(s: Float32Array, a: Float32Array, n: number, agg: EnsembleAggregator, out: Float32Array): Float32Array {
    const outs = this.outputs(s, a, n, 'target');
    const { head, size: K, reps, combined } = this;
    const D = head.outputs;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) head.represent(outs[k]!, i * D, reps, k * D);
      agg.combine(reps, K, D, head.expectationWeights, combined, 0);
      for (let d = 0; d < D; d++) out[i * D + d] = combined[d]!;
    }
    return out;
  }

  /**
   * Zeroes the ensemble's gradients and adds those of Σ_k loss_k, each member's head loss toward the
   * target (n × D; scalar: CleanRL's qf1_loss + qf2_loss). Returns the loss and the mean Q of member 1
   * (CleanRL's qf1_values).
   */
  regressionGrad(s: Float32Array, a: Float32Array, target: Float32Array, n: number, task?: ArrayLike<number>): { loss: number; q1Mean: number } {
    this.reserve(n);
    this.store.zeroGrad();
    const { head, embedding, inDim: W, obsDim, actDim } = this;
    const D = head.outputs;
    let loss = 0;
    let q1Mean = 0;
    const dE = embedding ? new Float32Array(n * embedding.dim) : null;
    this.nets.forEach((net, k) => {
      this.feed(net, s, a, n);
      const out = this.arena.f32(net.run(n), n * D);
      const g = net.outputGrad(n);
      loss = head.loss(out, target, n, g, loss);
      if (k === 0) {
        for (let i = 0; i < n; i++) {
          head.represent(out, i * D, this.reps, 0);
          q1Mean += expectationOf(head, this.reps, 0) / n;
        }
      }
      net.backward(n, dE !== null);
      if (dE) {
        // Σ_k ∂loss_k/∂e, the e-part of each member's input gradient
        const dx = net.inputGradient(n);
        const E = embedding!.dim;
        for (let i = 0; i < n; i++) for (let j = 0; j < E; j++) dE[i * E + j] = dE[i * E + j]! + dx[i * W + obsDim + actDim + j]!;
      }
    });
    if (embedding && dE) embedding.backward(this.store, task, dE, embedding.dim, 0, n);
    return { loss, q1Mean };
  }

  /**
   * For an actor loss −coef·Σ_i Q_agg(s_i, a_i), Q_agg the expectation of the aggregated
   * representation: writes ∂/∂a into dA (n × actDim) and returns Q_agg per row. Only input gradients
   * are computed; the critics' parameters get none (their gradient from the actor's loss would be
   * discarded anyway).
   */
  actionGrad(s: Float32Array, a: Float32Array, n: number, agg: EnsembleAggregator, coef: number, dA: Float32Array): Float32Array {
    const { obsDim, actDim, head, size: K, reps, w, dRep, combined } = this;
    const D = head.outputs;
    const c = head.expectationWeights;
    this.reserve(n);
    const outs = this.nets.map((net) => {
      this.feed(net, s, a, n);
      return this.arena.f32(net.run(n), n * D);
    });
    const grads = this.nets.map((net) => net.outputGrad(n));
    const value = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) head.represent(outs[k]!, i * D, reps, k * D);
      agg.combine(reps, K, D, c, combined, 0);
      let v = 0;
      for (let d = 0; d < D; d++) v += c[d]! * combined[d]!;
      value[i] = v;
      agg.valueWeights(reps, K, D, c, w);
      for (let j = 0; j < K * D; j++) dRep[j] = -coef * w[j]!;
      for (let k = 0; k < K; k++) head.representBackward(reps, dRep, k * D, grads[k]!, i * D);
    }
    dA.fill(0, 0, n * actDim);
    const W = this.inDim;
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
