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
  })
  .strict();

export type OffPolicyConfig = z.infer<typeof offPolicyConfigSchema>;

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
