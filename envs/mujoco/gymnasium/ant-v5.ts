/**
 * Ant-v5 (Gymnasium ant_v5.py; spec ppo-and-envs.md §4.2, mujoco-models.md §4).
 * obs (105) = qpos[2:] (13) + qvel (14) + clip(cfrc_ext, ±1)[1:] (13 × 6);
 * reward = 1·healthy + vx(torso xpos) − 0.5·‖a‖² − 5e-4·‖clip(cfrc_ext, ±1)‖²;
 * healthy: all of qpos, qvel finite and 0.2 ≤ z ≤ 1.0 (inclusive); terminates when unhealthy;
 * reset qpos U(±0.1) (quaternion included, not re-normalised), qvel 0.1·N(0, 1); frame_skip 5.
 * The torso position before a step is the value left by the previous step (stale kinematics, as in
 * Gymnasium); it is kept in the env state so a restored env continues exactly.
 */
import type { Info } from '../../env.js';
import { GymMujocoEnv } from '../gymnasium-mujoco-env.js';
import { ANT_XML } from '../models/ant.js';

const clip1 = (v: number) => Math.min(1, Math.max(-1, v));

export class AntV5 extends GymMujocoEnv {
  private readonly torso: number;
  private xyBefore: [number, number] = [0, 0];

  constructor() {
    super('Ant-v5', ANT_XML, 5, 105);
    this.torso = this.sim.id('body', 'torso');
  }

  private torsoXy(): [number, number] {
    const x = this.sim.data.xpos as Float64Array;
    return [x[3 * this.torso]!, x[3 * this.torso + 1]!];
  }

  isHealthy(): boolean {
    const q = this.sim.qpos;
    const v = this.sim.qvel;
    for (let i = 0; i < q.length; i++) if (!Number.isFinite(q[i]!)) return false;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
    return q[2]! >= 0.2 && q[2]! <= 1.0;
  }

  protected resetModel(): void {
    this.sim.setQposQvel(this.uniformAround(this.initQpos, 0.1), this.normalAround(this.initQvel, 0.1));
    this.xyBefore = this.torsoXy();
  }

  protected observation(): Float32Array {
    const q = this.sim.qpos;
    const v = this.sim.qvel;
    const f = this.sim.data.cfrc_ext as Float64Array;
    const out = new Float32Array(105);
    let k = 0;
    for (let i = 2; i < q.length; i++) out[k++] = q[i]!;
    for (let i = 0; i < v.length; i++) out[k++] = v[i]!;
    for (let i = 6; i < f.length; i++) out[k++] = clip1(f[i]!);
    return out;
  }

  protected stepTask(a: Float64Array): { reward: number; terminated: boolean; info: Info } {
    const [x0, y0] = this.xyBefore;
    this.sim.step(a, this.frameSkip);
    const [x1, y1] = this.torsoXy();
    this.xyBefore = [x1, y1];
    const xVelocity = (x1 - x0) / this.dt;
    const yVelocity = (y1 - y0) / this.dt;
    const healthy = this.isHealthy();
    const f = this.sim.data.cfrc_ext as Float64Array;
    let contact = 0;
    for (let i = 0; i < f.length; i++) contact += clip1(f[i]!) ** 2;
    const contactCost = 5e-4 * contact;
    const ctrlCost = 0.5 * GymMujocoEnv.sumSquares(a);
    const survive = healthy ? 1.0 : 0.0;
    const q = this.sim.qpos;
    return {
      reward: xVelocity + survive - ctrlCost - contactCost,
      terminated: !healthy,
      info: {
        reward_forward: xVelocity,
        reward_ctrl: -ctrlCost,
        reward_contact: -contactCost,
        reward_survive: survive,
        x_position: q[0]!,
        y_position: q[1]!,
        distance_from_origin: Math.hypot(q[0]! - this.initQpos[0]!, q[1]! - this.initQpos[1]!),
        x_velocity: xVelocity,
        y_velocity: yVelocity,
      },
    };
  }

  protected override extraState(): unknown {
    return { xyBefore: this.xyBefore };
  }

  protected override setExtraState(s: unknown): void {
    this.xyBefore = (s as { xyBefore: [number, number] }).xyBefore;
  }
}
