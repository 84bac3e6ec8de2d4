/** The env a trained policy is measured or evaluated on, below the run layer (analysis uses it). */
import type { Env } from '../envs/env.js';
import { freezeNormalizers, makeTrainingEnv } from '../envs/stack.js';
import type { PpoConfig } from './config.js';
import type { PpoTrainer } from './trainer.js';

/**
 * A single env with the run's wrapper stack and training env `index`'s normaliser statistics,
 * frozen, so the policy sees observations scaled exactly as in training.
 */
export function frozenEnvLike(run: { config: PpoConfig; trainer: PpoTrainer }, index = 0): Env {
  const env = makeTrainingEnv(run.config.envId, run.config);
  env.setState(run.trainer.venv.envStates()[index]);
  freezeNormalizers(env);
  return env;
}
