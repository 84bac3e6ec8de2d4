/**
 * Measure the variance decompositions of `decomposition.ts` at a run's checkpoint, with the real
 * simulator rewound (spec estimators.md §1.5 and §3.2). On-policy trajectories of the frozen policy
 * are collected with env snapshots; at every visited state the simulator is restored and
 *   - the executed action a is valued by M rollouts (its Q marginalised over M futures),
 *   - one extra action a' ~ π (not executed) is valued by M rollouts,
 *   - two more fresh actions are valued by one rollout each (Tucker's V(s) samples).
 * Each rollout is H steps under the policy, critic-bootstrapped; its value is the GAE(λ) advantage
 * at the first step (Q = V(s) + that advantage, where a λ-return is needed). Then
 *   Υ = Â(s, a)∇log π(a|s) and Υ' = Â(s, a')∇log π(a'|s) feed the Lemma 3.1 split along each env's
 *   trajectory, Eq. 6 gives the variance at the run's T and Eq. 14 the N-vs-T decision for each δ;
 *   two of the M rollouts of a, one of a' and the two fresh actions give Tucker's Σ_τ/Σ_a/Σ_s.
 * Simulated env steps are counted and reported.
 */
import { Rng } from '../common/rng.js';
import { UsageError } from '../common/errors.js';
import { SimulatorPool } from '../envs/simulator-pool.js';
import { makeTrainingEnv } from '../envs/stack.js';
import { repeatObservations } from '../estimators/many-actions-rows.js';
import { valueBranches } from '../estimators/simulator-branches.js';
import type { PpoConfig } from '../ppo/config.js';
import type { PpoTrainer } from '../ppo/trainer.js';
import { boundedShare, cltVariance, eq14, lemma31Split, tuckerSplit, type CltVariance, type Eq14Decision, type Lemma31Split, type TrajectoryTerms, type TuckerSplit } from './decomposition.js';
import { numPolicyParams, perSampleScores } from './policy-gradient.js';
import { onPolicyStream } from './on-policy-stream.js';

export interface DecompositionOptions {
  /** Rollouts of `steps` steps per env to analyse (each env's steps form one trajectory). */
  segments: number;
  steps: number;
  /** Rollouts per valued action (M ≥ 2). */
  rollouts: number;
  /** Steps per rollout (H), including the valued action. */
  horizon: number;
  maxLag: number;
  /** δ grid and action counts N for the Eq. 14 decision. */
  deltas: number[];
  actions: number[];
  seed: number;
  simulators?: number;
  warmupSteps?: number;
  onProgress?: (message: string) => void;
}

export interface DecompositionReport {
  states: number;
  trajectories: number;
  trajectory_length: number;
  rollouts: number;
  horizon: number;
  sim_env_steps: number;
  /** The T of Eq. 6 / 14: the run's rollout length per env (PPO's trajectory per update). */
  T: number;
  lemma31: Lemma31Split;
  /** Eq. 6 at the run's T for each N of `actions`: {N: parts}. */
  variance_by_actions: Record<string, CltVariance>;
  /** Share of the single-action (N = 1) variance that is policy-dependent, bounded to [0, 1] (NaN when the total is ≤ 0). */
  policy_dependent_share: number;
  /** The unclipped ratio policy_dependent / total. */
  policy_dependent_share_raw: number;
  /** Why the share was clipped or is undefined; null when the raw ratio lies in [0, 1]. */
  policy_dependent_share_flag: string | null;
  eq14: Eq14Decision[];
  tucker: TuckerSplit;
  wall_s: number;
}

export function measureDecomposition(source: { config: PpoConfig; trainer: PpoTrainer }, o: DecompositionOptions): DecompositionReport {
  const t0 = performance.now();
  const { config, trainer } = source;
  if (!Number.isInteger(o.rollouts) || o.rollouts < 2) throw new UsageError(`decomposition: rollouts per action must be an integer ≥ 2 (Tucker's split needs two), got ${o.rollouts}`);
  if (!Number.isInteger(o.steps) || o.steps < 2) throw new UsageError(`decomposition: steps per trajectory must be an integer ≥ 2, got ${o.steps}`);
  if (!Number.isInteger(o.horizon) || o.horizon < 1) throw new UsageError(`decomposition: horizon must be a positive integer, got ${o.horizon}`);
  if (o.deltas.some((d) => !(d > 0))) throw new UsageError(`decomposition: every δ must be > 0, got ${o.deltas.join(',')}`);
  const agent = trainer.agent;
  const { venv, collector } = onPolicyStream(source, o.seed, o.warmupSteps);
  collector.recordSnapshots = true;
  const pool = new SimulatorPool(() => makeTrainingEnv(config.envId, config), o.simulators ?? 128);
  const rng = new Rng(o.seed + 3);
  const ctx = { agent, gamma: config.gamma, gaeLambda: config.gaeLambda, bootstrapTruncation: config.bootstrapTruncation, rng };
  const P = numPolicyParams(agent);
  const M = o.rollouts;
  const N = config.numEnvs;
  const A = agent.actionDim;
  const trajs: TrajectoryTerms[] = [];
  const tucker = { gg: [] as number[], gg2: [] as number[], qx: [] as number[], qy: [] as number[], q2: [] as number[], vx: [] as number[], vy: [] as number[], value: [] as number[] };

  try {
    for (let k = 0; k < o.segments; k++) {
      o.onProgress?.(`decomposition: segment ${k + 1}/${o.segments}: ${o.steps * N} states × ${2 * M + 2} rollouts of ${o.horizon} steps (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      const r = collector.collect(o.steps, trainer.globalStep + k * o.steps * N);
      const rows = o.steps * N;
      // per state: [a × M, a' × M, fresh v-actions × 2]
      const per = 2 * M + 2;
      const fresh = agent.act(repeatObservations(r, rows, 3), rows * 3, agent.sampleNoise(rows * 3, rng));
      const B = rows * per;
      const stateOf = new Int32Array(B);
      const actions = new Float32Array(B * A);
      const baseValues = new Float32Array(B);
      for (let j = 0; j < rows; j++) {
        for (let c = 0; c < per; c++) {
          const b = j * per + c;
          stateOf[b] = j;
          baseValues[b] = r.values[j]!;
          const src = c < M ? r.actions.subarray(j * A, (j + 1) * A) : c < 2 * M ? fresh.actions.subarray(j * 3 * A, (j * 3 + 1) * A) : fresh.actions.subarray((j * 3 + 1 + (c - 2 * M)) * A, (j * 3 + 2 + (c - 2 * M)) * A);
          actions.set(src, b * A);
        }
      }
      const adv = valueBranches(pool, { snapshots: r.snapshots!, stateOf, actions, baseValues, horizon: o.horizon }, ctx);
      const extraActions = new Float32Array(rows * A);
      for (let j = 0; j < rows; j++) extraActions.set(fresh.actions.subarray(j * 3 * A, (j * 3 + 1) * A), j * A);
      const gReal = perSampleScores(agent, r.obs, r.actions, rows);
      const gExtra = perSampleScores(agent, r.obs, extraActions, rows);
      const mean = (j: number, off: number) => {
        let s = 0;
        for (let m = 0; m < M; m++) s += adv[j * per + off + m]!;
        return s / M;
      };
      // one trajectory per env, in time order (rollout rows are t·N + i)
      for (let i = 0; i < N; i++) {
        const real = new Float32Array(o.steps * P);
        const extra = new Float32Array(o.steps * P);
        for (let t = 0; t < o.steps; t++) {
          const j = t * N + i;
          const aReal = mean(j, 0);
          const aExtra = mean(j, M);
          for (let p = 0; p < P; p++) {
            real[t * P + p] = aReal * gReal[j * P + p]!;
            extra[t * P + p] = aExtra * gExtra[j * P + p]!;
          }
        }
        trajs.push({ real, extra, rows: o.steps });
      }
      for (let j = 0; j < rows; j++) {
        let gg = 0;
        let gg2 = 0;
        for (let p = 0; p < P; p++) {
          gg += gReal[j * P + p]! ** 2;
          gg2 += gReal[j * P + p]! * gExtra[j * P + p]!;
        }
        const v = r.values[j]!;
        tucker.gg.push(gg);
        tucker.gg2.push(gg2);
        tucker.qx.push(v + adv[j * per]!);
        tucker.qy.push(v + adv[j * per + 1]!);
        tucker.q2.push(v + adv[j * per + M]!);
        tucker.vx.push(v + adv[j * per + 2 * M]!);
        tucker.vy.push(v + adv[j * per + 2 * M + 1]!);
        tucker.value.push(v);
      }
    }
  } finally {
    venv.close();
    pool.close();
  }
  const split = lemma31Split(trajs, P, o.maxLag);
  const T = config.numSteps;
  const byN: Record<string, CltVariance> = {};
  for (const n of o.actions) byN[String(n)] = cltVariance(split, T, n);
  const one = cltVariance(split, T, 1);
  const f64 = (x: number[]) => Float64Array.from(x);
  return {
    states: split.num_states,
    trajectories: trajs.length,
    trajectory_length: o.steps,
    rollouts: M,
    horizon: o.horizon,
    sim_env_steps: pool.steps,
    T,
    lemma31: split,
    variance_by_actions: byN,
    ...(({ share, raw, flag }) => ({ policy_dependent_share: share, policy_dependent_share_raw: raw, policy_dependent_share_flag: flag }))(boundedShare(one.policy_dependent, one.total)),
    eq14: o.actions.flatMap((n) => o.deltas.map((d) => eq14(split, T, n, d))),
    tucker: tuckerSplit({ gg: f64(tucker.gg), gg2: f64(tucker.gg2), qx: f64(tucker.qx), qy: f64(tucker.qy), q2: f64(tucker.q2), vx: f64(tucker.vx), vy: f64(tucker.vy), value: f64(tucker.value), numParams: P }),
    wall_s: +((performance.now() - t0) / 1000).toFixed(3),
  };
}
