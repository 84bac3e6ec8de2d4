/**
 * Issue 20: the off-policy trainer's vector env, `--vector-env sync` (the envs step in the trainer's
 * thread) against `async` (one worker thread steps them, experiment/offpolicy-run.ts), for the
 * `fasttd3` cpu preset (8 envs, batch 1024, UTD 2 per vector step) on FastTD3's DMC example shapes.
 * Per round each layout builds its trainer as a run does (createOffPolicyTrainer) and is timed in two
 * phases, env steps (transitions) per second:
 *   - warm-up: `warm` vector steps of uniform random actions (env steps, the normaliser's update,
 *     replay writes; no updates), where the env's share of the step is largest;
 *   - training: `timed` vector steps past the first updates (actor call with mixed noise, env steps,
 *     two updates per vector step).
 * The two layouts alternate within a round and their order flips from round to round, so background
 * load on the shared machine falls on both alike; reported: each round's numbers, medians, and the
 * median over rounds of async/sync. Also the time to build each trainer (async: starting the worker).
 * One untimed pass of each layout comes first (JIT warm-up of this thread's code).
 *   node dist/bench/fasttd3-vector-env.js [--rounds 3] [--env dmc/cheetah-run] [--out FILE]
 */
import * as os from 'node:os';
import { runBenchMain } from './bench-main.js';
import { median, r3 } from './offpolicy-bench.js';
import { prepareEnv } from '../envs/registry.js';
import { createOffPolicyTrainer } from '../experiment/offpolicy-run.js';
import { agentConfig } from '../offpolicy/agents.js';

const LAYOUTS = ['sync', 'async'] as const;
type Layout = (typeof LAYOUTS)[number];

interface Round {
  build_s: number;
  warmup_env_steps_per_s: number;
  training_env_steps_per_s: number;
}

function measure(envId: string, layout: Layout, warm: number, timed: number): Round {
  const base = agentConfig('fasttd3', envId, { preset: 'cpu' });
  const N = base.numEnvs;
  // the replay cut to 65 536 transitions (capacity does not change a step's cost); no evaluation
  const c = { ...base, vectorEnv: layout, bufferSize: 65_536, learningStarts: warm * N, totalTimesteps: (warm + timed + 2) * N, evalEvery: 0 };
  const b0 = performance.now();
  const tr = createOffPolicyTrainer(c);
  const build = (performance.now() - b0) / 1000;
  try {
    const t0 = performance.now();
    for (let k = 0; k < warm; k++) tr.step();
    const warmS = (performance.now() - t0) / 1000;
    tr.step(); // the first updates, untimed
    tr.step();
    const t1 = performance.now();
    for (let k = 0; k < timed; k++) tr.step();
    const trainS = (performance.now() - t1) / 1000;
    return { build_s: r3(build), warmup_env_steps_per_s: +((warm * N) / warmS).toFixed(1), training_env_steps_per_s: +((timed * N) / trainS).toFixed(2) };
  } finally {
    tr.close();
  }
}

export async function benchFastTd3VectorEnv(envId = 'dmc/cheetah-run', rounds = 3): Promise<Record<string, unknown>> {
  await prepareEnv(envId);
  const warm = 1000;
  const timed = 12;
  const runs: Record<Layout, Round[]> = { sync: [], async: [] };
  const order: Layout[][] = [];
  // one untimed pass of each first: the env, actor and update code JIT-compiled in this thread (async: each worker compiles its env anew)
  for (const l of LAYOUTS) measure(envId, l, warm, 2);
  const load: number[][] = [os.loadavg()];
  for (let r = 0; r < rounds; r++) {
    const layouts: Layout[] = r % 2 === 0 ? ['sync', 'async'] : ['async', 'sync'];
    order.push(layouts);
    for (const l of layouts) runs[l].push(measure(envId, l, warm, timed));
    load.push(os.loadavg());
  }
  const med = (l: Layout, k: keyof Round) => median(runs[l].map((x) => x[k]));
  const ratio = (k: keyof Round) => r3(median(runs.async.map((x, i) => x[k] / runs.sync[i]![k])));
  const cfg = agentConfig('fasttd3', envId, { preset: 'cpu' });
  return {
    env: envId,
    preset: 'cpu',
    numEnvs: cfg.numEnvs,
    batchSize: cfg.batchSize,
    updatesPerStep: cfg.updatesPerStep,
    warmup_vector_steps: warm,
    training_vector_steps: timed,
    async_layout: 'one worker thread steps every env; the trainer thread waits for it (acting and updates need the new transitions first)',
    machine: `${os.cpus().length} logical CPUs, shared with other jobs: measured alternately, order flipped each round; loadavg (1, 5, 15 min) before and after each round below`,
    loadavg: load.map((l) => l.map((x) => +x.toFixed(2))),
    order,
    rounds: runs,
    median: Object.fromEntries(LAYOUTS.map((l) => [l, { build_s: med(l, 'build_s'), warmup_env_steps_per_s: med(l, 'warmup_env_steps_per_s'), training_env_steps_per_s: med(l, 'training_env_steps_per_s') }])),
    async_over_sync_median: { warmup: ratio('warmup_env_steps_per_s'), training: ratio('training_env_steps_per_s') },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await runBenchMain(benchFastTd3VectorEnv);
