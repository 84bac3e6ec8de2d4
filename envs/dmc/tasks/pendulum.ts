/**
 * DMC pendulum-swingup (spec dmc.md §6.9): obs = [zz, xz] of the pole + hinge velocity;
 * r = 1 if cos θ ≥ cos 8°, else 0; init: hinge ~ U(−π, π), velocity 0.
 */
import { DmcEnv } from '../dmc-env.js';
import { DMC_PENDULUM_XML } from '../models/pendulum.js';
import { tolerance } from '../tolerance.js';

export const PENDULUM_COS_BOUND = Math.cos((8 * Math.PI) / 180);

export class DmcPendulumSwingup extends DmcEnv {
  constructor() {
    super('dmc/pendulum-swingup', DMC_PENDULUM_XML, 1, 3);
  }

  protected initializeEpisode(): void {
    this.sim.qpos[0] = this.rng.uniform(-Math.PI, Math.PI);
  }

  protected observation(): Float32Array {
    return Float32Array.of(this.xmat(1, 8), this.xmat(1, 2), this.sim.qvel[0]!);
  }

  protected reward(): number {
    return tolerance(this.xmat(1, 8), { bounds: [PENDULUM_COS_BOUND, 1] });
  }
}
