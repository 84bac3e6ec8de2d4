/**
 * Issue 16: what stepping the sub-envs in worker threads buys. For each case (env id × number of
 * sub-envs), every layout is measured once per round, the layouts' order rotating from round to round
 * so that background load falls on all of them alike:
 *   - `random`: vector env steps per second under uniformly random actions (drawn before timing);
 *   - `rollout`: PPO rollout collection (policy forward on the main thread + env steps), steps/s,
 *     with the env family's PPO defaults and a fresh agent.
 * Layouts: sync (SyncVectorEnv), async_w1 (one worker steps all sub-envs), async_w1_main (one worker
 * steps half, the main thread the other half at the same time), async_w2 (two workers, half each).
 * Reported: the median steps/s of each layout and the median over rounds of its ratio to sync.
 */
import { Rng } from '../common/rng.js';
import type { Action } from '../envs/env.js';
import { AsyncVectorEnv, makeSubEnv, stackOptions, type AsyncVectorEnvOptions } from '../envs/async-vector.js';
import { sample } from '../envs/spaces.js';
import { SyncVectorEnv, type VectorEnv } from '../envs/vector.js';
import { resolveConfig } from '../experiment/build.js';
import { createEstimator } from '../estimators/index.js';
import { PpoTrainer } from '../ppo/trainer.js';

export const LAYOUTS: Record<string, AsyncVectorEnvOptions | null> = {
  sync: null,
  async_w1: { workers: 1 },
  async_w1_main: { workers: 1, mainThread: true },
  async_w2: { workers: 2 },
};

export interface AsyncBenchCase {
  envId: string;
  numEnvs: number;
}

export const DEFAULT_CASES: AsyncBenchCase[] = [
  { envId: 'CartPole-v1', numEnvs: 8 },
  { envId: 'Hopper-v5', numEnvs: 4 },
  { envId: 'dmc/cheetah-run', numEnvs: 4 },
];

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function timed(seconds: number, step: () => number): number {
  let steps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    steps += step();
    elapsed = performance.now() - t0;
  }
  return steps / (elapsed / 1000);
}

function makeVenv(c: AsyncBenchCase, layout: AsyncVectorEnvOptions | null, stack: ReturnType<typeof stackOptions>): VectorEnv {
  const specs = Array.from({ length: c.numEnvs }, () => ({ envId: c.envId, stack }));
  return layout ? new AsyncVectorEnv(specs, { autoresetMode: 'same-step', ...layout }) : new SyncVectorEnv(specs.map(makeSubEnv), 'same-step');
}

/** Steps/s of every layout, `rounds` alternating rounds of `seconds` each; env built outside the timing. */
function measure(layouts: string[], rounds: number, seconds: number, build: (layout: string) => { run: () => number; close: () => void }): Record<string, unknown> {
  const sps: Record<string, number[]> = Object.fromEntries(layouts.map((l) => [l, []]));
  const built = Object.fromEntries(layouts.map((l) => [l, build(l)]));
  for (const l of layouts) timed(Math.min(0.3, seconds), built[l]!.run); // warm-up (JIT, caches)
  for (let r = 0; r < rounds; r++) {
    const order = layouts.map((_, i) => layouts[(i + r) % layouts.length]!);
    for (const l of order) sps[l]!.push(timed(seconds, built[l]!.run));
  }
  for (const l of layouts) built[l]!.close();
  const out: Record<string, unknown> = {};
  for (const l of layouts) {
    const ratios = sps[l]!.map((v, r) => v / sps['sync']![r]!);
    out[l] = { sps_median: Math.round(median(sps[l]!)), sps_rounds: sps[l]!.map(Math.round), ratio_to_sync_median: +median(ratios).toFixed(3) };
  }
  return out;
}

export function benchAsyncEnv(cases = DEFAULT_CASES, o: { rounds?: number; seconds?: number; layouts?: string[]; rolloutSteps?: number } = {}): Record<string, unknown> {
  const rounds = o.rounds ?? 5;
  const seconds = o.seconds ?? 1;
  const layouts = o.layouts ?? Object.keys(LAYOUTS);
  if (!layouts.includes('sync')) layouts.unshift('sync');
  const result: Record<string, unknown> = { rounds, seconds_per_measurement: seconds, layouts };
  for (const c of cases) {
    const config = resolveConfig({}, { envId: c.envId, numEnvs: c.numEnvs, numSteps: o.rolloutSteps ?? 64, numMinibatches: 1, totalTimesteps: c.numEnvs * (o.rolloutSteps ?? 64), seed: 0 });
    const stack = stackOptions(config);
    // random actions, drawn before timing (a pool of 64 steps' worth, reused cyclically)
    const random = measure(layouts, rounds, seconds, (l) => {
      const v = makeVenv(c, LAYOUTS[l]!, stack);
      v.reset({ seed: 0 });
      const rng = new Rng(1);
      const s = v.singleActionSpace;
      const pool: Action[][] = Array.from({ length: 64 }, () => Array.from({ length: c.numEnvs }, () => (s.kind === 'discrete' ? sample(s, rng)[0]! : sample(s, rng))));
      let k = 0;
      return {
        run: () => {
          v.step(pool[k++ % pool.length]!);
          return c.numEnvs;
        },
        close: () => v.close(),
      };
    });
    // PPO rollouts: the policy's forward pass per step on the main thread, the env steps wherever the layout puts them
    const rollout = measure(layouts, rounds, seconds, (l) => {
      const tr = new PpoTrainer(config, makeVenv(c, LAYOUTS[l]!, stack), createEstimator(config.estimator, config.estimatorOptions));
      let start = 0;
      return {
        run: () => {
          tr.collector.collect(config.numSteps, start);
          start += config.numSteps * c.numEnvs;
          return config.numSteps * c.numEnvs;
        },
        close: () => tr.dispose(),
      };
    });
    result[`${c.envId} x${c.numEnvs}`] = { random_actions: random, ppo_rollout: rollout };
  }
  return result;
}
