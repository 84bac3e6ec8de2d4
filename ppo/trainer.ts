/**
 * The PPO loop, CleanRL-style, one iteration at a time:
 *   anneal LR (detail 4) → collect a rollout → estimator.prepare → ppoUpdate.
 * The trainer holds every piece of state a run needs (networks, Adam moments, RNG streams, env and
 * normaliser state, the current observation, counters) and exposes it as one JSON-able snapshot for
 * exact resume. It does no I/O; `experiment/` writes logs and checkpoints around it.
 *
 * RNG streams (all derived from `seed` under the run's seed scheme, common/seeding.ts): network init,
 * action sampling, minibatch shuffling, the estimator's own stream and every sub-env are separate, so
 * adding an estimator's draws does not shift PPO's, and no stream of one run seed is a stream of another.
 */
import type { RngState } from '../common/rng.js';
import { Rng } from '../common/rng.js';
import { RunSeeds } from '../common/seeding.js';
import type { Env } from '../envs/env.js';
import { SimulatorPool } from '../envs/simulator-pool.js';
import type { VectorEnv } from '../envs/vector.js';
import type { Estimator, EstimatorContext } from '../estimators/estimator.js';
import { envFacts } from './env-facts.js';
import { ActorCritic } from '../nets/actor-critic.js';
import type { AdamState } from '../nets/adam.js';
import { createAgentOptimizer, type AgentOptimizer } from '../nets/optimizer.js';
import { activeBackend } from '../nets/backend.js';
import { loadVariables, serializeVariables, type SerializedTensor } from '../nets/serialize.js';
import { agentOptions, checkEngine, derived, type PpoConfig } from './config.js';
import { LearnerPool, learnerSpec } from './learner-pool.js';
import { RolloutCollector, type CollectorState, type EpisodeRecord } from './rollout.js';
import { ppoUpdate, type UpdateStats } from './update.js';

/** Window of finished episodes behind `episodic_return_mean` (and the summary's final_return_mean). */
export const RETURN_WINDOW = 20;

export interface IterationMetrics extends UpdateStats {
  iteration: number;
  global_step: number;
  learning_rate: number;
  episodic_return_mean: number | null;
  episodic_length_mean: number | null;
  episodes_finished: number;
  [estimatorStat: `estimator/${string}`]: number;
}

export interface IterationResult {
  metrics: IterationMetrics;
  episodes: EpisodeRecord[];
}

export interface TrainerState {
  iteration: number;
  globalStep: number;
  params: SerializedTensor[];
  adam: AdamState;
  rng: { shuffle: RngState; estimator: RngState };
  collector: CollectorState;
  envs: unknown;
  recent: { returns: number[]; lengths: number[] };
  estimator: unknown;
}

export class PpoTrainer {
  readonly agent: ActorCritic;
  readonly optimizer: AgentOptimizer;
  readonly collector: RolloutCollector;
  readonly numIterations: number;
  iteration = 0;
  globalStep = 0;
  /** Wall-clock split of the last iteration (not logged: metrics stay deterministic). */
  lastTimings = { rolloutMs: 0, estimatorMs: 0, updateMs: 0 };
  private readonly shuffleRng: Rng;
  private readonly estimatorRng: Rng;
  private recentReturns: number[] = [];
  private recentLengths: number[] = [];

  private readonly simulator: SimulatorPool | undefined;
  /** Worker threads sharing the update (config.learnerThreads > 1). */
  private readonly learners: LearnerPool | undefined;

  /** `envFactory` builds one more env with the training stack (needed by estimators that rewind the simulator). */
  constructor(readonly config: PpoConfig, readonly venv: VectorEnv, readonly estimator: Estimator, envFactory?: () => Env) {
    const seed = config.seed;
    checkEngine(config);
    // runs made before the scheme was recorded used offset-v0 and keep it, so they resume exactly
    const seeds = new RunSeeds(seed, config.seedScheme ?? 'offset-v0');
    this.agent = new ActorCritic(venv.singleObservationSpace, venv.singleActionSpace, agentOptions(config), new Rng(seeds.of('ppo/init', seed)));
    this.optimizer = createAgentOptimizer(this.agent);
    this.shuffleRng = new Rng(seeds.of('ppo/shuffle', seed + 2));
    this.estimatorRng = new Rng(seeds.of('ppo/estimator', seed + 3));
    const { obs, infos } = venv.reset({ seed: seeds.envs(venv.numEnvs) });
    this.collector = new RolloutCollector(venv, this.agent, new Rng(seeds.of('ppo/actions', seed + 1)), obs, infos);
    this.numIterations = derived(config).numIterations;
    if (config.learnerThreads > 1) {
      const spec = learnerSpec(this.agent, venv.singleObservationSpace, venv.singleActionSpace, config, activeBackend());
      this.learners = new LearnerPool(spec, config.learnerThreads);
    }
    if (estimator.simulatorSize) {
      if (!envFactory) throw new Error(`estimator '${estimator.name}' rewinds the simulator: PpoTrainer needs an envFactory`);
      this.simulator = new SimulatorPool(envFactory, estimator.simulatorSize);
      this.collector.recordSnapshots = true;
    }
  }

  /** Mean return of the last RETURN_WINDOW finished episodes (null before the first one ends). */
  recentReturnMean(): number | null {
    const a = this.recentReturns;
    return a.length ? a.reduce((x, y) => x + y, 0) / a.length : null;
  }

  get done(): boolean {
    return this.iteration >= this.numIterations;
  }

  /** CleanRL: lr · (1 − (iteration − 1)/num_iterations), iteration counted from 1. */
  learningRate(): number {
    const c = this.config;
    return c.annealLr ? (1 - this.iteration / this.numIterations) * c.learningRate : c.learningRate;
  }

  estimatorContext(): EstimatorContext {
    const c = this.config;
    return {
      agent: this.agent,
      gamma: c.gamma,
      gaeLambda: c.gaeLambda,
      bootstrapTruncation: c.bootstrapTruncation,
      rng: this.estimatorRng,
      simulator: this.simulator,
      progress: { iteration: this.iteration, numIterations: this.numIterations, globalStep: this.globalStep },
      training: true,
      ...envFacts(this.venv, c.envId),
    };
  }

  iterate(): IterationResult {
    const c = this.config;
    const lr = this.learningRate();
    const t0 = performance.now();
    const rollout = this.collector.collect(c.numSteps, this.globalStep);
    const t1 = performance.now();
    const batch = this.estimator.prepare(rollout, this.estimatorContext());
    const t2 = performance.now();
    this.globalStep += c.numSteps * c.numEnvs;
    const stats = ppoUpdate(this.agent, this.optimizer, batch, c, lr, this.shuffleRng, this.globalStep, this.learners);
    this.lastTimings = { rolloutMs: t1 - t0, estimatorMs: t2 - t1, updateMs: performance.now() - t2 };
    this.iteration += 1;
    for (const e of rollout.episodes) {
      this.recentReturns.push(e.return);
      this.recentLengths.push(e.length);
    }
    this.recentReturns = this.recentReturns.slice(-RETURN_WINDOW);
    this.recentLengths = this.recentLengths.slice(-RETURN_WINDOW);
    const metrics: IterationMetrics = {
      iteration: this.iteration,
      global_step: this.globalStep,
      learning_rate: lr,
      episodic_return_mean: this.recentReturnMean(),
      episodic_length_mean: this.recentLengths.length ? this.recentLengths.reduce((x, y) => x + y, 0) / this.recentLengths.length : null,
      episodes_finished: rollout.episodes.length,
      ...stats,
    };
    for (const [k, v] of Object.entries(batch.stats)) metrics[`estimator/${k}`] = v;
    return { metrics, episodes: rollout.episodes };
  }

  getState(): TrainerState {
    return {
      iteration: this.iteration,
      globalStep: this.globalStep,
      params: serializeVariables(this.agent.allParams),
      adam: this.optimizer.getState(),
      rng: { shuffle: this.shuffleRng.getState(), estimator: this.estimatorRng.getState() },
      collector: this.collector.getState(),
      envs: this.venv.getState(),
      recent: { returns: [...this.recentReturns], lengths: [...this.recentLengths] },
      estimator: this.estimator.getState?.() ?? null,
    };
  }

  setState(s: TrainerState): void {
    this.iteration = s.iteration;
    this.globalStep = s.globalStep;
    loadVariables(this.agent.allParams, s.params);
    this.agent.syncFromTf();
    this.optimizer.setState(s.adam);
    this.shuffleRng.setState(s.rng.shuffle);
    this.estimatorRng.setState(s.rng.estimator);
    this.collector.setState(s.collector);
    this.venv.setState(s.envs);
    this.recentReturns = [...s.recent.returns];
    this.recentLengths = [...s.recent.lengths];
    if (s.estimator !== null) this.estimator.setState?.(s.estimator);
  }

  dispose(): void {
    this.venv.close();
    this.simulator?.close();
    this.agent.dispose();
    this.optimizer.dispose();
    this.estimator.dispose?.();
    void this.learners?.dispose();
  }
}
