/**
 * The on-policy data stream the analysis measures on: the run's env stack with training env i's
 * normaliser statistics frozen, the checkpointed policy acting, and a warm-up (by default one
 * episode limit, else 1000 steps) so states come from the policy's on-policy distribution rather
 * than near resets.
 */
import { Rng } from '../common/rng.js';
import { RunSeeds } from '../common/seeding.js';
import { envSpec } from '../envs/registry.js';
import { SyncVectorEnv } from '../envs/vector.js';
import { frozenEnvLike } from '../ppo/frozen-env.js';
import type { PpoConfig } from '../ppo/config.js';
import { RolloutCollector } from '../ppo/rollout.js';
import type { PpoTrainer } from '../ppo/trainer.js';

/**
 * `groups` copies of the run's env set side by side (env j frozen like training env j mod numEnvs),
 * so one policy call serves groups × numEnvs envs and a rollout splits into `groups` independent
 * batches of the run's shape (ppo/rollout.ts splitRolloutByEnvs).
 */
/** Steps per env discarded before measuring: the given count, else the env's episode limit, else 1000. */
export function warmupStepsFor(envId: string, warmupSteps?: number): number {
  return warmupSteps ?? envSpec(envId).maxEpisodeSteps ?? 1000;
}

export function onPolicyStream(source: { config: PpoConfig; trainer: PpoTrainer }, seed: number, warmupSteps?: number, groups = 1): { venv: SyncVectorEnv; collector: RolloutCollector } {
  const { config, trainer } = source;
  const venv = new SyncVectorEnv(Array.from({ length: config.numEnvs * groups }, (_, j) => frozenEnvLike(source, j % config.numEnvs)), 'same-step');
  // streams derived from the measurement seed (hashed), so two measurement seeds share no env or action stream
  const seeds = new RunSeeds(seed);
  const { obs, infos } = venv.reset({ seed: seeds.envs(venv.numEnvs, 'analysis/env') });
  const collector = new RolloutCollector(venv, trainer.agent, new Rng(seeds.of('analysis/actions', seed + 1)), obs, infos);
  const warm = warmupStepsFor(config.envId, warmupSteps);
  if (warm > 0) collector.collect(warm, 0);
  return { venv, collector };
}
