/**
 * The learned-model machinery MBMA and MBPO share (spec estimators.md §1.7–1.9): a replay buffer of
 * real transitions, a deterministic MLP transition/reward model trained after a warm-up for a fixed
 * number of Adam steps per PPO iteration (the first time × firstTrainMultiplier), the annealing
 * clock of the released code, and the model's error diagnostics. A component estimators receive;
 * its state (networks, optimisers, buffer, counters, RNG) is checkpointed with the estimator.
 */
import { Rng, type RngState } from '../common/rng.js';
import type { Rollout } from '../ppo/rollout.js';
import type { Engine } from '../nets/actor-critic.js';
import { EnsembleDynamicsModel, MlpDynamicsModel, predictionErrors, type TrainableDynamicsModel } from './dynamics-model.js';
import { ReplayBuffer } from './replay-buffer.js';

export interface ModelLearnerOptions {
  warmupSteps: number;
  firstTrainMultiplier: number;
  modelUpdates: number;
  modelBatch: number;
  bufferSize: number;
  hidden: number[];
  predictDelta: boolean;
  /** Members of the dynamics ensemble (1 = a single model, as MBMA); predictions are their mean. */
  ensemble: number;
  lr: number;
  adamEps: number;
  /**
   * What the model sees of an action: 'env' = the action the env executed (clipped to the action
   * space's bounds exactly as the stack's ClipAction does; MBMA's clip(a, −1, 1) on DMC); a number c > 0
   * clips to ±c whatever the space says (runs recorded before 'env' existed have 1); 0 = unclipped.
   */
  actionClip: number | 'env';
  /**
   * Predict termination: 'auto' = on for tasks that can terminate (Hopper, CartPole, …), off for
   * tasks that never do (DMC, Pendulum: MBMA's no-termination semantics); 'on'/'off' force it.
   */
  termination?: 'auto' | 'on' | 'off';
  /**
   * Where the replay data live: 'raw' = observations and rewards before the env stack's normalisers
   * (the model normalises its own inputs and targets; daa, mbpo); 'agent' = what the agent sees (wmpg).
   */
  space?: 'raw' | 'agent';
  annealFraction: number;
  seed: number;
  /** Horizon of the open-loop error diagnostic. */
  errorHorizon: number;
}

/** What the learner needs from its caller (an estimator's context satisfies it). */
export interface LearnerCall {
  /** false: analysis at a fixed policy, nothing may be trained or stored. */
  training: boolean;
  /** The agent: a new model trains on the agent's engine (nets/engine or tfjs). */
  agent?: { engine: Engine };
  progress: { globalStep: number; numIterations: number; fullStrength?: boolean };
  /** Bounds of executed actions (null = executed as sampled). */
  actionBounds?: { low: Float32Array; high: Float32Array } | null;
  /** false for tasks that never terminate. */
  canTerminate?: boolean;
}

/** How a learner's model was built; fixed when it is first built and kept in checkpoints. */
export interface ModelSemantics {
  space: 'raw' | 'agent';
  termination: boolean;
  normalize: boolean;
  /** The engine the model trains on (absent: tfjs, as every model made before the engine existed). */
  engine?: Engine;
}

/** Learners checkpointed before the semantics were recorded: agent-space data, no termination, no normalisation. */
const LEGACY_SEMANTICS: ModelSemantics = { space: 'agent', termination: false, normalize: false };

interface LearnerState {
  model: unknown;
  buffer: unknown;
  dims: [number, number] | null;
  modelSteps: number;
  rng: RngState;
  semantics?: ModelSemantics | null;
}

export class ModelLearner {
  model: TrainableDynamicsModel | null = null;
  private buffer: ReplayBuffer | null = null;
  /** Iterations since the model started training (the annealing clock). */
  modelSteps = 0;
  private readonly rng: Rng;

  /**
   * `factory` builds the model (default: an MLP transition/reward model, or an ensemble of them);
   * the discrete-action world model of `wmpg` comes in through it.
   */
  constructor(
    readonly o: ModelLearnerOptions,
    private readonly factory?: (obsDim: number, actDim: number, rng: Rng, engine: Engine) => TrainableDynamicsModel,
  ) {
    this.rng = new Rng(o.seed + 977);
  }

  /** How the model is built (null until it is first built or restored). */
  semantics: ModelSemantics | null = null;
  /** The env's executed-action bounds, from the latest call. */
  private bounds: { low: Float32Array; high: Float32Array } | null = null;

  /** The action the env executes for a policy sample (n × actDim rows), as the model must see it. */
  readonly clip = (a: Float32Array): Float32Array => {
    const c = this.o.actionClip;
    if (c === 'env') {
      const b = this.bounds;
      if (!b) return a;
      const w = b.low.length;
      return a.map((v, i) => Math.min(b.high[i % w]!, Math.max(b.low[i % w]!, v)));
    }
    return c > 0 ? a.map((v) => Math.max(-c, Math.min(c, v))) : a;
  };

  /** Fix the semantics of a new model from the options and the task. */
  private decide(call: LearnerCall): ModelSemantics {
    const space = this.o.space ?? 'agent';
    const t = this.o.termination ?? 'auto';
    return { space, termination: t === 'on' || (t === 'auto' && call.canTerminate !== false), normalize: space === 'raw', engine: call.agent?.engine ?? 'tfjs' };
  }

  private ensure(obsDim: number, actDim: number): { model: TrainableDynamicsModel; buffer: ReplayBuffer } {
    if (!this.model || !this.buffer) {
      const sem = this.semantics ?? LEGACY_SEMANTICS;
      const mo = { hidden: this.o.hidden, activation: 'leaky_relu' as const, predictDelta: this.o.predictDelta, lr: this.o.lr, adamEps: this.o.adamEps, normalize: sem.normalize, termination: sem.termination, engine: sem.engine ?? 'tfjs' };
      this.model = this.factory
        ? this.factory(obsDim, actDim, this.rng, sem.engine ?? 'tfjs')
        : (this.o.ensemble ?? 1) > 1 ? new EnsembleDynamicsModel(obsDim, actDim, mo, this.o.ensemble, this.rng) : new MlpDynamicsModel(obsDim, actDim, mo, this.rng);
      this.buffer = new ReplayBuffer(this.o.bufferSize, obsDim, actDim);
    }
    return { model: this.model, buffer: this.buffer };
  }

  /** Open-loop H-step observation MSE along env 0's real trajectory, over segments without episode ends (in the model's space). */
  private horizonError(model: TrainableDynamicsModel, r: Rollout, H: number): number {
    const N = r.numEnvs;
    const D = r.obsDim;
    const A = r.actionDim;
    const obsAll = this.semantics?.space === 'raw' ? r.raw.obs : r.obs;
    let sum = 0;
    let count = 0;
    for (let t0 = 0; t0 + H < r.numSteps && count < 8 * D; t0 += H) {
      let clean = true;
      for (let t = t0; t < t0 + H; t++) if (r.terminated[t * N] || r.truncated[t * N]) clean = false;
      if (!clean) continue;
      let obs: Float32Array = obsAll.slice(t0 * N * D, t0 * N * D + D);
      for (let t = t0; t < t0 + H; t++) obs = model.predict(obs, this.clip(r.actions.slice(t * N * A, t * N * A + A)), 1).next;
      const real = obsAll.subarray((t0 + H) * N * D, (t0 + H) * N * D + D);
      for (let i = 0; i < D; i++) sum += (obs[i]! - real[i]!) ** 2;
      count += D;
    }
    return count ? sum / count : NaN;
  }

  /**
   * Feed the rollout (when training): record the model's errors on the new transitions, store them,
   * train after the warm-up. Returns whether the model may be used this iteration, with diagnostics.
   */
  observe(r: Rollout, ctx: LearnerCall): { active: boolean; stats: Record<string, number> } {
    this.bounds = ctx.actionBounds ?? null;
    this.semantics ??= this.decide(ctx);
    const space = this.semantics.space;
    const { model, buffer } = this.ensure(r.obsDim, r.actionDim);
    const stats: Record<string, number> = {};
    if (!ctx.training) return { active: this.modelSteps > 0, stats };
    if (this.modelSteps > 0) {
      const fresh = new ReplayBuffer(r.numSteps * r.numEnvs, r.obsDim, r.actionDim);
      fresh.addRollout(r, this.clip, space);
      const probe = fresh.sample(Math.min(512, fresh.size), this.rng);
      const e = predictionErrors(model, probe);
      if (model instanceof EnsembleDynamicsModel) stats['model_ensemble_disagreement'] = model.disagreement(probe.obs, probe.actions, probe.n);
      stats['model_obs_mse_1step'] = e.obsMse;
      stats['model_reward_mse_1step'] = e.rewardMse;
      stats[`model_obs_mse_${this.o.errorHorizon}step`] = this.horizonError(model, r, this.o.errorHorizon);
    }
    buffer.addRollout(r, this.clip, space);
    stats['buffer_size'] = buffer.size;
    const stepsSeen = ctx.progress.globalStep + r.numSteps * r.numEnvs;
    if (stepsSeen < this.o.warmupSteps || buffer.size < this.o.modelBatch) return { active: false, stats };
    const loss: ReturnType<TrainableDynamicsModel["train"]> = model.train(buffer, this.o.modelUpdates * (this.modelSteps === 0 ? this.o.firstTrainMultiplier : 1), this.o.modelBatch, this.rng);
    stats['model_transition_loss'] = loss.transitionLoss;
    stats['model_reward_loss'] = loss.rewardLoss;
    if (loss.terminalLoss !== undefined) stats['model_terminal_loss'] = loss.terminalLoss;
    this.modelSteps += 1;
    return { active: true, stats };
  }

  /**
   * The released code's schedule: min(max, ⌊w·max/(f·U)⌋ + offset), w = the number of iterations the
   * model has been trained on, counting this one (1 on its first active iteration). The released clock
   * (naumix/CHANGES_ICML2023 @ cfc8c3d, mbma/mbma.py:46 `wm_step = 0`, then lines 119–123
   * `if global_step > args.wm_init_steps: … wm_step += 1` followed by
   * `num_actions = int(wm_step * args.action_samples // (num_updates * args.anneal_limit) + 1)`;
   * the same in mbma/mbpo.py:47, 120–123) is incremented before the formula, so its first value is 1,
   * as `modelSteps` here after `observe` has trained. `progress.fullStrength` (the analysis) skips the
   * schedule: the maximum.
   */
  annealed(max: number, offset: number, ctx: Pick<LearnerCall, 'progress'>, capped = true): number {
    if (ctx.progress.fullStrength) return max;
    const span = this.o.annealFraction * Math.max(ctx.progress.numIterations, 1);
    if (span <= 0) return max;
    const v = Math.floor((this.modelSteps * max) / span) + offset;
    // uncapped: the released mbpo.py derives its horizon from N before N is capped
    return capped ? Math.min(max, v) : v;
  }

  getState(): LearnerState {
    return {
      model: this.model?.getState() ?? null,
      buffer: this.buffer?.getState() ?? null,
      dims: this.model ? [this.model.obsDim, this.model.actDim] : null,
      modelSteps: this.modelSteps,
      rng: this.rng.getState(),
      semantics: this.semantics,
    };
  }

  setState(s: LearnerState): void {
    this.modelSteps = s.modelSteps;
    // a checkpoint without semantics was made before they existed: keep its model's behaviour
    this.semantics = s.semantics === undefined ? LEGACY_SEMANTICS : s.semantics;
    if (s.model && s.buffer && s.dims) {
      // build the networks first: their initialisation draws from the rng restored below
      const { model, buffer } = this.ensure(s.dims[0], s.dims[1]);
      model.setState(s.model);
      buffer.setState(s.buffer);
    }
    this.rng.setState(s.rng);
  }

  dispose(): void {
    this.model?.dispose();
  }
}
