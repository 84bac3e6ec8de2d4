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
 * `sac-ln-reset`: the Bitter Lesson's regularised SAC as the spec's §12 proxy for it ("SAC + `ln`
 *   critic + full resets", §4): `sac` with LayerNorm after every hidden Linear of the critics and full
 *   resets (critic with targets, actor, temperature, their Adam states; buffer kept) after env steps
 *   15001, 50001, 250001, 500001, 750001, 1000001, 1500001, 2000001 — BRO's schedule (§6 [code]),
 *   since the spec gives none for the study itself. Everything else is `sac`'s. The spec marks the
 *   study's rankings (LN strongest, full resets beat partial ones, LN + resets most robust) as
 *   [unverified]; it names no replay ratio for the study ("large gains at high replay ratios"), so UTD
 *   stays 1.
 * All: 1M-transition replay, one update per env step, 1M steps, Adam (AdamW selectable per network,
 * qOptimizer/policyOptimizer), no resets unless listed. Noise scales are in units of the half action
 * range (CleanRL multiplies by action_scale; our actions live in [−1, 1]).
 * pgvar's own (not CleanRL's): evalEvery, evalEpisodes, logEvery, checkpointEvery.
 */
import { UsageError } from '../common/errors.js';
import { OFF_POLICY_ALGOS, validateOffPolicyConfig, type OffPolicyAlgo, type OffPolicyConfig, type ResetTarget } from './config.js';

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
  criticTrunk: 'mlp' as const,
  criticBlocks: 2,
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
  qOptimizer: 'adam' as const,
  qWeightDecay: 0,
  policyOptimizer: 'adam' as const,
  policyWeightDecay: 0,
  resetAt: [] as number[],
  resetUnit: 'env-step' as const,
  resetNetworks: ['critic', 'actor', 'temperature'] as ResetTarget[],
  resetLayers: 0,
};

/** BRO's reset env steps (spec baselines.md §6 [code], the §12.10 preset). */
export const BRO_RESET_STEPS = [15_001, 50_001, 250_001, 500_001, 750_001, 1_000_001, 1_500_001, 2_000_001];

const sac = {
  ...common,
  algo: 'sac' as const,
  learningStarts: 5_000,
  policyLr: 3e-4,
  qLr: 1e-3,
  alphaLr: 1e-3,
  policyFrequency: 2,
  actorUpdatesPerDelay: 2,
  targetNetworkFrequency: 1,
  policy: 'tanh-gaussian' as const,
  autotune: true,
  alpha: 1,
  actorAggregator: 'min' as const,
};

export const AGENT_DEFAULTS: Record<OffPolicyAlgo, Omit<OffPolicyConfig, 'envId'>> = {
  sac,
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
  'sac-ln-reset': {
    ...sac,
    algo: 'sac-ln-reset',
    criticLayerNorm: true,
    resetAt: [...BRO_RESET_STEPS],
    resetNetworks: ['critic', 'actor', 'temperature'],
    resetLayers: 0,
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
  'sac-ln-reset': {
    summary:
      "SAC + LayerNorm critics + full resets, the spec's proxy (§12) for the Bitter Lesson's regularised SAC (§4; its rankings are [unverified] there); reset steps are BRO's (§6), the study's own are not in the spec; the rest is sac's",
    keys: {
      criticLayerNorm: 'the Bitter Lesson: LN in the critic, the strongest single intervention (§4 [unverified])',
      resetAt: "BRO's reset env steps (§6 [code], §12.10); the Bitter Lesson's schedule is not in the spec (reconstructed)",
      resetNetworks: 'full resets: actor, critic and optimiser states, buffer kept (§4 [unverified]); α too, as BRO (§6 [code])',
      resetLayers: 'full, not last-layer resets (§4 [unverified]: full beat partial)',
      updatesPerStep: "sac's 1: the spec names no replay ratio for the study (resets gain most at high ones, §4)",
      qLr: "sac's: CleanRL q_lr",
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
