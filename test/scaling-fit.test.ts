/**
 * The scaling-law fits (analysis/scaling-fit.ts; spec baselines.md §10) on synthetic data with known
 * answers: the shared-slope power law recovers the exponent and per-task intercepts exactly without
 * noise, and its 95 % t interval covers the true exponent in 93–97 % of 2 000 noisy replications;
 * D_J(σ) = D_min + (β/σ)^α is recovered without noise; α's profile interval covers 91–99 % of 200
 * noisy replications, D_min's wild-bootstrap interval ≥ 78 % (measured 83 %: it under-covers).
 */
import t from 'tap';
import { Rng } from '../common/rng.js';
import { fitDataEfficiency, fitSharedPowerLaw, type ScalingPoint } from '../analysis/scaling-fit.js';

const UTD = [1, 2, 4, 8, 16];
const TRUE = { alpha: 0.488, intercepts: { 'cheetah-run': 584, 'walker-walk': 295, 'finger-spin': 603 } as Record<string, number> };
const synth = (rng: Rng | null, sd: number): ScalingPoint[] =>
  Object.entries(TRUE.intercepts).flatMap(([task, b1]) => UTD.map((x) => ({ task, x, y: b1 * x ** -TRUE.alpha * Math.exp(rng ? sd * rng.normal() : 0) })));

t.test('shared-slope power law: exact without noise; the t interval covers 93–97 %', async (t) => {
  const fit = fitSharedPowerLaw(synth(null, 0));
  t.ok(Math.abs(fit.exponent.estimate - TRUE.alpha) < 1e-12, `α_B ${fit.exponent.estimate}`);
  for (const [task, b1] of Object.entries(TRUE.intercepts)) t.ok(Math.abs(fit.intercepts[task]! / b1 - 1) < 1e-12, `${task}: B at σ = 1 = ${fit.intercepts[task]!.toFixed(3)}`);
  t.equal(fit.df, 15 - 3 - 1);
  // the paper's example: cheetah-run at σ = 8 → B ≈ 211
  t.ok(Math.abs(fit.intercepts['cheetah-run']! * 8 ** -fit.exponent.estimate - 211) < 1, 'cheetah-run at σ = 8: B ≈ 211');
  const rng = new Rng(11);
  let cover = 0;
  const R = 2000;
  for (let r = 0; r < R; r++) {
    const f = fitSharedPowerLaw(synth(rng, 0.15));
    if (f.exponent.lo <= TRUE.alpha && TRUE.alpha <= f.exponent.hi) cover++;
  }
  t.ok(cover / R >= 0.93 && cover / R <= 0.97, `coverage ${(cover / R).toFixed(3)} over ${R} replications`);
  t.throws(() => fitSharedPowerLaw([{ task: 'a', x: 1, y: 1 }, { task: 'a', x: 2, y: 1 }]), /cannot fit/);
  t.throws(() => fitSharedPowerLaw([{ task: 'a', x: 0, y: 1 }]), /positive/);
});

t.test('data to reach J: D_min + (β/σ)^α recovered; bootstrap intervals measured', async (t) => {
  const sigma = [0.25, 0.5, 1, 2, 4, 8, 16];
  const truth = { dMin: 1, alpha: 1.09, beta: 0.57 };
  const D = (s: number) => truth.dMin + (truth.beta / s) ** truth.alpha;
  const exact = fitDataEfficiency(sigma, sigma.map(D), { reps: 50 });
  t.ok(Math.abs(exact.alpha.estimate - truth.alpha) < 1e-4 && Math.abs(exact.dMin.estimate - truth.dMin) < 1e-4 && Math.abs(exact.beta.estimate - truth.beta) < 1e-4, `noiseless: α ${exact.alpha.estimate.toFixed(5)}, D_min ${exact.dMin.estimate.toFixed(5)}, β ${exact.beta.estimate.toFixed(5)}`);
  const rng = new Rng(5);
  const R = 200;
  let coverAlpha = 0;
  let coverDmin = 0;
  for (let r = 0; r < R; r++) {
    const data = sigma.map((s) => D(s) * (1 + 0.05 * rng.normal()));
    const f = fitDataEfficiency(sigma, data, { reps: 200, seed: r });
    if (f.alpha.lo <= truth.alpha && truth.alpha <= f.alpha.hi) coverAlpha++;
    if (f.dMin.lo <= truth.dMin && truth.dMin <= f.dMin.hi) coverDmin++;
  }
  t.ok(coverAlpha / R >= 0.91 && coverAlpha / R <= 0.99, `α's profile interval covers ${(coverAlpha / R).toFixed(3)} of ${R} replications (7 UTDs, 5 % noise)`);
  t.ok(coverDmin / R >= 0.78, `D_min's wild-bootstrap interval covers ${(coverDmin / R).toFixed(3)} (measured 0.83: it under-covers with 7 points; said where it is reported)`);
  t.throws(() => fitDataEfficiency([1, 2, 3], [1, 2, 3]), /at least 4 distinct σ/);
});
