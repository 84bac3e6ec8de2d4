/**
 * HalfCheetah-v5 (Gymnasium half_cheetah_v5.py; spec mujoco-models.md §3).
 * obs (17) = qpos[1:] + qvel (not clipped); reward = Δx/dt − 0.1·‖a‖²; never terminates;
 * reset qpos U(±0.1), qvel 0.1·N(0, 1); frame_skip 5 (dt 0.05).
 */
import type { Info } from '../../env.js';
import { GymMujocoEnv, qposQvelObservation } from '../gymnasium-mujoco-env.js';
import { HALF_CHEETAH_XML } from '../models/half-cheetah.js';

export class HalfCheetahV5 extends GymMujocoEnv {
  constructor() {
    super('HalfCheetah-v5', HALF_CHEETAH_XML, 5, 17);
  }

  protected resetModel(): void {
    this.sim.setQposQvel(this.uniformAround(this.initQpos, 0.1), this.normalAround(this.initQvel, 0.1));
  }

  protected observation(): Float32Array {
    return qposQvelObservation(this.sim.qpos, this.sim.qvel, 1, null);
  }

  protected override resetInfo(): Info {
    return { x_position: this.sim.qpos[0]! };
  }

  protected stepTask(a: Float64Array): { reward: number; terminated: boolean; info: Info } {
    const xBefore = this.sim.qpos[0]!;
    this.sim.step(a, this.frameSkip);
    const x = this.sim.qpos[0]!;
    const xVelocity = (x - xBefore) / this.dt;
    const forward = 1.0 * xVelocity;
    const ctrlCost = 0.1 * GymMujocoEnv.sumSquares(a);
    return { reward: forward - ctrlCost, terminated: false, info: { x_position: x, x_velocity: xVelocity, reward_forward: forward, reward_ctrl: -ctrlCost } };
  }
}
