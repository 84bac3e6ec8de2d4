/**
 * Gymnasium's `MujocoEnv` loop (mujoco_env.py, spec mujoco-models.md §0.2), shared by the v5 tasks:
 * - load: init_qpos = model.qpos0, init_qvel = 0; dt = timestep × frame_skip;
 * - reset: `mj_resetData`, then the task's `resetModel` (noise around init, then set_state =
 *   write qpos/qvel + `mj_forward`);
 * - step: `ctrl = a` (unclipped: MuJoCo clamps ctrl to ctrlrange inside the physics, control costs use
 *   the raw action), `mj_step` × frame_skip, `mj_rnePostConstraint`; no `mj_forward` afterwards, so
 *   kinematics read after a step are those of the step's last internal pass, as in Gymnasium.
 * Observations are returned as float32 (pgvar's env contract); rewards are computed in float64.
 * The action space is read from `actuator_ctrlrange` as float32, as Gymnasium does.
 */
import { Rng } from '../../common/rng.js';
import type { Action, Env, Info, ResetOptions, ResetResult, StepResult } from '../env.js';
import { box, type BoxSpace } from '../spaces.js';
import { MjSim, type SimState } from './runtime.js';

export interface GymMujocoState {
  sim: SimState;
  rng: [number, number, number, number];
  extra: unknown;
}

export abstract class GymMujocoEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly dt: number;
  protected readonly sim: MjSim;
  protected readonly rng = new Rng(0);
  protected readonly initQpos: Float64Array;
  protected readonly initQvel: Float64Array;
  readonly nu: number;

  constructor(
    readonly id: string,
    xml: string,
    readonly frameSkip: number,
    obsDim: number,
  ) {
    this.sim = new MjSim(xml, id);
    const m = this.sim.model;
    this.initQpos = Float64Array.from(this.sim.qpos);
    this.initQvel = new Float64Array(m.nv);
    this.dt = m.opt.timestep * frameSkip;
    this.nu = m.nu;
    this.actionSpace = this.sim.actionSpace('float32');
    this.observationSpace = box(-Infinity, Infinity, [obsDim], 'float64');
  }

  /** The task's reset noise; must end with `this.sim.setQposQvel(qpos, qvel)`. */
  protected abstract resetModel(): void;
  protected abstract observation(): Float32Array;
  /** One env step after the action has been validated. */
  protected abstract stepTask(action: Float64Array): { reward: number; terminated: boolean; info: Info };
  protected resetInfo(): Info {
    return {};
  }
  /** Task state kept outside MuJoCo (e.g. a goal); JSON. */
  protected extraState(): unknown {
    return null;
  }
  protected setExtraState(_s: unknown): void {}

  reset(options: ResetOptions = {}): ResetResult {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    this.sim.resetData();
    this.resetModel();
    return { obs: this.observation(), info: this.resetInfo() };
  }

  step(action: Action): StepResult {
    const a = typeof action === 'number' ? Float64Array.of(action) : Float64Array.from(action);
    if (a.length !== this.nu) throw new Error(`${this.id}: action must have ${this.nu} entries (Box shape [${this.nu}]), got ${a.length}`);
    for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i]!)) throw new Error(`${this.id}: action[${i}] is NaN`);
    const { reward, terminated, info } = this.stepTask(a);
    return { obs: this.observation(), reward, terminated, truncated: false, info };
  }

  /** Uniform noise U(−s, s) around `base`. */
  protected uniformAround(base: ArrayLike<number>, s: number): Float64Array {
    return Float64Array.from(base as ArrayLike<number>, (v) => v + this.rng.uniform(-s, s));
  }

  /** Gaussian noise s·N(0, 1) around `base`. */
  protected normalAround(base: ArrayLike<number>, s: number): Float64Array {
    return Float64Array.from(base as ArrayLike<number>, (v) => v + s * this.rng.normal());
  }

  protected static sumSquares(a: ArrayLike<number>): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
    return s;
  }

  getState(): GymMujocoState {
    return { sim: this.sim.getState(), rng: this.rng.getState(), extra: this.extraState() };
  }

  setState(s: unknown): void {
    const st = s as GymMujocoState;
    this.sim.setState(st.sim);
    this.rng.setState(st.rng);
    this.setExtraState(st.extra);
  }

  close(): void {
    this.sim.free();
  }
}

/** concat(qpos[from:], clip?(qvel)) as float32: the observation of the planar locomotion tasks. */
export function qposQvelObservation(qpos: Float64Array, qvel: Float64Array, from: number, qvelClip: number | null): Float32Array {
  const out = new Float32Array(qpos.length - from + qvel.length);
  let k = 0;
  for (let i = from; i < qpos.length; i++) out[k++] = qpos[i]!;
  for (let i = 0; i < qvel.length; i++) out[k++] = qvelClip === null ? qvel[i]! : Math.min(qvelClip, Math.max(-qvelClip, qvel[i]!));
  return out;
}
