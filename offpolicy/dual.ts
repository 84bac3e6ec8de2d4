/**
 * An adaptive scalar ("dual variable", spec baselines.md §1 and §12.6): x = exp(log x), learned by
 * its own Adam (PyTorch's rule, eps 1e-8) on loss = x·violation, so ∂loss/∂log x = x·violation and
 * x shrinks while the violation is positive. One component for every such coefficient:
 *   - SAC's entropy temperature α: violation = H_emp − H̄ = −(mean log π + H̄), i.e. CleanRL's
 *     alpha_loss = mean(−α(log π + H̄)) with H̄ = −|A|: α falls while the policy's entropy is above
 *     the target and rises below it;
 *   - a KL weight λ (BRO/DAC, next issue): violation = −(KL − KL̄).
 */
export interface DualState {
  logValue: number;
  m: number;
  v: number;
  t: number;
}

export class Dual {
  logValue: number;
  private m = 0;
  private v = 0;
  private t = 0;

  constructor(initial: number, readonly lr: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly eps = 1e-8) {
    if (!(initial > 0)) throw new Error(`Dual: the initial value must be positive, got ${initial}`);
    this.logValue = Math.log(initial);
  }

  get value(): number {
    return Math.exp(this.logValue);
  }

  /** One Adam step on loss = x·violation; returns the loss before the step. */
  step(violation: number): number {
    const x = this.value;
    const grad = x * violation;
    const { beta1: b1, beta2: b2 } = this;
    this.t += 1;
    this.m = b1 * this.m + (1 - b1) * grad;
    this.v = b2 * this.v + (1 - b2) * grad * grad;
    const denom = Math.sqrt(this.v) / Math.sqrt(1 - b2 ** this.t) + this.eps;
    this.logValue -= ((this.lr / (1 - b1 ** this.t)) * this.m) / denom;
    return x * violation;
  }

  getState(): DualState {
    return { logValue: this.logValue, m: this.m, v: this.v, t: this.t };
  }

  setState(s: DualState): void {
    ({ logValue: this.logValue, m: this.m, v: this.v, t: this.t } = s);
  }
}

/** The temperature's violation H_emp − H̄ from a batch of log π and the target entropy H̄. */
export function entropyViolation(logProbs: ArrayLike<number>, targetEntropy: number): number {
  let m = 0;
  for (let i = 0; i < logProbs.length; i++) m += logProbs[i]!;
  return -(m / logProbs.length + targetEntropy);
}
