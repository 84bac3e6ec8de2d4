/**
 * Sampling without replacement over a small categorical domain, and the gradient estimators built on
 * it (spec estimators.md §2.4–2.5). Pure functions on float64 log-probabilities; no tensors.
 *
 * - Gumbel-top-k: the k largest logp(a) + g_a (g i.i.d. Gumbel(0,1)) are an ordered sample without
 *   replacement (Plackett–Luce). κ, the (k+1)-th largest perturbed value, is kept for the IW estimator.
 * - Unordered-set estimator (Kool, van Hoof, Welling 2020): Σ_{s∈S} ∇p(s) R(S,s) f(s), and its
 *   built-in-baseline form (USBL) Σ_{s∈S} ∇p(s) R(S,s) (f(s) − B_s), with the leave-one-out ratio
 *   R(S,s) = p^{D∖s}(S∖s)/p(S) and B_s = Σ_{s'∈S} p(s') R^{D∖s}(S,s') f(s'), R^{D∖s}(S,s) = 1.
 * - Importance-weighted threshold estimator (priority sampling): Σ_{s∈S} p(s)/q_κ(s) h(s), with
 *   q_κ(s) = 1 − exp(−exp(logp(s) − κ)); unbiased for Σ_s p(s) h(s) for any h.
 *
 * Numerics, all in log space:
 * - every "1 − p(T)" is computed as the log of the mass of the complement, logsumexp of the
 *   log-probabilities outside T (the input is a normalised distribution), never as log(1 − Σ p):
 *   exact even when one action has probability 1 − 1e−9;
 * - the set probabilities p(S) use the subset dynamic programme over Plackett–Luce orderings
 *   (O(2^k · k) terms instead of k! permutations), so k up to ~16 is cheap;
 * - log(1 − e^x) by log1mexp (log(−expm1 x) for x > −ln 2, log1p(−e^x) otherwise).
 * A set that holds (almost) all the mass gives R = 1 exactly through the same formulas; Kool's code
 * special-cases Σ_{s∈S} p(s) > 1 − 1e−5 to log R = 0, which this formulation does not need.
 */
import type { Rng } from '../common/rng.js';

export function logSumExp(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i]! > m) m = xs[i]!;
  if (m === -Infinity) return -Infinity;
  if (m === Infinity) return Infinity;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp(xs[i]! - m);
  return m + Math.log(s);
}

/** log(1 − e^x) for x ≤ 0. */
export function log1mexp(x: number): number {
  if (x > 0) throw new RangeError(`log1mexp: expected x ≤ 0, got ${x}`);
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** Normalised log-probabilities (log-softmax) of a logit vector, in float64. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  const z = logSumExp(logits);
  return Float64Array.from({ length: logits.length }, (_, i) => logits[i]! - z);
}

export interface TopK {
  /** The k drawn items in Plackett–Luce order (largest perturbed value first). */
  items: number[];
  /** The (k+1)-th largest perturbed log-probability; −∞ when k equals the domain size. */
  kappa: number;
}

/** Gumbel-top-k: k distinct items from the distribution exp(logp). Draws one Gumbel per item. */
export function gumbelTopK(logp: ArrayLike<number>, k: number, rng: Rng): TopK {
  const n = logp.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`gumbelTopK: k must be an integer in [1, ${n}], got ${k}`);
  const perturbed = Array.from({ length: n }, (_, i) => logp[i]! + rng.gumbel());
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => perturbed[b]! - perturbed[a]! || a - b);
  return { items: order.slice(0, k), kappa: k < n ? perturbed[order[k]!]! : -Infinity };
}

/** log of the probability mass of the items of `domain` not in `excluded` (bit masks over item positions). */
function massOutside(logp: ArrayLike<number>, excludedMask: number): number {
  const xs: number[] = [];
  for (let i = 0; i < logp.length; i++) if (!(excludedMask & (1 << i))) xs.push(logp[i]!);
  return logSumExp(xs);
}

/**
 * log p^{D∖A}(S): the probability that Gumbel-top-|S| from p restricted to D∖A (renormalised) yields
 * the set S (any order). S and A are disjoint lists of item indices into `logp` (a normalised
 * distribution over D). Subset DP: f(T) = logsumexp_{s∈T} f(T∖s) + logp(s) − log p(D∖(A ∪ T∖s)).
 */
export function logSetProbability(logp: ArrayLike<number>, set: readonly number[], excluded: readonly number[] = []): number {
  const n = logp.length;
  if (n > 30) throw new RangeError(`logSetProbability: at most 30 items, got ${n}`);
  const k = set.length;
  if (k === 0) return 0;
  const aMask = excluded.reduce((m, i) => m | (1 << i), 0);
  const f = new Float64Array(1 << k).fill(-Infinity);
  f[0] = 0;
  const terms: number[] = [];
  for (let t = 1; t < 1 << k; t++) {
    terms.length = 0;
    for (let j = 0; j < k; j++) {
      if (!(t & (1 << j))) continue;
      const prev = t & ~(1 << j);
      const lp = logp[set[j]!]!;
      if (lp === -Infinity || f[prev] === -Infinity) continue;
      let prevMask = aMask;
      for (let i = 0; i < k; i++) if (prev & (1 << i)) prevMask |= 1 << set[i]!;
      terms.push(f[prev]! + lp - massOutside(logp, prevMask));
    }
    f[t] = logSumExp(terms);
  }
  return f[(1 << k) - 1]!;
}

/** log R(S, s) = log p^{D∖s}(S∖s) − log p(S) for every s ∈ S (same order as `set`). */
export function leaveOneOutLogRatios(logp: ArrayLike<number>, set: readonly number[]): Float64Array {
  const logPS = logSetProbability(logp, set);
  return Float64Array.from(set, (s) => logSetProbability(logp, set.filter((x) => x !== s), [s]) - logPS);
}

export interface SetEstimatorTerms {
  /** Per item of the set: the coefficient c_s of ∇log p(s) is weight_s · (f(s) − baseline_s). */
  weights: Float64Array;
  baselines: Float64Array;
}

/**
 * Unordered-set estimator terms: ∇E_p[f] ≈ Σ_{s∈S} weight_s ∇log p(s) (f(s) − baseline_s), with
 * weight_s = p(s) R(S,s) (so weight_s ∇log p = ∇p · R). With `builtInBaseline` the baseline is
 * B_s = Σ_{s'∈S} p(s') R^{D∖s}(S,s') f(s'); without, 0.
 * The built-in baseline needs k ≥ 2: B_s estimates Σ_{s'≠s} p(s') f(s') from the other k − 1 items,
 * and with none (k = 1) it would be p(s) f(s), a biased baseline (the exhaustive test shows it). So a
 * one-item set gets baseline 0 — the plain estimator ∇log p(s) f(s).
 */
export function unorderedSetTerms(logp: ArrayLike<number>, set: readonly number[], f: ArrayLike<number>, builtInBaseline = true): SetEstimatorTerms {
  const k = set.length;
  const logR = leaveOneOutLogRatios(logp, set);
  const weights = Float64Array.from(set, (s, i) => Math.exp(logp[s]! + logR[i]!));
  const baselines = new Float64Array(k);
  if (builtInBaseline && k >= 2) {
    for (let i = 0; i < k; i++) {
      const s = set[i]!;
      const rest = set.filter((x) => x !== s);
      const logDenom = logSetProbability(logp, rest, [s]);
      let b = Math.exp(logp[s]!) * f[i]!;
      for (let j = 0; j < k; j++) {
        if (j === i) continue;
        const s2 = set[j]!;
        const logNum = logSetProbability(logp, rest.filter((x) => x !== s2), [s, s2]);
        b += Math.exp(logp[s2]! + logNum - logDenom) * f[j]!;
      }
      baselines[i] = b;
    }
  }
  return { weights, baselines };
}

/**
 * Importance weights p(s)/q_κ(s) of the threshold (priority-sampling) estimator for the items of a
 * Gumbel-top-k sample with threshold κ; q = 1, i.e. weight p(s), when κ = −∞ (the whole domain
 * was drawn).
 */
export function thresholdWeights(logp: ArrayLike<number>, set: readonly number[], kappa: number): Float64Array {
  return Float64Array.from(set, (s) => {
    if (kappa === -Infinity) return Math.exp(logp[s]!);
    const logQ = log1mexp(-Math.exp(logp[s]! - kappa));
    return Math.exp(logp[s]! - logQ);
  });
}
