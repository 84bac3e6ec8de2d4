/**
 * Welch's interval for a difference of means (analysis/sample-stats.ts, used by bench/compare-runs to
 * compare estimators over seeds): coverage of the true difference on simulated normal samples with
 * unequal sizes and variances, as small as the seed counts we report (3 and 5).
 */
import t from 'tap';
import { Rng } from '../common/rng.js';
import { welchInterval } from '../analysis/sample-stats.js';

t.test('Welch 95 % interval: hand-checked case and degenerate inputs', async (t) => {
  // a = [1, 2, 3] (mean 2, var 1), b = [0, 0, 3, 5] (mean 2, var 6): se² = 1/3 + 6/4, df = se⁴ / ((1/3)²/2 + (1.5)²/3)
  const w = welchInterval([1, 2, 3], [0, 0, 3, 5])!;
  const se2 = 1 / 3 + 1.5;
  const df = se2 ** 2 / ((1 / 3) ** 2 / 2 + 1.5 ** 2 / 3);
  t.ok(Math.abs(w.df - df) < 1e-12, `df ${w.df} = ${df}`);
  t.equal(w.diff, 0);
  // t quantile at df ≈ 4.17 lies between t(4) = 2.776 and t(5) = 2.571
  const q = w.hi / Math.sqrt(se2);
  t.ok(q > 2.571 && q < 2.776, `quantile ${q}`);
  t.equal(w.resolved, false);
  t.equal(welchInterval([1], [1, 2]), null, 'one value: no interval');
  t.equal(welchInterval([1, 1], [2, 2]), null, 'no variance: no interval');
});

t.test('Welch 95 % interval covers the true difference about 95 % of the time (3 vs 5 samples, unequal variances)', async (t) => {
  const rng = new Rng(5);
  for (const [muA, sdA, muB, sdB] of [[10, 1, 7, 4], [0, 3, 0, 0.5]] as const) {
    let cover = 0;
    const reps = 4000;
    for (let r = 0; r < reps; r++) {
      const a = Array.from({ length: 3 }, () => muA + sdA * rng.normal());
      const b = Array.from({ length: 5 }, () => muB + sdB * rng.normal());
      const w = welchInterval(a, b)!;
      if (w.lo <= muA - muB && muA - muB <= w.hi) cover += 1;
    }
    const c = cover / reps;
    // Welch's interval is slightly conservative for small samples; 4000 repetitions: standard error 0.0035
    t.ok(c > 0.935 && c < 0.975, `coverage ${c.toFixed(3)} for N(${muA}, ${sdA}²) vs N(${muB}, ${sdB}²)`);
  }
});
