/**
 * Gymnasium `ClipAction`: clips a continuous action to the space's bounds before the env sees it;
 * the wrapper's action space becomes Box(−inf, inf). PPO stores the unclipped sample (detail 27).
 */
import { Wrapper, type Action, type Env, type StepResult } from '../env.js';
import { box, type Space } from '../spaces.js';

export class ClipAction extends Wrapper {
  private readonly space: Space;
  constructor(env: Env) {
    super(env);
    const s = env.actionSpace;
    if (s.kind !== 'box') throw new Error(`ClipAction needs a Box action space, ${env.id} has ${s.kind}`);
    this.space = box(-Infinity, Infinity, s.shape, s.dtype);
  }
  override get actionSpace(): Space {
    return this.space;
  }
  override step(action: Action): StepResult {
    const s = this.env.actionSpace as Extract<Space, { kind: 'box' }>;
    const a = typeof action === 'number' ? [action] : action;
    const clipped = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) clipped[i] = Math.min(s.high[i]!, Math.max(s.low[i]!, a[i]!));
    return this.env.step(clipped);
  }
}
