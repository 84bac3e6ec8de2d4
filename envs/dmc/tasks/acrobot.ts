/**
 * DMC acrobot-swingup (spec dmc.md §6.8): obs = [xz_upper, xz_lower, zz_upper, zz_lower] + qvel;
 * r = tol(‖target − tip‖, [0, 0.2], margin 1); init: both hinges ~ U(−π, π), velocities 0.
 */
import { DmcEnv } from '../dmc-env.js';
import { DMC_ACROBOT_XML } from '../models/acrobot.js';
import { tolerance } from '../tolerance.js';

export class DmcAcrobotSwingup extends DmcEnv {
  private readonly tip: number;
  private readonly target: number;

  constructor() {
    super('dmc/acrobot-swingup', DMC_ACROBOT_XML, 1, 6);
    this.tip = this.sim.id('site', 'tip');
    this.target = this.sim.id('site', 'target');
  }

  protected initializeEpisode(): void {
    this.randomizeLimitedAndRotationalJoints();
  }

  distance(): number {
    const s = this.sim.data.site_xpos as Float64Array;
    const [t, g] = [3 * this.tip, 3 * this.target];
    return Math.hypot(s[g]! - s[t]!, s[g + 1]! - s[t + 1]!, s[g + 2]! - s[t + 2]!);
  }

  protected observation(): Float32Array {
    return Float32Array.of(this.xmat(1, 2), this.xmat(2, 2), this.xmat(1, 8), this.xmat(2, 8), this.sim.qvel[0]!, this.sim.qvel[1]!);
  }

  protected reward(): number {
    return tolerance(this.distance(), { bounds: [0, 0.2], margin: 1 });
  }
}
