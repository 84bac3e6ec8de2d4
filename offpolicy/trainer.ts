/**
 * The off-policy loop, CleanRL-style, one env step at a time (one env, as sac_continuous_action.py)
 * or one vector step of `numEnvs` envs at a time (FastTD3, spec baselines.md §9: a vector env with
 * same-step autoreset, its envs stepped in this thread or, config.vectorEnv 'async', in a worker
 * thread, the same transitions either way; one batched actor call for the N observations, N transitions
 * into the replay, `updatesPerStep` updates per vector step; global_step counts transitions, so a
 * vector step advances it by N and learningStarts, logEvery, evalEvery, checkpointEvery and
 * totalTimesteps are in transitions — the run ends at the first vector step reaching totalTimesteps):
 *   act (uniform random for the first `learningStarts` steps, then the policy's exploration) → step
 *   → store (s, a, r, s′, terminated, truncated), s′ the env's own final observation → reset at an
 *   episode's end → past `learningStarts`, `updatesPerStep` updates, each on its own minibatch →
 *   the scheduled network resets (offpolicy/resets.ts: after an update, or after the env step).
 * With nStep > 1 each minibatch row is an n-step transition of its env's stream (offpolicy/nstep.ts);
 * with rewardNormalization the learner's reward normaliser takes each vector step's rewards before
 * the updates (offpolicy/normalizer.ts).
 * Multi-task (BRC, spec §8; config.envId a comma list of T tasks): one vector env of numEnvs envs
 * per task, all stepped each vector step (T·numEnvs transitions; the step counts, learningStarts and
 * totalTimesteps included, are over all tasks, and agentConfig scales their per-task defaults by T:
 * offpolicy/agents.ts PER_TASK_STEP_KEYS); observations are zero-padded to the largest
 * observation size, the actor emits the largest action size and each env takes its first |A_i|
 * dimensions (the replay keeps the whole action); each task has its own replay ring, a minibatch
 * row draws its task uniformly (offpolicy/task-replay.ts); episodes carry their task id, rows add the
 * per-task means of the last RETURN_WINDOW returns (episodic_return_by_task) and, when they ran, the
 * per-task deterministic evaluation returns (eval_return_by_task; eval_return_mean is their mean).
 * Every `logEvery` steps `iterate()` returns one metrics row; every `evalEvery` steps it also runs
 * `evalEpisodes` deterministic episodes (tanh(μ(s))) on a separate env.
 *
 * Metric names follow ppo/trainer.ts where they mean the same (global_step, episodic_return_mean,
 * episodic_length_mean, episodes_finished) and CleanRL's losses/* otherwise (qf_loss, qf1_values,
 * actor_loss, alpha, alpha_loss: means over the interval's updates); wall-clock numbers (sps) are
 * added by experiment/, so the rows themselves are deterministic.
 *
 * RNG streams (common/seeding.ts, hashed from the run seed): offpolicy/init (networks),
 * offpolicy/actions (warm-up and exploration), offpolicy/replay (minibatch indices), offpolicy/update
 * (every noise draw of the updates), offpolicy/reset/k (the k-th network reset's fresh networks),
 * env/i and offpolicy/eval (offpolicy/eval/k for task k > 0: the envs' resets). The trainer does no
 * I/O: `getState()` is JSON (the replay's contents go to offpolicy/replay-segments.ts beside it).
 */
import { Rng, type RngState } from '../common/rng.js';
import { RunSeeds, streamSeed } from '../common/seeding.js';
import type { Env } from '../envs/env.js';
import type { BoxSpace } from '../envs/spaces.js';
import { SyncVectorEnv, type VectorEnv } from '../envs/vector.js';
import { taskIds, type OffPolicyConfig } from './config.js';
import { OffPolicyLearner, type ExtraMetric, type LearnerState, type UpdateStats } from './learner.js';
import { sampleNStep, type NStepOptions } from './nstep.js';
import { allocBatch, ReplayBuffer, type Batch } from './replay.js';
import { ResetSchedule, resetStream } from './resets.js';
import { TaskReplay } from './task-replay.js';

/** Window of finished episodes behind `episodic_return_mean` (as ppo/trainer.ts). */
export const RETURN_WINDOW = 20;

function meanOrNull(xs: readonly number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export interface EpisodeRecord {
  /** Global step at which the episode ended. */
  step: number;
  return: number;
  length: number;
  /** The task's env id (multi-task runs only). */
  task?: string;
}

export interface OffPolicyMetrics {
  iteration: number;
  global_step: number;
  updates: number;
  episodic_return_mean: number | null;
  episodic_length_mean: number | null;
  episodes_finished: number;
  qf_loss: number | null;
  qf1_values: number | null;
  actor_loss: number | null;
  alpha: number | null;
  alpha_loss: number | null;
  /** Network resets done so far (offpolicy/resets.ts). */
  resets: number;
  /** Mean return of the deterministic evaluation episodes run at the end of this interval (null: none ran); multi-task: the mean over tasks. */
  eval_return_mean: number | null;
  /** Multi-task: per task id, the mean of its last RETURN_WINDOW returns (null before its first episode ends). */
  episodic_return_by_task?: Record<string, number | null>;
  /** Multi-task: per task id, the mean deterministic evaluation return (null: none ran this interval). */
  eval_return_by_task?: Record<string, number | null>;
}

/** A row: the common metrics and those of the learner's `extraMetrics` (DAC, VPL), also means over the interval's updates. */
export type OffPolicyRow = OffPolicyMetrics & Partial<Record<ExtraMetric, number | null>>;

export interface OffPolicyTrainerState {
  iteration: number;
  globalStep: number;
  learner: LearnerState;
  rng: { actions: RngState; replay: RngState; update: RngState };
  env: unknown;
  evalEnv: unknown;
  obs: number[];
  episode: { return: number; length: number };
  recent: { returns: number[]; lengths: number[] };
  /** Transitions in the replay when the state was taken (its contents are saved as segments). */
  replayCount: number;
  /** Network resets done (absent in checkpoints from before resets existed: 0). */
  resetsDone?: number;
  /** numEnvs > 1: every env's state, observation and running episode (env, obs, episode above are env 0's). */
  vector?: { envs: unknown[]; obs: number[][]; episodes: { return: number; length: number }[] };
  /** Mixed noise: each env's exploration σ. */
  noiseStd?: number[];
  /** Multi-task: every task's transition count (replayCount is task 0's), eval env states and recent returns. */
  tasks?: { replayCounts: number[]; evalEnvs: unknown[]; recentReturns: number[][] };
}

/** An action in [−1, 1]^A onto a Box's bounds; a padded action (multi-task) gives its first low.length dimensions. */
export function toEnvAction(a: Float32Array, low: Float64Array, high: Float64Array): Float64Array {
  const out = new Float64Array(low.length);
  for (let j = 0; j < low.length; j++) out[j] = low[j]! + 0.5 * (a[j]! + 1) * (high[j]! - low[j]!);
  return out;
}

/** An observation zero-padded to `dim` values (itself when it has them). */
export function padObs(obs: Float32Array, dim: number): Float32Array {
  if (obs.length === dim) return obs;
  const out = new Float32Array(dim);
  out.set(obs);
  return out;
}

function flatSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * `episodes` whole episodes of the learner's policy on `env` (each starting with a reset without a
 * seed: seed the env before for a reproducible sequence). 'eval' is the deterministic tanh(μ(s)) and
 * draws nothing from `rng`; 'explore' acts as in training.
 */
export function runEpisodes(learner: OffPolicyLearner, env: Env, episodes: number, mode: 'explore' | 'eval', rng: Rng, task = 0): { returns: number[]; lengths: number[] } {
  const space = env.actionSpace as BoxSpace;
  const a = new Float32Array(learner.actDim);
  const returns: number[] = [];
  const lengths: number[] = [];
  const taskRow = [task];
  for (let e = 0; e < episodes; e++) {
    let obs = env.reset().obs;
    let total = 0;
    let length = 0;
    for (;;) {
      learner.act(padObs(obs, learner.obsDim), 1, mode, rng, a, undefined, taskRow);
      const r = env.step(toEnvAction(a, space.low, space.high));
      total += r.reward;
      length += 1;
      if (r.terminated || r.truncated) break;
      obs = r.obs;
    }
    returns.push(total);
    lengths.push(length);
  }
  return { returns, lengths };
}

export class OffPolicyTrainer {
  readonly learner: OffPolicyLearner;
  /** Task 0's replay ring (the replay of a single-task run). */
  readonly replay: ReplayBuffer;
  /** Every task's ring, sampled uniformly over task × index. */
  readonly replays: ReplayBuffer[];
  private readonly taskReplay: TaskReplay;
  /** The largest observation and action sizes over the tasks. */
  readonly obsDim: number;
  readonly actDim: number;
  /** The run's task ids (one: a single-task run). */
  readonly taskIds: string[];
  iteration = 0;
  globalStep = 0;
  /** Each task's action bounds (its own action size). */
  private readonly low: Float64Array[];
  private readonly high: Float64Array[];
  /** Each env's task index (also the actor's task column, one row per env): numEnvs per task, task-major. */
  readonly taskOf: Int32Array;
  private readonly actionsRng: Rng;
  private readonly replayRng: Rng;
  private readonly updateRng: Rng;
  private readonly batch: Batch;
  /** VPL: the held-out minibatch of each update (null without a validation split). */
  private readonly valBatch: Batch | null;
  private readonly seeds: RunSeeds;
  readonly resets: ResetSchedule;
  /** Each task's numEnvs envs, stepped together with same-step autoreset (SyncVectorEnvs over the given envs, or the given VectorEnvs). */
  readonly vecs: VectorEnv[];
  /** Task 0's vector env (a single-task run's). */
  readonly vec: VectorEnv;
  /** Envs per task. */
  readonly numEnvs: number;
  /** One evaluation env per task (evalEnvs[0] is `evalEnv`). */
  readonly evalEnvs: Env[];
  readonly evalEnv?: Env;
  /** nStep > 1: the n-step sampler's settings (offpolicy/nstep.ts); null: one-step rows. */
  private readonly nStep: NStepOptions | null;
  private obs: Float32Array[];
  private epReturn: number[];
  private epLength: number[];
  /** FastTD3's mixed noise: each env's σ (null: explorationNoise for all). */
  noiseStd: Float64Array | null;
  private recentReturns: number[] = [];
  private recentLengths: number[] = [];
  /** Multi-task: each task's last RETURN_WINDOW returns. */
  private recentByTask: number[][];
  /** Multi-task: each task's evaluation return in the current interval. */
  private evalByTask: (number | null)[];

  /**
   * `env`: the env, config.numEnvs instances of it (stepped together in this thread), or a vector
   * env of numEnvs with same-step autoreset (an AsyncVectorEnv: config.vectorEnv 'async');
   * multi-task: numEnvs envs per task, task-major, or a vector env per task. `evalEnv`: another
   * instance for deterministic evaluation (needed when evalEvery > 0); multi-task: one per task.
   */
  constructor(readonly config: OffPolicyConfig, env: Env | Env[] | VectorEnv | VectorEnv[], evalEnv?: Env | Env[]) {
    this.taskIds = taskIds(config.envId);
    const T = this.taskIds.length;
    this.numEnvs = config.numEnvs ?? 1;
    const list = Array.isArray(env) ? env : [env];
    const isVec = (x: Env | VectorEnv): x is VectorEnv => 'singleActionSpace' in x;
    this.vecs = list.every(isVec) ? list : Array.from({ length: list.length / this.numEnvs }, (_, k) => new SyncVectorEnv((list as Env[]).slice(k * this.numEnvs, (k + 1) * this.numEnvs), 'same-step'));
    if (this.vecs.length !== T || this.vecs.some((v) => v.numEnvs !== this.numEnvs)) throw new Error(`OffPolicyTrainer: numEnvs ${this.numEnvs}${T > 1 ? ` per task × ${T} tasks` : ''} needs ${this.numEnvs * T} envs, got ${list.every(isVec) ? this.vecs.map((v) => v.numEnvs).join(' + ') : list.length}`);
    this.vec = this.vecs[0]!;
    this.evalEnvs = evalEnv === undefined ? [] : Array.isArray(evalEnv) ? evalEnv : [evalEnv];
    this.evalEnv = this.evalEnvs[0];
    for (const v of this.vecs) {
      if (v.autoresetMode !== 'same-step') throw new Error("OffPolicyTrainer: the vector env must autoreset 'same-step' (each row a real transition)");
      if (v.singleActionSpace.kind !== 'box') throw new Error(`off-policy agents need a continuous (Box) action space; ${config.envId} has a discrete one`);
      if (v.singleObservationSpace.kind !== 'box') throw new Error(`off-policy agents need vector observations; ${config.envId} has a discrete observation space`);
    }
    if (config.evalEvery > 0 && this.evalEnvs.length !== T) throw new Error(`OffPolicyTrainer: evalEvery > 0 needs ${T > 1 ? `an evalEnv per task (${T})` : 'an evalEnv'}`);
    const spaces = this.vecs.map((v) => v.singleActionSpace as BoxSpace);
    this.obsDim = Math.max(...this.vecs.map((v) => flatSize((v.singleObservationSpace as BoxSpace).shape)));
    this.actDim = Math.max(...spaces.map((sp) => flatSize(sp.shape)));
    this.low = spaces.map((sp) => sp.low);
    this.high = spaces.map((sp) => sp.high);
    const N = this.numEnvs * T;
    this.taskOf = Int32Array.from({ length: N }, (_, i) => Math.floor(i / this.numEnvs));
    const seeds = new RunSeeds(config.seed, 'hashed-v1');
    this.seeds = seeds;
    this.resets = ResetSchedule.fromConfig(config);
    this.learner = new OffPolicyLearner(config, this.obsDim, this.actDim, new Rng(seeds.of('offpolicy/init', 0)), T);
    this.replays = this.taskIds.map(() => new ReplayBuffer(config.bufferSize, this.obsDim, this.actDim, config.validationEvery ?? 0));
    this.replay = this.replays[0]!;
    this.taskReplay = new TaskReplay(this.replays);
    this.actionsRng = new Rng(seeds.of('offpolicy/actions', 0));
    this.replayRng = new Rng(seeds.of('offpolicy/replay', 0));
    this.updateRng = new Rng(seeds.of('offpolicy/update', 0));
    this.batch = allocBatch(config.batchSize, this.obsDim, this.actDim);
    this.valBatch = this.learner.pessimismDual ? allocBatch(config.batchSize, this.obsDim, this.actDim) : null;
    this.nStep = (config.nStep ?? 1) > 1 ? { n: config.nStep, gamma: config.gamma, stride: this.numEnvs } : null;
    const envSeeds = seeds.envs(N);
    this.obs = this.vecs.flatMap((v, k) => {
      const first = v.reset({ seed: envSeeds.slice(k * this.numEnvs, (k + 1) * this.numEnvs) }).obs;
      return Array.from({ length: this.numEnvs }, (_, i) => padObs(first.slice(i * v.obsDim, (i + 1) * v.obsDim), this.obsDim));
    });
    this.epReturn = this.obs.map(() => 0);
    this.epLength = this.obs.map(() => 0);
    this.recentByTask = this.taskIds.map(() => []);
    this.evalByTask = this.taskIds.map(() => null);
    this.noiseStd = config.mixedNoise ? Float64Array.from(this.obs, () => this.drawNoiseStd()) : null;
    this.evalEnvs.forEach((ev, k) => ev.reset({ seed: streamSeed(config.seed, k === 0 ? 'offpolicy/eval' : `offpolicy/eval/${k}`) }));
  }

  get done(): boolean {
    return this.globalStep >= this.config.totalTimesteps;
  }

  /** Mean return of the last RETURN_WINDOW finished episodes (null before the first one ends). */
  recentReturnMean(): number | null {
    return meanOrNull(this.recentReturns);
  }

  /** A mixed-noise σ ~ U[noiseStdMin, noiseStdMax] (spec §9: per env, redrawn when its episode ends). */
  private drawNoiseStd(): number {
    return this.actionsRng.uniform(this.config.noiseStdMin, this.config.noiseStdMax);
  }

  /** One (vector) env step — an action and a transition per env (of every task) — and its updates. */
  step(): { episodes: EpisodeRecord[]; stats: UpdateStats[] } {
    const c = this.config;
    const t = this.globalStep;
    const N = this.obs.length;
    const A = this.actDim;
    const D = this.obsDim;
    const multiTask = this.taskIds.length > 1;
    const obsAll = new Float32Array(N * D);
    this.obs.forEach((o, i) => obsAll.set(o, i * D));
    // FastTD3 updates its normaliser on the observations it acts on (spec §9)
    this.learner.obsNorm?.update(obsAll, N);
    const a = new Float32Array(N * A);
    if (t < c.learningStarts) for (let j = 0; j < N * A; j++) a[j] = this.actionsRng.uniform(-1, 1);
    else this.learner.act(obsAll, N, 'explore', this.actionsRng, a, this.noiseStd, multiTask ? this.taskOf : undefined);
    const episodes: EpisodeRecord[] = [];
    const E = this.numEnvs;
    this.vecs.forEach((vec, k) => {
      const r = vec.step(Array.from({ length: E }, (_, j) => toEnvAction(a.subarray((k * E + j) * A, (k * E + j + 1) * A), this.low[k]!, this.high[k]!)));
      this.learner.rewardNorm?.update(r.rewards, Array.from({ length: E }, (_, j) => r.terminated[j]! || r.truncated[j]!));
      const d = vec.obsDim;
      for (let j = 0; j < E; j++) {
        const i = k * E + j;
        const ai = a.subarray(i * A, (i + 1) * A);
        const reward = r.rewards[j]!;
        const ended = r.terminated[j] === 1 || r.truncated[j] === 1;
        // same-step autoreset: an ending env's s′ is its final observation, r.obs already the reset one
        const next = padObs(r.obs.slice(j * d, (j + 1) * d), D);
        this.replays[k]!.add(this.obs[i]!, ai, reward, r.finalObs[j] ? padObs(r.finalObs[j]!, D) : next, r.terminated[j] === 1, r.truncated[j] === 1);
        this.learner.taskRewardNorm?.observe(i, k, reward, r.terminated[j] === 1, r.truncated[j] === 1);
        this.epReturn[i] = this.epReturn[i]! + reward;
        this.epLength[i] = this.epLength[i]! + 1;
        if (ended) {
          episodes.push({ step: t + N, return: this.epReturn[i]!, length: this.epLength[i]!, ...(multiTask ? { task: this.taskIds[k]! } : {}) });
          this.recentReturns = [...this.recentReturns, this.epReturn[i]!].slice(-RETURN_WINDOW);
          this.recentLengths = [...this.recentLengths, this.epLength[i]!].slice(-RETURN_WINDOW);
          if (multiTask) this.recentByTask[k] = [...this.recentByTask[k]!, this.epReturn[i]!].slice(-RETURN_WINDOW);
          this.epReturn[i] = 0;
          this.epLength[i] = 0;
          if (this.noiseStd) this.noiseStd[i] = this.drawNoiseStd();
        }
        this.obs[i] = next;
      }
    });
    this.globalStep = t + N;
    const stats: UpdateStats[] = [];
    // CleanRL: `if global_step > args.learning_starts` with global_step the 0-based step index
    if (t > c.learningStarts) {
      this.learner.beforeUpdates(t, N, (k) => new Rng(this.seeds.of(`offpolicy/refresh/${k}`, 0)));
      for (let u = 0; u < c.updatesPerStep; u++) {
        const b = this.nStep ? sampleNStep(this.replay, this.replayRng, this.batch, this.nStep) : this.taskReplay.sample(this.replayRng, this.batch);
        const val = this.valBatch ? this.replay.sampleValidation(this.replayRng, this.valBatch) : null;
        stats.push(this.learner.update(b, this.updateRng, val, u));
        if (this.resets.due('update', this.learner.updates)) this.resetNetworks();
      }
    }
    if (this.resets.due('env-step', this.globalStep)) this.resetNetworks();
    return { episodes, stats };
  }

  /** The scheduled reset just counted as done: its networks from the stream offpolicy/reset/k. */
  private resetNetworks(): void {
    const k = this.resets.done;
    this.learner.reset(this.resets.spec, new Rng(this.seeds.of(resetStream(k), 0)));
  }

  /**
   * Mean return of `episodes` deterministic episodes on the evaluation env; multi-task: on each
   * task's, the mean over the tasks (each task's kept for the row's eval_return_by_task).
   */
  evaluate(episodes = this.config.evalEpisodes): number {
    if (this.evalEnvs.length !== this.taskIds.length) throw new Error('OffPolicyTrainer.evaluate: no evaluation env');
    // deterministic: draws nothing
    this.evalByTask = this.evalEnvs.map((env, k) => meanOrNull(runEpisodes(this.learner, env, episodes, 'eval', this.actionsRng, k).returns));
    return meanOrNull(this.evalByTask as number[])!;
  }

  /** `logEvery` env steps (fewer at the end of the run) and one metrics row. */
  iterate(): { metrics: OffPolicyRow; episodes: EpisodeRecord[] } {
    const c = this.config;
    const end = Math.min(c.totalTimesteps, (Math.floor(this.globalStep / c.logEvery) + 1) * c.logEvery);
    const episodes: EpisodeRecord[] = [];
    const sums = { qf_loss: 0, qf1_values: 0, actor_loss: 0, alpha: 0, alpha_loss: 0 };
    const counts = { qf_loss: 0, qf1_values: 0, actor_loss: 0, alpha: 0, alpha_loss: 0 };
    const extra = this.learner.extraMetrics;
    const extraSums = extra.map(() => 0);
    const extraCounts = extra.map(() => 0);
    let evalReturn: number | null = null;
    this.evalByTask.fill(null);
    while (this.globalStep < end) {
      const before = this.globalStep;
      const { episodes: ended, stats } = this.step();
      episodes.push(...ended);
      for (const s of stats) {
        for (const k of Object.keys(sums) as (keyof typeof sums)[]) {
          const v = s[k];
          if (v === null) continue;
          sums[k] += v;
          counts[k] += 1;
        }
        extra.forEach((k, i) => {
          const v = s[k];
          if (v === null || v === undefined) return;
          extraSums[i] = extraSums[i]! + v;
          extraCounts[i] = extraCounts[i]! + 1;
        });
      }
      // a vector step may step over a multiple of evalEvery: evaluate where it is crossed
      if (c.evalEvery > 0 && Math.floor(this.globalStep / c.evalEvery) > Math.floor(before / c.evalEvery)) evalReturn = this.evaluate();
    }
    this.iteration += 1;
    const mean = (k: keyof typeof sums) => (counts[k] ? sums[k] / counts[k] : null);
    const metrics: OffPolicyRow = {
      iteration: this.iteration,
      global_step: this.globalStep,
      updates: this.learner.updates,
      episodic_return_mean: this.recentReturnMean(),
      episodic_length_mean: this.recentLengths.length ? this.recentLengths.reduce((x, y) => x + y, 0) / this.recentLengths.length : null,
      episodes_finished: episodes.length,
      qf_loss: mean('qf_loss'),
      qf1_values: mean('qf1_values'),
      actor_loss: mean('actor_loss'),
      alpha: mean('alpha'),
      alpha_loss: mean('alpha_loss'),
      resets: this.resets.done,
      eval_return_mean: evalReturn,
    };
    if (this.taskIds.length > 1) {
      metrics.episodic_return_by_task = Object.fromEntries(this.taskIds.map((id, k) => [id, meanOrNull(this.recentByTask[k]!)]));
      metrics.eval_return_by_task = Object.fromEntries(this.taskIds.map((id, k) => [id, this.evalByTask[k]!]));
    }
    extra.forEach((k, i) => {
      metrics[k] = extraCounts[i] ? extraSums[i]! / extraCounts[i]! : null;
    });
    return { metrics, episodes };
  }

  getState(): OffPolicyTrainerState {
    const envStates = this.vecs.flatMap((v) => v.envStates());
    return {
      iteration: this.iteration,
      globalStep: this.globalStep,
      learner: this.learner.getState(),
      rng: { actions: this.actionsRng.getState(), replay: this.replayRng.getState(), update: this.updateRng.getState() },
      env: envStates[0],
      evalEnv: this.evalEnv?.getState() ?? null,
      obs: Array.from(this.obs[0]!),
      episode: { return: this.epReturn[0]!, length: this.epLength[0]! },
      recent: { returns: [...this.recentReturns], lengths: [...this.recentLengths] },
      replayCount: this.replay.count,
      resetsDone: this.resets.done,
      ...(envStates.length > 1 ? { vector: { envs: envStates, obs: this.obs.map((o) => Array.from(o)), episodes: this.obs.map((_, i) => ({ return: this.epReturn[i]!, length: this.epLength[i]! })) } } : {}),
      ...(this.noiseStd ? { noiseStd: Array.from(this.noiseStd) } : {}),
      ...(this.taskIds.length > 1 ? { tasks: { replayCounts: this.replays.map((r) => r.count), evalEnvs: this.evalEnvs.map((ev) => ev.getState()), recentReturns: this.recentByTask.map((r) => [...r]) } } : {}),
    };
  }

  /** Restores everything but the replay's contents (load those with loadReplaySegments(trainer.replay, dir, s.replayCount)). */
  setState(s: OffPolicyTrainerState): void {
    this.iteration = s.iteration;
    this.globalStep = s.globalStep;
    this.learner.setState(s.learner);
    this.actionsRng.setState(s.rng.actions);
    this.replayRng.setState(s.rng.replay);
    this.updateRng.setState(s.rng.update);
    if (this.evalEnv && s.evalEnv !== null) this.evalEnv.setState(s.evalEnv);
    if (this.obs.length > 1) {
      const v = s.vector;
      if (!v || v.envs.length !== this.obs.length) throw new Error(`trainer state has ${v ? v.envs.length : 1} envs, the config ${this.obs.length}`);
      this.setEnvStates(v.envs);
      this.obs = v.obs.map((o) => Float32Array.from(o));
      this.epReturn = v.episodes.map((e) => e.return);
      this.epLength = v.episodes.map((e) => e.length);
    } else {
      this.setEnvStates([s.env]);
      this.obs = [Float32Array.from(s.obs)];
      this.epReturn = [s.episode.return];
      this.epLength = [s.episode.length];
    }
    if (this.noiseStd) {
      if (!s.noiseStd) throw new Error('trainer state has no mixed-noise σ');
      this.noiseStd.set(s.noiseStd);
    }
    this.recentReturns = [...s.recent.returns];
    this.recentLengths = [...s.recent.lengths];
    this.resets.done = s.resetsDone ?? 0;
    if (this.taskIds.length > 1) {
      const k = s.tasks;
      if (!k || k.replayCounts.length !== this.taskIds.length) throw new Error(`trainer state has ${k ? k.replayCounts.length : 1} tasks, the config ${this.taskIds.length}`);
      this.evalEnvs.forEach((ev, i) => ev.setState(k.evalEnvs[i]));
      this.recentByTask = k.recentReturns.map((r) => [...r]);
    }
  }

  /** Transitions in each task's ring when the state was taken (to load their segments). */
  static replayCounts(s: OffPolicyTrainerState): number[] {
    return s.tasks ? s.tasks.replayCounts : [s.replayCount];
  }

  /** Each env's state (all tasks', task-major), as `env.getState()` gave it (no env is waiting for an autoreset: same-step). */
  private setEnvStates(envs: unknown[]): void {
    const E = this.numEnvs;
    this.vecs.forEach((v, k) => {
      const mine = envs.slice(k * E, (k + 1) * E);
      v.setState({ envs: mine, needsReset: mine.map(() => 0) });
    });
  }

  close(): void {
    for (const v of this.vecs) v.close();
    for (const ev of this.evalEnvs) ev.close?.();
  }
}
