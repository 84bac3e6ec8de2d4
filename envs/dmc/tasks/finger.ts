/**
 * DMC finger spin / turn_easy / turn_hard (spec dmc.md §6.5), 2 substeps of 0.01 s.
 * obs (spin, 9) = [proximal, distal, tip − spinner (x, z)] + [proximal, distal, hinge velocities]
 *   + log(1 + [touchtop, touchbottom]); turn adds target − spinner (x, z) and the signed distance
 *   from the tip to the target surface (12).
 * spin: r = [hinge velocity ≤ −15 rad/s]; turn: r = [dist_to_target ≤ 0].
 * init: spin sets the spinner's dof damping to 0.03; turn places the target on the 0.13 m circle
 * around the hinge at angle U(−π, π) with radius 0.07 (easy) / 0.03 (hard); both then sample
 * joint angles (limited → U(range), hinge → U(−π, π)) until the pose has no contact (≤ 1000 tries).
 * Model edits are part of the env state.
 */
import { PgvarError } from '../../../common/errors.js';
import { DmcEnv } from '../dmc-env.js';
import { DMC_FINGER_XML } from '../models/finger.js';

// sensordata offsets (sensor declaration order)
const S = { proximal: 0, distal: 1, proximalVel: 2, distalVel: 3, hingeVel: 4, tip: 5, target: 8, spinner: 11, touchTop: 14, touchBottom: 15 } as const;

export class DmcFinger extends DmcEnv {
  private readonly targetSite: number;
  private readonly hingeDof: number;

  constructor(
    id: string,
    /** null for spin; the target radius for turn. */
    readonly targetRadius: number | null,
  ) {
    super(id, DMC_FINGER_XML, 2, targetRadius === null ? 9 : 12);
    this.targetSite = this.sim.id('site', 'target');
    this.hingeDof = (this.sim.model.jnt_dofadr as Int32Array)[this.sim.id('joint', 'hinge')]!;
  }

  protected initializeEpisode(): void {
    const m = this.sim.model;
    if (this.targetRadius === null) {
      (m.dof_damping as Float64Array)[this.hingeDof] = 0.03;
    } else {
      const a = this.rng.uniform(-Math.PI, Math.PI);
      const sitePos = m.site_pos as Float64Array;
      sitePos[3 * this.targetSite] = 0.2 + 0.13 * Math.sin(a);
      sitePos[3 * this.targetSite + 2] = 0.4 + 0.13 * Math.cos(a);
      (m.site_size as Float64Array)[3 * this.targetSite] = this.targetRadius;
    }
    for (let attempt = 0; attempt < 1000; attempt++) {
      this.randomizeLimitedAndRotationalJoints();
      this.forwardWithoutActuation();
      if (this.sim.data.ncon === 0) return;
    }
    throw new PgvarError(`${this.id}: no collision-free initial pose in 1000 attempts`);
  }

  private xz(offset: number): [number, number] {
    return [this.sensor(offset), this.sensor(offset + 2)];
  }

  /** Tip position relative to the spinner's hinge, (x, z). */
  tipPosition(): [number, number] {
    const [tx, tz] = this.xz(S.tip);
    const [sx, sz] = this.xz(S.spinner);
    return [tx - sx, tz - sz];
  }

  targetPosition(): [number, number] {
    const [gx, gz] = this.xz(S.target);
    const [sx, sz] = this.xz(S.spinner);
    return [gx - sx, gz - sz];
  }

  distToTarget(): number {
    const [tx, tz] = this.tipPosition();
    const [gx, gz] = this.targetPosition();
    return Math.hypot(gx - tx, gz - tz) - (this.sim.model.site_size as Float64Array)[3 * this.targetSite]!;
  }

  protected observation(): Float32Array {
    const out = [this.sensor(S.proximal), this.sensor(S.distal), ...this.tipPosition(), this.sensor(S.proximalVel), this.sensor(S.distalVel), this.sensor(S.hingeVel), Math.log1p(this.sensor(S.touchTop)), Math.log1p(this.sensor(S.touchBottom))];
    if (this.targetRadius !== null) out.push(...this.targetPosition(), this.distToTarget());
    return Float32Array.from(out);
  }

  protected reward(): number {
    if (this.targetRadius === null) return this.sensor(S.hingeVel) <= -15 ? 1 : 0;
    return this.distToTarget() <= 0 ? 1 : 0;
  }

  protected override extraState(): unknown {
    const m = this.sim.model;
    const p = m.site_pos as Float64Array;
    return { damping: (m.dof_damping as Float64Array)[this.hingeDof]!, target: [p[3 * this.targetSite]!, p[3 * this.targetSite + 2]!], radius: (m.site_size as Float64Array)[3 * this.targetSite]! };
  }

  protected override setExtraState(s: unknown): void {
    const st = s as { damping: number; target: [number, number]; radius: number };
    const m = this.sim.model;
    (m.dof_damping as Float64Array)[this.hingeDof] = st.damping;
    const p = m.site_pos as Float64Array;
    p[3 * this.targetSite] = st.target[0];
    p[3 * this.targetSite + 2] = st.target[1];
    (m.site_size as Float64Array)[3 * this.targetSite] = st.radius;
  }
}
