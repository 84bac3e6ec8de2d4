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
 * `sac`, `td3` (and `vpl`, `sac-ln-reset`, built on `sac`): 1M-transition replay, one update per env
 *   step, 1M steps.
 * `dac`: Nauman & Cygan's DACLearner and train_parallel.py (spec §5, §11): two 256×3 critics with
 *   LayerNorm, orthogonal init, min target (mean − 1·spread), conservative tanh-Gaussian actor 256×3
 *   with log σ ∈ [−10, 2] on the same bound, H̄ = −|A|/2, α₀ 1; a decoupled optimistic actor (σ × 1.25)
 *   on mean + β_ub·spread with a KL penalty λ toward π_c; β_ub (from −0.5) and λ (from 1) learned toward
 *   KL 0.5 per dimension with Adam 3e-5, β1 0.5; π_o re-copied every 25k env steps; Adam 3e-4
 *   everywhere, batch 256, 15 updates per env step, 25k random steps, 3M replay and steps. Full
 *   resets of every network, optimiser and dual after env steps 50k, 250k, 500k, 750k, 1M, 1.25M,
 *   1.5M, 2M, 2.5M (DAC_RESET_STEPS; `--reset-at none` turns them off); a reset of the actor takes π_o,
 *   β_ub and λ with it (offpolicy/resets.ts).
 * `vpl`: `sac` plus a validation buffer (every 10th transition held out) and the target's pessimism β
 *   learned on the validation TD loss (spec §7 — a reconstruction the spec marks [unverified]).
 * `sac-ln-reset`: the Bitter Lesson's regularised SAC as the spec's §12 proxy for it ("SAC + `ln`
 *   critic + full resets", §4): `sac` with LayerNorm after every hidden Linear of the critics and full
 *   resets (critic with targets, actor, temperature, their Adam states; buffer kept) after env steps
 *   15001, 50001, 250001, 500001, 750001, 1000001, 1500001, 2000001 — BRO's schedule (§6 [code]),
 *   since the spec gives none for the study itself. Everything else is `sac`'s. The spec marks the
 *   study's rankings (LN strongest, full resets beat partial ones, LN + resets most robust) as
 *   [unverified]; it names no replay ratio for the study ("large gains at high replay ratios"), so UTD
 *   stays 1.
 * All: Adam (AdamW selectable per network, qOptimizer/policyOptimizer), no resets unless listed.
 * Noise scales are in units of the half action range (CleanRL multiplies by action_scale; our actions
 * live in [−1, 1]).
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
  // dac and vpl (spec §5, §7); inert unless an agent switches them on
  init: 'torch' as const,
  pessimism: 1,
  learnPessimism: false,
  pessimismMin: -1,
  pessimismMax: 2,
  validationEvery: 0,
  optimisticActor: false,
  optimism: -0.5,
  klWeight: 1,
  klWeightMax: 20,
  klTarget: 0.5,
  stdMultiplier: 1.25,
  dualLr: 3e-5,
  dualBeta1: 0.5,
  optimisticRefreshEvery: 25_000,
  // optimisers and resets (offpolicy/resets.ts); sac-ln-reset sets a schedule
  qOptimizer: 'adam' as const,
  qWeightDecay: 0,
  policyOptimizer: 'adam' as const,
  policyWeightDecay: 0,
  resetAt: [] as number[],
  resetUnit: 'env-step' as const,
  resetNetworks: ['critic', 'actor', 'temperature'] as ResetTarget[],
  resetLayers: 0,
};

/**
 * DAC's full resets (spec baselines.md §5 [code]): train_parallel.py re-initialises every network,
 * optimiser and dual after these env-loop steps; its `--resets` flag is never read, so they always happen.
 */
export const DAC_RESET_STEPS = [50_000, 250_000, 500_000, 750_000, 1_000_000, 1_250_000, 1_500_000, 2_000_000, 2_500_000];

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
  dac: {
    ...common,
    algo: 'dac',
    totalTimesteps: 3_000_000,
    bufferSize: 3_000_000,
    updatesPerStep: 15,
    learningStarts: 25_000,
    policyLr: 3e-4,
    qLr: 3e-4,
    alphaLr: 3e-4,
    policyFrequency: 1,
    actorUpdatesPerDelay: 1,
    targetNetworkFrequency: 1,
    policy: 'tanh-gaussian',
    autotune: true,
    alpha: 1,
    targetEntropyScale: 0.5,
    logStdMin: -10,
    logStdMax: 2,
    criticHidden: [256, 256, 256],
    actorHidden: [256, 256, 256],
    criticLayerNorm: true,
    init: 'orthogonal',
    targetAggregator: 'mean-spread',
    actorAggregator: 'mean-spread',
    pessimism: 1,
    optimisticActor: true,
    resetAt: [...DAC_RESET_STEPS],
    resetNetworks: ['critic', 'actor', 'temperature'],
    resetLayers: 0,
  },
  vpl: {
    ...sac,
    algo: 'vpl',
    targetAggregator: 'mean-spread',
    actorAggregator: 'mean-spread',
    pessimism: 1,
    learnPessimism: true,
    validationEvery: 10,
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
  dac: {
    summary: 'DAC, decoupled optimistic exploration actor + conservative actor: naumix/Decoupled-Actor-Critic (spec baselines.md §5, §11); full resets at the reference schedule',
    keys: {
      totalTimesteps: 'train_parallel.py 3e6 loop steps (DMC with action_repeat 2, not applied here)',
      gamma: 'DACLearner discount 0.99',
      tau: 'DACLearner τ 0.005, Polyak after every critic step',
      batchSize: 'train_parallel.py 256',
      numCritics: 'DoubleCriticLN: 2',
      activation: 'ReLU',
      autotune: 'α learned toward H̄',
      alpha: 'α₀ = 1',
      logStdMax: 'log σ ≤ 2',
      bufferSize: 'train_parallel.py 3e6',
      updatesPerStep: 'train script default 15 (the code is a "rebuttal" variant; the paper tables may differ)',
      learningStarts: '25k random steps',
      policyLr: 'Adam 3e-4 for both actors',
      qLr: 'Adam 3e-4',
      alphaLr: 'Adam 3e-4 (β1 0.9)',
      policyFrequency: 'every update: critic, Polyak, π_c, π_o, α, β_ub, λ',
      targetEntropyScale: 'H̄ = −|A|/2',
      logStdMin: 'log σ ∈ [−10, 2] via tanh',
      criticHidden: '256-256-256 (DoubleCriticLN)',
      actorHidden: '256-256-256, both actors',
      criticLayerNorm: 'LayerNorm after each hidden Dense of the critics',
      init: 'orthogonal gain √2, log-std head 1, biases 0',
      targetAggregator: 'β_critic = 1: min of the two targets',
      actorAggregator: 'π_c on the lower bound, β_lb = pessimism = 1',
      pessimism: 'β_critic = β_lb = 1',
      optimisticActor: 'π_o, copied from π_c at init, only collects data',
      optimism: 'init β_ub = 0.5 − β_lb = −0.5 (β_ub = exp(p) − β_lb)',
      klWeight: 'init λ = 1 (λ = exp(p))',
      klWeightMax: 'loss uses min(λ, 20)',
      resetAt: 'train_parallel.py: full resets after env-loop steps 50k, 250k, 500k, 750k, 1M, 1.25M, 1.5M, 2M, 2.5M (its --resets flag is never read, so they always happen)',
      resetNetworks: 'all networks, optimisers and duals (π_o, β_ub, λ go with the actor); buffer kept',
      klTarget: '0.5 per action dimension (the paper tables may differ)',
      stdMultiplier: 'σ × 1.25 when acting; the KL uses the unscaled σ',
      dualLr: 'β_ub and λ: Adam 3e-5',
      dualBeta1: 'β_ub and λ: Adam β1 0.5',
      optimisticRefreshEvery: 'every 25 000 training env steps π_o ← π_c, β_ub and λ re-initialised (fresh Adam)',
    },
  },
  vpl: {
    summary: 'VPL, pessimism β learned on a validation buffer, on SAC (spec baselines.md §7): the β update, buffer split and β lr are a reconstruction the spec marks [unverified]',
    keys: {
      targetAggregator: 'mean − β·spread with the learned β (spec §7 [unverified])',
      actorAggregator: "pgvar's reading: the actor shares the learned β, as the group's BRO/DAC code shares its β [unverified]",
      pessimism: 'β starts at 1 (= SAC min) [unverified]',
      learnPessimism: 'one Adam step on β per update on ∂/∂β of the validation TD loss, critics fixed [unverified]',
      pessimismMin: 'β ∈ (−1, 2): the spec\'s example bounds [unverified]',
      validationEvery: 'every 10th transition (10 %; the spec suggests 5–10 % or every k-th, Fu et al. 2025) [unverified]',
      dualLr: 'small, as the other duals (DAC 3e-5) [unverified]',
      dualBeta1: 'as the other duals (DAC 0.5) [unverified]',
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
