/**
 * Short learning runs that fail when the PPO update points the wrong way (issue 15, "tests that
 * would catch a wrong sign"): one per estimator family, each a few PPO iterations on a task whose
 * optimum is known, with fixed seeds and margins that hold for the correct update and fail by a
 * wide margin when the policy loss's sign is flipped (then the policy moves away from the optimum).
 *
 * - Gaussian bandit (reward −(a − 1.5)², policy mean starts at ≈ 0): the mean must move towards 1.5
 *   for single, qma, daa, mbpo and mc.
 * - A 3-armed discrete bandit (rewards 0, 1, 0.2, registered below): π(best arm) must rise for
 *   single, ac and mac.
 * - CartPole-v1 (single): the return must rise within 5k steps (multi-step GAE path).
 * - A bandit with no reward signal: the entropy bonus alone must raise the policy's entropy.
 * For the many-actions estimators the extra rows alone (the estimator's own Q / model / simulator
 * advantages, without the real action's GAE row) must also give a gradient towards the optimum, so a
 * wrong sign in an estimator's advantages fails too, not only one in the PPO loss.
 */
import { tf } from '../nets/tf.js';
import t from 'tap';
import { policyGradient } from '../analysis/policy-gradient.js';
import type { Action, Env, ResetResult, StepResult } from '../envs/env.js';
import { register } from '../envs/registry.js';
import { box, discrete } from '../envs/spaces.js';
import type { EstimatorBatch } from '../estimators/estimator.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import type { PpoConfig } from '../ppo/config.js';
import type { PpoTrainer } from '../ppo/trainer.js';
import { backend } from './helpers.js';

await backend();

/** One-step bandit over n arms with fixed rewards; the observation is always [1]. */
class DiscreteBandit implements Env {
  readonly observationSpace = box(1, 1, [1]);
  readonly actionSpace;
  constructor(readonly id: string, readonly rewards: number[]) {
    this.actionSpace = discrete(rewards.length);
  }
  reset(): ResetResult {
    return { obs: Float32Array.of(1), info: {} };
  }
  step(action: Action): StepResult {
    const a = typeof action === 'number' ? action : action[0]!;
    return { obs: Float32Array.of(1), reward: this.rewards[a]!, terminated: true, truncated: false, info: {} };
  }
  getState(): unknown {
    return null;
  }
  setState(): void {}
}

const ARMS = [0, 1, 0.2];
const BEST = 1;
register({ id: 'test/DiscreteBandit-v0', create: () => new DiscreteBandit('test/DiscreteBandit-v0', ARMS), family: 'classic', description: 'test: 3-armed bandit, rewards 0, 1, 0.2' });
register({ id: 'test/FlatBandit-v0', create: () => new DiscreteBandit('test/FlatBandit-v0', [0, 0, 0]), family: 'classic', description: 'test: 3-armed bandit, no reward' });

const ITERATIONS = 4;

/** Linear policy and critic, 4 × 32 steps per iteration, a large step size so a few iterations suffice. */
function banditConfig(envId: string, estimator: string, estimatorOptions: Record<string, unknown>, extra: Partial<PpoConfig> = {}): PpoConfig {
  return resolveConfig({}, {
    envId,
    estimator,
    estimatorOptions,
    hiddenSizes: [],
    numEnvs: 4,
    numSteps: 32,
    numMinibatches: 4,
    updateEpochs: 4,
    learningRate: 0.01,
    annealLr: false,
    entCoef: 0,
    normalizeObservation: false,
    normalizeReward: false,
    clipObservation: 0,
    clipReward: 0,
    totalTimesteps: 128 * ITERATIONS,
    seed: 1,
    ...extra,
  });
}

const ONE = () => tf.tensor2d([[1]]);
const policyMean = (tr: PpoTrainer) => tf.tidy(() => tr.agent.policyOut(ONE()).dataSync()[0]!);
const armProbs = (tr: PpoTrainer) => Array.from(tr.agent.logProbsAll(Float32Array.of(1), 1), Math.exp);

/** A fresh batch from the current policy, as the estimator builds it (learned parts left untouched). */
function freshBatch(tr: PpoTrainer): EstimatorBatch {
  const r = tr.collector.collect(tr.config.numSteps, tr.globalStep);
  return tr.estimator.prepare(r, { ...tr.estimatorContext(), training: false });
}

/** The batch with the real action's row of every state given weight 0: only the estimator's extra rows count. */
function extraRowsOnly(b: EstimatorBatch): { batch: EstimatorBatch; extraPerState: number } {
  const perState = b.policy.stateIndex.length / b.numStates;
  const weights = b.policy.weights.map((w, i) => (i % perState === 0 ? 0 : w));
  return { batch: { ...b, policy: { ...b.policy, weights } }, extraPerState: perState - 1 };
}

/** Small learned parts that still learn the bandit within a few iterations. */
const MODEL = { actions: 3, horizon: 2, hidden: [32, 32], modelUpdates: 100, lr: 3e-3, modelBatch: 64, warmupSteps: 0, firstTrainMultiplier: 1, annealFraction: 0.01, actionClip: 0 };
const GAUSSIAN_CASES: [string, string, Record<string, unknown>][] = [
  ['single', 'single action', {}],
  ['qma', 'learned Q, many actions', { actions: 3, hidden: [32, 32], epochs: 8, lr: 3e-3 }],
  ['daa', 'learned model, many actions', MODEL],
  // mbpo's imagination runs h = min(H, N + 2) steps and adds min(N, h − 1) states: H 4 for 3 of them
  ['mbpo', 'learned model, imagined states', { ...MODEL, horizon: 4 }],
  ['mc', 'simulator, many actions', { actions: 3, horizon: 1, simulators: 16 }],
];

for (const [estimator, family, options] of GAUSSIAN_CASES) {
  t.test(`${estimator} (${family}): on the Gaussian bandit the policy mean moves towards the optimum 1.5`, async (t) => {
    const tr = createTrainer(banditConfig('pgvar/GaussianBandit-v0', estimator, options));
    const mu0 = policyMean(tr);
    for (let i = 0; i < ITERATIONS; i++) tr.iterate();
    const mu = policyMean(tr);
    // correct sign: μ ≈ 0.0 → 0.8–1.1; flipped: μ → −0.8 or below
    t.ok(mu > mu0 + 0.5, `μ ${mu0.toFixed(3)} → ${mu.toFixed(3)} after ${ITERATIONS} iterations`);
    if (estimator !== 'single') {
      const { batch, extraPerState } = extraRowsOnly(freshBatch(tr));
      t.equal(extraPerState, 3, 'three extra rows per state');
      // gradient of the loss −J with respect to the actor bias (= ∂/∂μ): exactly 2(μ − 1.5) < 0
      const g = policyGradient(tr.agent, batch)[1]!;
      const exact = 2 * (mu - 1.5);
      t.ok(g < 0.5 * exact, `the extra rows alone: ∂L/∂μ ${g.toFixed(3)} points the same way as the exact ${exact.toFixed(3)}`);
    }
    tr.dispose();
  });
}

for (const [estimator, family, options] of [
  ['single', 'single action', {}],
  ['ac', 'single action, one-step TD', { lambda: 0 }],
  ['mac', 'learned Q, all actions', { hidden: [32, 32], updates: 16, batch: 64 }],
] as const) {
  t.test(`${estimator} (${family}): on a 3-armed bandit π(best arm) rises`, async (t) => {
    const tr = createTrainer(banditConfig('test/DiscreteBandit-v0', estimator, options));
    const p0 = armProbs(tr)[BEST]!;
    for (let i = 0; i < ITERATIONS; i++) tr.iterate();
    const p = armProbs(tr)[BEST]!;
    // correct sign: 1/3 → ≈ 0.85; flipped: → ≈ 0.05
    t.ok(p > 0.6 && p > p0 + 0.25, `π(best) ${p0.toFixed(3)} → ${p.toFixed(3)} after ${ITERATIONS} iterations`);
    if (estimator === 'mac') {
      // mac's rows are all its own (every arm, weight π_old(a), advantage Q̂(a) − Σπ Q̂): the gradient of the
      // loss raises the best arm's logit and lowers the worst arm's (logit biases are the last 3 parameters)
      const g = policyGradient(tr.agent, freshBatch(tr)).slice(-3);
      t.ok(g[BEST]! < 0 && g[0]! > 0, `∂L/∂logit biases [${Array.from(g, (x) => x.toFixed(4)).join(', ')}]: best arm up, worst down`);
    }
    tr.dispose();
  });
}

t.test('single on CartPole-v1: the return rises within 5k steps', async (t) => {
  const tr = createTrainer(resolveConfig({}, { envId: 'CartPole-v1', learningRate: 1e-3, totalTimesteps: 512 * 10, seed: 1 }));
  const returns: number[] = [];
  while (!tr.done) returns.push(tr.iterate().metrics.episodic_return_mean ?? 0);
  // random policy ≈ 22; correct sign: ≈ 70 after 10 iterations; flipped: ≈ 11
  t.ok(returns[returns.length - 1]! > 40, `mean return of the last 20 episodes: ${returns.map((r) => r.toFixed(0)).join(', ')}`);
  tr.dispose();
});

t.test('the entropy bonus alone raises the entropy (no reward signal, zero advantages)', async (t) => {
  const tr = createTrainer(banditConfig('test/FlatBandit-v0', 'single', {}, { entCoef: 0.05, normAdv: false }));
  // a skewed start and a zero critic: every advantage and value error is exactly 0, only −entCoef·H acts
  const [W, b] = tr.agent.actor.params;
  W!.assign(tf.zeros(W!.shape));
  b!.assign(tf.tensor1d([1.5, 0, -1.5]));
  tr.agent.critic.params.forEach((p) => p.assign(tf.zeros(p.shape)));
  const entropy = () => -armProbs(tr).reduce((s, p) => s + p * Math.log(p), 0);
  const h0 = entropy();
  for (let i = 0; i < 2; i++) tr.iterate();
  const h = entropy();
  // correct sign: towards ln 3 = 1.10; flipped: lower
  t.ok(h > h0 + 0.05, `entropy ${h0.toFixed(3)} → ${h.toFixed(3)}`);
  tr.dispose();
});
