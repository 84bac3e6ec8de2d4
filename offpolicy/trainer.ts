/**
 * The off-policy loop, CleanRL-style, one env step at a time (one env, as sac_continuous_action.py):
 *   act (uniform random for the first `learningStarts` steps, then the policy's exploration) → step
 *   → store (s, a, r, s′, terminated, truncated), s′ the env's own final observation → reset at an
 *   episode's end → past `learningStarts`, `updatesPerStep` updates, each on its own minibatch →
 *   the scheduled network resets (offpolicy/resets.ts: after an update, or after the env step).
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
 * env/0 and offpolicy/eval (the envs' resets). The trainer does no
 * I/O: `getState()` is JSON (the replay's contents go to offpolicy/replay-segments.ts beside it).
 */
import { Rng, type RngState } from '../common/rng.js';
import { RunSeeds, streamSeed } from '../common/seeding.js';
import type { Env } from '../envs/env.js';
import type { BoxSpace } from '../envs/spaces.js';
import type { OffPolicyConfig } from './config.js';
import { OffPolicyLearner, type ExtraMetric, type LearnerState, type UpdateStats } from './learner.js';
import { allocBatch, ReplayBuffer, type Batch } from './replay.js';
import { ResetSchedule, resetStream } from './resets.js';

/** Window of finished episodes behind `episodic_return_mean` (as ppo/trainer.ts). */
export const RETURN_WINDOW = 20;

export interface EpisodeRecord {
  /** Global step at which the episode ended. */
  step: number;
  return: number;
  length: number;
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
  /** Mean return of the deterministic evaluation episodes run at the end of this interval (null: none ran). */
  eval_return_mean: number | null;
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
}

/** An action in [−1, 1]^A onto a Box's bounds. */
export function toEnvAction(a: Float32Array, low: Float64Array, high: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let j = 0; j < a.length; j++) out[j] = low[j]! + 0.5 * (a[j]! + 1) * (high[j]! - low[j]!);
  return out;
}

/**
 * `episodes` whole episodes of the learner's policy on `env` (each starting with a reset without a
 * seed: seed the env before for a reproducible sequence). 'eval' is the deterministic tanh(μ(s)) and
 * draws nothing from `rng`; 'explore' acts as in training.
 */
export function runEpisodes(learner: OffPolicyLearner, env: Env, episodes: number, mode: 'explore' | 'eval', rng: Rng): { returns: number[]; lengths: number[] } {
  const space = env.actionSpace as BoxSpace;
  const a = new Float32Array(learner.actDim);
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let e = 0; e < episodes; e++) {
    let obs = env.reset().obs;
    let total = 0;
    let length = 0;
    for (;;) {
      learner.act(obs, 1, mode, rng, a);
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
  readonly replay: ReplayBuffer;
  readonly obsDim: number;
  readonly actDim: number;
  iteration = 0;
  globalStep = 0;
  private readonly low: Float64Array;
  private readonly high: Float64Array;
  private readonly actionsRng: Rng;
  private readonly replayRng: Rng;
  private readonly updateRng: Rng;
  private readonly batch: Batch;
  /** VPL: the held-out minibatch of each update (null without a validation split). */
  private readonly valBatch: Batch | null;
  private readonly seeds: RunSeeds;
  readonly resets: ResetSchedule;
  private obs: Float32Array;
  private epReturn = 0;
  private epLength = 0;
  private recentReturns: number[] = [];
  private recentLengths: number[] = [];

  /** `evalEnv`: a second instance of the env for deterministic evaluation (needed when evalEvery > 0). */
  constructor(readonly config: OffPolicyConfig, readonly env: Env, readonly evalEnv?: Env) {
    const space = env.actionSpace;
    if (space.kind !== 'box') throw new Error(`off-policy agents need a continuous (Box) action space; ${config.envId} has a discrete one`);
    if (env.observationSpace.kind !== 'box') throw new Error(`off-policy agents need vector observations; ${config.envId} has a discrete observation space`);
    if (config.evalEvery > 0 && !evalEnv) throw new Error('OffPolicyTrainer: evalEvery > 0 needs an evalEnv');
    this.obsDim = (env.observationSpace as BoxSpace).shape.reduce((a, b) => a * b, 1);
    this.actDim = space.shape.reduce((a, b) => a * b, 1);
    this.low = space.low;
    this.high = space.high;
    const seeds = new RunSeeds(config.seed, 'hashed-v1');
    this.seeds = seeds;
    this.resets = ResetSchedule.fromConfig(config);
    this.learner = new OffPolicyLearner(config, this.obsDim, this.actDim, new Rng(seeds.of('offpolicy/init', 0)));
    this.replay = new ReplayBuffer(config.bufferSize, this.obsDim, this.actDim, config.validationEvery ?? 0);
    this.actionsRng = new Rng(seeds.of('offpolicy/actions', 0));
    this.replayRng = new Rng(seeds.of('offpolicy/replay', 0));
    this.updateRng = new Rng(seeds.of('offpolicy/update', 0));
    this.batch = allocBatch(config.batchSize, this.obsDim, this.actDim);
    this.valBatch = this.learner.pessimismDual ? allocBatch(config.batchSize, this.obsDim, this.actDim) : null;
    this.obs = env.reset({ seed: seeds.envs(1)[0]! }).obs;
    evalEnv?.reset({ seed: streamSeed(config.seed, 'offpolicy/eval') });
  }

  get done(): boolean {
    return this.globalStep >= this.config.totalTimesteps;
  }

  /** Mean return of the last RETURN_WINDOW finished episodes (null before the first one ends). */
  recentReturnMean(): number | null {
    const a = this.recentReturns;
    return a.length ? a.reduce((x, y) => x + y, 0) / a.length : null;
  }

  /** An action in [−1, 1]^A onto the env's Box bounds. */
  private toEnv(a: Float32Array): Float64Array {
    return toEnvAction(a, this.low, this.high);
  }

  /** One env step and its updates. */
  step(): { episode: EpisodeRecord | null; stats: UpdateStats[] } {
    const c = this.config;
    const t = this.globalStep;
    const a = new Float32Array(this.actDim);
    if (t < c.learningStarts) for (let j = 0; j < this.actDim; j++) a[j] = this.actionsRng.uniform(-1, 1);
    else this.learner.act(this.obs, 1, 'explore', this.actionsRng, a);
    const r = this.env.step(this.toEnv(a));
    this.replay.add(this.obs, a, r.reward, r.obs, r.terminated, r.truncated);
    this.epReturn += r.reward;
    this.epLength += 1;
    this.globalStep += 1;
    let episode: EpisodeRecord | null = null;
    if (r.terminated || r.truncated) {
      episode = { step: this.globalStep, return: this.epReturn, length: this.epLength };
      this.recentReturns = [...this.recentReturns, this.epReturn].slice(-RETURN_WINDOW);
      this.recentLengths = [...this.recentLengths, this.epLength].slice(-RETURN_WINDOW);
      this.epReturn = 0;
      this.epLength = 0;
      this.obs = this.env.reset().obs;
    } else {
      this.obs = r.obs;
    }
    const stats: UpdateStats[] = [];
    // CleanRL: `if global_step > args.learning_starts` with global_step the 0-based step index
    if (t > c.learningStarts) {
      this.learner.beforeUpdates(t);
      for (let u = 0; u < c.updatesPerStep; u++) {
        const b = this.replay.sample(this.replayRng, this.batch);
        const val = this.valBatch ? this.replay.sampleValidation(this.replayRng, this.valBatch) : null;
        stats.push(this.learner.update(b, this.updateRng, val));
        if (this.resets.due('update', this.learner.updates)) this.resetNetworks();
      }
    }
    if (this.resets.due('env-step', this.globalStep)) this.resetNetworks();
    return { episode, stats };
  }

  /** The scheduled reset just counted as done: its networks from the stream offpolicy/reset/k. */
  private resetNetworks(): void {
    const k = this.resets.done;
    this.learner.reset(this.resets.spec, new Rng(this.seeds.of(resetStream(k), 0)));
  }

  /** Mean return of `episodes` deterministic episodes on the evaluation env. */
  evaluate(episodes = this.config.evalEpisodes): number {
    const env = this.evalEnv;
    if (!env) throw new Error('OffPolicyTrainer.evaluate: no evaluation env');
    const { returns } = runEpisodes(this.learner, env, episodes, 'eval', this.actionsRng); // deterministic: draws nothing
    return returns.reduce((x, y) => x + y, 0) / episodes;
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
    while (this.globalStep < end) {
      const { episode, stats } = this.step();
      if (episode) episodes.push(episode);
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
      if (c.evalEvery > 0 && this.globalStep % c.evalEvery === 0) evalReturn = this.evaluate();
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
    extra.forEach((k, i) => {
      metrics[k] = extraCounts[i] ? extraSums[i]! / extraCounts[i]! : null;
    });
    return { metrics, episodes };
  }

  getState(): OffPolicyTrainerState {
    return {
      iteration: this.iteration,
      globalStep: this.globalStep,
      learner: this.learner.getState(),
      rng: { actions: this.actionsRng.getState(), replay: this.replayRng.getState(), update: this.updateRng.getState() },
      env: this.env.getState(),
      evalEnv: this.evalEnv?.getState() ?? null,
      obs: Array.from(this.obs),
      episode: { return: this.epReturn, length: this.epLength },
      recent: { returns: [...this.recentReturns], lengths: [...this.recentLengths] },
      replayCount: this.replay.count,
      resetsDone: this.resets.done,
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
    this.env.setState(s.env);
    if (this.evalEnv && s.evalEnv !== null) this.evalEnv.setState(s.evalEnv);
    this.obs = Float32Array.from(s.obs);
    this.epReturn = s.episode.return;
    this.epLength = s.episode.length;
    this.recentReturns = [...s.recent.returns];
    this.recentLengths = [...s.recent.lengths];
    this.resets.done = s.resetsDone ?? 0;
  }

  close(): void {
    this.env.close?.();
    this.evalEnv?.close?.();
  }
}
