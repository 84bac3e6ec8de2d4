/**
 * Throughput of the variance lab (issue 17, target ≥ 50 gradient estimates/s for `single` on
 * CartPole-v1 at n = 2 048): a CartPole policy is trained for `trainSteps` (CleanRL defaults, the
 * engine), then `measureVariance` runs at K = 16, 64 and 125 (each with a reference pool of K more
 * estimates) and at K = 64 with one env set per policy call (the old sequential collection), three
 * rounds each, alternating. Reported: estimates (tested + reference) per second of the whole
 * measurement (warm-up, collection, estimates, statistics), env steps per second, and the best round.
 */
import { measureVariance } from '../analysis/variance.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';

export function benchVarianceThroughput(trainSteps = 50_000, rounds = 3): Record<string, unknown> {
  const config = resolveConfig({}, { envId: 'CartPole-v1', totalTimesteps: trainSteps, seed: 1 });
  const trainer = createTrainer(config);
  while (!trainer.done) trainer.iterate();
  const cases: { label: string; K: number; envsPerCall: number }[] = [
    { label: 'K16', K: 16, envsPerCall: 256 },
    { label: 'K64', K: 64, envsPerCall: 256 },
    { label: 'K125', K: 125, envsPerCall: 256 },
    { label: 'K64_one_env_set_per_call', K: 64, envsPerCall: config.numEnvs },
  ];
  const runs: Record<string, { wall_s: number; estimates_per_s: number; env_steps_per_s: number }[]> = Object.fromEntries(cases.map((c) => [c.label, []]));
  for (let r = 0; r < rounds; r++)
    for (const c of cases) {
      const t0 = performance.now();
      const rep = measureVariance({ config, trainer }, { batches: c.K, batchSize: 2048, estimators: ['single'], seed: 100 + r, envsPerCall: c.envsPerCall });
      const wall = (performance.now() - t0) / 1000;
      const estimates = rep.throughput!.estimates;
      runs[c.label]!.push({ wall_s: +wall.toFixed(3), estimates_per_s: +(estimates / wall).toFixed(1), env_steps_per_s: Math.round(rep.throughput!.env_steps / wall) });
    }
  trainer.dispose();
  return {
    env: 'CartPole-v1',
    estimator: 'single',
    batch_size: 2048,
    policy_trained_steps: trainSteps,
    engine: trainer.agent.engine,
    rounds: runs,
    best_estimates_per_s: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, Math.max(...v.map((x) => x.estimates_per_s))])),
  };
}
