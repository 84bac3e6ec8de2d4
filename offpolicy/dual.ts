/**
 * An adaptive scalar ("dual variable", spec baselines.md §1 and §12.6): x = exp(log x), learned by
 * its own Adam (PyTorch's rule, eps 1e-8) on loss = x·violation, so ∂loss/∂log x = x·violation and
 * x shrinks while the violation is positive. One component for every such coefficient:
 *   - SAC's entropy temperature α: violation = H_emp − H̄ = −(mean log π + H̄), i.e. CleanRL's
 *     alpha_loss = mean(−α(log π + H̄)) with H̄ = −|A|: α falls while the policy's entropy is above
 *     the target and rises below it;
 *   - DAC's KL weight λ: violation = −(KL − KL̄), so λ grows while the KL is above its target;
 *   - DAC's optimism β_ub = exp(p) − β_lb (transform `exp` with offset β_lb, so β_ub > −β_lb):
 *     violation = KL − KL̄ (minus 1 under the −min(β_ub, −0.999) barrier), so β_ub shrinks while the
 *     KL is above its target;
 *   - VPL's pessimism β ∈ (lo, hi) (transform `tanh`: β = lo + (hi − lo)·½(1 + tanh p)), violation =
 *     ∂L_val/∂β, the validation TD loss's derivative;
 *   - BRO's optimism β_ub and KL weight λ (transform `tanh-log`: log x = lo + (hi − lo)·½(1 + tanh p),
 *     lo = −10, hi = 7.5, spec §6 [code]): violations KL − KL̄ and −(KL − KL̄), no barrier.
 * In general the loss is linear in the value x with slope `violation`, and Adam steps the raw
 * parameter p on violation·dx/dp. The state's `logValue` is p (log x for the plain `exp` transform).
 */
export interface DualState {
  logValue: number;
  m: number;
  v: number;
  t: number;
}

/** x = exp(p) − offset, x = lo + (hi − lo)·½(1 + tanh p), or log x = lo + (hi − lo)·½(1 + tanh p). */
export type DualTransform = { kind: 'exp'; offset?: number } | { kind: 'tanh'; lo: number; hi: number } | { kind: 'tanh-log'; lo: number; hi: number };

export class Dual {
  logValue: number;
  private m = 0;
  private v = 0;
  private t = 0;

  constructor(initial: number, readonly lr: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly eps = 1e-8, readonly transform: DualTransform = { kind: 'exp' }) {
    const tr = transform;
    if (tr.kind === 'exp') {
      const o = tr.offset ?? 0;
      if (!(initial + o > 0)) throw new Error(`Dual: the initial value must exceed ${-o}, got ${initial}`);
      this.logValue = Math.log(initial + o);
    } else if (tr.kind === 'tanh') {
      if (!(initial > tr.lo && initial < tr.hi)) throw new Error(`Dual: the initial value must lie in (${tr.lo}, ${tr.hi}), got ${initial}`);
      this.logValue = Math.atanh((2 * (initial - tr.lo)) / (tr.hi - tr.lo) - 1);
    } else {
      const l = Math.log(initial);
      if (!(l > tr.lo && l < tr.hi)) throw new Error(`Dual: the initial value's log must lie in (${tr.lo}, ${tr.hi}), got ${initial}`);
      this.logValue = Math.atanh((2 * (l - tr.lo)) / (tr.hi - tr.lo) - 1);
    }
  }

  get value(): number {
    const tr = this.transform;
    if (tr.kind === 'exp') return Math.exp(this.logValue) - (tr.offset ?? 0);
    const bounded = tr.lo + (tr.hi - tr.lo) * 0.5 * (1 + Math.tanh(this.logValue));
    return tr.kind === 'tanh' ? bounded : Math.exp(bounded);
  }

  /** dx/dp at the current p. */
  private slope(): number {
    const tr = this.transform;
    if (tr.kind === 'exp') return Math.exp(this.logValue);
    const th = Math.tanh(this.logValue);
    const d = (tr.hi - tr.lo) * 0.5 * (1 - th * th);
    return tr.kind === 'tanh' ? d : this.value * d;
  }

  /** One Adam step on a loss with ∂loss/∂x = violation (loss = x·violation); returns x·violation before the step. */
  step(violation: number): number {
    const x = this.value;
    const grad = this.slope() * violation;
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
