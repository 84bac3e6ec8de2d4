/**
 * Hopper-v5 (Gymnasium hopper_v5.py; spec ppo-and-envs.md §4.2, mujoco-models.md §1): obs 11,
 * healthy (strict) when state_vector[2:] ∈ (−100, 100), z ∈ (0.7, ∞) and angle ∈ (−0.2, 0.2).
 * Reward, termination and reset are the planar-walker ones.
 */
import { HOPPER_XML } from '../models/hopper.js';
import { PlanarWalkerEnv } from './planar-walker.js';

export const HOPPER_HEALTH = { stateRange: [-100, 100], zRange: [0.7, Infinity], angleRange: [-0.2, 0.2] } as const;

export class HopperV5 extends PlanarWalkerEnv {
  constructor() {
    super('Hopper-v5', HOPPER_XML, 4, 11);
  }

  isHealthy(): boolean {
    const q = this.sim.qpos;
    const v = this.sim.qvel;
    const [lo, hi] = HOPPER_HEALTH.stateRange;
    for (let i = 2; i < q.length; i++) if (!(q[i]! > lo && q[i]! < hi)) return false;
    for (let i = 0; i < v.length; i++) if (!(v[i]! > lo && v[i]! < hi)) return false;
    const z = q[1]!;
    const angle = q[2]!;
    return z > HOPPER_HEALTH.zRange[0] && z < HOPPER_HEALTH.zRange[1] && angle > HOPPER_HEALTH.angleRange[0] && angle < HOPPER_HEALTH.angleRange[1];
  }
}
