/**
 * Configuration of an off-policy run: one typed, validated object (CleanRL's `Args`) of which every
 * agent (offpolicy/agents.ts) is a set of defaults. Unknown keys and out-of-range values are rejected
 * with the key's name and, for unknown keys, the list of valid ones.
 */
import { z } from 'zod';
import { formatConfigIssues } from '../common/config-errors.js';
import { UsageError } from '../common/errors.js';
import { AGGREGATOR_NAMES } from './critics.js';
import { C51_EDGES, CATEGORICAL_TARGETS, VALUE_HEADS } from './heads.js';
import { VECTOR_ENVS } from '../ppo/config.js';

const positiveInt = z.number().int().positive();
const nonNegInt = z.number().int().min(0);

export const OFF_POLICY_ALGOS = ['sac', 'td3', 'dac', 'vpl', 'sac-ln-reset', 'bro', 'bro-fast', 'fasttd3', 'brc'] as const;
export type OffPolicyAlgo = (typeof OFF_POLICY_ALGOS)[number];

/** The optimisers a network may use: Adam, or AdamW (decoupled weight decay). */
export const OPTIMIZERS = ['adam', 'adamw'] as const;
/** What a reset re-initialises (offpolicy/resets.ts); 'temperature' only when α is learned. */
export const RESET_TARGETS = ['critic', 'actor', 'temperature'] as const;
export type ResetTarget = (typeof RESET_TARGETS)[number];
export const RESET_UNITS = ['env-step', 'update'] as const;
export const TRUNKS = ['mlp', 'bronet'] as const;
/** DAC's optimistic actor (its own tanh-Gaussian) or BRO's (a mean shift of π_c): offpolicy/optimistic.ts. */
export const OPTIMISTIC_MODES = ['separate', 'shift'] as const;
/** How DAC's separate π_o starts, and restarts at each refresh: its own fresh random network (DAC's code) or a copy of π_c (the spec's reading). */
export const OPTIMISTIC_INITS = ['fresh', 'copy'] as const;
/** 'paper': the reference's values (every agent's defaults); 'cpu': scaled for a 2-core CPU (bro, bro-fast, fasttd3, brc). */
export const PRESETS = ['paper', 'cpu'] as const;
export type PresetName = (typeof PRESETS)[number];

export const offPolicyConfigSchema = z
  .object({
    envId: z.string().min(1),
    algo: z.enum(OFF_POLICY_ALGOS),
    seed: nonNegInt,
    totalTimesteps: positiveInt,
    /** Replay capacity in transitions (CleanRL buffer_size). */
    bufferSize: positiveInt,
    gamma: z.number().min(0).max(1),
    /** Polyak coefficient of the target networks. */
    tau: z.number().min(0).max(1),
    batchSize: positiveInt,
    /** Env steps taken with uniformly random actions before the first update (CleanRL learning_starts). */
    learningStarts: nonNegInt,
    /** Gradient updates per env step (UTD), each on its own minibatch. */
    updatesPerStep: positiveInt,
    policyLr: z.number().positive(),
    qLr: z.number().positive(),
    /** The temperature's Adam lr (CleanRL uses q_lr). */
    alphaLr: z.number().positive(),
    /** The actor (and, for TD3, the targets) update every this many critic updates. */
    policyFrequency: positiveInt,
    /** Actor updates each time the delay elapses (CleanRL's SAC: policy_frequency, compensating the delay; TD3: 1). */
    actorUpdatesPerDelay: positiveInt,
    /** Polyak-average the targets every this many critic updates. */
    targetNetworkFrequency: positiveInt,
    /**
     * The critics' and the actor's optimiser: 'adam', or 'adamw' with decoupled weight decay
     * (qWeightDecay, policyWeightDecay). Keys added after the first off-policy runs carry defaults
     * (the behaviour those runs had), so their checkpoints still load.
     */
    qOptimizer: z.enum(OPTIMIZERS).default('adam'),
    qWeightDecay: z.number().min(0).default(0),
    policyOptimizer: z.enum(OPTIMIZERS).default('adam'),
    policyWeightDecay: z.number().min(0).default(0),
    /** Re-initialise the networks named in resetNetworks after these env steps (or updates: resetUnit); [] never. Strictly increasing. */
    resetAt: z.array(positiveInt).default(() => []),
    resetUnit: z.enum(RESET_UNITS).default('env-step'),
    resetNetworks: z.array(z.enum(RESET_TARGETS)).min(1).default((): ResetTarget[] => [...RESET_TARGETS]),
    /** 0: every layer of the reset networks; k: their last k Linear layers only (with those layers' LayerNorms). */
    resetLayers: nonNegInt.default(0),
    policy: z.enum(['tanh-gaussian', 'deterministic']),
    /** Learn the entropy temperature α (tanh-Gaussian policies). */
    autotune: z.boolean(),
    /** α's initial value (autotune) or its fixed value. */
    alpha: z.number().positive(),
    /** The temperature's Adam β1 (PyTorch's 0.9; BRO's 0.5). */
    alphaBeta1: z.number().min(0).lt(1).default(0.9),
    /** Target entropy H̄ = −targetEntropyScale·|A| (SAC v2: 1; Nauman's codebases: 0.5). */
    targetEntropyScale: z.number(),
    logStdMin: z.number(),
    logStdMax: z.number(),
    /** Deterministic policies: std of the Gaussian exploration noise, in units of the half action range. */
    explorationNoise: z.number().min(0),
    /** Deterministic policies: target policy smoothing std and clip (TD3). */
    policyNoise: z.number().min(0),
    noiseClip: z.number().min(0),
    numCritics: positiveInt,
    criticHidden: z.array(positiveInt),
    actorHidden: z.array(positiveInt),
    activation: z.enum(['relu', 'tanh', 'leaky_relu']),
    /** LayerNorm after every hidden Linear of the critics (the `ln` trunk; mlp critics). */
    criticLayerNorm: z.boolean(),
    /** The critics' trunk: 'mlp' (criticHidden, criticLayerNorm) or 'bronet' (BRO's residual trunk: width criticHidden[0], criticBlocks blocks, LayerNorm and ReLU built in). */
    criticTrunk: z.enum(TRUNKS).default('mlp'),
    criticBlocks: positiveInt.default(2),
    /** The actor's trunk: 'mlp' (actorHidden) or 'bronet' (width actorHidden[0], actorBlocks blocks; BRO's actor: 256, 1). */
    actorTrunk: z.enum(TRUNKS).default('mlp'),
    actorBlocks: positiveInt.default(1),
    /**
     * The critics' value head (offpolicy/heads.ts): 'scalar' (MSE), 'quantile' (QR-Huber over
     * `quantiles` fractions, κ = huberKappa; BRO) or 'categorical' (`atoms` logits on [vMin, vMax],
     * cross-entropy toward a C51, two-hot or HL-Gauss target; BRC, FastTD3).
     */
    valueHead: z.enum(VALUE_HEADS).default('scalar'),
    quantiles: positiveInt.default(100),
    huberKappa: z.number().positive().default(1),
    atoms: z.number().int().min(2).default(101),
    vMin: z.number().default(-10),
    vMax: z.number().default(10),
    categoricalTarget: z.enum(CATEGORICAL_TARGETS).default('c51'),
    /** HL-Gauss σ in bin widths. */
    hlGaussSigma: z.number().positive().default(0.75),
    /** C51: an atom landing exactly on the support goes whole to l (BRC) or is split with a neighbour (FastTD3). */
    c51Edge: z.enum(C51_EDGES).default('brc'),
    /** How the target critics' values combine in the TD target. */
    targetAggregator: z.enum(AGGREGATOR_NAMES),
    /** Which critic value the actor ascends ('first': TD3's Q1). */
    actorAggregator: z.enum(AGGREGATOR_NAMES),
    /** Deterministic evaluation every this many env steps (0 = off) over evalEpisodes episodes. */
    evalEvery: nonNegInt,
    evalEpisodes: positiveInt,
    /** One metrics row every this many env steps. */
    logEvery: positiveInt,
    /**
     * A checkpoint (trainer state + the replay's new transitions) every this many env steps; the run
     * layer (experiment/) takes it at the first metrics row at or past each multiple. The trainer itself ignores it.
     */
    checkpointEvery: positiveInt,
    // DAC (spec baselines.md §5) and VPL (§7); inert in sac, td3 and sac-ln-reset. Their defaults are
    // the inert values (agents.ts `common`), so checkpoints of runs from before them still load.
    /** Initialisation of every network: PyTorch's default (CleanRL) or orthogonal, gain √2, log-std head 1 (Nauman's codebases). */
    init: z.enum(['torch', 'orthogonal']).default('torch'),
    /** β of the `mean-spread` aggregator (target and actor): DAC's β_critic = β_lb; VPL: β's initial value. */
    pessimism: z.number().default(1),
    /** VPL: learn β on the validation TD loss (needs targetAggregator 'mean-spread' and validationEvery). */
    learnPessimism: z.boolean().default(false),
    /** VPL: β stays in (pessimismMin, pessimismMax) (tanh parametrisation). */
    pessimismMin: z.number().default(-1),
    pessimismMax: z.number().default(2),
    /** Every k-th transition of the run goes to the validation buffer, never trained on (0 = none; k ≥ 2). */
    validationEvery: nonNegInt.refine((k) => k !== 1, 'must be 0 (no validation buffer) or at least 2').default(0),
    /** DAC, BRO: collect data with an optimistic actor π_o (the conservative π_c is evaluated and bootstraps). */
    optimisticActor: z.boolean().default(false),
    /** 'separate': DAC's own tanh-Gaussian π_o; 'shift': BRO's μ_o = μ_c + Δ(s, μ_c), σ_o = stdMultiplier·σ_c. */
    optimisticMode: z.enum(OPTIMISTIC_MODES).default('separate'),
    /** DAC: β_ub's initial value; π_o ascends mean + β_ub·spread. */
    optimism: z.number().default(-0.5),
    /** DAC: the KL weight λ's initial value, and the cap min(λ, klWeightMax) in π_o's loss. */
    klWeight: z.number().positive().default(1),
    klWeightMax: z.number().positive().default(20),
    /** DAC: target of KL(π_o ‖ π_c) per action dimension. */
    klTarget: z.number().positive().default(0.5),
    /** DAC: π_o acts with its σ multiplied by this. */
    stdMultiplier: z.number().positive().default(1.25),
    /** Adam lr and β1 of the adaptive coefficients β_ub, λ (DAC) and β (VPL). */
    dualLr: z.number().positive().default(3e-5),
    dualBeta1: z.number().min(0).lt(1).default(0.5),
    /** DAC: every this many env steps (while training), π_o is re-initialised (optimisticInit) and β_ub, λ restart (0 = never). */
    optimisticRefreshEvery: nonNegInt.default(25_000),
    /** 'copy' for configs written before the key existed (what those runs did). */
    optimisticInit: z.enum(OPTIMISTIC_INITS).default('copy'),
    /** Plug-in files (absolute) that registered the env: --resume and eval load them again. Absent when none. */
    plugins: z.array(z.string().min(1)).optional(),
    // FastTD3 (spec baselines.md §9); the defaults are the behaviour of the runs before them, so their checkpoints load
    /** Envs stepped together (a vector env, in the trainer's thread or a worker: vectorEnv): one batched actor call per vector step, numEnvs transitions into the replay, updatesPerStep updates per vector step. */
    numEnvs: positiveInt.default(1),
    /** Deterministic policies: FastTD3's mixed noise, each env's σ drawn from U[noiseStdMin, noiseStdMax] and redrawn when its episode ends (false: explorationNoise for all). */
    mixedNoise: z.boolean().default(false),
    noiseStdMin: z.number().min(0).default(0.001),
    noiseStdMax: z.number().min(0).default(0.4),
    /** Normalise observations by a running mean and variance (updated on the observations the actor acts on; used by actor, critics, targets and evaluation). */
    obsNormalization: z.boolean().default(false),
    /** ε of the normaliser: (x − mean)/(std + ε). */
    obsNormEps: z.number().positive().default(1e-2),
    /** Deterministic policies: a Polyak target actor for the target actions (TD3); false: the online actor (FastTD3). */
    targetActor: z.boolean().default(true),
    /** Deterministic actor: its last Linear's weights drawn N(0, std²) with bias 0 (FastTD3: 0.01); 0 keeps the trunk's init. */
    actorLastLayerStd: z.number().min(0).default(0),
    /** The actor updates on critic updates i with i % policyFrequency == policyPhase (TD3: 0; FastTD3: 1, after the second critic update); i counts within the env step when updatesPerStep > 1, over the run otherwise. */
    policyPhase: nonNegInt.default(0),
    /** n-step returns (offpolicy/nstep.ts): each minibatch row sums up to n discounted rewards of its env's stream, cut at an episode's end or the newest transition, and bootstraps with γ^(effective n); 1: one-step targets. */
    nStep: positiveInt.default(1),
    /** FastTD3's reward normaliser: rewards divided by a running std of each env's discounted return, capped so |G| ≤ min(|vMin|, |vMax|) (categorical head). */
    rewardNormalization: z.boolean().default(false),
    /** Where the numEnvs envs step: 'sync' (the trainer's thread) or 'async' (a worker thread, envs/async-vector.ts); the same transitions either way. */
    vectorEnv: z.enum(VECTOR_ENVS).default('sync'),
    // BRC (spec baselines.md §8); the defaults are the behaviour of the runs before them
    /** Divide sampled rewards by BRC's per-task return-range denominator (offpolicy/task-reward-normalizer.ts). */
    taskRewardNormalization: z.boolean().default(false),
    /** Multi-task agents (envId a comma list of tasks): a learned task embedding of this size in the critic (BRC: 32); 0: a single-task agent. */
    taskEmbeddingDim: nonNegInt.default(0),
    /** Which of the agent's presets the defaults came from (applied by agentConfig; recorded, not re-applied). */
    preset: z.enum(PRESETS).default('paper'),
  })
  .strict();

export type OffPolicyConfig = z.infer<typeof offPolicyConfigSchema>;

/** BRO's bounded parametrisation of β_ub and λ: log x = lo + (hi − lo)·½(1 + tanh p) (spec §6 [code]). */
export const SHIFT_COEFFICIENT_BOUNDS = [-10, 7.5] as const;
/** The aggregators that keep a categorical head's combined probabilities a distribution. */
export const CATEGORICAL_AGGREGATORS: readonly string[] = ['mean', 'first', 'min-by-expectation'];

/** One line per key, for `--help`, `pgvar agents` and the README. */
export const OFF_POLICY_KEY_HELP: Record<keyof OffPolicyConfig, string> = {
  envId: 'environment id (Box actions); multi-task agents: a comma list of ids, one task each',
  plugins: 'plug-in files loaded before the run (recorded absolute, loaded again by --resume and eval)',
  algo: `agent (${OFF_POLICY_ALGOS.join(', ')})`,
  seed: 'random seed (every stream derives from it)',
  totalTimesteps: 'total environment steps',
  bufferSize: 'replay capacity in transitions',
  gamma: 'discount factor',
  tau: 'Polyak coefficient of the target networks',
  batchSize: 'minibatch size of each update',
  learningStarts: 'env steps with uniformly random actions before the first update',
  updatesPerStep: 'gradient updates per env step (UTD), each on its own minibatch',
  policyLr: "learning rate of the actor's optimiser",
  qLr: "learning rate of the critics' optimiser",
  alphaLr: "Adam learning rate of the entropy temperature",
  policyFrequency: 'actor (TD3: and targets) every this many critic updates',
  actorUpdatesPerDelay: 'actor steps each time the delay elapses',
  targetNetworkFrequency: 'Polyak-average the targets every this many critic updates',
  qOptimizer: "the critics' optimiser: adam, or adamw (decoupled weight decay)",
  qWeightDecay: "the critics' AdamW weight decay λ (p ← p·(1 − lr·λ) each step; 0 with adam)",
  policyOptimizer: "the actor's optimiser: adam, or adamw (decoupled weight decay)",
  policyWeightDecay: "the actor's AdamW weight decay λ (0 with adam)",
  resetAt: "re-initialise networks and their optimiser state after these env steps (or updates, resetUnit); comma-separated, or 'none'",
  resetUnit: "what resetAt counts: 'env-step' or 'update'",
  resetNetworks: "what a reset re-initialises: critic (with its targets; vpl's β restarts), actor (with its target; dac's optimistic actor, β_ub and λ), temperature (α and its Adam); comma-separated",
  resetLayers: 'layers a reset re-initialises: 0 every layer, k the last k Linear layers (partial reset)',
  policy: "actor: 'tanh-gaussian' (SAC) or 'deterministic' (TD3)",
  autotune: 'learn the entropy temperature α',
  alpha: "α's initial value (autotune) or its fixed value",
  alphaBeta1: "Adam β1 of the entropy temperature",
  targetEntropyScale: 'target entropy = −scale·|A|',
  logStdMin: 'lower bound of log σ (tanh rescale)',
  logStdMax: 'upper bound of log σ (tanh rescale)',
  explorationNoise: 'deterministic actor: exploration noise std (half action range units)',
  policyNoise: 'deterministic actor: target smoothing noise std',
  noiseClip: 'deterministic actor: target smoothing noise clip',
  numCritics: 'critics in the ensemble',
  criticHidden: 'hidden widths of each critic',
  actorHidden: 'hidden widths of the actor',
  activation: 'hidden activation (relu, tanh, leaky_relu)',
  criticLayerNorm: 'LayerNorm after every hidden Linear of the critics (mlp trunk)',
  criticTrunk: "the critics' trunk: mlp, or bronet (BRO's residual trunk: width = the one critic hidden size, criticBlocks blocks; LayerNorm and ReLU built in, orthogonal √2 init)",
  criticBlocks: "residual blocks of a bronet critic (BRO's: 2)",
  actorTrunk: "the actor's trunk: mlp, or bronet (width = the one actor hidden size, actorBlocks blocks; BRO's actor and its optimistic shift)",
  actorBlocks: "residual blocks of a bronet actor (BRO's: 1)",
  valueHead: "the critics' value head: scalar (MSE), quantile (QR-Huber, BRO) or categorical (cross-entropy, BRC/FastTD3)",
  quantiles: 'quantile head: quantiles N, at fractions (i + 0.5)/N',
  huberKappa: 'quantile head: Huber threshold κ',
  atoms: 'categorical head: atoms K on the support linspace(vMin, vMax, K)',
  vMin: 'categorical head: lowest atom',
  vMax: 'categorical head: highest atom',
  categoricalTarget: 'categorical head: c51 (project the next-state distribution, entropy-shifted), two-hot or hl-gauss (project the scalar target)',
  hlGaussSigma: 'categorical head: HL-Gauss σ in bin widths',
  c51Edge: 'categorical head: an atom landing exactly on the support goes whole to its atom (brc) or is split with a neighbour (fasttd3)',
  targetAggregator: 'how the target critics combine in the TD target (min, mean, …)',
  actorAggregator: "which critic value the actor ascends ('first': TD3's Q1)",
  evalEvery: 'deterministic evaluation every this many env steps (0 = off)',
  evalEpisodes: 'episodes per evaluation',
  logEvery: 'one metrics.jsonl row every this many env steps',
  checkpointEvery: 'checkpoint (state + new replay segments) every this many env steps',
  init: "network initialisation: 'torch' (PyTorch default) or 'orthogonal' (gain √2, log-std head 1); a bronet critic keeps BRO's own",
  pessimism: "β of the 'mean-spread' aggregator, mean − β·spread (1: min of two critics; 0: mean); vpl: β's initial value",
  learnPessimism: "vpl: learn β from the validation TD error (targets use the learned β)",
  pessimismMin: 'vpl: lower bound of the learned β',
  pessimismMax: 'vpl: upper bound of the learned β',
  validationEvery: 'hold every k-th transition out of training as the validation buffer (0 = none)',
  optimisticActor: 'dac, bro: explore with an optimistic actor kept near the conservative one by a KL penalty',
  optimisticMode: "the optimistic actor: separate (dac: its own tanh-Gaussian) or shift (bro: π_c's mean plus a learned shift, σ = stdMultiplier·σ_c)",
  optimism: 'dac, bro: initial β_ub; the optimistic actor ascends mean + β_ub·spread',
  klWeight: 'dac, bro: initial KL weight λ',
  klWeightMax: "dac, bro: the optimistic actor's loss uses min(λ, this)",
  klTarget: 'dac, bro: target KL(π_o ‖ π_c) per action dimension',
  stdMultiplier: "dac: the optimistic actor's σ is multiplied by this when it acts; bro: σ_o = this·σ_c",
  dualLr: 'Adam learning rate of β_ub and λ (dac, bro) and β (vpl)',
  dualBeta1: 'Adam β1 of β_ub and λ (dac, bro) and β (vpl)',
  optimisticRefreshEvery: 'dac: re-initialise π_o (as optimisticInit says) and restart β_ub, λ every this many env steps (0 = never)',
  optimisticInit: "dac: π_o at the start and at each refresh is a fresh random network of its own (fresh; DAC's code) or a copy of π_c (copy; the spec's reading)",
  numEnvs: 'envs stepped together (a vector env, vectorEnv): one batched actor call and numEnvs transitions per vector step; updatesPerStep counts vector steps',
  mixedNoise: "deterministic actor: FastTD3's mixed exploration noise, per-env σ ~ U[noiseStdMin, noiseStdMax], redrawn when that env's episode ends",
  noiseStdMin: 'mixed noise: lowest per-env σ',
  noiseStdMax: 'mixed noise: highest per-env σ',
  obsNormalization: 'normalise observations by a running mean/variance (updated on acting observations; saved in checkpoints)',
  obsNormEps: 'observation normaliser ε: (x − mean)/(std + ε)',
  targetActor: 'deterministic actor: target actions from a Polyak target actor (true, TD3) or the online actor (false, FastTD3)',
  actorLastLayerStd: "deterministic actor: its last Linear's weights N(0, std²), bias 0 (0: the trunk's init)",
  policyPhase: 'the actor updates on critic updates i with i % policyFrequency == policyPhase (i: the update within its env step when updatesPerStep > 1, else over the run)',
  nStep: "n-step returns: sum up to n discounted rewards of the row's env, stop at a termination (no bootstrap), a truncation or that env's newest transition, bootstrap with γ^(effective n); 1 = one-step",
  rewardNormalization: "FastTD3's reward normaliser: divide rewards by a running std of each env's discounted return, capped so |G| ≤ min(|vMin|, |vMax|); categorical head (saved in checkpoints)",
  vectorEnv: "where the numEnvs envs step: 'sync' (the trainer's thread) or 'async' (a worker thread); the same transitions either way",
  taskRewardNormalization: "brc's per-task reward normaliser: divide sampled rewards by their task's return-range denominator (max |G| − α·H̄/(2(1 − γ)))/vMax over its finished episodes' discounted returns (saved in checkpoints); needs gamma < 1, valueHead 'categorical' and vMin = −vMax",
  taskEmbeddingDim: 'multi-task agents (brc: 32): a learned unit-norm task embedding of this size in the critic, for --env TASK1,TASK2,…; 0: single-task only',
  preset: "the agent's preset the defaults came from: paper (the reference's values), or cpu (bro, bro-fast, fasttd3, brc: narrower networks, lower replay ratio or fewer envs and smaller batches)",
};

/** The tasks of a run: its envId split at commas (one id: a single-task run). */
export function taskIds(envId: string): string[] {
  return envId.split(',').map((id) => id.trim());
}

/** Validates a fully merged config; throws UsageError naming every bad key. */
export function validateOffPolicyConfig(raw: unknown, where = 'config'): OffPolicyConfig {
  const r = offPolicyConfigSchema.safeParse(raw);
  if (!r.success) throw new UsageError(formatConfigIssues(r.error, where, Object.keys(offPolicyConfigSchema.shape)));
  const c = r.data;
  if (c.logStdMin >= c.logStdMax) throw new UsageError(`${where}: logStdMin ${c.logStdMin} must be below logStdMax ${c.logStdMax}`);
  if (c.policy === 'deterministic' && c.autotune) throw new UsageError(`${where}: autotune learns the entropy temperature of a tanh-gaussian policy; policy 'deterministic' has none`);
  if (c.batchSize > c.bufferSize) throw new UsageError(`${where}: batchSize ${c.batchSize} exceeds bufferSize ${c.bufferSize}`);
  if (c.optimisticActor && c.policy !== 'tanh-gaussian') throw new UsageError(`${where}: optimisticActor needs policy 'tanh-gaussian'`);
  if (c.optimisticActor && c.optimisticMode === 'separate' && !(c.optimism + c.pessimism > 0)) throw new UsageError(`${where}: optimism ${c.optimism} must exceed −pessimism (${-c.pessimism}): β_ub = exp(p) − β_lb > −β_lb`);
  if (c.optimisticActor && c.optimisticMode === 'shift') {
    const [lo, hi] = SHIFT_COEFFICIENT_BOUNDS.map(Math.exp) as [number, number];
    for (const [key, v] of [['optimism', c.optimism], ['klWeight', c.klWeight]] as const) {
      if (!(v > lo && v < hi)) throw new UsageError(`${where}: ${key} ${v} must lie in (${lo.toExponential(2)}, ${hi.toFixed(0)}): BRO's coefficients have log x ∈ (${SHIFT_COEFFICIENT_BOUNDS.join(', ')})`);
    }
    if (c.optimisticRefreshEvery !== 0) throw new UsageError(`${where}: optimisticRefreshEvery ${c.optimisticRefreshEvery} re-initialises DAC's separate π_o; optimisticMode 'shift' has no π_o network to refresh: set it to 0`);
    if (c.optimisticInit !== 'copy') throw new UsageError(`${where}: optimisticInit '${c.optimisticInit}' sets how DAC's separate π_o starts; optimisticMode 'shift' has no π_o network (leave it 'copy')`);
    if (c.init !== 'orthogonal' && c.actorTrunk !== 'bronet') throw new UsageError(`${where}: optimisticMode 'shift' initialises its head orthogonally with gain 0.01 (BRO); set init 'orthogonal' or actorTrunk 'bronet'`);
  }
  if (c.mixedNoise && c.policy !== 'deterministic') throw new UsageError(`${where}: mixedNoise is exploration noise of a deterministic actor; policy '${c.policy}' samples its own`);
  if (c.noiseStdMin > c.noiseStdMax) throw new UsageError(`${where}: noiseStdMin ${c.noiseStdMin} exceeds noiseStdMax ${c.noiseStdMax}`);
  if (c.nStep > 1 && c.validationEvery > 0) throw new UsageError(`${where}: nStep ${c.nStep} with validationEvery ${c.validationEvery}: an n-step row would sum held-out rewards into training targets; use nStep 1 or validationEvery 0`);
  if (c.rewardNormalization && c.valueHead !== 'categorical') throw new UsageError(`${where}: rewardNormalization caps |G| at min(|vMin|, |vMax|), the categorical support; valueHead '${c.valueHead}' has none (set valueHead 'categorical' or drop rewardNormalization)`);
  if (c.taskRewardNormalization) {
    // BRC's denominator (max|G| − α·H̄/(2(1 − γ)))/vMax: finite only for γ < 1, and returns clipped to ±vMax need a symmetric support
    if (!(c.gamma < 1)) throw new UsageError(`${where}: taskRewardNormalization divides by (max|G| − α·H̄/(2(1 − γ)))/vMax; gamma ${c.gamma} makes 1/(1 − γ) infinite: expected gamma < 1`);
    if (c.valueHead !== 'categorical') throw new UsageError(`${where}: taskRewardNormalization scales soft returns into ±vMax, the categorical support; valueHead '${c.valueHead}' has none: expected valueHead 'categorical'`);
    if (c.vMin !== -c.vMax) throw new UsageError(`${where}: taskRewardNormalization scales soft returns into ±vMax; vMin ${c.vMin} with vMax ${c.vMax} is not symmetric: expected vMin ${-c.vMax}`);
  }
  if (c.policyPhase >= c.policyFrequency) throw new UsageError(`${where}: policyPhase ${c.policyPhase} must be below policyFrequency ${c.policyFrequency}`);
  if (c.valueHead !== 'scalar' && c.learnPessimism) throw new UsageError(`${where}: learnPessimism learns β on the scalar TD loss; valueHead '${c.valueHead}' is not scalar`);
  if (c.valueHead === 'categorical') {
    for (const [key, name] of [['targetAggregator', c.targetAggregator], ['actorAggregator', c.actorAggregator]] as const) {
      if (!CATEGORICAL_AGGREGATORS.includes(name)) throw new UsageError(`${where}: ${key} '${name}' would combine atom probabilities element-wise into no distribution; a categorical head takes ${CATEGORICAL_AGGREGATORS.join(', ')} (mean: BRC's mean of probabilities; min-by-expectation: FastTD3's)`);
    }
    if (!(c.vMin < c.vMax)) throw new UsageError(`${where}: vMin ${c.vMin} must be below vMax ${c.vMax}`);
  }
  if (c.learnPessimism) {
    if (c.targetAggregator !== 'mean-spread') throw new UsageError(`${where}: learnPessimism learns the β of targetAggregator 'mean-spread', not '${c.targetAggregator}'`);
    if (c.validationEvery === 0) throw new UsageError(`${where}: learnPessimism needs a validation buffer (validationEvery ≥ 2)`);
    if (!(c.pessimismMin < c.pessimism && c.pessimism < c.pessimismMax)) throw new UsageError(`${where}: pessimism ${c.pessimism} must lie strictly between pessimismMin ${c.pessimismMin} and pessimismMax ${c.pessimismMax}`);
    if (c.policy !== 'tanh-gaussian') throw new UsageError(`${where}: learnPessimism is defined on the soft target of a tanh-gaussian policy`);
  }
  if (c.validationEvery > 0 && c.validationEvery > c.bufferSize) throw new UsageError(`${where}: validationEvery ${c.validationEvery} exceeds bufferSize ${c.bufferSize}: the buffer would never hold a validation transition`);
  for (const [net, opt, wd] of [['q', c.qOptimizer, c.qWeightDecay], ['policy', c.policyOptimizer, c.policyWeightDecay]] as const) {
    if (opt === 'adam' && wd > 0) throw new UsageError(`${where}: ${net}WeightDecay ${wd} is AdamW's decoupled weight decay; set ${net}Optimizer 'adamw' (or the decay to 0)`);
  }
  const tasks = taskIds(c.envId);
  if (tasks.some((id) => id === '')) throw new UsageError(`${where}: envId '${c.envId}' has an empty task; expected ids separated by single commas`);
  const twice = tasks.find((id, i) => tasks.indexOf(id) !== i);
  if (twice) throw new UsageError(`${where}: envId lists task '${twice}' twice; expected each task once`);
  if (tasks.length > 1 && c.taskEmbeddingDim === 0) throw new UsageError(`${where}: envId '${c.envId}' is a list of ${tasks.length} tasks, but ${c.algo} is a single-task agent; expected one env id, or a multi-task agent (brc, or taskEmbeddingDim > 0)`);
  if (tasks.length > 1 && c.nStep > 1) throw new UsageError(`${where}: nStep ${c.nStep} sums each env's stream within one replay; a multi-task run (${tasks.length} tasks) keeps one replay per task: expected 1`);
  if (tasks.length > 1 && c.rewardNormalization) throw new UsageError(`${where}: rewardNormalization (FastTD3's) keeps one running return per env of one task; a multi-task run (${tasks.length} tasks) normalises per task: expected taskRewardNormalization`);
  if (c.rewardNormalization && c.taskRewardNormalization) throw new UsageError(`${where}: rewardNormalization (FastTD3's) and taskRewardNormalization (BRC's) would divide the rewards twice; expected at most one`);
  if (tasks.length > 1 && c.validationEvery > 0) throw new UsageError(`${where}: validationEvery ${c.validationEvery} holds out a validation split of one replay; a multi-task run (${tasks.length} tasks) has one per task: expected 0`);
  const badOrder = c.resetAt.findIndex((s, i) => i > 0 && s <= c.resetAt[i - 1]!);
  if (badOrder > 0) throw new UsageError(`${where}: resetAt must be strictly increasing; ${c.resetAt[badOrder]} follows ${c.resetAt[badOrder - 1]}`);
  if (new Set(c.resetNetworks).size !== c.resetNetworks.length) throw new UsageError(`${where}: resetNetworks names a network twice (${c.resetNetworks.join(', ')})`);
  if (c.criticTrunk === 'bronet' && c.criticHidden.length !== 1) throw new UsageError(`${where}: a bronet critic has one width (criticHidden [${c.criticHidden}] has ${c.criticHidden.length}); its depth is criticBlocks`);
  if (c.actorTrunk === 'bronet' && c.actorHidden.length !== 1) throw new UsageError(`${where}: a bronet actor has one width (actorHidden [${c.actorHidden}] has ${c.actorHidden.length}); its depth is actorBlocks`);
  const linearLayers = (n: 'critic' | 'actor') => (n === 'actor' ? (c.actorTrunk === 'bronet' ? 2 + 2 * c.actorBlocks : c.actorHidden.length + 1) : c.criticTrunk === 'bronet' ? 2 + 2 * c.criticBlocks : c.criticHidden.length + 1);
  const depth = Math.min(...c.resetNetworks.filter((n) => n !== 'temperature').map(linearLayers));
  if (c.resetLayers > depth) throw new UsageError(`${where}: resetLayers ${c.resetLayers} exceeds the ${depth} Linear layers of the reset networks (0 resets every layer)`);
  return c;
}
