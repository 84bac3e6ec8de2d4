/**
 * Coverage of the variance lab's 95 % intervals (analysis/interval-stats.ts) when gradients are
 * heavy-tailed: the coverage test's six settings (bench/coverage-sim.ts; Gaussian there) with
 * elliptical Student-t noise of ν degrees of freedom, same means and covariances. The suite's test
 * asserts 93–97 % for Gaussian noise only; this measures how far each statistic falls short as the
 * tails grow (ν = ∞ is the Gaussian baseline, for comparison in the same file).
 *
 *   node dist/bench/heavy-tail-coverage.js [--nu inf,30,10,5] [--reps 1000] [--out FILE]
 */
import { COVERAGE_SETTINGS, simulateCoverage } from './coverage-sim.js';
import { benchArg, runBenchMain } from './bench-main.js';

function parseNu(v: string): number {
  const x = v === 'inf' ? Infinity : Number(v);
  if (!(x > 2) || (Number.isFinite(x) && !Number.isInteger(x))) {
    process.stderr.write(`heavy-tail-coverage: --nu ${v}: expected integers > 2 or 'inf'\n`);
    process.exit(2);
  }
  return x;
}

const nus = benchArg('nu', 'inf,30,10,5').split(',').map(parseNu);
const reps = Number(benchArg('reps', '1000'));
if (!Number.isInteger(reps) || reps < 10) {
  process.stderr.write(`heavy-tail-coverage: --reps ${benchArg('reps', '')}: expected an integer ≥ 10\n`);
  process.exit(2);
}
await runBenchMain(async () => {
  const t0 = Date.now();
  const byNu = nus.map((nu) => {
    const settings = COVERAGE_SETTINGS.map((s) => {
      const r = simulateCoverage(s, reps, { nu });
      process.stderr.write(`ν = ${nu}, K = ${s.K}, ρ = ${s.rho}, β = ${s.beta}: done (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
      return { ...s, coverage: r.coverage, unresolved: r.unresolved };
    });
    // per statistic, the lowest and highest coverage over the settings
    const range: Record<string, [number, number]> = {};
    for (const s of settings)
      for (const [k, c] of Object.entries(s.coverage)) {
        const stat = k.replace(/^[AB]\./, '');
        const [lo, hi] = range[stat] ?? [1, 0];
        range[stat] = [Math.min(lo, c), Math.max(hi, c)];
      }
    return { nu: Number.isFinite(nu) ? nu : 'inf', range, settings };
  });
  return { bench: 'heavy-tail-coverage', reps, level: 0.95, binomial_se_at_95: Math.sqrt((0.95 * 0.05) / reps), wall_s: (Date.now() - t0) / 1000, by_nu: byNu };
});
