/**
 * The synthetic model behind the interval coverage test (test/interval-coverage.test.ts) and the
 * heavy-tail benchmark (bench/heavy-tail-coverage.ts): K estimates of two estimators A and B that
 * share batches (correlated, paired), B drawn from the reference distribution (unbiased), and a pool of
 * K_ref reference estimates, in D = 40 dimensions with known mean and covariance; the truth of every
 * statistic of analysis/interval-stats.ts, and the share of replications whose 95 % interval covers it.
 *
 * Noise: Gaussian, or elliptical Student-t with ν degrees of freedom (each estimate's noise vector is
 * one Gaussian vector times √((ν − 2)/χ²_ν), the same covariance; a heavy tail of whole gradients, as
 * rare large ones from rare failures).
 */
import { Rng } from '../common/rng.js';
import { estimatorIntervalsFromGram, pairedComparisonFromGram, refGram, sampleGram, type Interval } from '../analysis/interval-stats.js';

export const D = 40;
const COS_MC = 100_000;
const CORR = 0.6;

export interface CoverageSetting {
  K: number;
  Kr: number;
  /** True relative variance of B (tr Σ_B / ‖μ_B‖²). */
  rho: number;
  /** True relative squared bias of A. */
  beta: number;
  /** Scale of A's noise (tr Σ_A ≈ 1.5·varShape·tr Σ_B). */
  varShape: number;
}

export const COVERAGE_SETTINGS: CoverageSetting[] = [
  { K: 16, Kr: 10, rho: 0.2, beta: 0, varShape: 0.25 },
  { K: 16, Kr: 10, rho: 2, beta: 0.3, varShape: 1 },
  { K: 16, Kr: 10, rho: 20, beta: 3, varShape: 0.25 },
  { K: 125, Kr: 25, rho: 0.2, beta: 3, varShape: 0.25 },
  { K: 125, Kr: 25, rho: 2, beta: 0, varShape: 0.25 },
  { K: 125, Kr: 25, rho: 20, beta: 0.3, varShape: 1 },
];

/** Gaussian noise (nu = Infinity) or elliptical t with nu > 2 degrees of freedom. */
export interface Noise {
  nu: number;
}
export const GAUSSIAN: Noise = { nu: Infinity };

/** The scale of one estimate's noise vector: 1 (Gaussian) or √((ν − 2)/χ²_ν) (unit variance). */
function noiseScale(rng: Rng, noise: Noise): number {
  if (noise.nu === Infinity) return 1;
  let c = 0;
  for (let i = 0; i < noise.nu; i++) c += rng.normal() ** 2;
  return Math.sqrt((noise.nu - 2) / c);
}

function model(s: CoverageSetting) {
  const rng = new Rng(11);
  const lam = Float64Array.from({ length: D }, (_, p) => 1 / (1 + p / 4));
  const trB = lam.reduce((a, b) => a + b, 0);
  // A's noise: per-coordinate variance lam·varShape, doubled on odd coordinates
  const sA2 = Float64Array.from({ length: D }, (_, p) => lam[p]! * s.varShape * (p % 2 ? 2 : 1));
  const trA = sA2.reduce((a, b) => a + b, 0);
  const dir = () => {
    const v = Float64Array.from({ length: D }, () => rng.normal());
    const n = Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    return v.map((x) => x / n);
  };
  const muRef = dir().map((x) => x * Math.sqrt(trB / s.rho));
  const nRef2 = trB / s.rho;
  const u = dir();
  const muA = muRef.map((x, p) => x + u[p]! * Math.sqrt(s.beta * nRef2));
  const biasA = s.beta * nRef2;
  const nA2 = muA.reduce((a, b) => a + b * b, 0);
  return { trA, trB, muRef, muA, nA2, nRef2, biasA, sdA: sA2.map(Math.sqrt), sdB: lam.map(Math.sqrt) };
}

/** E cos(g, g') of two independent estimates, by Monte Carlo. */
function mcCosine(mu: Float64Array, sd: Float64Array, seed: number, noise: Noise): number {
  const rng = new Rng(seed);
  const x = new Float64Array(D);
  let tot = 0;
  for (let r = 0; r < COS_MC; r++) {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    const wx = noiseScale(rng, noise);
    for (let p = 0; p < D; p++) x[p] = mu[p]! + sd[p]! * wx * rng.normal();
    const wy = noiseScale(rng, noise);
    for (let p = 0; p < D; p++) {
      const y = mu[p]! + sd[p]! * wy * rng.normal();
      xy += x[p]! * y;
      xx += x[p]! * x[p]!;
      yy += y * y;
    }
    tot += xy / Math.sqrt(xx * yy);
  }
  return tot / COS_MC;
}

const covers = (iv: Interval, truth: number) => iv.lo <= truth && truth <= iv.hi;

export interface CoverageResult {
  /** Statistic ('A.trace_cov', 'pair.variance_ratio', …) → share of replications covering the truth. */
  coverage: Record<string, number>;
  /** Statistic → share of replications whose interval was flagged not resolved. */
  unresolved: Record<string, number>;
}

/** `reps` replications of one setting: how often each 95 % interval covers its truth. */
export function simulateCoverage(s: CoverageSetting, reps: number, noise: Noise = GAUSSIAN): CoverageResult {
  const m = model(s);
  const truth = {
    A: { trace_cov: m.trA, mean_sq_norm: m.nA2, relative_variance: m.trA / m.nA2, sq_bias: m.biasA, relative_sq_bias: s.beta, pairwise_cosine: mcCosine(m.muA, m.sdA, 3, noise) },
    B: { trace_cov: m.trB, mean_sq_norm: m.nRef2, relative_variance: s.rho, sq_bias: 0, relative_sq_bias: 0, pairwise_cosine: mcCosine(m.muRef, m.sdB, 4, noise) },
  };
  const pairTruth = { variance_ratio: m.trA / m.trB, sq_bias_difference: m.biasA };
  const keys = Object.keys(truth.A) as (keyof typeof truth.A)[];
  const hit: Record<string, number> = {};
  const unresolved: Record<string, number> = {};
  const add = (k: string, c: boolean, r: boolean) => {
    hit[k] = (hit[k] ?? 0) + (c ? 1 : 0);
    unresolved[k] = (unresolved[k] ?? 0) + (r ? 0 : 1);
  };
  const rng = new Rng(1000 + s.K + 7 * s.rho);
  const c2 = Math.sqrt(1 - CORR * CORR);
  for (let r = 0; r < reps; r++) {
    const A: Float64Array[] = [];
    const B: Float64Array[] = [];
    for (let k = 0; k < s.K; k++) {
      const a = new Float64Array(D);
      const b = new Float64Array(D);
      const w = noiseScale(rng, noise);
      for (let p = 0; p < D; p++) {
        const z = rng.normal();
        b[p] = m.muRef[p]! + m.sdB[p]! * w * z;
        a[p] = m.muA[p]! + m.sdA[p]! * w * (CORR * z + c2 * rng.normal());
      }
      A.push(a);
      B.push(b);
    }
    const R = Array.from({ length: s.Kr }, () => {
      const w = noiseScale(rng, noise);
      return Float64Array.from({ length: D }, (_, p) => m.muRef[p]! + m.sdB[p]! * w * rng.normal());
    });
    const ref = refGram(R);
    const ga = sampleGram(A, R);
    const gb = sampleGram(B, R);
    for (const [name, g] of [['A', ga], ['B', gb]] as const) {
      const st = estimatorIntervalsFromGram(g, ref);
      for (const k of keys) add(`${name}.${k}`, covers(st[k], truth[name][k]), st[k].resolved);
    }
    const pc = pairedComparisonFromGram('A', ga, 'B', gb, ref);
    add('pair.variance_ratio', covers(pc.variance_ratio, pairTruth.variance_ratio), pc.variance_ratio.resolved);
    add('pair.log_variance_ratio', covers(pc.log_variance_ratio, Math.log(pairTruth.variance_ratio)), true);
    add('pair.sq_bias_difference', covers(pc.sq_bias_difference, pairTruth.sq_bias_difference), true);
  }
  const share = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v / reps]));
  return { coverage: share(hit), unresolved: share(unresolved) };
}
