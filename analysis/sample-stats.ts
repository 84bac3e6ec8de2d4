/** Sample statistics shared by the report, the trend and the run comparisons: mean, (n − 1) variance / standard deviation, Welch's interval. */
import { jStat } from '../common/jstat.js';

/** Arithmetic mean of at least one value. */
export function mean(x: number[]): number {
  return x.reduce((a, b) => a + b, 0) / x.length;
}

/** Mean and sample variance (n − 1); null where there are too few values. */
export function meanVar(x: number[]): readonly [number | null, number | null] {
  if (!x.length) return [null, null];
  const m = mean(x);
  return [m, x.length > 1 ? x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1) : null];
}

/** Mean and sample standard deviation (n − 1); null where there are too few values. */
export function meanSd(x: number[]): readonly [number | null, number | null] {
  const [m, v] = meanVar(x);
  return [m, v === null ? null : Math.sqrt(v)];
}

export interface DifferenceInterval {
  /** mean(a) − mean(b) */
  diff: number;
  lo: number;
  hi: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** The interval excludes 0. */
  resolved: boolean;
}

/**
 * Welch's interval for the difference of two means (unequal variances), with the Student-t quantile
 * from jStat; null when either sample has fewer than 2 values or both have zero variance.
 */
export function welchInterval(a: number[], b: number[], level = 0.95): DifferenceInterval | null {
  const [ma, va] = meanVar(a);
  const [mb, vb] = meanVar(b);
  if (ma === null || mb === null || va === null || vb === null) return null;
  const sa = va / a.length;
  const sb = vb / b.length;
  if (sa + sb === 0) return null;
  const df = (sa + sb) ** 2 / (sa ** 2 / (a.length - 1) + sb ** 2 / (b.length - 1));
  const half = jStat.studentt.inv(1 - (1 - level) / 2, df) * Math.sqrt(sa + sb);
  const diff = ma - mb;
  return { diff, lo: diff - half, hi: diff + half, df, resolved: diff - half > 0 || diff + half < 0 };
}
