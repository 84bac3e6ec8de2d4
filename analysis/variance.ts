/**
 * Gradient variance of policy-gradient estimators at a fixed policy (a run's checkpoint):
 * K on-policy batches of n steps are collected with the checkpointed policy (normalisers frozen at
 * their training statistics), every requested estimator is applied to the same batches (common
 * random numbers), and the K gradient estimates are summarised by `gradientStats`. The reference
 * gradient is the plain single-action estimator's gradient over 10 further batches (10·n steps),
 * the same target for every estimator. Nothing is ever applied to the weights.
 *
 * Batches are consecutive segments of one long stream after a warm-up, as PPO sees them in training,
 * so the state distribution is the policy's on-policy distribution rather than near-reset states.
 */
import { UsageError } from '../common/errors.js';
import { Rng } from '../common/rng.js';
import { SimulatorPool } from '../envs/simulator-pool.js';
import { makeTrainingEnv } from '../envs/stack.js';
import type { Estimator, EstimatorContext } from '../estimators/estimator.js';
import { createSeededEstimator, estimatorInfo } from '../estimators/index.js';
import { envFacts } from '../ppo/env-facts.js';
import { streamSeed } from '../common/seeding.js';
import type { PpoConfig } from '../ppo/config.js';
import type { PpoTrainer } from '../ppo/trainer.js';
import { onPolicyStream } from './on-policy-stream.js';
import { bootstrapIntervals, cosine, gradientStats, meanVector, type GradientStats, type IntervalKey } from './gradient-stats.js';
import { numPolicyParams, policyGradient } from './policy-gradient.js';
import { estimatorIntervalsFromGram, pairedComparisonFromGram, refGram, sampleGram, type EstimatorIntervals, type PairedComparison } from './interval-stats.js';

export interface VarianceOptions {
  batches: number;
  batchSize: number;
  estimators: string[];
  seed: number;
  /** Reference batch = this many batches of `batchSize` (10 by default). */
  referenceMultiplier?: number;
  normalizeAdvantages?: boolean;
  /** Steps per env discarded before the first batch; default: the env's episode limit, else 1000. */
  warmupSteps?: number;
  /** Bootstrap resamples for the confidence intervals (default 200; 0 = none). */
  bootstrap?: number;
  /**
   * Batches used, before measuring, to fit the learned parts (Q-networks, dynamics models) of the
   * estimators that the run did not train itself, on data of the frozen policy (default 10; at least 1
   * when there are such estimators, else a UsageError).
   */
  fitBatches?: number;
  /** Options per estimator name, for the estimators created here. */
  estimatorOptions?: Record<string, Record<string, unknown>>;
  /** Progress messages (the CLI prints them to stderr). */
  onProgress?: (message: string) => void;
}

export interface EstimatorVariance extends GradientStats {
  /** 95 % percentile-bootstrap intervals over the K estimates. */
  ci95: Record<IntervalKey, [number, number]>;
  /**
   * Unbiased statistics with coverage-tested 95 % intervals (analysis/interval-stats.ts): tr Σ,
   * ‖μ‖², tr Σ/‖μ‖², the noise-corrected squared bias against the reference pool with its
   * resolved flag and the estimates needed to resolve it, relative squared bias, expected pairwise
   * cosine. Absent in reports written before issue 17.
   */
  intervals?: EstimatorIntervals;
  wall_s: number;
}

export interface VarianceReport {
  env: string;
  step: number;
  num_params: number;
  batches: number;
  batch_size: number;
  reference_batch_size: number;
  /** Batches spent fitting the learned parts of estimators the run did not train. */
  fit_batches: number;
  reference_estimator: string;
  advantage_normalization: boolean;
  seed: number;
  estimators: Record<string, EstimatorVariance>;
  /** Cosine between the mean gradients of each pair of estimators (does one agree with another, e.g. a model-based one with \`mc\`?). */
  mean_gradient_cosines: Record<string, Record<string, number>>;
  /**
   * Paired comparisons (same batches) of every other estimator with the baseline (the reference
   * estimator when measured, else the first listed): variance ratio and squared-bias difference with
   * intervals, and verdicts. Absent in reports written before issue 17 or with one estimator.
   */
  comparisons?: PairedComparison[];
}

export const REFERENCE_ESTIMATOR = 'single';

export function measureVariance(source: { config: PpoConfig; trainer: PpoTrainer }, o: VarianceOptions): VarianceReport {
  const { config, trainer } = source;
  const N = config.numEnvs;
  if (!Number.isInteger(o.batches) || o.batches < 2) throw new UsageError(`--batches must be an integer ≥ 2, got ${o.batches}`);
  if (o.batchSize % N !== 0) throw new UsageError(`--batch-size ${o.batchSize} must be a multiple of the run's numEnvs = ${N}`);
  const names = o.estimators.map((n) => estimatorInfo(n).name);
  const refMult = o.referenceMultiplier ?? 10;
  const agent = trainer.agent;
  const stepsPerEnv = o.batchSize / N;

  const estimators = new Map<string, Estimator>();
  for (const name of new Set([...names, REFERENCE_ESTIMATOR])) {
    // learned parts fitted here start from weights derived from the measurement seed
    const est = name === config.estimator ? trainer.estimator : createSeededEstimator(name, o.estimatorOptions?.[name] ?? {}, streamSeed(o.seed, `analysis/estimator/${name}/init`));
    estimators.set(name, est);
  }
  const toFit = [...estimators].filter(([n, e]) => e !== trainer.estimator && n !== REFERENCE_ESTIMATOR && e.getState !== undefined);
  const fitBatches = toFit.length ? (o.fitBatches ?? 10) : 0;
  if (toFit.length && !(Number.isInteger(fitBatches) && fitBatches >= 1)) {
    for (const [, est] of estimators) if (est !== trainer.estimator) est.dispose?.();
    throw fitBatchesError(fitBatches, toFit.map(([n]) => n));
  }
  const { venv, collector } = onPolicyStream(source, o.seed, o.warmupSteps);
  const simSize = Math.max(0, ...[...estimators.values()].map((e) => e.simulatorSize ?? 0));
  const simulator = simSize > 0 ? new SimulatorPool(() => makeTrainingEnv(config.envId, config), simSize) : undefined;
  collector.recordSnapshots = simulator !== undefined;
  const ctxFor = (name: string): EstimatorContext => ({
    simulator,
    // estimators are measured at full strength (N and H not annealed), however long their model trained
    progress: { iteration: trainer.iteration, numIterations: trainer.numIterations, globalStep: trainer.globalStep, fullStrength: true },
    training: false,
    agent,
    gamma: config.gamma,
    gaeLambda: config.gaeLambda,
    bootstrapTruncation: config.bootstrapTruncation,
    rng: new Rng(streamSeed(o.seed, `analysis/estimator/${name}`)),
    // the measurement envs' own normalisers (frozen at the run's statistics), action bounds, termination
    ...envFacts(venv, config.envId),
  });
  const ctxs = new Map([...estimators.keys()].map((n) => [n, ctxFor(n)]));
  const t0 = performance.now();
  const say = (m: string) => o.onProgress?.(`${m} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  for (let k = 0; k < fitBatches; k++) {
    say(`variance: fitting ${toFit.map(([n]) => n).join(', ')} on batch ${k + 1}/${fitBatches}`);
    const rollout = collector.collect(stepsPerEnv, trainer.globalStep + k * o.batchSize);
    // the model warm-up of training does not apply here: the fit batches exist to train it
    for (const [name, est] of toFit) est.prepare(rollout, { ...ctxs.get(name)!, training: true, progress: { iteration: k, numIterations: trainer.numIterations, globalStep: Number.MAX_SAFE_INTEGER, fullStrength: true } });
  }
  const grads = new Map<string, Float64Array[]>(names.map((n) => [n, []]));
  const wall = new Map<string, number>(names.map((n) => [n, 0]));
  const norm = o.normalizeAdvantages ?? false;

  for (let k = 0; k < o.batches; k++) {
    say(`variance: batch ${k + 1}/${o.batches} of ${o.batchSize} steps, estimators ${names.join(', ')}`);
    const rollout = collector.collect(stepsPerEnv, k * o.batchSize);
    for (const name of names) {
      const t0 = performance.now();
      grads.get(name)!.push(policyGradient(agent, estimators.get(name)!.prepare(rollout, ctxs.get(name)!), norm));
      wall.set(name, wall.get(name)! + (performance.now() - t0) / 1000);
    }
  }
  say(`variance: reference gradient from ${refMult} batches`);
  const refParts: Float64Array[] = [];
  for (let k = 0; k < refMult; k++) {
    const rollout = collector.collect(stepsPerEnv, (o.batches + k) * o.batchSize);
    refParts.push(policyGradient(agent, estimators.get(REFERENCE_ESTIMATOR)!.prepare(rollout, ctxs.get(REFERENCE_ESTIMATOR)!), norm));
  }
  // equal-size segments: the mean of their gradients is the gradient of the 10·n-step batch
  const reference = meanVector(refParts);

  const result: Record<string, EstimatorVariance> = {};
  const boot = o.bootstrap ?? 200;
  // the reference pool: K_ref = refMult independent estimates of the reference estimator
  const refG = refGram(refParts);
  const grams = new Map(names.map((n) => [n, sampleGram(grads.get(n)!, refParts)]));
  const canInterval = o.batches >= 4 && refMult >= 4;
  for (const name of names) {
    const g = grads.get(name)!;
    const ci95 = boot > 0 ? bootstrapIntervals(g, reference, boot, new Rng(o.seed + 7)) : ({} as EstimatorVariance['ci95']);
    const intervals = canInterval ? estimatorIntervalsFromGram(grams.get(name)!, refG) : undefined;
    result[name] = { ...gradientStats(g, reference), ci95, ...(intervals ? { intervals } : {}), wall_s: +wall.get(name)!.toFixed(3) };
  }
  const baseline = names.includes(REFERENCE_ESTIMATOR) ? REFERENCE_ESTIMATOR : names[0]!;
  const comparisons = canInterval ? names.filter((n) => n !== baseline).map((n) => pairedComparisonFromGram(n, grams.get(n)!, baseline, grams.get(baseline)!, refG)) : [];
  const means = new Map(names.map((n) => [n, meanVector(grads.get(n)!)]));
  const meanCosines = Object.fromEntries(names.map((a) => [a, Object.fromEntries(names.filter((b) => b !== a).map((b) => [b, +cosine(means.get(a)!, means.get(b)!).toFixed(4)]))]));
  for (const [, est] of estimators) if (est !== trainer.estimator) est.dispose?.();
  venv.close();
  simulator?.close();
  return {
    env: config.envId,
    step: trainer.globalStep,
    num_params: numPolicyParams(agent),
    batches: o.batches,
    batch_size: o.batchSize,
    reference_batch_size: refMult * o.batchSize,
    fit_batches: fitBatches,
    reference_estimator: REFERENCE_ESTIMATOR,
    advantage_normalization: norm,
    seed: o.seed,
    estimators: result,
    mean_gradient_cosines: meanCosines,
    ...(comparisons.length ? { comparisons } : {}),
  };
}

/**
 * Estimators with learned parts the run did not train need at least one fit batch: with none their
 * Q-networks or models would be measured untrained (`daa`/`mbpo` would silently be `single`).
 */
function fitBatchesError(fitBatches: number, names: string[]): UsageError {
  const what = names.length > 1 ? `estimators ${names.map((n) => `'${n}'`).join(', ')} have` : `estimator '${names[0]}' has`;
  return new UsageError(`--fit-batches ${fitBatches}: ${what} learned parts the run did not train; expected --fit-batches ≥ 1 to fit them (default 10)`);
}

/**
 * Sample-size sweep (issue: cosine and variance against n): the same measurement at several batch
 * sizes, each with its own seed offset. For an unbiased estimator the total variance should fall
 * roughly as 1/n and the cosine to the reference rise with n.
 */
export function sampleSizeSweep(source: { config: PpoConfig; trainer: PpoTrainer }, sizes: number[], o: Omit<VarianceOptions, 'batchSize'>): VarianceReport[] {
  if (sizes.length === 0) throw new UsageError('--sweep needs at least one batch size');
  return sizes.map((n, i) => measureVariance(source, { ...o, batchSize: n, seed: o.seed + 1000 * i }));
}
