/**
 * The off-policy agents as configurations of one core (offpolicy/learner.ts, offpolicy/trainer.ts):
 * each agent is a set of defaults of OffPolicyConfig, never its own code.
 *
 * `sac`: CleanRL sac_continuous_action.py (spec baselines.md §2, §11): two 256-256 ReLU critics,
 *   min target, tanh-Gaussian actor with log σ ∈ [−5, 2] (tanh rescale), α auto-tuned from 1 toward
 *   H̄ = −|A| with lr q_lr, batch 256, γ 0.99, τ 0.005, learning_starts 5e3, policy lr 3e-4, q lr
 *   1e-3, actor every 2 critic updates with 2 actor steps (CleanRL's compensation), targets every update.
 * `td3`: CleanRL td3_continuous_action.py (§3): two 256-256 ReLU critics, min target, deterministic
 *   tanh actor ascending Q1, exploration N(0, 0.1), target smoothing N(0, 0.2) clipped at 0.5, lr 3e-4
 *   for both, batch 256, learning_starts 25e3, actor and targets every 2 critic updates.
 * Both: 1M-transition replay, one update per env step, 1M steps. Noise scales are in units of the half
 * action range (CleanRL multiplies by action_scale; our actions live in [−1, 1]).
 * pgvar's own (not CleanRL's): evalEvery, evalEpisodes, logEvery, checkpointEvery.
 */
import { UsageError } from '../common/errors.js';
import { OFF_POLICY_ALGOS, validateOffPolicyConfig, type OffPolicyAlgo, type OffPolicyConfig } from './config.js';

const common = {
  seed: 1,
  totalTimesteps: 1_000_000,
  bufferSize: 1_000_000,
  gamma: 0.99,
  tau: 0.005,
  batchSize: 256,
  updatesPerStep: 1,
  numCritics: 2,
  criticHidden: [256, 256],
  actorHidden: [256, 256],
  activation: 'relu' as const,
  criticLayerNorm: false,
  targetAggregator: 'min' as const,
  evalEvery: 0,
  evalEpisodes: 10,
  logEvery: 1000,
  checkpointEvery: 10_000,
  // unused by one family or the other, present so every config has every key
  logStdMin: -5,
  logStdMax: 2,
  targetEntropyScale: 1,
  explorationNoise: 0.1,
  policyNoise: 0.2,
  noiseClip: 0.5,
};

export const AGENT_DEFAULTS: Record<OffPolicyAlgo, Omit<OffPolicyConfig, 'envId'>> = {
  sac: {
    ...common,
    algo: 'sac',
    learningStarts: 5_000,
    policyLr: 3e-4,
    qLr: 1e-3,
    alphaLr: 1e-3,
    policyFrequency: 2,
    actorUpdatesPerDelay: 2,
    targetNetworkFrequency: 1,
    policy: 'tanh-gaussian',
    autotune: true,
    alpha: 1,
    actorAggregator: 'min',
  },
  td3: {
    ...common,
    algo: 'td3',
    learningStarts: 25_000,
    policyLr: 3e-4,
    qLr: 3e-4,
    alphaLr: 3e-4,
    policyFrequency: 2,
    actorUpdatesPerDelay: 1,
    targetNetworkFrequency: 2,
    policy: 'deterministic',
    autotune: false,
    alpha: 1,
    actorAggregator: 'first',
  },
};

/** Where each agent's defaults come from, for `pgvar agents` and the README. */
export const AGENT_SOURCES: Record<OffPolicyAlgo, { summary: string; keys: Partial<Record<keyof OffPolicyConfig, string>> }> = {
  sac: {
    summary: 'SAC with automatic temperature: CleanRL sac_continuous_action.py (spec baselines.md §2, §11)',
    keys: {
      qLr: 'CleanRL q_lr (SB3 and the paper: 3e-4)',
      learningStarts: 'CleanRL 5e3 (SB3 100, the paper 1e4)',
      policyFrequency: "CleanRL's TD3-style delay",
      actorUpdatesPerDelay: "CleanRL compensates the delay with policy_frequency actor steps",
      alphaLr: 'CleanRL uses q_lr',
      logStdMin: 'CleanRL [−5, 2] via tanh rescale (SB3: clamp [−20, 2])',
    },
  },
  td3: {
    summary: 'TD3: CleanRL td3_continuous_action.py (spec baselines.md §3, §11)',
    keys: {
      learningStarts: 'CleanRL 25e3 (SB3 100)',
      qLr: 'CleanRL learning_rate 3e-4 (paper, SB3: 1e-3)',
      actorAggregator: 'the actor ascends Q1',
      targetNetworkFrequency: 'targets with the delayed actor',
    },
  },
};

/** Keys pgvar adds around CleanRL's Args (evaluation, logging, checkpoints): not a paper's value. */
export const PGVAR_KEYS: readonly (keyof OffPolicyConfig)[] = ['evalEvery', 'evalEpisodes', 'logEvery', 'checkpointEvery'];

export function isOffPolicyAlgo(algo: string): algo is OffPolicyAlgo {
  return (OFF_POLICY_ALGOS as readonly string[]).includes(algo);
}

/** An agent's defaults for an env with overrides on top, validated. */
export function agentConfig(algo: string, envId: string, overrides: Record<string, unknown> = {}, where = 'config'): OffPolicyConfig {
  if (!isOffPolicyAlgo(algo)) throw new UsageError(`${where}: unknown off-policy agent '${algo}'; valid agents: ${OFF_POLICY_ALGOS.join(', ')}`);
  return validateOffPolicyConfig({ ...structuredClone(AGENT_DEFAULTS[algo]), envId, ...overrides, algo }, where);
}
