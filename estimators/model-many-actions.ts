/**
 * `daa` (alias `mbma`): many-actions policy gradient with a learned dynamics model (Nauman & Cygan,
 * ICML 2023; spec estimators.md §1.7–1.8). Per PPO iteration:
 * 1. GAE advantages for the real actions (the `single` estimator);
 * 2. the real transitions go to a replay buffer; once `warmupSteps` env steps have been seen, the
 *    transition and reward MLPs take `modelUpdates` Adam steps (the first time × `firstTrainMultiplier`);
 * 3. N_cur extra actions per visited state are drawn from π_old and valued by imagination rollouts of
 *    H_cur model steps (critic-bootstrapped GAE over the imagined segment, no termination), with
 *    N and H annealed over the first `annealFraction` of training as in the released code:
 *    N_cur = min(N, ⌊w·N/(f·U)⌋ + 1), H_cur = min(H, ⌊w·H/(f·U)⌋ + 2), w = iterations the model has
 *    been trained on, this one included (1 at the first, as the released `wm_step`), U = total
 *    iterations; the analysis (`progress.fullStrength`) uses N and H;
 * 4. policy rows: real + extra actions with equal weights 1/(N_cur + 1); value loss on real states only.
 * Reported per iteration: the model's one-step observation/reward MSE on the new (not yet trained on)
 * transitions and its H-step open-loop observation MSE along the real trajectory.
 *
 * Presets: `paper` = table C.5 (N 8, H 10, hidden 1024, buffer 25 000, 320 updates, Adam eps 1e-5);
 * `code` = the released code's deviations (H 8, buffer 200 000, 640 updates, Adam eps 1e-8,
 * warm-up 40 000 steps with an 8× first training); `cpu` (default) = narrower nets (256) and 100
 * updates per iteration so it runs on 2 cores. Individual options override the preset.
 */
import { UsageError } from '../common/errors.js';
import { z } from 'zod';
import { fraction, flag, nonNegativeInt, parseOptions, positiveInt, positiveNumber, widths, type OptionSpec } from './options.js';
import type { Rollout } from '../ppo/rollout.js';
import { imagine } from '../worldmodels/imagination.js';
import type { ModelLearnerOptions } from '../worldmodels/model-learner.js';
import type { EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { LearnedModelEstimator } from './learned-model-estimator.js';
import { manyActionsBatch, repeatObservations } from './many-actions-rows.js';
import { BUILTIN_ESTIMATORS } from './registry.js';

export interface ModelManyActionsOptions extends Omit<ModelLearnerOptions, 'errorHorizon'> {
  /** MBMA: extra actions per state; MBPO: imagined states per real state (the paper's N). */
  actions: number;
  horizon: number;
}

export const MBMA_PRESETS: Record<'paper' | 'code' | 'cpu', ModelManyActionsOptions> = {
  paper: { actions: 8, horizon: 10, annealFraction: 0.15, warmupSteps: 0, firstTrainMultiplier: 1, modelUpdates: 320, modelBatch: 128, bufferSize: 25_000, hidden: [1024, 1024], predictDelta: false, ensemble: 1, lr: 3e-4, adamEps: 1e-5, actionClip: 'env', termination: 'auto', seed: 0 },
  code: { actions: 8, horizon: 8, annealFraction: 0.15, warmupSteps: 40_000, firstTrainMultiplier: 8, modelUpdates: 640, modelBatch: 128, bufferSize: 200_000, hidden: [1024, 1024], predictDelta: false, ensemble: 1, lr: 3e-4, adamEps: 1e-8, actionClip: 'env', termination: 'auto', seed: 0 },
  cpu: { actions: 8, horizon: 10, annealFraction: 0.15, warmupSteps: 10_000, firstTrainMultiplier: 4, modelUpdates: 100, modelBatch: 128, bufferSize: 25_000, hidden: [256, 256], predictDelta: false, ensemble: 1, lr: 3e-4, adamEps: 1e-5, actionClip: 'env', termination: 'auto', seed: 0 },
};

export class ModelManyActionsEstimator extends LearnedModelEstimator {
  readonly name = 'daa';

  protected useModel(r: Rollout, ctx: EstimatorContext, base: EstimatorBatch, stats: Record<string, number>): EstimatorBatch {
    const X = this.learner.annealed(this.o.actions, 1, ctx);
    const H = this.learner.annealed(this.o.horizon, 2, ctx);
    const S = base.numStates;
    const obsRep = repeatObservations(r, S, X);
    const first = ctx.agent.act(obsRep, S * X, ctx.agent.sampleNoise(S * X, ctx.rng));
    const io = this.imaginationIo(r, ctx, S * X, (b) => Math.floor(b / X));
    const im = imagine(this.learner.model!, ctx.agent, obsRep, first.actions, S * X, { horizon: H, gamma: ctx.gamma, lambda: ctx.gaeLambda, rng: ctx.rng, actionTransform: this.learner.clip, ...io });
    return manyActionsBatch(r, base, { actions: first.actions, logProbs: first.logProbs, advantages: im.advantages }, X, { ...stats, extra_actions: X, horizon: H, imagined_alive_end: meanOf(im.alive[H - 1]!) });
  }
}

/** Mean of an array (a diagnostic). */
export function meanOf(a: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i]!;
  return a.length ? m / a.length : NaN;
}

const MODEL_OPTION_SPEC: OptionSpec = {
  actions: positiveInt,
  horizon: positiveInt,
  annealFraction: fraction,
  warmupSteps: nonNegativeInt,
  firstTrainMultiplier: positiveInt,
  modelUpdates: nonNegativeInt,
  modelBatch: positiveInt,
  bufferSize: positiveInt,
  hidden: widths,
  predictDelta: flag,
  ensemble: positiveInt,
  lr: positiveNumber,
  adamEps: positiveNumber,
  actionClip: [z.union([z.literal('env'), z.number().min(0)]), "'env' (the env's own action bounds) or a non-negative number (±c; 0 = unclipped)"],
  termination: [z.enum(['auto', 'on', 'off']), "'auto', 'on' or 'off'"],
  seed: nonNegativeInt,
};

export function parseModelManyActionsOptions(options: Record<string, unknown>, estimator = 'daa'): ModelManyActionsOptions {
  const presetName = (options['preset'] ?? 'cpu') as string;
  if (!(presetName in MBMA_PRESETS)) throw new UsageError(`estimator '${estimator}': preset must be one of ${Object.keys(MBMA_PRESETS).join(', ')}, got '${presetName}'`);
  return parseOptions(estimator, MODEL_OPTION_SPEC, MBMA_PRESETS[presetName as keyof typeof MBMA_PRESETS], options, ['preset']);
}

export const modelManyActionsInfo: EstimatorInfo = {
  ...BUILTIN_ESTIMATORS.daa,
  create: (options) => new ModelManyActionsEstimator(parseModelManyActionsOptions(options)),
};
