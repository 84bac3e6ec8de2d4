/**
 * DMC quadruped walk / run (spec dmc.md §6.11), 4 substeps of 0.005 s.
 * obs (78) = egocentric state [16 hinge qpos, 16 hinge qvel, 12 actuator activations] (44)
 *   + torso velocimeter (3) + torso zz (1) + imu [accelerometer, gyro] (6)
 *   + arcsinh([4 toe forces, 4 toe torques]) (24);
 * r = (1 + torso zz)/2 · clip((vx + S)/(2S), 0, 1), vx = velocimeter x, S = 0.5 (walk) / 5 (run);
 * init: a uniformly random orientation (4 normals, normalised), then the lowest height z = 0, 0.01, …
 *   at which the body touches nothing (actuation disabled in the forward pass).
 */
import { PgvarError } from '../../../common/errors.js';
import { DmcEnv } from '../dmc-env.js';
import { quadrupedXml } from '../models/quadruped.js';
import { tolerance } from '../tolerance.js';

// sensordata offsets
const ACCEL = 0;
const GYRO = 3;
const VELOCIMETER = 6;
const FORCES = 9;
const TORQUES = 21;

export class DmcQuadruped extends DmcEnv {
  private readonly torso: number;

  constructor(
    id: string,
    readonly moveSpeed: number,
  ) {
    super(id, quadrupedXml(moveSpeed > 1 ? 100 : 10), 4, 78);
    this.torso = this.sim.id('body', 'torso');
  }

  protected initializeEpisode(): void {
    const quat = [this.rng.normal(), this.rng.normal(), this.rng.normal(), this.rng.normal()];
    const n = Math.hypot(...quat);
    for (let i = 0; i < 10_000; i++) {
      this.sim.resetData();
      const q = this.sim.qpos;
      q[0] = 0;
      q[1] = 0;
      q[2] = i * 0.01;
      for (let k = 0; k < 4; k++) q[3 + k] = quat[k]! / n;
      this.forwardWithoutActuation();
      if (this.sim.data.ncon === 0) return;
    }
    throw new PgvarError(`${this.id}: no contact-free initial height in 10000 tries`);
  }

  upright(): number {
    return this.xmat(this.torso, 8);
  }

  protected observation(): Float32Array {
    const q = this.sim.qpos;
    const v = this.sim.qvel;
    const act = this.sim.data.act as Float64Array;
    const out: number[] = [...Array.from(q).slice(7), ...Array.from(v).slice(6), ...act];
    for (let i = 0; i < 3; i++) out.push(this.sensor(VELOCIMETER + i));
    out.push(this.upright());
    for (let i = 0; i < 3; i++) out.push(this.sensor(ACCEL + i));
    for (let i = 0; i < 3; i++) out.push(this.sensor(GYRO + i));
    for (let i = 0; i < 12; i++) out.push(Math.asinh(this.sensor(FORCES + i)));
    for (let i = 0; i < 12; i++) out.push(Math.asinh(this.sensor(TORQUES + i)));
    return Float32Array.from(out);
  }

  protected reward(): number {
    const upright = tolerance(this.upright(), { bounds: [1, Infinity], sigmoid: 'linear', margin: 2, valueAtMargin: 0 });
    const move = tolerance(this.sensor(VELOCIMETER), { bounds: [this.moveSpeed, Infinity], margin: this.moveSpeed, valueAtMargin: 0.5, sigmoid: 'linear' });
    return upright * move;
  }
}
