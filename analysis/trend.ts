/**
 * Is the return rising? Two answers from a run's episodes, both with 95 % intervals:
 *   - the least-squares slope of episode return against environment step, per 100k steps
 *     (± 1.96 standard errors of the slope; episodes treated as independent);
 *   - the mean return of the last `n` episodes minus that of the first `n` (± 1.96 Welch standard
 *     errors), when the run has at least 2n episodes.
 * A slow start (pixel Pong) shows here before a 20-episode running mean moves.
 */
import type { EpisodeRecord } from '../ppo/rollout.js';
import { mean, meanVar } from './sample-stats.js';

export interface ReturnTrend {
  slope_per_100k: number | null;
  slope_ci95: number | null;
  first_n_mean: number | null;
  last_n_mean: number | null;
  last_minus_first: number | null;
  last_minus_first_ci95: number | null;
  n: number;
}

export function returnTrend(eps: EpisodeRecord[], n = 50): ReturnTrend {
  const out: ReturnTrend = { slope_per_100k: null, slope_ci95: null, first_n_mean: null, last_n_mean: null, last_minus_first: null, last_minus_first_ci95: null, n };
  const k = eps.length;
  if (k >= 3) {
    const mx = mean(eps.map((e) => e.step));
    const my = mean(eps.map((e) => e.return));
    let sxx = 0;
    let sxy = 0;
    for (const e of eps) {
      sxx += (e.step - mx) ** 2;
      sxy += (e.step - mx) * (e.return - my);
    }
    if (sxx > 0) {
      const b = sxy / sxx;
      let sse = 0;
      for (const e of eps) sse += (e.return - my - b * (e.step - mx)) ** 2;
      out.slope_per_100k = b * 1e5;
      out.slope_ci95 = 1.96 * Math.sqrt(sse / (k - 2) / sxx) * 1e5;
    }
  }
  if (n >= 1 && k >= 2 * n) {
    const [ma, va] = meanVar(eps.slice(0, n).map((e) => e.return));
    const [mb, vb] = meanVar(eps.slice(-n).map((e) => e.return));
    // both sides hold n ≥ 1 episodes, so both means exist; one episode per side has no spread (variance 0)
    out.first_n_mean = ma!;
    out.last_n_mean = mb!;
    out.last_minus_first = mb! - ma!;
    out.last_minus_first_ci95 = 1.96 * Math.sqrt((va ?? 0) / n + (vb ?? 0) / n);
  }
  return out;
}
