/** The estimator registry: names (and aliases) → factories. */
import { UsageError } from '../common/errors.js';
import { REGISTRY_NAME, registrationSource, setRegistrationSource } from '../common/registration.js';
import { actorCriticInfo } from './actor-critic.js';
import type { Estimator, EstimatorInfo } from './estimator.js';
import { meanActorCriticInfo } from './mean-actor-critic.js';
import { modelManyActionsInfo } from './model-many-actions.js';
import { modelRolloutsInfo } from './model-rollouts.js';
import { qManyActionsInfo } from './q-many-actions.js';
import { simulatorManyActionsInfo } from './simulator-many-actions.js';
import { singleInfo } from './single.js';
import { worldModelPgInfo } from './world-model-pg.js';

/** Every registered estimator, built-in ones first, then those of `registerEstimator` in registration order. */
export const ESTIMATORS: EstimatorInfo[] = [];
/** Who registered each name and alias ('built in', a plug-in's file, 'the program'). */
const registeredBy = new Map<string, string>();

/** What `registerEstimator` takes: an `EstimatorInfo` whose aliases, description and row count may be left out. */
export interface EstimatorRegistration {
  /** The name `--estimator` and config files use: letters, digits, `_ . / -`, no commas or spaces. */
  name: string;
  aliases?: string[];
  description?: string;
  /** Extra (state, action) rows per visited state, in words ("0", "N", …); default "?". */
  extraActionsPerState?: string;
  /** Builds the estimator from its options (`--estimator-options`); throw a `UsageError` for bad options. */
  create(options: Record<string, unknown>): Estimator;
}

/**
 * Add an estimator under a new name (and aliases). A name or alias that is already registered, or one
 * that is not a plain identifier, is a UsageError naming it and who registered it first.
 */
export function registerEstimator(r: EstimatorRegistration): EstimatorInfo {
  const where = registrationSource();
  if (r === null || typeof r !== 'object') throw new UsageError(`registerEstimator: expected an object {name, create, …}, got ${r === null ? 'null' : typeof r}`);
  const aliases = r.aliases ?? [];
  if (!Array.isArray(aliases)) throw new UsageError(`registerEstimator: 'aliases' of estimator '${String(r.name)}' must be an array of names, got ${typeof aliases}`);
  for (const n of [r.name, ...aliases]) {
    if (typeof n !== 'string' || !REGISTRY_NAME.test(n)) throw new UsageError(`registerEstimator: estimator name ${JSON.stringify(n)} is not valid: expected letters, digits and _ . / - (no commas or spaces)`);
    const by = registeredBy.get(n);
    if (by !== undefined) throw new UsageError(`estimator name '${n}' is already registered (${by === 'built in' ? 'built in' : `by ${by}`})`);
  }
  if (new Set([r.name, ...aliases]).size !== aliases.length + 1) throw new UsageError(`registerEstimator: estimator '${r.name}' repeats a name among its aliases`);
  if (typeof r.create !== 'function') throw new UsageError(`registerEstimator: estimator '${r.name}' needs a create(options) function, got ${typeof r.create}`);
  const create = r.create.bind(r);
  const info: EstimatorInfo = where === 'built in' && r.aliases && r.description && r.extraActionsPerState ? (r as EstimatorInfo) : {
    name: r.name,
    aliases: [...aliases],
    description: r.description ?? `estimator '${r.name}' (registered by ${where})`,
    extraActionsPerState: r.extraActionsPerState ?? '?',
    create(options) {
      const est = create(options);
      if (est === null || typeof est !== 'object' || typeof (est as Partial<Estimator>).prepare !== 'function') throw new UsageError(`estimator '${r.name}' (registered by ${where}): create() must return an object with a prepare(rollout, ctx) method, got ${est === null ? 'null' : typeof est}`);
      return est;
    },
  };
  for (const n of [r.name, ...aliases]) registeredBy.set(n, where);
  ESTIMATORS.push(info);
  return info;
}

{
  const before = setRegistrationSource('built in');
  for (const info of [singleInfo, qManyActionsInfo, modelManyActionsInfo, modelRolloutsInfo, simulatorManyActionsInfo, actorCriticInfo, meanActorCriticInfo, worldModelPgInfo]) registerEstimator(info);
  setRegistrationSource(before);
}

export function estimatorInfo(name: string): EstimatorInfo {
  const info = ESTIMATORS.find((e) => e.name === name || e.aliases.includes(name));
  if (!info) throw new UsageError(`unknown estimator '${name}'. Valid estimators: ${ESTIMATORS.map((e) => e.name).join(', ')}`);
  return info;
}

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
