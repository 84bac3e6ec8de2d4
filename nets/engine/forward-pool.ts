/**
 * A second core for large forward passes on the engine: one worker thread holding copies of engine
 * networks, to which the caller hands part of a batch while it computes the rest itself. Every row's
 * output depends only on that row and the parameters, and both threads run the same kernels, so a
 * split batch gives bit-for-bit the outputs of an unsplit one (tested). Used by the dynamics models'
 * predictions in imagination (tens of thousands of rows per step), which are most of `daa`'s time.
 *
 * Protocol (synchronous for the caller, as ppo/learner-pool.ts): `start` posts the rows — and the
 * parameters of any network whose version changed since it last sent them — then the caller computes
 * its own rows; `finish` blocks (Atomics.wait) until the worker has written its outputs into the
 * shared result buffer, or throws the worker's error.
 * `PGVAR_ENGINE_THREADS=1` in the environment turns the pool off (one core, same numbers).
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { PgvarError } from '../../common/errors.js';
import type { Activation } from '../mlp.js';

export interface ForwardJob {
  /** Identifies the network across calls (the worker keeps its copy under this key). */
  key: string;
  sizes: number[];
  activation: Activation;
  /** Changes whenever the parameters change; the parameters are sent only then. */
  version: number;
  params: () => Float32Array[];
}

const BUSY = 0;
const DONE = 1;
const FAILED = 2;
const ERROR_BYTES = 4096;
const TIMEOUT_MS = 10 * 60 * 1000;

/** The worker: built, dist/nets/engine/forward-worker.js; from the TypeScript sources (tests under tsx), the .ts file through tsx's loader. */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./forward-worker.js', import.meta.url), { workerData });
  const entry = new URL('./forward-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`, { eval: true, workerData });
}

/** How long a new worker may take to load before the pool gives up on it (and computes on one thread). */
const START_MS = 30_000;

export class ForwardPool {
  private readonly worker: Worker;
  /** [state, error length, ready] */
  private readonly control = new Int32Array(new SharedArrayBuffer(12));
  private broken = false;
  private readonly error = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES));
  private result = new Float32Array(new SharedArrayBuffer(4 * 65536));
  private resultSent = false;
  private readonly sent = new Map<string, number>();
  private pending: { sizes: number[]; n: number } | null = null;

  constructor() {
    this.worker = startWorker({ control: this.control, error: this.error });
    this.worker.unref();
  }

  /** Whether the worker has loaded (waits for it the first time, up to START_MS). */
  private ready(): boolean {
    if (this.broken) return false;
    if (Atomics.load(this.control, 2) === 1) return true;
    Atomics.wait(this.control, 2, 0, START_MS);
    if (Atomics.load(this.control, 2) === 1) return true;
    this.broken = true;
    process.stderr.write(`pgvar: the engine's forward thread did not start within ${START_MS / 1000} s; continuing on one thread (same numbers)\n`);
    return false;
  }

  /**
   * Hand n rows x (n × inDim, shared by every job) to the worker; each job's n × outDim output comes
   * back from `finish`. Returns false (nothing handed over) when the worker is not available: the
   * caller then computes those rows itself.
   */
  start(jobs: ForwardJob[], x: Float32Array, n: number): boolean {
    if (this.pending) throw new Error('ForwardPool.start: the previous batch was not finished');
    if (!this.ready()) return false;
    const outSizes = jobs.map((j) => n * j.sizes[j.sizes.length - 1]!);
    const need = outSizes.reduce((a, b) => a + b, 0);
    if (need > this.result.length) {
      this.result = new Float32Array(new SharedArrayBuffer(4 * Math.max(need, 2 * this.result.length)));
      this.resultSent = false;
    }
    const result = this.resultSent ? undefined : this.result;
    this.resultSent = true;
    const msg = jobs.map((j) => {
      const fresh = this.sent.get(j.key) !== j.version;
      if (fresh) this.sent.set(j.key, j.version);
      return { key: j.key, sizes: j.sizes, activation: j.activation, params: fresh ? j.params() : null };
    });
    Atomics.store(this.control, 0, BUSY);
    this.worker.postMessage({ jobs: msg, x, n, result });
    this.pending = { sizes: outSizes, n };
    return true;
  }

  finish(): Float32Array[] {
    const p = this.pending;
    if (!p) throw new Error('ForwardPool.finish: nothing was started');
    this.pending = null;
    const deadline = Date.now() + TIMEOUT_MS;
    while (Atomics.load(this.control, 0) === BUSY) {
      if (Atomics.wait(this.control, 0, BUSY, Math.max(1, deadline - Date.now())) === 'timed-out') throw new PgvarError(`engine forward thread gave no result within ${TIMEOUT_MS / 60000} minutes (set PGVAR_ENGINE_THREADS=1 to run on one thread)`);
    }
    if (Atomics.load(this.control, 0) === FAILED) {
      this.sent.clear(); // the worker's copies are in an unknown state: resend everything
      throw new PgvarError(`engine forward thread failed: ${new TextDecoder().decode(this.error.slice(0, Atomics.load(this.control, 1)))}`);
    }
    const out: Float32Array[] = [];
    let o = 0;
    for (const len of p.sizes) {
      out.push(this.result.slice(o, o + len));
      o += len;
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }
}

let shared: ForwardPool | null | undefined;

/** The process's forward pool, or null when there is one core or PGVAR_ENGINE_THREADS=1. */
export function sharedForwardPool(): ForwardPool | null {
  if (shared === undefined) {
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    shared = process.env['PGVAR_ENGINE_THREADS'] === '1' || cores < 2 ? null : new ForwardPool();
  }
  return shared;
}

export { BUSY as FORWARD_BUSY, DONE as FORWARD_DONE, FAILED as FORWARD_FAILED, ERROR_BYTES as FORWARD_ERROR_BYTES };
