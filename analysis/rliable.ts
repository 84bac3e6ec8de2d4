/**
 * Aggregate statistics for RL results over runs and tasks, as defined by Agarwal et al. (NeurIPS
 * 2021, "Deep Reinforcement Learning at the Edge of the Statistical Precipice") and their `rliable`
 * library: interquartile mean (IQM), median, mean and optimality gap with stratified bootstrap
 * confidence intervals, performance profiles (score distributions) with bootstrap bands, and the
 * probability of improvement between two algorithms.
 *
 * Input: one score matrix per algorithm, `m[run][task]` (runs × tasks, rliable's layout), every row
 * with one score per task. Scores should be normalised per task so that tasks are comparable: give
 * a per-task `low`/`high` (a random-policy and a reference score, as rliable's human-normalised
 * Atari scores, or a min and max) to `normalizeScores`, or let `minMaxNormalization` take the min
 * and max over all runs of all algorithms on each task.
 *
 * Intervals: **percentile** stratified bootstrap, rliable's default (`get_interval_estimates` and
 * `create_performance_profile` default to `method='percentile'`; BCa is an option there, not the
 * default). Each resample draws, independently within each task, as many runs as the task has, with
 * replacement (the strata are the tasks; tasks themselves are not resampled, rliable's default
 * `task_bootstrap=False`); the interval is the (1 − level)/2 and (1 + level)/2 quantiles of the
 * statistic over the resamples, by linear interpolation between order statistics (numpy's default
 * percentile). The point estimate is the statistic of the data itself. Resamples are drawn from a
 * seeded `Rng` (common/rng.ts), so a seed gives the same intervals every time.
 *
 * Pure functions: no environment, file or network access.
 */
import { Rng } from '../common/rng.js';

/** Scores of one algorithm: `m[run][task]`, runs × tasks, every row the same length. */
export type ScoreMatrix = readonly (readonly number[])[];

/** An estimate with its interval. */
export interface IntervalEstimate {
  estimate: number;
  lo: number;
  hi: number;
}

export interface BootstrapOptions {
  /** Number of bootstrap resamples (rliable: 50 000 for interval estimates, 2 000 for profiles). */
  reps?: number;
  /** Coverage of the interval; 0.95 by default. */
  level?: number;
  /** Seed of the resampling stream (common/rng.ts); 0 by default. */
  seed?: number;
}

/** rliable's default number of resamples for `get_interval_estimates`. */
export const DEFAULT_REPS = 50_000;
/** rliable's default number of resamples for `create_performance_profile`. */
export const DEFAULT_PROFILE_REPS = 2_000;

/** Checks that `m` is a non-empty runs × tasks matrix of finite numbers; returns [runs, tasks]. */
export function matrixShape(m: ScoreMatrix, what = 'scores'): [number, number] {
  if (!m.length) throw new Error(`${what}: no runs`);
  const tasks = m[0]!.length;
  if (!tasks) throw new Error(`${what}: no tasks`);
  m.forEach((row, r) => {
    if (row.length !== tasks) throw new Error(`${what}: run ${r} has ${row.length} scores, run 0 has ${tasks} (expected a runs × tasks matrix)`);
    row.forEach((v, t) => {
      if (!Number.isFinite(v)) throw new Error(`${what}: score of run ${r} on task ${t} is ${v}`);
    });
  });
  return [m.length, tasks];
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/** Per-task normalisation: a score x on task t becomes (x − low[t]) / (high[t] − low[t]). */
export interface Normalization {
  low: number[];
  high: number[];
}

/**
 * (x − low) / (high − low) per task. A task with high = low (every run scored the same) normalises
 * to 0, so it neither divides by zero nor pretends to a spread.
 */
export function normalizeScores(m: ScoreMatrix, norm: Normalization): number[][] {
  const [, tasks] = matrixShape(m);
  if (norm.low.length !== tasks || norm.high.length !== tasks) throw new Error(`normalizeScores: ${tasks} tasks but ${norm.low.length} low and ${norm.high.length} high bounds`);
  return m.map((row) =>
    row.map((x, t) => {
      const span = norm.high[t]! - norm.low[t]!;
      return span === 0 ? 0 : (x - norm.low[t]!) / span;
    }),
  );
}

/** Per task, the min and max score over all runs of all the given algorithms (the same tasks each). */
export function minMaxNormalization(matrices: ScoreMatrix[]): Normalization {
  if (!matrices.length) throw new Error('minMaxNormalization: no score matrices');
  const tasks = matrixShape(matrices[0]!)[1];
  const low = new Array<number>(tasks).fill(Infinity);
  const high = new Array<number>(tasks).fill(-Infinity);
  for (const m of matrices) {
    if (matrixShape(m)[1] !== tasks) throw new Error('minMaxNormalization: the matrices have different numbers of tasks');
    for (const row of m)
      row.forEach((x, t) => {
        low[t] = Math.min(low[t]!, x);
        high[t] = Math.max(high[t]!, x);
      });
  }
  return { low, high };
}

// ---------------------------------------------------------------------------------------------
// Point estimates

const sum = (x: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
};

/**
 * Trimmed mean as scipy.stats.trim_mean(values, proportion): sort, cut int(proportion · n) values
 * from each end (rounded down, so n = 10 at 0.25 cuts 2 from each end and keeps 6), and average
 * the rest.
 */
export function trimMean(values: ArrayLike<number>, proportion = 0.25): number {
  const n = values.length;
  if (!n) throw new Error('trimMean: no values');
  if (!(proportion >= 0 && proportion < 0.5)) throw new Error(`trimMean: proportion must be in [0, 0.5), got ${proportion}`);
  const cut = Math.floor(proportion * n);
  const sorted = Float64Array.from(values).sort();
  return sum(sorted.subarray(cut, n - cut)) / (n - 2 * cut);
}

function flatten(m: ScoreMatrix): Float64Array {
  const out = new Float64Array(m.length * m[0]!.length);
  let k = 0;
  for (const row of m) for (const v of row) out[k++] = v;
  return out;
}

function taskMeans(m: ScoreMatrix): number[] {
  const tasks = m[0]!.length;
  const means = new Array<number>(tasks).fill(0);
  for (const row of m) for (let t = 0; t < tasks; t++) means[t]! += row[t]!;
  return means.map((s) => s / m.length);
}

function medianOf(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Interquartile mean: the 25 % trimmed mean of all run × task scores together (rliable's `aggregate_iqm`). */
export function iqm(m: ScoreMatrix): number {
  matrixShape(m);
  return trimMean(flatten(m), 0.25);
}

/** Median over tasks of the per-task mean over runs (rliable's `aggregate_median`; one task: the mean). */
export function median(m: ScoreMatrix): number {
  matrixShape(m);
  return medianOf(taskMeans(m));
}

/** Mean over tasks of the per-task mean over runs (rliable's `aggregate_mean`). */
export function mean(m: ScoreMatrix): number {
  matrixShape(m);
  const tm = taskMeans(m);
  return sum(tm) / tm.length;
}

/** Optimality gap: the mean over all run × task scores of max(γ − x, 0); γ = 1 by default (rliable's `aggregate_optimality_gap`). */
export function optimalityGap(m: ScoreMatrix, gamma = 1): number {
  matrixShape(m);
  let s = 0;
  for (const row of m) for (const x of row) s += Math.max(gamma - x, 0);
  return s / (m.length * m[0]!.length);
}

/** Fraction of all run × task scores strictly above each τ (rliable's score distribution, a performance profile). */
export function scoreDistribution(m: ScoreMatrix, taus: readonly number[]): number[] {
  matrixShape(m);
  const all = flatten(m).sort();
  const n = all.length;
  return taus.map((tau) => {
    // first index with a score > τ, by binary search
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid]! > tau) hi = mid;
      else lo = mid + 1;
    }
    return (n - lo) / n;
  });
}

/**
 * P(X > Y): per task, the Mann–Whitney U statistic of X's runs against Y's divided by n·m (the
 * fraction of (x, y) run pairs with x > y, ties counting 1/2), averaged over tasks (rliable's
 * `probability_of_improvement`). X and Y need the same tasks; their numbers of runs may differ.
 */
export function probabilityOfImprovement(x: ScoreMatrix, y: ScoreMatrix): number {
  const [, tx] = matrixShape(x, 'X');
  const [, ty] = matrixShape(y, 'Y');
  if (tx !== ty) throw new Error(`probabilityOfImprovement: X has ${tx} tasks, Y has ${ty}`);
  let total = 0;
  for (let t = 0; t < tx; t++) {
    let u = 0;
    for (const rx of x) {
      const a = rx[t]!;
      for (const ry of y) {
        const b = ry[t]!;
        if (a > b) u += 1;
        else if (a === b) u += 0.5;
      }
    }
    total += u / (x.length * y.length);
  }
  return total / tx;
}

// ---------------------------------------------------------------------------------------------
// Stratified bootstrap

/** The p-quantile (0 ≤ p ≤ 1) of ascending `sorted` by linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (!n) throw new Error('quantileSorted: no values');
  const h = (n - 1) * p;
  const i = Math.floor(h);
  if (i >= n - 1) return sorted[n - 1]!;
  return sorted[i]! + (h - i) * (sorted[i + 1]! - sorted[i]!);
}

/** One stratified resample: for every task, runs drawn with replacement from that task's runs. */
export function stratifiedResample(m: ScoreMatrix, rng: Rng): number[][] {
  const runs = m.length;
  const tasks = m[0]!.length;
  const out: number[][] = [];
  for (let r = 0; r < runs; r++) {
    const row = new Array<number>(tasks);
    for (let t = 0; t < tasks; t++) row[t] = m[rng.int(runs)]![t]!;
    out.push(row);
  }
  return out;
}

function resolveOptions(o: BootstrapOptions | undefined, defaultReps: number): { reps: number; level: number; rng: Rng } {
  const reps = o?.reps ?? defaultReps;
  const level = o?.level ?? 0.95;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`bootstrap: reps must be a positive integer, got ${reps}`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrap: level must be in (0, 1), got ${level}`);
  return { reps, level, rng: new Rng(o?.seed ?? 0) };
}

/** Percentile intervals of each component of the statistic, from `draws[rep][component]`. */
function percentileIntervals(estimate: number[], draws: Float64Array[], level: number): IntervalEstimate[] {
  return estimate.map((e, k) => {
    const col = draws[k]!.sort();
    return { estimate: e, lo: quantileSorted(col, (1 - level) / 2), hi: quantileSorted(col, (1 + level) / 2) };
  });
}

/**
 * Percentile stratified-bootstrap intervals of a vector-valued statistic of the score matrices
 * (one matrix, or several resampled independently of each other, as for the probability of
 * improvement). Every matrix is resampled within each task (see the module comment).
 */
export function stratifiedBootstrap(matrices: ScoreMatrix[], stat: (...ms: ScoreMatrix[]) => number[], options?: BootstrapOptions, defaultReps = DEFAULT_REPS): IntervalEstimate[] {
  matrices.forEach((m, i) => matrixShape(m, `matrix ${i}`));
  const { reps, level, rng } = resolveOptions(options, defaultReps);
  const estimate = stat(...matrices);
  const draws = estimate.map(() => new Float64Array(reps));
  for (let b = 0; b < reps; b++) {
    const v = stat(...matrices.map((m) => stratifiedResample(m, rng)));
    for (let k = 0; k < v.length; k++) draws[k]![b] = v[k]!;
  }
  return percentileIntervals(estimate, draws, level);
}

export interface AggregateEstimates {
  iqm: IntervalEstimate;
  median: IntervalEstimate;
  mean: IntervalEstimate;
  optimality_gap: IntervalEstimate;
}

/** IQM, median, mean and optimality gap (at γ) of one algorithm's scores, with 95 % (by default) stratified-bootstrap intervals from the same resamples. */
export function aggregateEstimates(m: ScoreMatrix, options?: BootstrapOptions & { gamma?: number }): AggregateEstimates {
  const gamma = options?.gamma ?? 1;
  const [a, b, c, d] = stratifiedBootstrap([m], (s) => [iqm(s), median(s), mean(s), optimalityGap(s, gamma)], options);
  return { iqm: a!, median: b!, mean: c!, optimality_gap: d! };
}

export interface ProfilePoint {
  tau: number;
  /** Fraction of run × task scores above τ. */
  fraction: number;
  lo: number;
  hi: number;
}

/** The performance profile (score distribution) on a τ grid with stratified-bootstrap bands (2 000 resamples by default, as rliable). */
export function performanceProfile(m: ScoreMatrix, taus: readonly number[], options?: BootstrapOptions): ProfilePoint[] {
  const iv = stratifiedBootstrap([m], (s) => scoreDistribution(s, taus), options, DEFAULT_PROFILE_REPS);
  return taus.map((tau, i) => ({ tau, fraction: iv[i]!.estimate, lo: iv[i]!.lo, hi: iv[i]!.hi }));
}

/** P(X > Y) with its stratified-bootstrap interval; X and Y are resampled independently, each within every task. */
export function probabilityOfImprovementCi(x: ScoreMatrix, y: ScoreMatrix, options?: BootstrapOptions): IntervalEstimate {
  return stratifiedBootstrap([x, y], (a, b) => [probabilityOfImprovement(a!, b!)], options)[0]!;
}

/** An evenly spaced grid of `points` values from `lo` to `hi` inclusive (a τ grid for profiles). */
export function linearGrid(lo: number, hi: number, points: number): number[] {
  if (points < 2) return [lo];
  return Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
}
