/** Assemble the pieces of a run from a config: the vector env stack and the config itself. */
import * as fs from 'node:fs';
import { UsageError } from '../common/errors.js';
import { RunSeeds } from '../common/seeding.js';
import { envSpec, make } from '../envs/registry.js';
import { checkNetworkFits } from '../nets/actor-critic.js';
import { createSeededEstimator, estimatorInfo, recordedOptions } from '../estimators/index.js';
import { makeTrainingEnv } from '../envs/stack.js';
import { SyncVectorEnv } from '../envs/vector.js';
import { familyDefaults, validateConfig, type PpoConfig } from '../ppo/config.js';

export function buildVectorEnv(c: PpoConfig): SyncVectorEnv {
  const envs = Array.from({ length: c.numEnvs }, () => makeTrainingEnv(c.envId, c));
  return new SyncVectorEnv(envs, 'same-step');
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--config ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--config ${file}: expected a JSON object of PPO settings, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  return parsed as Record<string, unknown>;
}

/**
 * Family defaults for the env → keys from the config file → flags. The env id may come from the
 * file or from a flag (the flag wins).
 */
export function resolveConfig(fileValues: Record<string, unknown>, flagValues: Partial<PpoConfig>, where = 'config'): PpoConfig {
  const envId = flagValues.envId ?? fileValues['envId'];
  if (typeof envId !== 'string') throw new UsageError('missing environment: pass --env ID (see `pgvar envs`)');
  const spec = envSpec(envId);
  const merged = { ...familyDefaults(spec.family), ...fileValues, ...flagValues, envId };
  const config = validateConfig(merged, where);
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
