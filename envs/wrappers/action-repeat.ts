/**
 * Action repeat (frame skip at the agent level, as the MBMA paper's DMC setup with 4 and BRO's with
 * 1): the action is applied `k` times, rewards are summed, and the repetition stops early when the
 * episode ends. Placed directly on the made env, inside the episode statistics, so recorded returns
 * are the task's own and lengths count agent steps.
 */
import { Wrapper, type Action, type Env, type StepResult } from '../env.js';

export class ActionRepeat extends Wrapper {
  constructor(env: Env, readonly k: number) {
    super(env);
    if (!Number.isInteger(k) || k < 1) throw new Error(`ActionRepeat: k must be a positive integer, got ${k}`);
  }
  override step(action: Action): StepResult {
    let total = 0;
    let r!: StepResult;
    for (let i = 0; i < this.k; i++) {
      r = this.env.step(action);
      total += r.reward;
      if (r.terminated || r.truncated) break;
    }
    return { ...r, reward: total };
  }
}
