/**
 * PPO configuration: one typed, validated object (CleanRL's `Args`). Defaults come per preset
 * family from CleanRL: `ppo.py` for classic control, `ppo_continuous_action.py` for continuous
 * control (spec ppo-and-envs.md §1.2). Resolution order: family defaults → setting (experiment/settings.ts,
 * e.g. `mbma-paper`) → config file → flags.
 * Unknown keys and out-of-range values are rejected with the key's name and what was expected.
 */
import { z } from 'zod';
import { formatConfigIssues } from '../common/config-errors.js';
import { UsageError } from '../common/errors.js';
import { CURRENT_SEED_SCHEME, SEED_SCHEMES, type SeedScheme } from '../common/seeding.js';
import type { PresetFamily } from '../envs/registry.js';
import type { ActorCriticOptions, Engine } from '../nets/actor-critic.js';

const positiveInt = z.number().int().positive();

export const VECTOR_ENVS = ['sync', 'async'] as const;

export const ppoConfigSchema = z
  .object({
    envId: z.string().min(1),
    algo: z.literal('ppo'),
    estimator: z.string().min(1),
    /** Estimator-specific options, validated by the estimator itself. */
    estimatorOptions: z.record(z.string(), z.unknown()),
    /**
     * A named bundle of PPO and estimator values applied after the family defaults and before the
     * config file and flags (experiment/settings.ts: mbma-paper, mbma-code). Recorded for provenance;
     * the values it set are written out in the config beside it.
     */
    setting: z.string().min(1).optional(),
    seed: z.number().int().min(0),
    totalTimesteps: positiveInt,
    numEnvs: positiveInt,
    numSteps: positiveInt,
    learningRate: z.number().positive(),
    annealLr: z.boolean(),
    gamma: z.number().min(0).max(1),
    gaeLambda: z.number().min(0).max(1),
    numMinibatches: positiveInt,
    updateEpochs: positiveInt,
    normAdv: z.boolean(),
    clipCoef: z.number().positive(),
    clipVloss: z.boolean(),
    entCoef: z.number().min(0),
    vfCoef: z.number().min(0),
    maxGradNorm: z.number().positive(),
    targetKl: z.number().positive().nullable(),
    /** Bootstrap V(s_final) on time-limit truncation (SB3). false = CleanRL's behaviour. */
    bootstrapTruncation: z.boolean(),
    /** Hidden widths of both MLPs; [] gives linear policy and value functions. */
    hiddenSizes: z.array(positiveInt),
    /** Actor MLP widths when they differ from the critic's (absent: hiddenSizes). */
    actorHiddenSizes: z.array(positiveInt).optional(),
    /** Critic MLP widths (absent: hiddenSizes); MBMA's table C.5 has actor 512, critic 1024. */
    criticHiddenSizes: z.array(positiveInt).optional(),
    /** Gaussian policies: mean = tanh(actor output), as MBMA's released code (absent/false: the linear head, CleanRL). */
    tanhMean: z.boolean().optional(),
    activation: z.enum(['tanh', 'relu', 'leaky_relu']),
    /** 'mlp' (hiddenSizes, separate actor and critic) or 'nature-cnn' (the shared Nature CNN trunk for 4 × 84 × 84 frames, PPO detail 21). */
    network: z.enum(['mlp', 'nature-cnn']),
    /** Apply each action this many times (DMC: the MBMA paper used 4, BRO 1). */
    actionRepeat: positiveInt,
    clipAction: z.boolean(),
    normalizeObservation: z.boolean(),
    clipObservation: z.number().min(0),
    normalizeReward: z.boolean(),
    clipReward: z.number().min(0),
    /** Write a checkpoint every this many PPO iterations (and always at the end). */
    checkpointEvery: positiveInt,
    /** Also keep a copy of the checkpoint each time the step count passes a multiple of this (0 = off), for analysis at fixed points of training. */
    snapshotEvery: z.number().int().min(0),
    /** Measure gradient variance every this many iterations during training (0 = off); see analysis/. */
    trackVarianceEvery: z.number().int().min(0),
    trackVarianceEstimators: z.array(z.string().min(1)).min(1),
    trackVarianceBatches: z.number().int().min(2),
    /**
     * Threads that share each minibatch's gradient (ppo/learner-pool.ts): 1 = the main thread alone;
     * n > 1 adds n − 1 worker threads, each differentiating a slice of the minibatch. The numbers equal
     * the single-thread ones up to float rounding, and are reproducible for a fixed thread count.
     * Pays off for the Nature CNN (pixel PPO); small MLPs are faster on one thread.
     */
    learnerThreads: z.number().int().min(1).max(64).default(1),
    /**
     * Where the sub-envs step: 'sync' in the main thread (SyncVectorEnv), 'async' in a worker thread
     * (envs/async-vector.ts, issue 16). The numbers are the same; absent in runs made before it existed.
     */
    vectorEnv: z.enum(VECTOR_ENVS, { error: (iss) => `expected one of ${VECTOR_ENVS.map((v) => `'${v}'`).join(' | ')}, got ${JSON.stringify(iss.input)}` }).default('sync'),
    /**
     * How the run's random streams derive from `seed` (common/seeding.ts). New runs: 'hashed-v1'.
     * Absent in runs made before it existed, which used 'offset-v0' and keep it when resumed.
     */
    seedScheme: z.enum(SEED_SCHEMES as [SeedScheme, ...SeedScheme[]]).optional(),
    /**
     * Which engine trains the networks (nets/engine): 'wasm' (the small-network engine; MLPs only),
     * 'tfjs' (the reference; any network), or 'auto' (wasm for MLP agents on one learner thread, tfjs
     * for the Nature CNN or learner threads). A new run's config.json records the resolved engine.
     * Absent in runs made before the engine existed, which trained on tfjs and keep it when resumed.
     */
    engine: z.enum(['auto', 'wasm', 'tfjs']).optional(),
    /**
     * Plug-in files (experiment/plugins.ts) that register the run's env or estimator: given relative to
     * the current directory in a config file, recorded absolute in config.json; loaded again before
     * `--resume`, `eval` and `variance` open the run.
     */
    plugins: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type PpoConfig = z.infer<typeof ppoConfigSchema>;

const common = {
  algo: 'ppo' as const,
  estimator: 'single',
  estimatorOptions: {},
  seed: 1,
  annealLr: true,
  gamma: 0.99,
  gaeLambda: 0.95,
  normAdv: true,
  clipCoef: 0.2,
  clipVloss: true,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  bootstrapTruncation: true,
  hiddenSizes: [64, 64],
  activation: 'tanh' as const,
  network: 'mlp' as const,
  checkpointEvery: 1,
  snapshotEvery: 0,
  actionRepeat: 1,
  trackVarianceEvery: 0,
  trackVarianceEstimators: ['single'],
  trackVarianceBatches: 8,
  learnerThreads: 1,
  vectorEnv: 'sync' as const,
  seedScheme: CURRENT_SEED_SCHEME,
  engine: 'auto' as const,
};

/** CleanRL ppo.py (classic control, Discrete actions). */
export const CLASSIC_DEFAULTS: Omit<PpoConfig, 'envId'> = {
  ...common,
  totalTimesteps: 500_000,
  numEnvs: 4,
  numSteps: 128,
  learningRate: 2.5e-4,
  numMinibatches: 4,
  updateEpochs: 4,
  entCoef: 0.01,
  clipAction: false,
  normalizeObservation: false,
  clipObservation: 0,
  normalizeReward: false,
  clipReward: 0,
};

/** CleanRL ppo_continuous_action.py (MuJoCo-style continuous control). */
export const CONTINUOUS_DEFAULTS: Omit<PpoConfig, 'envId'> = {
  ...common,
  totalTimesteps: 1_000_000,
  numEnvs: 1,
  numSteps: 2048,
  learningRate: 3e-4,
  numMinibatches: 32,
  updateEpochs: 10,
  entCoef: 0.0,
  clipAction: true,
  normalizeObservation: true,
  clipObservation: 10,
  normalizeReward: true,
  clipReward: 10,
};

/** CleanRL ppo_atari.py (pixel Atari-style games: Nature CNN, 8 envs × 128 steps, clip 0.1, reward clip 1). */
export const ATARI_DEFAULTS: Omit<PpoConfig, 'envId'> = {
  ...CLASSIC_DEFAULTS,
  totalTimesteps: 10_000_000,
  numEnvs: 8,
  numSteps: 128,
  clipCoef: 0.1,
  network: 'nature-cnn',
  clipReward: 1,
};

export function familyDefaults(family: PresetFamily): Omit<PpoConfig, 'envId'> {
  return structuredClone(family === 'classic' ? CLASSIC_DEFAULTS : family === 'atari' ? ATARI_DEFAULTS : CONTINUOUS_DEFAULTS);
}

export function formatZodError(err: z.ZodError, where: string): string {
  return formatConfigIssues(err, where, Object.keys(ppoConfigSchema.shape));
}

/** Validate a fully merged config; throws UsageError naming every bad key. */
export function validateConfig(raw: unknown, where = 'config'): PpoConfig {
  const r = ppoConfigSchema.safeParse(raw);
  if (!r.success) throw new UsageError(formatZodError(r.error, where));
  const c = r.data;
  const batch = c.numEnvs * c.numSteps;
  if (batch % c.numMinibatches !== 0) throw new UsageError(`${where}: batch size numEnvs×numSteps = ${batch} is not divisible by numMinibatches = ${c.numMinibatches}`);
  if (c.totalTimesteps < batch) throw new UsageError(`${where}: totalTimesteps = ${c.totalTimesteps} is smaller than one PPO batch (numEnvs×numSteps = ${batch})`);
  checkEngine(c, where);
  return c;
}

/** The engine a config's networks train on ('auto' resolved; absent = tfjs, see `engine`). */
export function resolveEngine(c: Pick<PpoConfig, 'engine' | 'network' | 'learnerThreads'>): Engine {
  const e = c.engine ?? 'tfjs';
  if (e !== 'auto') return e;
  return c.network === 'mlp' && (c.learnerThreads ?? 1) === 1 ? 'wasm' : 'tfjs';
}

/** A one-line UsageError when the engine cannot run this config. */
export function checkEngine(c: Pick<PpoConfig, 'engine' | 'network' | 'learnerThreads'>, where = 'config'): void {
  if (c.engine !== 'wasm') return;
  if (c.network !== 'mlp') throw new UsageError(`${where}: engine 'wasm' runs MLPs only, got network '${c.network}' (use engine 'tfjs' or 'auto')`);
  if ((c.learnerThreads ?? 1) > 1) throw new UsageError(`${where}: engine 'wasm' trains on one thread, got learnerThreads ${c.learnerThreads} (use engine 'tfjs' for learner threads)`);
}

/** The agent's network options from a config (actor/critic widths default to hiddenSizes). */
export function agentOptions(c: PpoConfig): ActorCriticOptions {
  return {
    hiddenSizes: c.hiddenSizes,
    activation: c.activation,
    network: c.network,
    ...(c.actorHiddenSizes ? { actorHiddenSizes: c.actorHiddenSizes } : {}),
    ...(c.criticHiddenSizes ? { criticHiddenSizes: c.criticHiddenSizes } : {}),
    ...(c.tanhMean ? { tanhMean: true } : {}),
    engine: resolveEngine(c),
  };
}

/** Derived quantities, named as in CleanRL. */
export function derived(c: PpoConfig) {
  const batchSize = c.numEnvs * c.numSteps;
  return { batchSize, minibatchSize: batchSize / c.numMinibatches, numIterations: Math.floor(c.totalTimesteps / batchSize) };
}
