/**
 * `ac`: the actor-critic estimator of the WMPG comparison (Nauman & den Hengst 2020; Mean
 * Actor-Critic, spec estimators.md §2.2): the executed action per visited state with a state-value
 * (critic) baseline, Â = GAE(γ, λ). `lambda` sets its own λ — 0 gives the one-step TD advantage
 * r + γV(s') − V(s) of classic AC; by default it uses PPO's λ and is then the `single` estimator.
 * The critic still regresses PPO's λ-returns, so only the policy rows change.
 */
import type { Rollout } from '../ppo/rollout.js';
import type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { fraction, parseOptions } from './options.js';
import { SingleActionEstimator } from './single.js';
import { BUILTIN_ESTIMATORS } from './registry.js';

export interface ActorCriticEstimatorOptions {
  /** GAE λ of the policy advantages; null = PPO's gaeLambda. */
  lambda: number | null;
}

export class ActorCriticEstimator implements Estimator {
  readonly name = 'ac';
  private readonly single = new SingleActionEstimator();

  resolvedOptions(): Record<string, unknown> {
    return { ...this.o };
  }

  constructor(readonly o: ActorCriticEstimatorOptions) {}

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const base = this.single.prepare(r, ctx);
    if (this.o.lambda === null || this.o.lambda === ctx.gaeLambda) return { ...base, stats: { lambda: ctx.gaeLambda } };
    const own = this.single.prepare(r, { ...ctx, gaeLambda: this.o.lambda });
    return { ...base, policy: { ...base.policy, advantages: own.policy.advantages }, stats: { lambda: this.o.lambda } };
  }
}

export const actorCriticInfo: EstimatorInfo = {
  ...BUILTIN_ESTIMATORS.ac,
  create: (options) => new ActorCriticEstimator(parseOptions('ac', { lambda: fraction }, { lambda: null } as ActorCriticEstimatorOptions, options)),
};
