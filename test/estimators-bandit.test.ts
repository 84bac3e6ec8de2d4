import { tf } from '../nets/tf.js';
import t from 'tap';
import { policyGradient } from '../analysis/policy-gradient.js';
import { measureVariance } from '../analysis/variance.js';
import { Rng } from '../common/rng.js';
import { GaussianBanditEnv } from '../envs/toy/gaussian-bandit.js';
import { SimulatorPool } from '../envs/simulator-pool.js';
import { makeTrainingEnv } from '../envs/stack.js';
import { createEstimator } from '../estimators/index.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { backend } from './helpers.js';

await backend();

/**
 * One-step Gaussian bandit with a linear-Gaussian policy N(μ, σ²) and reward −(a − 1.5)²: the exact
 * gradient is known, and all estimator variance is policy-dependent (a single state), so N extra
 * actions per state divide it by N + 1 (spec estimators.md §1.3, Eq. 6 with T = 1).
 */
const MU = 0.5;
const SIGMA = 0.8;
const config = resolveConfig(
  {},
  { envId: 'pgvar/GaussianBandit-v0', hiddenSizes: [], numEnvs: 1, numSteps: 128, totalTimesteps: 1280, normalizeObservation: false, normalizeReward: false, clipObservation: 0, clipReward: 0, seed: 1 },
);

function banditTrainer() {
  const tr = createTrainer(config);
  const [W, b] = tr.agent.actor.params;
  W!.assign(tf.zeros(W!.shape));
  b!.assign(tf.fill(b!.shape, MU));
  tr.agent.logStd!.assign(tf.fill(tr.agent.logStd!.shape, Math.log(SIGMA)));
  const c = tr.agent.critic.params;
  c[0]!.assign(tf.zeros(c[0]!.shape));
  c[1]!.assign(tf.fill(c[1]!.shape, -1.2)); // a constant baseline V(s) = −1.2, independent of the action
  return tr;
}

t.test('single and mc are unbiased on the Gaussian bandit (within 4 standard errors of the exact gradient)', async (t) => {
  const tr = banditTrainer();
  const exact = new GaussianBanditEnv().trueGradient(MU, SIGMA);
  // the measured vector is the gradient of the loss −J over [W, b, log σ]; W multiplies the constant input 1
  const want = [-exact.dMu, -exact.dMu, -exact.dLogSigma];
  const pool = new SimulatorPool(() => makeTrainingEnv(config.envId, config), 64);
  tr.collector.recordSnapshots = true;
  const K = 200;
  for (const name of ['single', 'mc']) {
    const est = createEstimator(name, name === 'mc' ? { actions: 3 } : {});
    const ctx = { ...tr.estimatorContext(), rng: new Rng(5), simulator: pool };
    const grads = Array.from({ length: K }, () => policyGradient(tr.agent, est.prepare(tr.collector.collect(128, 0), ctx)));
    for (let p = 0; p < 3; p++) {
      const xs = grads.map((g) => g[p]!);
      const mean = xs.reduce((a, b) => a + b, 0) / K;
      const se = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (K - 1) / K);
      t.ok(Math.abs(mean - want[p]!) < 4 * se, `${name} param ${p}: mean ${mean.toFixed(4)} vs exact ${want[p]!.toFixed(4)} (SE ${se.toFixed(4)})`);
    }
  }
  t.ok(pool.steps === K * 128 * 3, `mc counted its simulator steps (${pool.steps})`);
  pool.close();
  tr.dispose();
});

t.test('N = 4 extra actions divide the bandit’s gradient variance by about N + 1 = 5', async (t) => {
  const tr = banditTrainer();
  const rep = measureVariance({ config, trainer: tr }, { batches: 400, batchSize: 128, estimators: ['single', 'mc'], seed: 12, warmupSteps: 0, bootstrap: 0 });
  t.equal(rep.num_params, 3, 'W, b and log σ');
  const ratio = rep.estimators['single']!.total_variance / rep.estimators['mc']!.total_variance;
  t.ok(ratio > 5 * 0.7 && ratio < 5 * 1.3, `variance ratio single/mc = ${ratio.toFixed(2)} (N + 1 = 5)`);
  t.ok(rep.estimators['mc']!.cosine_to_reference > rep.estimators['single']!.cosine_to_reference, 'mc estimates point closer to the reference');
  const c = rep.mean_gradient_cosines;
  t.equal(c['single']!['mc'], c['mc']!['single'], 'mean-gradient cosines are symmetric');
  t.ok(c['single']!['mc']! > 0.9, `both unbiased: their mean gradients agree (cos ${c['single']!['mc']})`);
  tr.dispose();
});

t.test('the measured Lemma 3.1 / Tucker decomposition on the bandit: no state variance, no autocovariance, no trajectory noise', async (t) => {
  const tr = banditTrainer();
  const { measureDecomposition } = await import('../analysis/decomposition-measure.js');
  const d = measureDecomposition({ config, trainer: tr }, { segments: 1, steps: 2000, rollouts: 2, horizon: 3, maxLag: 3, deltas: [0.1, 1], actions: [1, 2], seed: 4, warmupSteps: 0 });
  // closed-form moments by direct sampling: a = μ + σz, Υ = (r(a) − V)·(z/σ, z/σ, z² − 1) over (W, bias, log σ)
  const rng = new Rng(8);
  const n = 400_000;
  const m1 = [0, 0, 0];
  const m2 = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const z = rng.normal();
    const adv = -((MU + SIGMA * z - 1.5) ** 2) + 1.2;
    const g = [(adv * z) / SIGMA, (adv * z) / SIGMA, adv * (z * z - 1)];
    for (let p = 0; p < 3; p++) {
      m1[p]! += g[p]! / n;
      m2[p]! += g[p]! ** 2 / n;
    }
  }
  const varA = (m2[0]! - m1[0]! ** 2 + m2[1]! - m1[1]! ** 2 + m2[2]! - m1[2]! ** 2) / 3;
  const s = d.lemma31;
  t.ok(Math.abs(s.e_var_action - varA) < 0.15 * varA, `E_s Var_a ${s.e_var_action.toFixed(3)} vs closed form ${varA.toFixed(3)}`);
  t.ok(Math.abs(s.var_marginal) < 0.1 * varA, `Var_s Ῡ ≈ 0 for one state (${s.var_marginal.toFixed(4)})`);
  // independent episodes: lag covariances vanish (heavy-tailed terms: a loose bound)
  t.ok([...s.alpha, ...s.alpha_tilde].every((a) => Math.abs(a) < 0.15 * varA), `lag covariances ${[...s.alpha, ...s.alpha_tilde].map((a) => a.toFixed(2)).join(', ')}`);
  t.equal(d.tucker.sigma_tau, 0, 'deterministic rewards: no trajectory noise');
  t.ok(d.policy_dependent_share > 0.9, `policy-dependent share ${d.policy_dependent_share.toFixed(3)}`);
  t.equal(d.sim_env_steps, 2000 * 6, 'every branch is one step here (2M + 2 = 6 per state)');
});
