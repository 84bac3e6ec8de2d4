/**
 * Running mean and variance with the parallel (Chan et al.) update, as Gymnasium's
 * `RunningMeanStd`: starts at mean 0, var 1, count 1e-4 (epsilon).
 */
export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

export class RunningMeanStd {
  mean: Float64Array;
  var: Float64Array;
  count: number;

  constructor(readonly size: number, epsilon = 1e-4) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = epsilon;
  }

  /** Update with one sample (batch of size 1, as the single-env wrappers do). */
  update(x: ArrayLike<number>): void {
    const batchCount = 1;
    const tot = this.count + batchCount;
    for (let i = 0; i < this.size; i++) {
      const delta = x[i]! - this.mean[i]!;
      const newMean = this.mean[i]! + (delta * batchCount) / tot;
      const mA = this.var[i]! * this.count;
      // batch variance is 0 for a single sample
      const m2 = mA + delta * delta * ((this.count * batchCount) / tot);
      this.mean[i] = newMean;
      this.var[i] = m2 / tot;
    }
    this.count = tot;
  }

  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  setState(s: RunningMeanStdState): void {
    if (s.mean.length !== this.size) throw new Error(`normaliser size ${s.mean.length} does not match ${this.size}`);
    this.mean = Float64Array.from(s.mean);
    this.var = Float64Array.from(s.var);
    this.count = s.count;
  }
}
