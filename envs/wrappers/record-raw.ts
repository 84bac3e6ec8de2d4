/**
 * Records what the env produced before the stack's normalisers and clips touch it: `info.raw_obs`
 * (a copy of the observation, on reset and step) and `info.raw_reward` (the step's reward). Placed
 * just before NormalizeObservation/ClipObservation/NormalizeReward/ClipReward in the training stack
 * (envs/stack.ts), so learned models can store transitions in one fixed coordinate system while the
 * normalisers' running statistics move (issue 15 item 3). Passes everything else through unchanged.
 */
import { Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../env.js';

export const RAW_OBS = 'raw_obs';
export const RAW_REWARD = 'raw_reward';

export class RecordRaw extends Wrapper {
  constructor(env: Env, readonly observations: boolean, readonly rewards: boolean) {
    super(env);
  }
  override reset(options?: ResetOptions): ResetResult {
    const r = this.env.reset(options);
    return this.observations ? { ...r, info: { ...r.info, [RAW_OBS]: Float32Array.from(r.obs) } } : r;
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    if (!this.observations && !this.rewards) return r;
    const info = { ...r.info };
    if (this.observations) info[RAW_OBS] = Float32Array.from(r.obs);
    if (this.rewards) info[RAW_REWARD] = r.reward;
    return { ...r, info };
  }
}
