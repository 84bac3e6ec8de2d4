/**
 * The one place that knows how MuJoCo's WebAssembly build is loaded and called.
 *
 * Loaders (`LOADERS` below; choose with `initMujoco(name)` or the PGVAR_MUJOCO_LOADER variable):
 * - `mujoco-js` 0.0.7 (default): official MuJoCo 3.3.8 WASM; models are compiled through the
 *   Emscripten file system (`FS.writeFile` + `MjModel.loadFromXML(path)`). The specs' golden values
 *   are for this build.
 * - `@mujoco/mujoco` 3.14: the maintained successor (a dev dependency, used by the loader benchmark);
 *   models compile from a string (`MjModel.from_xml_string`). MuJoCo ≥ 3.5 sums contact margins
 *   instead of taking the maximum, so contact-rich trajectories differ from 3.3.8 (spec
 *   mujoco-models.md §0.3.9).
 * The rest of the engine API used here (MjData, mj_step, array views) is common to both.
 *
 * Memory: MjModel/MjData live in WASM memory and must be freed explicitly (`MjSim.free`, reached
 * through `Env.close()`): the 32-bit WASM heap is capped at 2 GiB and one MjData with MuJoCo's default
 * arena takes several MiB, so a few hundred leaked simulations exhaust it. Array
 * fields (`data.qpos`, ...) are live views into WASM memory; they are re-fetched at every access and
 * never cached, because memory growth detaches old views.
 */
import type { MainModule, MjData, MjModel } from 'mujoco-js';
import { PgvarError } from '../../common/errors.js';
import { box, type BoxSpace } from '../spaces.js';

let loaded: MainModule | null = null;
let loading: Promise<MainModule> | null = null;
let loaderName: MujocoLoader | null = null;
let fileCounter = 0;

interface Loader {
  load(): Promise<MainModule>;
  compile(mj: MainModule, xml: string, name: string): MjModel | null;
}

const LOADERS = {
  'mujoco-js': {
    async load() {
      const mj = await (await import('mujoco-js')).default();
      mj.FS.mkdir('/pgvar');
      return mj;
    },
    compile(mj, xml, name) {
      const file = `/pgvar/${name.replace(/[^\w.-]+/g, '_')}-${++fileCounter}.xml`;
      try {
        mj.FS.writeFile(file, xml);
        return mj.MjModel.loadFromXML(file) as MjModel | null;
      } finally {
        try {
          mj.FS.unlink(file);
        } catch {
          // the file was never written
        }
      }
    },
  },
  '@mujoco/mujoco': {
    async load() {
      const pkg = '@mujoco/mujoco';
      const factory = ((await import(pkg)) as { default: () => Promise<unknown> }).default;
      return (await factory()) as MainModule;
    },
    compile(mj, xml) {
      return (mj.MjModel as unknown as { from_xml_string(x: string): MjModel | null }).from_xml_string(xml);
    },
  },
} satisfies Record<string, Loader>;

export type MujocoLoader = keyof typeof LOADERS;
export const MUJOCO_LOADERS = Object.keys(LOADERS) as MujocoLoader[];

/**
 * Load the WASM module once per process (every MuJoCo env needs this before construction).
 * The loader is `name`, else $PGVAR_MUJOCO_LOADER, else `mujoco-js`.
 */
export async function initMujoco(name?: MujocoLoader): Promise<MainModule> {
  const want = name ?? (process.env['PGVAR_MUJOCO_LOADER'] as MujocoLoader | undefined) ?? 'mujoco-js';
  if (!(want in LOADERS)) throw new PgvarError(`unknown MuJoCo loader '${want}'; expected one of ${MUJOCO_LOADERS.join(', ')}`);
  if (loaderName !== null && loaderName !== want) throw new PgvarError(`MuJoCo is already loaded with '${loaderName}'; one loader per process`);
  loaderName = want;
  if (loaded) return loaded;
  loading ??= LOADERS[want].load().then((m) => (loaded = m));
  return loading;
}

export function mujocoLoader(): MujocoLoader | null {
  return loaderName;
}

export function mujoco(): MainModule {
  if (!loaded) throw new PgvarError('MuJoCo is not loaded: await initMujoco() (or prepareEnv(id)) before making a MuJoCo environment');
  return loaded;
}

export function mujocoVersion(): string {
  return mujoco().mj_versionString();
}

function compileXml(xml: string, name: string): MjModel {
  let model: MjModel | null;
  try {
    model = LOADERS[loaderName!].compile(mujoco(), xml, name);
  } catch (e) {
    throw new PgvarError(`MuJoCo could not compile model '${name}': ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!model) throw new PgvarError(`MuJoCo could not compile model '${name}' (MuJoCo printed the reason above)`);
  return model;
}

/** Physics state needed to continue a simulation bit-exactly (MuJoCo's mjSTATE_INTEGRATION subset used here). */
export interface SimState {
  time: number;
  qpos: number[];
  qvel: number[];
  act: number[];
  ctrl: number[];
  qaccWarmstart: number[];
}

export class MjSim {
  readonly model: MjModel;
  readonly data: MjData;
  private freed = false;

  constructor(xml: string, readonly name: string) {
    this.model = compileXml(xml, name);
    this.data = new (mujoco().MjData)(this.model);
  }

  get mj(): MainModule {
    return mujoco();
  }

  // Live views (re-fetched at every access, see the module comment).
  get qpos(): Float64Array {
    return this.data.qpos as Float64Array;
  }
  get qvel(): Float64Array {
    return this.data.qvel as Float64Array;
  }
  get ctrl(): Float64Array {
    return this.data.ctrl as Float64Array;
  }

  /** `data.ctrl[:] = a`, then `mj_step` × frameSkip, then `mj_rnePostConstraint` (Gymnasium's do_simulation). */
  step(action: ArrayLike<number>, frameSkip: number): void {
    const ctrl = this.ctrl;
    for (let i = 0; i < ctrl.length; i++) ctrl[i] = action[i]!;
    const mj = this.mj;
    for (let k = 0; k < frameSkip; k++) mj.mj_step(this.model, this.data);
    mj.mj_rnePostConstraint(this.model, this.data);
  }

  resetData(): void {
    this.mj.mj_resetData(this.model, this.data);
  }

  forward(): void {
    this.mj.mj_forward(this.model, this.data);
  }

  /** Gymnasium's `set_state`: write qpos and qvel, then `mj_forward`. */
  setQposQvel(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    this.qpos.set(qpos as ArrayLike<number>);
    this.qvel.set(qvel as ArrayLike<number>);
    this.forward();
  }

  getState(): SimState {
    const d = this.data;
    return {
      time: d.time,
      qpos: Array.from(this.qpos),
      qvel: Array.from(this.qvel),
      act: Array.from(d.act as Float64Array),
      ctrl: Array.from(this.ctrl),
      qaccWarmstart: Array.from(d.qacc_warmstart as Float64Array),
    };
  }

  /**
   * Restore a snapshot; derived quantities are recomputed with `mj_forward`, which reads but does
   * not change the warm start, so the next `mj_step` continues exactly.
   */
  setState(s: SimState): void {
    const d = this.data;
    d.time = s.time;
    this.qpos.set(s.qpos);
    this.qvel.set(s.qvel);
    (d.act as Float64Array).set(s.act);
    this.ctrl.set(s.ctrl);
    this.forward();
    (d.qacc_warmstart as Float64Array).set(s.qaccWarmstart);
  }

  /** The actuators' control ranges as a Box (Gymnasium reads them as float32, dm_control as float64). */
  actionSpace(dtype: 'float32' | 'float64'): BoxSpace {
    const m = this.model;
    const range = m.actuator_ctrlrange as Float64Array;
    const cast = dtype === 'float32' ? Math.fround : (v: number) => v;
    return box(
      Array.from({ length: m.nu }, (_, i) => cast(range[2 * i]!)),
      Array.from({ length: m.nu }, (_, i) => cast(range[2 * i + 1]!)),
      [m.nu],
      dtype,
    );
  }

  id(type: 'body' | 'joint' | 'geom' | 'site' | 'actuator', name: string): number {
    const mj = this.mj;
    const t = { body: mj.mjtObj.mjOBJ_BODY, joint: mj.mjtObj.mjOBJ_JOINT, geom: mj.mjtObj.mjOBJ_GEOM, site: mj.mjtObj.mjOBJ_SITE, actuator: mj.mjtObj.mjOBJ_ACTUATOR }[type];
    const id = mj.mj_name2id(this.model, (t as unknown as { value: number }).value, name);
    if (id < 0) throw new Error(`model ${this.name} has no ${type} named '${name}'`);
    return id;
  }

  /** Free the WASM-side model and data. Safe to call twice. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.data.delete();
    this.model.delete();
  }
}
