/**
 * Synchronous vector env over N copies, Gymnasium `SyncVectorEnv` with an explicit autoreset mode:
 *
 * - `same-step` (pgvar's default for training; Gymnasium's SAME_STEP): when sub-env i ends, it is
 *   reset inside the same `step()`. The returned `obs[i]` is the first observation of the new episode,
 *   and the last observation of the finished one is in `finalObs[i]` (its info in `finalInfos[i]`).
 *   PPO bootstraps a truncated episode from V(finalObs[i]). Every row of a rollout is a real transition.
 * - `next-step` (Gymnasium ≥ 1.0 default; NEXT_STEP): the ending step returns the terminal obs; the
 *   *next* `step()` ignores sub-env i's action and returns its reset obs with reward 0 and
 *   terminated = truncated = false. `autoresetMask[i]` marks such rows so a learner can drop them.
 *
 * `reset({seed})` seeds sub-env i with seed + i (Gymnasium's rule); `reset({seed: [s0, s1, …]})` gives
 * each sub-env its own seed (Gymnasium's list form; the trainer passes seeds derived per env, see
 * common/seeding.ts). Later autoresets continue each env's own RNG stream.
 */
import type { Action, Env, Info } from './env.js';
import { flatSize, type Space } from './spaces.js';

export type AutoresetMode = 'same-step' | 'next-step';

export interface VectorStepResult {
  obs: Float32Array; // N × obsDim
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: Info[];
  /** same-step: terminal obs of the episode that ended this step (null where none ended). */
  finalObs: (Float32Array | null)[];
  finalInfos: (Info | null)[];
  /** next-step: 1 where this row was an autoreset (action ignored, not a transition). */
  autoresetMask: Uint8Array;
}

/**
 * What the rollout, the trainer and the estimators use of a vector env: SyncVectorEnv steps its
 * sub-envs in the calling thread, AsyncVectorEnv (envs/async-vector.ts) in worker threads; both give
 * the same numbers for the same seeds.
 */
export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly obsDim: number;
  readonly autoresetMode: AutoresetMode;
  reset(options?: { seed?: number | number[] }): { obs: Float32Array; infos: Info[] };
  step(actions: Action[]): VectorStepResult;
  close(): void;
  getState(): unknown;
  setState(s: unknown): void;
  /** Each sub-env's `getState()` as it is now (snapshots for estimators that rewind the simulator). */
  envStates(): unknown[];
  /**
   * Env stacks holding the sub-envs' current state, to read (normalisers, clip bounds), never to step:
   * the sub-envs themselves in a SyncVectorEnv, main-thread mirrors synced on demand in an AsyncVectorEnv.
   */
  envStacks(): readonly Env[];
}

/** A step result for n sub-envs with nothing filled in yet (no episode ended, no autoreset). */
export function emptyStepResult(n: number, obsDim: number): VectorStepResult {
  return {
    obs: new Float32Array(n * obsDim),
    rewards: new Float64Array(n),
    terminated: new Uint8Array(n),
    truncated: new Uint8Array(n),
    infos: new Array(n),
    finalObs: new Array(n).fill(null),
    finalInfos: new Array(n).fill(null),
    autoresetMask: new Uint8Array(n),
  };
}

export class SyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly obsDim: number;
  private needsReset: Uint8Array;

  constructor(readonly envs: Env[], readonly autoresetMode: AutoresetMode = 'same-step') {
    if (envs.length === 0) throw new Error('SyncVectorEnv needs at least one env');
    this.numEnvs = envs.length;
    this.singleObservationSpace = envs[0]!.observationSpace;
    this.singleActionSpace = envs[0]!.actionSpace;
    this.obsDim = flatSize(this.singleObservationSpace);
    this.needsReset = new Uint8Array(this.numEnvs);
  }

  reset(options: { seed?: number | number[] } = {}): { obs: Float32Array; infos: Info[] } {
    const seeds = options.seed;
    if (Array.isArray(seeds) && seeds.length !== this.numEnvs) throw new Error(`SyncVectorEnv.reset: expected ${this.numEnvs} seeds, got ${seeds.length}`);
    const obs = new Float32Array(this.numEnvs * this.obsDim);
    const infos: Info[] = [];
    this.envs.forEach((env, i) => {
      const r = env.reset(seeds === undefined ? {} : { seed: Array.isArray(seeds) ? seeds[i]! : seeds + i });
      obs.set(r.obs, i * this.obsDim);
      infos.push(r.info);
    });
    this.needsReset.fill(0);
    return { obs, infos };
  }

  /** `actions[i]` is sub-env i's action (a number for Discrete, an array for Box). */
  step(actions: Action[]): VectorStepResult {
    if (actions.length !== this.numEnvs) throw new Error(`SyncVectorEnv.step: expected ${this.numEnvs} actions, got ${actions.length}`);
    const n = this.numEnvs;
    const out = emptyStepResult(n, this.obsDim);
    for (let i = 0; i < n; i++) {
      const env = this.envs[i]!;
      if (this.autoresetMode === 'next-step' && this.needsReset[i]) {
        const r = env.reset();
        out.obs.set(r.obs, i * this.obsDim);
        out.infos[i] = r.info;
        out.autoresetMask[i] = 1;
        this.needsReset[i] = 0;
        continue;
      }
      const r = env.step(actions[i]!);
      out.rewards[i] = r.reward;
      out.terminated[i] = r.terminated ? 1 : 0;
      out.truncated[i] = r.truncated ? 1 : 0;
      const done = r.terminated || r.truncated;
      if (done && this.autoresetMode === 'same-step') {
        out.finalObs[i] = r.obs;
        out.finalInfos[i] = r.info;
        const rr = env.reset();
        out.obs.set(rr.obs, i * this.obsDim);
        out.infos[i] = rr.info;
      } else {
        out.obs.set(r.obs, i * this.obsDim);
        out.infos[i] = r.info;
        if (done) this.needsReset[i] = 1;
      }
    }
    return out;
  }

  close(): void {
    for (const e of this.envs) e.close?.();
  }

  envStates(): unknown[] {
    return this.envs.map((e) => e.getState());
  }

  envStacks(): readonly Env[] {
    return this.envs;
  }

  getState(): unknown {
    return { envs: this.envs.map((e) => e.getState()), needsReset: Array.from(this.needsReset) };
  }

  setState(s: unknown): void {
    const st = s as { envs: unknown[]; needsReset: number[] };
    if (st.envs.length !== this.numEnvs) throw new Error(`vector env state has ${st.envs.length} envs, this vector env has ${this.numEnvs}`);
    st.envs.forEach((e, i) => this.envs[i]!.setState(e));
    this.needsReset = Uint8Array.from(st.needsReset);
  }
}
