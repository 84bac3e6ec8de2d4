/**
 * Variance decompositions of the policy gradient at a fixed policy (spec estimators.md §1.3–1.5, §3.2).
 *
 * Lemma 3.1 (MBMA paper): per-state gradient terms Υ_t = Â(s_t, a_t)∇log π(a_t|s_t) along one
 * trajectory, with one extra action a'_t per state that is *not* executed (the simulator was rewound).
 * With Ῡ_t = E_a[Υ(s_t, a)] (action-marginalised term):
 *   Var_s Ῡ        = Cov(Υ(s, a), Υ(s, a'))                         two independent actions at one state
 *   E_s Var_a Υ    = E ‖Υ(s, a) − Υ(s, a')‖² / 2
 *   α̃_t           = Cov(Ῡ_0, Ῡ_t)  ≈ Cov(Υ'_0, Υ_t) and Cov(Υ'_0, Υ'_t) (averaged): the extra action
 *                    at s_0 influences nothing later, so it only sees the marginalised part
 *   C_t            = Cov(Υ_0, Υ_t)  on the real (executed) actions
 *   α_t            = C_t − α̃_t      policy-dependent autocovariance (N = 1 along the real trajectory)
 * Every covariance is per parameter and averaged over the P parameters (trace / P, the paper's
 * convention). Lags beyond `maxLag` are taken as zero (their estimates are pure noise for large t).
 * Gradient terms are not discounted by γ^t, as in PPO's estimator (the paper's Υ^t carries γ^t).
 *
 * Eq. 6 gives the Markov-CLT variance of the N-action estimator over T states; Lemma 3.2 the forward
 * differences Δ_N (one more action per state) and Δ_T (a δ-times longer trajectory, δ = relative
 * cost of an action sample); Eq. 14 the closed-form decision Δ_N ≤ Δ_T.
 *
 * Tucker et al.'s split (per time step, cross-time terms ignored) Σ = Σ_τ + Σ_a + Σ_s from repeated
 * rollouts at restored states, with their `calc_variance.py` recipe (see `tuckerSplit`).
 */

/** Per-state gradient terms of one trajectory: rows × P, row-major, in time order. */
export interface TrajectoryTerms {
  real: Float32Array;
  extra: Float32Array;
  rows: number;
}

export interface Lemma31Split {
  num_states: number;
  num_params: number;
  max_lag: number;
  /** Var_s Ῡ: the marginalised-policy variance (per parameter, averaged). */
  var_marginal: number;
  /** E_s Var_a Υ: the policy-dependent variance. */
  e_var_action: number;
  /** α̃_t, t = 1 … max_lag. */
  alpha_tilde: number[];
  /** α_t, t = 1 … max_lag. */
  alpha: number[];
  /** C_t = α̃_t + α_t, t = 1 … max_lag. */
  total_autocov: number[];
}

/** Centred copies of the rows (means over all trajectories). */
function centre(trajs: Float32Array[], rows: number[], P: number): Float64Array[] {
  const mean = new Float64Array(P);
  let n = 0;
  trajs.forEach((g, k) => {
    for (let i = 0; i < rows[k]!; i++) for (let p = 0; p < P; p++) mean[p]! += g[i * P + p]!;
    n += rows[k]!;
  });
  for (let p = 0; p < P; p++) mean[p]! /= n;
  return trajs.map((g, k) => {
    const out = new Float64Array(rows[k]! * P);
    for (let i = 0; i < rows[k]!; i++) for (let p = 0; p < P; p++) out[i * P + p] = g[i * P + p]! - mean[p]!;
    return out;
  });
}

/** (1/P) · mean over pairs (i, i + t) inside each trajectory of ⟨a_i, b_{i+t}⟩. */
function lagCov(a: Float64Array[], b: Float64Array[], rows: number[], P: number, t: number): number {
  let sum = 0;
  let pairs = 0;
  for (let k = 0; k < a.length; k++) {
    const A = a[k]!;
    const B = b[k]!;
    for (let i = 0; i + t < rows[k]!; i++) {
      let dot = 0;
      const ai = i * P;
      const bj = (i + t) * P;
      for (let p = 0; p < P; p++) dot += A[ai + p]! * B[bj + p]!;
      sum += dot;
      pairs++;
    }
  }
  return pairs > 0 ? sum / pairs / P : 0;
}

export function lemma31Split(trajs: TrajectoryTerms[], P: number, maxLag: number): Lemma31Split {
  if (trajs.length === 0) throw new Error('lemma31Split: no trajectories');
  const rows = trajs.map((t) => t.rows);
  const total = rows.reduce((s, r) => s + r, 0);
  if (total < 2) throw new Error(`lemma31Split: need at least 2 states, got ${total}`);
  const L = Math.max(0, Math.min(maxLag, Math.max(...rows) - 1));
  const real = centre(trajs.map((t) => t.real), rows, P);
  const extra = centre(trajs.map((t) => t.extra), rows, P);
  let diff = 0;
  trajs.forEach((t, k) => {
    for (let i = 0; i < rows[k]! * P; i++) diff += (t.real[i]! - t.extra[i]!) ** 2;
  });
  const alphaTilde: number[] = [];
  const alpha: number[] = [];
  const totalAutocov: number[] = [];
  for (let t = 1; t <= L; t++) {
    const at = 0.5 * (lagCov(extra, real, rows, P, t) + lagCov(extra, extra, rows, P, t));
    const ct = lagCov(real, real, rows, P, t);
    alphaTilde.push(at);
    totalAutocov.push(ct);
    alpha.push(ct - at);
  }
  return {
    num_states: total,
    num_params: P,
    max_lag: L,
    var_marginal: lagCov(real, extra, rows, P, 0),
    e_var_action: diff / total / P / 2,
    alpha_tilde: alphaTilde,
    alpha,
    total_autocov: totalAutocov,
  };
}

/** Σ_{t=1}^{min(T−1, L)} w(t) x_t for lag terms stored from t = 1. */
function lagSum(x: number[], T: number, w: (t: number) => number): number {
  let s = 0;
  for (let t = 1; t <= Math.min(T - 1, x.length); t++) s += w(t) * x[t - 1]!;
  return s;
}

export interface CltVariance {
  /** T·V's marginalised-policy part (only T reduces it), divided by T: its share of V. */
  marginalised: number;
  /** The policy-dependent part of V (N and T reduce it). */
  policy_dependent: number;
  /** V = marginalised + policy_dependent: variance of the N-action estimator over T states (Eq. 4/6). */
  total: number;
}

/** Eq. 6: variance of the N-action estimator over a trajectory of T states, split in its two parts. */
/** A part's share of a total, bounded to [0, 1]; `flag` says why when the raw ratio left [0, 1] or is undefined. */
export interface BoundedShare {
  share: number;
  raw: number;
  flag: string | null;
}

/**
 * part / total clipped to [0, 1]. Variance parts estimated from sums of lag autocovariances can come
 * out negative (or exceed the total), so the raw ratio can leave [0, 1]; it is kept in `raw` and
 * flagged rather than reported as a share. A total ≤ 0 gives NaN with a flag.
 */
export function boundedShare(part: number, total: number): BoundedShare {
  if (!(total > 0) || !Number.isFinite(part)) return { share: NaN, raw: total !== 0 ? part / total : NaN, flag: `undefined: total ${total} ≤ 0 or not finite` };
  const raw = part / total;
  if (raw < 0) return { share: 0, raw, flag: `raw share ${raw.toPrecision(3)} < 0 (a part's estimate is negative): clipped to 0` };
  if (raw > 1) return { share: 1, raw, flag: `raw share ${raw.toPrecision(3)} > 1 (the other part's estimate is negative): clipped to 1` };
  return { share: raw, raw, flag: null };
}

export function cltVariance(s: Lemma31Split, T: number, N: number): CltVariance {
  const w = (t: number) => (2 * (T - t)) / T;
  const marginalised = (s.var_marginal + lagSum(s.alpha_tilde, T, w)) / T;
  const policy = (s.e_var_action + lagSum(s.alpha, T, w)) / (N * T);
  return { marginalised, policy_dependent: policy, total: marginalised + policy };
}

/** Lemma 3.2 / Eq. 7: Δ_N = V(N+1) − V(N). */
export function deltaN(s: Lemma31Split, T: number, N: number): number {
  const aN = -1 / (T * (N * N + N));
  return aN * (s.e_var_action + lagSum(s.alpha, T, (t) => (2 * (T - t)) / T));
}

/** Lemma 3.2 / Eq. 7: Δ_T = V(T + δT) − V(T) at N actions per state (lags ≥ T taken as zero). */
export function deltaT(s: Lemma31Split, T: number, N: number, delta: number): number {
  const aT = -delta / (T + delta * T);
  const C = s.alpha_tilde.map((a, i) => a + s.alpha[i]! / N);
  return aT * (s.var_marginal + s.e_var_action / N + lagSum(C, T, (t) => 2 * ((T - t) / T - t / (T + delta * T))));
}

export interface Eq14Decision {
  delta: number;
  actions: number;
  lhs: number;
  rhs: number;
  /** Eq. 14: true when one more action per state reduces the variance more than δ·T more states. */
  prefer_more_actions: boolean;
  delta_n: number;
  delta_t: number;
}

/** Eq. 14 (Appendix A.3): is going from N to N + 1 actions better than a δ-times longer trajectory? */
export function eq14(s: Lemma31Split, T: number, N: number, delta: number): Eq14Decision {
  if (!(delta > 0)) throw new Error(`eq14: δ must be > 0, got ${delta}`);
  const d = delta;
  const nn = N * N + N;
  const lhs =
    ((1 - d * N) / (d * nn)) * s.e_var_action +
    2 * lagSum(s.alpha, T, (t) => ((1 + d - d * N - d * d * N) * T - (1 - 2 * d * N - d * d * N) * t) / ((d * T + d * d * T) * nn));
  const rhs = s.var_marginal + 2 * lagSum(s.alpha_tilde, T, (t) => (T - t) / T - t / (T + d * T));
  return { delta: d, actions: N, lhs, rhs, prefer_more_actions: lhs >= rhs, delta_n: deltaN(s, T, N), delta_t: deltaT(s, T, N, d) };
}

/** Per-state samples for Tucker et al.'s split (spec §3.2), Q-values as λ-returns. */
export interface TuckerSamples {
  /** ‖g_i‖², g = ∇log π(a_i|s_i) of the taken action. */
  gg: Float64Array;
  /** ⟨g_i, g''_i⟩, g'' = ∇log π(a''_i|s_i) of a fresh action a''. */
  gg2: Float64Array;
  /** Two independent rollouts' returns from (s, a). */
  qx: Float64Array;
  qy: Float64Array;
  /** One rollout's return from (s, a''). */
  q2: Float64Array;
  /** Returns of two rollouts from s with fresh actions (unbiased V(s) samples). */
  vx: Float64Array;
  vy: Float64Array;
  /** The critic's V(s). */
  value: Float64Array;
  numParams: number;
}

export interface TuckerSplit {
  states: number;
  /** Σ_τ: future-trajectory noise (trace / P). */
  sigma_tau: number;
  /** Σ_a for baselines none, the critic V(s) and sampled V(s). */
  sigma_a: { none: number; value: number; sampled_value: number };
  /** Σ_s (upper bound: the squared mean is not subtracted). */
  sigma_s: number;
}

/** Tucker et al.'s `calc_variance.py` recipe: Σ_τ = term1 − term2, Σ_a = term2(b) − term3, Σ_s = term3. */
export function tuckerSplit(x: TuckerSamples): TuckerSplit {
  const n = x.gg.length;
  if (n === 0) throw new Error('tuckerSplit: no states');
  const mean = (f: (i: number) => number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += f(i);
    return s / n / x.numParams;
  };
  const term1 = mean((i) => ((x.qx[i]! ** 2 + x.qy[i]! ** 2) / 2) * x.gg[i]!);
  const term2 = mean((i) => x.qx[i]! * x.qy[i]! * x.gg[i]!);
  const term2V = mean((i) => (x.qx[i]! - x.value[i]!) * (x.qy[i]! - x.value[i]!) * x.gg[i]!);
  const term2S = mean((i) => (x.qx[i]! - x.vx[i]!) * (x.qy[i]! - x.vy[i]!) * x.gg[i]!);
  const term3 = mean((i) => 0.5 * ((x.qx[i]! - x.vx[i]!) * (x.q2[i]! - x.vy[i]!) + (x.q2[i]! - x.vx[i]!) * (x.qy[i]! - x.vy[i]!)) * x.gg2[i]!);
  return { states: n, sigma_tau: term1 - term2, sigma_a: { none: term2 - term3, value: term2V - term3, sampled_value: term2S - term3 }, sigma_s: term3 };
}
