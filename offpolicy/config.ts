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

export const OFF_POLICY_ALGOS = ['sac', 'td3'] as const;
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
};

/** Validates a fully merged config; throws UsageError naming every bad key. */
export function validateOffPolicyConfig(raw: unknown, where = 'config'): OffPolicyConfig {
  const r = offPolicyConfigSchema.safeParse(raw);
  if (!r.success) throw new UsageError(formatConfigIssues(r.error, where, Object.keys(offPolicyConfigSchema.shape)));
  const c = r.data;
  if (c.logStdMin >= c.logStdMax) throw new UsageError(`${where}: logStdMin ${c.logStdMin} must be below logStdMax ${c.logStdMax}`);
  if (c.policy === 'deterministic' && c.autotune) throw new UsageError(`${where}: autotune learns the entropy temperature of a tanh-gaussian policy; policy 'deterministic' has none`);
  if (c.batchSize > c.bufferSize) throw new UsageError(`${where}: batchSize ${c.batchSize} exceeds bufferSize ${c.bufferSize}`);
  return c;
}
