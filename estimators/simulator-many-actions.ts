/**
 * `mc`: many-actions estimator that values extra actions by rewinding the real simulator — the
 * MBMA paper's ground-truth device (spec estimators.md §1.2 Eq. 3, §1.7) with the learned model
 * replaced by the environment itself.
 *
 * For every visited state s_t of the rollout, N extra actions a_j ~ π_old(·|s_t) are drawn; for each,
 * a spare env is restored to the snapshot taken before the real step, a_j is executed, and the policy
 * continues for H − 1 more steps. The extra action's advantage is GAE(γ, λ) over that simulated
 * segment taken at its first step, bootstrapped with the critic (V(s_H), or V(final obs) on
 * truncation, 0 on termination) — the same construction MBMA applies to imagined segments.
 * Policy rows: the real action (GAE advantage) and the N extra actions, each with weight 1/(N+1)
 * (MBMA's equal weighting); value targets: real states only. Simulated env steps are counted
 * (`estimator/sim_env_steps`): they are a real cost, not free samples.
 * Branches run in lockstep in chunks of `simulatorSize` envs (`valueBranches`).
 */
import { parseOptions, positiveInt } from './options.js';
import type { Rollout } from '../ppo/rollout.js';
import type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { manyActionsBatch, repeatObservations } from './many-actions-rows.js';
import { SingleActionEstimator } from './single.js';
import { valueBranches } from './simulator-branches.js';
import { BUILTIN_ESTIMATORS } from './registry.js';

export interface SimulatorManyActionsOptions {
  /** Extra actions per visited state (N). */
  actions: number;
  /** Simulated steps per extra action (H), including the extra action itself. */
  horizon: number;
  /** Spare envs stepped in lockstep. */
  simulators: number;
}

export class SimulatorManyActionsEstimator implements Estimator {
  readonly name = 'mc';
  readonly simulatorSize: number;
  private readonly single = new SingleActionEstimator();

  resolvedOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  constructor(readonly options: SimulatorManyActionsOptions) {
    this.simulatorSize = options.simulators;
  }

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const pool = ctx.simulator;
    if (!pool || !r.snapshots) throw new Error("estimator 'mc' needs env snapshots and a simulator pool (PpoTrainer provides them when simulatorSize is set)");
    const base = this.single.prepare(r, ctx);
    const { agent } = ctx;
    const X = this.options.actions;
    const H = this.options.horizon;
    const S = base.numStates;
    const B = S * X;
    const stepsBefore = pool.steps;

    // the extra actions, all in one tensor call
    const obsRep = repeatObservations(r, S, X);
    const first = agent.act(obsRep, B, agent.sampleNoise(B, ctx.rng));
    const stateOf = Int32Array.from({ length: B }, (_, b) => Math.floor(b / X));
    const advantages = valueBranches(pool, { snapshots: r.snapshots, stateOf, actions: first.actions, baseValues: first.values, horizon: H }, ctx);

    return manyActionsBatch(r, base, { actions: first.actions, logProbs: first.logProbs, advantages }, X, { sim_env_steps: pool.steps - stepsBefore, extra_actions: X, horizon: H });
  }
}

export const simulatorManyActionsInfo: EstimatorInfo = {
  ...BUILTIN_ESTIMATORS.mc,
  create(options) {
    return new SimulatorManyActionsEstimator(parseOptions('mc', { actions: positiveInt, horizon: positiveInt, simulators: positiveInt }, { actions: 4, horizon: 10, simulators: 64 }, options));
  },
};
