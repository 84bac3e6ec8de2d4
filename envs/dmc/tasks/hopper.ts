/**
 * DMC hopper stand / hop (spec dmc.md §6.10), 4 substeps of 0.005 s per control step.
 * obs = qpos[1:] (6) + qvel (7) + log(1 + [toe, heel] touch) (2);
 * standing = [0.6 ≤ torso COM z − foot COM z ≤ 2] (xipos; a hard indicator);
 * stand: r = standing · (4 + mean q(u_i))/5; hop: r = standing · clip(vx/2, 0, 1), vx = torso
 * subtreelinvel x; init: rooty ~ U(−π, π), other hinges ~ U(range), root slides at 0.
 */
import { DmcEnv } from '../dmc-env.js';
import { DMC_HOPPER_XML } from '../models/hopper.js';
import { smallControl, tolerance } from '../tolerance.js';

export class DmcHopper extends DmcEnv {
  private readonly torso: number;
  private readonly foot: number;

  constructor(
    id: string,
    readonly hop: boolean,
  ) {
    super(id, DMC_HOPPER_XML, 4, 15);
    this.torso = this.sim.id('body', 'torso');
    this.foot = this.sim.id('body', 'foot');
  }

  protected initializeEpisode(): void {
    this.randomizeLimitedAndRotationalJoints();
  }

  height(): number {
    const x = this.sim.data.xipos as Float64Array;
    return x[3 * this.torso + 2]! - x[3 * this.foot + 2]!;
  }

  protected observation(): Float32Array {
    return Float32Array.from([...Array.from(this.sim.qpos).slice(1), ...this.sim.qvel, Math.log1p(this.sensor(3)), Math.log1p(this.sensor(4))]);
  }

  protected reward(a: Float64Array): number {
    const standing = tolerance(this.height(), { bounds: [0.6, 2] });
    if (this.hop) return standing * tolerance(this.sensor(0), { bounds: [2, Infinity], margin: 1, valueAtMargin: 0.5, sigmoid: 'linear' });
    const control = Array.from(a).reduce((s, u) => s + smallControl(u), 0) / a.length;
    return (standing * (4 + control)) / 5;
  }
}
