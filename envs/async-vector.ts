/**
 * Asynchronous vector env (issue 16), Gymnasium's `AsyncVectorEnv` / SB3's `SubprocVecEnv` on worker
 * threads: the sub-envs live in K worker threads, each owning a contiguous slice of them (and, with
 * `mainThread`, the calling thread steps one more slice itself while the workers step theirs). Every
 * slice is a SyncVectorEnv, so autoreset (same-step / next-step), seeding (seed + i, or one seed per
 * env) and the numbers are those of a SyncVectorEnv over the same sub-envs.
 *
 * Workers are built from a serialisable `SubEnvSpec` (env id + the stack options of makeTrainingEnv),
 * never from closures. Per step, actions go in and observations, rewards, flags and RecordRaw's
 * raw_obs / raw_reward come back through SharedArrayBuffers, synchronised with Atomics.wait/notify;
 * any other info (info.episode, final observations and infos at episode ends, reset infos) comes as
 * a message read synchronously with `receiveMessageOnPort`, so the infos equal the sync env's.
 *
 * A worker that fails (an env throws, the module does not load) reports its error through shared
 * memory and the caller gets a one-line PgvarError naming the worker and its sub-envs; a worker that
 * dies without a word is given up on after `timeoutMs`. `close()` terminates the workers (they are
 * unref'd, so a process that forgets close() still exits); `closed` resolves when they have exited.
 *
 * The sub-envs' wrapper state (normalisers) lives in the workers; `envStacks()` returns main-thread
 * mirror stacks set to the workers' current state (synced only when the envs moved since), so code
 * reading normaliser statistics (ppo/env-facts.ts) sees exactly what it would see in a SyncVectorEnv.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { PgvarError } from '../common/errors.js';
import type { Action, Env, Info } from './env.js';
import { make } from './registry.js';
import { flatSize, type Space } from './spaces.js';
import { makeTrainingEnv, type EnvStackOptions } from './stack.js';
import { RAW_OBS, RAW_REWARD } from './wrappers/record-raw.js';
import { emptyStepResult, SyncVectorEnv, type AutoresetMode, type VectorEnv, type VectorStepResult } from './vector.js';

/** How a worker builds one sub-env: `make(envId)` alone, or makeTrainingEnv(envId, stack). Plain JSON. */
export interface SubEnvSpec {
  envId: string;
  stack?: EnvStackOptions;
}

export function makeSubEnv(spec: SubEnvSpec): Env {
  return spec.stack ? makeTrainingEnv(spec.envId, spec.stack) : make(spec.envId);
}

/** The fields of a config makeTrainingEnv reads (a PpoConfig has more; workers get only these). */
export function stackOptions(c: EnvStackOptions): EnvStackOptions {
  return { actionRepeat: c.actionRepeat, clipAction: c.clipAction, normalizeObservation: c.normalizeObservation, clipObservation: c.clipObservation, normalizeReward: c.normalizeReward, clipReward: c.clipReward, gamma: c.gamma };
}

export interface AsyncVectorEnvOptions {
  autoresetMode?: AutoresetMode;
  /** Worker threads (default 1, at most one per sub-env). */
  workers?: number;
  /** Also step one slice of sub-envs in the calling thread while the workers step theirs (default false). */
  mainThread?: boolean;
  /** Give up on a worker that has not answered within this long (default 120 s; building MuJoCo envs takes seconds). */
  timeoutMs?: number;
}

/** How runs with vectorEnv 'async' split the sub-envs: one worker thread, the calling thread stepping none (bench/async-env.ts). */
export const ASYNC_LAYOUT = { workers: 1, mainThread: false };

// control words of a slot (Int32Array over a SharedArrayBuffer)
export const CTRL = { REQ: 0, DONE: 1, OP: 2, STATUS: 3, ERRLEN: 4, HAS_MSG: 5, SIZE: 6 } as const;
export const OP = { STEP: 1, RESET: 2, GET_STATE: 3, SET_STATE: 4, ENV_STATES: 5 } as const;
export const FAILED = 2;
export const ERROR_BYTES = 4096;

/** Shared buffers of one worker's slice of n sub-envs (observation width D, action width A). */
export interface SlotBuffers {
  ctrl: Int32Array;
  error: Uint8Array;
  actions: Float64Array; // n × A
  obs: Float32Array; // n × D
  rawObs: Float32Array; // n × D, valid where hasRawObs
  rewards: Float64Array;
  rawRewards: Float64Array; // valid where hasRawReward
  flags: Uint8Array; // 5 × n: terminated, truncated, autoresetMask, hasRawObs, hasRawReward
}

export function slotBuffers(n: number, D: number, A: number): SlotBuffers {
  const sab = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
  return {
    ctrl: new Int32Array(sab(CTRL.SIZE * 4)),
    error: new Uint8Array(sab(ERROR_BYTES)),
    actions: new Float64Array(sab(n * A * 8)),
    obs: new Float32Array(sab(n * D * 4)),
    rawObs: new Float32Array(sab(n * D * 4)),
    rewards: new Float64Array(sab(n * 8)),
    rawRewards: new Float64Array(sab(n * 8)),
    flags: new Uint8Array(sab(5 * n)),
  };
}

/** What a worker sends besides the shared buffers after a step: only the parts that are not empty. */
export interface StepExtras {
  /** Info of env i without RecordRaw's keys, where it has other keys. */
  infos?: Record<number, Info>;
  finalObs?: Record<number, Float32Array>;
  finalInfos?: Record<number, Info>;
}

/**
 * A module the worker threads import, and whose `exportName(args)` they await, before building their
 * sub-envs: how envs registered at run time (plug-ins, experiment/plugins.ts) reach the workers.
 */
export interface WorkerPreload {
  module: string;
  exportName: string;
  args: unknown;
}

let workerPreload: WorkerPreload | null = null;

/** Set (or clear) the preload of the workers started from now on. */
export function setWorkerPreload(p: WorkerPreload | null): void {
  workerPreload = p;
}

export interface WorkerData {
  specs: SubEnvSpec[];
  preload?: WorkerPreload | null;
  autoresetMode: AutoresetMode;
  buffers: SlotBuffers;
  port: MessagePort;
}

const nap = new Int32Array(new SharedArrayBuffer(4));

/**
 * The message tagged `seq` on `port` (every message is `{ seq, body }`). A message posted by the other
 * thread before it raised its flag is normally there at once; should it lag, wait for it in 1 ms naps
 * up to `timeoutMs`. A message with another tag is a protocol error, never silently taken.
 */
export function receiveTagged(port: MessagePort, seq: number, timeoutMs: number, who: string): unknown {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = receiveMessageOnPort(port);
    if (m) {
      const { seq: got, body } = m.message as { seq: number; body: unknown };
      if (got !== seq) throw new Error(`${who}: message ${got} arrived where ${seq} was expected`);
      return body;
    }
    if (Date.now() > deadline) throw new Error(`${who}: message ${seq} did not arrive within ${timeoutMs / 1000} s`);
    Atomics.wait(nap, 0, 0, 1);
  }
}

interface Slot {
  worker: Worker;
  port: MessagePort;
  buf: SlotBuffers;
  /** First sub-env index and count. */
  start: number;
  n: number;
  seq: number;
  label: string;
}

function workerUrl(): string {
  // under a TypeScript loader (tests, tsx) this module is the .ts source; built, it is dist/envs/*.js
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./async-vector-worker.${ext}`, import.meta.url).href;
}

/**
 * The worker's bootstrap (eval'd): registers tsx when the entry is TypeScript (Node 20 does not pass
 * the parent's loader hooks to workers), imports the entry, and reports a failure to load through the
 * shared control words, so the main thread, blocked in Atomics.wait, hears of it.
 */
function bootstrap(url: string): string {
  const ts = url.endsWith('.ts');
  // only dynamic import(): the eval'd code is CommonJS, or ESM under --input-type=module
  return `
import('node:worker_threads').then((wt) => {
  const fail = (e) => {
    const { ctrl, error } = wt.workerData.buffers;
    const text = String(e && e.message ? e.message : e).split('\\n')[0];
    const bytes = new TextEncoder().encode(text).subarray(0, ${ERROR_BYTES});
    error.set(bytes);
    Atomics.store(ctrl, ${CTRL.ERRLEN}, bytes.length);
    Atomics.store(ctrl, ${CTRL.STATUS}, ${FAILED});
    Atomics.store(ctrl, ${CTRL.DONE}, -1);
    Atomics.notify(ctrl, ${CTRL.DONE});
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  return ${ts ? `import('tsx/esm/api').then((m) => m.register())` : 'Promise.resolve()'}.then(() => import(${JSON.stringify(url)})).catch(fail);
});
`;
}

/** Contiguous, as even as possible: sizes of `parts` slices of n. */
function sliceSizes(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, p) => Math.floor(n / parts) + (p < n % parts ? 1 : 0));
}

export class AsyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly obsDim: number;
  readonly autoresetMode: AutoresetMode;
  /** Resolves when every worker thread has exited (after close()). */
  closed: Promise<void> = new Promise(() => {});
  private readonly actionDim: number;
  private readonly slots: Slot[];
  /** The slice the calling thread steps (mainThread), after the workers' slices. */
  private readonly local: { v: SyncVectorEnv; start: number } | null;
  private readonly timeoutMs: number;
  private pending = false;
  private broken: PgvarError | null = null;
  private isClosed = false;
  /** Bumped whenever a sub-env may have changed; the mirrors are synced when they lag behind it. */
  private version = 0;
  private mirrors: Env[] | null = null;
  private mirrorVersion = -1;

  constructor(readonly specs: SubEnvSpec[], options: AsyncVectorEnvOptions = {}) {
    if (specs.length === 0) throw new Error('AsyncVectorEnv needs at least one env');
    this.numEnvs = specs.length;
    this.autoresetMode = options.autoresetMode ?? 'same-step';
    this.timeoutMs = options.timeoutMs ?? 120_000;
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) throw new PgvarError(`AsyncVectorEnv: workers must be an integer ≥ 1, got ${workers}`);
    const mainThread = options.mainThread === true && this.numEnvs > 1;
    const parts = Math.min(this.numEnvs, workers + (mainThread ? 1 : 0));
    const sizes = sliceSizes(this.numEnvs, parts);
    const workerSizes = mainThread ? sizes.slice(0, -1) : sizes;
    // the spaces come from building one sub-env here (cheap next to a worker, and the mirrors need the same)
    const probe = makeSubEnv(specs[0]!);
    this.singleObservationSpace = probe.observationSpace;
    this.singleActionSpace = probe.actionSpace;
    probe.close?.();
    this.obsDim = flatSize(this.singleObservationSpace);
    this.actionDim = this.singleActionSpace.kind === 'box' ? flatSize(this.singleActionSpace) : 1;
    const url = workerUrl();
    let start = 0;
    this.slots = workerSizes.map((n, k) => {
      const buf = slotBuffers(n, this.obsDim, this.actionDim);
      const { port1, port2 } = new MessageChannel();
      Atomics.store(buf.ctrl, CTRL.REQ, 1); // request 1: build the envs
      const data: WorkerData = { specs: specs.slice(start, start + n), preload: workerPreload, autoresetMode: this.autoresetMode, buffers: buf, port: port2 };
      const worker = new Worker(bootstrap(url), { eval: true, workerData: data, transferList: [port2] });
      worker.unref();
      const slot: Slot = { worker, port: port1, buf, start, n, seq: 1, label: `worker ${k + 1} (sub-envs ${start}–${start + n - 1})` };
      start += n;
      return slot;
    });
    this.local = mainThread ? { v: new SyncVectorEnv(specs.slice(start).map(makeSubEnv), this.autoresetMode), start } : null;
    try {
      for (const s of this.slots) this.wait(s, 'building its envs');
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Worker count (the calling thread's slice not counted). */
  get workerCount(): number {
    return this.slots.length;
  }

  private check(): void {
    if (this.broken) throw this.broken;
    if (this.isClosed) throw new PgvarError('AsyncVectorEnv: used after close()');
  }

  private request(s: Slot, op: number, msg?: unknown): void {
    s.seq += 1;
    // every request but a step carries a message (its body may be undefined), tagged with its number
    if (op !== OP.STEP) s.port.postMessage({ seq: s.seq, body: msg });
    Atomics.store(s.buf.ctrl, CTRL.OP, op);
    Atomics.store(s.buf.ctrl, CTRL.REQ, s.seq);
    Atomics.notify(s.buf.ctrl, CTRL.REQ);
  }

  /** Block until slot `s` has answered its last request; returns its message, if it sent one. */
  private wait(s: Slot, what: string): unknown {
    const c = s.buf.ctrl;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const done = Atomics.load(c, CTRL.DONE);
      if (done === s.seq) break;
      if (Atomics.load(c, CTRL.STATUS) === FAILED) {
        const text = new TextDecoder().decode(s.buf.error.slice(0, Atomics.load(c, CTRL.ERRLEN)));
        this.broken = new PgvarError(`async vector env: ${s.label} failed ${what}: ${text}`);
        throw this.broken;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.broken = new PgvarError(`async vector env: ${s.label} gave no answer ${what} within ${this.timeoutMs / 1000} s (it may have crashed or run out of memory; try vectorEnv 'sync' to see the error in the main thread)`);
        throw this.broken;
      }
      Atomics.wait(c, CTRL.DONE, done, Math.min(left, 1000));
    }
    if (Atomics.load(c, CTRL.HAS_MSG) === 0) return undefined;
    return receiveTagged(s.port, s.seq, this.timeoutMs, `AsyncVectorEnv, ${s.label}`);
  }

  /** Send every worker the same kind of request, let the local slice do its part, then collect the answers. */
  private all<T>(op: number, msgOf: (s: Slot) => unknown, what: string, local?: () => void): T[] {
    this.check();
    for (const s of this.slots) this.request(s, op, msgOf(s));
    local?.();
    return this.slots.map((s) => this.wait(s, what) as T);
  }

  reset(options: { seed?: number | number[] } = {}): { obs: Float32Array; infos: Info[] } {
    const seeds = options.seed;
    if (Array.isArray(seeds) && seeds.length !== this.numEnvs) throw new Error(`AsyncVectorEnv.reset: expected ${this.numEnvs} seeds, got ${seeds.length}`);
    const seedsOf = (start: number, n: number) => (seeds === undefined ? undefined : Array.isArray(seeds) ? seeds.slice(start, start + n) : Array.from({ length: n }, (_, j) => seeds + start + j));
    const obs = new Float32Array(this.numEnvs * this.obsDim);
    const infos: Info[] = new Array(this.numEnvs);
    let localResult: { obs: Float32Array; infos: Info[] } | null = null;
    this.version += 1;
    const answers = this.all<{ obs: Float32Array; infos: Info[] }>(OP.RESET, (s) => ({ seed: seedsOf(s.start, s.n) }), 'resetting', () => {
      if (this.local) {
        const sd = seedsOf(this.local.start, this.local.v.numEnvs);
        localResult = this.local.v.reset(sd === undefined ? {} : { seed: sd });
      }
    });
    const place = (start: number, r: { obs: Float32Array; infos: Info[] }) => {
      obs.set(r.obs, start * this.obsDim);
      r.infos.forEach((info, j) => (infos[start + j] = info));
    };
    this.slots.forEach((s, k) => place(s.start, answers[k]!));
    if (this.local) place(this.local.start, localResult!);
    this.pending = false;
    return { obs, infos };
  }

  /** Gymnasium's step_async: hand the workers their actions and return at once. */
  stepAsync(actions: Action[]): void {
    this.check();
    if (this.pending) throw new Error('AsyncVectorEnv.stepAsync: the previous step was not collected with stepWait()');
    if (actions.length !== this.numEnvs) throw new Error(`AsyncVectorEnv.step: expected ${this.numEnvs} actions, got ${actions.length}`);
    const A = this.actionDim;
    for (const s of this.slots) {
      const a = s.buf.actions;
      for (let j = 0; j < s.n; j++) {
        const act = actions[s.start + j]!;
        if (typeof act === 'number') a[j * A] = act;
        else for (let d = 0; d < A; d++) a[j * A + d] = act[d]!;
      }
      this.request(s, OP.STEP);
    }
    this.pendingActions = this.local ? actions.slice(this.local.start) : null;
    this.pending = true;
    this.version += 1;
  }

  private pendingActions: Action[] | null = null;

  /** Gymnasium's step_wait: step the local slice (if any), then wait for the workers' results. */
  stepWait(): VectorStepResult {
    this.check();
    if (!this.pending) throw new Error('AsyncVectorEnv.stepWait: no step was started (call stepAsync first)');
    this.pending = false;
    const n = this.numEnvs;
    const D = this.obsDim;
    const out = emptyStepResult(n, D);
    if (this.local) {
      const r = this.local.v.step(this.pendingActions!);
      const o = this.local.start;
      out.obs.set(r.obs, o * D);
      for (let j = 0; j < r.rewards.length; j++) {
        out.rewards[o + j] = r.rewards[j]!;
        out.terminated[o + j] = r.terminated[j]!;
        out.truncated[o + j] = r.truncated[j]!;
        out.autoresetMask[o + j] = r.autoresetMask[j]!;
        out.infos[o + j] = r.infos[j]!;
        out.finalObs[o + j] = r.finalObs[j]!;
        out.finalInfos[o + j] = r.finalInfos[j]!;
      }
    }
    this.pendingActions = null;
    for (const s of this.slots) {
      const extras = (this.wait(s, 'stepping') as StepExtras | undefined) ?? {};
      const b = s.buf;
      const m = s.n;
      out.obs.set(b.obs.subarray(0, m * D), s.start * D);
      for (let j = 0; j < m; j++) {
        const i = s.start + j;
        out.rewards[i] = b.rewards[j]!;
        out.terminated[i] = b.flags[j]!;
        out.truncated[i] = b.flags[m + j]!;
        out.autoresetMask[i] = b.flags[2 * m + j]!;
        const info: Info = extras.infos?.[j] ? { ...extras.infos[j] } : {};
        if (b.flags[3 * m + j]) info[RAW_OBS] = b.rawObs.slice(j * D, (j + 1) * D);
        if (b.flags[4 * m + j]) info[RAW_REWARD] = b.rawRewards[j]!;
        out.infos[i] = info;
        const fo = extras.finalObs?.[j];
        if (fo) {
          out.finalObs[i] = fo;
          out.finalInfos[i] = extras.finalInfos?.[j] ?? {};
        }
      }
    }
    return out;
  }

  step(actions: Action[]): VectorStepResult {
    this.stepAsync(actions);
    return this.stepWait();
  }

  private settle(): void {
    // a started step must be collected before the workers take other requests
    if (this.pending) this.stepWait();
  }

  getState(): unknown {
    this.settle();
    const states = this.all<{ envs: unknown[]; needsReset: number[] }>(OP.GET_STATE, () => undefined, 'saving its state');
    if (this.local) states.push(this.local.v.getState() as { envs: unknown[]; needsReset: number[] });
    // the same shape as SyncVectorEnv.getState(), so checkpoints move between the two
    return { envs: states.flatMap((s) => s.envs), needsReset: states.flatMap((s) => s.needsReset) };
  }

  setState(state: unknown): void {
    this.settle();
    const st = state as { envs: unknown[]; needsReset: number[] };
    if (st.envs.length !== this.numEnvs) throw new Error(`vector env state has ${st.envs.length} envs, this vector env has ${this.numEnvs}`);
    const part = (start: number, n: number) => ({ envs: st.envs.slice(start, start + n), needsReset: st.needsReset.slice(start, start + n) });
    this.version += 1;
    this.all(OP.SET_STATE, (s) => part(s.start, s.n), 'restoring its state', () => this.local?.v.setState(part(this.local.start, this.local.v.numEnvs)));
  }

  envStates(): unknown[] {
    this.settle();
    const states = this.all<unknown[]>(OP.ENV_STATES, () => undefined, 'saving its env states').flat();
    if (this.local) states.push(...this.local.v.envStates());
    return states;
  }

  /** Main-thread mirror stacks with the sub-envs' current state (built on first use, synced when stale). */
  envStacks(): readonly Env[] {
    this.check();
    this.mirrors ??= this.specs.map(makeSubEnv);
    if (this.mirrorVersion !== this.version) {
      const states = this.envStates();
      this.mirrors.forEach((e, i) => e.setState(states[i]));
      this.mirrorVersion = this.version;
    }
    return this.mirrors;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.local?.v.close();
    for (const m of this.mirrors ?? []) m.close?.();
    this.mirrors = null;
    this.closed = Promise.all(this.slots.map((s) => s.worker.terminate())).then(() => {
      for (const s of this.slots) s.port.close();
    });
  }
}
