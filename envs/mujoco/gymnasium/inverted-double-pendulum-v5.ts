/**
 * InvertedDoublePendulum-v5 (Gymnasium inverted_double_pendulum_v5.py; spec mujoco-models.md §7).
 * obs (9) = [x, sin θ1, sin θ2, cos θ1, cos θ2, clip(qvel, ±10) (3), clip(qfrc_constraint, ±10)[0]];
 * (x, _, y) = site_xpos[tip] read right after the step (stale kinematics, as Gymnasium);
 * terminates when y ≤ 1; reward = 10·alive − (0.01x² + (y−2)²) − (1e-3·ω1² + 5e-3·ω2²);
 * reset qpos U(±0.1), qvel 0.1·N(0, 1); frame_skip 5.
 */
import type { Info } from '../../env.js';
import { GymMujocoEnv } from '../gymnasium-mujoco-env.js';
import { INVERTED_DOUBLE_PENDULUM_XML } from '../models/inverted-double-pendulum.js';

const clip10 = (v: number) => Math.min(10, Math.max(-10, v));

export class InvertedDoublePendulumV5 extends GymMujocoEnv {
  constructor() {
    super('InvertedDoublePendulum-v5', INVERTED_DOUBLE_PENDULUM_XML, 5, 9);
  }

  protected resetModel(): void {
    this.sim.setQposQvel(this.uniformAround(this.initQpos, 0.1), this.normalAround(this.initQvel, 0.1));
  }

  protected observation(): Float32Array {
    const q = this.sim.qpos;
    const v = this.sim.qvel;
    const qfrc = this.sim.data.qfrc_constraint as Float64Array;
    return Float32Array.of(q[0]!, Math.sin(q[1]!), Math.sin(q[2]!), Math.cos(q[1]!), Math.cos(q[2]!), clip10(v[0]!), clip10(v[1]!), clip10(v[2]!), clip10(qfrc[0]!));
  }

  protected stepTask(a: Float64Array): { reward: number; terminated: boolean; info: Info } {
    this.sim.step(a, this.frameSkip);
    const site = this.sim.data.site_xpos as Float64Array;
    const x = site[0]!;
    const y = site[2]!;
    const terminated = y <= 1;
    const v = this.sim.qvel;
    const distPenalty = 0.01 * x * x + (y - 2) ** 2;
    const velPenalty = 1e-3 * v[1]! ** 2 + 5e-3 * v[2]! ** 2;
    const alive = terminated ? 0 : 10;
    return { reward: alive - distPenalty - velPenalty, terminated, info: { reward_survive: alive, distance_penalty: -distPenalty, velocity_penalty: -velPenalty } };
  }
}
