/**
 * Gradient variance and bias of policy-gradient estimators at a fixed policy (a run's checkpoint):
 * K on-policy batches of n steps are collected with the checkpointed policy (normalisers frozen at
 * their training statistics), every requested estimator is applied to the same batches (common
 * random numbers), and the K gradient estimates are summarised. The reference (the "oracle" of App.
 * C.4) is a separate pool of K_ref estimates of the reference estimator (`single`, the AC gradient,
 * by default; `mc`, simulator-rewind many-actions, on request) on K_ref further batches; its own
 * precision is reported, and biases are corrected for the noise of both pools
 * (analysis/interval-stats.ts). Nothing is ever applied to the weights.
 *
 * Batches come from many envs at once: G copies of the run's env set run side by side (one policy
 * call for all of them), each copy's segment being one batch of the run's shape (numEnvs envs ×
 * n/numEnvs steps), after a warm-up so the states are on-policy rather than near resets. The tested
 * pool and the reference pool run on separate env copies with their own seeds: adjacent segments of
 * one stream are correlated (they share episodes), and a reference batch that continues a tested
 * batch's episode would bias the noise-corrected bias (measured: −0.045 with se 0.008 on CartPole
 * before the pools were separated).
 */
import { UsageError } from '../common/errors.js';
import { Rng } from '../common/rng.js';
import type { VectorEnv } from '../envs/vector.js';
import { SimulatorPool } from '../envs/simulator-pool.js';
import { makeTrainingEnv } from '../envs/stack.js';
import type { Estimator, EstimatorContext } from '../estimators/estimator.js';
import { createSeededEstimator, estimatorInfo } from '../estimators/index.js';
import { envFacts } from '../ppo/env-facts.js';
import { streamSeed } from '../common/seeding.js';
import type { PpoConfig } from '../ppo/config.js';
import { splitRolloutByEnvs, type Rollout } from '../ppo/rollout.js';
import type { PpoTrainer } from '../ppo/trainer.js';
import { onPolicyStream, warmupStepsFor } from './on-policy-stream.js';
import { appC4BiasNoiseFloor, bootstrapIntervals, cosine, gradientStats, meanVector, type GradientStats, type IntervalKey } from './gradient-stats.js';
import { numPolicyParams, policyGradient } from './policy-gradient.js';
import { estimatorIntervalsFromGram, pairedComparisonFromGram, referencePrecision, refGram, sampleGram, type EstimatorIntervals, type PairedComparison, type ReferencePrecision } from './interval-stats.js';

/** Measurement presets: `app-c4` is the protocol of the MBMA paper's App. C.4 (spec estimators.md §1.11). */
export const PROTOCOLS = {
  'app-c4': { batches: 125, batchSize: 2500, referenceBatches: 125 },
} as const;
export type ProtocolName = keyof typeof PROTOCOLS;

export interface VarianceOptions {
  batches: number;
  batchSize: number;
  estimators: string[];
  seed: number;
  /** Estimator of the reference pool: `single` (the AC gradient, default) or any other, e.g. `mc`. */
  reference?: string;
  /** Estimates in the reference pool, each from its own batch of `batchSize` (default: `batches`). */
  referenceBatches?: number;
  /** The protocol these options implement, recorded in the report ('custom' by default). */
  protocol?: ProtocolName | 'custom';
  normalizeAdvantages?: boolean;
  /** Steps per env discarded before the first batch; default: the env's episode limit, else 1000. */
  warmupSteps?: number;
  /** Percentile-bootstrap resamples for the old `ci95` (default 0 = none; it does not hold its coverage). */
  bootstrap?: number;
  /**
   * Batches used, before measuring, to fit the learned parts (Q-networks, dynamics models) of the
   * estimators that the run did not train itself, on data of the frozen policy (default 10; at least 1
   * when there are such estimators, else a UsageError).
   */
  fitBatches?: number;
  /** Envs stepped per policy call at most (default 256): batches collected side by side. */
  envsPerCall?: number;
  /** Options per estimator name, for the estimators created here. */
  estimatorOptions?: Record<string, Record<string, unknown>>;
  /** Progress messages (the CLI prints them to stderr). */
  onProgress?: (message: string) => void;
}

export interface EstimatorVariance extends GradientStats {
  /** 95 % percentile-bootstrap intervals over the K estimates (only with `bootstrap` > 0; they under-cover). */
  ci95?: Record<IntervalKey, [number, number]>;
  /**
   * Unbiased statistics with coverage-tested 95 % intervals (analysis/interval-stats.ts): tr Σ,
   * ‖μ‖², tr Σ/‖μ‖², the noise-corrected squared bias against the reference pool with its
   * resolved flag and the estimates needed to resolve it, relative squared bias, expected pairwise
   * cosine. Absent in reports written before issue 17.
   */
  intervals?: EstimatorIntervals;
  /**
   * The App. C.4 relative bias that noise alone would give an unbiased estimator with these
   * per-parameter variances (and the reference pool's): (1/P) Σ_p √(2/π)·√(v_p/K + v_ref,p/K_ref)/|ḡ_p|.
   * `relative_bias` at or below it is not evidence of bias.
   */
  relative_bias_noise_floor?: number;
  wall_s: number;
}

export interface VarianceReport {
  env: string;
  step: number;
  num_params: number;
  batches: number;
  batch_size: number;
  protocol?: ProtocolName | 'custom';
  /** Steps behind the reference mean: reference batches × batch size. */
  reference_batch_size: number;
  /** The reference pool: estimator, size and precision. Absent in reports written before issue 17. */
  reference?: { estimator: string; batches: number; precision: ReferencePrecision | null };
  /** Batches spent fitting the learned parts of estimators the run did not train. */
  fit_batches: number;
  reference_estimator: string;
  advantage_normalization: boolean;
  seed: number;
  /** Envs stepped per policy call, and the measurement's own throughput (collection + estimates). */
  throughput?: { envs_per_call: number; estimates: number; env_steps: number; wall_s: number; estimates_per_s: number; env_steps_per_s: number };
  estimators: Record<string, EstimatorVariance>;
  /** Cosine between the mean gradients of each pair of estimators (does one agree with another, e.g. a model-based one with \`mc\`?). */
  mean_gradient_cosines: Record<string, Record<string, number>>;
  /**
   * Paired comparisons (same batches) of every other estimator with the baseline (`single` when
   * measured, else the first listed), then of every other pair (the later-listed estimator against the
   * earlier): variance ratio and squared-bias difference with intervals, and verdicts. Absent in
   * reports written before issue 17 or with one estimator.
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
  const refName = estimatorInfo(o.reference ?? REFERENCE_ESTIMATOR).name;
  const Kref = o.referenceBatches ?? o.batches;
  if (!Number.isInteger(Kref) || Kref < 2) throw new UsageError(`--reference-batches must be an integer ≥ 2, got ${Kref}`);
  const envsPerCall = o.envsPerCall ?? 256;
  if (!Number.isInteger(envsPerCall) || envsPerCall < 1) throw new UsageError(`envsPerCall must be a positive integer, got ${envsPerCall}`);
  const agent = trainer.agent;
  const stepsPerEnv = o.batchSize / N;

  const estimators = new Map<string, Estimator>();
  for (const name of new Set([...names, refName])) {
    // learned parts fitted here start from weights derived from the measurement seed
    const est = name === config.estimator ? trainer.estimator : createSeededEstimator(name, o.estimatorOptions?.[name] ?? {}, streamSeed(o.seed, `analysis/estimator/${name}/init`));
    estimators.set(name, est);
  }
  const toFit = [...estimators].filter(([, e]) => e !== trainer.estimator && e.getState !== undefined);
  const fitBatches = toFit.length ? (o.fitBatches ?? 10) : 0;
  if (toFit.length && !(Number.isInteger(fitBatches) && fitBatches >= 1)) {
    for (const [, est] of estimators) if (est !== trainer.estimator) est.dispose?.();
    throw fitBatchesError(fitBatches, toFit.map(([n]) => n));
  }
  const perPass = Math.max(1, Math.floor(envsPerCall / N));
  const t0 = performance.now();
  const say = (m: string) => o.onProgress?.(`${m} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  const needsSim = (list: string[]) => list.some((n) => (estimators.get(n)!.simulatorSize ?? 0) > 0);
  const simSize = Math.max(0, ...[...estimators.values()].map((e) => e.simulatorSize ?? 0));
  const simulator = simSize > 0 ? new SimulatorPool(() => makeTrainingEnv(config.envId, config), simSize) : undefined;
  const warm = warmupStepsFor(config.envId, o.warmupSteps);
  let envSteps = 0;
  /**
   * One pool's data: G copies of the run's env set on their own streams (the tested pool and the
   * reference pool never share an env, so their estimates are independent), `count` batches from
   * ⌈count/G⌉ passes; between passes the streams run `warm` steps unused, so batches of successive
   * passes are not adjacent segments of one episode.
   */
  const pool = (count: number, streamSeedValue: number, snapshots: boolean) => {
    const groups = Math.min(perPass, count);
    const { venv, collector } = onPolicyStream(source, streamSeedValue, warm, groups);
    collector.recordSnapshots = snapshots;
    let passes = 0;
    const next = (k: number): Rollout[] => {
      if (passes > 0 && warm > 0) {
        collector.collect(warm, 0);
        envSteps += warm * groups * N;
      }
      const r = collector.collect(stepsPerEnv, passes * groups * o.batchSize);
      passes += 1;
      envSteps += r.numSteps * r.numEnvs;
      return (groups === 1 ? [r] : splitRolloutByEnvs(r, N)).slice(0, k);
    };
    return { venv, groups, next };
  };
  say(`variance: warming up ${Math.min(perPass, o.batches) * N} envs for the tested pool`);
  const tested = pool(o.batches, o.seed, needsSim([...names, ...toFit.map(([n]) => n)]));
  const ctxFor = (name: string, venv: VectorEnv, stream = `analysis/estimator/${name}`): EstimatorContext => ({
    simulator,
    // estimators are measured at full strength (N and H not annealed), however long their model trained
    progress: { iteration: trainer.iteration, numIterations: trainer.numIterations, globalStep: trainer.globalStep, fullStrength: true },
    training: false,
    agent,
    gamma: config.gamma,
    gaeLambda: config.gaeLambda,
    bootstrapTruncation: config.bootstrapTruncation,
    rng: new Rng(streamSeed(o.seed, stream)),
    // the measurement envs' own normalisers (frozen at the run's statistics), action bounds, termination
    ...envFacts(venv, config.envId),
  });
  const ctxs = new Map([...estimators.keys()].map((n) => [n, ctxFor(n, tested.venv)]));
  if (fitBatches > 0) {
    say(`variance: fitting ${toFit.map(([n]) => n).join(', ')} on ${fitBatches} batches`);
    let k = 0;
    while (k < fitBatches) {
      for (const rollout of tested.next(fitBatches - k)) {
        // the model warm-up of training does not apply here: the fit batches exist to train it
        for (const [name, est] of toFit) est.prepare(rollout, { ...ctxs.get(name)!, training: true, progress: { iteration: k, numIterations: trainer.numIterations, globalStep: Number.MAX_SAFE_INTEGER, fullStrength: true } });
        k += 1;
      }
    }
  }
  const grads = new Map<string, Float64Array[]>(names.map((n) => [n, []]));
  const wall = new Map<string, number>(names.map((n) => [n, 0]));
  const norm = o.normalizeAdvantages ?? false;
  /** The estimates of `list` on K batches of `source`, pass by pass (a pass's rollouts are dropped once used). */
  const estimate = (K: number, from: ReturnType<typeof pool>, list: string[], into: Map<string, Float64Array[]>, what: string, ctxOf: (name: string) => EstimatorContext) => {
    while (into.get(list[0]!)!.length < K) {
      const done = into.get(list[0]!)!.length;
      const batch = from.next(K - done);
      say(`variance: ${what} batches ${done + 1}–${done + batch.length} of ${K} (${o.batchSize} steps each), estimators ${list.join(', ')}`);
      for (const rollout of batch)
        for (const name of list) {
          const t1 = performance.now();
          into.get(name)!.push(policyGradient(agent, estimators.get(name)!.prepare(rollout, ctxOf(name)), norm));
          if (into === grads) wall.set(name, wall.get(name)! + (performance.now() - t1) / 1000);
        }
    }
  };
  estimate(o.batches, tested, names, grads, 'measuring', (n) => ctxs.get(n)!);
  // one pool's envs at a time (MuJoCo's WebAssembly memory holds about 250 envs)
  tested.venv.close();
  say(`variance: warming up ${Math.min(perPass, Kref) * N} envs for the reference pool`);
  const refStream = pool(Kref, streamSeed(o.seed, 'analysis/reference-pool'), needsSim([refName]));
  const refCtx = ctxFor(refName, refStream.venv, `analysis/estimator/${refName}/reference-pool`);
  const refPools = new Map<string, Float64Array[]>([[refName, []]]);
  estimate(Kref, refStream, [refName], refPools, `reference pool (${refName})`, () => refCtx);
  refStream.venv.close();
  const refParts = refPools.get(refName)!;
  const reference = meanVector(refParts);
  const collectedIn = (performance.now() - t0) / 1000;

  const result: Record<string, EstimatorVariance> = {};
  const boot = o.bootstrap ?? 0;
  const refG = refGram(refParts);
  const grams = new Map(names.map((n) => [n, sampleGram(grads.get(n)!, refParts)]));
  const canInterval = o.batches >= 4 && Kref >= 4;
  for (const name of names) {
    const g = grads.get(name)!;
    const ci95 = boot > 0 ? { ci95: bootstrapIntervals(g, reference, boot, new Rng(o.seed + 7)) } : {};
    const intervals = canInterval ? estimatorIntervalsFromGram(grams.get(name)!, refG) : undefined;
    result[name] = { ...gradientStats(g, reference), ...ci95, ...(intervals ? { intervals } : {}), relative_bias_noise_floor: appC4BiasNoiseFloor(g, refParts), wall_s: +wall.get(name)!.toFixed(3) };
  }
  const baseline = names.includes(REFERENCE_ESTIMATOR) ? REFERENCE_ESTIMATOR : names[0]!;
  // every estimator against the baseline first, then every other pair in the listed order (A before B)
  const others = names.filter((n) => n !== baseline);
  const pairs: [string, string][] = [...others.map((n): [string, string] => [n, baseline]), ...others.flatMap((a, i) => others.slice(i + 1).map((b): [string, string] => [b, a]))];
  const comparisons = canInterval ? pairs.map(([a, b]) => pairedComparisonFromGram(a, grams.get(a)!, b, grams.get(b)!, refG)) : [];
  const means = new Map(names.map((n) => [n, meanVector(grads.get(n)!)]));
  const meanCosines = Object.fromEntries(names.map((a) => [a, Object.fromEntries(names.filter((b) => b !== a).map((b) => [b, +cosine(means.get(a)!, means.get(b)!).toFixed(4)]))]));
  for (const [, est] of estimators) if (est !== trainer.estimator) est.dispose?.();
  simulator?.close();
  const estimates = o.batches * names.length + Kref;
  return {
    env: config.envId,
    step: trainer.globalStep,
    num_params: numPolicyParams(agent),
    batches: o.batches,
    batch_size: o.batchSize,
    protocol: o.protocol ?? 'custom',
    reference_batch_size: Kref * o.batchSize,
    reference: { estimator: refName, batches: Kref, precision: Kref >= 4 ? referencePrecision(refG) : null },
    fit_batches: fitBatches,
    reference_estimator: refName,
    advantage_normalization: norm,
    seed: o.seed,
    throughput: { envs_per_call: tested.groups * N, estimates, env_steps: envSteps, wall_s: +collectedIn.toFixed(3), estimates_per_s: +(estimates / collectedIn).toFixed(2), env_steps_per_s: Math.round(envSteps / collectedIn) },
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
