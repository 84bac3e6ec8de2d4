/** CleanRL's `TransformObservation(clip ±c)` and `TransformReward(clip ±c)` after normalisation. */
import { Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../env.js';

const clip = (v: number, c: number) => (v < -c ? -c : v > c ? c : v);

export class ClipObservation extends Wrapper {
  constructor(env: Env, readonly bound: number) {
    super(env);
  }
  private apply(obs: Float32Array): Float32Array {
    return obs.map((v) => clip(v, this.bound));
  }
  override reset(options?: ResetOptions): ResetResult {
    const r = this.env.reset(options);
    return { ...r, obs: this.apply(r.obs) };
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    return { ...r, obs: this.apply(r.obs) };
  }
}

export class ClipReward extends Wrapper {
  constructor(env: Env, readonly bound: number) {
    super(env);
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    return { ...r, reward: clip(r.reward, this.bound) };
  }
}
