/**
 * The quick-start demo behind `npm start`: PPO on CartPole-v1 with the CleanRL classic-control
 * defaults, gradient-variance measurements of the estimator(s) at several points of training, and an
 * HTML report with the learning curve and the variance figures. Grows as estimators land.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendDurable } from '../common/atomic-fs.js';
import { measureVariance, type VarianceReport } from '../analysis/variance.js';
import { writeReport } from '../analysis/report.js';
import { resolveConfig } from './build.js';
import { RunDir } from './run-dir.js';
import { trainRun } from './train-run.js';

/** The plain estimator PPO trains with, and the many-actions estimator with the true simulator (N = 4, H = 10). */
export const DEMO_ESTIMATORS = ['single', 'mc'];

export interface DemoOptions {
  out: string;
  steps: number;
  seed: number;
  measurements: number;
  batches: number;
}

export async function runDemo(o: DemoOptions): Promise<{ report: string; variance: VarianceReport[] }> {
  const runDir = path.join(o.out, 'run');
  const varianceFile = path.join(o.out, 'variance.jsonl');
  const reportFile = path.join(o.out, 'report.html');
  // only what a previous demo wrote is removed
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.rmSync(varianceFile, { force: true });
  fs.mkdirSync(o.out, { recursive: true });

  const config = resolveConfig({}, { envId: 'CartPole-v1', totalTimesteps: o.steps, seed: o.seed }, 'demo');
  const batchSize = config.numEnvs * config.numSteps;
  const numIterations = Math.floor(config.totalTimesteps / batchSize);
  const at = new Set(Array.from({ length: o.measurements }, (_, i) => Math.max(1, Math.round(1 + (i * (numIterations - 1)) / Math.max(o.measurements - 1, 1)))));
  const variance: VarianceReport[] = [];
  process.stderr.write(`demo: PPO on CartPole-v1 for ${o.steps} steps; gradient variance at iterations ${[...at].join(', ')} of ${numIterations}\n`);

  const summary = await trainRun({
    out: runDir,
    config,
    onIteration: (trainer, m) => {
      if (!at.has(m.iteration)) return;
      const t0 = performance.now();
      const rep = measureVariance({ config, trainer }, { batches: o.batches, batchSize, estimators: DEMO_ESTIMATORS, seed: o.seed + 20_000 + m.iteration });
      variance.push(rep);
      appendDurable(varianceFile, JSON.stringify(rep) + '\n');
      const line = Object.entries(rep.estimators)
        .map(([name, s]) => `${name}: relative variance ${s.relative_variance.toPrecision(3)}, cosine to reference ${s.cosine_to_reference.toFixed(3)}`)
        .join('; ');
      process.stderr.write(`\ndemo: step ${rep.step}: ${line} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    },
  });

  await writeReport(reportFile, {
    title: 'pgvar demo: PPO on CartPole-v1 and the variance of its policy gradient',
    intro: `PPO (CleanRL ppo.py defaults, truncation bootstrapping on) trained for ${summary.steps} steps with seed ${o.seed}, backend ${summary.backend}, in ${summary.wall_s} s (${summary.sps} steps/s). Final mean return of the last 20 episodes: ${summary.final_return_mean?.toFixed(1) ?? '–'}. At each checkpoint the gradient of the estimator PPO trains with (single) is compared with the many-actions estimator that values 4 extra actions per state by rewinding the simulator for 10 steps (mc).`,
    runs: [{ label: `${config.estimator} seed ${o.seed}`, episodes: new RunDir(runDir).readEpisodes(), summary: { ...summary } }],
    variance: variance.map((r) => ({ label: `step ${r.step}`, report: r })),
    config,
    commands: [`npx pgvar demo --steps ${o.steps} --seed ${o.seed} --measurements ${o.measurements} --batches ${o.batches}`, `npx pgvar variance --run ${runDir} --batches 16`],
  });
  return { report: reportFile, variance };
}
