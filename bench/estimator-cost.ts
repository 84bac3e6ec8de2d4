/**
 * Cost of one PPO iteration per estimator and preset on dmc/cheetah-run with action repeat 4 and the
 * continuous defaults (2048 agent steps per iteration): wall time split into rollout, estimator
 * (model training, imagination, simulator rewinds, Q fitting) and PPO update. The model-based
 * estimators are measured with their model active from the first iteration (warm-up 0, no
 * multiplied first training) and at full N and H; the second iteration is reported.
 */
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';

export const ESTIMATOR_CASES: [string, string, Record<string, unknown>][] = [
  ['single', 'single', {}],
  ['qma', 'qma', {}],
  ['daa (cpu preset)', 'daa', { preset: 'cpu', warmupSteps: 0, firstTrainMultiplier: 1, annealFraction: 0 }],
  ['mbpo (cpu preset)', 'mbpo', { preset: 'cpu', warmupSteps: 0, firstTrainMultiplier: 1, annealFraction: 0 }],
  ['mc (N 8, H 10)', 'mc', { actions: 8, horizon: 10 }],
];

/** Table C.5's 1024-wide model with 320 updates per iteration: minutes per iteration on 2 cores (`--only estimators-paper`). */
export const PAPER_CASE: [string, string, Record<string, unknown>] = ['daa (paper preset)', 'daa', { preset: 'paper', warmupSteps: 0, firstTrainMultiplier: 1, annealFraction: 0 }];

/** Each case on each engine (nets/engine 'wasm' and the tfjs reference), keyed `label [engine]`. */
export function benchEstimatorCost(envId = 'dmc/cheetah-run', cases = ESTIMATOR_CASES, engines: ('wasm' | 'tfjs')[] = ['wasm', 'tfjs']): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, estimator, estimatorOptions] of cases)
  for (const engine of engines) {
    const label = `${name} [${engine}]`;
    const config = resolveConfig({}, { envId, actionRepeat: 4, totalTimesteps: 2048 * 2, seed: 0, estimator, estimatorOptions, engine });
    const tr = createTrainer(config);
    tr.iterate();
    const t0 = performance.now();
    const m = tr.iterate().metrics;
    const wall = (performance.now() - t0) / 1000;
    out[label] = {
      iteration_s: +wall.toFixed(2),
      rollout_s: +(tr.lastTimings.rolloutMs / 1000).toFixed(2),
      estimator_s: +(tr.lastTimings.estimatorMs / 1000).toFixed(2),
      update_s: +(tr.lastTimings.updateMs / 1000).toFixed(2),
      ...(m['estimator/sim_env_steps'] !== undefined ? { sim_env_steps: m['estimator/sim_env_steps'] } : {}),
    };
    tr.dispose();
  }
  return out;
}
