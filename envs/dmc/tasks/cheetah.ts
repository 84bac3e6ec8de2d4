/**
 * DMC cheetah-run (spec dmc.md §6.2): obs = qpos[1:] (8) + qvel (9);
 * r = tolerance(v, [10, ∞), margin 10, v 0, linear) = clip(v/10, 0, 1), v = torso subtreelinvel x;
 * init: leg joints ~ U(range) in joint order, then 200 physics steps at ctrl 0 to settle, time := 0.
 */
import { DmcEnv } from '../dmc-env.js';
import { DMC_CHEETAH_XML } from '../models/cheetah.js';
import { tolerance } from '../tolerance.js';

export const CHEETAH_RUN_SPEED = 10;

export class DmcCheetahRun extends DmcEnv {
  constructor() {
    super('dmc/cheetah-run', DMC_CHEETAH_XML, 1, 17);
  }

  protected initializeEpisode(): void {
    const m = this.sim.model;
    const limited = m.jnt_limited as Uint8Array;
    const range = m.jnt_range as Float64Array;
    const adr = m.jnt_qposadr as Int32Array;
    const q = this.sim.qpos;
    for (let j = 0; j < m.njnt; j++) if (limited[j]) q[adr[j]!] = this.rng.uniform(range[2 * j]!, range[2 * j + 1]!);
    const mj = this.sim.mj;
    for (let k = 0; k < 200; k++) mj.mj_step(m, this.sim.data);
    mj.mj_step1(m, this.sim.data);
    this.sim.data.time = 0;
  }

  speed(): number {
    return this.sensor(0);
  }

  protected observation(): Float32Array {
    return Float32Array.from([...Array.from(this.sim.qpos).slice(1), ...this.sim.qvel]);
  }

  protected reward(): number {
    return tolerance(this.speed(), { bounds: [CHEETAH_RUN_SPEED, Infinity], margin: CHEETAH_RUN_SPEED, valueAtMargin: 0, sigmoid: 'linear' });
  }
}
