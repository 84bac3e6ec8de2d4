/** Open a finished or running run directory at its last checkpoint (eval, variance). */
import { prepareEnv } from '../envs/registry.js';
import type { PpoConfig } from '../ppo/config.js';
import type { PpoTrainer } from '../ppo/trainer.js';
import { RunDir, type Checkpoint } from './run-dir.js';
import { createTrainer } from './train-run.js';
import { loadPlugins } from './plugins.js';

export interface LoadedRun {
  dir: string;
  config: PpoConfig;
  checkpoint: Checkpoint;
  /** The trainer restored to the checkpoint: agent weights, env/normaliser state, estimator state. */
  trainer: PpoTrainer;
}

/** `at`: load the snapshot kept at the first step ≥ at instead of the last checkpoint. */
/**
 * `engine`: the network engine to load the run on (checkpoints are engine-independent); by default
 * the run's own. Measurements pass 'auto' so that runs trained on tfjs are measured on the engine.
 */
export async function loadRun(dir: string, at?: number, engine?: PpoConfig['engine']): Promise<LoadedRun> {
  const run = new RunDir(dir);
  const checkpoint = run.loadCheckpoint(at);
  // the plug-ins that registered the run's env or estimator (config.json records them absolute)
  await loadPlugins(checkpoint.config.plugins ?? [], { origin: `recorded in ${run.configFile}` });
  await prepareEnv(checkpoint.config.envId);
  // no learner threads: nothing here runs PPO updates (eval, variance, analysis)
  const trainer = createTrainer({ ...checkpoint.config, learnerThreads: 1, vectorEnv: 'sync', ...(engine ? { engine } : {}) });
  trainer.setState(checkpoint.trainer);
  return { dir, config: checkpoint.config, checkpoint, trainer };
}

// moved below the run layer (analysis measures on it); re-exported for the run layer's callers
export { frozenEnvLike } from '../ppo/frozen-env.js';
