/**
 * Unbiased gradient statistics with intervals that hold their coverage (issue 17; spec estimators.md
 * §1.11). From K estimates g_1..g_K of one estimator and a pool of K_ref independent reference
 * estimates r_1..r_Kref (the plain estimator on further batches of the same size):
 *
 * - trace_cov      tr Σ, unbiased: Σ_k ‖g_k − ḡ‖² / (K − 1)
 * - mean_sq_norm   ‖μ‖², unbiased U-statistic: mean over k ≠ l of g_k·g_l  (= ‖ḡ‖² − tr Σ̂ / K)
 * - relative_variance   tr Σ / ‖μ‖², the ratio of the two unbiased estimates
 * - sq_bias        ‖E g − E g_ref‖², noise-corrected: ‖ḡ − r̄‖² − tr Σ̂ / K − tr Σ̂_ref / K_ref
 * - relative_sq_bias    ‖E g − E g_ref‖² / ‖E g_ref‖²
 * - pairwise_cosine     E cos(g, g') of two independent estimates: mean over k < l of cos(g_k, g_l)
 *
 * Every statistic is a function of the Gram matrix of the estimates, so leave-one-out values cost
 * O(K²) from it. Intervals (95 % by default), all with Student-t quantiles from jStat:
 * - trace_cov: leave-one-out jackknife on log tr Σ̂, df K − 1 (positive, right-skewed);
 * - mean_sq_norm, pairwise_cosine: jackknife of the U-statistic on the raw scale, df K − 1;
 * - sq_bias: two-sample jackknife (delete one estimate, then one reference estimate), df by
 *   Welch–Satterthwaite from the two parts;
 * - ratios (relative_variance, relative_sq_bias, and the paired variance ratio): Fieller's interval
 *   from the jackknife: R is in the set when T − R·M (an unbiased statistic with mean 0 at the true
 *   R) passes a t-test. Where the denominator is not significantly > 0 the set is unbounded: the
 *   interval is reported as [lo, +∞) with `resolved: false` ('not resolved at this sample size'), and
 *   the point estimate is null when the denominator's estimate is ≤ 0.
 * Coverage of each is tested on Gaussian gradients (test/interval-coverage.test.ts).
 */
import { jStat } from '../common/jstat.js';

export interface Interval {
  /** Point estimate; null where it is undefined (a ratio whose denominator estimate is ≤ 0). */
  estimate: number | null;
  lo: number;
  /** +Infinity for an unbounded (not resolved) ratio interval; JSON writes it as null. */
  hi: number;
  /** Jackknife standard error of the estimate (of its log for trace_cov); NaN for Fieller ratios. */
  se: number;
  df: number;
  /** The interval is bounded and excludes 0 (for ratios: bounded). */
  resolved: boolean;
}

export interface BiasInterval extends Interval {
  /**
   * When not resolved and the estimate is > 0: the number of estimates K at which the current
   * estimate would be resolved, the estimator's part of the standard error scaling as 1/√K and the
   * reference pool's part fixed; null when no K would do (estimate ≤ 0, or the reference pool's own
   * noise alone is too large: then `reference_limited`).
   */
  estimates_to_resolve: number | null;
  reference_limited: boolean;
  /** The whole interval lies below 0, which a squared bias cannot: the noise correction is off (flagged, not a finding). */
  below_zero: boolean;
  note: string;
}

export interface EstimatorIntervals {
  K: number;
  K_ref: number;
  level: number;
  trace_cov: Interval;
  mean_sq_norm: Interval;
  relative_variance: Interval;
  sq_bias: BiasInterval;
  relative_sq_bias: Interval;
  pairwise_cosine: Interval;
}

export interface PairedComparison {
  estimator: string;
  baseline: string;
  K: number;
  /** tr Σ_A / tr Σ_B (Fieller interval from the paired jackknife over the shared batches). */
  variance_ratio: Interval;
  /** log(tr Σ_A / tr Σ_B) with the log of the ratio's interval. */
  log_variance_ratio: Interval;
  /** ‖E g_A − E g_ref‖² − ‖E g_B − E g_ref‖² (paired jackknife over batches and reference estimates). */
  sq_bias_difference: Interval;
  variance_verdict: string;
  bias_verdict: string;
}

/** Gram products of one estimator's K estimates: G (K×K, row-major) and C (K×K_ref) with the reference pool. */
export interface SampleGram {
  K: number;
  G: Float64Array;
  C: Float64Array;
}

export interface RefGram {
  K: number;
  G: Float64Array;
}

export function gram(xs: Float64Array[]): Float64Array {
  const K = xs.length;
  const G = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    const a = xs[i]!;
    for (let j = i; j < K; j++) {
      const b = xs[j]!;
      let s = 0;
      for (let p = 0; p < a.length; p++) s += a[p]! * b[p]!;
      G[i * K + j] = s;
      G[j * K + i] = s;
    }
  }
  return G;
}

export function cross(xs: Float64Array[], ys: Float64Array[]): Float64Array {
  const C = new Float64Array(xs.length * ys.length);
  for (let i = 0; i < xs.length; i++) {
    const a = xs[i]!;
    for (let j = 0; j < ys.length; j++) {
      const b = ys[j]!;
      let s = 0;
      for (let p = 0; p < a.length; p++) s += a[p]! * b[p]!;
      C[i * ys.length + j] = s;
    }
  }
  return C;
}

export function sampleGram(grads: Float64Array[], refPool: Float64Array[]): SampleGram {
  return { K: grads.length, G: gram(grads), C: cross(grads, refPool) };
}

export function refGram(refPool: Float64Array[]): RefGram {
  return { K: refPool.length, G: gram(refPool) };
}

/** Two-sided t quantile of the level (jStat). */
export function tQuantile(level: number, df: number): number {
  return jStat.studentt.inv(1 - (1 - level) / 2, df);
}

/** Jackknife variance (n − 1)/n Σ (θ₋ᵢ − θ̄₋)² of leave-one-out values, and covariance of two such. */
function jackCov(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return ((n - 1) / n) * s;
}

/**
 * Unbiased estimate of the covariance of the degenerate (second-order) Hoeffding parts of two
 * order-2 U-statistics with symmetric kernel matrices H1, H2 (diagonals ignored):
 * σ₂² = E h₁₂h'₁₂ − 2 E h₁₂h'₁₃ + E h₁₂ E h'₃₄, each term an unbiased U-statistic, O(K²).
 */
function sigma2(H1: Float64Array, H2: Float64Array, K: number): number {
  if (K < 4) return 0;
  let S1 = 0;
  let S2 = 0;
  let Q = 0;
  let rr = 0;
  for (let i = 0; i < K; i++) {
    let r1 = 0;
    let r2 = 0;
    for (let j = 0; j < K; j++) {
      if (j === i) continue;
      const a = H1[i * K + j]!;
      const b = H2[i * K + j]!;
      r1 += a;
      r2 += b;
      Q += a * b;
    }
    S1 += r1;
    S2 += r2;
    rr += r1 * r2;
  }
  const A = Q / (K * (K - 1));
  const B = (rr - Q) / (K * (K - 1) * (K - 2));
  const C = (S1 * S2 + 2 * Q - 4 * rr) / (K * (K - 1) * (K - 2) * (K - 3));
  return A - 2 * B + C;
}

/**
 * The leave-one-out jackknife overstates the variance of an order-2 U-statistic's degenerate part:
 * E v_J = 4σ₁²/K + 4σ₂²/(K(K − 2)) against Var = 4σ₁²/K + 2σ₂²/(K(K − 1)); this is the factor of σ₂²
 * to subtract. Without it intervals over-cover (≈ 99 %) where the signal is weak, e.g. zero bias.
 */
function jackExcess(K: number): number {
  return 4 / (K * (K - 2)) - 2 / (K * (K - 1));
}

/** Kernel matrices (zero diagonal) of ‖μ‖² (g_i·g_j) and of tr Σ (‖g_i − g_j‖²/2) from a Gram matrix. */
function kernels(G: Float64Array, K: number): { HU: Float64Array; HT: Float64Array } {
  const HU = new Float64Array(K * K);
  const HT = new Float64Array(K * K);
  for (let i = 0; i < K; i++)
    for (let j = 0; j < K; j++) {
      if (i === j) continue;
      HU[i * K + j] = G[i * K + j]!;
      HT[i * K + j] = (G[i * K + i]! + G[j * K + j]!) / 2 - G[i * K + j]!;
    }
  return { HU, HT };
}

/** Unbiased tr(Σ_g Σ_r) of two independent samples: tr(S_g S_r) from the doubly centred cross products. */
function traceProduct(C: Float64Array, K: number, Kr: number): number {
  const rm = new Float64Array(K);
  const cm = new Float64Array(Kr);
  let tm = 0;
  for (let i = 0; i < K; i++)
    for (let j = 0; j < Kr; j++) {
      rm[i]! += C[i * Kr + j]! / Kr;
      cm[j]! += C[i * Kr + j]! / K;
      tm += C[i * Kr + j]! / (K * Kr);
    }
  let s = 0;
  for (let i = 0; i < K; i++) for (let j = 0; j < Kr; j++) s += (C[i * Kr + j]! - rm[i]! - cm[j]! + tm) ** 2;
  return s / ((K - 1) * (Kr - 1));
}

/** Unbiased U-statistic ‖μ‖², unbiased tr Σ, and their leave-one-out values, from a Gram matrix. */
interface Moments {
  K: number;
  U: number;
  T: number;
  Uloo: Float64Array;
  Tloo: Float64Array;
}

function moments(G: Float64Array, K: number): Moments {
  if (K < 3) throw new Error(`interval statistics need at least 3 estimates, got ${K}`);
  const row = new Float64Array(K);
  let all = 0;
  let diag = 0;
  for (let i = 0; i < K; i++) {
    let r = 0;
    for (let j = 0; j < K; j++) r += G[i * K + j]!;
    row[i] = r;
    all += r;
    diag += G[i * K + i]!;
  }
  const U = (all - diag) / (K * (K - 1));
  const T = (diag - all / K) / (K - 1);
  const Uloo = new Float64Array(K);
  const Tloo = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    const d = G[i * K + i]!;
    const allI = all - 2 * row[i]! + d;
    const diagI = diag - d;
    Uloo[i] = (allI - diagI) / ((K - 1) * (K - 2));
    Tloo[i] = (diagI - allI / (K - 1)) / (K - 2);
  }
  return { K, U, T, Uloo, Tloo };
}

/** ḡ·r̄ and its leave-one-out values: deleting an estimate (length K) and deleting a reference estimate (length K_ref). */
function crossMoments(C: Float64Array, K: number, Kr: number): { X: number; Xg: Float64Array; Xr: Float64Array } {
  const rowC = new Float64Array(K);
  const colC = new Float64Array(Kr);
  let tot = 0;
  for (let i = 0; i < K; i++)
    for (let j = 0; j < Kr; j++) {
      const c = C[i * Kr + j]!;
      rowC[i]! += c;
      colC[j]! += c;
      tot += c;
    }
  const Xg = rowC.map((c) => (tot - c) / ((K - 1) * Kr));
  const Xr = colC.map((c) => (tot - c) / (K * (Kr - 1)));
  return { X: tot / (K * Kr), Xg, Xr };
}

/**
 * One deletion group of a jackknife for T (and, for ratios, M): leave-one-out values, and the
 * jackknife's excess variance of the degenerate parts to subtract (as coefficients of
 * Var(T − R·M) = tt − 2R·tm + R²·mm).
 */
interface Part {
  tLoo: ArrayLike<number>;
  mLoo?: ArrayLike<number>;
  ex?: Excess;
}
interface Excess {
  tt: number;
  tm: number;
  mm: number;
}
const NO_EXCESS: Excess = { tt: 0, tm: 0, mm: 0 };
/**
 * Fraction of the estimated excess subtracted. The full excess makes the variance unbiased, but where
 * the degenerate part dominates (weak signal, zero bias) the statistic is skewed (a weighted χ²) and
 * the symmetric t interval then under-covers (≈ 91 % measured); half the excess held 93–97 % in the
 * coverage test (test/interval-coverage.test.ts). The paired bias difference subtracts all of it.
 */
export const EXCESS_FRACTION = Number(process.env.PGVAR_EXCESS_FRACTION ?? 0.5);

/** Corrected jackknife variances of T − R·M per group (never below 0.4 of the raw jackknife: the excess is at most half of it). */
function partVariances(parts: Part[], shared: Excess, R: number, fraction = EXCESS_FRACTION): { v: number; n: number }[] {
  const out = parts.map((p) => {
    const m = p.mLoo ?? new Float64Array(p.tLoo.length);
    const raw = jackCov(p.tLoo, p.tLoo) - 2 * R * jackCov(p.tLoo, m) + R * R * jackCov(m, m);
    const e = p.ex ?? NO_EXCESS;
    const ex = fraction * (e.tt - 2 * R * e.tm + R * R * e.mm + (shared.tt - 2 * R * shared.tm + R * R * shared.mm) / parts.length);
    return { v: Math.max(raw - ex, 0.4 * raw), n: p.tLoo.length };
  });
  return out;
}

function tIntervalParts(est: number, parts: Part[], shared: Excess, level: number, fraction = EXCESS_FRACTION): Interval {
  const pv = partVariances(parts, shared, 0, fraction);
  const v = pv.reduce((s, p) => s + p.v, 0);
  const df = parts.length === 1 ? parts[0]!.tLoo.length - 1 : welchDf(pv);
  const se = Math.sqrt(v);
  const h = tQuantile(level, df) * se;
  const lo = est - h;
  const hi = est + h;
  return { estimate: est, lo, hi, se, df, resolved: lo > 0 || hi < 0 };
}

/** Welch–Satterthwaite df of a sum of jackknife variance parts with n_g − 1 df each. */
function welchDf(parts: { v: number; n: number }[]): number {
  const tot = parts.reduce((s, p) => s + p.v, 0);
  const den = parts.reduce((s, p) => s + p.v ** 2 / (p.n - 1), 0);
  return den > 0 ? tot ** 2 / den : Math.min(...parts.map((p) => p.n - 1));
}

/**
 * Fieller interval of R = E T / E M for nonnegative R: the R ≥ 0 with (T − R M)² ≤ q² Var(T − R M),
 * Var from the corrected jackknife. Bounded and resolved when M is significantly > 0; otherwise
 * [lo, +∞) and not resolved.
 */
export function fiellerInterval(T: number, M: number, parts: Part[], shared: Excess, level: number): Interval {
  const R0 = M > 0 ? T / M : 0;
  const pv = partVariances(parts, shared, R0);
  const df = parts.length === 1 ? parts[0]!.tLoo.length - 1 : welchDf(pv);
  const q = tQuantile(level, df);
  // Var(T − R M) = vt − 2 R c + R² vm from the corrected jackknife (co)variances
  let vt = 0;
  let vm = 0;
  let c = 0;
  let rawT = 0;
  let rawM = 0;
  for (const p of parts) {
    const m = p.mLoo ?? new Float64Array(p.tLoo.length);
    const e = p.ex ?? NO_EXCESS;
    const tt = jackCov(p.tLoo, p.tLoo);
    const mm = jackCov(m, m);
    rawT += tt;
    rawM += mm;
    vt += tt - EXCESS_FRACTION * e.tt;
    vm += mm - EXCESS_FRACTION * e.mm;
    c += jackCov(p.tLoo, m) - EXCESS_FRACTION * e.tm;
  }
  vt = Math.max(vt - EXCESS_FRACTION * shared.tt, 0.4 * rawT);
  vm = Math.max(vm - EXCESS_FRACTION * shared.mm, 0.4 * rawM);
  c -= EXCESS_FRACTION * shared.tm;
  const cmax = Math.sqrt(vt * vm);
  c = Math.max(-cmax, Math.min(cmax, c));
  const a = M * M - q * q * vm;
  const b = T * M - q * q * c;
  const cc = T * T - q * q * vt;
  const disc = b * b - a * cc;
  const estimate = M > 0 ? T / M : null;
  if (M > 0 && a > 0) {
    const s = Math.sqrt(Math.max(0, disc));
    // R ≥ 0: a negative lower root means the set reaches 0
    return { estimate, lo: Math.max(0, (b - s) / a), hi: (b + s) / a, se: NaN, df, resolved: true };
  }
  // denominator not resolved: the set is unbounded; report its hull within R ≥ 0
  let lo = 0;
  if (a < 0 && disc > 0) {
    const s = Math.sqrt(disc);
    const r1 = (b + s) / a;
    const r2 = (b - s) / a;
    lo = Math.min(r1, r2) >= 0 ? 0 : Math.max(0, r1, r2);
  }
  return { estimate, lo, hi: Infinity, se: NaN, df, resolved: false };
}

function logJackInterval(est: number, loo: Float64Array, level: number): Interval {
  const K = loo.length;
  if (!(est > 0) || loo.some((x) => !(x > 0))) return { estimate: est, lo: 0, hi: Infinity, se: NaN, df: K - 1, resolved: false };
  const l = loo.map(Math.log);
  const se = Math.sqrt(jackCov(l, l));
  const h = tQuantile(level, K - 1) * se;
  return { estimate: est, lo: est * Math.exp(-h), hi: est * Math.exp(h), se, df: K - 1, resolved: true };
}

/** Expected pairwise cosine (U-statistic over k < l) with its kernel matrix and leave-one-out values. */
function pairwiseCosine(G: Float64Array, K: number): { est: number; loo: Float64Array; H: Float64Array } {
  const rc = new Float64Array(K);
  const H = new Float64Array(K * K);
  let tot = 0;
  for (let i = 0; i < K; i++)
    for (let j = i + 1; j < K; j++) {
      const d = Math.sqrt(G[i * K + i]! * G[j * K + j]!);
      const c = d === 0 ? 0 : G[i * K + j]! / d;
      H[i * K + j] = c;
      H[j * K + i] = c;
      rc[i]! += c;
      rc[j]! += c;
      tot += 2 * c;
    }
  return { est: tot / (K * (K - 1)), loo: rc.map((r) => (tot - 2 * r) / ((K - 1) * (K - 2))), H };
}

function biasInterval(est: number, parts: Part[], shared: Excess, K: number, level: number): BiasInterval {
  const pv = partVariances(parts, shared, 0);
  return biasVerdict(tIntervalParts(est, parts, shared, level), pv[0]!.v, pv[1]!.v, K, level);
}

/**
 * The verdict on a noise-corrected squared bias from its interval: resolved when the interval lies
 * above 0; flagged when it lies wholly below 0 — a squared bias cannot, so the noise correction
 * exceeds the observed distance (estimates correlated or heavy-tailed) and the bias is unmeasured;
 * otherwise how many estimates would resolve the current estimate, the estimator's share of the
 * variance (vg) falling as 1/K and the reference pool's (vr) fixed.
 */
export function biasVerdict(base: Interval, vg: number, vr: number, K: number, level: number): BiasInterval {
  const est = base.estimate ?? NaN;
  const resolved = base.lo > 0;
  let estimates_to_resolve: number | null = null;
  let reference_limited = false;
  const below_zero = base.hi < 0;
  let note: string;
  if (resolved) note = 'resolved: the squared bias is > 0 at this sample size';
  else if (below_zero)
    note = `not measured: the interval lies below 0 (upper bound ${base.hi.toPrecision(3)}), which a squared bias cannot — the noise correction exceeds the observed distance (estimates correlated or heavy-tailed)`;
  else if (est <= 0) note = `not resolved at this sample size: no bias detected (upper bound ${base.hi.toPrecision(3)})`;
  else {
    // need est ≥ q·√(vg·K/K' + vr), q at the current df (conservative)
    const q = tQuantile(level, base.df);
    const room = (est / q) ** 2 - vr;
    if (room <= 0) {
      reference_limited = true;
      note = 'not resolved at this sample size; the reference pool is too noisy to resolve it with any K';
    } else {
      estimates_to_resolve = Math.ceil((vg * K) / room);
      note = `not resolved at this sample size; about ${estimates_to_resolve} estimates would resolve it`;
    }
  }
  return { ...base, resolved, estimates_to_resolve, reference_limited, below_zero, note };
}

const scale = (e: Excess, f: number): Excess => ({ tt: e.tt * f, tm: e.tm * f, mm: e.mm * f });

/** All statistics of one estimator from its Gram products with itself and with the reference pool. */
export function estimatorIntervalsFromGram(a: SampleGram, ref: RefGram, level = 0.95): EstimatorIntervals {
  const K = a.K;
  const Kr = ref.K;
  const m = moments(a.G, K);
  const mr = moments(ref.G, Kr);
  const x = crossMoments(a.C, K, Kr);
  const ka = kernels(a.G, K);
  const kr = kernels(ref.G, Kr);
  const eK = jackExcess(K);
  const eR = jackExcess(Kr);
  const sUU = sigma2(ka.HU, ka.HU, K);
  const sRR = sigma2(kr.HU, kr.HU, Kr);
  const trace_cov = logJackInterval(m.T, m.Tloo, level);
  const mean_sq_norm = tIntervalParts(m.U, [{ tLoo: m.Uloo, ex: { tt: eK * sUU, tm: 0, mm: 0 } }], NO_EXCESS, level);
  const ratioEx = scale({ tt: sigma2(ka.HT, ka.HT, K), tm: sigma2(ka.HT, ka.HU, K), mm: sUU }, eK);
  const relative_variance = fiellerInterval(m.T, m.U, [{ tLoo: m.Tloo, mLoo: m.Uloo, ex: ratioEx }], NO_EXCESS, level);
  // B = U_g + U_r − 2 ḡ·r̄, jackknifed over estimates and over reference estimates; each group
  // overstates its U part's degenerate variance, and both count the mixed term 4 tr(Σ Σ_ref)/(K K_ref)
  const B = m.U + mr.U - 2 * x.X;
  const Bg = m.Uloo.map((u, i) => u + mr.U - 2 * x.Xg[i]!);
  const Br = mr.Uloo.map((u, j) => m.U + u - 2 * x.Xr[j]!);
  const mixed = (4 * traceProduct(a.C, K, Kr)) / (K * Kr);
  const gPart: Part = { tLoo: Bg, mLoo: new Float64Array(K), ex: { tt: eK * sUU, tm: 0, mm: 0 } };
  // relative bias: T − R·M = B − R·U_r; the reference group's U part has coefficient (1 − R)
  const rPart: Part = { tLoo: Br, mLoo: mr.Uloo, ex: { tt: eR * sRR, tm: eR * sRR, mm: eR * sRR } };
  const shared: Excess = { tt: mixed, tm: 0, mm: 0 };
  const sq_bias = biasInterval(B, [gPart, { tLoo: Br, ex: { tt: eR * sRR, tm: 0, mm: 0 } }], shared, K, level);
  const relative_sq_bias = fiellerInterval(B, mr.U, [gPart, rPart], shared, level);
  const pc = pairwiseCosine(a.G, K);
  const pairwise_cosine = tIntervalParts(pc.est, [{ tLoo: pc.loo, ex: { tt: eK * sigma2(pc.H, pc.H, K), tm: 0, mm: 0 } }], NO_EXCESS, level);
  return { K, K_ref: Kr, level, trace_cov, mean_sq_norm, relative_variance, sq_bias, relative_sq_bias, pairwise_cosine };
}

/**
 * How precise the reference pool's mean ḡ_ref is as a stand-in for the true gradient μ_ref: its noise
 * energy E‖ḡ_ref − μ_ref‖² = tr Σ_ref/K_ref against the signal ‖μ_ref‖² (unbiased, with interval),
 * their ratio, and the cosine ḡ_ref can be expected to have with μ_ref, √(‖μ‖²/(‖μ‖² + tr Σ/K_ref))
 * (exact in expectation of the squared norms; null when ‖μ_ref‖² is not estimated > 0).
 */
export interface ReferencePrecision {
  K_ref: number;
  trace_cov: Interval;
  mean_sq_norm: Interval;
  /** ‖ḡ_ref‖² as measured (= ‖μ‖² estimate + noise energy). */
  sq_norm_of_mean: number;
  /** tr Σ_ref / K_ref. */
  noise_energy: number;
  /** noise_energy / ‖μ_ref‖² (null when ‖μ_ref‖² ≤ 0). */
  noise_to_signal: number | null;
  expected_cosine_to_truth: number | null;
  note: string;
}

export function referencePrecision(ref: RefGram, level = 0.95): ReferencePrecision {
  const K = ref.K;
  const m = moments(ref.G, K);
  const k = kernels(ref.G, K);
  const mean_sq_norm = tIntervalParts(m.U, [{ tLoo: m.Uloo, ex: { tt: jackExcess(K) * sigma2(k.HU, k.HU, K), tm: 0, mm: 0 } }], NO_EXCESS, level);
  const noise = m.T / K;
  const ok = m.U > 0;
  const cos = ok ? Math.sqrt(m.U / (m.U + noise)) : null;
  const note = !ok
    ? 'the reference pool does not resolve the gradient: its mean is noise (‖μ_ref‖² not estimated > 0); use more reference estimates'
    : `the reference mean's noise is ${fmt(noise / m.U)}× its signal; expected cosine with the true gradient ≈ ${cos!.toFixed(3)}`;
  return { K_ref: K, trace_cov: logJackInterval(m.T, m.Tloo, level), mean_sq_norm, sq_norm_of_mean: m.U + noise, noise_energy: noise, noise_to_signal: ok ? noise / m.U : null, expected_cosine_to_truth: cos, note };
}

export function estimatorIntervals(grads: Float64Array[], refPool: Float64Array[], level = 0.95): EstimatorIntervals {
  return estimatorIntervalsFromGram(sampleGram(grads, refPool), refGram(refPool), level);
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(2));

/**
 * Paired comparison of estimator A with baseline B measured on the same K batches (estimate k of
 * each from batch k), against the same reference pool.
 */
export function pairedComparisonFromGram(nameA: string, a: SampleGram, nameB: string, b: SampleGram, ref: RefGram, level = 0.95): PairedComparison {
  const K = a.K;
  if (b.K !== K) throw new Error(`paired comparison needs the same number of estimates, got ${K} and ${b.K}`);
  const Kr = ref.K;
  const ma = moments(a.G, K);
  const mb = moments(b.G, K);
  const ka = kernels(a.G, K);
  const kb = kernels(b.G, K);
  const eK = jackExcess(K);
  const ratioEx = scale({ tt: sigma2(ka.HT, ka.HT, K), tm: sigma2(ka.HT, kb.HT, K), mm: sigma2(kb.HT, kb.HT, K) }, eK);
  const variance_ratio = fiellerInterval(ma.T, mb.T, [{ tLoo: ma.Tloo, mLoo: mb.Tloo, ex: ratioEx }], NO_EXCESS, level);
  const log_variance_ratio: Interval = {
    ...variance_ratio,
    estimate: variance_ratio.estimate === null ? null : Math.log(variance_ratio.estimate),
    lo: variance_ratio.lo > 0 ? Math.log(variance_ratio.lo) : -Infinity,
    hi: Math.log(variance_ratio.hi),
    resolved: variance_ratio.resolved && (variance_ratio.lo > 1 || variance_ratio.hi < 1),
  };
  const xa = crossMoments(a.C, K, Kr);
  const xb = crossMoments(b.C, K, Kr);
  // Δ = B_A − B_B = U_A − U_B − 2(ḡ_A − ḡ_B)·r̄ (the reference pool's ‖μ_ref‖² cancels)
  const D = ma.U - mb.U - 2 * (xa.X - xb.X);
  const Dg = ma.Uloo.map((u, k) => u - mb.Uloo[k]! - 2 * (xa.Xg[k]! - xb.Xg[k]!));
  const Dr = xa.Xr.map((x, j) => ma.U - mb.U - 2 * (x - xb.Xr[j]!));
  const HD = ka.HU.map((h, i) => h - kb.HU[i]!);
  const CD = a.C.map((c, i) => c - b.C[i]!);
  const sq_bias_difference = tIntervalParts(D, [{ tLoo: Dg, ex: { tt: eK * sigma2(HD, HD, K), tm: 0, mm: 0 } }, { tLoo: Dr }], { tt: (4 * traceProduct(CD, K, Kr)) / (K * Kr), tm: 0, mm: 0 }, level, 1);
  // (the paired difference's degenerate parts partly cancel between A and B: the full excess held 94–96 %)
  const vr_ = variance_ratio;
  let variance_verdict: string;
  if (!vr_.resolved || vr_.estimate === null) variance_verdict = `variance of ${nameA} vs ${nameB}: not resolved at this sample size`;
  else if (vr_.hi < 1) variance_verdict = `${nameA} has ${fmt(1 / vr_.estimate)}× [${fmt(1 / vr_.hi)}, ${vr_.lo > 0 ? fmt(1 / vr_.lo) : '∞'}] less variance than ${nameB}`;
  else if (vr_.lo > 1) variance_verdict = `${nameA} has ${fmt(vr_.estimate)}× [${fmt(vr_.lo)}, ${fmt(vr_.hi)}] more variance than ${nameB}`;
  else variance_verdict = `variance of ${nameA} vs ${nameB}: not resolved at this sample size (ratio ${fmt(vr_.estimate)} [${fmt(vr_.lo)}, ${fmt(vr_.hi)}])`;
  const d = sq_bias_difference;
  const g3 = (x: number) => x.toPrecision(3);
  const bias_verdict = d.hi < 0
    ? `${nameA} has less squared bias than ${nameB}: difference ${g3(d.estimate!)} [${g3(d.lo)}, ${g3(d.hi)}]`
    : d.lo > 0
      ? `${nameA} has more squared bias than ${nameB}: difference ${g3(d.estimate!)} [${g3(d.lo)}, ${g3(d.hi)}]`
      : `squared bias of ${nameA} vs ${nameB}: not resolved at this sample size (difference ${g3(d.estimate!)} [${g3(d.lo)}, ${g3(d.hi)}])`;
  return { estimator: nameA, baseline: nameB, K, variance_ratio, log_variance_ratio, sq_bias_difference, variance_verdict, bias_verdict };
}

export function pairedComparison(nameA: string, gradsA: Float64Array[], nameB: string, gradsB: Float64Array[], refPool: Float64Array[], level = 0.95): PairedComparison {
  return pairedComparisonFromGram(nameA, sampleGram(gradsA, refPool), nameB, sampleGram(gradsB, refPool), refGram(refPool), level);
}
