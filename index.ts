/**
 * pgvar's public API: everything exported here is covered by semantic versioning (see the README);
 * every other module is internal and may change in any release.
 *
 * ```ts
 * import { makeEnv, resolveConfig, createTrainer, initBackend } from 'pgvar';
 * await initBackend('wasm');
 * const trainer = createTrainer(resolveConfig({}, { envId: 'CartPole-v1', totalTimesteps: 2048 }));
 * while (!trainer.done) trainer.iterate();
 * ```
 *
 * @packageDocumentation
 */

// ── Errors ────────────────────────────────────────────────────────────────────────────────────────
export { PgvarError, UsageError, NonFiniteError } from './common/errors.js';
export { Rng, type RngState } from './common/rng.js';

// ── Environments: the contract, spaces, the registry (Gymnasium's make/register) ─────────────────
export type { Env, Action, Info, ResetOptions, ResetResult, StepResult } from './envs/env.js';
export { Wrapper, ObservationWrapper } from './envs/env.js';
export type { Space, BoxSpace, DiscreteSpace } from './envs/spaces.js';
export { box, discrete, contains, sample, flatSize, describeSpace, formatSpace } from './envs/spaces.js';
export { make as makeEnv, registerEnv, envIds, envSpec, prepareEnv, type EnvSpec, type EnvRegistration, type MakeOptions, type PresetFamily } from './envs/registry.js';
export { checkEnv, type CheckEnvOptions, type CheckEnvResult, type EnvCheck } from './envs/check-env.js';

// ── Wrappers ─────────────────────────────────────────────────────────────────────────────────────
export { makeTrainingEnv, findWrappers, freezeNormalizers, type EnvStackOptions } from './envs/stack.js';
export { TimeLimit } from './envs/wrappers/time-limit.js';
export { NanGuard } from './envs/wrappers/nan-guard.js';
export { ActionRepeat } from './envs/wrappers/action-repeat.js';
export { ClipAction } from './envs/wrappers/clip-action.js';
export { ClipObservation, ClipReward } from './envs/wrappers/clip.js';
export { NormalizeObservation } from './envs/wrappers/normalize-observation.js';
export { NormalizeReward } from './envs/wrappers/normalize-reward.js';
export { RecordEpisodeStatistics, type EpisodeStats } from './envs/wrappers/record-episode-statistics.js';
export { NoopReset, MaxAndSkip, FireReset, WarpFrame, FrameStack, atariPreprocessing } from './envs/wrappers/atari.js';

// ── Vector envs ──────────────────────────────────────────────────────────────────────────────────
export { SyncVectorEnv, type VectorEnv, type VectorStepResult, type AutoresetMode } from './envs/vector.js';
export { AsyncVectorEnv, type AsyncVectorEnvOptions, type SubEnvSpec } from './envs/async-vector.js';

// ── Tensor backend ───────────────────────────────────────────────────────────────────────────────
export { initBackend, activeBackend, BACKEND_CHOICES, type BackendChoice } from './nets/backend.js';

// ── PPO and its configuration ────────────────────────────────────────────────────────────────────
export { PpoTrainer, type IterationMetrics, type IterationResult, type TrainerState } from './ppo/trainer.js';
export { validateConfig, familyDefaults, derived, type PpoConfig } from './ppo/config.js';
export { resolveConfig, readConfigFile, buildVectorEnv } from './experiment/build.js';
export type { Rollout, EpisodeRecord } from './ppo/rollout.js';
export { computeGae, type GaeInput } from './ppo/gae.js';
export type { ActorCritic } from './nets/actor-critic.js';

// ── Estimators ───────────────────────────────────────────────────────────────────────────────────
export type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo, PolicySamples, ValueTargets, AgentScaling } from './estimators/estimator.js';
export { registerEstimator, estimatorInfo, createEstimator, ESTIMATORS, type EstimatorRegistration } from './estimators/index.js';
export type { SimulatorPool } from './envs/simulator-pool.js';

// ── World models ─────────────────────────────────────────────────────────────────────────────────
export { MlpDynamicsModel, EnsembleDynamicsModel, predictionErrors, type DynamicsModel, type TrainableDynamicsModel, type Prediction, type MlpDynamicsOptions } from './worldmodels/dynamics-model.js';
export { DiscreteWorldModel, type DiscreteWorldModelOptions, type DiscretePrediction } from './worldmodels/discrete-world-model.js';
export { LatentWorldModel, type LatentWorldModelOptions } from './worldmodels/latent-world-model.js';
export { ReplayBuffer, type Transitions } from './worldmodels/replay-buffer.js';
export { imagine, type ImagineOptions, type Imagined } from './worldmodels/imagination.js';

// ── Variance analysis and reports ────────────────────────────────────────────────────────────────
export { measureVariance, sampleSizeSweep, PROTOCOLS, type VarianceOptions, type VarianceReport, type EstimatorVariance, type ProtocolName } from './analysis/variance.js';
export { writeReport, summarizeRuns, type ReportInput, type ReportRun } from './analysis/report.js';
export { analyze, type AnalyzeOptions } from './experiment/analyze.js';

// ── Runs: train, resume, open, evaluate; plug-ins ────────────────────────────────────────────────
export { trainRun, createTrainer, type TrainRunOptions, type TrainSummary } from './experiment/train-run.js';
export { loadRun, type LoadedRun } from './experiment/load-run.js';
export { evaluate, type EvalResult } from './experiment/evaluate.js';
/**
 * `exportTfjs({ run, out?, at? })`: a run's policy (PPO, SAC or TD3) as a TensorFlow.js Layers model,
 * `model.json` + `weights.bin` (loadable with `tf.loadLayersModel`, standard layers only), and
 * `pgvar-export.json`, in `out` (default `<run>/export-tfjs`). The model maps raw observations to
 * logits / the Gaussian mean / the deterministic action, with the run's observation normaliser inside
 * it; the log-std, action bounds and normaliser values are in its `userDefinedMetadata`.
 */
export { exportTfjs, EXPORT_FORMATS, type ExportTfjsOptions, type ExportResult, type ExportFormat, type TfjsExportMetadata } from './experiment/export-tfjs.js';
export { loadPlugins, loadedPlugins } from './experiment/plugins.js';

// ── Sweeps: seeds × estimators × algorithms × envs × grids, locally or on a Redis queue ──────────
/**
 * `runSweep({ root, spec, workers?, queue? })` runs a sweep (`normalizeSpec` checks a specification,
 * `expandSweep` lists its runs with their resolved configs); `runWorker({ url, … })` serves a queue.
 */
export { runSweep, readSweepSpec, sweepName, type SweepOptions, type SweepResult } from './experiment/sweep.js';
export { normalizeSpec, expandSweep, gridPoints, type SweepSpec, type SweepRun } from './experiment/sweep-spec.js';
export { runWorker, type WorkerOptions } from './experiment/sweep-queue.js';
