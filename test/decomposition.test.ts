import t from 'tap';
import { Rng } from '../common/rng.js';
import { cltVariance, deltaN, deltaT, eq14, lemma31Split, tuckerSplit, type Lemma31Split, type TrajectoryTerms } from '../analysis/decomposition.js';

/**
 * A Markov chain with a known answer: per parameter, the marginalised term Ῡ_i = s_i follows
 * s_{i+1} = ρ s_i + κ e_i + η_i, the executed action adds e_i to the real term (Υ_i = s_i + e_i) and
 * pushes the next state by κ e_i; the extra action adds independent noise e'_i and nothing else.
 * Closed form: Var_s Ῡ = (κ²σ_e² + σ_η²)/(1 − ρ²), E_s Var_a Υ = σ_e², α̃_t = ρ^t Var_s Ῡ,
 * α_t = κ ρ^{t−1} σ_e².
 */
const RHO = 0.8;
const KAPPA = 0.6;
const SE = 1.0;
const SEta = 0.5;
const VAR_S = (KAPPA ** 2 * SE ** 2 + SEta ** 2) / (1 - RHO ** 2);

function chain(rng: Rng, rows: number, P: number, mean = 0.3): TrajectoryTerms {
  const real = new Float32Array(rows * P);
  const extra = new Float32Array(rows * P);
  for (let p = 0; p < P; p++) {
    let s = rng.normal() * Math.sqrt(VAR_S); // stationary start
    for (let i = 0; i < rows; i++) {
      const e = rng.normal() * SE;
      real[i * P + p] = mean + s + e;
      extra[i * P + p] = mean + s + rng.normal() * SE;
      s = RHO * s + KAPPA * e + rng.normal() * SEta;
    }
  }
  return { real, extra, rows };
}

t.test('Lemma 3.1 split recovers the closed-form parts of a known Markov chain', async (t) => {
  const rng = new Rng(11);
  const P = 16;
  const trajs = Array.from({ length: 12 }, () => chain(rng, 600, P));
  const s = lemma31Split(trajs, P, 30);
  const near = (x: number, y: number, tol: number, what: string) => t.ok(Math.abs(x - y) <= tol, `${what}: ${x.toFixed(4)} vs closed form ${y.toFixed(4)}`);
  near(s.var_marginal, VAR_S, 0.06 * VAR_S, 'Var_s Ῡ');
  near(s.e_var_action, SE ** 2, 0.03, 'E_s Var_a Υ');
  for (const lag of [1, 2, 5]) {
    near(s.alpha_tilde[lag - 1]!, RHO ** lag * VAR_S, 0.08 * VAR_S, `α̃_${lag}`);
    near(s.alpha[lag - 1]!, KAPPA * RHO ** (lag - 1) * SE ** 2, 0.06, `α_${lag}`);
  }
  t.equal(s.max_lag, 30);
  t.equal(s.alpha.length, 30);
  t.equal(s.num_states, 12 * 600);
});

t.test('Eq. 6 predicts the variance of the trajectory-mean estimator', async (t) => {
  const rng = new Rng(5);
  const P = 8;
  const T = 200;
  const s = lemma31Split(Array.from({ length: 10 }, () => chain(rng, 800, P)), P, 60);
  // empirical: variance over many independent trajectories of the mean of T real terms
  const means: number[] = [];
  for (let k = 0; k < 400; k++) {
    const tr = chain(rng, T, P);
    for (let p = 0; p < P; p++) {
      let m = 0;
      for (let i = 0; i < T; i++) m += tr.real[i * P + p]!;
      means.push(m / T);
    }
  }
  const mu = means.reduce((a, b) => a + b, 0) / means.length;
  const emp = means.reduce((a, b) => a + (b - mu) ** 2, 0) / (means.length - 1);
  const pred = cltVariance(s, T, 1);
  t.ok(Math.abs(pred.total - emp) / emp < 0.15, `Eq. 6 ${pred.total.toFixed(5)} vs empirical ${emp.toFixed(5)}`);
  t.ok(pred.policy_dependent > 0 && pred.marginalised > 0);
  t.ok(cltVariance(s, T, 4).policy_dependent * 4 - pred.policy_dependent < 1e-12, 'N actions divide the policy-dependent part by N');
});

function randomSplit(rng: Rng, L: number, zero = false): Lemma31Split {
  const arr = (scale: number) => Array.from({ length: L }, (_, i) => (zero ? 0 : scale * Math.exp(-i / 5) * (0.5 + rng.random())));
  const alpha = arr(rng.random() * 2);
  const alphaTilde = arr(rng.random() * 0.5);
  return { num_states: 1000, num_params: 1, max_lag: L, var_marginal: rng.random(), e_var_action: 0.1 + 3 * rng.random(), alpha_tilde: alphaTilde, alpha, total_autocov: alpha.map((a, i) => a + alphaTilde[i]!) };
}

t.test('Eq. 14 is exactly the decision Δ_N ≤ Δ_T of Lemma 3.2, and reduces to Theorem 3.3 and Corollary 3.4', async (t) => {
  const rng = new Rng(2);
  let agree = 0;
  let both = 0;
  for (let k = 0; k < 300; k++) {
    const s = randomSplit(rng, 20);
    const T = 16 + Math.floor(rng.random() * 200);
    const N = 1 + Math.floor(rng.random() * 8);
    const delta = Math.exp(rng.normal() * 1.5);
    const d = eq14(s, T, N, delta);
    if (d.prefer_more_actions === d.delta_n <= d.delta_t) agree++;
    if (d.prefer_more_actions) both++;
    // the forward differences are the differences of Eq. 6 (lags ≥ T vanish)
    const exactN = cltVariance(s, T, N + 1).total - cltVariance(s, T, N).total;
    if (Math.abs(exactN - deltaN(s, T, N)) > 1e-9 * Math.abs(exactN)) t.fail(`Δ_N ${deltaN(s, T, N)} vs V(N+1) − V(N) ${exactN}`);
  }
  t.equal(agree, 300, 'Eq. 14 agrees with Δ_N ≤ Δ_T in every random case');
  t.ok(both > 10 && both < 290, `both outcomes occur (${both}/300 prefer more actions)`);
  // Theorem 3.3 (N = δ = 1)
  for (let k = 0; k < 50; k++) {
    const s = randomSplit(rng, 15);
    const T = 64;
    let lhs = 0;
    let rhs = s.var_marginal;
    for (let i = 1; i <= 15; i++) {
      lhs += (i / T) * s.total_autocov[i - 1]!;
      rhs += 2 * ((T - i) / T) * s.alpha_tilde[i - 1]!;
    }
    t.equal(eq14(s, T, 1, 1).prefer_more_actions, lhs >= rhs);
  }
  // Corollary 3.4 (bandit: no autocovariance)
  for (let k = 0; k < 50; k++) {
    const s = randomSplit(rng, 5, true);
    const N = 1 + Math.floor(rng.random() * 3);
    const delta = Math.exp(rng.normal() * 2);
    t.equal(eq14(s, 32, N, delta).prefer_more_actions, s.var_marginal / s.e_var_action <= (1 - delta * N) / (delta * (N * N + N)));
  }
  t.throws(() => eq14(randomSplit(rng, 3), 10, 1, 0), /δ must be > 0/);
  t.ok(deltaT(randomSplit(rng, 3), 10, 1, 1) < 0, 'a longer trajectory reduces the variance');
});

t.test("Tucker's split: Σ_τ is the return noise, and the three parts add up to the second moment", async (t) => {
  const rng = new Rng(9);
  const n = 20000;
  const x = { gg: new Float64Array(n), gg2: new Float64Array(n), qx: new Float64Array(n), qy: new Float64Array(n), q2: new Float64Array(n), vx: new Float64Array(n), vy: new Float64Array(n), value: new Float64Array(n), numParams: 1 };
  const tauSd = 0.7;
  let gg = 0;
  for (let i = 0; i < n; i++) {
    const V = rng.normal();
    const g = rng.normal();
    const g2 = rng.normal();
    const Q = V + g; // the advantage of the taken action correlates with its score
    x.gg[i] = g * g;
    x.gg2[i] = g * g2;
    x.qx[i] = Q + tauSd * rng.normal();
    x.qy[i] = Q + tauSd * rng.normal();
    x.q2[i] = V + g2 + tauSd * rng.normal();
    x.vx[i] = V + rng.normal() + tauSd * rng.normal();
    x.vy[i] = V + rng.normal() + tauSd * rng.normal();
    x.value[i] = V;
    gg += g * g;
  }
  const s = tuckerSplit(x);
  const want = tauSd ** 2 * (gg / n);
  t.ok(Math.abs(s.sigma_tau - want) < 0.05 * want, `Σ_τ ${s.sigma_tau.toFixed(3)} vs ${want.toFixed(3)}`);
  t.ok(s.sigma_a.value < s.sigma_a.none, 'the critic baseline lowers Σ_a');
  let term1 = 0;
  for (let i = 0; i < n; i++) term1 += ((x.qx[i]! ** 2 + x.qy[i]! ** 2) / 2) * x.gg[i]!;
  t.ok(Math.abs(s.sigma_tau + s.sigma_a.none + s.sigma_s - term1 / n) < 1e-9, 'Σ_τ + Σ_a + Σ_s = E[q² ‖g‖²]');
});
