/**
 * Statistics of K gradient estimates of one policy (spec estimators.md §1.11 (App. C.4), §3):
 * - total_variance: trace of the sample covariance, Σ_p Σ_k (g_kp − ḡ_p)² / (K − 1)
 * - mean_param_variance: total_variance / P
 * - relative_variance: total_variance / ‖ḡ‖² (a robust, ratio-of-sums relative variance)
 * - mean_pairwise_cosine: mean over k < l of cos(g_k, g_l) (Ilyas et al.)
 * - cosine_to_reference: mean over k of cos(g_k, g_ref), g_ref from a larger batch
 * - relative_bias (App. C.4): (1/P) Σ_p |ḡ_p − g_ref,p| / |ḡ_p|
 * - relative_variance_app_c4 (App. C.4): (1/P) Σ_p Var_k(g_kp) / ḡ_p²
 * - robust_relative_bias: ‖ḡ − g_ref‖ / ‖g_ref‖
 * The App. C.4 ratios are dominated by parameters whose mean gradient is near zero; the robust
 * versions are the ones to compare estimators by. Parameters with ḡ_p = 0 exactly are skipped there.
 */
export interface GradientStats {
  mean_grad_norm: number;
  norm_of_mean_grad: number;
  total_variance: number;
  mean_param_variance: number;
  relative_variance: number;
  mean_pairwise_cosine: number;
  cosine_to_reference: number;
  reference_grad_norm: number;
  relative_bias: number;
  relative_variance_app_c4: number;
  robust_relative_bias: number;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

export function cosine(a: Float64Array, b: Float64Array): number {
  const d = norm(a) * norm(b);
  return d === 0 ? 0 : dot(a, b) / d;
}

export function meanVector(gs: Float64Array[]): Float64Array {
  const m = new Float64Array(gs[0]!.length);
  for (const g of gs) for (let i = 0; i < m.length; i++) m[i]! += g[i]!;
  for (let i = 0; i < m.length; i++) m[i]! /= gs.length;
  return m;
}

export function gradientStats(grads: Float64Array[], reference: Float64Array): GradientStats {
  const K = grads.length;
  if (K < 2) throw new Error(`gradient statistics need at least 2 estimates, got ${K}`);
  const P = grads[0]!.length;
  const mean = meanVector(grads);
  let total = 0;
  for (const g of grads) for (let i = 0; i < P; i++) total += (g[i]! - mean[i]!) ** 2;
  total /= K - 1;
  let pair = 0;
  let pairs = 0;
  for (let k = 0; k < K; k++)
    for (let l = k + 1; l < K; l++) {
      pair += cosine(grads[k]!, grads[l]!);
      pairs += 1;
    }
  const meanNorm = norm(mean);
  let biasSum = 0;
  let varSum = 0;
  let counted = 0;
  for (let i = 0; i < P; i++) {
    const m = mean[i]!;
    if (m === 0) continue;
    let v = 0;
    for (const g of grads) v += (g[i]! - m) ** 2;
    v /= K - 1;
    biasSum += Math.abs(m - reference[i]!) / Math.abs(m);
    varSum += v / (m * m);
    counted += 1;
  }
  let diff = 0;
  for (let i = 0; i < P; i++) diff += (mean[i]! - reference[i]!) ** 2;
  return {
    mean_grad_norm: grads.reduce((s, g) => s + norm(g), 0) / K,
    norm_of_mean_grad: meanNorm,
    total_variance: total,
    mean_param_variance: total / P,
    relative_variance: total / (meanNorm * meanNorm),
    mean_pairwise_cosine: pair / pairs,
    cosine_to_reference: grads.reduce((s, g) => s + cosine(g, reference), 0) / K,
    reference_grad_norm: norm(reference),
    relative_bias: biasSum / counted,
    relative_variance_app_c4: varSum / counted,
    robust_relative_bias: Math.sqrt(diff) / norm(reference),
  };
}

export type IntervalKey = 'relative_variance' | 'relative_variance_app_c4' | 'relative_bias' | 'mean_pairwise_cosine' | 'cosine_to_reference' | 'robust_relative_bias' | 'mean_grad_norm';
export const INTERVAL_KEYS: IntervalKey[] = ['relative_variance', 'relative_variance_app_c4', 'relative_bias', 'mean_pairwise_cosine', 'cosine_to_reference', 'robust_relative_bias', 'mean_grad_norm'];

/**
 * Percentile-bootstrap 95 % intervals of the main statistics: resample the K estimates with
 * replacement `resamples` times (seeded), recompute, take the 2.5th and 97.5th percentiles.
 */
export function bootstrapIntervals(grads: Float64Array[], reference: Float64Array, resamples: number, rng: { int(n: number): number }): Record<IntervalKey, [number, number]> {
  const K = grads.length;
  const draws = Object.fromEntries(INTERVAL_KEYS.map((k) => [k, [] as number[]])) as Record<IntervalKey, number[]>;
  for (let b = 0; b < resamples; b++) {
    const sample = Array.from({ length: K }, () => grads[rng.int(K)]!);
    // a resample made of one repeated estimate has no spread; skip it
    if (sample.every((g) => g === sample[0])) continue;
    const s = gradientStats(sample, reference);
    for (const k of INTERVAL_KEYS) draws[k].push(s[k]);
  }
  const pct = (a: number[], q: number) => {
    const sorted = [...a].sort((x, y) => x - y);
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  };
  return Object.fromEntries(INTERVAL_KEYS.map((k) => [k, [pct(draws[k], 0.025), pct(draws[k], 0.975)]])) as Record<IntervalKey, [number, number]>;
}

/** Per-coordinate mean and unbiased variance of K vectors. */
function meanAndVariance(gs: Float64Array[]): { mean: Float64Array; variance: Float64Array } {
  const mean = meanVector(gs);
  const variance = new Float64Array(mean.length);
  for (const g of gs) for (let i = 0; i < mean.length; i++) variance[i]! += (g[i]! - mean[i]!) ** 2;
  for (let i = 0; i < mean.length; i++) variance[i]! /= gs.length - 1;
  return { mean, variance };
}

/**
 * The App. C.4 relative bias (1/P) Σ_p |ḡ_p − ḡ_ref,p| / |ḡ_p| that noise alone gives when the
 * estimator is unbiased: given ḡ_p, the difference ḡ_p − ḡ_ref,p is then about N(0, v_p/K +
 * v_ref,p/K_ref) and E|·| = √(2/π)·sd, so the floor is (1/P) Σ_p √(2/π)·√(v_p/K + v_ref,p/K_ref)/|ḡ_p|
 * (parameters with ḡ_p = 0 skipped, as in `gradientStats`). It is a floor: the noise of ḡ_p sits in
 * both the numerator and the denominator, and in simulation an unbiased estimator's metric averages
 * 1.1–1.2× it (test/variance-lab.test.ts).
 */
export function appC4BiasNoiseFloor(grads: Float64Array[], refPool: Float64Array[]): number {
  const a = meanAndVariance(grads);
  const r = meanAndVariance(refPool);
  const K = grads.length;
  const Kr = refPool.length;
  let sum = 0;
  let counted = 0;
  for (let p = 0; p < a.mean.length; p++) {
    const m = a.mean[p]!;
    if (m === 0) continue;
    sum += (Math.sqrt(2 / Math.PI) * Math.sqrt(a.variance[p]! / K + r.variance[p]! / Kr)) / Math.abs(m);
    counted += 1;
  }
  return sum / counted;
}
