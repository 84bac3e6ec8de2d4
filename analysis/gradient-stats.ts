/**
 * Statistics of K gradient estimates of one policy (spec estimators.md: App. C.4 / Ilyas et al.):
 * - total_variance: trace of the sample covariance, Σ_p Σ_k (g_kp − ḡ_p)² / (K − 1)
 * - mean_param_variance: total_variance / P
 * - relative_variance: total_variance / ‖ḡ‖²
 * - mean_pairwise_cosine: mean over k < l of cos(g_k, g_l)
 * - cosine_to_reference: mean over k of cos(g_k, g_ref), g_ref from a larger batch
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
  return {
    mean_grad_norm: grads.reduce((s, g) => s + norm(g), 0) / K,
    norm_of_mean_grad: meanNorm,
    total_variance: total,
    mean_param_variance: total / P,
    relative_variance: total / (meanNorm * meanNorm),
    mean_pairwise_cosine: pair / pairs,
    cosine_to_reference: grads.reduce((s, g) => s + cosine(g, reference), 0) / K,
    reference_grad_norm: norm(reference),
  };
}
