/**
 * On-policy data collection (PPO detail 1): N envs × T steps with the current policy, time-major.
 * The vector env runs in `same-step` autoreset mode, so every row is a real transition and the final
 * observation of a truncated episode is valued here for bootstrapping. Network outputs are checked for
 * NaN/Inf at every step.
 */
import { NonFiniteError, firstNonFinite } from '../common/errors.js';
import type { Rng, RngState } from '../common/rng.js';
import type { SyncVectorEnv } from '../envs/vector.js';
import type { EpisodeStats } from '../envs/wrappers/record-episode-statistics.js';
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
}

export interface CollectorState {
  obs: number[];
  rng: RngState;
}

export class RolloutCollector {
  private obs: Float32Array;

  constructor(
    readonly venv: SyncVectorEnv,
    readonly agent: ActorCritic,
    readonly rng: Rng,
    initialObs: Float32Array,
  ) {
    if (venv.autoresetMode !== 'same-step') throw new Error("RolloutCollector needs a vector env in 'same-step' autoreset mode");
    this.obs = initialObs;
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
    };
    const truncRows: number[] = [];
    for (let t = 0; t < numSteps; t++) {
      const step = startStep + (t + 1) * N;
      const out = agent.act(this.obs, N, agent.sampleNoise(N, this.rng));
      this.checkFinite(out.actions, 'policy action', step);
      this.checkFinite(out.logProbs, 'policy log-prob', step);
      this.checkFinite(out.values, 'value estimate', step);
      if (r.snapshots) for (let i = 0; i < N; i++) r.snapshots[t * N + i] = venv.envs[i]!.getState();
      r.obs.set(this.obs, t * N * D);
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
        const fin = s.finalObs[i];
        if (fin) {
          r.finalObs.set(k, fin);
          if (r.truncated[k]) truncRows.push(k);
          const ep = s.finalInfos[i]?.['episode'] as EpisodeStats | undefined;
          if (ep) r.episodes.push({ step, return: ep.r, length: ep.l });
        }
      }
      this.obs = s.obs;
    }
    if (truncRows.length > 0) {
      const fo = new Float32Array(truncRows.length * D);
      truncRows.forEach((k, j) => fo.set(r.finalObs.get(k)!, j * D));
      const fv = agent.values(fo, truncRows.length);
      this.checkFinite(fv, 'value estimate (final obs)', startStep + rows);
      truncRows.forEach((k, j) => (r.finalValues[k] = fv[j]!));
    }
    r.nextObs = this.obs;
    r.nextValues = agent.values(this.obs, N);
    this.checkFinite(r.nextValues, 'value estimate', startStep + rows);
    return r;
  }

  private checkFinite(a: Float32Array, what: string, step: number): void {
    const i = firstNonFinite(a);
    if (i >= 0) throw new NonFiniteError('the policy network', what, step, `entry ${i} = ${a[i]}; the weights diverged (try a lower learning rate)`);
  }

  getState(): CollectorState {
    return { obs: Array.from(this.obs), rng: this.rng.getState() };
  }

  setState(s: CollectorState): void {
    this.obs = Float32Array.from(s.obs);
    this.rng.setState(s.rng);
  }
}
