/**
 * Gymnasium `NormalizeReward(gamma, epsilon=1e-8)` (PPO detail 30): keeps the discounted return
 * G ← G·γ·(1 − terminated) + r, updates the running variance of G and returns r / sqrt(var_G + eps).
 * The mean is not subtracted (openai/baselines#538).
 */
import { RunningMeanStd, type RunningMeanStdState } from '../../common/running-mean-std.js';
import { Wrapper, type Action, type Env, type StepResult } from '../env.js';

export class NormalizeReward extends Wrapper {
  readonly rms = new RunningMeanStd(1);
  frozen = false;
  private discountedReturn = 0;
  constructor(env: Env, readonly gamma = 0.99, readonly epsilon = 1e-8) {
    super(env);
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    this.discountedReturn = this.discountedReturn * this.gamma * (r.terminated ? 0 : 1) + r.reward;
    if (!this.frozen) this.rms.update([this.discountedReturn]);
    return { ...r, reward: r.reward / Math.sqrt(this.rms.var[0]! + this.epsilon) };
  }
  override getState(): unknown {
    return { rms: this.rms.getState(), g: this.discountedReturn, inner: this.env.getState() };
  }
  override setState(s: unknown): void {
    const st = s as { rms: RunningMeanStdState; g: number; inner: unknown };
    this.rms.setState(st.rms);
    this.discountedReturn = st.g;
    this.env.setState(st.inner);
  }
}
