/**
 * An off-policy run's config from the agent defaults, a config file's keys and flags, checked against
 * the env. Apart from experiment/offpolicy-run.ts (which re-exports it) so that `train --print-config`
 * and config errors do not load the learner and tfjs.
 */
import { UsageError } from '../common/errors.js';
import { envSpec, make, prepareEnv } from '../envs/registry.js';
import type { BoxSpace } from '../envs/spaces.js';
import { agentConfig } from '../offpolicy/agents.js';
import { taskIds, type OffPolicyConfig } from '../offpolicy/config.js';

/**
 * Agent defaults (offpolicy/agents.ts) → keys of the config file → flags; the env — every task of a
 * multi-task agent's comma list — must exist and have Box actions and vector observations.
 */
export async function resolveOffPolicyConfig(fileValues: Record<string, unknown>, flagValues: Record<string, unknown>, where = 'config'): Promise<OffPolicyConfig> {
  const envId = flagValues['envId'] ?? fileValues['envId'];
  if (typeof envId !== 'string') throw new UsageError('missing environment: pass --env ID (see `pgvar envs`)');
  const tasks = taskIds(envId);
  for (const id of tasks) {
    try {
      envSpec(id); // an unknown id fails here, with the list of valid ones
    } catch (e) {
      if (tasks.length > 1 && e instanceof UsageError) throw new UsageError(`unknown task '${id}' in --env ${envId}: expected env ids (see \`pgvar envs\`); ${e.message}`);
      throw e;
    }
  }
  const algo = flagValues['algo'] ?? fileValues['algo'];
  const config = agentConfig(String(algo), envId, { ...fileValues, ...flagValues }, where);
  for (const id of tasks) {
    await prepareEnv(id);
    const env = make(id);
    try {
      if (env.actionSpace.kind !== 'box') throw new UsageError(`${config.algo} needs a continuous (Box) action space; ${id} has a discrete one`);
      if (env.observationSpace.kind !== 'box' || (env.observationSpace as BoxSpace).shape.length !== 1) throw new UsageError(`${config.algo} needs flat vector observations; ${id} does not have them`);
    } finally {
      env.close?.();
    }
  }
  return config;
}
