/**
 * What the learned-model estimators (`daa`, `mbpo`) share: the real-action GAE rows, a ModelLearner
 * (replay buffer, dynamics model, training schedule, annealing) and the checkpoint plumbing. Each
 * subclass decides only how the model is used.
 */
import type { Rollout } from '../ppo/rollout.js';
import { ModelLearner } from '../worldmodels/model-learner.js';
import type { Estimator, EstimatorBatch, EstimatorContext } from './estimator.js';
import type { ModelManyActionsOptions } from './model-many-actions.js';
import { SingleActionEstimator } from './single.js';

export abstract class LearnedModelEstimator implements Estimator {
  abstract readonly name: string;
  readonly learner: ModelLearner;
  protected readonly single = new SingleActionEstimator();

  resolvedOptions(): Record<string, unknown> {
    return { ...this.o };
  }

  constructor(readonly o: ModelManyActionsOptions) {
    this.learner = new ModelLearner({ ...o, errorHorizon: o.horizon });
  }

  /** Build the batch once the model is active; `base` holds the real-action rows and value targets. */
  protected abstract useModel(r: Rollout, ctx: EstimatorContext, base: EstimatorBatch, stats: Record<string, number>): EstimatorBatch;

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const base = this.single.prepare(r, ctx);
    const { active, stats } = this.learner.observe(r, ctx);
    if (!active) return { ...base, stats: { ...stats, model_active: 0 } };
    return this.useModel(r, ctx, base, { ...stats, model_active: 1 });
  }

  getState(): unknown {
    return this.learner.getState();
  }

  setState(s: unknown): void {
    this.learner.setState(s as Parameters<ModelLearner['setState']>[0]);
  }

  dispose(): void {
    this.learner.dispose();
  }
}
