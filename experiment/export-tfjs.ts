/**
 * `pgvar export --format tfjs`: a run's policy as a TensorFlow.js Layers model that
 * `tf.loadLayersModel` loads with no pgvar code (nets/tfjs-export.ts builds it from standard layers):
 *   <out>/model.json          topology, weights manifest, and `userDefinedMetadata` (below)
 *   <out>/weights.bin         the weights, float32
 *   <out>/pgvar-export.json   the same metadata, for readers that do not load the model
 *
 * The model takes raw observations as `makeEnv(envId)` returns them, flattened to [batch, size]
 * float32; the run's observation normaliser and clip (training env 0's statistics at the checkpoint,
 * frozen: what `pgvar eval` uses) are layers inside it.
 * - PPO, Discrete actions: the output is the logits; the deterministic action is argmax(logits),
 *   a stochastic one a sample of softmax(logits).
 * - PPO, Box actions: the output is the Gaussian mean (tanh-squashed when the run used tanhMean);
 *   the state-independent log-std is in the metadata (`policy.log_std`); a sample is mean +
 *   exp(log_std)·N(0, 1). When `clip_action` is true, pgvar clipped executed actions to the bounds.
 * - SAC / TD3 runs: the output is the deterministic action tanh(μ(s)) mapped onto the action bounds
 *   (what the run's own evaluation executes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../nets/tf.js';
import { UsageError } from '../common/errors.js';
import { Rng } from '../common/rng.js';
import { writeFileAtomic } from '../common/atomic-fs.js';
import { make, prepareEnv } from '../envs/registry.js';
import { describeSpace, flatSize, type BoxSpace, type Space } from '../envs/spaces.js';
import { executedActionBounds, findWrappers } from '../envs/stack.js';
import { ClipObservation } from '../envs/wrappers/clip.js';
import { NormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { buildPolicyModel, layersModelFiles, type PolicyModelSpec } from '../nets/tfjs-export.js';
import { DenseMlp } from '../nets/engine/dense-mlp.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { frozenEnvLike, loadRun } from './load-run.js';
import { RunDir } from './run-dir.js';
import { runKindOfDir } from './run-config.js';

export { EXPORT_FORMATS, type ExportFormat } from './export-formats.js';

export const TFJS_EXPORT_FORMAT = 'pgvar-tfjs-policy-1';

export interface ExportTfjsOptions {
  /** The run directory (PPO, SAC or TD3). */
  run: string;
  /** Output directory (default `<run>/export-tfjs`); created if missing, its three files replaced. */
  out?: string;
  /** PPO runs: export the snapshot kept at the first step ≥ at (train --snapshot-every) instead of the last checkpoint. */
  at?: number;
}

/** What model.json's `userDefinedMetadata` and pgvar-export.json hold. */
export interface TfjsExportMetadata {
  format: typeof TFJS_EXPORT_FORMAT;
  pgvar_version: string;
  tfjs_version: string;
  algo: string;
  env_id: string;
  /** The run directory, absolute. */
  run: string;
  /** Environment steps of the checkpoint exported. */
  step: number;
  /** 'last' or 'snapshot' (`--at`). */
  checkpoint: 'last' | 'snapshot';
  input: { name: string; shape: number[]; observation_shape: number[]; dtype: 'float32'; note: string };
  output: { name: string; kind: 'logits' | 'gaussian_mean' | 'deterministic_action'; size: number; how_to_act: string };
  policy:
    | { distribution: 'categorical'; n: number }
    | { distribution: 'diagonal_gaussian'; log_std: number[]; tanh_mean: boolean }
    | { distribution: 'deterministic'; actor: 'tanh-gaussian' | 'deterministic' };
  /** The normaliser folded into the model: z = (x − mean)/sqrt(var + epsilon), then clipped to ±clip when clip is set. */
  observation_normalizer: { mean: number[]; var: number[]; epsilon: number; count: number; source: string } | null;
  observation_clip: number | null;
  action_space: Record<string, unknown>;
  /** Executed actions are clipped to the action space's bounds (PPO's ClipAction; off-policy outputs lie inside them). */
  clip_action: boolean;
  action_repeat: number;
  network: { kind: 'mlp' | 'nature-cnn'; actor_sizes: number[]; activation: string };
}

export interface ExportResult {
  out: string;
  files: { model: string; weights: string; metadata: string };
  metadata: TfjsExportMetadata;
}

/** pgvar's version, from the package.json above this file (source or dist/). */
export function pgvarVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pgvar' && pkg.version) return pkg.version;
    }
    const up = path.dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

const shapeOf = (s: Space) => (s.kind === 'discrete' ? [1] : [...s.shape]);
const INPUT_NOTE = 'raw observations as makeEnv(env_id) returns them, flattened row-major, float32 [batch, size]; the normaliser is inside the model';

interface Built {
  spec: PolicyModelSpec;
  meta: Omit<TfjsExportMetadata, 'format' | 'pgvar_version' | 'tfjs_version' | 'run' | 'input'> & { observationSpace: Space };
}

async function ppoModel(dir: string, at: number | undefined): Promise<Built> {
  // the tfjs engine: the export reads the tfjs variables (checkpoints are engine-independent)
  const run = await loadRun(dir, at, 'tfjs');
  try {
    const c = run.config;
    const agent = run.trainer.agent;
    const base = make(c.envId);
    const obsSpace = base.observationSpace;
    const actSpace = base.actionSpace;
    base.close?.();
    // training env 0's stack with its normaliser statistics, frozen (what pgvar eval steps)
    const env = frozenEnvLike(run);
    const norm = findWrappers(env, NormalizeObservation)[0];
    const clip = findWrappers(env, ClipObservation)[0]?.bound ?? 0;
    const clipAction = executedActionBounds(env) !== null;
    env.close?.();
    const read = (v: tf.Variable) => ({ shape: [...v.shape], values: Float32Array.from(v.dataSync() as Float32Array) });
    const cnn = c.network === 'nature-cnn';
    const spec: PolicyModelSpec = {
      inputDim: agent.obsDim,
      ...(norm || clip > 0 ? { inputTransform: { ...(norm ? { mean: norm.rms.mean, variance: norm.rms.var, epsilon: norm.epsilon } : {}), clip } } : {}),
      ...(cnn ? { natureCnn: { channels: shapeOf(obsSpace)[0]!, params: agent.trunk.map(read) } } : {}),
      mlp: { sizes: agent.actor.sizes, activation: agent.actor.activation, params: agent.actor.params.map((p) => read(p).values) },
      outputActivation: agent.kind === 'gaussian' && agent.options.tanhMean ? 'tanh' : 'linear',
    };
    const gaussian = agent.kind === 'gaussian';
    const logStd = gaussian ? Array.from(agent.logStd!.dataSync()) : [];
    return {
      spec,
      meta: {
        algo: 'ppo',
        env_id: c.envId,
        step: run.trainer.globalStep,
        checkpoint: at === undefined ? 'last' : 'snapshot',
        output: gaussian
          ? { name: 'actor_out', kind: 'gaussian_mean', size: agent.outDim, how_to_act: `the mean of the diagonal Gaussian policy${agent.options.tanhMean ? ' (tanh-squashed)' : ''}: deterministic action = mean; stochastic = mean + exp(policy.log_std)·N(0, 1)${clipAction ? ', clipped to the action bounds before the env sees it' : ''}` }
          : { name: 'actor_out', kind: 'logits', size: agent.outDim, how_to_act: 'the logits of the categorical policy: deterministic action = argmax(logits); stochastic = a sample of softmax(logits)' },
        policy: gaussian ? { distribution: 'diagonal_gaussian', log_std: logStd, tanh_mean: !!agent.options.tanhMean } : { distribution: 'categorical', n: agent.outDim },
        observation_normalizer: norm ? { mean: Array.from(norm.rms.mean), var: Array.from(norm.rms.var), epsilon: norm.epsilon, count: norm.rms.count, source: 'training env 0 at the checkpoint, frozen (the statistics pgvar eval uses)' } : null,
        observation_clip: clip > 0 ? clip : null,
        action_space: describeSpace(actSpace),
        clip_action: clipAction,
        action_repeat: c.actionRepeat,
        network: { kind: c.network, actor_sizes: agent.actor.sizes, activation: agent.actor.activation },
        observationSpace: obsSpace,
      },
    };
  } finally {
    run.trainer.dispose();
  }
}

async function offPolicyModel(dir: string, at: number | undefined): Promise<Built> {
  if (at !== undefined) throw new UsageError(`--at: ${dir} is an off-policy run; it keeps only its last checkpoint (no snapshots)`);
  const ck = new RunDir(dir).loadOffPolicyCheckpoint();
  const c = ck.config;
  await prepareEnv(c.envId);
  const env = make(c.envId);
  const obsSpace = env.observationSpace;
  const actSpace = env.actionSpace as BoxSpace;
  env.close?.();
  const A = flatSize(actSpace);
  const low = Array.from(actSpace.low);
  const high = Array.from(actSpace.high);
  if (![...low, ...high].every(Number.isFinite)) throw new UsageError(`--format tfjs: ${c.envId}'s action bounds are not finite; an off-policy actor's tanh output cannot be mapped onto them`);
  const learner = new OffPolicyLearner(c, flatSize(obsSpace), A, new Rng(0));
  learner.setState(ck.trainer.learner);
  const net = learner.policy.net;
  if (!(net instanceof DenseMlp)) throw new UsageError(`--format tfjs exports MLP actors; this run's actor is not one`);
  const params = learner.policy.store.read('p').slice(0, 2 * (net.sizes.length - 1));
  if (learner.policy.kind === 'tanh-gaussian') {
    // the last layer's output is [μ | raw log σ]: keep μ's columns
    const L = params.length - 2;
    const inDim = net.sizes[net.sizes.length - 2]!;
    const W = params[L]!;
    const Wmu = new Float32Array(inDim * A);
    for (let i = 0; i < inDim; i++) Wmu.set(W.subarray(i * 2 * A, i * 2 * A + A), i * A);
    params[L] = Wmu;
    params[L + 1] = params[L + 1]!.slice(0, A);
  }
  const sizes = [...net.sizes.slice(0, -1), A];
  const spec: PolicyModelSpec = {
    inputDim: flatSize(obsSpace),
    mlp: { sizes, activation: c.activation, params },
    outputActivation: 'tanh',
    // the trainer's toEnvAction: low + ½(a + 1)(high − low)
    outputAffine: { scale: low.map((l, j) => 0.5 * (high[j]! - l)), shift: low.map((l, j) => 0.5 * (high[j]! + l)) },
  };
  return {
    spec,
    meta: {
      algo: c.algo,
      env_id: c.envId,
      step: ck.trainer.globalStep,
      checkpoint: 'last',
      output: { name: 'action_scale', kind: 'deterministic_action', size: A, how_to_act: "the deterministic action tanh(μ(s)) mapped onto the action bounds (the run's own evaluation); pass it to env.step as is" },
      policy: { distribution: 'deterministic', actor: learner.policy.kind },
      observation_normalizer: null,
      observation_clip: null,
      action_space: describeSpace(actSpace),
      clip_action: false,
      action_repeat: 1,
      network: { kind: 'mlp', actor_sizes: sizes, activation: c.activation },
      observationSpace: obsSpace,
    },
  };
}

/**
 * Write the policy of the run in `o.run` (PPO, SAC or TD3) as a TensorFlow.js Layers model
 * (`model.json` + `weights.bin`) and `pgvar-export.json` into `o.out` (default `<run>/export-tfjs`).
 * The model maps raw observations to logits (Discrete actions), the Gaussian mean (PPO, Box actions)
 * or the deterministic action (SAC, TD3), with the run's observation normaliser inside it; what else
 * acting needs (log-std, action bounds, whether actions are clipped) is in the metadata
 * (`model.getUserDefinedMetadata()`). Needs an initialised tensor backend (`initBackend`).
 */
export async function exportTfjs(o: ExportTfjsOptions): Promise<ExportResult> {
  const dir = o.run;
  if (!fs.existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  const out = o.out ?? path.join(dir, 'export-tfjs');
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a directory`);
  const built = runKindOfDir(dir) === 'offpolicy' ? await offPolicyModel(dir, o.at) : await ppoModel(dir, o.at);
  const { observationSpace, algo, env_id, step, checkpoint, ...rest } = built.meta;
  const metadata: TfjsExportMetadata = {
    format: TFJS_EXPORT_FORMAT,
    pgvar_version: pgvarVersion(),
    tfjs_version: tf.version.tfjs,
    algo,
    env_id,
    run: path.resolve(dir),
    step,
    checkpoint,
    input: { name: 'observation', shape: [built.spec.inputDim], observation_shape: shapeOf(observationSpace), dtype: 'float32', note: INPUT_NOTE },
    ...rest,
  };
  const model = buildPolicyModel(built.spec);
  let files;
  try {
    files = await layersModelFiles(model, metadata as unknown as Record<string, unknown>);
  } finally {
    model.dispose();
  }
  fs.mkdirSync(out, { recursive: true });
  const written = { model: path.join(out, 'model.json'), weights: path.join(out, 'weights.bin'), metadata: path.join(out, 'pgvar-export.json') };
  writeFileAtomic(written.weights, files.weights);
  writeFileAtomic(written.model, JSON.stringify(files.modelJson));
  writeFileAtomic(written.metadata, JSON.stringify({ ...metadata, files: { model: 'model.json', weights: 'weights.bin' } }, null, 2) + '\n');
  return { out, files: written, metadata };
}
