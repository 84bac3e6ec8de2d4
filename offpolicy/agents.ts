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
 *   KL 0.5 per dimension with Adam 3e-5, β1 0.5; π_o a fresh network of its own, re-drawn every 25k env steps; Adam 3e-4
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
 * `bro`: Nauman et al.'s BRO (NeurIPS 2024; spec §6, §11, [code] of naumix/BiggerRegularizedOptimistic):
 *   two BroNet critics (width 512, 2 blocks) with a 100-quantile head (QR-Huber, κ 1), target and
 *   actor on β = 0 (the mean of the two critics per quantile; no clipped double Q); a tanh-Gaussian
 *   BroNet actor (256, 1 block, log σ ∈ [−10, 2]); BRO's optimistic exploration (offpolicy/
 *   optimistic.ts, mode 'shift': μ_o = μ_c + Δ(s, μ_c), σ_o = 0.75·σ_c, KL target 0.05 per
 *   dimension, β_ub₀ 1, λ₀ 0.25, bounded log-parametrised duals on Adam 3e-5, β1 0.5); α₀ 1 toward
 *   −|A|/2 on Adam 3e-4, β1 0.5; AdamW 3e-4 with weight decay 1e-4 for actor, π_o and critics; batch
 *   128, 10 updates per env step, γ 0.99, τ 0.005, 2 500 random steps, 1M replay and steps; full
 *   resets (networks, π_o, α, β_ub, λ and their optimisers; replay kept) after env steps 15 001,
 *   50 001, 250 001, …; evaluation every 25k steps over 5 episodes.
 * `bro-fast`: `bro` with 2 updates per env step and only the 15 001 reset (BRO's updates_per_step == 2 rule).
 * `fasttd3`: Seo et al.'s FastTD3 (arXiv 2505.22642; spec §9, §11, [code] of younggyoseo/FastTD3,
 *   hyperparams.py HumanoidBench base): TD3 with 128 envs stepped together, batch 32 768, 2 updates
 *   per vector step, two 1024-512-256 ReLU critics with 101-atom C51 heads on [−250, 250] (FastTD3's
 *   clip-edge rule), clipped double Q over distributions (the target is the projected distribution of
 *   the target critic with the smaller expectation; the actor ascends min(E Q1, E Q2)), a deterministic
 *   512-256-128 tanh actor with no target copy (target actions from the online actor, smoothing
 *   N(0, 0.001) clipped at 0.5), mixed exploration noise σ_i ~ U[0.001, 0.4] per env, redrawn at its
 *   episode's end, running observation normalisation (ε 1e-2), AdamW 3e-4 with weight decay 0.1 for
 *   both, γ 0.99, τ 0.1 after every critic update, the actor after the second critic update of each
 *   pair, a replay of 50·1024 transitions per env, 10 vector steps before the first update,
 *   one-step targets (nStep 1; n-step returns selectable, offpolicy/nstep.ts) and no reward
 *   normalisation (selectable: rewardNormalization), the envs stepped in the trainer's thread (vectorEnv 'sync').
 * `brc`: Nauman et al.'s BRC (arXiv 2505.23150; spec §8, §11, [code] of naumix/BiggerRegularizedCategorical,
 *   train.py and BRC.__init__): an ensemble of 2 BroNet critics (width 4096 — train.py's width_critic,
 *   the released default — 2 blocks) with 101-atom categorical heads on linspace(−10, 10, 101); the
 *   target is the mean over the ensemble of the target critics' probabilities, shifted by
 *   r + γm(z − α log π(a′|s′)), clipped and C51-projected (BRC's l = u rule), the loss the sum over
 *   members of the cross-entropy; a tanh-Gaussian BroNet actor (256, 1 block, log σ ∈ [−10, 2])
 *   ascending Σ_k z_k·(mean of the members' probabilities)_k − α log π (risk-neutral, no min);
 *   α₀ 0.1 toward −|A|/2 on Adam 3e-4, β1 0.5; AdamW 3e-4 with weight decay 1e-4 for actor and critic;
 *   γ 0.99, τ 0.005, 2 updates per env step, batch 256 (1024 multi-task: MULTI_TASK_DEFAULTS), 5 000
 *   random steps, 1M replay per task and steps; per-task reward normalisation
 *   (offpolicy/task-reward-normalizer.ts); no resets, no optimistic actor; evaluation every 50k steps over
 *   10 episodes. Multi-task (envId a comma list): a 32-dim unit-norm task embedding in the critic.
 * Presets (AGENT_PRESETS): every agent's defaults are its reference's ('paper'); `bro`, `bro-fast`,
 *   `fasttd3` and `brc` also have 'cpu', the same structure with narrower networks and a lower replay
 *   ratio (or fewer envs) for a 2-core CPU.
 * All: Adam (AdamW selectable per network, qOptimizer/policyOptimizer), no resets unless listed.
 * Noise scales are in units of the half action range (CleanRL multiplies by action_scale; our actions
 * live in [−1, 1]).
 * pgvar's own (not CleanRL's): evalEvery, evalEpisodes, logEvery, checkpointEvery.
 */
import { UsageError } from '../common/errors.js';
import { OFF_POLICY_ALGOS, PRESETS, taskIds, validateOffPolicyConfig, type OffPolicyAlgo, type OffPolicyConfig, type PresetName, type ResetTarget } from './config.js';

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
  actorTrunk: 'mlp' as const,
  actorBlocks: 1,
  // the value head (offpolicy/heads.ts); the distributional keys are inert on a scalar head
  valueHead: 'scalar' as const,
  quantiles: 100,
  huberKappa: 1,
  atoms: 101,
  vMin: -10,
  vMax: 10,
  categoricalTarget: 'c51' as const,
  hlGaussSigma: 0.75,
  c51Edge: 'brc' as const,
  targetAggregator: 'min' as const,
  evalEvery: 0,
  evalEpisodes: 10,
  logEvery: 1000,
  checkpointEvery: 10_000,
  // unused by one family or the other, present so every config has every key
  logStdMin: -5,
  logStdMax: 2,
  alphaBeta1: 0.9,
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
  optimisticMode: 'separate' as const,
  optimism: -0.5,
  klWeight: 1,
  klWeightMax: 20,
  klTarget: 0.5,
  stdMultiplier: 1.25,
  dualLr: 3e-5,
  dualBeta1: 0.5,
  optimisticRefreshEvery: 25_000,
  optimisticInit: 'copy' as const,
  // optimisers and resets (offpolicy/resets.ts); sac-ln-reset sets a schedule
  qOptimizer: 'adam' as const,
  qWeightDecay: 0,
  policyOptimizer: 'adam' as const,
  policyWeightDecay: 0,
  resetAt: [] as number[],
  resetUnit: 'env-step' as const,
  resetNetworks: ['critic', 'actor', 'temperature'] as ResetTarget[],
  resetLayers: 0,
  // fasttd3 (spec §9); inert in the others: one env, fixed exploration noise, no normaliser, TD3's target actor
  numEnvs: 1,
  mixedNoise: false,
  noiseStdMin: 0.001,
  noiseStdMax: 0.4,
  obsNormalization: false,
  obsNormEps: 1e-2,
  targetActor: true,
  policyPhase: 0,
  actorLastLayerStd: 0,
  nStep: 1,
  rewardNormalization: false,
  vectorEnv: 'sync' as const,
  // brc (spec §8); inert in the others: no per-task reward normalisation, single-task
  taskRewardNormalization: false,
  taskEmbeddingDim: 0,
  preset: 'paper' as const,
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

/**
 * What BRO and BRC share (the Nauman codebases, spec §6, §8 [code]): two BroNet critics with 2 blocks,
 * a tanh-Gaussian BroNet actor (256, 1 block, log σ ∈ [−10, 2]), orthogonal init, AdamW 3e-4 with
 * weight decay 1e-4 for actor and critics, α learned toward −|A|/2 on Adam 3e-4 with β1 0.5, every
 * step: critic, Polyak, actor, α; 1M steps and replay.
 */
const broNetAgent = {
  ...common,
  totalTimesteps: 1_000_000,
  bufferSize: 1_000_000,
  policyLr: 3e-4,
  qLr: 3e-4,
  alphaLr: 3e-4,
  alphaBeta1: 0.5,
  policyFrequency: 1,
  actorUpdatesPerDelay: 1,
  targetNetworkFrequency: 1,
  qOptimizer: 'adamw' as const,
  qWeightDecay: 1e-4,
  policyOptimizer: 'adamw' as const,
  policyWeightDecay: 1e-4,
  policy: 'tanh-gaussian' as const,
  autotune: true,
  targetEntropyScale: 0.5,
  logStdMin: -10,
  logStdMax: 2,
  init: 'orthogonal' as const,
  numCritics: 2,
  criticTrunk: 'bronet' as const,
  criticBlocks: 2,
  actorTrunk: 'bronet' as const,
  actorHidden: [256],
  actorBlocks: 1,
};

const bro = {
  ...broNetAgent,
  algo: 'bro' as const,
  batchSize: 128,
  updatesPerStep: 10,
  learningStarts: 2_500,
  alpha: 1,
  criticHidden: [512],
  valueHead: 'quantile' as const,
  quantiles: 100,
  huberKappa: 1,
  targetAggregator: 'mean-spread' as const,
  actorAggregator: 'mean-spread' as const,
  pessimism: 0,
  optimisticActor: true,
  optimisticMode: 'shift' as const,
  optimism: 1,
  klWeight: 0.25,
  // above λ's bound e^7.5 ≈ 1808: BRO's loss has no cap
  klWeightMax: 2000,
  klTarget: 0.05,
  stdMultiplier: 0.75,
  dualLr: 3e-5,
  dualBeta1: 0.5,
  optimisticRefreshEvery: 0,
  resetAt: [...BRO_RESET_STEPS],
  resetUnit: 'env-step' as const,
  resetNetworks: ['critic', 'actor', 'temperature'] as ResetTarget[],
  resetLayers: 0,
  evalEvery: 25_000,
  evalEpisodes: 5,
};

const brc = {
  ...broNetAgent,
  algo: 'brc' as const,
  batchSize: 256,
  updatesPerStep: 2,
  learningStarts: 5_000,
  alpha: 0.1,
  criticHidden: [4096],
  valueHead: 'categorical' as const,
  atoms: 101,
  vMin: -10,
  vMax: 10,
  categoricalTarget: 'c51' as const,
  c51Edge: 'brc' as const,
  targetAggregator: 'mean' as const,
  actorAggregator: 'mean' as const,
  pessimism: 0,
  taskRewardNormalization: true,
  taskEmbeddingDim: 32,
  resetAt: [] as number[],
  evalEvery: 50_000,
  evalEpisodes: 10,
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
    optimisticInit: 'fresh',
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
  bro,
  'bro-fast': { ...bro, algo: 'bro-fast', updatesPerStep: 2, resetAt: [BRO_RESET_STEPS[0]!] },
  fasttd3: {
    ...common,
    algo: 'fasttd3',
    numEnvs: 128,
    // 100k vector steps (the spec's lower end, 100k–1M per task) × 128 envs; global_step counts transitions
    totalTimesteps: 100_000 * 128,
    bufferSize: 50 * 1024 * 128,
    batchSize: 32_768,
    updatesPerStep: 2,
    learningStarts: 10 * 128,
    gamma: 0.99,
    tau: 0.1,
    policyLr: 3e-4,
    qLr: 3e-4,
    alphaLr: 3e-4,
    qOptimizer: 'adamw',
    qWeightDecay: 0.1,
    policyOptimizer: 'adamw',
    policyWeightDecay: 0.1,
    policyFrequency: 2,
    policyPhase: 1,
    actorUpdatesPerDelay: 1,
    targetNetworkFrequency: 1,
    policy: 'deterministic',
    autotune: false,
    alpha: 1,
    targetActor: false,
    actorLastLayerStd: 0.01,
    policyNoise: 0.001,
    noiseClip: 0.5,
    mixedNoise: true,
    noiseStdMin: 0.001,
    noiseStdMax: 0.4,
    obsNormalization: true,
    obsNormEps: 1e-2,
    criticHidden: [1024, 512, 256],
    actorHidden: [512, 256, 128],
    valueHead: 'categorical',
    atoms: 101,
    vMin: -250,
    vMax: 250,
    categoricalTarget: 'c51',
    c51Edge: 'fasttd3',
    targetAggregator: 'min-by-expectation',
    actorAggregator: 'min-by-expectation',
  },
  brc,
};

/**
 * Values a multi-task run (envId a comma list) takes over the agent's defaults and preset, under
 * --config keys and flags: BRC's batch of 1024 rows drawn uniformly over task × index (spec §8 [code]).
 */
export const MULTI_TASK_DEFAULTS: Partial<Record<OffPolicyAlgo, Partial<Omit<OffPolicyConfig, 'envId'>>>> = {
  brc: { batchSize: 1024 },
};

/**
 * The step schedules a multi-task run of T tasks scales by T where the user did not set them (the
 * defaults, presets and MULTI_TASK_DEFAULTS are per task): global_step counts transitions over all
 * tasks (T per vector step of one env per task), while BRC's train.py counts steps per task (1M steps,
 * 5 000 random steps, evaluation every 50k, each per task; spec §8 [code]). logEvery and
 * checkpointEvery are pgvar's own and scaled the same way, so that a T-task run logs and checkpoints
 * at the same steps per task as a single-task run.
 */
export const PER_TASK_STEP_KEYS = ['learningStarts', 'totalTimesteps', 'evalEvery', 'logEvery', 'checkpointEvery'] as const;

/** The keys of PER_TASK_STEP_KEYS a multi-task run of envId scales by its task count (those not in overrides); [] single-task. */
export function scaledStepKeys(envId: string, overrides: Record<string, unknown> = {}): (typeof PER_TASK_STEP_KEYS)[number][] {
  if (taskIds(envId).length < 2) return [];
  return PER_TASK_STEP_KEYS.filter((k) => overrides[k] === undefined);
}

/** One line for stderr naming the step defaults a multi-task run scaled (undefined: none). */
export function scaledStepNote(envId: string, overrides: Record<string, unknown> = {}): string | undefined {
  const keys = scaledStepKeys(envId, overrides);
  if (!keys.length) return undefined;
  const T = taskIds(envId).length;
  return `pgvar: ${T} tasks: the defaults of ${keys.join(', ')} are per task and scaled ×${T} (global_step counts transitions over all tasks); set them to override`;
}

/**
 * Presets: a name → the values that differ from the agent's defaults (which are the reference's,
 * 'paper'). BRO's critics are 512 wide (BRC's 4096) with replay ratios up to 10 (spec §6, §11): on a
 * 2-core CPU `cpu` keeps the structure (BroNet critics with 2 blocks, the quantile head, the
 * optimistic shift, AdamW, the resets) and scales the widths down 4× and the replay ratio 5× (bro)
 * and 2× (bro-fast). Costs of both presets: bench/bro-update.ts.
 */
const BRO_CPU = { criticHidden: [128], actorHidden: [64] };
/**
 * FastTD3 (spec §9) runs 128 envs, batches of 32 768 and 1024-wide critics on a GPU; its `cpu` preset
 * keeps the structure (vector env, C51 with min by expectation, mixed noise, obs normalisation, τ 0.1,
 * AdamW wd 0.1, UTD 2 per vector step, 256 samples per env in a batch... scaled) and takes the spec's
 * §12 CPU scale: 8 envs, batch 1024 (128 per env), critics 256-128-64, actor 128-64-32, the replay
 * at 50·1024 per env. Costs of both presets: bench/fasttd3-update.ts.
 */
const FASTTD3_CPU = { numEnvs: 8, batchSize: 1024, criticHidden: [256, 128, 64], actorHidden: [128, 64, 32], bufferSize: 50 * 1024 * 8, learningStarts: 10 * 8, totalTimesteps: 100_000 * 8 };
/**
 * BRC's released critic is 4096 wide (spec §8: train.py's width_critic): the pair's parameters, their
 * AdamW moments and the target copy need more than the wasm engine's 2 GiB arena (the one-line
 * engine error). `cpu` keeps the structure (2 BroNet critics with 2 blocks, 101 atoms on ±10, the
 * mean of probabilities, the reward normaliser, α₀ 0.1, AdamW, UTD 2, the task embedding) with
 * critics 256 wide and the actor 64. Costs of both presets: bench/brc-update.ts.
 */
const BRC_CPU = { criticHidden: [256], actorHidden: [64] };
export const AGENT_PRESETS: Partial<Record<OffPolicyAlgo, Record<Exclude<PresetName, 'paper'>, Partial<Omit<OffPolicyConfig, 'envId'>>>>> = {
  bro: { cpu: { ...BRO_CPU, updatesPerStep: 2 } },
  'bro-fast': { cpu: { ...BRO_CPU, updatesPerStep: 1 } },
  fasttd3: { cpu: FASTTD3_CPU },
  brc: { cpu: BRC_CPU },
};

/** The presets an agent has ('paper' = its defaults). */
export function agentPresets(algo: OffPolicyAlgo): PresetName[] {
  return ['paper', ...(Object.keys(AGENT_PRESETS[algo] ?? {}) as PresetName[])];
}

/** An agent's defaults under a preset ('paper': the defaults themselves), with `preset` recorded. */
export function presetDefaults(algo: OffPolicyAlgo, preset: PresetName = 'paper', where = 'config'): Omit<OffPolicyConfig, 'envId'> {
  if (!(PRESETS as readonly string[]).includes(preset)) throw new UsageError(`${where}: unknown preset '${preset}'; valid presets: ${PRESETS.join(', ')}`);
  const base = structuredClone(AGENT_DEFAULTS[algo]);
  if (preset === 'paper') return base;
  const values = AGENT_PRESETS[algo]?.[preset];
  if (!values) throw new UsageError(`${where}: agent '${algo}' has no preset '${preset}'; its presets: ${agentPresets(algo).join(', ')}`);
  return { ...base, ...structuredClone(values), preset };
}

/** Where each agent's defaults come from, for `pgvar agents` and the README. */
export const AGENT_SOURCES: Record<OffPolicyAlgo, { summary: string; keys: Partial<Record<keyof OffPolicyConfig, string>> }> = {
  sac: {
    summary: 'SAC with automatic temperature: CleanRL sac_continuous_action.py (spec baselines.md §2, §11)',
    keys: {
      qLr: 'CleanRL q_lr (SB3 and the paper: 3e-4)',
      learningStarts: 'CleanRL 5e3 (SB3 100, the paper 1e4)',
      policyFrequency: "CleanRL's TD3-style delay",
      actorUpdatesPerDelay: "CleanRL compensates the delay with policy_frequency actor steps",
      alphaLr: 'CleanRL uses q_lr: --q-lr moves it too unless --alpha-lr is given',
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
      optimisticActor: 'π_o, its own network, only collects data',
      optimism: 'init β_ub = 0.5 − β_lb = −0.5 (β_ub = exp(p) − β_lb)',
      klWeight: 'init λ = 1 (λ = exp(p))',
      klWeightMax: 'loss uses min(λ, 20)',
      resetAt: 'train_parallel.py: full resets after env-loop steps 50k, 250k, 500k, 750k, 1M, 1.25M, 1.5M, 2M, 2.5M (its --resets flag is never read, so they always happen)',
      resetNetworks: 'all networks, optimisers and duals (π_o, β_ub, λ go with the actor); buffer kept',
      klTarget: '0.5 per action dimension (the paper tables may differ)',
      stdMultiplier: 'σ × 1.25 when acting; the KL uses the unscaled σ',
      dualLr: 'β_ub and λ: Adam 3e-5',
      dualBeta1: 'β_ub and λ: Adam β1 0.5',
      optimisticRefreshEvery: 'every 25 000 training env steps π_o, β_ub and λ re-initialised (fresh Adam)',
      optimisticInit: "fresh: dac_learner.py builds π_o from its own key and then calls target_update(actor_c, actor_o_, 0.0) = π_c·0 + π_o·1, which keeps π_o's fresh parameters (at init and at each refresh); spec §5 reads it as a copy of π_c, which 'copy' gives",
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
  bro: {
    summary:
      "BRO, Bigger Regularized Optimistic: BroNet critics with a quantile head, β = 0, BRO's optimistic mean shift, AdamW, UTD 10, full resets: naumix/BiggerRegularizedOptimistic (spec baselines.md §6, §11); --preset cpu: critics 128 wide, actor 64, UTD 2",
    keys: {
      criticTrunk: 'BroNet: Dense-LN-ReLU, then blocks of Dense-LN-ReLU-Dense-LN plus the skip, no activation after the add (§6 [code])',
      criticHidden: 'critic width 512 (§6 [code]; cpu preset 128); the pair has ≈2.5M parameters on dog-sized inputs, the paper quotes ~5M (§13: unresolved)',
      criticBlocks: '2 residual blocks (§6 [code])',
      actorTrunk: 'BroNet actor: width 256, 1 block, mean and log σ heads on top (§6 [code]; scaling the actor did not help [paper])',
      actorHidden: 'actor and optimistic-shift width 256 (§6 [code]; cpu preset 64)',
      actorBlocks: '1 block (§6 [code])',
      valueHead: 'distributional=True: quantile critic (§6 [code])',
      quantiles: '100 quantiles at τ_i = (i + ½)/N (§1, §6 [code])',
      huberKappa: 'κ = 1 (§1 [code])',
      targetAggregator: 'mean − β·spread per quantile with β = 0: the mean of the two target critics, no clipped double Q (§6 [code])',
      actorAggregator: 'π_c ascends mean over quantiles of mean − β·spread, β = 0 (§6 [code])',
      pessimism: 'β = 0.0 for the target and π_c (§6 [code])',
      init: 'orthogonal gain √2 on every Dense, heads included; log-std head gain 1; biases 0 (§6 [code])',
      logStdMin: 'log σ ∈ [−10, 2] via tanh (§1 [code])',
      qOptimizer: 'AdamW, optax default weight decay 1e-4, decoupled (§6 [code]; §12 writes "AdamW 1e-4", ambiguous — §6 and §11 give lr 3e-4 with wd 1e-4)',
      qWeightDecay: 'optax.adamw default 1e-4 on every tensor (no mask in the spec)',
      policyOptimizer: 'AdamW for the actor and the optimistic actor (§6 [code])',
      qLr: '3e-4 (§6 [code])',
      policyLr: '3e-4, actor and optimistic actor (§6 [code])',
      alphaLr: 'Adam 3e-4 (§6 [code])',
      alphaBeta1: 'temperature Adam b1 = 0.5 (§6 [code])',
      alpha: 'α₀ = 1 (§6 [code])',
      targetEntropyScale: 'H̄ = −|A|/2 (§6 [code])',
      batchSize: '128 (§6 [code])',
      updatesPerStep: 'replay ratio 10 (§6 [code], [paper]; cpu preset 2)',
      learningStarts: '2 500 uniform random steps; training starts at step 2 500 (§6 [code])',
      optimisticActor: 'dual-policy optimistic exploration (§6 [code] DualTanhPolicy)',
      optimisticMode: "BRO's: π_o = π_c's mean + a bias-free shift head (orthogonal gain 0.01) on [s, μ_c], σ_o = 0.75·σ_c; DAC's separate actor is mode 'separate' (§6 [code], §12.5)",
      optimism: 'init β_ub = 1.0; log β_ub ∈ [−10, 7.5] via tanh (§6 [code])',
      klWeight: 'init λ = 0.25; log λ ∈ [−10, 7.5] via tanh (§6 [code])',
      klWeightMax: 'no cap in BRO: 2000 lies above λ ≤ e^7.5 ≈ 1808, so it never binds',
      klTarget: '0.05 per action dimension (§6 [code])',
      stdMultiplier: 'σ_o = 0.75·σ_c, narrower than π_c; the KL uses σ_o/0.75 = σ_c, a pure mean-shift penalty (§6 [code])',
      dualLr: 'β_ub and λ: Adam 3e-5 (§6 [code])',
      dualBeta1: 'β_ub and λ: Adam b1 0.5 (§6 [code])',
      optimisticRefreshEvery: 'none: BRO re-initialises π_o only in its full resets (§6 [code])',
      resetAt: "full resets at env steps 15001, 50001, 250001, 500001, 750001, 1000001, 1500001, 2000001 (§6 [code]); the cpu preset keeps them, though BRO's code keys the schedule on updates_per_step (== 2: 15001 only), a rule the presets do not re-apply",
      resetNetworks: 'actor, optimistic actor, critic, target, α, β_ub, λ and their optimiser states; replay kept (§6 [code])',
      evalEvery: 'every 25k steps, 5 episodes, π_c at temperature 0 (§6 [code])',
      evalEpisodes: '5 (§6 [code])',
      bufferSize: '1e6 (§6 [code])',
      totalTimesteps: '1e6 (§6 [code]); DMC without action repeat',
    },
  },
  fasttd3: {
    summary: 'FastTD3, TD3 with many parallel envs, large batches, a C51 critic with clipped double Q by expectation, mixed noise and obs normalisation: younggyoseo/FastTD3 hyperparams.py, HumanoidBench base (spec baselines.md §9, §11); --preset cpu: 8 envs, batch 1024, critics 256-128-64, actor 128-64-32',
    keys: {
      numEnvs: '128 parallel envs (§9 [code]); cpu preset 8 (§12: 8–32 on CPU); stepped synchronously in-process',
      batchSize: '32 768 = 256 per env × 128 (§9 [code]); cpu preset 1024 = 128 per env × 8 (§12: 1–4k)',
      updatesPerStep: 'num_updates 2 per vectorised env step, each on a fresh batch (§9 [code])',
      totalTimesteps: '100k vector steps × numEnvs transitions, the low end of 100k–1M per task (§9 [code])',
      bufferSize: '50·1024 transitions per env (§9 [code]): 6.55M for 128 envs, 409 600 for the cpu preset\'s 8',
      learningStarts: '10 vector steps (§9 [code]) = 10·numEnvs transitions (uniform random actions meanwhile: pgvar\'s warm-up)',
      gamma: '0.99 (§9 [code])',
      tau: 'τ 0.1 after every critic update (§9 [code])',
      targetNetworkFrequency: 'Polyak after every critic update (§9 [code])',
      policyLr: 'AdamW 3e-4, cosine schedule ending at 3e-4, i.e. constant (§9 [code])',
      qLr: 'AdamW 3e-4 (§9 [code])',
      qOptimizer: 'AdamW (§9 [code])',
      qWeightDecay: '0.1 (§9 [code])',
      policyOptimizer: 'AdamW (§9 [code])',
      policyWeightDecay: '0.1 (§9 [code])',
      policyFrequency: 'actor once per two critic updates (§9 [code])',
      policyPhase: 'on update index i with i % 2 == 1: after the second critic update of a pair (§9 [code])',
      policy: 'deterministic tanh actor (§9 [code])',
      targetActor: 'no target actor: target actions use the online actor (§9 [code])',
      policyNoise: 'target policy noise 0.001 (§9 [code])',
      noiseClip: 'clipped at 0.5 (§9 [code])',
      mixedNoise: "mixed noise: each env's σ_i ~ U[std_min, std_max], re-sampled when its episode ends; a = μ(s) + N(0, σ_i) (§9 [code])",
      noiseStdMin: 'std_min 0.001 (§9 [code])',
      noiseStdMax: 'std_max 0.4 (§9 [code])',
      obsNormalization: 'running mean and variance of observations (§9 [code])',
      obsNormEps: 'ε 1e-2 (§9 [code])',
      criticHidden: '1024-512-256 ReLU, two C51 critics, no LayerNorm (§9 [code]); cpu preset 256-128-64',
      actorHidden: '512-256-128 ReLU → tanh (§9 [code]); cpu preset 128-64-32',
      valueHead: 'C51 categorical critic (§9 [code])',
      atoms: '101 (§9 [code])',
      vMin: '−250 (HumanoidBench; tasks override, §9 [code])',
      vMax: '250 (§9 [code])',
      c51Edge: "FastTD3's l == u rule: l → l − 1 if l > 0, else u → u + 1 (§1 [code])",
      targetAggregator: 'CDQ over distributions: the projected distribution of the target critic with the smaller expectation (§9 [code])',
      actorAggregator: 'the actor maximises min(E[Q1], E[Q2]) (§9 [code])',
      init: 'PyTorch defaults everywhere else (§9 [code])',
      actorLastLayerStd: "the actor's last layer N(0, 0.01), bias 0 (§9 [code])",
      nStep: 'n-step 1 (HumanoidBench, §9 [code]; the DMC example CheetahRun uses 3, IsaacLab velocity tasks and MTBench 8); γ^(effective n), the window cut at the first done or truncation (§1, §9, §12.8)',
      rewardNormalization: 'off (§9 [code]: optional running discounted-return std, capped so |G| ≤ v_max; MTBench normalises per task)',
      vectorEnv: "sync (pgvar's; FastTD3 steps GPU-batched simulators, §9): async measured no faster for the cpu preset on our 2 shared cores (training 0.97× on dmc/cheetah-run, 0.98× on Hopper-v5; random-action steps 0.65×, 0.80×; bench/results/issue20/fasttd3_vector_env*.json)",
    },
  },
  brc: {
    summary:
      'BRC, Bigger Regularized Categorical: 2 BroNet critics with 101-atom C51 heads on ±10 and the mean of their probabilities, per-task reward normalisation, α₀ 0.1, AdamW, UTD 2, single- or multi-task (--env A,B,C: a 32-dim task embedding, batch 1024): naumix/BiggerRegularizedCategorical (spec baselines.md §8, §11); --preset cpu: critics 256 wide, actor 64',
    keys: {
      criticTrunk: 'BroNet critics (§8 [code] networks.py)',
      criticHidden: "critic width 4096: train.py's width_critic, the released default (the BRC class's own default is 512; §8 [code]); it exceeds the wasm engine's 2 GiB arena; cpu preset 256",
      criticBlocks: '2 residual blocks (§8 [code])',
      numCritics: 'an ensemble of 2 (flax nn.vmap; §8 [code])',
      actorTrunk: 'BroNet actor, width 256, 1 block (§8 [code])',
      actorHidden: 'actor width 256 (§8 [code]; cpu preset 64)',
      valueHead: '101-logit categorical critic, cross-entropy summed over the members (§8 [code])',
      atoms: '101 atoms (§8 [code])',
      vMin: 'support linspace(−10, 10, 101): v_max = 10 (§8 [code])',
      vMax: 'v_max = 10; the reward normaliser keeps soft returns within ±10 (§8 [code])',
      categoricalTarget: 'C51: the mean target distribution shifted to r + γm(z − α log π(a′|s′)), clipped to ±10, projected (§1, §8 [code])',
      c51Edge: "BRC's l = u rule: the whole mass to l (§1 [code])",
      targetAggregator: 'mean over the ensemble of the target softmax probabilities (§8 [code])',
      actorAggregator: 'Q = Σ_k z_k·mean-member probabilities: risk-neutral, no min, no pessimism (§8 [code])',
      alpha: 'α₀ = 0.1 (§8 [code])',
      alphaBeta1: 'temperature Adam lr 3e-4, b1 0.5 (§8 [code])',
      targetEntropyScale: 'H̄ = −|A|/2 (§8 [code]); multi-task: |A| the padded action size',
      logStdMin: 'log σ ∈ [−10, 2] via tanh (§8 [code])',
      init: 'orthogonal √2 everywhere, log-std head 1, biases 0 (the BroNet of §6 [code])',
      qOptimizer: 'AdamW, weight decay 1e-4, lr 3e-4, actor and critic (§8 [code])',
      qWeightDecay: 'AdamW weight decay 1e-4 (§8 [code]); the task embedding, a critic parameter, decays with the rest',
      gamma: '0.99 (§8 [code])',
      tau: '0.005 (§8 [code])',
      updatesPerStep: "UTD 2: train.py's updates_per_step (the class default is 10; §8 [code]); multi-task: per vector step of one env per task",
      batchSize: '256 single-task; 1024 multi-task, uniform over task × index (§8 [code]; MULTI_TASK_DEFAULTS)',
      bufferSize: '1e6 per task (§8 [code]); multi-task: each task has its own ring of this capacity',
      learningStarts: '5 000 random steps per task (§8 [code]); multi-task: the default is scaled by the task count T (counted in transitions over all tasks: T·5 000)',
      totalTimesteps: '1e6 per task (§8 [code]); multi-task: the default is scaled by T (transitions over all tasks: T·1e6)',
      resetAt: 'no resets: the released reset() references self.seeds, which the class lacks, so it never runs (§8 [code])',
      optimisticActor: 'no optimistic actor (§8 [code])',
      taskRewardNormalization: "per task: the min and max over finished episodes of the discounted returns along each (truncated episodes bootstrapped from mean(reward)/(1 − γ)); rewards ÷ (max(|G_max|, |G_min|) − α·H̄/(2(1 − γ)))/v_max with the current α (§8 [code]); 1 before a task's first episode ends (pgvar's)",
      taskEmbeddingDim: 'nn.Embed(num_tasks, 32), L2-normalised, in the critic; critic input [obs, act, e], actor input [obs, e] with e read from the critic (trained by the TD loss only) (§8 [code])',
      evalEvery: 'every 50k steps per task, 10 episodes, deterministic (§8 [code]); multi-task: the default is scaled by T',
      evalEpisodes: '10 (§8 [code])',
    },
  },
  'bro-fast': {
    summary: "BRO (Fast): bro with replay ratio 2 and only the first reset (spec baselines.md §6); --preset cpu: critics 128 wide, actor 64, UTD 1",
    keys: {
      updatesPerStep: 'replay ratio 2 (§6 [code], [paper]; cpu preset 1)',
      resetAt: 'with updates_per_step == 2 only the 15001 reset is kept (§6 [code]); the cpu preset (UTD 1) keeps it',
    },
  },
};

/** Keys pgvar adds around CleanRL's Args (evaluation, logging, checkpoints): not a paper's value. */
export const PGVAR_KEYS: readonly (keyof OffPolicyConfig)[] = ['evalEvery', 'evalEpisodes', 'logEvery', 'checkpointEvery'];

export function isOffPolicyAlgo(algo: string): algo is OffPolicyAlgo {
  return (OFF_POLICY_ALGOS as readonly string[]).includes(algo);
}

/**
 * Agents whose α optimiser takes the critics' learning rate, as CleanRL's SAC does (`a_optimizer =
 * Adam([log_alpha], lr=args.q_lr)`): a qLr override moves alphaLr too unless alphaLr is given.
 */
const ALPHA_LR_IS_Q_LR: ReadonlySet<OffPolicyAlgo> = new Set(['sac', 'sac-ln-reset', 'vpl']);

/** An agent's defaults for an env — under the preset named by overrides.preset, if any — with overrides on top, validated. */
export function agentConfig(algo: string, envId: string, overrides: Record<string, unknown> = {}, where = 'config'): OffPolicyConfig {
  if (!isOffPolicyAlgo(algo)) throw new UsageError(`${where}: unknown off-policy agent '${algo}'; valid agents: ${OFF_POLICY_ALGOS.join(', ')}`);
  const preset = overrides['preset'] ?? 'paper';
  if (typeof preset !== 'string') throw new UsageError(`${where}: preset must be a string (${PRESETS.join(', ')}), got ${JSON.stringify(preset)}`);
  const T = taskIds(envId).length;
  const defaults: Record<string, unknown> = { ...presetDefaults(algo, preset as PresetName, where), ...structuredClone(T > 1 ? (MULTI_TASK_DEFAULTS[algo] ?? {}) : {}) };
  // multi-task: the per-task step schedules, counted in transitions over all tasks (PER_TASK_STEP_KEYS)
  for (const k of scaledStepKeys(envId, overrides)) if (typeof defaults[k] === 'number') defaults[k] = (defaults[k] as number) * T;
  if (ALPHA_LR_IS_Q_LR.has(algo) && overrides['qLr'] !== undefined && overrides['alphaLr'] === undefined) defaults['alphaLr'] = overrides['qLr'];
  return validateOffPolicyConfig({ ...defaults, envId, ...overrides, algo }, where);
}
