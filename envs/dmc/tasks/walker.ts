/**
 * DMC walker stand / walk / run (spec dmc.md §6.3), 10 substeps of 0.0025 s per control step.
 * obs = [xx, xz] of bodies 1…7 (14) + torso height (1) + qvel (9);
 * stand = (3·tol(z, [1.2, ∞), margin 0.6) + (1 + torso zz)/2)/4;
 * walk/run: r = stand · (5·clip(vx/S, 0, 1) + 1)/6 with S = 1 / 8 and vx = torso subtreelinvel x;
 * init: limited joints ~ U(range), rooty ~ U(−π, π), root slides stay at 0 (torso at 1.3).
 */
import { DmcEnv } from '../dmc-env.js';
import { DMC_WALKER_XML } from '../models/walker.js';
import { tolerance } from '../tolerance.js';

export const WALKER_STAND_HEIGHT = 1.2;

export class DmcWalker extends DmcEnv {
  private readonly torso: number;

  constructor(
    id: string,
    /** Target speed: 0 for stand, 1 for walk, 8 for run. */
    readonly moveSpeed: number,
  ) {
    super(id, DMC_WALKER_XML, 10, 24);
    this.torso = this.sim.id('body', 'torso');
  }

  protected initializeEpisode(): void {
    this.randomizeLimitedAndRotationalJoints();
  }

  torsoHeight(): number {
    return (this.sim.data.xpos as Float64Array)[3 * this.torso + 2]!;
  }

  protected observation(): Float32Array {
    const out: number[] = [];
    for (let b = 1; b <= 7; b++) out.push(this.xmat(b, 0), this.xmat(b, 2));
    out.push(this.torsoHeight(), ...this.sim.qvel);
    return Float32Array.from(out);
  }

  standReward(): number {
    const standing = tolerance(this.torsoHeight(), { bounds: [WALKER_STAND_HEIGHT, Infinity], margin: WALKER_STAND_HEIGHT / 2 });
    const upright = (1 + this.xmat(this.torso, 8)) / 2;
    return (3 * standing + upright) / 4;
  }

  protected reward(): number {
    const stand = this.standReward();
    if (this.moveSpeed === 0) return stand;
    const move = tolerance(this.sensor(0), { bounds: [this.moveSpeed, Infinity], margin: this.moveSpeed / 2, valueAtMargin: 0.5, sigmoid: 'linear' });
    return (stand * (5 * move + 1)) / 6;
  }
}
