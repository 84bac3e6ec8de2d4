/**
 * On-policy data collection (PPO detail 1): N envs × T steps with the current policy, time-major.
 * The vector env runs in `same-step` autoreset mode, so every row is a real transition and the final
 * observation of a truncated episode is valued here for bootstrapping. Network outputs are checked for
 * NaN/Inf at every step.
 */
import { NonFiniteError, firstNonFinite } from '../common/errors.js';
import type { Rng, RngState } from '../common/rng.js';
import type { VectorEnv } from '../envs/vector.js';
import type { Info } from '../envs/env.js';
import type { EpisodeStats } from '../envs/wrappers/record-episode-statistics.js';
import { RAW_OBS, RAW_REWARD } from '../envs/wrappers/record-raw.js';
import type { ActorCritic } from '../nets/actor-critic.js';

export interface EpisodeRecord {
  /** Global step at which the episode ended. */
  step: number;
  return: number;
  length: number;
}

export interface Rollout {
  numSteps: number;
  numEnvs: number;
  obsDim: number;
  actionDim: number;
  /** Global step count before the first row. */
  startStep: number;
  obs: Float32Array;
  actions: Float32Array;
  logProbs: Float32Array;
  values: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** V(final obs) on truncated rows, 0 elsewhere. */
  finalValues: Float32Array;
  /** Final observation on rows where an episode ended (terminated or truncated). */
  finalObs: Map<number, Float32Array>;
  nextObs: Float32Array;
  nextValues: Float32Array;
  episodes: EpisodeRecord[];
  /** Env state before each row's action (row t·N + i), when the estimator asked for them. */
  snapshots: unknown[] | null;
  /**
   * The same observations and rewards before the env stack's normalisers and clips (RecordRaw's
   * `raw_obs`/`raw_reward`), for learned models that must not see the normalisers' statistics move.
   * Where the stack transforms nothing they are the very arrays above.
   */
  raw: RawTransitions;
}

export interface RawTransitions {
  obs: Float32Array;
  rewards: Float32Array;
  /** Raw final observation on rows where an episode ended. */
  finalObs: Map<number, Float32Array>;
  nextObs: Float32Array;
}

export interface CollectorState {
  obs: number[];
  /** Raw current observations (absent in checkpoints made before raw storage existed). */
  rawObs?: number[];
  rng: RngState;
}

export class RolloutCollector {
  private obs: Float32Array;
  /** Raw current observations; `obs` itself when the stack transforms no observation. */
  private rawObs: Float32Array;

  /** `initialInfos`: the reset's infos, which carry the raw observations when the stack normalises. */
  constructor(
    readonly venv: VectorEnv,
    readonly agent: ActorCritic,
    readonly rng: Rng,
    initialObs: Float32Array,
    initialInfos: Info[] = [],
  ) {
    if (venv.autoresetMode !== 'same-step') throw new Error("RolloutCollector needs a vector env in 'same-step' autoreset mode");
    this.obs = initialObs;
    this.rawObs = this.rawRows(initialObs, initialInfos);
  }

  /** The raw observations in `infos` (RecordRaw), row by row, or `obs` when there are none. */
  private rawRows(obs: Float32Array, infos: (Info | null | undefined)[]): Float32Array {
    if (!infos.some((info) => info?.[RAW_OBS] !== undefined)) return obs;
    const D = this.venv.obsDim;
    const out = Float32Array.from(obs);
    infos.forEach((info, i) => {
      const raw = info?.[RAW_OBS] as Float32Array | undefined;
      if (raw) out.set(raw, i * D);
    });
    return out;
  }

  /** Record `Env.getState()` before every step (estimators that rewind the simulator need it). */
  recordSnapshots = false;

  collect(numSteps: number, startStep: number): Rollout {
    const { venv, agent } = this;
    const N = venv.numEnvs;
    const D = venv.obsDim;
    const A = agent.actionDim;
    const rows = numSteps * N;
    const r: Rollout = {
      numSteps,
      numEnvs: N,
      obsDim: D,
      actionDim: A,
      startStep,
      obs: new Float32Array(rows * D),
      actions: new Float32Array(rows * A),
      logProbs: new Float32Array(rows),
      values: new Float32Array(rows),
      rewards: new Float32Array(rows),
      terminated: new Uint8Array(rows),
      truncated: new Uint8Array(rows),
      finalValues: new Float32Array(rows),
      finalObs: new Map(),
      nextObs: new Float32Array(0),
      nextValues: new Float32Array(0),
      episodes: [],
      snapshots: this.recordSnapshots ? new Array(rows) : null,
      raw: { obs: new Float32Array(0), rewards: new Float32Array(0), finalObs: new Map(), nextObs: new Float32Array(0) },
    };
    // raw copies only when the stack transforms observations / rewards (else they alias the above)
    const rawObs = this.rawObs === this.obs ? null : new Float32Array(rows * D);
    let rawRewards: Float32Array | null = null;
    const truncRows: number[] = [];
    for (let t = 0; t < numSteps; t++) {
      const step = startStep + (t + 1) * N;
      const out = agent.act(this.obs, N, agent.sampleNoise(N, this.rng));
      this.checkFinite(out.actions, 'policy action', step);
      this.checkFinite(out.logProbs, 'policy log-prob', step);
      this.checkFinite(out.values, 'value estimate', step);
      if (r.snapshots) venv.envStates().forEach((st, i) => (r.snapshots![t * N + i] = st));
      r.obs.set(this.obs, t * N * D);
      rawObs?.set(this.rawObs, t * N * D);
      r.actions.set(out.actions, t * N * A);
      r.logProbs.set(out.logProbs, t * N);
      r.values.set(out.values, t * N);
      const envActions = Array.from({ length: N }, (_, i) => (A === 1 && agent.kind === 'categorical' ? out.actions[i]! : out.actions.subarray(i * A, (i + 1) * A)));
      const s = venv.step(envActions);
      for (let i = 0; i < N; i++) {
        const k = t * N + i;
        r.rewards[k] = s.rewards[i]!;
        r.terminated[k] = s.terminated[i]!;
        r.truncated[k] = s.truncated[i]! && !s.terminated[i]! ? 1 : 0;
        const stepInfo = s.finalInfos[i] ?? s.infos[i];
        const rawReward = stepInfo?.[RAW_REWARD] as number | undefined;
        if (rawReward !== undefined) (rawRewards ??= new Float32Array(rows))[k] = rawReward;
        const fin = s.finalObs[i];
        if (fin) {
          r.finalObs.set(k, fin);
          const rawFin = s.finalInfos[i]?.[RAW_OBS] as Float32Array | undefined;
          if (rawFin) r.raw.finalObs.set(k, rawFin);
          if (r.truncated[k]) truncRows.push(k);
          const ep = s.finalInfos[i]?.['episode'] as EpisodeStats | undefined;
          if (ep) r.episodes.push({ step, return: ep.r, length: ep.l });
        }
      }
      this.obs = s.obs;
      this.rawObs = this.rawRows(s.obs, s.infos);
    }
    r.raw.obs = rawObs ?? r.obs;
    r.raw.rewards = rawRewards ?? r.rewards;
    if (r.raw.finalObs.size === 0) r.raw.finalObs = r.finalObs;
    if (truncRows.length > 0) {
      const fo = new Float32Array(truncRows.length * D);
      truncRows.forEach((k, j) => fo.set(r.finalObs.get(k)!, j * D));
      const fv = agent.values(fo, truncRows.length);
      this.checkFinite(fv, 'value estimate (final obs)', startStep + rows);
      truncRows.forEach((k, j) => (r.finalValues[k] = fv[j]!));
    }
    r.nextObs = this.obs;
    r.raw.nextObs = this.rawObs;
    r.nextValues = agent.values(this.obs, N);
    this.checkFinite(r.nextValues, 'value estimate', startStep + rows);
    return r;
  }

  private checkFinite(a: Float32Array, what: string, step: number): void {
    const i = firstNonFinite(a);
    if (i >= 0) throw new NonFiniteError('the policy network', what, step, `entry ${i} = ${a[i]}; the weights diverged (try a lower learning rate)`);
  }

  getState(): CollectorState {
    return { obs: Array.from(this.obs), ...(this.rawObs !== this.obs ? { rawObs: Array.from(this.rawObs) } : {}), rng: this.rng.getState() };
  }

  setState(s: CollectorState): void {
    const raw = this.rawObs !== this.obs;
    this.obs = Float32Array.from(s.obs);
    // a checkpoint from before raw storage: its current observations stand in for the raw ones (one row per env)
    this.rawObs = raw && s.rawObs ? Float32Array.from(s.rawObs) : raw ? Float32Array.from(s.obs) : this.obs;
    this.rng.setState(s.rng);
  }
}

/**
 * Split a rollout of G·n envs into G rollouts of n envs each (group g holds envs g·n … g·n + n − 1),
 * every field restricted to its envs' columns and re-indexed, so each part is exactly the rollout n
 * envs would have collected (the variance lab collects many independent batches in one pass this
 * way). Arrays that alias each other in the source (raw = transformed) alias in the parts too.
 */
export function splitRolloutByEnvs(r: Rollout, envsPerPart: number): Rollout[] {
  const N = r.numEnvs;
  const n = envsPerPart;
  if (!Number.isInteger(n) || n < 1 || N % n !== 0) throw new Error(`splitRolloutByEnvs: ${N} envs do not split into parts of ${n}`);
  const T = r.numSteps;
  const D = r.obsDim;
  const A = r.actionDim;
  const cols = <Arr extends Float32Array | Uint8Array>(src: Arr, width: number, g: number, steps = T): Arr => {
    const out = new (src.constructor as new (len: number) => Arr)(steps * n * width);
    for (let t = 0; t < steps; t++) out.set(src.subarray((t * N + g * n) * width, (t * N + g * n + n) * width), t * n * width);
    return out;
  };
  const remap = (m: Map<number, Float32Array>, g: number): Map<number, Float32Array> => {
    const out = new Map<number, Float32Array>();
    for (const [k, v] of m) {
      const t = Math.floor(k / N);
      const i = k % N;
      if (i >= g * n && i < g * n + n) out.set(t * n + (i - g * n), v);
    }
    return out;
  };
  return Array.from({ length: N / n }, (_, g) => {
    const obs = cols(r.obs, D, g);
    const rewards = cols(r.rewards, 1, g);
    const finalObs = remap(r.finalObs, g);
    const nextObs = r.nextObs.slice(g * n * D, (g + 1) * n * D);
    const snapshots = r.snapshots ? Array.from({ length: T * n }, (_, k) => r.snapshots![Math.floor(k / n) * N + g * n + (k % n)]) : null;
    return {
      numSteps: T,
      numEnvs: n,
      obsDim: D,
      actionDim: A,
      startStep: r.startStep,
      obs,
      actions: cols(r.actions, A, g),
      logProbs: cols(r.logProbs, 1, g),
      values: cols(r.values, 1, g),
      rewards,
      terminated: cols(r.terminated, 1, g),
      truncated: cols(r.truncated, 1, g),
      finalValues: cols(r.finalValues, 1, g),
      finalObs,
      nextObs,
      nextValues: r.nextValues.slice(g * n, (g + 1) * n),
      // episode records carry no env index: they stay with the whole rollout
      episodes: [],
      snapshots,
      raw: {
        obs: r.raw.obs === r.obs ? obs : cols(r.raw.obs, D, g),
        rewards: r.raw.rewards === r.rewards ? rewards : cols(r.raw.rewards, 1, g),
        finalObs: r.raw.finalObs === r.finalObs ? finalObs : remap(r.raw.finalObs, g),
        nextObs: r.raw.nextObs === r.nextObs ? nextObs : r.raw.nextObs.slice(g * n * D, (g + 1) * n * D),
      },
    };
  });
}
