/**
 * Off-policy runs (`pgvar train --algo sac|td3`) through the same run directory as PPO runs
 * (experiment/run-dir.ts): config.json, metrics.jsonl (the trainer's rows plus sps and time_s, as PPO
 * rows), episodes.csv, the progress bar, a checkpoint every `checkpointEvery` env steps (taken at the
 * first metrics row at or past each multiple, and at the end) whose replay buffer goes to append-only
 * segment files in checkpoint/replay/, and summary.json.
 *
 * Order at a checkpoint: the rows are appended (fsynced), then the replay's new transitions as new
 * segment files and the segment index, then checkpoint.json (atomic), which records the logs' byte
 * lengths and the replay's transition count. `--resume` restores the trainer (weights, Adam moments,
 * temperature, RNG streams, env states, counters), loads the replay up to that count and cuts the logs
 * back: a kill at any instant loses and duplicates nothing, and the resumed run's rows equal an
 * uninterrupted run's.
 */
import { Rng } from '../common/rng.js';
import { ASYNC_LAYOUT, AsyncVectorEnv } from '../envs/async-vector.js';
import { make, prepareEnv } from '../envs/registry.js';
import type { BoxSpace } from '../envs/spaces.js';
import { taskIds, type OffPolicyConfig } from '../offpolicy/config.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { loadReplaySegments } from '../offpolicy/replay-segments.js';
import { OffPolicyTrainer, RETURN_WINDOW, runEpisodes } from '../offpolicy/trainer.js';
import { evalResult, type EvalResult } from './evaluate.js';
import { loadPlugins } from './plugins.js';
import { engineKernels } from '../nets/engine/arena.js';
import { RunDir } from './run-dir.js';
import { progressBar, RunClock, withResumeHint } from './train-run.js';

export { resolveOffPolicyConfig } from './offpolicy-config.js';

export interface OffPolicyTrainSummary {
  env: string;
  algo: string;
  seed: number;
  steps: number;
  iterations: number;
  updates: number;
  final_return_mean: number | null;
  final_return_window: number;
  episodes: number;
  wall_s: number;
  sps: number;
  engine: string;
  /** Checkpoints written by this process (a resumed run counts from the resume), their total time and the replay bytes they appended. */
  checkpoints: number;
  checkpoint_s: number;
  replay_mb_written: number;
}

/**
 * The trainer of a config: numEnvs envs as `make` builds them (time limit, no normalisation), stepped
 * in this thread (vectorEnv 'sync') or in a worker thread ('async', the same transitions), and a
 * second one for evaluation; multi-task: numEnvs and one evaluation env per task.
 */
export function createOffPolicyTrainer(config: OffPolicyConfig): OffPolicyTrainer {
  const n = config.numEnvs ?? 1;
  const tasks = taskIds(config.envId);
  const envs = config.vectorEnv === 'async' ? tasks.map((id) => new AsyncVectorEnv(Array.from({ length: n }, () => ({ envId: id })), { autoresetMode: 'same-step', ...ASYNC_LAYOUT })) : tasks.flatMap((id) => Array.from({ length: n }, () => make(id)));
  return new OffPolicyTrainer(config, envs, config.evalEvery > 0 ? tasks.map((id) => make(id)) : undefined);
}

/** Loads every env of a config (registered plug-ins and lazily built ones such as dmc/*). */
async function prepareEnvs(config: OffPolicyConfig): Promise<void> {
  for (const id of taskIds(config.envId)) await prepareEnv(id);
}

export interface OffPolicyRunOptions {
  out: string;
  /** A fresh run's config; omitted when resuming. */
  config?: OffPolicyConfig;
  resume?: boolean;
  progress?: boolean;
  /** Called after each iteration's logs (and checkpoint, when one is due) are written: sweeps report progress with it. */
  onProgress?: (step: number, total: number, recentReturn: number | null) => void;
}

export async function trainOffPolicyRun(o: OffPolicyRunOptions): Promise<OffPolicyTrainSummary> {
  const run = new RunDir(o.out);
  let config: OffPolicyConfig;
  let trainer: OffPolicyTrainer;
  let wallBefore = 0;
  if (o.resume) {
    const ck = run.loadOffPolicyCheckpoint();
    config = ck.config;
    await loadPlugins(config.plugins ?? [], { origin: `recorded in ${run.configFile}` });
    await prepareEnvs(config);
    trainer = createOffPolicyTrainer(config);
    trainer.setState(ck.trainer);
    const counts = OffPolicyTrainer.replayCounts(ck.trainer);
    trainer.replays.forEach((r, k) => loadReplaySegments(r, run.taskReplayDir(k, counts.length), counts[k]));
    run.rewindLogs(ck);
    wallBefore = ck.wallSeconds;
  } else {
    if (!o.config) throw new Error('trainOffPolicyRun: a config is required for a fresh run');
    config = o.config;
    await loadPlugins(config.plugins ?? []);
    await prepareEnvs(config);
    run.create(config);
    trainer = createOffPolicyTrainer(config);
    run.saveOffPolicyCheckpoint(config, trainer, 0);
  }

  const clock = new RunClock(run, trainer.globalStep, wallBefore);
  const ckStats = { count: 0, seconds: 0, bytes: 0 };
  const bar = o.progress === false ? null : progressBar(`${config.envId} ${config.algo} seed ${config.seed}`);
  bar?.start(config.totalTimesteps, trainer.globalStep, { sps: '-', ret: '-' });
  try {
    while (!trainer.done) {
      const stepBefore = trainer.globalStep;
      const { metrics, episodes } = trainer.iterate();
      const { elapsed, sps } = clock.log(trainer.globalStep, metrics, episodes);
      const k = config.checkpointEvery;
      if (Math.floor(trainer.globalStep / k) > Math.floor(stepBefore / k) || trainer.done) {
        const c0 = performance.now();
        const s = run.saveOffPolicyCheckpoint(config, trainer, wallBefore + elapsed);
        ckStats.count += 1;
        ckStats.seconds += (performance.now() - c0) / 1000;
        ckStats.bytes += s.bytesWritten;
      }
      const ret = trainer.recentReturnMean();
      bar?.update(trainer.globalStep, { sps, ret: ret === null ? '-' : ret.toFixed(1) });
      o.onProgress?.(trainer.globalStep, config.totalTimesteps, ret);
    }
  } catch (e) {
    bar?.stop();
    trainer.close();
    throw withResumeHint(e, run, o.out);
  }
  bar?.stop();
  const wall = wallBefore + clock.elapsed();
  const summary: OffPolicyTrainSummary = {
    env: config.envId,
    algo: config.algo,
    seed: config.seed,
    steps: trainer.globalStep,
    iterations: trainer.iteration,
    updates: trainer.learner.updates,
    final_return_mean: trainer.recentReturnMean(),
    final_return_window: RETURN_WINDOW,
    episodes: run.readEpisodes().length,
    wall_s: +wall.toFixed(2),
    sps: Math.round(trainer.globalStep / wall),
    engine: `wasm (${engineKernels()} kernels)`,
    checkpoints: ckStats.count,
    checkpoint_s: +ckStats.seconds.toFixed(3),
    replay_mb_written: +(ckStats.bytes / 1e6).toFixed(3),
  };
  run.writeSummary(summary);
  trainer.close();
  return summary;
}

/**
 * `pgvar eval` of an off-policy run: the learner at the last checkpoint (no replay needed) for
 * `episodes` episodes on a fresh env seeded with `seed`; deterministic: tanh(μ(s)) (the run's own
 * evaluation), else the training-time exploration (SAC samples π, TD3 adds its noise). A multi-task
 * run is evaluated on every task (each env seeded with `seed`): the summary is over all episodes,
 * `by_task` has each task's.
 */
export async function evaluateOffPolicyRun(dir: string, episodes: number, deterministic: boolean, seed: number): Promise<EvalResult & { algo: string; by_task?: Record<string, EvalResult> }> {
  const run = new RunDir(dir);
  const ck = run.loadOffPolicyCheckpoint();
  const config = ck.config;
  await loadPlugins(config.plugins ?? [], { origin: `recorded in ${run.configFile}` });
  await prepareEnvs(config);
  const tasks = taskIds(config.envId);
  const envs = tasks.map((id) => make(id));
  try {
    const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
    const obsDim = Math.max(...envs.map((env) => size((env.observationSpace as BoxSpace).shape)));
    const actDim = Math.max(...envs.map((env) => size((env.actionSpace as BoxSpace).shape)));
    const learner = new OffPolicyLearner(config, obsDim, actDim, new Rng(0), tasks.length);
    learner.setState(ck.trainer.learner);
    const byTask = envs.map((env, k) => {
      env.reset({ seed });
      const { returns, lengths } = runEpisodes(learner, env, episodes, deterministic ? 'eval' : 'explore', new Rng(seed + 1), k);
      return evalResult(tasks[k]!, ck.trainer.globalStep, deterministic, seed, returns, lengths);
    });
    if (tasks.length === 1) return { ...byTask[0]!, algo: config.algo };
    const all = evalResult(config.envId, ck.trainer.globalStep, deterministic, seed, byTask.flatMap((r) => r.returns), byTask.flatMap((r) => r.lengths));
    return { ...all, algo: config.algo, by_task: Object.fromEntries(byTask.map((r) => [r.env, r])) };
  } finally {
    for (const env of envs) env.close?.();
  }
}
