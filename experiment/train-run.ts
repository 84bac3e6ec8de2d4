/**
 * `pgvar train`: a PPO run with its run directory, progress display, periodic atomic checkpoints
 * and the final summary. `--resume DIR` restores the last checkpoint (weights, Adam moments, RNG
 * streams, env and normaliser state, counters, LR schedule position) and cuts the logs back to it.
 */
import cliProgress from 'cli-progress';
import { PgvarError } from '../common/errors.js';
import { prepareEnv } from '../envs/registry.js';
import { makeTrainingEnv } from '../envs/stack.js';
import { createEstimator } from '../estimators/index.js';
import { activeBackend } from '../nets/backend.js';
import type { PpoConfig } from '../ppo/config.js';
import { PpoTrainer, RETURN_WINDOW, type IterationMetrics } from '../ppo/trainer.js';
import { measureVariance } from '../analysis/variance.js';
import { buildVectorEnv } from './build.js';
import { RunDir } from './run-dir.js';
import { loadPlugins } from './plugins.js';
import { engineKernels } from '../nets/engine/arena.js';

export interface TrainSummary {
  env: string;
  algo: string;
  estimator: string;
  seed: number;
  steps: number;
  iterations: number;
  final_return_mean: number | null;
  final_return_window: number;
  episodes: number;
  wall_s: number;
  sps: number;
  backend: string;
  /** The engine the agent's networks trained on (nets/engine: 'wasm', or tfjs). */
  engine: string;
}

export interface TrainRunOptions {
  out: string;
  /** A fresh run's config; omitted when resuming. */
  config?: PpoConfig;
  resume?: boolean;
  /** On resume: learner threads to continue with (a performance setting; the default keeps the run's). */
  learnerThreads?: number;
  /** On resume: where the sub-envs step (the numbers are the same either way; the default keeps the run's). */
  vectorEnv?: PpoConfig['vectorEnv'];
  progress?: boolean;
  /** Called after each iteration's logs and checkpoint are written (analysis hooks, demos). */
  onIteration?: (trainer: PpoTrainer, metrics: IterationMetrics) => void | Promise<void>;
}

/**
 * The clock of a training process: logs one iteration's episodes and metrics row with `sps` (env
 * steps per second since this process started the run or resumed it) and `time_s` (the run's wall
 * time, resumed segments included), the same two columns for every algorithm.
 */
export class RunClock {
  private readonly t0 = performance.now();
  constructor(
    private readonly run: RunDir,
    private readonly step0: number,
    readonly wallBefore: number,
  ) {}

  /** Seconds since this process started. */
  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  log(globalStep: number, metrics: object, episodes: Parameters<RunDir['appendEpisodes']>[0]): { elapsed: number; sps: number } {
    const elapsed = this.elapsed();
    const sps = Math.round((globalStep - this.step0) / Math.max(elapsed, 1e-9));
    this.run.appendEpisodes(episodes);
    this.run.appendMetrics([{ ...metrics, sps, time_s: +(this.wallBefore + elapsed).toFixed(3) }]);
    return { elapsed, sps };
  }
}

/** A failed run's error, told that the last checkpoint is intact and how to continue. */
export function withResumeHint(e: unknown, run: RunDir, out: string): unknown {
  if (e instanceof PgvarError) e.message += `\nthe last checkpoint in ${run.checkpointFile} is intact; fix the cause and continue with --resume ${out}`;
  return e;
}

/** The progress display of `pgvar train` (stderr; plain lines every 10 s when not a TTY). */
export function progressBar(label: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {value}/{total} steps | {sps} SPS | return(last ${RETURN_WINDOW}) {ret} | eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: false,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
}

export function createTrainer(config: PpoConfig): PpoTrainer {
  return new PpoTrainer(config, buildVectorEnv(config), createEstimator(config.estimator, config.estimatorOptions), () => makeTrainingEnv(config.envId, config));
}

export async function trainRun(o: TrainRunOptions): Promise<TrainSummary> {
  const run = new RunDir(o.out);
  let config: PpoConfig;
  let trainer: PpoTrainer;
  let wallBefore = 0;
  if (o.resume) {
    const ck = run.loadCheckpoint();
    const before = ck.config.learnerThreads ?? 1; // checkpoints from before the setting existed ran on one thread
    config = { ...ck.config, learnerThreads: o.learnerThreads ?? before, vectorEnv: o.vectorEnv ?? ck.config.vectorEnv ?? 'sync' };
    if (config.learnerThreads !== before) process.stderr.write(`pgvar: resuming with learnerThreads ${config.learnerThreads} (the run so far used ${before}); from here the numbers differ from an uninterrupted run by float rounding\n`);
    await loadPlugins(config.plugins ?? [], { origin: `recorded in ${run.configFile}` });
    await prepareEnv(config.envId);
    trainer = createTrainer(config);
    trainer.setState(ck.trainer);
    run.rewindLogs(ck);
    wallBefore = ck.wallSeconds;
  } else {
    if (!o.config) throw new Error('trainRun: a config is required for a fresh run');
    config = o.config;
    await loadPlugins(config.plugins ?? []);
    await prepareEnv(config.envId);
    run.create(config);
    trainer = createTrainer(config);
    run.saveCheckpoint(config, trainer.getState(), 0);
  }

  const kernels = trainer.agent.engine === 'wasm' ? `, ${engineKernels()} kernels` : '';
  process.stderr.write(`pgvar: agent networks on the ${trainer.agent.engine} engine${kernels} (config engine '${config.engine ?? 'tfjs'}')\n`);
  const total = trainer.numIterations * config.numSteps * config.numEnvs;
  const clock = new RunClock(run, trainer.globalStep, wallBefore);
  const bar = o.progress === false ? null : progressBar(`${config.envId} ${config.estimator} seed ${config.seed}`);
  bar?.start(total, trainer.globalStep, { sps: '-', ret: '-' });

  try {
    while (!trainer.done) {
      const stepBefore = trainer.globalStep;
      const { metrics, episodes } = trainer.iterate();
      const { elapsed, sps } = clock.log(trainer.globalStep, metrics, episodes);
      if (config.trackVarianceEvery > 0 && trainer.iteration % config.trackVarianceEvery === 0) {
        // logged before the checkpoint that covers it, like the other logs; it never touches the trainer's RNG streams
        run.appendVariance(
          measureVariance({ config, trainer }, { batches: config.trackVarianceBatches, batchSize: config.numEnvs * config.numSteps, estimators: config.trackVarianceEstimators, seed: config.seed + 30_000 + trainer.iteration, bootstrap: 0 }),
        );
      }
      const snapshotDue = (config.snapshotEvery ?? 0) > 0 && Math.floor(trainer.globalStep / config.snapshotEvery) > Math.floor(stepBefore / config.snapshotEvery);
      if (trainer.iteration % config.checkpointEvery === 0 || trainer.done || snapshotDue) run.saveCheckpoint(config, trainer.getState(), wallBefore + elapsed);
      if (snapshotDue) run.saveSnapshot(trainer.globalStep);
      bar?.update(trainer.globalStep, { sps, ret: metrics.episodic_return_mean === null ? '-' : metrics.episodic_return_mean.toFixed(1) });
      await o.onIteration?.(trainer, metrics);
    }
  } catch (e) {
    bar?.stop();
    trainer.dispose();
    throw withResumeHint(e, run, o.out);
  }
  bar?.stop();
  const wall = wallBefore + clock.elapsed();
  const summary: TrainSummary = {
    env: config.envId,
    algo: config.algo,
    estimator: config.estimator,
    seed: config.seed,
    steps: trainer.globalStep,
    iterations: trainer.iteration,
    final_return_mean: trainer.recentReturnMean(),
    final_return_window: RETURN_WINDOW,
    episodes: run.readEpisodes().length,
    wall_s: +wall.toFixed(2),
    sps: Math.round(trainer.globalStep / wall),
    backend: activeBackend(),
    engine: trainer.agent.engine,
  };
  run.writeSummary(summary);
  trainer.dispose();
  return summary;
}
