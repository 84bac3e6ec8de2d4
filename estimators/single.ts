/**
 * `single`: the standard single-action estimator (PPO's own). One row per visited state with the
 * sampled action and its GAE(γ, λ) advantage, weight 1; value targets are the TD(λ) returns Â + V.
 */
import { UsageError } from '../common/errors.js';
import { computeGae } from '../ppo/gae.js';
import type { Rollout } from '../ppo/rollout.js';
import type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { BUILTIN_ESTIMATORS } from './registry.js';

export class SingleActionEstimator implements Estimator {
  readonly name = 'single';

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const { advantages, returns } = computeGae({
      numSteps: r.numSteps,
      numEnvs: r.numEnvs,
      rewards: r.rewards,
      values: r.values,
      terminated: r.terminated,
      truncated: r.truncated,
      finalValues: r.finalValues,
      nextValues: r.nextValues,
      gamma: ctx.gamma,
      lambda: ctx.gaeLambda,
      bootstrapTruncation: ctx.bootstrapTruncation,
    });
    const n = r.numSteps * r.numEnvs;
    return {
      numStates: n,
      policy: {
        obs: r.obs,
        actions: r.actions,
        oldLogProbs: r.logProbs,
        advantages,
        weights: new Float32Array(n).fill(1),
        stateIndex: Int32Array.from({ length: n }, (_, i) => i),
      },
      value: { obs: r.obs, returns, oldValues: r.values },
      stats: {},
    };
  }
}

export const singleInfo: EstimatorInfo = {
  ...BUILTIN_ESTIMATORS.single,
  create(options) {
    const keys = Object.keys(options);
    if (keys.length) throw new UsageError(`estimator 'single' takes no options, got ${keys.map((k) => `'${k}'`).join(', ')}`);
    return new SingleActionEstimator();
  },
};
