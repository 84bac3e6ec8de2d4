/**
 * `checkEnv`: Gymnasium's `check_env` for pgvar's Env contract (envs/env.ts). Each check gives one
 * line; a check that fails says what was found and what was expected:
 *  - spaces:      observation and action spaces well-formed (kind, shape, bounds low ≤ high, dtype, n);
 *  - reset:       `reset({seed})` returns {obs, info}; obs a Float32Array of the space's flat size,
 *                 finite, inside the observation space (uint8 Boxes: integers); info a plain object;
 *  - step:        `step(a)` for actions sampled from the action space returns {obs, reward, terminated,
 *                 truncated, info} with those types, obs as for reset, reward a finite number;
 *  - determinism: the same seed gives the same first observation and the same transitions, twice on
 *                 the env and on a fresh instance when a factory is given;
 *  - snapshot:    `getState()` is plain JSON and `setState()` of it, on the env and on a fresh instance,
 *                 reproduces the transitions that followed the snapshot (skipped when the env has no
 *                 getState/setState).
 * Envs layer: it knows no learner.
 */
import { Rng } from '../common/rng.js';
import { Wrapper, type Action, type Env, type StepResult } from './env.js';
import { flatSize, sample, type Space } from './spaces.js';

export interface EnvCheck {
  name: 'spaces' | 'reset' | 'step' | 'determinism' | 'snapshot';
  status: 'ok' | 'failed' | 'skipped';
  /** One line: what was checked, or what is wrong and what was expected. */
  message: string;
}

export interface CheckEnvResult {
  id: string;
  ok: boolean;
  checks: EnvCheck[];
}

export interface CheckEnvOptions {
  /** Seed of the resets (default 0). */
  seed?: number;
  /** Random-action steps of the step check (episodes are reset when they end; default 200). */
  steps?: number;
  /** Transitions compared by the determinism and snapshot checks (default 20). */
  compareSteps?: number;
  /** Makes a fresh instance of the same env: determinism and restore are also checked across instances. */
  factory?: () => Env;
}

class CheckFailed extends Error {}

const fail = (msg: string): never => {
  throw new CheckFailed(msg);
};

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return typeof x === 'string' ? `the string ${JSON.stringify(x)}` : `${typeof x} ${String(x)}`;
}

function checkSpace(space: unknown, what: string): void {
  const s = space as Partial<Record<string, unknown>> | null;
  if (s === null || typeof s !== 'object') fail(`${what} is ${describe(s)}, expected a Box or Discrete space (envs/spaces.ts box()/discrete())`);
  if (s!['kind'] === 'discrete') {
    const { n, start } = s as { n: unknown; start: unknown };
    if (!(Number.isInteger(n) && (n as number) > 0)) fail(`${what} Discrete n = ${String(n)}, expected a positive integer`);
    if (!Number.isInteger(start)) fail(`${what} Discrete start = ${String(start)}, expected an integer`);
    return;
  }
  if (s!['kind'] !== 'box') fail(`${what} has kind ${JSON.stringify(s!['kind'])}, expected 'box' or 'discrete'`);
  const { shape, low, high, dtype } = s as { shape: unknown; low: unknown; high: unknown; dtype: unknown };
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) fail(`${what} Box shape ${JSON.stringify(shape)}, expected a non-empty array of positive integers`);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  for (const [name, b] of [['low', low], ['high', high]] as const) {
    if (!(b instanceof Float64Array) || b.length !== size) fail(`${what} Box ${name} is ${describe(b)} of length ${(b as { length?: number })?.length}, expected a Float64Array of ${size} (the shape's size)`);
    const nan = Array.from(b as Float64Array).findIndex((v) => Number.isNaN(v));
    if (nan >= 0) fail(`${what} Box ${name}[${nan}] is NaN`);
  }
  const bad = Array.from(low as Float64Array).findIndex((v, i) => v > (high as Float64Array)[i]!);
  if (bad >= 0) fail(`${what} Box low[${bad}] = ${(low as Float64Array)[bad]} > high[${bad}] = ${(high as Float64Array)[bad]}`);
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'uint8') fail(`${what} Box dtype ${JSON.stringify(dtype)}, expected 'float32', 'float64' or 'uint8'`);
}

/** The observation of reset or step at `where`: a Float32Array of the right length, finite, in the space. */
function checkObs(obs: unknown, space: Space, where: string): void {
  const n = flatSize(space);
  if (!(obs instanceof Float32Array)) fail(`${where}: observation is ${describe(obs)}, expected a Float32Array of length ${n}`);
  const o = obs as Float32Array;
  if (o.length !== n) fail(`${where}: observation has length ${o.length}, expected ${n} (the observation space's flat size)`);
  for (let i = 0; i < n; i++) {
    const v = o[i]!;
    if (!Number.isFinite(v)) fail(`${where}: observation[${i}] = ${v}, expected a finite number`);
    if (space.kind === 'discrete') {
      if (!Number.isInteger(v) || v < space.start || v >= space.start + space.n) fail(`${where}: observation ${v} is not in Discrete(${space.n}, start ${space.start})`);
      continue;
    }
    if (v < space.low[i]! || v > space.high[i]!) fail(`${where}: observation[${i}] = ${v} is outside the observation space's bounds [${space.low[i]}, ${space.high[i]}]`);
    if (space.dtype === 'uint8' && !Number.isInteger(v)) fail(`${where}: observation[${i}] = ${v}, expected an integer (uint8 space)`);
  }
}

function checkInfo(info: unknown, where: string): void {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`${where}: info is ${describe(info)}, expected a plain object`);
}

function checkStep(r: unknown, space: Space, where: string): StepResult {
  if (r === null || typeof r !== 'object') fail(`${where}: returned ${describe(r)}, expected {obs, reward, terminated, truncated, info}`);
  const s = r as Record<string, unknown>;
  const missing = ['obs', 'reward', 'terminated', 'truncated', 'info'].filter((k) => !(k in s));
  if (missing.length) fail(`${where}: the result lacks ${missing.join(', ')}; expected {obs, reward, terminated, truncated, info}`);
  checkObs(s['obs'], space, where);
  if (typeof s['reward'] !== 'number') fail(`${where}: reward is ${describe(s['reward'])}, expected a number`);
  if (!Number.isFinite(s['reward'])) fail(`${where}: reward = ${s['reward'] as number}, expected a finite number`);
  for (const k of ['terminated', 'truncated']) if (typeof s[k] !== 'boolean') fail(`${where}: ${k} is ${describe(s[k])}, expected a boolean`);
  checkInfo(s['info'], where);
  return s as unknown as StepResult;
}

function actionOf(space: Space, rng: Rng): Action {
  const a = sample(space, rng);
  return space.kind === 'discrete' ? a[0]! : Float32Array.from(a);
}

interface Transition {
  obs: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

/** Step the actions (stopping at the end of the episode), copying what matters for comparison. */
function play(env: Env, actions: Action[]): Transition[] {
  const out: Transition[] = [];
  for (const a of actions) {
    const r = env.step(a);
    out.push({ obs: Float32Array.from(r.obs), reward: r.reward, terminated: r.terminated, truncated: r.truncated });
    if (r.terminated || r.truncated) break;
  }
  return out;
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** '' when equal, else where the two runs first part. */
function compareRuns(a: Transition[], b: Transition[]): string {
  for (let t = 0; t < Math.min(a.length, b.length); t++) {
    const x = a[t]!;
    const y = b[t]!;
    const i = firstDifference(x.obs, y.obs);
    if (i >= 0) return `step ${t + 1}: observation[${i}] ${x.obs[i]} vs ${y.obs[i]}`;
    if (!Object.is(x.reward, y.reward)) return `step ${t + 1}: reward ${x.reward} vs ${y.reward}`;
    if (x.terminated !== y.terminated || x.truncated !== y.truncated) return `step ${t + 1}: terminated/truncated ${x.terminated}/${x.truncated} vs ${y.terminated}/${y.truncated}`;
  }
  if (a.length !== b.length) return `the episode ended after ${a.length} vs ${b.length} steps`;
  return '';
}

/** The innermost env (wrappers delegate getState/setState to it). */
function unwrapped(env: Env): Env {
  let e = env;
  while (e instanceof Wrapper) e = e.env;
  return e;
}

function message(e: unknown): string {
  if (e instanceof CheckFailed) return e.message;
  return `threw ${e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e)}`;
}

export function checkEnv(env: Env, o: CheckEnvOptions = {}): CheckEnvResult {
  const seed = o.seed ?? 0;
  const steps = o.steps ?? 200;
  const k = o.compareSteps ?? 20;
  const checks: EnvCheck[] = [];
  const run = (name: EnvCheck['name'], fn: () => string): boolean => {
    try {
      checks.push({ name, status: 'ok', message: fn() });
      return true;
    } catch (e) {
      const m = message(e);
      checks.push({ name, status: 'failed', message: m.startsWith(`${name}:`) || (name === 'step' && /^step \d+:/.test(m)) ? m : `${name}: ${m}` });
      return false;
    }
  };
  const skip = (name: EnvCheck['name'], why: string) => checks.push({ name, status: 'skipped', message: `${name}: skipped (${why})` });
  let id = '(unnamed env)';
  try {
    id = String(env.id);
  } catch {
    /* reported by the checks */
  }

  const spacesOk = run('spaces', () => {
    checkSpace(env.observationSpace, 'observation space');
    checkSpace(env.actionSpace, 'action space');
    return `spaces: observation ${env.observationSpace.kind}, action ${env.actionSpace.kind}`;
  });
  if (!spacesOk) {
    for (const n of ['reset', 'step', 'determinism', 'snapshot'] as const) skip(n, 'the spaces are malformed');
    return { id, ok: false, checks };
  }
  const obsSpace = env.observationSpace;
  const actSpace = env.actionSpace;
  const rng = new Rng(seed + 7919);
  const actions = Array.from({ length: k }, () => actionOf(actSpace, rng));

  const resetOk = run('reset', () => {
    const r = env.reset({ seed }) as unknown;
    if (r === null || typeof r !== 'object' || !('obs' in r) || !('info' in r)) fail(`reset({seed: ${seed}}) returned ${describe(r)}, expected {obs, info}`);
    const rr = r as { obs: unknown; info: unknown };
    checkObs(rr.obs, obsSpace, 'reset');
    checkInfo(rr.info, 'reset');
    return `reset: {obs, info}, obs Float32Array(${flatSize(obsSpace)}) in the space`;
  });

  const stepOk = resetOk
    ? run('step', () => {
        env.reset({ seed });
        let episodes = 0;
        for (let t = 0; t < steps; t++) {
          const r = checkStep(env.step(actionOf(actSpace, rng)), obsSpace, `step ${t + 1}`);
          if (r.terminated || r.truncated) {
            episodes += 1;
            env.reset();
          }
        }
        return `step: ${steps} random-action steps (${episodes} episodes ended), 5-tuples well typed, observations in the space, rewards finite`;
      })
    : (skip('step', 'reset failed'), false);

  if (!stepOk) {
    skip('determinism', 'reset or step failed');
    skip('snapshot', 'reset or step failed');
    return { id, ok: false, checks };
  }

  run('determinism', () => {
    const first = (e: Env) => {
      const r = e.reset({ seed });
      return { obs0: Float32Array.from(r.obs), run: play(e, actions) };
    };
    const a = first(env);
    const b = first(env);
    const i = firstDifference(a.obs0, b.obs0);
    if (i >= 0) fail(`reset({seed: ${seed}}) twice gave different observations (observation[${i}] ${a.obs0[i]} vs ${b.obs0[i]}): the env must seed all its randomness from reset's seed`);
    const d = compareRuns(a.run, b.run);
    if (d) fail(`the same seed and actions gave different transitions (${d}): the env must seed all its randomness from reset's seed`);
    if (o.factory) {
      const fresh = o.factory();
      try {
        const c = first(fresh);
        const j = firstDifference(a.obs0, c.obs0);
        if (j >= 0) fail(`a fresh instance reset with seed ${seed} gave a different observation (observation[${j}] ${a.obs0[j]} vs ${c.obs0[j]}): randomness shared between instances or not seeded by reset`);
        const dc = compareRuns(a.run, c.run);
        if (dc) fail(`a fresh instance with the same seed and actions gave different transitions (${dc})`);
      } finally {
        fresh.close?.();
      }
    }
    return `determinism: seed ${seed} gives the same first observation and ${a.run.length} transitions${o.factory ? ', also on a fresh instance' : ''}`;
  });

  const base = unwrapped(env) as Partial<Env>;
  if (typeof base.getState !== 'function' || typeof base.setState !== 'function') {
    skip('snapshot', 'the env has no getState/setState');
  } else {
    run('snapshot', () => {
      env.reset({ seed });
      play(env, actions.slice(0, Math.min(3, k)));
      const state = env.getState();
      let text: string;
      try {
        text = JSON.stringify(state);
      } catch (e) {
        return fail(`getState() is not plain JSON (${(e as Error).message})`);
      }
      if (text === undefined) fail('getState() returned undefined, expected plain JSON');
      const after = play(env, actions);
      env.setState(JSON.parse(text));
      const again = play(env, actions);
      const d = compareRuns(after, again);
      if (d) fail(`setState(getState()) then the same actions gave different transitions (${d}): the state misses something that determines the future (RNG, physics, counters)`);
      if (o.factory) {
        const fresh = o.factory();
        try {
          fresh.reset({ seed: seed + 1 });
          fresh.setState(JSON.parse(text));
          const d2 = compareRuns(after, play(fresh, actions));
          if (d2) fail(`a fresh instance restored from getState() gave different transitions (${d2})`);
        } finally {
          fresh.close?.();
        }
      }
      return `snapshot: getState() is JSON; restoring it reproduces ${after.length} transitions${o.factory ? ', also on a fresh instance' : ''}`;
    });
  }
  return { id, ok: checks.every((c) => c.status !== 'failed'), checks };
}
