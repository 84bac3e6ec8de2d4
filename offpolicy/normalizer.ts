/**
 * FastTD3's observation normaliser (spec baselines.md §9 [code]): a running mean and (population)
 * variance per dimension, merged batch by batch (Chan et al.'s parallel update, exact in float64),
 * applied as (x − mean)/(std + ε) with ε = 1e-2 — std = √var with no floor on var, as FastTD3's
 * EmpiricalNormalization (fast_td3_utils.py, every version to 229ed59: `_std = sqrt(_var)`, forward
 * `(x − _mean)/(_std + eps)`), so a constant dimension maps to (x − mean)/ε. Before any update it is the identity up to ε
 * (mean 0, variance 1). The trainer updates it on the observations the actor acts on; the learner
 * normalises with the current statistics everywhere else (minibatch s and s′, evaluation) without
 * updating. Its state is JSON (count, mean, var) and goes into checkpoints.
 */
export interface RunningNormState {
  count: number;
  mean: number[];
  var: number[];
}

export class RunningNorm {
  count = 0;
  readonly mean: Float64Array;
  readonly var: Float64Array;

  constructor(readonly dim: number, readonly eps = 1e-2) {
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
  }

  /** Merges n rows of x (n × dim) into the statistics. */
  update(x: ArrayLike<number>, n: number): void {
    if (n <= 0) return;
    const D = this.dim;
    const total = this.count + n;
    for (let d = 0; d < D; d++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += x[i * D + d]!;
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) {
        const e = x[i * D + d]! - m;
        v += e * e;
      }
      v /= n;
      if (this.count === 0) {
        this.mean[d] = m;
        this.var[d] = v;
        continue;
      }
      const delta = m - this.mean[d]!;
      const m2 = this.var[d]! * this.count + v * n + (delta * delta * this.count * n) / total;
      this.mean[d] = this.mean[d]! + (delta * n) / total;
      this.var[d] = m2 / total;
    }
    this.count = total;
  }

  /** (x − mean)/(std + ε) of n rows into a new array. */
  normalize(x: Float32Array, n: number): Float32Array {
    const D = this.dim;
    const out = new Float32Array(n * D);
    for (let d = 0; d < D; d++) {
      const m = this.mean[d]!;
      const s = Math.sqrt(this.var[d]!) + this.eps;
      for (let i = 0; i < n; i++) out[i * D + d] = (x[i * D + d]! - m) / s;
    }
    return out;
  }

  getState(): RunningNormState {
    return { count: this.count, mean: Array.from(this.mean), var: Array.from(this.var) };
  }

  setState(s: RunningNormState): void {
    if (s.mean.length !== this.dim) throw new Error(`observation normaliser state has ${s.mean.length} dimensions, expected ${this.dim}`);
    this.count = s.count;
    this.mean.set(s.mean);
    this.var.set(s.var);
  }
}

export interface RewardNormState {
  /** Each env's running discounted return G. */
  returns: number[];
  /** The largest |G| seen. */
  maxAbsReturn: number;
  /** Running mean and variance of the G's. */
  stats: RunningNormState;
}

/**
 * FastTD3's optional reward normaliser (spec baselines.md §9 [code]; off by default, as there):
 * each env keeps a running discounted return G ← γ·(1 − done)·G + r (done: its episode ended at this
 * step, by termination or truncation — the reference's `dones`; the spec does not say which — so the
 * ending step's reward starts a fresh G, the update order of the reference and of Gymnasium's
 * NormalizeReward), every vector
 * step's G's are merged into one running mean and variance (RunningNorm) and into the largest |G|
 * seen, G_max; rewards are divided by max(std(G) + 1e-8, G_max/gMax) (std = √var, no floor on var:
 * FastTD3's `G_rms.std[0] + epsilon`; identical G's give max(1e-8, G_max/gMax)), the second term capping the
 * normalised returns at |G| ≤ gMax (FastTD3 passes min(|v_min|, |v_max|), the support's reach). The
 * trainer updates it with the rewards of each vector step; the learner divides the rewards of every
 * minibatch by the current divisor (an n-step sum divides as its terms do). Its state goes into checkpoints.
 */
export class RewardNormalizer {
  readonly returns: Float64Array;
  maxAbsReturn = 0;
  readonly stats = new RunningNorm(1);

  constructor(readonly numEnvs: number, readonly gamma: number, readonly gMax: number, readonly eps = 1e-8) {
    this.returns = new Float64Array(numEnvs);
  }

  /** One vector step: env i's reward and whether its episode ended (terminated or truncated). */
  update(rewards: ArrayLike<number>, dones: ArrayLike<boolean | number>): void {
    const G = this.returns;
    for (let i = 0; i < this.numEnvs; i++) {
      G[i] = this.gamma * (dones[i] ? 0 : 1) * G[i]! + rewards[i]!;
      this.maxAbsReturn = Math.max(this.maxAbsReturn, Math.abs(G[i]!));
    }
    this.stats.update(G, this.numEnvs);
  }

  /** What rewards are divided by now. */
  divisor(): number {
    return Math.max(Math.sqrt(this.stats.var[0]!) + this.eps, this.maxAbsReturn / this.gMax);
  }

  /** n rewards divided by the current divisor, into a new array. */
  normalize(rew: Float32Array, n: number): Float32Array {
    const d = this.divisor();
    return Float32Array.from(rew.subarray(0, n), (r) => r / d);
  }

  getState(): RewardNormState {
    return { returns: Array.from(this.returns), maxAbsReturn: this.maxAbsReturn, stats: this.stats.getState() };
  }

  setState(s: RewardNormState): void {
    if (s.returns.length !== this.numEnvs) throw new Error(`reward normaliser state has ${s.returns.length} envs, expected ${this.numEnvs}`);
    this.returns.set(s.returns);
    this.maxAbsReturn = s.maxAbsReturn;
    this.stats.setState(s.stats);
  }
}
