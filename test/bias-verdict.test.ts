/**
 * The verdict on a noise-corrected squared bias (analysis/interval-stats.ts biasVerdict): resolved
 * above 0, flagged when the whole interval lies below 0 (a squared bias cannot: the noise
 * correction is off), "no bias detected" across 0 with a non-positive estimate, and otherwise the
 * number of estimates that would resolve it, or none when the reference pool's noise alone is too large.
 */
import t from 'tap';
import { biasVerdict } from '../analysis/interval-stats.js';

const iv = (estimate: number, lo: number, hi: number) => ({ estimate, lo, hi, se: (hi - lo) / 4, df: 124, resolved: false });

t.test('bias verdicts', async (t) => {
  const up = biasVerdict(iv(0.01, 0.002, 0.018), 1e-5, 1e-6, 125, 0.95);
  t.equal(up.resolved, true);
  t.equal(up.below_zero, false);
  const below = biasVerdict(iv(-0.02, -0.029, -0.011), 1e-5, 1e-6, 125, 0.95);
  t.equal(below.resolved, false);
  t.equal(below.below_zero, true, 'an interval wholly below 0 is flagged');
  t.match(below.note, /^not measured: the interval lies below 0 \(upper bound -0\.0110\)/);
  t.equal(below.estimates_to_resolve, null);
  const across = biasVerdict(iv(-0.001, -0.01, 0.008), 1e-5, 1e-6, 125, 0.95);
  t.equal(across.below_zero, false);
  t.match(across.note, /no bias detected \(upper bound 0\.00800\)/);
  // est 0.004, q ≈ 1.979: (est/q)² ≈ 4.09e-6; vr 1e-6 leaves ≈ 3.09e-6; vg·K = 1e-5·125 → K' ≈ 405
  const more = biasVerdict(iv(0.004, -0.0005, 0.0085), 1e-5, 1e-6, 125, 0.95);
  t.ok(more.estimates_to_resolve! > 380 && more.estimates_to_resolve! < 430, `${more.estimates_to_resolve} estimates`);
  t.equal(more.reference_limited, false);
  const refLimited = biasVerdict(iv(0.004, -0.0005, 0.0085), 1e-5, 1e-5, 125, 0.95);
  t.equal(refLimited.reference_limited, true, 'the reference pool alone too noisy');
  t.equal(refLimited.estimates_to_resolve, null);
});
