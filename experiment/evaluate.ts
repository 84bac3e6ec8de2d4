/**
 * `pgvar eval`: run the checkpointed policy for N episodes on a fresh env (same wrapper stack,
 * normaliser statistics frozen at their training values). Returns are the environment's own
 * (recorded before reward normalisation).
 */
import { Rng } from '../common/rng.js';
import type { EpisodeStats } from '../envs/wrappers/record-episode-statistics.js';
import { frozenEnvLike, type LoadedRun } from './load-run.js';

export interface EvalResult {
  env: string;
  step: number;
  episodes: number;
  deterministic: boolean;
  seed: number;
  return_mean: number;
  return_std: number;
  length_mean: number;
  returns: number[];
  lengths: number[];
}

/** The evaluation summary of finished episodes (population std, as before). */
export function evalResult(env: string, step: number, deterministic: boolean, seed: number, returns: number[], lengths: number[]): EvalResult {
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  return {
    env,
    step,
    episodes: returns.length,
    deterministic,
    seed,
    return_mean: mean,
    return_std: std,
    length_mean: lengths.reduce((a, b) => a + b, 0) / lengths.length,
    returns,
    lengths,
  };
}

export function evaluate(run: LoadedRun, episodes: number, deterministic: boolean, seed: number): EvalResult {
  const env = frozenEnvLike(run);
  const agent = run.trainer.agent;
  const rng = new Rng(seed + 1);
  const returns: number[] = [];
  const lengths: number[] = [];
  let { obs } = env.reset({ seed });
  while (returns.length < episodes) {
    const a = agent.act(obs, 1, deterministic ? null : agent.sampleNoise(1, rng));
    const s = env.step(agent.kind === 'categorical' ? a.actions[0]! : a.actions);
    obs = s.obs;
    if (s.terminated || s.truncated) {
      const ep = s.info['episode'] as EpisodeStats;
      returns.push(ep.r);
      lengths.push(ep.l);
      obs = env.reset().obs;
    }
  }
  env.close?.();
  return evalResult(run.config.envId, run.trainer.globalStep, deterministic, seed, returns, lengths);
}
