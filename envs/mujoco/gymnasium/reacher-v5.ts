/**
 * Reacher-v5 (Gymnasium reacher_v5.py; spec mujoco-models.md §9).
 * obs (10) = cos(qpos[0:2]), sin(qpos[0:2]), qpos[2:4] (target), qvel[0:2], (fingertip − target)_xy
 * with body frame origins `xpos`; reward after the step (v5) = −‖fingertip − target‖ − ‖a‖²;
 * never terminates (50-step limit); reset: qpos0 + U(±0.1), goal ~ U(±0.2)² until ‖goal‖ < 0.2,
 * qvel U(±0.005) with the target's qvel 0; frame_skip 2.
 */
import type { Info } from '../../env.js';
import { GymMujocoEnv } from '../gymnasium-mujoco-env.js';
import { REACHER_XML } from '../models/reacher.js';

export class ReacherV5 extends GymMujocoEnv {
  private readonly fingertip: number;
  private readonly target: number;

  constructor() {
    super('Reacher-v5', REACHER_XML, 2, 10);
    this.fingertip = this.sim.id('body', 'fingertip');
    this.target = this.sim.id('body', 'target');
  }

  /** fingertip − target, from body frame origins (Gymnasium's get_body_com reads xpos). */
  private delta(): [number, number, number] {
    const x = this.sim.data.xpos as Float64Array;
    const f = 3 * this.fingertip;
    const g = 3 * this.target;
    return [x[f]! - x[g]!, x[f + 1]! - x[g + 1]!, x[f + 2]! - x[g + 2]!];
  }

  protected resetModel(): void {
    const qpos = this.uniformAround(this.initQpos, 0.1);
    let gx: number;
    let gy: number;
    do {
      gx = this.rng.uniform(-0.2, 0.2);
      gy = this.rng.uniform(-0.2, 0.2);
    } while (Math.hypot(gx, gy) >= 0.2);
    qpos[2] = gx;
    qpos[3] = gy;
    const qvel = this.uniformAround(this.initQvel, 0.005);
    qvel[2] = 0;
    qvel[3] = 0;
    this.sim.setQposQvel(qpos, qvel);
  }

  protected observation(): Float32Array {
    const q = this.sim.qpos;
    const v = this.sim.qvel;
    const d = this.delta();
    return Float32Array.of(Math.cos(q[0]!), Math.cos(q[1]!), Math.sin(q[0]!), Math.sin(q[1]!), q[2]!, q[3]!, v[0]!, v[1]!, d[0], d[1]);
  }

  protected stepTask(a: Float64Array): { reward: number; terminated: boolean; info: Info } {
    this.sim.step(a, this.frameSkip);
    const d = this.delta();
    const rewardDist = -Math.hypot(d[0], d[1], d[2]);
    const rewardCtrl = -GymMujocoEnv.sumSquares(a);
    return { reward: rewardDist + rewardCtrl, terminated: false, info: { reward_dist: rewardDist, reward_ctrl: rewardCtrl } };
  }
}
