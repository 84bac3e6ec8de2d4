/** Assemble the pieces of a run from a config: the vector env stack and the config itself. */
import { UsageError } from '../common/errors.js';
import { RunSeeds } from '../common/seeding.js';
import { envSpec, make } from '../envs/registry.js';
import { checkNetworkFits } from '../nets/actor-critic.js';
import { createSeededEstimator, estimatorInfo, recordedOptions } from '../estimators/index.js';
import { makeTrainingEnv } from '../envs/stack.js';
import { SyncVectorEnv, type VectorEnv } from '../envs/vector.js';
import { ASYNC_LAYOUT, AsyncVectorEnv, stackOptions } from '../envs/async-vector.js';
import { familyDefaults, resolveEngine, validateConfig, type PpoConfig } from '../ppo/config.js';
import { settingEstimatorOptions, settingName, settingValues } from './settings.js';

export { readConfigFile } from './config-file.js';

/**
 * config.vectorEnv 'sync': the sub-envs step in this thread; 'async': in a worker thread
 * (envs/async-vector.ts), with the same numbers. The env must be prepared (prepareEnv) first.
 */
export function buildVectorEnv(c: PpoConfig): VectorEnv {
  if (c.vectorEnv === 'async') {
    const stack = stackOptions(c);
    return new AsyncVectorEnv(Array.from({ length: c.numEnvs }, () => ({ envId: c.envId, stack })), { autoresetMode: 'same-step', ...ASYNC_LAYOUT });
  }
  const envs = Array.from({ length: c.numEnvs }, () => makeTrainingEnv(c.envId, c));
  return new SyncVectorEnv(envs, 'same-step');
}

export { ASYNC_LAYOUT };

/**
 * Later layers override earlier ones key by key, except that `hiddenSizes` ("both networks") given in
 * a layer without `actorHiddenSizes` / `criticHiddenSizes` drops the separate widths of earlier layers.
 */
function mergeLayers(layers: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (layer['hiddenSizes'] !== undefined) {
      if (layer['actorHiddenSizes'] === undefined) delete out['actorHiddenSizes'];
      if (layer['criticHiddenSizes'] === undefined) delete out['criticHiddenSizes'];
    }
    Object.assign(out, layer);
  }
  return out;
}

/**
 * Family defaults for the env → the setting's values (`setting`, experiment/settings.ts) → keys from
 * the config file → flags. The env id and the setting may come from the file or from a flag (the flag
 * wins). The setting's estimator options lie under the given `estimatorOptions` (the given keys win).
 */
export function resolveConfig(fileValues: Record<string, unknown>, flagValues: Partial<PpoConfig>, where = 'config'): PpoConfig {
  const envId = flagValues.envId ?? fileValues['envId'];
  if (typeof envId !== 'string') throw new UsageError('missing environment: pass --env ID (see `pgvar envs`)');
  const spec = envSpec(envId);
  const settingGiven = flagValues.setting ?? fileValues['setting'];
  const setting = settingGiven === undefined ? undefined : settingName(settingGiven, flagValues.setting !== undefined ? '--setting' : where);
  const merged = { ...mergeLayers([familyDefaults(spec.family), setting ? settingValues(setting, envId) : {}, fileValues, flagValues]), envId };
  const config = validateConfig(merged, where);
  config.engine = resolveEngine(config); // config.json records the engine the run trains on
  if (setting) config.estimatorOptions = { ...settingEstimatorOptions(setting, estimatorInfo(config.estimator).name), ...config.estimatorOptions };
  // estimator options are validated by the estimator itself, and so are the estimator's and the
  // network's fit to the env's spaces: fail now, not after the run directory exists
  // an estimator's learned parts (Q-networks, models) take their seed from the run seed unless one is given
  const estimator = createSeededEstimator(config.estimator, config.estimatorOptions, new RunSeeds(config.seed, config.seedScheme ?? 'offset-v0').of(`estimator/${config.estimator}`, 0));
  config.estimatorOptions = recordedOptions(estimator, config.estimatorOptions);
  try {
    if (estimator.checkSpaces || config.network !== 'mlp') {
      const env = make(envId);
      try {
        estimator.checkSpaces?.(env.observationSpace, env.actionSpace);
        if (config.network !== 'mlp') checkNetworkFits(config.network, env.observationSpace);
      } finally {
        env.close?.();
      }
    }
  } finally {
    estimator.dispose?.();
  }
  config.trackVarianceEstimators = config.trackVarianceEstimators.map((n) => estimatorInfo(n).name);
  return config;
}
