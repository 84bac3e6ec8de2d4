/** PPO end to end on an env with its family defaults: steps/s, and where the time goes. */
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';

export function benchPpoEndToEnd(envId: string, steps: number, estimator = 'single', estimatorOptions: Record<string, unknown> = {}, learnerThreads = 1, engine: 'auto' | 'wasm' | 'tfjs' = 'auto'): Record<string, number | string> {
  const config = resolveConfig({}, { envId, totalTimesteps: steps, seed: 0, estimator, estimatorOptions, learnerThreads, engine });
  const tr = createTrainer(config);
  const ms = { rolloutMs: 0, estimatorMs: 0, updateMs: 0 };
  const t0 = performance.now();
  while (!tr.done) {
    tr.iterate();
    for (const k of Object.keys(ms) as (keyof typeof ms)[]) ms[k] += tr.lastTimings[k];
  }
  const wall = (performance.now() - t0) / 1000;
  tr.dispose();
  return {
    engine: config.engine ?? 'tfjs',
    steps: tr.globalStep,
    learner_threads: learnerThreads,
    sps: Math.round(tr.globalStep / wall),
    rollout_sps: Math.round(tr.globalStep / (ms.rolloutMs / 1000)),
    rollout_ms_per_iteration: +(ms.rolloutMs / tr.iteration).toFixed(1),
    estimator_ms_per_iteration: +(ms.estimatorMs / tr.iteration).toFixed(2),
    update_ms_per_iteration: +(ms.updateMs / tr.iteration).toFixed(1),
    wall_s: +wall.toFixed(2),
  };
}
