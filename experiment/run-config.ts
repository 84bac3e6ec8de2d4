/**
 * The two kinds of run behind `pgvar train`, told apart by `algo`: PPO (ppo/config.ts, `algo: 'ppo'`)
 * and the off-policy agents (offpolicy/config.ts, `algo` one of OFF_POLICY_ALGOS). `RunConfig` is their
 * discriminated union; config.json files written before off-policy runs existed always hold
 * `algo: 'ppo'`, and a file without `algo` is read as PPO too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../common/errors.js';
import { OFF_POLICY_ALGOS, type OffPolicyConfig } from '../offpolicy/config.js';
import { isOffPolicyAlgo } from '../offpolicy/agents.js';
import type { PpoConfig } from '../ppo/config.js';

export type RunConfig = PpoConfig | OffPolicyConfig;
export type RunKind = 'ppo' | 'offpolicy';

/** Every value `algo` may take. */
export const ALGOS = ['ppo', ...OFF_POLICY_ALGOS] as const;
export type Algo = (typeof ALGOS)[number];

export function isOffPolicyConfig(c: { algo?: unknown }): c is OffPolicyConfig {
  return typeof c.algo === 'string' && isOffPolicyAlgo(c.algo);
}

/** The kind of run an `algo` value selects (absent: PPO); a UsageError naming the valid ones otherwise. */
export function runKindOf(algo: unknown, where = 'config'): RunKind {
  if (algo === undefined || algo === 'ppo') return 'ppo';
  if (typeof algo === 'string' && isOffPolicyAlgo(algo)) return 'offpolicy';
  throw new UsageError(`${where}: unknown algo ${JSON.stringify(algo)}; valid: ${ALGOS.join(', ')}`);
}

/** A run directory's config.json as the union (PPO when `algo` is absent). */
export function readRunConfig(dir: string): RunConfig {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) throw new UsageError(`${dir} is not a pgvar run directory (no config.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: not readable JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${file}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  return runKindOf(o['algo'], file) === 'ppo' ? ({ ...o, algo: 'ppo' } as PpoConfig) : (o as OffPolicyConfig);
}

/**
 * The kind of the run in `dir`, from its config.json; 'ppo' when the directory or the file is missing
 * (the PPO path then reports what is wrong, as it always has).
 */
export function runKindOfDir(dir: string): RunKind {
  if (!fs.existsSync(path.join(dir, 'config.json'))) return 'ppo';
  return isOffPolicyConfig(readRunConfig(dir)) ? 'offpolicy' : 'ppo';
}
