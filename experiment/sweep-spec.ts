/**
 * A sweep: seeds × estimators (PPO) or agents (off-policy algorithms) × envs × an option grid, each
 * combination an ordinary run directory under the sweep's root. This module reads and checks the
 * sweep's specification (a JSON file and flags) and expands it into runs with their resolved configs,
 * resolved exactly as `pgvar train` resolves its flags, so a sweep's run equals the `train` command
 * that its `command` field spells out.
 *
 * ```json
 * { "envs": ["CartPole-v1", "Acrobot-v1"], "estimators": ["single", "mc"], "seeds": [1, 2, 3],
 *   "config": { "totalTimesteps": 50000 }, "grid": { "learningRate": [0.00025, 0.001] } }
 * ```
 */
import * as path from 'node:path';
import { UsageError } from '../common/errors.js';
import { envSpec } from '../envs/registry.js';
import { estimatorInfo } from '../estimators/registry.js';
import { resolveConfig } from './build.js';
import { resolveOffPolicyConfig } from './offpolicy-config.js';
import { ALGOS, type RunConfig } from './run-config.js';

export interface SweepSpec {
  /** Environment ids (`pgvar envs`). */
  envs: string[];
  /** Algorithms: 'ppo' (default) and off-policy agents (`pgvar agents`). */
  algos: string[];
  /** PPO estimators (ignored by off-policy algorithms). Default: ['single']. */
  estimators: string[];
  seeds: number[];
  /** Config keys shared by every run (camelCase, as in config.json / `train --config`). */
  config: Record<string, unknown>;
  /** Config keys per algorithm ('ppo', 'sac', …), over `config`. */
  byAlgo: Record<string, Record<string, unknown>>;
  /** Config keys with lists of values: every combination is run. */
  grid: Record<string, unknown[]>;
  /** Plug-in modules (absolute paths once resolved). */
  plugins: string[];
}

/** One run of a sweep. */
export interface SweepRun {
  /** Its directory relative to the sweep root, which is also its id: `<env>/<estimator or algo>[/<grid>]/seed<k>`. */
  id: string;
  kind: 'ppo' | 'offpolicy';
  envId: string;
  algo: string;
  estimator: string | null;
  seed: number;
  /** This run's values of the grid's keys. */
  grid: Record<string, unknown>;
  config: RunConfig;
}

const SPEC_KEYS = ['envs', 'algos', 'estimators', 'seeds', 'config', 'byAlgo', 'grid', 'plugins'] as const;
/** Keys a sweep sets per run: the spec's dimensions, never `config` or `grid` keys. */
const DIMENSION_KEYS = new Set(['envId', 'algo', 'estimator', 'seed']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(v: unknown, name: string, where: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.trim() !== '')) throw new UsageError(`${where}: '${name}' must be a non-empty list of names, got ${JSON.stringify(v)}`);
  const list = v.map((x: string) => x.trim());
  const dup = list.find((x, i) => list.indexOf(x) !== i);
  if (dup !== undefined) throw new UsageError(`${where}: '${name}' lists '${dup}' twice`);
  return list;
}

/** Seeds as a list of integers ≥ 0; the flag form also takes ranges: `1-3` or `1,2,5-7`. */
export function parseSeeds(v: unknown, where: string): number[] {
  let seeds: number[];
  if (typeof v === 'string') {
    seeds = [];
    for (const part of v.split(',').map((s) => s.trim())) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) throw new UsageError(`${where}: seeds must be integers ≥ 0 or ranges such as 1-3, got '${v}'`);
      for (let s = Number(m[1]); s <= Number(m[2] ?? m[1]); s++) seeds.push(s);
    }
  } else if (Array.isArray(v) && v.length > 0 && v.every((s) => Number.isSafeInteger(s) && (s as number) >= 0)) seeds = v as number[];
  else throw new UsageError(`${where}: 'seeds' must be a non-empty list of integers ≥ 0, got ${JSON.stringify(v)}`);
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new UsageError(`${where}: seed ${dup} is listed twice`);
  return seeds;
}

function configObject(v: unknown, name: string, where: string): Record<string, unknown> {
  if (!isObject(v)) throw new UsageError(`${where}: '${name}' must be an object of config keys, got ${JSON.stringify(v)}`);
  const dim = Object.keys(v).find((k) => DIMENSION_KEYS.has(k));
  if (dim) throw new UsageError(`${where}: '${name}' sets '${dim}', which is a sweep dimension: use 'envs', 'algos', 'estimators' or 'seeds'`);
  return v;
}

/**
 * Checks a sweep specification (a parsed JSON file, flags already merged over it) and fills in the
 * defaults. Plug-in paths are made absolute from `baseDir` (the spec file's folder, or the cwd).
 */
export function normalizeSpec(raw: Record<string, unknown>, where: string, baseDir = process.cwd()): SweepSpec {
  const unknown = Object.keys(raw).filter((k) => !(SPEC_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new UsageError(`${where}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; a sweep has ${SPEC_KEYS.join(', ')}`);
  if (raw['envs'] === undefined) throw new UsageError(`${where}: no environments: give 'envs' (or --envs ID,ID)`);
  const envs = stringList(raw['envs'], 'envs', where);
  envs.forEach((e) => envSpec(e));
  const algos = raw['algos'] === undefined ? ['ppo'] : stringList(raw['algos'], 'algos', where);
  for (const a of algos) if (!(ALGOS as readonly string[]).includes(a)) throw new UsageError(`${where}: unknown algorithm '${a}'; expected one of ${ALGOS.join(', ')}`);
  const estimators = raw['estimators'] === undefined ? ['single'] : stringList(raw['estimators'], 'estimators', where).map((e) => estimatorInfo(e).name);
  const dupEst = estimators.find((e, i) => estimators.indexOf(e) !== i);
  if (dupEst) throw new UsageError(`${where}: estimator '${dupEst}' is listed twice (under an alias)`);
  if (raw['estimators'] !== undefined && !algos.includes('ppo')) throw new UsageError(`${where}: 'estimators' apply to PPO runs, and 'algos' (${algos.join(', ')}) has no 'ppo'`);
  const seeds = raw['seeds'] === undefined ? [1] : parseSeeds(raw['seeds'], where);
  const config = raw['config'] === undefined ? {} : configObject(raw['config'], 'config', where);
  const byAlgoRaw = raw['byAlgo'] === undefined ? {} : raw['byAlgo'];
  if (!isObject(byAlgoRaw)) throw new UsageError(`${where}: 'byAlgo' must map algorithm names to config objects, got ${JSON.stringify(byAlgoRaw)}`);
  const byAlgo: Record<string, Record<string, unknown>> = {};
  for (const [a, v] of Object.entries(byAlgoRaw)) {
    if (!algos.includes(a)) throw new UsageError(`${where}: 'byAlgo' has '${a}', which is not among the sweep's algos (${algos.join(', ')})`);
    byAlgo[a] = configObject(v, `byAlgo.${a}`, where);
  }
  const gridRaw = raw['grid'] === undefined ? {} : configObject(raw['grid'], 'grid', where);
  const grid: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(gridRaw)) {
    if (!Array.isArray(v) || v.length === 0) throw new UsageError(`${where}: grid key '${k}' must list its values, got ${JSON.stringify(v)}`);
    const texts = v.map((x) => JSON.stringify(x));
    const dup = texts.find((x, i) => texts.indexOf(x) !== i);
    if (dup) throw new UsageError(`${where}: grid key '${k}' lists ${dup} twice`);
    grid[k] = v;
  }
  const plugins = raw['plugins'] === undefined ? [] : stringList(raw['plugins'], 'plugins', where).map((p) => path.resolve(baseDir, p));
  return { envs, algos, estimators, seeds, config, byAlgo, grid, plugins };
}

/** Every combination of the grid's values, in the order the keys and values were given. */
export function gridPoints(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(grid)) points = points.flatMap((p) => values.map((v) => ({ ...p, [k]: v })));
  return points;
}

/** A path segment naming a value: safe on every file system, readable (`learningRate=0.001`). */
function segment(text: string): string {
  return text.replace(/[^\w.=,+-]+/g, '-').replace(/^-+|-+$/g, '') || '-';
}

function gridSegment(point: Record<string, unknown>): string | null {
  const keys = Object.keys(point);
  if (!keys.length) return null;
  return segment(keys.map((k) => `${k}=${typeof point[k] === 'string' ? point[k] : JSON.stringify(point[k])}`).join(','));
}

/**
 * The sweep's runs in a fixed order (env, algorithm and estimator, grid point, seed), each with its
 * config resolved as `pgvar train` would: family or agent defaults → `config` → `byAlgo[algo]` →
 * the grid point → the run's env, estimator and seed.
 */
export async function expandSweep(spec: SweepSpec, where = 'sweep'): Promise<SweepRun[]> {
  const runs: SweepRun[] = [];
  const points = gridPoints(spec.grid);
  for (const envId of spec.envs) {
    for (const algo of spec.algos) {
      const ppo = algo === 'ppo';
      for (const estimator of ppo ? spec.estimators : [null]) {
        for (const point of points) {
          for (const seed of spec.seeds) {
            const file = { ...spec.config, ...(spec.byAlgo[algo] ?? {}), ...point };
            const label = `${where}: ${envId} ${estimator ?? algo}${Object.keys(point).length ? ` ${gridSegment(point)}` : ''} seed ${seed}`;
            let config: RunConfig;
            if (ppo) {
              config = resolveConfig(file, { envId, estimator: estimator!, seed, algo: 'ppo' }, label);
              if (spec.plugins.length) config.plugins = spec.plugins;
            } else {
              config = await resolveOffPolicyConfig({ ...file, algo }, { envId, seed }, label);
              if (spec.plugins.length) config.plugins = spec.plugins;
            }
            const id = [segment(envId), segment(estimator ?? algo), gridSegment(point), `seed${seed}`].filter((s): s is string => s !== null).join('/');
            runs.push({ id, kind: ppo ? 'ppo' : 'offpolicy', envId, algo, estimator, seed, grid: point, config });
          }
        }
      }
    }
  }
  const ids = runs.map((r) => r.id);
  const clash = ids.find((x, i) => ids.indexOf(x) !== i);
  if (clash) throw new UsageError(`${where}: two runs would share the directory '${clash}' (grid values that differ only in characters a path cannot hold); rename the values`);
  return runs;
}
