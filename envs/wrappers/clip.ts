/** CleanRL's `TransformObservation(clip ±c)` and `TransformReward(clip ±c)` after normalisation. */
import { ObservationWrapper, Wrapper, type Action, type Env, type StepResult } from '../env.js';

/** v clipped to [−c, c]. */
export const clip = (v: number, c: number) => (v < -c ? -c : v > c ? c : v);

export class ClipObservation extends ObservationWrapper {
  constructor(env: Env, readonly bound: number) {
    super(env);
  }
  protected observation(obs: Float32Array): Float32Array {
    return obs.map((v) => clip(v, this.bound));
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
