/**
 * Swimmer-v5 (Gymnasium swimmer_v5.py; spec mujoco-models.md §8).
 * obs (8) = qpos[2:] + qvel; reward = Δx/dt − 1e-4·‖a‖²; never terminates; reset U(±0.1) on qpos and
 * qvel; frame_skip 4.
 */
import type { Info } from '../../env.js';
import { GymMujocoEnv, qposQvelObservation } from '../gymnasium-mujoco-env.js';
import { SWIMMER_XML } from '../models/swimmer.js';

export class SwimmerV5 extends GymMujocoEnv {
  constructor() {
    super('Swimmer-v5', SWIMMER_XML, 4, 8);
  }

  protected resetModel(): void {
    this.sim.setQposQvel(this.uniformAround(this.initQpos, 0.1), this.uniformAround(this.initQvel, 0.1));
  }

  protected observation(): Float32Array {
    return qposQvelObservation(this.sim.qpos, this.sim.qvel, 2, null);
  }

  protected stepTask(a: Float64Array): { reward: number; terminated: boolean; info: Info } {
    const x0 = this.sim.qpos[0]!;
    const y0 = this.sim.qpos[1]!;
    this.sim.step(a, this.frameSkip);
    const x1 = this.sim.qpos[0]!;
    const y1 = this.sim.qpos[1]!;
    const xVelocity = (x1 - x0) / this.dt;
    const yVelocity = (y1 - y0) / this.dt;
    const forward = 1.0 * xVelocity;
    const ctrlCost = 1e-4 * GymMujocoEnv.sumSquares(a);
    return {
      reward: forward - ctrlCost,
      terminated: false,
      info: { reward_forward: forward, reward_ctrl: -ctrlCost, x_position: x1, y_position: y1, distance_from_origin: Math.hypot(x1 - this.initQpos[0]!, y1 - this.initQpos[1]!), x_velocity: xVelocity, y_velocity: yVelocity },
    };
  }
}
