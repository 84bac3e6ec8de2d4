/**
 * InvertedPendulum-v5 (Gymnasium inverted_pendulum_v5.py; spec mujoco-models.md §6).
 * obs (4) = qpos + qvel; terminates when an observation is non-finite or |qpos[1]| > 0.2;
 * reward 1 while not terminated, 0 on the terminating step (v5); reset U(±0.01); frame_skip 2.
 */
import type { Info } from '../../env.js';
import { GymMujocoEnv, qposQvelObservation } from '../gymnasium-mujoco-env.js';
import { INVERTED_PENDULUM_XML } from '../models/inverted-pendulum.js';

export class InvertedPendulumV5 extends GymMujocoEnv {
  constructor() {
    super('InvertedPendulum-v5', INVERTED_PENDULUM_XML, 2, 4);
  }

  protected resetModel(): void {
    this.sim.setQposQvel(this.uniformAround(this.initQpos, 0.01), this.uniformAround(this.initQvel, 0.01));
  }

  protected observation(): Float32Array {
    return qposQvelObservation(this.sim.qpos, this.sim.qvel, 0, null);
  }

  protected stepTask(a: Float64Array): { reward: number; terminated: boolean; info: Info } {
    this.sim.step(a, this.frameSkip);
    const q = this.sim.qpos;
    const v = this.sim.qvel;
    const finite = [...q, ...v].every(Number.isFinite);
    const terminated = !finite || Math.abs(q[1]!) > 0.2;
    const reward = terminated ? 0 : 1;
    return { reward, terminated, info: { reward_survive: reward } };
  }
}
