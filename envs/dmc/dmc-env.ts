/**
 * dm_control's `control.Environment` + `suite.base.Task` loop (spec dmc.md §2), shared by the DMC tasks:
 * - reset: `mj_resetData`, `mj_forward` with actuation disabled, the task's `initializeEpisode`
 *   (randomisation, possibly model edits), `mj_forward` with actuation disabled again;
 * - step: `ctrl = a` (raw; MuJoCo clamps internally and rewards see the raw action), `mj_step` ×
 *   n_sub_steps, then `mj_step1` (dm_control's legacy stepping, equivalent form), then reward and
 *   observation from the post-step state;
 * - 1000 control steps per episode, never terminating: the registry's TimeLimit truncates (discount 1).
 * Observations are dm_control's ordered dict flattened in insertion order, as float32.
 */
import { Rng } from '../../common/rng.js';
import type { Action, Env, Info, ResetOptions, ResetResult, StepResult } from '../env.js';
import { box, type BoxSpace } from '../spaces.js';
import { MjSim, type SimState } from '../mujoco/runtime.js';

const MJ_DISABLE_ACTUATION = 1 << 11;

export interface DmcState {
  sim: SimState;
  rng: [number, number, number, number];
  extra: unknown;
}

export abstract class DmcEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly controlDt: number;
  protected readonly sim: MjSim;
  protected readonly rng = new Rng(0);
  readonly nu: number;

  constructor(
    readonly id: string,
    xml: string,
    readonly nSubSteps: number,
    obsDim: number,
  ) {
    this.sim = new MjSim(xml, id);
    const m = this.sim.model;
    this.nu = m.nu;
    this.controlDt = m.opt.timestep * nSubSteps;
    this.actionSpace = this.sim.actionSpace('float64');
    this.observationSpace = box(-Infinity, Infinity, [obsDim], 'float64');
  }

  protected abstract initializeEpisode(): void;
  protected abstract observation(): Float32Array;
  /** Reward in [0, 1] from the post-step state and the raw action. */
  protected abstract reward(action: Float64Array): number;
  protected extraState(): unknown {
    return null;
  }
  protected setExtraState(_s: unknown): void {}

  protected forwardWithoutActuation(): void {
    const opt = this.sim.model.opt;
    const flags = opt.disableflags;
    opt.disableflags = flags | MJ_DISABLE_ACTUATION;
    this.sim.forward();
    opt.disableflags = flags;
  }

  reset(options: ResetOptions = {}): ResetResult {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    this.sim.resetData();
    this.forwardWithoutActuation();
    this.initializeEpisode();
    this.forwardWithoutActuation();
    return { obs: this.observation(), info: {} };
  }

  step(action: Action): StepResult {
    const a = typeof action === 'number' ? Float64Array.of(action) : Float64Array.from(action);
    if (a.length !== this.nu) throw new Error(`${this.id}: action must have ${this.nu} entries (Box shape [${this.nu}]), got ${a.length}`);
    for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i]!)) throw new Error(`${this.id}: action[${i}] is NaN`);
    this.physicsStep(a, this.nSubSteps);
    const info: Info = {};
    return { obs: this.observation(), reward: this.reward(a), terminated: false, truncated: false, info };
  }

  /** n substeps with a held control, then `mj_step1` to refresh position/velocity-stage quantities. */
  protected physicsStep(ctrl: ArrayLike<number>, n: number): void {
    const c = this.sim.ctrl;
    for (let i = 0; i < c.length; i++) c[i] = ctrl[i]!;
    const mj = this.sim.mj;
    for (let k = 0; k < n; k++) mj.mj_step(this.sim.model, this.sim.data);
    mj.mj_step1(this.sim.model, this.sim.data);
  }

  // ---- helpers over MuJoCo's arrays (row-major xmat: xx 0, xz 2, zz 8) ----
  protected xmat(body: number, entry: number): number {
    return (this.sim.data.xmat as Float64Array)[9 * body + entry]!;
  }
  protected sensor(adr: number): number {
    return (this.sim.data.sensordata as Float64Array)[adr]!;
  }
  protected geomXpos(geom: number): [number, number, number] {
    const g = this.sim.data.geom_xpos as Float64Array;
    return [g[3 * geom]!, g[3 * geom + 1]!, g[3 * geom + 2]!];
  }

  /**
   * dm_control's randomize_limited_and_rotational_joints for hinge and slide joints, in joint order:
   * limited → U(range); unlimited hinge → U(−π, π); unlimited slide → left as is.
   */
  protected randomizeLimitedAndRotationalJoints(): void {
    const m = this.sim.model;
    const types = m.jnt_type as Int32Array;
    const limited = m.jnt_limited as Uint8Array;
    const range = m.jnt_range as Float64Array;
    const adr = m.jnt_qposadr as Int32Array;
    const q = this.sim.qpos;
    for (let j = 0; j < m.njnt; j++) {
      const type = types[j]!; // 2 slide, 3 hinge
      if (type !== 2 && type !== 3) throw new Error(`${this.id}: joint ${j} has type ${type}; only hinge and slide joints are randomised here`);
      if (limited[j]) q[adr[j]!] = this.rng.uniform(range[2 * j]!, range[2 * j + 1]!);
      else if (type === 3) q[adr[j]!] = this.rng.uniform(-Math.PI, Math.PI);
    }
  }

  getState(): DmcState {
    return { sim: this.sim.getState(), rng: this.rng.getState(), extra: this.extraState() };
  }

  setState(s: unknown): void {
    const st = s as DmcState;
    this.setExtraState(st.extra);
    this.sim.setState(st.sim);
    this.rng.setState(st.rng);
  }

  close(): void {
    this.sim.free();
  }
}
