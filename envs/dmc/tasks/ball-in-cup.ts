/**
 * DMC ball_in_cup-catch (spec dmc.md §6.6), 10 substeps of 0.002 s. obs = qpos (4) + qvel (4);
 * r = 1 if the ball centre is within 0.025 of the target site centre in both x and z (strict), else 0;
 * init: ball_x ~ U(−0.2, 0.2), ball_z ~ U(0.2, 0.5), resampled until there is no contact.
 */
import { DmcEnv } from '../dmc-env.js';
import { DMC_BALL_IN_CUP_XML } from '../models/ball-in-cup.js';

export class DmcBallInCupCatch extends DmcEnv {
  private readonly ball: number;
  private readonly target: number;

  constructor() {
    super('dmc/ball_in_cup-catch', DMC_BALL_IN_CUP_XML, 10, 8);
    this.ball = this.sim.id('body', 'ball');
    this.target = this.sim.id('site', 'target');
  }

  protected initializeEpisode(): void {
    const q = this.sim.qpos;
    do {
      q[2] = this.rng.uniform(-0.2, 0.2);
      q[3] = this.rng.uniform(0.2, 0.5);
      this.forwardWithoutActuation();
    } while (this.sim.data.ncon > 0);
  }

  /** Ball minus target, (x, z). */
  offset(): [number, number] {
    const x = this.sim.data.xpos as Float64Array;
    const s = this.sim.data.site_xpos as Float64Array;
    return [x[3 * this.ball]! - s[3 * this.target]!, x[3 * this.ball + 2]! - s[3 * this.target + 2]!];
  }

  protected observation(): Float32Array {
    return Float32Array.from([...this.sim.qpos, ...this.sim.qvel]);
  }

  protected reward(): number {
    const [dx, dz] = this.offset();
    return Math.abs(dx) < 0.025 && Math.abs(dz) < 0.025 ? 1 : 0;
  }
}
