/**
 * `wmpg`: world-model policy gradient (Nauman & den Hengst, arXiv 2010.15622; spec estimators.md
 * §2). Discrete actions only. Per PPO iteration:
 * 1. GAE rows and value targets of the real actions (used as they are until the model is active);
 * 2. the real transitions go to a replay buffer and a discrete world model (state change, reward,
 *    termination; `worldmodels/discrete-world-model.ts`) is trained online, after `warmupSteps`;
 * 3. at every visited state, k distinct actions are drawn by Gumbel-top-k from π_old; each is valued
 *    by an imagined rollout of H model steps that follows π after the first action and is
 *    bootstrapped by the critic (`worldmodels/discrete-imagination.ts`): Q̂(s,a);
 * 4. the informed baseline b(s) is the imagined return of the policy's own rollout from s (first
 *    action drawn from π, same horizon) — WMPG's "imagined return as a baseline"; f(a) = Q̂(s,a) − b(s);
 * 5. the k values are combined by a without-replacement estimator (`estimators/without-replacement.ts`):
 *    - `usbl` (default): the unordered-set estimator with its built-in baseline,
 *      rows w = p(a) R(S,a), Â = f(a) − B_a;
 *    - `us`: the unordered-set estimator without the built-in baseline, Â = f(a);
 *    - `iw`: the importance-weighted threshold estimator, w = p(a)/q_κ(a), Â = f(a).
 *    All are unbiased for Σ_a ∇π(a|s) Q̂(s,a) (any state baseline vanishes in expectation); with
 *    k = |A| all three equal the MAC full sum with model-estimated Q (tested).
 *
 * Design choices where the paper is silent (its full text is not available; see the README):
 * k defaults to max(2, ⌈|A|/2⌉) (CartPole 2 = all, LunarLander 2 of 4, Pong 3 of 6); H = 20 (a pilot on
 * CartPole, seed 1: H = 1, 5, 20 reached returns 38, 145, 447 after 50k steps — short horizons leave the action's effect
 * to the critic at imagined states, which barely tells the actions apart); the
 * policy after the first imagined action is sampled (one rollout per branch, the branches of a state
 * sharing their policy noise — common random numbers, `commonNoise`); the termination head
 * enters as an expected continuation; the executed action is not forced into the set; the rows'
 * weights are the estimator's coefficients, so PPO's loss divides by their minibatch sum (≈ the
 * number of states, exactly that for k = |A|).
 * Frames (`model: 'latent'`, chosen by 'auto' for 84 × 84 stacks): the same steps in the latent world
 * model (`worldmodels/latent-world-model.ts`), whose distilled policy and value heads stand in for the
 * agent inside imagination.
 */
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import type { Rng } from '../common/rng.js';
import type { Space } from '../envs/spaces.js';
import type { Rollout } from '../ppo/rollout.js';
import { imaginedReturns, type DiscreteStepModel, type ImaginationPolicy } from '../worldmodels/discrete-imagination.js';
import { DiscreteWorldModel } from '../worldmodels/discrete-world-model.js';
import { LatentModelLearner } from '../worldmodels/latent-model-learner.js';
import { ModelLearner, type ModelLearnerOptions } from '../worldmodels/model-learner.js';
import { actionSetBatch, requireDiscrete, requireDiscreteSpace, type ActionSetRow } from './action-set-rows.js';
import type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { repeatObservations, repeatRows } from './many-actions-rows.js';
import { flag, nonNegativeInt, parseOptions, positiveInt, positiveNumber, widths } from './options.js';
import { SingleActionEstimator } from './single.js';
import { gumbelTopK, thresholdWeights, unorderedSetTerms } from './without-replacement.js';
import { BUILTIN_ESTIMATORS } from './registry.js';

export type WithoutReplacementMode = 'usbl' | 'us' | 'iw';
export type WorldModelKind = 'auto' | 'state' | 'latent';

const FRAME = 84 * 84;

/** The world model's training schedule is the ModelLearner's (warm-up, updates, batch, buffer, width, lr, seed). */
export interface WorldModelPgOptions extends Pick<ModelLearnerOptions, 'warmupSteps' | 'firstTrainMultiplier' | 'modelUpdates' | 'modelBatch' | 'bufferSize' | 'hidden' | 'lr' | 'seed'> {
  /** Actions drawn without replacement per state; 0 = max(2, ⌈|A|/2⌉). */
  actions: number;
  horizon: number;
  estimator: WithoutReplacementMode;
  /** true: b(s) = imagined return of π's own rollout; false: the critic V(s). */
  informedBaseline: boolean;
  /** Common random numbers: a state's branches share the policy noise of their imagined continuations. */
  commonNoise: boolean;
  /** 'state': MLP on state vectors; 'latent': frame encoder + latent model; 'auto': latent for 84 × 84 frame stacks. */
  model: WorldModelKind;
  /** Latent model: latent size, Adam steps per iteration, minibatch, frame replay capacity. */
  latent: number;
  latentUpdates: number;
  latentBatch: number;
  frameBufferSize: number;
}

export const WMPG_DEFAULTS: WorldModelPgOptions = {
  actions: 0,
  horizon: 20,
  estimator: 'usbl',
  informedBaseline: true,
  commonNoise: true,
  model: 'auto',
  latent: 64,
  latentUpdates: 8,
  latentBatch: 32,
  frameBufferSize: 4096,
  warmupSteps: 5_000,
  firstTrainMultiplier: 4,
  modelUpdates: 100,
  modelBatch: 256,
  bufferSize: 100_000,
  hidden: [128, 128],
  lr: 1e-3,
  seed: 0,
};

/** Per state: the drawn set, its rows' weights and advantages. Exported for tests and analysis. */
export function setRows(logp: Float64Array, items: number[], kappa: number, f: number[], mode: WithoutReplacementMode): { weights: Float64Array; advantages: Float64Array } {
  if (mode === 'iw') return { weights: thresholdWeights(logp, items, kappa), advantages: Float64Array.from(f) };
  const terms = unorderedSetTerms(logp, items, f, mode === 'usbl');
  return { weights: terms.weights, advantages: Float64Array.from(f, (x, i) => x - terms.baselines[i]!) };
}

export class WorldModelPgEstimator implements Estimator {
  readonly name = 'wmpg';
  private learner: ModelLearner | null = null;
  private latentLearner: LatentModelLearner | null = null;
  private numActions = 0;
  private frameDim = 0;
  private readonly single = new SingleActionEstimator();

  resolvedOptions(): Record<string, unknown> {
    return { ...this.o };
  }

  constructor(readonly o: WorldModelPgOptions) {}

  private ensure(nA: number): ModelLearner {
    if (!this.learner) {
      this.numActions = nA;
      const o = this.o;
      this.learner = new ModelLearner(
        { warmupSteps: o.warmupSteps, firstTrainMultiplier: o.firstTrainMultiplier, modelUpdates: o.modelUpdates, modelBatch: o.modelBatch, bufferSize: o.bufferSize, hidden: o.hidden, predictDelta: true, ensemble: 1, lr: o.lr, adamEps: 1e-8, actionClip: 0, annealFraction: 0, seed: o.seed, errorHorizon: o.horizon },
        (obsDim: number, _actDim: number, rng: Rng, engine) => new DiscreteWorldModel(obsDim, nA, { hidden: o.hidden, lr: o.lr, adamEps: 1e-8, engine }, rng),
      );
    }
    return this.learner;
  }

  private ensureLatent(frameDim: number, nA: number): LatentModelLearner {
    if (!this.latentLearner) {
      this.numActions = nA;
      this.frameDim = frameDim;
      const o = this.o;
      this.latentLearner = new LatentModelLearner({ warmupSteps: o.warmupSteps, firstTrainMultiplier: o.firstTrainMultiplier, updates: o.latentUpdates, batch: o.latentBatch, bufferSize: o.frameBufferSize, latent: o.latent, hidden: o.hidden, lr: o.lr, seed: o.seed }, frameDim, nA);
    }
    return this.latentLearner;
  }

  /** Whether observations of this size go to the latent model. */
  usesLatent(obsDim: number): boolean {
    return this.o.model === 'latent' || (this.o.model === 'auto' && obsDim >= FRAME && obsDim % FRAME === 0);
  }

  setSize(nA: number): number {
    const k = this.o.actions === 0 ? Math.max(2, Math.ceil(nA / 2)) : this.o.actions;
    if (k > nA) throw new UsageError(`estimator 'wmpg': actions (k) must be at most the number of actions ${nA}, got ${k}`);
    return Math.min(k, nA);
  }

  checkSpaces(observationSpace: Space, actionSpace: Space): void {
    this.setSize(requireDiscreteSpace(actionSpace, this.name));
    const shape = observationSpace.kind === 'box' ? observationSpace.shape : [];
    const frames = shape.length === 3 && shape[1] === 84 && shape[2] === 84;
    const describe = observationSpace.kind === 'box' ? `shape [${shape.join(', ')}]` : `a ${observationSpace.kind} space`;
    if (this.o.model === 'latent' && !frames) throw new UsageError(`estimator 'wmpg': model 'latent' needs C × 84 × 84 frame observations, got ${describe} (use model 'state' or 'auto')`);
    if (this.o.model === 'state' && shape.length !== 1) throw new UsageError(`estimator 'wmpg': model 'state' needs flat state-vector observations, got ${describe} (use model 'latent' or 'auto' for frames)`);
    if (this.o.model === 'auto' && shape.length !== 1 && !frames) throw new UsageError(`estimator 'wmpg' needs flat state vectors or C × 84 × 84 frames, got ${describe}`);
  }

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const nA = requireDiscrete(ctx.agent, this.name);
    const base = this.single.prepare(r, ctx);
    const S = base.numStates;
    const k = this.setSize(nA);
    // k drawn actions + 1 policy action (the informed baseline) per state, all imagined in one batch
    const per = k + (this.o.informedBaseline ? 1 : 0);
    const lp32 = ctx.agent.logProbsAll(r.obs, S);
    let model: DiscreteStepModel;
    let policy: ImaginationPolicy;
    let starts: Float32Array;
    let stats: Record<string, number>;
    if (this.usesLatent(r.obsDim)) {
      // frames: imagine in the latent model, following its distilled policy and value heads
      const learner = this.ensureLatent(r.obsDim, nA);
      const seen = learner.observe(r, ctx, lp32);
      if (!seen.active) return { ...base, stats: { ...seen.stats, model_active: 0 } };
      starts = repeatRows(learner.model.encode(r.obs, S), this.o.latent, S, per);
      model = learner.model;
      policy = learner.model;
      stats = seen.stats;
    } else {
      const learner = this.ensure(nA);
      const seen = learner.observe(r, ctx);
      if (!seen.active) return { ...base, stats: { ...seen.stats, model_active: 0 } };
      starts = repeatObservations(r, S, per);
      model = learner.model as DiscreteWorldModel;
      policy = ctx.agent;
      stats = seen.stats;
    }
    const first = new Float32Array(S * per);
    const sets: { logp: Float64Array; items: number[]; kappa: number }[] = [];
    for (let s = 0; s < S; s++) {
      const logp = Float64Array.from(lp32.subarray(s * nA, (s + 1) * nA));
      const { items, kappa } = gumbelTopK(logp, k, ctx.rng);
      sets.push({ logp, items, kappa });
      items.forEach((a, j) => (first[s * per + j] = a));
      if (this.o.informedBaseline) first[s * per + k] = gumbelTopK(logp, 1, ctx.rng).items[0]!;
    }
    const im = imaginedReturns(model, policy, starts, first, S * per, { horizon: this.o.horizon, gamma: ctx.gamma, rng: ctx.rng, sharedNoise: this.o.commonNoise ? per : 1 });
    const rows: ActionSetRow[] = [];
    let mass = 0;
    let weightSum = 0;
    let spread = 0;
    for (let s = 0; s < S; s++) {
      const { logp, items, kappa } = sets[s]!;
      const b = this.o.informedBaseline ? im.returns[s * per + k]! : base.value.oldValues[s]!;
      const q = items.map((_, j) => im.returns[s * per + j]!);
      const { weights, advantages } = setRows(logp, items, kappa, q.map((x) => x - b), this.o.estimator);
      items.forEach((a, j) => {
        rows.push({ state: s, action: a, logProb: logp[a]!, weight: weights[j]!, advantage: advantages[j]! });
        mass += Math.exp(logp[a]!) / S;
        weightSum += weights[j]! / S;
      });
      spread += (Math.max(...q) - Math.min(...q)) / S;
    }
    return actionSetBatch(r, base, rows, { ...stats, model_active: 1, set_size: k, horizon: this.o.horizon, set_mass: mass, weight_sum: weightSum, q_spread: spread });
  }

  getState(): unknown {
    return { numActions: this.numActions, learner: this.learner?.getState() ?? null, frameDim: this.frameDim, latent: this.latentLearner?.getState() ?? null };
  }

  setState(s: unknown): void {
    const st = s as { numActions: number; learner: Parameters<ModelLearner['setState']>[0] | null; frameDim?: number; latent?: unknown };
    if (st.learner && st.numActions) this.ensure(st.numActions).setState(st.learner);
    if (st.latent && st.frameDim && st.numActions) this.ensureLatent(st.frameDim, st.numActions).setState(st.latent);
  }

  dispose(): void {
    this.learner?.dispose();
    this.latentLearner?.dispose();
  }
}

export const worldModelPgInfo: EstimatorInfo = {
  ...BUILTIN_ESTIMATORS.wmpg,
  create(options) {
    const o = parseOptions(
      'wmpg',
      {
        actions: nonNegativeInt,
        horizon: positiveInt,
        estimator: [z.enum(['usbl', 'us', 'iw']), "'usbl', 'us' or 'iw'"],
        informedBaseline: flag,
        commonNoise: flag,
        model: [z.enum(['auto', 'state', 'latent']), "'auto', 'state' or 'latent'"],
        latent: positiveInt,
        latentUpdates: positiveInt,
        latentBatch: positiveInt,
        frameBufferSize: positiveInt,
        warmupSteps: nonNegativeInt,
        firstTrainMultiplier: positiveInt,
        modelUpdates: positiveInt,
        modelBatch: positiveInt,
        bufferSize: positiveInt,
        hidden: widths,
        lr: positiveNumber,
        seed: nonNegativeInt,
      },
      WMPG_DEFAULTS,
      options,
    );
    return new WorldModelPgEstimator(o);
  },
};
