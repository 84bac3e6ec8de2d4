/**
 * Configuration of an off-policy run: one typed, validated object (CleanRL's `Args`) of which every
 * agent (offpolicy/agents.ts) is a set of defaults. Unknown keys and out-of-range values are rejected
 * with the key's name and, for unknown keys, the list of valid ones.
 */
import { z } from 'zod';
import { formatConfigIssues } from '../common/config-errors.js';
import { UsageError } from '../common/errors.js';
import { AGGREGATOR_NAMES } from './critics.js';

const positiveInt = z.number().int().positive();
const nonNegInt = z.number().int().min(0);

export const OFF_POLICY_ALGOS = ['sac', 'td3', 'dac', 'vpl'] as const;
export type OffPolicyAlgo = (typeof OFF_POLICY_ALGOS)[number];

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
    policy: z.enum(['tanh-gaussian', 'deterministic']),
    /** Learn the entropy temperature α (tanh-Gaussian policies). */
    autotune: z.boolean(),
    /** α's initial value (autotune) or its fixed value. */
    alpha: z.number().positive(),
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
    /** LayerNorm after every hidden Linear of the critics (the `ln` trunk). */
    criticLayerNorm: z.boolean(),
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
    // DAC (spec baselines.md §5) and VPL (§7); inert in sac and td3
    /** Initialisation of every network: PyTorch's default (CleanRL) or orthogonal, gain √2, log-std head 1 (Nauman's codebases). */
    init: z.enum(['torch', 'orthogonal']),
    /** β of the `mean-spread` aggregator (target and actor): DAC's β_critic = β_lb; VPL: β's initial value. */
    pessimism: z.number(),
    /** VPL: learn β on the validation TD loss (needs targetAggregator 'mean-spread' and validationEvery). */
    learnPessimism: z.boolean(),
    /** VPL: β stays in (pessimismMin, pessimismMax) (tanh parametrisation). */
    pessimismMin: z.number(),
    pessimismMax: z.number(),
    /** Every k-th transition of the run goes to the validation buffer, never trained on (0 = none; k ≥ 2). */
    validationEvery: nonNegInt.refine((k) => k !== 1, 'must be 0 (no validation buffer) or at least 2'),
    /** DAC: collect data with a decoupled optimistic actor π_o (the conservative π_c is evaluated and bootstraps). */
    optimisticActor: z.boolean(),
    /** DAC: β_ub's initial value; π_o ascends mean + β_ub·spread. */
    optimism: z.number(),
    /** DAC: the KL weight λ's initial value, and the cap min(λ, klWeightMax) in π_o's loss. */
    klWeight: z.number().positive(),
    klWeightMax: z.number().positive(),
    /** DAC: target of KL(π_o ‖ π_c) per action dimension. */
    klTarget: z.number().positive(),
    /** DAC: π_o acts with its σ multiplied by this. */
    stdMultiplier: z.number().positive(),
    /** Adam lr and β1 of the adaptive coefficients β_ub, λ (DAC) and β (VPL). */
    dualLr: z.number().positive(),
    dualBeta1: z.number().min(0).lt(1),
    /** DAC: every this many env steps (while training), π_o is copied from π_c and β_ub, λ restart (0 = never). */
    optimisticRefreshEvery: nonNegInt,
  })
  .strict();

export type OffPolicyConfig = z.infer<typeof offPolicyConfigSchema>;

/** One line per key, for `--help`, `pgvar agents` and the README. */
export const OFF_POLICY_KEY_HELP: Record<keyof OffPolicyConfig, string> = {
  envId: 'environment id (Box actions)',
  algo: `agent (${OFF_POLICY_ALGOS.join(', ')})`,
  seed: 'random seed (every stream derives from it)',
  totalTimesteps: 'total environment steps',
  bufferSize: 'replay capacity in transitions',
  gamma: 'discount factor',
  tau: 'Polyak coefficient of the target networks',
  batchSize: 'minibatch size of each update',
  learningStarts: 'env steps with uniformly random actions before the first update',
  updatesPerStep: 'gradient updates per env step (UTD), each on its own minibatch',
  policyLr: 'Adam learning rate of the actor',
  qLr: 'Adam learning rate of the critics',
  alphaLr: "Adam learning rate of the entropy temperature",
  policyFrequency: 'actor (TD3: and targets) every this many critic updates',
  actorUpdatesPerDelay: 'actor steps each time the delay elapses',
  targetNetworkFrequency: 'Polyak-average the targets every this many critic updates',
  policy: "actor: 'tanh-gaussian' (SAC) or 'deterministic' (TD3)",
  autotune: 'learn the entropy temperature α',
  alpha: "α's initial value (autotune) or its fixed value",
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
  criticLayerNorm: 'LayerNorm after every hidden Linear of the critics',
  targetAggregator: 'how the target critics combine in the TD target (min, mean, …)',
  actorAggregator: "which critic value the actor ascends ('first': TD3's Q1)",
  evalEvery: 'deterministic evaluation every this many env steps (0 = off)',
  evalEpisodes: 'episodes per evaluation',
  logEvery: 'one metrics.jsonl row every this many env steps',
  checkpointEvery: 'checkpoint (state + new replay segments) every this many env steps',
  init: "network initialisation: 'torch' (PyTorch default) or 'orthogonal' (gain √2, log-std head 1)",
  pessimism: "β of the 'mean-spread' aggregator, mean − β·spread (1: min of two critics; 0: mean); vpl: β's initial value",
  learnPessimism: "vpl: learn β from the validation TD error (targets use the learned β)",
  pessimismMin: 'vpl: lower bound of the learned β',
  pessimismMax: 'vpl: upper bound of the learned β',
  validationEvery: 'hold every k-th transition out of training as the validation buffer (0 = none)',
  optimisticActor: 'dac: explore with a decoupled optimistic actor kept near the conservative one by a KL penalty',
  optimism: "dac: initial β_ub; the optimistic actor ascends mean + β_ub·spread",
  klWeight: 'dac: initial KL weight λ',
  klWeightMax: "dac: the optimistic actor's loss uses min(λ, this)",
  klTarget: 'dac: target KL(π_o ‖ π_c) per action dimension',
  stdMultiplier: "dac: the optimistic actor's σ is multiplied by this when it acts",
  dualLr: 'Adam learning rate of β_ub and λ (dac) and β (vpl)',
  dualBeta1: 'Adam β1 of β_ub and λ (dac) and β (vpl)',
  optimisticRefreshEvery: 'dac: copy π_c into π_o and restart β_ub, λ every this many env steps (0 = never)',
};

/** Validates a fully merged config; throws UsageError naming every bad key. */
export function validateOffPolicyConfig(raw: unknown, where = 'config'): OffPolicyConfig {
  const r = offPolicyConfigSchema.safeParse(raw);
  if (!r.success) throw new UsageError(formatConfigIssues(r.error, where, Object.keys(offPolicyConfigSchema.shape)));
  const c = r.data;
  if (c.logStdMin >= c.logStdMax) throw new UsageError(`${where}: logStdMin ${c.logStdMin} must be below logStdMax ${c.logStdMax}`);
  if (c.policy === 'deterministic' && c.autotune) throw new UsageError(`${where}: autotune learns the entropy temperature of a tanh-gaussian policy; policy 'deterministic' has none`);
  if (c.batchSize > c.bufferSize) throw new UsageError(`${where}: batchSize ${c.batchSize} exceeds bufferSize ${c.bufferSize}`);
  if (c.optimisticActor && c.policy !== 'tanh-gaussian') throw new UsageError(`${where}: optimisticActor needs policy 'tanh-gaussian'`);
  if (c.optimisticActor && !(c.optimism + c.pessimism > 0)) throw new UsageError(`${where}: optimism ${c.optimism} must exceed −pessimism (${-c.pessimism}): β_ub = exp(p) − β_lb > −β_lb`);
  if (c.learnPessimism) {
    if (c.targetAggregator !== 'mean-spread') throw new UsageError(`${where}: learnPessimism learns the β of targetAggregator 'mean-spread', not '${c.targetAggregator}'`);
    if (c.validationEvery === 0) throw new UsageError(`${where}: learnPessimism needs a validation buffer (validationEvery ≥ 2)`);
    if (!(c.pessimismMin < c.pessimism && c.pessimism < c.pessimismMax)) throw new UsageError(`${where}: pessimism ${c.pessimism} must lie strictly between pessimismMin ${c.pessimismMin} and pessimismMax ${c.pessimismMax}`);
    if (c.policy !== 'tanh-gaussian') throw new UsageError(`${where}: learnPessimism is defined on the soft target of a tanh-gaussian policy`);
  }
  if (c.validationEvery > 0 && c.validationEvery > c.bufferSize) throw new UsageError(`${where}: validationEvery ${c.validationEvery} exceeds bufferSize ${c.bufferSize}: the buffer would never hold a validation transition`);
  return c;
}
