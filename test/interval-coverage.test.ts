/**
 * Coverage of the 95 % intervals of analysis/interval-stats.ts (issue 17): Gaussian gradients with
 * known mean and covariance, three signal-to-noise levels (true relative variance 0.2, 2, 20 of the
 * baseline), three bias levels, K ∈ {16, 125}; each interval must cover the truth computed from μ and
 * Σ in 93–97 % of REPS replications. Estimator A and baseline B share batches (correlated, paired);
 * B is drawn from the reference distribution (unbiased). Ratios whose denominator is not resolved
 * report [lo, ∞) with resolved = false; that set counts as covering when truth ≥ lo, and the test
 * checks that the flag is raised where the denominator is weak.
 */
import t from 'tap';
import { COVERAGE_SETTINGS, simulateCoverage } from '../bench/coverage-sim.js';

/** Replications per setting (binomial s.e. of a 95 % coverage: 0.7 points at 1000). */
export const REPS = 1000;

const table: string[] = [];
for (const s of COVERAGE_SETTINGS) {
  t.test(`coverage K=${s.K} K_ref=${s.Kr} rel.var ${s.rho} rel.bias ${s.beta}`, async (t) => {
    const { coverage, unresolved } = simulateCoverage(s, REPS);
    t.equal(Object.keys(coverage).length, 15, 'six statistics of A and of B, three of the pair');
    for (const [k, c] of Object.entries(coverage)) {
      table.push(`K=${s.K} ρ=${s.rho} β=${s.beta} ${k}: ${(100 * c).toFixed(1)} % (not resolved ${(100 * unresolved[k]!).toFixed(1)} %)`);
      t.ok(c >= 0.93 && c <= 0.97, `${k}: coverage ${(100 * c).toFixed(1)} %`);
    }
    // a ratio with a weak denominator must say so rather than print a bounded interval
    if (s.K === 16 && s.rho === 20) t.ok(unresolved['B.relative_variance']! > 0.05, `relative variance 20 at K = 16 flagged not resolved in ${unresolved['B.relative_variance']} of replications`);
    if (s.K === 125 && s.rho === 0.2) t.equal(unresolved['B.relative_variance'], 0, 'strong signal: always resolved');
  });
}
t.teardown(() => console.log(table.join('\n')));
