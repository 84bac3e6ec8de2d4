/**
 * The per-env wrapper stack PPO trains on, CleanRL's `make_env` made configurable:
 *   make(id) [NanGuard → TimeLimit] → ActionRepeat → RecordEpisodeStatistics → ClipAction → [RecordRaw]
 *   → NormalizeObservation → clip obs ±c → NormalizeReward(γ) → clip reward ±c.
 * Each stage is on or off by configuration; classic control uses only RecordEpisodeStatistics.
 * RecordRaw (present when an observation or reward transform is) puts the untransformed observation
 * and reward in `info`; `agentTransform` maps such raw values as the stack would map them now.
 */
import type { Env } from './env.js';
import { make } from './registry.js';
import { ActionRepeat } from './wrappers/action-repeat.js';
import { ClipAction } from './wrappers/clip-action.js';
import { ClipObservation, ClipReward, clip } from './wrappers/clip.js';
import { NormalizeObservation } from './wrappers/normalize-observation.js';
import { NormalizeReward } from './wrappers/normalize-reward.js';
import { RecordEpisodeStatistics } from './wrappers/record-episode-statistics.js';
import { RecordRaw } from './wrappers/record-raw.js';
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
  const obsTransformed = o.normalizeObservation || o.clipObservation > 0;
  const rewardTransformed = o.normalizeReward || o.clipReward > 0;
  if (obsTransformed || rewardTransformed) env = new RecordRaw(env, obsTransformed, rewardTransformed);
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

/**
 * What the stack does to a raw observation and a raw reward with its normalisers' statistics as they
 * are now: (x − mean)/sqrt(var + ε) then the clip for observations, r/sqrt(var_G + ε) then the clip for
 * rewards (each stage only where the stack has it). A snapshot: statistics that move later do not
 * change a transform taken before.
 */
export interface AgentTransform {
  observations(raw: Float32Array, n: number): Float32Array;
  rewards(raw: Float32Array): Float32Array;
}

/** The stack's clip stage: none where the stack has no clip wrapper (c = 0). */
const clipTo = (v: number, c: number) => (c > 0 ? clip(v, c) : v);

export function agentTransform(env: Env): AgentTransform {
  const no = findWrappers(env, NormalizeObservation)[0];
  const co = findWrappers(env, ClipObservation)[0]?.bound ?? 0;
  const nr = findWrappers(env, NormalizeReward)[0];
  const cr = findWrappers(env, ClipReward)[0]?.bound ?? 0;
  const mean = no ? Float64Array.from(no.rms.mean) : null;
  const invStd = no ? Float64Array.from(no.rms.var, (v) => 1 / Math.sqrt(v + no.epsilon)) : null;
  const rewardScale = nr ? 1 / Math.sqrt(nr.rms.var[0]! + nr.epsilon) : 1;
  return {
    observations(raw, n) {
      if (!mean && co === 0) return raw;
      const D = raw.length / n;
      const out = new Float32Array(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const d = i % D;
        out[i] = clipTo(mean ? (raw[i]! - mean[d]!) * invStd![d]! : raw[i]!, co);
      }
      return out;
    },
    rewards(raw) {
      if (!nr && cr === 0) return raw;
      return raw.map((r) => clipTo(r * rewardScale, cr));
    },
  };
}

/** The bounds ClipAction clips executed actions to, or null when the stack executes actions as sampled. */
export function executedActionBounds(env: Env): { low: Float32Array; high: Float32Array } | null {
  const ca = findWrappers(env, ClipAction)[0];
  if (!ca) return null;
  const s = ca.env.actionSpace;
  return s.kind === 'box' ? { low: Float32Array.from(s.low), high: Float32Array.from(s.high) } : null;
}
