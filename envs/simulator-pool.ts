/**
 * A pool of spare environments with the training wrapper stack, used to rewind the simulator:
 * restore a snapshot taken during a rollout (`Env.getState`), try a different action, continue with
 * the policy. Normalisers are frozen, so branch rewards and observations are scaled exactly as the
 * training env scaled them at the snapshot, and nothing leaks back into training. Every step taken
 * here is counted in `steps` (simulated env steps are a real cost).
 */
import type { Env } from './env.js';
import { freezeNormalizers } from './stack.js';

export class SimulatorPool {
  readonly envs: Env[];
  steps = 0;

  constructor(factory: () => Env, readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`SimulatorPool: size must be a positive integer, got ${size}`);
    this.envs = Array.from({ length: size }, () => {
      const env = factory();
      env.reset({ seed: 0 });
      freezeNormalizers(env);
      return env;
    });
  }

  close(): void {
    for (const e of this.envs) e.close?.();
  }
}
