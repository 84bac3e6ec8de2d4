/**
 * DMC point_mass-easy (spec dmc.md §6.7): obs = qpos + qvel;
 * r = tol(‖target − mass‖, [0, 0.015], margin 0.015) · (4 + mean q(u_i))/5;
 * init: both slides ~ U(−0.29, 0.29), velocities 0.
 */
import { DmcEnv } from '../dmc-env.js';
import { DMC_POINT_MASS_XML } from '../models/point-mass.js';
import { smallControl, tolerance } from '../tolerance.js';

export class DmcPointMassEasy extends DmcEnv {
  private readonly mass: number;
  private readonly target: number;

  constructor() {
    super('dmc/point_mass-easy', DMC_POINT_MASS_XML, 1, 4);
    this.mass = this.sim.id('geom', 'pointmass');
    this.target = this.sim.id('geom', 'target');
  }

  protected initializeEpisode(): void {
    this.randomizeLimitedAndRotationalJoints();
  }

  distance(): number {
    const a = this.geomXpos(this.target);
    const b = this.geomXpos(this.mass);
    return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  }

  protected observation(): Float32Array {
    return Float32Array.from([...this.sim.qpos, ...this.sim.qvel]);
  }

  protected reward(a: Float64Array): number {
    const near = tolerance(this.distance(), { bounds: [0, 0.015], margin: 0.015 });
    const control = (smallControl(a[0]!) + smallControl(a[1]!)) / 2;
    return (near * (4 + control)) / 5;
  }
}
