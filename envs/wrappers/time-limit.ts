/** Gymnasium `TimeLimit`: `truncated = true` once `elapsed >= maxEpisodeSteps`. */
import { Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../env.js';

export class TimeLimit extends Wrapper {
  private elapsed = 0;
  constructor(env: Env, readonly maxEpisodeSteps: number) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) throw new Error(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
  }
  override reset(options?: ResetOptions): ResetResult {
    this.elapsed = 0;
    return this.env.reset(options);
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    this.elapsed += 1;
    if (this.elapsed >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }
  override getState(): unknown {
    return { elapsed: this.elapsed, inner: this.env.getState() };
  }
  override setState(s: unknown): void {
    const st = s as { elapsed: number; inner: unknown };
    this.elapsed = st.elapsed;
    this.env.setState(st.inner);
  }
}
