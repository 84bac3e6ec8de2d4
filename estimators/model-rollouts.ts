/**
 * `mbpo`: the model-rollout baseline of the MBMA paper (an on-policy adaptation of MBPO; spec
 * estimators.md §1.9). Same learned model and training as `daa`, but the model supplies new *states*:
 * from each real state one imagined trajectory of horizon h = min(H, N_raw + 2) is rolled out under
 * the policy (as the released mbpo.py:120–128: N_raw is the annealed N before its cap at
 * `action_samples`; H itself is not annealed), and the imagined (ŝ_k, â_k) for k = 1 … min(N_cur, h − 1)
 * are added to the PPO batch with their λ-advantages (GAE over the rest of the imagined segment,
 * critic-bootstrapped), so gradients are taken at model states. Every row has weight 1 (the code's
 * plain mean over real and imagined samples), except that on tasks that can terminate an imagined
 * state counts by the model's probability that the branch is still running there; the value loss uses
 * the real states only.
 */
import type { Rollout } from '../ppo/rollout.js';
import { imagine } from '../worldmodels/imagination.js';
import type { EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { LearnedModelEstimator } from './learned-model-estimator.js';
import { meanOf, parseModelManyActionsOptions } from './model-many-actions.js';
import { BUILTIN_ESTIMATORS } from './registry.js';

export class ModelRolloutsEstimator extends LearnedModelEstimator {
  readonly name = 'mbpo';

  /**
   * This iteration's imagination horizon h = min(H, N_raw + 2), N_raw the annealed N before its cap
   * (the released mbpo.py:120–128), and imagined states per real state min(N_cur, h − 1): the states
   * at imagined steps 1 … h − 1 are the ones a rollout of h steps has.
   */
  private rolloutShape(ctx: EstimatorContext): { horizon: number; imagined: number } {
    const N = this.learner.annealed(this.o.actions, 1, ctx);
    const horizon = Math.min(this.o.horizon, this.learner.annealed(this.o.actions, 1, ctx, false) + 2);
    return { horizon, imagined: Math.min(N, horizon - 1) };
  }

  protected useModel(r: Rollout, ctx: EstimatorContext, base: EstimatorBatch, stats: Record<string, number>): EstimatorBatch {
    const { horizon, imagined: X } = this.rolloutShape(ctx);
    const S = base.numStates;
    const D = r.obsDim;
    const A = r.actionDim;
    const first = ctx.agent.act(r.obs, S, ctx.agent.sampleNoise(S, ctx.rng));
    const io = this.imaginationIo(r, ctx, S, (b) => b);
    const im = imagine(this.learner.model!, ctx.agent, r.obs, first.actions, S, { horizon, gamma: ctx.gamma, lambda: ctx.gaeLambda, rng: ctx.rng, actionTransform: this.learner.clip, ...io });
    const rows = S * (X + 1);
    const p = {
      obs: new Float32Array(rows * D),
      actions: new Float32Array(rows * A),
      oldLogProbs: new Float32Array(rows),
      advantages: new Float32Array(rows),
      weights: new Float32Array(rows).fill(1),
      stateIndex: new Int32Array(rows),
    };
    for (let s = 0; s < S; s++) {
      const row0 = s * (X + 1);
      p.obs.set(r.obs.subarray(s * D, (s + 1) * D), row0 * D);
      p.actions.set(base.policy.actions.subarray(s * A, (s + 1) * A), row0 * A);
      p.oldLogProbs[row0] = base.policy.oldLogProbs[s]!;
      p.advantages[row0] = base.policy.advantages[s]!;
      p.stateIndex[row0] = s;
      for (let k = 1; k <= X; k++) {
        const row = row0 + k;
        p.obs.set(im.observations[k]!.subarray(s * D, (s + 1) * D), row * D);
        p.actions.set(im.actions[k]!.subarray(s * A, (s + 1) * A), row * A);
        p.oldLogProbs[row] = im.logProbs[k]![s]!;
        p.advantages[row] = im.stepAdvantages[k]![s]!;
        // an imagined state counts by the probability that the branch is still running there
        p.weights[row] = im.alive[k]![s]!;
        p.stateIndex[row] = s;
      }
    }
    return { numStates: S, policy: p, value: base.value, stats: { ...stats, imagined_states: X, horizon, imagined_alive_end: meanOf(im.alive[X]!) } };
  }
}

export const modelRolloutsInfo: EstimatorInfo = {
  ...BUILTIN_ESTIMATORS.mbpo,
  create: (options) => new ModelRolloutsEstimator(parseModelManyActionsOptions(options, 'mbpo')),
};
