/**
 * `daa` (alias `mbma`): many-actions policy gradient with a learned dynamics model (Nauman & Cygan,
 * ICML 2023; spec estimators.md §1.7–1.8). Per PPO iteration:
 * 1. GAE advantages for the real actions (the `single` estimator);
 * 2. the real transitions go to a replay buffer; once `warmupSteps` env steps have been seen, the
 *    transition and reward MLPs take `modelUpdates` Adam steps (the first time × `firstTrainMultiplier`);
 * 3. N_cur extra actions per visited state are drawn from π_old and valued by imagination rollouts of
 *    H_cur model steps (critic-bootstrapped GAE over the imagined segment, no termination), with
 *    N and H annealed over the first `annealFraction` of training as in the released code:
 *    N_cur = min(N, ⌊w·N/(f·U)⌋ + 1), H_cur = min(H, ⌊w·H/(f·U)⌋ + 2), w = iterations since the model
 *    started, U = total iterations;
 * 4. policy rows: real + extra actions with equal weights 1/(N_cur + 1); value loss on real states only.
 * Reported per iteration: the model's one-step observation/reward MSE on the new (not yet trained on)
 * transitions and its H-step open-loop observation MSE along the real trajectory.
 *
 * Presets: `paper` = table C.5 (N 8, H 10, hidden 1024, buffer 25 000, 320 updates, Adam eps 1e-5);
 * `code` = the released code's deviations (H 8, buffer 200 000, 640 updates, Adam eps 1e-8,
 * warm-up 40 000 steps with an 8× first training); `cpu` (default) = narrower nets (256) and 100
 * updates per iteration so it runs on 2 cores. Individual options override the preset.
 */
import { UsageError } from '../common/errors.js';
import { Rng, type RngState } from '../common/rng.js';
import type { Rollout } from '../ppo/rollout.js';
import { MlpDynamicsModel, type MlpDynamicsOptions } from '../worldmodels/dynamics-model.js';
import { imagine } from '../worldmodels/imagination.js';
import { ReplayBuffer } from '../worldmodels/replay-buffer.js';
import type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { manyActionsBatch, repeatObservations } from './many-actions-rows.js';
import { SingleActionEstimator } from './single.js';

export interface ModelManyActionsOptions {
  actions: number;
  horizon: number;
  annealFraction: number;
  warmupSteps: number;
  firstTrainMultiplier: number;
  modelUpdates: number;
  modelBatch: number;
  bufferSize: number;
  hidden: number[];
  predictDelta: boolean;
  lr: number;
  adamEps: number;
  /** Clip actions to ±this before the model sees them (MBMA: 1); 0 = no clipping. */
  actionClip: number;
  seed: number;
}

export const MBMA_PRESETS: Record<'paper' | 'code' | 'cpu', ModelManyActionsOptions> = {
  paper: { actions: 8, horizon: 10, annealFraction: 0.15, warmupSteps: 0, firstTrainMultiplier: 1, modelUpdates: 320, modelBatch: 128, bufferSize: 25_000, hidden: [1024, 1024], predictDelta: false, lr: 3e-4, adamEps: 1e-5, actionClip: 1, seed: 0 },
  code: { actions: 8, horizon: 8, annealFraction: 0.15, warmupSteps: 40_000, firstTrainMultiplier: 8, modelUpdates: 640, modelBatch: 128, bufferSize: 200_000, hidden: [1024, 1024], predictDelta: false, lr: 3e-4, adamEps: 1e-8, actionClip: 1, seed: 0 },
  cpu: { actions: 8, horizon: 10, annealFraction: 0.15, warmupSteps: 10_000, firstTrainMultiplier: 4, modelUpdates: 100, modelBatch: 128, bufferSize: 25_000, hidden: [256, 256], predictDelta: false, lr: 3e-4, adamEps: 1e-5, actionClip: 1, seed: 0 },
};

interface State {
  model: ReturnType<MlpDynamicsModel['getState']> | null;
  buffer: unknown;
  modelSteps: number;
  rng: RngState;
}

export class ModelManyActionsEstimator implements Estimator {
  readonly name = 'daa';
  private model: MlpDynamicsModel | null = null;
  private buffer: ReplayBuffer | null = null;
  /** Iterations since the model started training (the annealing clock). */
  private modelSteps = 0;
  private readonly single = new SingleActionEstimator();
  private readonly rng: Rng;

  constructor(readonly o: ModelManyActionsOptions) {
    this.rng = new Rng(o.seed + 977);
  }

  private ensure(r: Rollout): { model: MlpDynamicsModel; buffer: ReplayBuffer } {
    if (!this.model || !this.buffer) {
      const opts: MlpDynamicsOptions = { hidden: this.o.hidden, activation: 'leaky_relu', predictDelta: this.o.predictDelta, lr: this.o.lr, adamEps: this.o.adamEps };
      this.model = new MlpDynamicsModel(r.obsDim, r.actionDim, opts, this.rng);
      this.buffer = new ReplayBuffer(this.o.bufferSize, r.obsDim, r.actionDim);
    }
    return { model: this.model, buffer: this.buffer };
  }

  private clip = (a: Float32Array): Float32Array => (this.o.actionClip > 0 ? a.map((v) => Math.max(-this.o.actionClip, Math.min(this.o.actionClip, v))) : a);

  /** Open-loop H-step observation MSE along env 0's real trajectory, over segments without episode ends. */
  private horizonError(model: MlpDynamicsModel, r: Rollout, H: number): number {
    const N = r.numEnvs;
    const D = r.obsDim;
    const A = r.actionDim;
    let sum = 0;
    let count = 0;
    for (let t0 = 0; t0 + H < r.numSteps; t0 += H) {
      let clean = true;
      for (let t = t0; t < t0 + H; t++) if (r.terminated[t * N] || r.truncated[t * N]) clean = false;
      if (!clean) continue;
      let obs: Float32Array = r.obs.slice(t0 * N * D, t0 * N * D + D);
      for (let t = t0; t < t0 + H; t++) obs = model.predict(obs, this.clip(r.actions.slice(t * N * A, t * N * A + A)), 1).next;
      const real = r.obs.subarray((t0 + H) * N * D, (t0 + H) * N * D + D);
      for (let i = 0; i < D; i++) sum += (obs[i]! - real[i]!) ** 2;
      count += D;
      if (count >= 8 * D) break; // a few segments are enough for a diagnostic
    }
    return count ? sum / count : NaN;
  }

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const base = this.single.prepare(r, ctx);
    const { model, buffer } = this.ensure(r);
    const stats: Record<string, number> = {};
    const stepsSeen = ctx.progress.globalStep + r.numSteps * r.numEnvs;
    if (ctx.training) {
      // one-step error on transitions the model has not been trained on yet
      if (this.modelSteps > 0) {
        const fresh = new ReplayBuffer(r.numSteps * r.numEnvs, r.obsDim, r.actionDim);
        fresh.addRollout(r, this.clip);
        const e = model.errors(fresh.sample(Math.min(512, fresh.size), this.rng));
        stats['model_obs_mse_1step'] = e.obsMse;
        stats['model_reward_mse_1step'] = e.rewardMse;
        stats[`model_obs_mse_${this.o.horizon}step`] = this.horizonError(model, r, this.o.horizon);
      }
      buffer.addRollout(r, this.clip);
      if (stepsSeen < this.o.warmupSteps || buffer.size < this.o.modelBatch) return { ...base, stats: { ...stats, model_active: 0, buffer_size: buffer.size } };
      const updates = this.o.modelUpdates * (this.modelSteps === 0 ? this.o.firstTrainMultiplier : 1);
      const loss = model.train(buffer, updates, this.o.modelBatch, this.rng);
      stats['model_transition_loss'] = loss.transitionLoss;
      stats['model_reward_loss'] = loss.rewardLoss;
      this.modelSteps += 1;
    } else if (this.modelSteps === 0) {
      return { ...base, stats: { model_active: 0 } };
    }
    const U = Math.max(ctx.progress.numIterations, 1);
    const w = this.modelSteps - 1;
    const span = this.o.annealFraction * U;
    const X = span > 0 ? Math.min(this.o.actions, Math.floor((w * this.o.actions) / span) + 1) : this.o.actions;
    const H = span > 0 ? Math.min(this.o.horizon, Math.floor((w * this.o.horizon) / span) + 2) : this.o.horizon;
    const S = base.numStates;
    const obsRep = repeatObservations(r, S, X);
    const first = ctx.agent.act(obsRep, S * X, ctx.agent.sampleNoise(S * X, ctx.rng));
    const im = imagine(model, ctx.agent, obsRep, first.actions, S * X, { horizon: H, gamma: ctx.gamma, lambda: ctx.gaeLambda, rng: ctx.rng, actionTransform: this.clip });
    return manyActionsBatch(r, base, { actions: first.actions, logProbs: first.logProbs, advantages: im.advantages }, X, { ...stats, model_active: 1, extra_actions: X, horizon: H, buffer_size: buffer.size });
  }

  getState(): State {
    return { model: this.model?.getState() ?? null, buffer: this.buffer?.getState() ?? null, modelSteps: this.modelSteps, rng: this.rng.getState() };
  }

  setState(s: unknown): void {
    const st = s as State;
    this.modelSteps = st.modelSteps;
    if (st.model && st.buffer) {
      // build the networks first: their initialisation draws from the rng restored below
      const obsDim = st.model.transition[st.model.transition.length - 1]!.shape[0]!;
      const inDim = st.model.transition[0]!.shape[0]!;
      const fake = { obsDim, actionDim: inDim - obsDim } as Rollout;
      const { model, buffer } = this.ensure(fake);
      model.setState(st.model);
      buffer.setState(st.buffer);
    }
    this.rng.setState(st.rng);
  }

  dispose(): void {
    this.model?.dispose();
  }
}

const NUMERIC_KEYS = ['actions', 'horizon', 'annealFraction', 'warmupSteps', 'firstTrainMultiplier', 'modelUpdates', 'modelBatch', 'bufferSize', 'lr', 'adamEps', 'actionClip', 'seed'] as const;

export function parseModelManyActionsOptions(options: Record<string, unknown>): ModelManyActionsOptions {
  const presetName = (options['preset'] ?? 'cpu') as string;
  if (!(presetName in MBMA_PRESETS)) throw new UsageError(`estimator 'daa': preset must be one of ${Object.keys(MBMA_PRESETS).join(', ')}, got '${presetName}'`);
  const o: ModelManyActionsOptions = structuredClone(MBMA_PRESETS[presetName as keyof typeof MBMA_PRESETS]);
  const valid = ['preset', ...NUMERIC_KEYS, 'hidden', 'predictDelta'];
  for (const [k, v] of Object.entries(options)) {
    if (!valid.includes(k)) throw new UsageError(`estimator 'daa': unknown option '${k}'; valid: ${valid.join(', ')}`);
    if (k === 'preset') continue;
    if (k === 'hidden') {
      if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x > 0)) throw new UsageError(`estimator 'daa': option 'hidden' must be an array of positive integers, got ${JSON.stringify(v)}`);
      o.hidden = v as number[];
    } else if (k === 'predictDelta') {
      if (typeof v !== 'boolean') throw new UsageError(`estimator 'daa': option 'predictDelta' must be true or false, got ${JSON.stringify(v)}`);
      o.predictDelta = v;
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UsageError(`estimator 'daa': option '${k}' must be a non-negative number, got ${JSON.stringify(v)}`);
      (o as unknown as Record<string, number>)[k] = v;
    }
  }
  for (const k of ['actions', 'horizon', 'modelBatch', 'bufferSize'] as const) if (!Number.isInteger(o[k]) || o[k] < 1) throw new UsageError(`estimator 'daa': option '${k}' must be a positive integer, got ${o[k]}`);
  return o;
}

export const modelManyActionsInfo: EstimatorInfo = {
  name: 'daa',
  aliases: ['mbma'],
  description: 'Many-actions estimator (DAA/MBMA): N extra actions per state valued by critic-bootstrapped rollouts in a learned dynamics model; presets paper|code|cpu.',
  extraActionsPerState: 'N',
  create: (options) => new ModelManyActionsEstimator(parseModelManyActionsOptions(options)),
};
