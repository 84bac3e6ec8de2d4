/**
 * Learner threads: worker threads that each differentiate one shard of every PPO minibatch while the
 * main thread differentiates its own (data parallelism over the minibatch). The wasm backend runs
 * on one core (tfjs disables its threaded build under Node), so on a 2-core machine a second learner
 * thread is the way to use the second core in the update, which is most of the time of pixel PPO.
 *
 * Protocol (synchronous from ppoUpdate's side): `start` posts the current parameters and the shards
 * to the workers; the caller computes its own shard; `finish` blocks (Atomics.wait) until every
 * worker has written its gradients, statistics and loss into its shared result buffer. A worker that
 * fails writes its error message instead, and `finish` throws it, naming the worker.
 */
import { Worker } from 'node:worker_threads';
import { PgvarError } from '../common/errors.js';
import type { Space } from '../envs/spaces.js';
import type { ActorCritic, ActorCriticOptions } from '../nets/actor-critic.js';
import type { LossCfg, ShardTotals } from './ppo-loss.js';
import { LOSS_STATS } from './ppo-loss.js';
import type { MinibatchArrays } from './update.js';

export interface LearnerSpec {
  observationSpace: Space;
  actionSpace: Space;
  options: ActorCriticOptions;
  /** Parameter shapes in `agent.allParams` order (checked by the worker against its own network). */
  shapes: number[][];
  loss: LossCfg;
  backend: string;
}

/** The spec a learner thread needs to rebuild `agent` and differentiate the loss `config` defines. */
export function learnerSpec(agent: ActorCritic, observationSpace: Space, actionSpace: Space, config: LossCfg, backend: string): LearnerSpec {
  return {
    observationSpace,
    actionSpace,
    options: agent.options,
    shapes: agent.allParams.map((p) => p.shape),
    loss: { clipCoef: config.clipCoef, clipVloss: config.clipVloss, entCoef: config.entCoef, vfCoef: config.vfCoef },
    backend,
  };
}

export interface ShardResult {
  grads: Float32Array[];
  stats: Float32Array;
  loss: number;
}

/** Control words per worker: [state, error length]; state 0 = busy, 1 = done, 2 = failed. */
const DONE = 1;
const FAILED = 2;
const ERROR_BYTES = 4096;
/** Longest a minibatch shard may take before the learner gives up on its worker. */
const TIMEOUT_MS = 10 * 60 * 1000;

function workerEntry(): URL {
  // under a TypeScript loader (tests) this module is the .ts source; built, it is dist/ppo/*.js
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./learner-worker.${ext}`, import.meta.url);
}

interface Slot {
  worker: Worker;
  control: Int32Array;
  result: Float32Array;
  error: Uint8Array;
}

export class LearnerPool {
  private readonly slots: Slot[];
  private readonly sizes: number[];
  private pending = false;

  /** `threads` − 1 workers (the calling thread is the first learner). */
  constructor(readonly spec: LearnerSpec, threads: number) {
    if (!Number.isInteger(threads) || threads < 2) throw new PgvarError(`LearnerPool: threads must be an integer ≥ 2, got ${threads}`);
    this.sizes = spec.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    const floats = this.sizes.reduce((a, b) => a + b, 0) + LOSS_STATS + 1;
    this.slots = Array.from({ length: threads - 1 }, (_, i) => {
      const control = new Int32Array(new SharedArrayBuffer(8));
      const result = new Float32Array(new SharedArrayBuffer(floats * 4));
      const error = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES));
      const worker = new Worker(workerEntry(), { workerData: { spec, control, result, error, index: i + 1 } });
      worker.unref();
      return { worker, control, result, error };
    });
  }

  /** Number of worker threads (shards beyond the caller's own). */
  get size(): number {
    return this.slots.length;
  }

  /** Hand one shard to each worker, with the parameter values to differentiate at. */
  start(params: Float32Array[], shards: MinibatchArrays[], totals: ShardTotals): void {
    if (this.pending) throw new Error('LearnerPool.start: the previous minibatch was not finished');
    if (shards.length !== this.slots.length) throw new Error(`LearnerPool.start: ${shards.length} shards for ${this.slots.length} workers`);
    this.slots.forEach((slot, i) => {
      Atomics.store(slot.control, 0, 0);
      slot.worker.postMessage({ params, shard: shards[i], totals });
    });
    this.pending = true;
  }

  /** Wait for every worker's shard; gradients in parameter order, statistics as in ppoLoss. */
  finish(): ShardResult[] {
    if (!this.pending) throw new Error('LearnerPool.finish: nothing was started');
    this.pending = false;
    return this.slots.map((slot, i) => {
      const deadline = Date.now() + TIMEOUT_MS;
      while (Atomics.load(slot.control, 0) === 0) {
        if (Atomics.wait(slot.control, 0, 0, Math.max(1, deadline - Date.now())) === 'timed-out') throw new PgvarError(`learner thread ${i + 1} gave no result within ${TIMEOUT_MS / 60000} minutes (it may have crashed; run with learnerThreads 1 to see the error in the main thread)`);
      }
      if (Atomics.load(slot.control, 0) === FAILED) {
        const text = new TextDecoder().decode(slot.error.slice(0, Atomics.load(slot.control, 1)));
        throw new PgvarError(`learner thread ${i + 1} failed: ${text}`);
      }
      const grads: Float32Array[] = [];
      let o = 0;
      for (const n of this.sizes) {
        grads.push(slot.result.slice(o, o + n));
        o += n;
      }
      return { grads, stats: slot.result.slice(o, o + LOSS_STATS), loss: slot.result[o + LOSS_STATS]! };
    });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

export { DONE as LEARNER_DONE, FAILED as LEARNER_FAILED, ERROR_BYTES as LEARNER_ERROR_BYTES };
