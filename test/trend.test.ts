import t from 'tap';
import { Rng } from '../common/rng.js';
import { returnTrend } from '../analysis/trend.js';
import { summarizeRuns } from '../analysis/report.js';

const episodes = (k: number, f: (step: number) => number, noise: number, seed: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: k }, (_, i) => ({ step: (i + 1) * 1000, return: f((i + 1) * 1000) + noise * rng.normal(), length: 10 }));
};

t.test('slope per 100k steps and last-minus-first difference, with intervals that cover the truth', async (t) => {
  const rising = returnTrend(episodes(400, (s) => -20 + 2 * (s / 1e5), 1.5, 1), 50);
  t.ok(Math.abs(rising.slope_per_100k! - 2) < rising.slope_ci95!, `slope ${rising.slope_per_100k!.toFixed(3)} ± ${rising.slope_ci95!.toFixed(3)} covers 2`);
  t.ok(rising.slope_ci95! < 0.5, 'and is narrow with 400 episodes');
  // first 50 episodes centre on step 25.5k, last 50 on 375.5k: expected difference 2 × 3.5 = 7
  t.ok(Math.abs(rising.last_minus_first! - 7) < rising.last_minus_first_ci95!, `difference ${rising.last_minus_first!.toFixed(2)} ± ${rising.last_minus_first_ci95!.toFixed(2)} covers 7`);
  // flat returns: both 95 % intervals cover 0 in about 95 % of 400 seeded runs
  let slopeCover = 0;
  let diffCover = 0;
  for (let seed = 0; seed < 400; seed++) {
    const flat = returnTrend(episodes(200, () => -19.5, 1.5, 100 + seed), 50);
    if (Math.abs(flat.slope_per_100k!) < flat.slope_ci95!) slopeCover += 1;
    if (Math.abs(flat.last_minus_first!) < flat.last_minus_first_ci95!) diffCover += 1;
  }
  t.ok(slopeCover >= 0.91 * 400 && slopeCover <= 0.99 * 400, `flat: the slope interval covers 0 in ${slopeCover} of 400 runs`);
  t.ok(diffCover >= 0.91 * 400 && diffCover <= 0.99 * 400, `flat: the difference interval covers 0 in ${diffCover} of 400 runs`);
  const short = returnTrend(episodes(60, () => 1, 0, 3), 50);
  t.equal(short.last_minus_first, null, 'fewer than 2n episodes: no first/last difference');
  t.equal(short.slope_per_100k, 0, 'constant returns: slope 0');
  t.equal(returnTrend([], 50).slope_per_100k, null, 'no episodes: no slope');
});

t.test('run summaries carry the trend', async (t) => {
  const { runs } = summarizeRuns([{ label: 'r', episodes: episodes(200, (s) => s / 1e5, 0.1, 4) }]);
  t.ok(Math.abs(runs[0]!.trend_per_100k! - 1) < 0.05, `trend ${runs[0]!.trend_per_100k}`);
  t.ok(runs[0]!.last50_minus_first50! > 1, 'last 50 above first 50');
});
