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
 * Branches run in lockstep in chunks of `simulatorSize` envs, with one batched policy call per step.
 */
import { UsageError } from '../common/errors.js';
import type { Rollout } from '../ppo/rollout.js';
import type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { manyActionsBatch, repeatObservations } from './many-actions-rows.js';
import { SingleActionEstimator } from './single.js';

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

  constructor(readonly options: SimulatorManyActionsOptions) {
    this.simulatorSize = options.simulators;
  }

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const pool = ctx.simulator;
    if (!pool || !r.snapshots) throw new Error("estimator 'mc' needs env snapshots and a simulator pool (PpoTrainer provides them when simulatorSize is set)");
    const base = this.single.prepare(r, ctx);
    const { agent, gamma, gaeLambda: lambda } = ctx;
    const X = this.options.actions;
    const H = this.options.horizon;
    const S = base.numStates;
    const D = r.obsDim;
    const A = r.actionDim;
    const B = S * X;
    const stepsBefore = pool.steps;

    // the extra actions, all in one tensor call
    const obsRep = repeatObservations(r, S, X);
    const first = agent.act(obsRep, B, agent.sampleNoise(B, ctx.rng));
    const advantages = new Float32Array(B);

    const P = pool.size;
    for (let c0 = 0; c0 < B; c0 += P) {
      const n = Math.min(P, B - c0);
      const rewards: Float64Array[] = [];
      const values: Float64Array[] = [Float64Array.from({ length: n }, (_, b) => first.values[c0 + b]!)];
      const endAt = new Int32Array(n).fill(H); // step index after which the branch stopped
      let action: Float32Array = first.actions.slice(c0 * A, (c0 + n) * A);
      let alive = Array.from({ length: n }, (_, b) => b);
      for (let b = 0; b < n; b++) pool.envs[b]!.setState(r.snapshots[Math.floor((c0 + b) / X)]);
      for (let k = 0; k < H; k++) {
        const rk = new Float64Array(n);
        const vNext = new Float64Array(n);
        const needValue: number[] = [];
        const nextObs: Float32Array[] = [];
        const continuing: number[] = [];
        alive.forEach((b, idx) => {
          const a = agent.kind === 'categorical' ? action[idx]! : action.subarray(idx * A, (idx + 1) * A);
          const res = pool.envs[b]!.step(a);
          pool.steps += 1;
          rk[b] = res.reward;
          if (res.terminated) {
            endAt[b] = k;
            vNext[b] = 0;
          } else if (res.truncated) {
            endAt[b] = k;
            if (ctx.bootstrapTruncation) {
              needValue.push(b);
              nextObs.push(res.obs);
            }
          } else {
            needValue.push(b);
            nextObs.push(res.obs);
            if (k + 1 < H) continuing.push(b);
          }
        });
        if (needValue.length) {
          const flat = new Float32Array(needValue.length * D);
          nextObs.forEach((o, i) => flat.set(o, i * D));
          const out = agent.act(flat, needValue.length, agent.sampleNoise(needValue.length, ctx.rng));
          needValue.forEach((b, i) => (vNext[b] = out.values[i]!));
          // actions of the branches that go on, in `continuing` order (a subsequence of needValue)
          const next = new Float32Array(continuing.length * A);
          let c = 0;
          needValue.forEach((b, i) => {
            if (c < continuing.length && continuing[c] === b) next.set(out.actions.subarray(i * A, (i + 1) * A), c++ * A);
          });
          action = next;
        }
        rewards.push(rk);
        values.push(vNext);
        alive = continuing;
        if (alive.length === 0) break;
      }
      // GAE over each simulated segment, read at its first step
      for (let b = 0; b < n; b++) {
        const last = Math.min(endAt[b]!, H - 1);
        let gae = 0;
        for (let k = last; k >= 0; k--) {
          const delta = rewards[k]![b]! + gamma * values[k + 1]![b]! - values[k]![b]!;
          gae = delta + gamma * lambda * gae;
        }
        advantages[c0 + b] = gae;
      }
    }

    return manyActionsBatch(r, base, { actions: first.actions, logProbs: first.logProbs, advantages }, X, { sim_env_steps: pool.steps - stepsBefore, extra_actions: X, horizon: H });
  }
}

function positiveInt(options: Record<string, unknown>, key: string, dflt: number): number {
  const v = options[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`estimator 'mc': option '${key}' must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

export const simulatorManyActionsInfo: EstimatorInfo = {
  name: 'mc',
  aliases: ['simulator'],
  description: 'Many-actions estimator valuing N extra actions per state by rewinding the real simulator for H steps (ground truth for MBMA; costs env steps).',
  extraActionsPerState: 'N',
  create(options) {
    const known = ['actions', 'horizon', 'simulators'];
    const unknown = Object.keys(options).filter((k) => !known.includes(k));
    if (unknown.length) throw new UsageError(`estimator 'mc': unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')}; valid: ${known.join(', ')}`);
    return new SimulatorManyActionsEstimator({ actions: positiveInt(options, 'actions', 4), horizon: positiveInt(options, 'horizon', 10), simulators: positiveInt(options, 'simulators', 64) });
  },
};
