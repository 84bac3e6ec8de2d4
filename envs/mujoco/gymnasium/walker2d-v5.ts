/**
 * Walker2d-v5 (Gymnasium walker2d_v5.py; spec mujoco-models.md §2): obs 17, healthy (strict) when
 * z ∈ (0.8, 2.0) and angle ∈ (−1, 1), no state-range test. Reward, termination and reset are the
 * planar-walker ones.
 */
import { walker2dXml } from '../models/walker2d.js';
import { PlanarWalkerEnv } from './planar-walker.js';

export const WALKER_HEALTH = { zRange: [0.8, 2.0], angleRange: [-1, 1] } as const;

export class Walker2dV5 extends PlanarWalkerEnv {
  constructor() {
    super('Walker2d-v5', walker2dXml(1.9), 4, 17);
  }

  isHealthy(): boolean {
    const z = this.sim.qpos[1]!;
    const angle = this.sim.qpos[2]!;
    return z > WALKER_HEALTH.zRange[0] && z < WALKER_HEALTH.zRange[1] && angle > WALKER_HEALTH.angleRange[0] && angle < WALKER_HEALTH.angleRange[1];
  }
}
