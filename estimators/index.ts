/**
 * The estimator registry: names (and aliases) → factories. The names, `registerEstimator` and
 * `estimatorInfo` live in ./registry.ts (no implementations, no tfjs); this module imports every
 * built-in implementation, installs it there, and creates estimators.
 */
import { actorCriticInfo } from './actor-critic.js';
import type { Estimator } from './estimator.js';
import { meanActorCriticInfo } from './mean-actor-critic.js';
import { modelManyActionsInfo } from './model-many-actions.js';
import { modelRolloutsInfo } from './model-rollouts.js';
import { qManyActionsInfo } from './q-many-actions.js';
import { estimatorInfo, installBuiltinEstimators } from './registry.js';
import { simulatorManyActionsInfo } from './simulator-many-actions.js';
import { singleInfo } from './single.js';
import { worldModelPgInfo } from './world-model-pg.js';

installBuiltinEstimators([singleInfo, qManyActionsInfo, modelManyActionsInfo, modelRolloutsInfo, simulatorManyActionsInfo, actorCriticInfo, meanActorCriticInfo, worldModelPgInfo]);

export { BUILTIN_ESTIMATORS, ESTIMATORS, estimatorInfo, registerEstimator, type EstimatorRegistration } from './registry.js';

export function createEstimator(name: string, options: Record<string, unknown> = {}): Estimator {
  return estimatorInfo(name).create(options);
}

/** Whether an estimator has learned parts seeded by its `seed` option (qma, daa, mbpo, mac, wmpg). */
export function hasSeedOption(estimator: Estimator): boolean {
  return 'seed' in (estimator.resolvedOptions?.() ?? {});
}

/**
 * The estimator with its learned parts seeded by `seed` unless the options name one: runs and
 * measurements derive it from their own seed, so different seeds never share an initialisation.
 */
export function createSeededEstimator(name: string, options: Record<string, unknown>, seed: number): Estimator {
  const est = createEstimator(name, options);
  if (options['seed'] !== undefined || !hasSeedOption(est)) return est;
  est.dispose?.();
  return createEstimator(name, { ...options, seed });
}

/**
 * The options a run records in config.json: every set value after defaults and presets (the preset's
 * name kept; unset options such as ac's lambda left out), or the given ones for an estimator without
 * options. Re-creating the estimator from them gives the same estimator.
 */
export function recordedOptions(estimator: Estimator, given: Record<string, unknown>): Record<string, unknown> {
  const all = estimator.resolvedOptions?.();
  if (!all) return given;
  const set = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== null && v !== undefined));
  return { ...(given['preset'] !== undefined ? { preset: given['preset'] } : {}), ...set };
}

export type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo, PolicySamples, ValueTargets } from './estimator.js';
