/**
 * Humanoid-v5 (Gymnasium humanoid_v5.py; spec ppo-and-envs.md §4.2, mujoco-models.md §5).
 * obs (348) = qpos[2:] (22) + qvel (23) + cinert[1:] (130) + cvel[1:] (78) + qfrc_actuator[6:] (17)
 *   + cfrc_ext[1:] (78, not clipped);
 * reward = 5·healthy + 1.25·vx(centre of mass of xipos) − 0.1·‖ctrl‖² − min(5e-7·‖cfrc_ext‖², 10);
 * healthy (strict): 1.0 < z < 2.0; terminates when unhealthy; reset U(±0.01) on qpos and qvel;
 * frame_skip 5 (dt 0.015). The centre of mass before a step is the one left by the previous step
 * (stale kinematics, as Gymnasium) and is kept in the env state.
 */
import type { Info } from '../../env.js';
import { GymMujocoEnv } from '../gymnasium-mujoco-env.js';
import { HUMANOID_XML } from '../models/humanoid.js';

export class HumanoidV5 extends GymMujocoEnv {
  private comBefore: [number, number] = [0, 0];
  private readonly mass: Float64Array;
  private readonly totalMass: number;

  constructor() {
    super('Humanoid-v5', HUMANOID_XML, 5, 348);
    this.mass = Float64Array.from(this.sim.model.body_mass as Float64Array);
    this.totalMass = this.mass.reduce((a, b) => a + b, 0);
  }

  /** Mass-weighted mean of xipos over all bodies (the world body has mass 0); xy only. */
  private massCenter(): [number, number] {
    const x = this.sim.data.xipos as Float64Array;
    let cx = 0;
    let cy = 0;
    for (let b = 0; b < this.mass.length; b++) {
      cx += this.mass[b]! * x[3 * b]!;
      cy += this.mass[b]! * x[3 * b + 1]!;
    }
    return [cx / this.totalMass, cy / this.totalMass];
  }

  isHealthy(): boolean {
    const z = this.sim.qpos[2]!;
    return z > 1.0 && z < 2.0;
  }

  protected resetModel(): void {
    this.sim.setQposQvel(this.uniformAround(this.initQpos, 0.01), this.uniformAround(this.initQvel, 0.01));
    this.comBefore = this.massCenter();
  }

  protected observation(): Float32Array {
    const d = this.sim.data;
    const parts: [Float64Array, number][] = [
      [this.sim.qpos, 2],
      [this.sim.qvel, 0],
      [d.cinert as Float64Array, 10],
      [d.cvel as Float64Array, 6],
      [d.qfrc_actuator as Float64Array, 6],
      [d.cfrc_ext as Float64Array, 6],
    ];
    const out = new Float32Array(348);
    let k = 0;
    for (const [arr, from] of parts) for (let i = from; i < arr.length; i++) out[k++] = arr[i]!;
    return out;
  }

  protected stepTask(a: Float64Array): { reward: number; terminated: boolean; info: Info } {
    const [x0, y0] = this.comBefore;
    this.sim.step(a, this.frameSkip);
    const [x1, y1] = this.massCenter();
    this.comBefore = [x1, y1];
    const xVelocity = (x1 - x0) / this.dt;
    const yVelocity = (y1 - y0) / this.dt;
    const healthy = this.isHealthy();
    const ctrlCost = 0.1 * GymMujocoEnv.sumSquares(this.sim.ctrl);
    const contactCost = Math.min(5e-7 * GymMujocoEnv.sumSquares(this.sim.data.cfrc_ext as Float64Array), 10);
    const forward = 1.25 * xVelocity;
    const survive = healthy ? 5.0 : 0.0;
    const q = this.sim.qpos;
    return {
      reward: forward + survive - ctrlCost - contactCost,
      terminated: !healthy,
      info: {
        reward_survive: survive,
        reward_forward: forward,
        reward_ctrl: -ctrlCost,
        reward_contact: -contactCost,
        x_position: q[0]!,
        y_position: q[1]!,
        tendon_length: Array.from(this.sim.data.ten_length as Float64Array),
        tendon_velocity: Array.from(this.sim.data.ten_velocity as Float64Array),
        distance_from_origin: Math.hypot(q[0]! - this.initQpos[0]!, q[1]! - this.initQpos[1]!),
        x_velocity: xVelocity,
        y_velocity: yVelocity,
      },
    };
  }

  protected override extraState(): unknown {
    return { comBefore: this.comBefore };
  }

  protected override setExtraState(s: unknown): void {
    this.comBefore = (s as { comBefore: [number, number] }).comBefore;
  }
}
