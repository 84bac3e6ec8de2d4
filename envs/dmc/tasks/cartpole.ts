/**
 * DMC cartpole tasks (spec dmc.md §6.1): balance, balance_sparse, swingup, swingup_sparse (one pole),
 * two_poles and three_poles (swing-up, smooth reward).
 * obs = [cart x, (zz_i, xz_i) of each pole (absolute angles)] + qvel; 5 / 8 / 11 dims.
 * smooth r = mean((cos θi + 1)/2) · (4 + q(u))/5 · (1 + min g(ω_i; 5))/2 · (1 + g(x; 2))/2;
 * sparse r = [|x| ≤ 0.25] · Π[cos θi ≥ 0.995].
 */
import { DmcEnv } from '../dmc-env.js';
import { cartpoleXml } from '../models/cartpole.js';
import { smallControl, tolerance } from '../tolerance.js';

export class DmcCartpole extends DmcEnv {
  constructor(
    id: string,
    readonly nPoles: number,
    readonly swingUp: boolean,
    readonly sparse: boolean,
  ) {
    super(id, cartpoleXml(nPoles), 1, 1 + 3 * nPoles + 1);
  }

  protected initializeEpisode(): void {
    const q = this.sim.qpos;
    const v = this.sim.qvel;
    if (this.swingUp) {
      q[0] = 0.01 * this.rng.normal();
      q[1] = Math.PI + 0.01 * this.rng.normal();
      for (let i = 2; i < q.length; i++) q[i] = 0.1 * this.rng.normal();
    } else {
      q[0] = this.rng.uniform(-0.1, 0.1);
      for (let i = 1; i < q.length; i++) q[i] = this.rng.uniform(-0.034, 0.034);
    }
    for (let i = 0; i < v.length; i++) v[i] = 0.01 * this.rng.normal();
  }

  /** cos θi of each pole (absolute, world frame): xmat zz of bodies 2…n+1. */
  poleCosines(): number[] {
    return Array.from({ length: this.nPoles }, (_, i) => this.xmat(2 + i, 8));
  }

  protected observation(): Float32Array {
    const q = this.sim.qpos;
    const v = this.sim.qvel;
    const out = [q[0]!];
    for (let i = 0; i < this.nPoles; i++) out.push(this.xmat(2 + i, 8), this.xmat(2 + i, 2));
    return Float32Array.from([...out, ...v]);
  }

  protected reward(a: Float64Array): number {
    const x = this.sim.qpos[0]!;
    const cos = this.poleCosines();
    if (this.sparse) {
      const cart = tolerance(x, { bounds: [-0.25, 0.25] });
      return cart * cos.reduce((p, c) => p * tolerance(c, { bounds: [0.995, 1] }), 1);
    }
    const upright = cos.reduce((s, c) => s + (c + 1) / 2, 0) / cos.length;
    const centered = (1 + tolerance(x, { margin: 2 })) / 2;
    const control = (4 + smallControl(a[0]!)) / 5;
    const w = Array.from(this.sim.qvel).slice(1);
    const smallVelocity = (1 + Math.min(...w.map((o) => tolerance(o, { margin: 5 })))) / 2;
    return upright * control * smallVelocity * centered;
  }
}
