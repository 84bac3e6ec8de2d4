/**
 * Value heads behind one interface (spec baselines.md §1, §12.3): what a critic network's outputs
 * mean, how a TD target is built from the aggregated next-state prediction, and the loss toward it.
 *
 *   scalar       1 output, Q itself; target y = r + γm(q̄ − α log π); loss (Q − y)² (SAC, TD3, DAC).
 *   quantile     N outputs, the quantiles at τ_i = (i + ½)/N; target quantiles T_j = r + γm(q̄_j −
 *                α log π); BRO's QR-Huber loss (κ = 1), summed over i, averaged over j and the batch;
 *                Q = the mean of the quantiles (§6).
 *   categorical  K logits over the support z = linspace(vMin, vMax, K); probabilities softmax(logits);
 *                target 'c51': the shifted next-state distribution projected onto z (BRC's entropy
 *                shift t_k = r + γm(z_k − α log π), clipped; l = u handled as BRC or FastTD3),
 *                'two-hot' / 'hl-gauss': the scalar target r + γm(E p̄ − α log π) projected onto z;
 *                loss the cross-entropy; Q = Σ_k z_k p_k (§8, §9).
 *
 * A head works on its *representation* of one row's outputs: the outputs themselves (scalar,
 * quantile) or their softmax (categorical). Q is a fixed linear functional of it, Q = Σ_d c_d·rep_d
 * (`expectationWeights`: 1; 1/N each; z), so the ensemble's aggregators (offpolicy/critics.ts)
 * combine representations — per element, or a whole member by its expectation — and the actor's
 * gradient goes back through c, the aggregator and `representBackward`.
 *
 * The maths (quantile Huber loss, C51 projection, cross-entropy, two-hot, HL-Gauss) lives in
 * offpolicy/distributional.ts and is tested there; this file wires it to the engine's networks.
 */
import type { OffPolicyConfig } from './config.js';
import { categoricalCrossEntropy, categoricalProjection, hlGauss, quantileHuberLoss, support, twoHot, type ProjectionEdge } from './distributional.js';

export const VALUE_HEADS = ['scalar', 'quantile', 'categorical'] as const;
export type ValueHeadKind = (typeof VALUE_HEADS)[number];
export const CATEGORICAL_TARGETS = ['c51', 'two-hot', 'hl-gauss'] as const;
export type CategoricalTarget = (typeof CATEGORICAL_TARGETS)[number];
export const C51_EDGES = ['brc', 'fasttd3'] as const;

export interface ValueHead {
  readonly kind: ValueHeadKind;
  /** Network outputs per row, which is also the width of a representation and of a target row. */
  readonly outputs: number;
  /** c: Q = Σ_d c_d·rep_d. */
  readonly expectationWeights: Float64Array;
  /** rep[r..r+D) ← the representation of out[o..o+D). */
  represent(out: ArrayLike<number>, o: number, rep: Float64Array, r: number): void;
  /** dOut[o..o+D) ← ∂L/∂out from dRep[r..r+D) = ∂L/∂rep, where rep[r..r+D) = represent(out[o..]). */
  representBackward(rep: Float64Array, dRep: Float64Array, r: number, dOut: Float32Array, o: number): void;
  /**
   * The TD target (n rows of D values, into out) from the aggregated next-state representation
   * `next` (n × D), rewards, termination flags (m = 1 − terminated: truncation bootstraps), γ (or
   * one discount per row: n-step returns' γ^(effective n), offpolicy/nstep.ts) and the entropy term α·log π(a′|s′) (null: none, deterministic policies).
   */
  target(next: Float32Array, rew: Float32Array, terminated: Float32Array, gamma: Discount, entropy: Float32Array | null, n: number, out: Float32Array): Float32Array;
  /**
   * One member's loss on its outputs (n × D) toward the target (n × D, held fixed), added to `total`
   * (so members accumulate into one sum); ∂(its loss)/∂out written into grad.
   */
  loss(out: Float32Array, target: Float32Array, n: number, grad: Float32Array, total?: number): number;
}

/** γ for every row, or one discount per row. */
export type Discount = number | ArrayLike<number>;

/** Row i's discount. */
export function discountAt(gamma: Discount, i: number): number {
  return typeof gamma === 'number' ? gamma : gamma[i]!;
}

/** Q = Σ_d c_d·rep_d of one representation. */
export function expectationOf(head: ValueHead, rep: Float64Array, r: number): number {
  const c = head.expectationWeights;
  let q = 0;
  for (let d = 0; d < c.length; d++) q += c[d]! * rep[r + d]!;
  return q;
}

function copyRep(out: ArrayLike<number>, o: number, rep: Float64Array, r: number, D: number): void {
  for (let d = 0; d < D; d++) rep[r + d] = out[o + d]!;
}

function copyGrad(dRep: Float64Array, r: number, dOut: Float32Array, o: number, D: number): void {
  for (let d = 0; d < D; d++) dOut[o + d] = dRep[r + d]!;
}

/** The scalar head: Q itself, regressed with the squared error (CleanRL's qf_loss, per member). */
export const scalarHead: ValueHead = {
  kind: 'scalar',
  outputs: 1,
  expectationWeights: Float64Array.of(1),
  represent: (out, o, rep, r) => copyRep(out, o, rep, r, 1),
  representBackward: (_rep, dRep, r, dOut, o) => copyGrad(dRep, r, dOut, o, 1),
  target(next, rew, terminated, gamma, entropy, n, out) {
    for (let i = 0; i < n; i++) out[i] = rew[i]! + discountAt(gamma, i) * (1 - terminated[i]!) * (next[i]! - (entropy ? entropy[i]! : 0));
    return out;
  },
  loss(out, y, n, g, total = 0) {
    for (let i = 0; i < n; i++) {
      const e = out[i]! - y[i]!;
      total += (e * e) / n;
      g[i] = (2 * e) / n;
    }
    return total;
  },
};

/** BRO's quantile head: N quantiles at τ_i = (i + ½)/N, the QR-Huber loss with κ (spec §1, §6 [code]). */
export function quantileHead(quantiles: number, kappa = 1): ValueHead {
  if (!Number.isInteger(quantiles) || quantiles < 1) throw new Error(`quantileHead: quantiles must be a positive integer, got ${quantiles}`);
  const N = quantiles;
  return {
    kind: 'quantile',
    outputs: N,
    expectationWeights: new Float64Array(N).fill(1 / N),
    represent: (out, o, rep, r) => copyRep(out, o, rep, r, N),
    representBackward: (_rep, dRep, r, dOut, o) => copyGrad(dRep, r, dOut, o, N),
    target(next, rew, terminated, gamma, entropy, n, out) {
      for (let i = 0; i < n; i++) {
        const gm = discountAt(gamma, i) * (1 - terminated[i]!);
        const ent = entropy ? entropy[i]! : 0;
        for (let j = 0; j < N; j++) out[i * N + j] = rew[i]! + gm * (next[i * N + j]! - ent);
      }
      return out;
    },
    loss(out, target, n, g, total = 0) {
      const r = quantileHuberLoss(Float64Array.from(out.subarray(0, n * N)), Float64Array.from(target.subarray(0, n * N)), n, N, N, kappa);
      for (let k = 0; k < n * N; k++) g[k] = r.grad[k]!;
      return total + r.loss;
    },
  };
}

export interface CategoricalHeadOptions {
  atoms: number;
  vMin: number;
  vMax: number;
  /** 'c51' projects the next-state distribution (BRC, FastTD3); 'two-hot' and 'hl-gauss' the scalar target. */
  target?: CategoricalTarget;
  /** HL-Gauss σ in bin widths (0.75: the recommendation the spec cites, [unverified]). */
  hlGaussSigma?: number;
  /** C51's rule for an atom landing exactly on the support (BRC's, FastTD3's). */
  edge?: ProjectionEdge;
}

/** A categorical head: K logits over z = linspace(vMin, vMax, K), cross-entropy toward a projected target (spec §1, §8, §9). */
export function categoricalHead(o: CategoricalHeadOptions): ValueHead {
  const z = support(o.vMin, o.vMax, o.atoms);
  const K = o.atoms;
  const mode = o.target ?? 'c51';
  const sigma = (o.hlGaussSigma ?? 0.75) * (z[1]! - z[0]!);
  const edge = o.edge ?? 'brc';
  return {
    kind: 'categorical',
    outputs: K,
    expectationWeights: z,
    represent(out, off, rep, r) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, out[off + k]!);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += rep[r + k] = Math.exp(out[off + k]! - max);
      for (let k = 0; k < K; k++) rep[r + k] = rep[r + k]! / sum;
    },
    // softmax: ∂L/∂logit_d = p_d·(∂L/∂p_d − Σ_e p_e·∂L/∂p_e)
    representBackward(rep, dRep, r, dOut, off) {
      let dot = 0;
      for (let k = 0; k < K; k++) dot += rep[r + k]! * dRep[r + k]!;
      for (let k = 0; k < K; k++) dOut[off + k] = rep[r + k]! * (dRep[r + k]! - dot);
    },
    target(next, rew, terminated, gamma, entropy, n, out) {
      if (mode === 'c51') {
        const continues = Float64Array.from({ length: n }, (_, i) => 1 - terminated[i]!);
        const p = categoricalProjection({ probs: Float64Array.from(next.subarray(0, n * K)), rewards: rew.subarray(0, n), continues, discount: typeof gamma === 'number' ? gamma : Float64Array.from({ length: n }, (_, i) => gamma[i]!), vMin: o.vMin, vMax: o.vMax, entropy: entropy ? entropy.subarray(0, n) : undefined, edge });
        out.set(p);
        return out;
      }
      for (let i = 0; i < n; i++) {
        let mean = 0;
        for (let k = 0; k < K; k++) mean += z[k]! * next[i * K + k]!;
        const y = rew[i]! + discountAt(gamma, i) * (1 - terminated[i]!) * (mean - (entropy ? entropy[i]! : 0));
        out.set(mode === 'two-hot' ? twoHot(y, z) : hlGauss(y, z, sigma), i * K);
      }
      return out;
    },
    loss(out, target, n, g, total = 0) {
      const r = categoricalCrossEntropy(Float64Array.from(out.subarray(0, n * K)), Float64Array.from(target.subarray(0, n * K)), n);
      for (let k = 0; k < n * K; k++) g[k] = r.grad[k]!;
      return total + r.loss;
    },
  };
}

export type HeadConfig = Pick<OffPolicyConfig, 'valueHead' | 'quantiles' | 'huberKappa' | 'atoms' | 'vMin' | 'vMax' | 'categoricalTarget' | 'hlGaussSigma' | 'c51Edge'>;

/** The head of a config (configs written before `valueHead` existed: scalar). */
export function makeHead(c: Partial<HeadConfig>): ValueHead {
  switch (c.valueHead ?? 'scalar') {
    case 'scalar':
      return scalarHead;
    case 'quantile':
      return quantileHead(c.quantiles ?? 100, c.huberKappa ?? 1);
    case 'categorical':
      return categoricalHead({ atoms: c.atoms ?? 101, vMin: c.vMin ?? -10, vMax: c.vMax ?? 10, target: c.categoricalTarget, hlGaussSigma: c.hlGaussSigma, edge: c.c51Edge });
  }
}
