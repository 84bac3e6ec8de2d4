/**
 * The estimator interface: the one seam between the PPO core and the policy-gradient estimators.
 *
 * An estimator turns an on-policy rollout into (a) the per-sample terms of the policy loss PPO
 * optimises — one row per (state, action) pair with its old log-prob, advantage and weight — and
 * (b) the value-regression targets for the visited states. The single-action estimator returns one
 * row per visited state. Many-actions estimators (QMA, DAA/MBMA, MC) add N extra rows per state,
 * each with its own advantage and weight; model-rollout estimators (MBPO) add simulated states.
 * Every policy row names the real state it belongs to (`stateIndex`), so PPO can keep a state's rows
 * in one minibatch. PPO never needs to know which estimator produced the batch.
 *
 * The policy loss PPO minimises for a minibatch M is
 *   L = Σ_{i∈M} w_i · max(−Â_i ρ_i, −Â_i clip(ρ_i, 1±ε)) / Σ_{i∈M} w_i,   ρ_i = π(a_i|s_i)/π_old(a_i|s_i),
 * so at ρ = 1 its gradient is −Σ w_i Â_i ∇log π(a_i|s_i) / Σ w_i: the estimator's gradient estimate.
 */
import type { Rng } from '../common/rng.js';
import type { SimulatorPool } from '../envs/simulator-pool.js';
import type { Space } from '../envs/spaces.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import type { Rollout } from '../ppo/rollout.js';

export interface PolicySamples {
  /** rows × obsDim */
  obs: Float32Array;
  /** rows × actionDim (discrete: the index as a float) */
  actions: Float32Array;
  oldLogProbs: Float32Array;
  advantages: Float32Array;
  weights: Float32Array;
  /** Row → index of the visited state it belongs to (0 … numStates−1), non-decreasing. */
  stateIndex: Int32Array;
  /**
   * true when every row's observation is its state's (`value.obs[stateIndex[row]]`), as in the
   * action-set and many-actions batches: the update then runs the network once per state and copies
   * the outputs to the rows (k× less work and memory for a CNN). Unset for imagined states (mbpo).
   */
  rowsAreStates?: boolean;
}

export interface ValueTargets {
  /** numStates × obsDim */
  obs: Float32Array;
  returns: Float32Array;
  /** V_old(s), for value clipping and explained variance. */
  oldValues: Float32Array;
}

export interface EstimatorBatch {
  numStates: number;
  policy: PolicySamples;
  value: ValueTargets;
  /** Estimator-specific diagnostics, logged under `estimator/<key>`. */
  stats: Record<string, number>;
}

export interface EstimatorContext {
  agent: ActorCritic;
  gamma: number;
  gaeLambda: number;
  bootstrapTruncation: boolean;
  /** The estimator's own RNG stream (extra-action sampling); checkpointed by the trainer. */
  rng: Rng;
  /** Spare envs to rewind the simulator, present when the estimator sets `simulatorSize`. */
  simulator?: SimulatorPool;
  /** Where training stands (schedules such as MBMA's annealing of N and H read it). */
  progress: {
    iteration: number;
    numIterations: number;
    globalStep: number;
    /**
     * true: schedules are off and every estimator runs at its configured maximum (MBMA/MBPO's N and
     * H), whatever the clock says. The analysis sets it: a gradient measured at a checkpoint should
     * describe the estimator, not where its warm-up schedule happened to stand. Training leaves it unset.
     */
    fullStrength?: boolean;
  };
  /** false when called by the analysis module: learned parts must not be updated. */
  training: boolean;
  /**
   * How the env stack maps raw observations and rewards (`Rollout.raw`) into what the agent sees now
   * (its normalisers' current statistics and clips; each sub-env has its own). `envOf(row)` names the
   * sub-env a row's state came from. Absent = identity (no normalisation).
   */
  agentScaling?: AgentScaling;
  /** The bounds the env clips executed actions to (Gymnasium's ClipAction); null/absent = executed as sampled. */
  actionBounds?: { low: Float32Array; high: Float32Array } | null;
  /** false when the task never terminates (DMC, Pendulum): learned models then predict no termination. Absent = true. */
  canTerminate?: boolean;
}

export interface AgentScaling {
  observations(raw: Float32Array, n: number, envOf: (row: number) => number): Float32Array;
  rewards(raw: Float32Array, envOf: (row: number) => number): Float32Array;
}

export interface Estimator {
  readonly name: string;
  /**
   * Estimators that value extra actions in the real simulator set this to the number of spare envs
   * they want; the rollout then carries env snapshots and the context a `SimulatorPool`.
   */
  readonly simulatorSize?: number;
  prepare(rollout: Rollout, ctx: EstimatorContext): EstimatorBatch;
  /**
   * Throws a UsageError when the estimator cannot run on these spaces (a set estimator on continuous
   * actions, a world model on frames). Config resolution calls it, so a bad pairing fails before the
   * run directory exists.
   */
  checkSpaces?(observationSpace: Space, actionSpace: Space): void;
  /**
   * Every option's value after defaults and presets. Config resolution stores them in the run's
   * config.json, so a resumed run keeps its settings even if a later version changes a default.
   */
  resolvedOptions?(): Record<string, unknown>;
  /** Learned parts (Q-networks, world models) and their optimisers, for checkpoints. */
  getState?(): unknown;
  setState?(state: unknown): void;
  dispose?(): void;
}

export interface EstimatorInfo {
  name: string;
  aliases: string[];
  description: string;
  /** Extra (state, action) rows per visited state, in words ("0", "N", ...). */
  extraActionsPerState: string;
  create(options: Record<string, unknown>): Estimator;
}
