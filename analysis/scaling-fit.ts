/**
 * The fits of "Value-Based Deep RL Scales Predictably" (Rybkin et al., ICML 2025; spec baselines.md
 * §10), for `pgvar scaling`:
 *  - power laws with a **shared exponent across tasks** and a per-task intercept, fitted as linear
 *    regressions in log–log space: the best batch size B*(σ) = B_σ·σ^(−α_B), the best learning rate
 *    η*(σ) = η_σ·σ^(−α_η), and (one task) the budget-optimal UTD σ*(F) = k·F^κ; the exponent's 95 %
 *    interval from the regression's standard error and an exact Student-t quantile (jStat);
 *  - the data needed to reach a return threshold, D_J(σ) = D_min + (β/σ)^α, by least squares: for a
 *    fixed α the model is linear in (D_min, β^α), so α is found by a profile search (grid, then golden
 *    section) and D_min, β follow in closed form (least squares of relative errors); α's interval is
 *    the profile interval, D_min's and β's come from a wild bootstrap of the residuals.
 */
import { jStat } from '../common/jstat.js';
import { Rng } from '../common/rng.js';

export interface ScalingPoint {
  task: string;
  x: number;
  y: number;
}

export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
}

export interface SharedPowerLaw {
  /** y = intercept_task · x^(−exponent) (the paper's sign: a positive exponent falls with x). */
  exponent: Interval;
  /** Per task: the value at x = 1 (B at σ = 1, η at σ = 1). */
  intercepts: Record<string, number>;
  /** Residual standard deviation in log space, and the degrees of freedom. */
  residualSd: number;
  df: number;
  points: number;
}

/**
 * Least squares of log y = c_task − α·log x with one α for every task (the paper's shared-slope fit).
 * Needs positive x and y, at least one task with two distinct x, and more points than parameters.
 */
export function fitSharedPowerLaw(points: readonly ScalingPoint[], level = 0.95): SharedPowerLaw {
  if (points.some((p) => !(p.x > 0) || !(p.y > 0))) throw new Error('fitSharedPowerLaw: x and y must be positive');
  const tasks = [...new Set(points.map((p) => p.task))];
  const n = points.length;
  const df = n - tasks.length - 1;
  if (df < 1) throw new Error(`fitSharedPowerLaw: ${n} points cannot fit ${tasks.length} intercepts and a slope with a residual`);
  // within-task centring: the slope is Σ (lx − l̄x_t)(ly − l̄y_t) / Σ (lx − l̄x_t)²
  const mean = (t: string, f: (p: ScalingPoint) => number) => {
    const ps = points.filter((p) => p.task === t);
    return ps.reduce((s, p) => s + f(p), 0) / ps.length;
  };
  const mx = new Map(tasks.map((t) => [t, mean(t, (p) => Math.log(p.x))]));
  const my = new Map(tasks.map((t) => [t, mean(t, (p) => Math.log(p.y))]));
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    const dx = Math.log(p.x) - mx.get(p.task)!;
    sxy += dx * (Math.log(p.y) - my.get(p.task)!);
    sxx += dx * dx;
  }
  if (sxx === 0) throw new Error('fitSharedPowerLaw: every task has a single x; the slope is not identified');
  const slope = sxy / sxx;
  const intercepts = Object.fromEntries(tasks.map((t) => [t, Math.exp(my.get(t)! - slope * mx.get(t)!)]));
  let sse = 0;
  for (const p of points) sse += (Math.log(p.y) - (my.get(p.task)! + slope * (Math.log(p.x) - mx.get(p.task)!))) ** 2;
  const s2 = sse / df;
  const se = Math.sqrt(s2 / sxx);
  const q = jStat.studentt.inv(0.5 + level / 2, df);
  return { exponent: { estimate: -slope, lo: -slope - q * se, hi: -slope + q * se }, intercepts, residualSd: Math.sqrt(s2), df, points: n };
}

export interface DataEfficiencyFit {
  /** D_J(σ) = dMin + (beta/σ)^alpha */
  dMin: Interval;
  alpha: Interval;
  beta: Interval;
  sse: number;
}

/**
 * For a fixed α, d ≈ dMin + c·σ^(−α) (c ≥ 0) by least squares of relative errors (weights 1/d²: the
 * data needed to reach J is noisy in proportion to its size).
 */
function linearFor(alpha: number, sig: readonly number[], d: readonly number[]): { dMin: number; c: number; sse: number } {
  const f = sig.map((s) => s ** -alpha);
  const w = d.map((x) => 1 / (x * x));
  const W = w.reduce((a, b) => a + b, 0);
  const fm = f.reduce((a, x, i) => a + w[i]! * x, 0) / W;
  const dm = d.reduce((a, x, i) => a + w[i]! * x, 0) / W;
  let sfd = 0;
  let sff = 0;
  for (let i = 0; i < d.length; i++) {
    sfd += w[i]! * (f[i]! - fm) * (d[i]! - dm);
    sff += w[i]! * (f[i]! - fm) ** 2;
  }
  const c = sff > 0 ? Math.max(0, sfd / sff) : 0;
  const dMin = dm - c * fm;
  let sse = 0;
  for (let i = 0; i < d.length; i++) sse += w[i]! * (d[i]! - dMin - c * f[i]!) ** 2;
  return { dMin, c, sse };
}

/**
 * The profile interval of α: every α whose profiled weighted SSE exceeds the minimum by at most
 * F_{1, n−3}(level)·SSE_min/(n − 3) (the usual nonlinear-regression profile interval), searched on a fine
 * log grid and refined by bisection at both ends.
 */
function profileAlphaInterval(sig: readonly number[], d: readonly number[], alpha: number, sse: number, level: number): [number, number] {
  const df = d.length - 3;
  const fq = jStat.centralF.inv(level, 1, df);
  const limit = sse + (fq * sse) / df;
  const inside = (a: number) => linearFor(a, sig, d).sse <= limit;
  const edge = (from: number, step: number): number => {
    let a = from;
    for (let i = 0; i < 400 && inside(a * step); i++) a *= step;
    let [lo, hi] = step > 1 ? [a, a * step] : [a * step, a];
    for (let i = 0; i < 60; i++) {
      const m = Math.sqrt(lo * hi);
      if (inside(m) === step > 1) lo = m;
      else hi = m;
    }
    return step > 1 ? lo : hi;
  };
  return [edge(alpha, 1 / 1.01), edge(alpha, 1.01)];
}

function pointFit(sig: readonly number[], d: readonly number[]): { dMin: number; alpha: number; beta: number; sse: number } {
  // profile over α: a log grid, then golden-section around the best grid point
  const grid = Array.from({ length: 121 }, (_, i) => 0.05 * 1.05 ** i); // 0.05 … ≈ 17
  let best = 0;
  let bestSse = Infinity;
  grid.forEach((a, i) => {
    const s = linearFor(a, sig, d).sse;
    if (s < bestSse) [best, bestSse] = [i, s];
  });
  let lo = grid[Math.max(0, best - 1)]!;
  let hi = grid[Math.min(grid.length - 1, best + 1)]!;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 80; it++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (linearFor(a, sig, d).sse <= linearFor(b, sig, d).sse) hi = b;
    else lo = a;
  }
  const alpha = (lo + hi) / 2;
  const { dMin, c, sse } = linearFor(alpha, sig, d);
  return { dMin, alpha, beta: c > 0 ? c ** (1 / alpha) : 0, sse };
}

/**
 * D_J(σ) = D_min + (β/σ)^α from (σ, D_J) pairs (at least 4 distinct σ), with percentile intervals from
 * `reps` wild-bootstrap refits (seeded).
 */
export function fitDataEfficiency(sigma: readonly number[], data: readonly number[], o: { reps?: number; seed?: number; level?: number } = {}): DataEfficiencyFit {
  if (sigma.length !== data.length || new Set(sigma).size < 4) throw new Error('fitDataEfficiency: needs matching σ and D_J with at least 4 distinct σ');
  if (sigma.some((s) => !(s > 0))) throw new Error('fitDataEfficiency: σ must be positive');
  const fit = pointFit(sigma, data);
  const f = sigma.map((s) => fit.dMin + (fit.beta / s) ** fit.alpha);
  const resid = data.map((d, i) => d - f[i]!);
  const level = o.level ?? 0.95;
  const rng = new Rng(o.seed ?? 0);
  const reps = o.reps ?? 500;
  const draws: { dMin: number; alpha: number; beta: number }[] = [];
  // wild bootstrap: each point keeps its own residual (the noise grows with D_J), sign-flipped at
  // random, inflated by √(n/(n − 3)) for the three fitted parameters
  const inflate = Math.sqrt(sigma.length / Math.max(1, sigma.length - 3));
  for (let r = 0; r < reps; r++) {
    const d = f.map((v, i) => v + (rng.random() < 0.5 ? -1 : 1) * inflate * resid[i]!);
    draws.push(pointFit(sigma, d));
  }
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))]!;
  };
  const iv = (est: number, xs: number[]): Interval => ({ estimate: est, lo: pct(xs, (1 - level) / 2), hi: pct(xs, (1 + level) / 2) });
  const [aLo, aHi] = profileAlphaInterval(sigma, data, fit.alpha, fit.sse, level);
  return {
    dMin: iv(fit.dMin, draws.map((x) => x.dMin)),
    // α: the profile interval (its coverage is tested); D_min and β: the bootstrap's percentiles
    alpha: { estimate: fit.alpha, lo: aLo, hi: aHi },
    beta: iv(fit.beta, draws.map((x) => x.beta)),
    sse: fit.sse,
  };
}
