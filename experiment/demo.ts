/**
 * The quick-start demo behind `npm start`: PPO on Pendulum-v1 (CleanRL continuous defaults) with
 * three policy-gradient estimators — `single` (GAE), `qma` (extra actions valued by Q-networks) and
 * `daa` (extra actions valued by rollouts in a learned dynamics model) — each trained for a short
 * budget with the same seed; during each run the gradient variance of its estimator and of `single`
 * is measured at the same frozen policies (train --track-variance); then `analyze` writes one HTML
 * report (learning curves, bias and variance over training) and its numbers as JSON.
 * The learned parts are sized for a demo (narrower nets, fewer updates); `pgvar train` has the
 * full presets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveConfig } from './build.js';
import { analyze } from './analyze.js';
import { trainRun, type TrainSummary } from './train-run.js';

export const DEMO_ENV = 'Pendulum-v1';
export const DEMO_ESTIMATORS = ['single', 'qma', 'daa'];
/** Demo-sized learned parts: the model starts after two iterations, narrower nets, fewer updates. */
export const DEMO_ESTIMATOR_OPTIONS: Record<string, Record<string, unknown>> = {
  qma: { hidden: [64, 64], epochs: 2 },
  daa: { warmupSteps: 4096, hidden: [128, 128], modelUpdates: 50 },
};

export interface DemoOptions {
  out: string;
  steps: number;
  seed: number;
  /** Variance measurements per run (at evenly spaced iterations, the last at the end). */
  measurements: number;
  batches: number;
  estimators?: string[];
}

export async function runDemo(o: DemoOptions): Promise<{ report: string; json: string; summaries: TrainSummary[] }> {
  fs.mkdirSync(o.out, { recursive: true });
  const estimators = o.estimators ?? DEMO_ESTIMATORS;
  const summaries: TrainSummary[] = [];
  const dirs: string[] = [];
  for (const est of estimators) {
    const dir = path.join(o.out, `${DEMO_ENV}_${est}_seed${o.seed}`);
    // only what a previous demo wrote is removed
    fs.rmSync(dir, { recursive: true, force: true });
    const probe = resolveConfig({}, { envId: DEMO_ENV, totalTimesteps: o.steps, seed: o.seed }, 'demo');
    const iterations = Math.floor(probe.totalTimesteps / (probe.numEnvs * probe.numSteps));
    const config = resolveConfig(
      {},
      {
        envId: DEMO_ENV,
        totalTimesteps: o.steps,
        seed: o.seed,
        estimator: est,
        estimatorOptions: DEMO_ESTIMATOR_OPTIONS[est] ?? {},
        trackVarianceEvery: Math.max(1, Math.floor(iterations / Math.max(o.measurements, 1))),
        trackVarianceEstimators: est === 'single' ? ['single'] : ['single', est],
        trackVarianceBatches: o.batches,
      },
      'demo',
    );
    process.stderr.write(`demo: PPO on ${DEMO_ENV} with estimator ${est}, ${o.steps} steps, gradient variance every ${config.trackVarianceEvery} iterations → ${dir}\n`);
    summaries.push(await trainRun({ out: dir, config }));
    dirs.push(dir);
  }
  const res = await analyze({
    runs: dirs,
    variance: [],
    out: path.join(o.out, 'report.html'),
    title: `pgvar demo: single vs qma vs daa on ${DEMO_ENV}`,
  });
  return { ...res, summaries };
}
