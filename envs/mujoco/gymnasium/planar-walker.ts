/**
 * What Hopper-v5 and Walker2d-v5 share (Gymnasium hopper_v5.py / walker2d_v5.py): obs = qpos[1:] +
 * clip(qvel, ±10); reward = 1·healthy + 1·Δx/dt − 1e-3·‖a‖² with the healthy reward paid only while
 * healthy (v5); terminate when unhealthy; reset U(±5e-3) on qpos and qvel; frame_skip 4. Each task
 * supplies its model and its health test.
 */
import type { Info } from '../../env.js';
import { GymMujocoEnv, qposQvelObservation } from '../gymnasium-mujoco-env.js';

export const PLANAR_WALKER = { healthyReward: 1.0, forwardWeight: 1.0, ctrlCostWeight: 1e-3, resetNoise: 5e-3, qvelClip: 10 } as const;

export abstract class PlanarWalkerEnv extends GymMujocoEnv {
  abstract isHealthy(): boolean;

  protected resetModel(): void {
    this.sim.setQposQvel(this.uniformAround(this.initQpos, PLANAR_WALKER.resetNoise), this.uniformAround(this.initQvel, PLANAR_WALKER.resetNoise));
  }

  protected observation(): Float32Array {
    return qposQvelObservation(this.sim.qpos, this.sim.qvel, 1, PLANAR_WALKER.qvelClip);
  }

  protected override resetInfo(): Info {
    return { x_position: this.sim.qpos[0]!, z_distance_from_origin: this.sim.qpos[1]! - this.initQpos[1]! };
  }

  protected stepTask(a: Float64Array): { reward: number; terminated: boolean; info: Info } {
    const xBefore = this.sim.qpos[0]!;
    this.sim.step(a, this.frameSkip);
    const q = this.sim.qpos;
    const xVelocity = (q[0]! - xBefore) / this.dt;
    const healthy = this.isHealthy();
    const forward = PLANAR_WALKER.forwardWeight * xVelocity;
    const survive = healthy ? PLANAR_WALKER.healthyReward : 0.0;
    const ctrlCost = PLANAR_WALKER.ctrlCostWeight * GymMujocoEnv.sumSquares(a);
    return {
      reward: forward + survive - ctrlCost,
      terminated: !healthy,
      info: { reward_forward: forward, reward_ctrl: -ctrlCost, reward_survive: survive, x_position: q[0]!, z_distance_from_origin: q[1]! - this.initQpos[1]!, x_velocity: xVelocity },
    };
  }
}
