/**
 * FastTD3's observation normaliser (spec baselines.md §9 [code]): a running mean and (population)
 * variance per dimension, merged batch by batch (Chan et al.'s parallel update, exact in float64),
 * applied as (x − mean)/(std + ε) with ε = 1e-2. Before any update it is the identity up to ε
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
