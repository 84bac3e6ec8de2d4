/**
 * DMC humanoid stand / walk / run (spec dmc.md §6.12), 5 substeps of 0.005 s.
 * obs (67) = joint angles qpos[7:] (21) + head height (1) + extremities (left hand, left foot, right
 *   hand, right foot relative to the torso, in the torso frame; 12) + torso xmat [zx, zy, zz] (3)
 *   + centre-of-mass velocity (torso subtreelinvel; 3) + qvel (27);
 * r = small_control · standing · upright · (stand: dont_move | walk/run: (5·move + 1)/6) with
 *   standing = tol(head z, [1.4, ∞), margin 0.35), upright = tol(torso zz, [0.9, ∞), linear, margin 1.9, v 0),
 *   small_control = (4 + mean q(u_i))/5, dont_move = mean tol(v_xy, margin 2), move = tol(‖v_xy‖, [S, ∞), linear, margin S, v 0).
 * init: repeat { root quaternion = rand(4)/‖·‖ (all components positive: dm_control's quirk, kept),
 *   hinges ~ U(range) } until the pose has no contact; position (0, 0, 1.5), velocities 0.
 */
import { PgvarError } from '../../../common/errors.js';
import { DmcEnv } from '../dmc-env.js';
import { DMC_HUMANOID_XML } from '../models/humanoid.js';
import { smallControl, tolerance } from '../tolerance.js';

export const HUMANOID_STAND_HEIGHT = 1.4;

export class DmcHumanoid extends DmcEnv {
  private readonly torso: number;
  private readonly head: number;
  private readonly extremities: number[];

  constructor(
    id: string,
    /** 0 for stand, 1 for walk, 10 for run. */
    readonly moveSpeed: number,
  ) {
    super(id, DMC_HUMANOID_XML, 5, 67);
    this.torso = this.sim.id('body', 'torso');
    this.head = this.sim.id('body', 'head');
    this.extremities = ['left_hand', 'left_foot', 'right_hand', 'right_foot'].map((n) => this.sim.id('body', n));
  }

  protected initializeEpisode(): void {
    const m = this.sim.model;
    const range = m.jnt_range as Float64Array;
    const adr = m.jnt_qposadr as Int32Array;
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const q = this.sim.qpos;
      const quat = [this.rng.random(), this.rng.random(), this.rng.random(), this.rng.random()];
      const n = Math.hypot(...quat);
      for (let i = 0; i < 4; i++) q[3 + i] = quat[i]! / n;
      for (let j = 1; j < m.njnt; j++) q[adr[j]!] = this.rng.uniform(range[2 * j]!, range[2 * j + 1]!);
      this.forwardWithoutActuation();
      if (this.sim.data.ncon === 0) return;
    }
    throw new PgvarError(`${this.id}: no contact-free initial pose in 10000 attempts`);
  }

  headHeight(): number {
    return (this.sim.data.xpos as Float64Array)[3 * this.head + 2]!;
  }

  comVelocity(): [number, number, number] {
    return [this.sensor(0), this.sensor(1), this.sensor(2)];
  }

  protected observation(): Float32Array {
    const x = this.sim.data.xpos as Float64Array;
    const t = 3 * this.torso;
    const out: number[] = Array.from(this.sim.qpos).slice(7);
    out.push(this.headHeight());
    for (const b of this.extremities) {
      const d = [x[3 * b]! - x[t]!, x[3 * b + 1]! - x[t + 1]!, x[3 * b + 2]! - x[t + 2]!];
      // Rᵀ·Δ with R = torso xmat (row-major)
      for (let c = 0; c < 3; c++) out.push(this.xmat(this.torso, c) * d[0]! + this.xmat(this.torso, 3 + c) * d[1]! + this.xmat(this.torso, 6 + c) * d[2]!);
    }
    out.push(this.xmat(this.torso, 6), this.xmat(this.torso, 7), this.xmat(this.torso, 8), ...this.comVelocity(), ...this.sim.qvel);
    return Float32Array.from(out);
  }

  protected reward(a: Float64Array): number {
    const standing = tolerance(this.headHeight(), { bounds: [HUMANOID_STAND_HEIGHT, Infinity], margin: HUMANOID_STAND_HEIGHT / 4 });
    const upright = tolerance(this.xmat(this.torso, 8), { bounds: [0.9, Infinity], sigmoid: 'linear', margin: 1.9, valueAtMargin: 0 });
    const control = (4 + Array.from(a).reduce((s, u) => s + smallControl(u), 0) / a.length) / 5;
    const [vx, vy] = this.comVelocity();
    if (this.moveSpeed === 0) {
      const dontMove = (tolerance(vx, { margin: 2 }) + tolerance(vy, { margin: 2 })) / 2;
      return control * standing * upright * dontMove;
    }
    const move = tolerance(Math.hypot(vx, vy), { bounds: [this.moveSpeed, Infinity], margin: this.moveSpeed, valueAtMargin: 0, sigmoid: 'linear' });
    return control * standing * upright * ((5 * move + 1) / 6);
  }
}
