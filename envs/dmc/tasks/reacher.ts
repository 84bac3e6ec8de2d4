/**
 * DMC reacher easy / hard (spec dmc.md §6.4): obs = qpos (2) + (target − finger)_xy (2) + qvel (2);
 * r = 1 if ‖target − finger‖_xy ≤ target radius + finger radius (0.06 easy, 0.025 hard), else 0.
 * init: set the target radius (0.05 / 0.015); shoulder ~ U(−π, π), wrist ~ U(range); target at
 * radius U(0.05, 0.2), angle U(0, 2π): x = r sin a, y = r cos a. The target edits live in the model and
 * are part of the env state.
 */
import { DmcEnv } from '../dmc-env.js';
import { DMC_REACHER_XML } from '../models/reacher.js';

export class DmcReacher extends DmcEnv {
  private readonly finger: number;
  private readonly target: number;

  constructor(
    id: string,
    readonly targetSize: number,
  ) {
    super(id, DMC_REACHER_XML, 1, 6);
    this.finger = this.sim.id('geom', 'finger');
    this.target = this.sim.id('geom', 'target');
  }

  private get geomSize(): Float64Array {
    return this.sim.model.geom_size as Float64Array;
  }
  private get geomPos(): Float64Array {
    return this.sim.model.geom_pos as Float64Array;
  }

  protected initializeEpisode(): void {
    this.geomSize[3 * this.target] = this.targetSize;
    this.randomizeLimitedAndRotationalJoints();
    const angle = this.rng.uniform(0, 2 * Math.PI);
    const radius = this.rng.uniform(0.05, 0.2);
    this.geomPos[3 * this.target] = radius * Math.sin(angle);
    this.geomPos[3 * this.target + 1] = radius * Math.cos(angle);
  }

  toTarget(): [number, number] {
    const t = this.geomXpos(this.target);
    const f = this.geomXpos(this.finger);
    return [t[0] - f[0], t[1] - f[1]];
  }

  protected observation(): Float32Array {
    const [dx, dy] = this.toTarget();
    return Float32Array.of(this.sim.qpos[0]!, this.sim.qpos[1]!, dx, dy, this.sim.qvel[0]!, this.sim.qvel[1]!);
  }

  protected reward(): number {
    const radii = this.geomSize[3 * this.target]! + this.geomSize[3 * this.finger]!;
    const [dx, dy] = this.toTarget();
    return Math.hypot(dx, dy) <= radii ? 1 : 0;
  }

  protected override extraState(): unknown {
    return { targetPos: [this.geomPos[3 * this.target]!, this.geomPos[3 * this.target + 1]!], targetSize: this.geomSize[3 * this.target]! };
  }

  protected override setExtraState(s: unknown): void {
    const st = s as { targetPos: [number, number]; targetSize: number };
    this.geomPos[3 * this.target] = st.targetPos[0];
    this.geomPos[3 * this.target + 1] = st.targetPos[1];
    this.geomSize[3 * this.target] = st.targetSize;
  }
}
