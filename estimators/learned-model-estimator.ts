/**
 * What the learned-model estimators (`daa`, `mbpo`) share: the real-action GAE rows, a ModelLearner
 * (replay buffer, dynamics model, training schedule, annealing) and the checkpoint plumbing. Each
 * subclass decides only how the model is used.
 */
import type { Rollout } from '../ppo/rollout.js';
import type { ImagineOptions } from '../worldmodels/imagination.js';
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
    // the model keeps raw observations and rewards and normalises them itself (issue 15 item 3)
    this.learner = new ModelLearner({ ...o, errorHorizon: o.horizon, space: 'raw' });
  }

  /**
   * How imagination talks to the model for branches whose real states are rows `stateOf(b)` of the
   * rollout: the branch starts in the model's coordinates, and the maps from model observations and
   * rewards into what the agent sees now (each branch through the normalisers of the sub-env its
   * state came from). A model restored from a checkpoint made before raw storage works in the agent's
   * coordinates and needs no map.
   */
  protected imaginationIo(r: Rollout, ctx: EstimatorContext, n: number, stateOf: (b: number) => number): Pick<ImagineOptions, 'modelObs0' | 'toAgentObs' | 'toAgentReward' | 'source' | 'step'> {
    const named = { source: `the dynamics model of '${this.name}'`, step: ctx.progress.globalStep };
    if (this.learner.semantics?.space !== 'raw') return named;
    const D = r.obsDim;
    const modelObs0 = new Float32Array(n * D);
    for (let b = 0; b < n; b++) {
      const s = stateOf(b);
      modelObs0.set(r.raw.obs.subarray(s * D, (s + 1) * D), b * D);
    }
    const envOf = (b: number) => stateOf(b) % r.numEnvs;
    const sc = ctx.agentScaling;
    return {
      ...named,
      modelObs0,
      toAgentObs: sc ? (obs) => sc.observations(obs, n, envOf) : undefined,
      toAgentReward: sc ? (rew) => sc.rewards(rew, envOf) : undefined,
    };
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
