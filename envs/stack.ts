/**
 * The per-env wrapper stack PPO trains on, CleanRL's `make_env` made configurable:
 *   make(id) [NanGuard → TimeLimit] → ActionRepeat → RecordEpisodeStatistics → ClipAction → NormalizeObservation
 *   → clip obs ±c → NormalizeReward(γ) → clip reward ±c.
 * Each stage is on or off by configuration; classic control uses only RecordEpisodeStatistics.
 */
import type { Env } from './env.js';
import { make } from './registry.js';
import { ActionRepeat } from './wrappers/action-repeat.js';
import { ClipAction } from './wrappers/clip-action.js';
import { ClipObservation, ClipReward } from './wrappers/clip.js';
import { NormalizeObservation } from './wrappers/normalize-observation.js';
import { NormalizeReward } from './wrappers/normalize-reward.js';
import { RecordEpisodeStatistics } from './wrappers/record-episode-statistics.js';
import { Wrapper } from './env.js';

export interface EnvStackOptions {
  /** Repeat each action this many times (1 = off). */
  actionRepeat: number;
  clipAction: boolean;
  normalizeObservation: boolean;
  /** 0 disables the observation clip. */
  clipObservation: number;
  normalizeReward: boolean;
  /** 0 disables the reward clip. */
  clipReward: number;
  gamma: number;
}

export function makeTrainingEnv(id: string, o: EnvStackOptions): Env {
  let env: Env = make(id);
  if (o.actionRepeat > 1) env = new ActionRepeat(env, o.actionRepeat);
  env = new RecordEpisodeStatistics(env);
  if (o.clipAction && env.actionSpace.kind === 'box') env = new ClipAction(env);
  if (o.normalizeObservation) env = new NormalizeObservation(env);
  if (o.clipObservation > 0) env = new ClipObservation(env, o.clipObservation);
  if (o.normalizeReward) env = new NormalizeReward(env, o.gamma);
  if (o.clipReward > 0) env = new ClipReward(env, o.clipReward);
  return env;
}

/** All wrappers of a given class in a stack, outermost first. */
export function findWrappers<T>(env: Env, cls: abstract new (...args: never[]) => T): T[] {
  const out: T[] = [];
  let e: Env | undefined = env;
  while (e) {
    if (e instanceof cls) out.push(e as T);
    e = e instanceof Wrapper ? e.env : undefined;
  }
  return out;
}

/** Stop updating running statistics (evaluation, variance measurement at a fixed policy). */
export function freezeNormalizers(env: Env): void {
  for (const w of findWrappers(env, NormalizeObservation)) w.frozen = true;
  for (const w of findWrappers(env, NormalizeReward)) w.frozen = true;
}
