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
 */
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import type { Rng } from '../common/rng.js';
import type { Space } from '../envs/spaces.js';
import type { Rollout } from '../ppo/rollout.js';
import { imaginedReturns } from '../worldmodels/discrete-imagination.js';
import { DiscreteWorldModel } from '../worldmodels/discrete-world-model.js';
import { ModelLearner, type ModelLearnerOptions } from '../worldmodels/model-learner.js';
import { actionSetBatch, requireDiscrete, requireDiscreteSpace, type ActionSetRow } from './action-set-rows.js';
import type { Estimator, EstimatorBatch, EstimatorContext, EstimatorInfo } from './estimator.js';
import { repeatObservations } from './many-actions-rows.js';
import { flag, nonNegativeInt, parseOptions, positiveInt, positiveNumber, widths } from './options.js';
import { SingleActionEstimator } from './single.js';
import { gumbelTopK, thresholdWeights, unorderedSetTerms } from './without-replacement.js';

export type WithoutReplacementMode = 'usbl' | 'us' | 'iw';

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
}

export const WMPG_DEFAULTS: WorldModelPgOptions = {
  actions: 0,
  horizon: 20,
  estimator: 'usbl',
  informedBaseline: true,
  commonNoise: true,
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
  private numActions = 0;
  private readonly single = new SingleActionEstimator();

  constructor(readonly o: WorldModelPgOptions) {}

  private ensure(nA: number): ModelLearner {
    if (!this.learner) {
      this.numActions = nA;
      const o = this.o;
      this.learner = new ModelLearner(
        { warmupSteps: o.warmupSteps, firstTrainMultiplier: o.firstTrainMultiplier, modelUpdates: o.modelUpdates, modelBatch: o.modelBatch, bufferSize: o.bufferSize, hidden: o.hidden, predictDelta: true, ensemble: 1, lr: o.lr, adamEps: 1e-8, actionClip: 0, annealFraction: 0, seed: o.seed, errorHorizon: o.horizon },
        (obsDim: number, _actDim: number, rng: Rng) => new DiscreteWorldModel(obsDim, nA, { hidden: o.hidden, lr: o.lr, adamEps: 1e-8 }, rng),
      );
    }
    return this.learner;
  }

  setSize(nA: number): number {
    const k = this.o.actions === 0 ? Math.max(2, Math.ceil(nA / 2)) : this.o.actions;
    if (k > nA) throw new UsageError(`estimator 'wmpg': actions (k) must be at most the number of actions ${nA}, got ${k}`);
    return Math.min(k, nA);
  }

  checkSpaces(observationSpace: Space, actionSpace: Space): void {
    this.setSize(requireDiscreteSpace(actionSpace, this.name));
    if (observationSpace.kind !== 'box' || observationSpace.shape.length !== 1) {
      const shape = observationSpace.kind === 'box' ? `shape [${observationSpace.shape.join(', ')}]` : `a ${observationSpace.kind} space`;
      throw new UsageError(`estimator 'wmpg' needs flat state-vector observations for its world model, got ${shape}; frame observations need a latent world model, which pgvar does not have yet (use a state variant such as PongState-v0)`);
    }
  }

  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const nA = requireDiscrete(ctx.agent, this.name);
    const learner = this.ensure(nA);
    const base = this.single.prepare(r, ctx);
    const { active, stats } = learner.observe(r, ctx);
    if (!active) return { ...base, stats: { ...stats, model_active: 0 } };
    const model = learner.model as DiscreteWorldModel;
    const S = base.numStates;
    const k = this.setSize(nA);
    const lp32 = ctx.agent.logProbsAll(r.obs, S);
    // k drawn actions + 1 policy action (the informed baseline) per state, all imagined in one batch
    const per = k + (this.o.informedBaseline ? 1 : 0);
    const obsRep = repeatObservations(r, S, per);
    const first = new Float32Array(S * per);
    const sets: { logp: Float64Array; items: number[]; kappa: number }[] = [];
    for (let s = 0; s < S; s++) {
      const logp = Float64Array.from(lp32.subarray(s * nA, (s + 1) * nA));
      const { items, kappa } = gumbelTopK(logp, k, ctx.rng);
      sets.push({ logp, items, kappa });
      items.forEach((a, j) => (first[s * per + j] = a));
      if (this.o.informedBaseline) first[s * per + k] = gumbelTopK(logp, 1, ctx.rng).items[0]!;
    }
    const im = imaginedReturns(model, ctx.agent, obsRep, first, S * per, { horizon: this.o.horizon, gamma: ctx.gamma, rng: ctx.rng, sharedNoise: this.o.commonNoise ? per : 1 });
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
    return { numActions: this.numActions, learner: this.learner?.getState() ?? null };
  }

  setState(s: unknown): void {
    const st = s as { numActions: number; learner: Parameters<ModelLearner['setState']>[0] | null };
    if (st.learner && st.numActions) this.ensure(st.numActions).setState(st.learner);
  }

  dispose(): void {
    this.learner?.dispose();
  }
}

export const worldModelPgInfo: EstimatorInfo = {
  name: 'wmpg',
  aliases: ['world-model-pg'],
  description: 'World-model policy gradient (Discrete actions): k actions per state by Gumbel-top-k, valued by imagined rollouts in a learned world model, combined without replacement (usbl|us|iw) with the imagined return of π as baseline.',
  extraActionsPerState: 'k − 1 (+1 imagined baseline rollout)',
  create(options) {
    const o = parseOptions(
      'wmpg',
      {
        actions: nonNegativeInt,
        horizon: positiveInt,
        estimator: [z.enum(['usbl', 'us', 'iw']), "'usbl', 'us' or 'iw'"],
        informedBaseline: flag,
        commonNoise: flag,
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
