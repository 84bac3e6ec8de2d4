/**
 * The learned-model estimators (daa/mbma, mbpo) on tasks the released MBMA code never met (issue 15):
 * item 1, actions clipped to the action space's own bounds (Pendulum ±2, InvertedPendulum ±3);
 * item 2, termination in imagination (exact with the true dynamics on CartPole and Hopper; a
 * termination head on tasks that can end, none on DMC/Pendulum); item 3, replay in raw units with the
 * model normalising itself, imagination handing the agent currently-normalised observations and
 * rewards; item 7, a diverging model named with its imagined step and quantity.
 */
import { tf } from '../nets/tf.js';
import t from 'tap';
import { NonFiniteError } from '../common/errors.js';
import { Rng } from '../common/rng.js';
import { CartPoleEnv } from '../envs/classic/cartpole.js';
import type { Env } from '../envs/env.js';
import { HopperV5 } from '../envs/mujoco/gymnasium/hopper-v5.js';
import { prepareEnv } from '../envs/registry.js';
import { box, discrete } from '../envs/spaces.js';
import { findWrappers } from '../envs/stack.js';
import { NormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { NormalizeReward } from '../envs/wrappers/normalize-reward.js';
import type { ModelManyActionsEstimator } from '../estimators/model-many-actions.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { ActorCritic } from '../nets/actor-critic.js';
import { float32FromBase64 } from '../nets/serialize.js';
import type { PpoConfig } from '../ppo/config.js';
import type { DynamicsModel, Prediction } from '../worldmodels/dynamics-model.js';
import { imagine } from '../worldmodels/imagination.js';
import { backend } from './helpers.js';

await backend();
await prepareEnv('Hopper-v5');

const GAMMA = 0.99;
const LAMBDA = 0.95;

/** A model that is the environment itself: every observation it has produced maps to the simulator state behind it. */
class TrueDynamics implements DynamicsModel {
  readonly states = new Map<string, unknown>();
  constructor(
    readonly env: Env,
    readonly obsDim: number,
    readonly actDim: number,
  ) {}
  private key(obs: ArrayLike<number>): string {
    return Array.from(obs, (v) => Math.fround(v)).join(',');
  }
  remember(obs: Float32Array): void {
    this.states.set(this.key(obs), this.env.getState());
  }
  predict(obs: Float32Array, actions: Float32Array, n: number): Prediction {
    const D = this.obsDim;
    const next = new Float32Array(n * D);
    const reward = new Float32Array(n);
    const terminal = new Float32Array(n);
    for (let b = 0; b < n; b++) {
      const state = this.states.get(this.key(obs.subarray(b * D, (b + 1) * D)));
      if (state === undefined) throw new Error(`TrueDynamics: unknown state in branch ${b}`);
      this.env.setState(state);
      const a = this.actDim === 1 && this.env.actionSpace.kind === 'discrete' ? actions[b]! : actions.subarray(b * this.actDim, (b + 1) * this.actDim);
      const r = this.env.step(a);
      next.set(r.obs, b * D);
      reward[b] = r.reward;
      terminal[b] = r.terminated ? 1 : 0;
      this.remember(r.obs);
    }
    return { next, reward, terminal };
  }
}

/**
 * Follow the deterministic policy in the real env from a state for up to H steps (first action given)
 * and return GAE at step 0 with V = 0 after a terminal transition, and the step it ended (or −1).
 */
function realSegmentGae(env: Env, state: unknown, obs0: Float32Array, first: Float32Array, agent: ActorCritic, H: number): { gae: number; endedAt: number } {
  env.setState(state);
  const values = [agent.values(obs0, 1)[0]!];
  const rewards: number[] = [];
  const cont: number[] = [];
  let a = first;
  let endedAt = -1;
  for (let k = 0; k < H; k++) {
    const r = env.step(agent.kind === 'categorical' ? a[0]! : a);
    rewards.push(r.reward);
    cont.push(r.terminated ? 0 : 1);
    const out = agent.act(r.obs, 1, null);
    values.push(out.values[0]!);
    a = out.actions;
    if (r.terminated && endedAt < 0) endedAt = k;
  }
  let gae = 0;
  for (let k = H - 1; k >= 0; k--) gae = rewards[k]! + GAMMA * cont[k]! * values[k + 1]! - values[k]! + GAMMA * LAMBDA * cont[k]! * gae;
  // with V = 0 after the end: recompute over the steps up to the end only
  if (endedAt >= 0) {
    gae = 0;
    for (let k = endedAt; k >= 0; k--) gae = rewards[k]! + (k === endedAt ? 0 : GAMMA * values[k + 1]!) - values[k]! + (k === endedAt ? 0 : GAMMA * LAMBDA * gae);
  }
  return { gae, endedAt };
}

function terminationCheck(t: Tap.Test, label: string, makeEnv: () => Env, agent: ActorCritic, obsDim: number, actDim: number, H: number, seed: number) {
  // a real trajectory under the deterministic policy until it terminates
  const env = makeEnv();
  let obs = env.reset({ seed }).obs;
  const model = new TrueDynamics(makeEnv(), obsDim, actDim);
  model.env.reset({ seed });
  const traj: { obs: Float32Array; state: unknown }[] = [];
  for (let k = 0; k < 1000; k++) {
    traj.push({ obs, state: env.getState() });
    const r = env.step(agent.kind === 'categorical' ? agent.act(obs, 1, null).actions[0]! : agent.act(obs, 1, null).actions);
    obs = r.obs;
    if (r.terminated) break;
  }
  t.ok(traj.length < 1000, `${label}: the trajectory terminates (after ${traj.length} steps)`);
  // branches from 2, 4 and H + 3 steps before the end: the first two end inside the horizon, the last does not
  const starts = [2, 4, H + 3].map((back) => traj[Math.max(0, traj.length - back)]!);
  const n = starts.length;
  const obs0 = new Float32Array(n * obsDim);
  starts.forEach((s, b) => {
    obs0.set(s.obs, b * obsDim);
    model.env.setState(s.state);
    model.remember(s.obs);
  });
  const first = agent.act(obs0, n, null).actions;
  const im = imagine(model, agent, obs0, first, n, { horizon: H, gamma: GAMMA, lambda: LAMBDA, rng: new Rng(1), stochastic: false });
  const ended: number[] = [];
  starts.forEach((s, b) => {
    const real = realSegmentGae(makeEnv(), s.state, s.obs, first.subarray(b * actDim, (b + 1) * actDim), agent, H);
    ended.push(real.endedAt);
    t.ok(Math.abs(im.advantages[b]! - real.gae) < 1e-4 * Math.max(1, Math.abs(real.gae)), `${label} branch ${b} (ends at step ${real.endedAt}): imagined A_0 ${im.advantages[b]!.toFixed(5)} = real GAE with V = 0 after the end ${real.gae.toFixed(5)}`);
    if (real.endedAt >= 0 && real.endedAt + 1 < H) t.equal(im.alive[real.endedAt + 1]![b], 0, `${label} branch ${b}: not alive after the end`);
  });
  t.ok(ended[0]! >= 0 && ended[1]! >= 0 && ended[2] === -1, `${label}: two branches end inside the horizon, one does not (${ended.join(', ')})`);
}

t.test('termination in imagination: with the true dynamics a branch that ends at step k gets the real GAE with V = 0 after the end', async (t) => {
  const cartAgent = new ActorCritic(box(-Infinity, Infinity, [4]), discrete(2), { hiddenSizes: [16], activation: 'tanh' }, new Rng(3));
  terminationCheck(t, 'CartPole', () => new CartPoleEnv(), cartAgent, 4, 1, 4, 5);
  const hop = new HopperV5();
  const hopAgent = new ActorCritic(hop.observationSpace, hop.actionSpace, { hiddenSizes: [16], activation: 'tanh' }, new Rng(4));
  terminationCheck(t, 'Hopper-v5', () => new HopperV5(), hopAgent, 11, 3, 8, 2);
  hop.close();
});

const small = (envId: string, estimator: string, extra: Partial<PpoConfig> = {}, options: Record<string, unknown> = {}) =>
  resolveConfig({}, { envId, estimator, totalTimesteps: 4096, numEnvs: 1, numSteps: 256, numMinibatches: 4, updateEpochs: 1, seed: 7, estimatorOptions: { actions: 2, horizon: 3, hidden: [16], modelUpdates: 5, warmupSteps: 0, ...options }, ...extra });

/** The replay buffer's stored actions and observations (decoded from the learner's state). */
function replayOf(est: ModelManyActionsEstimator): { act: Float32Array; obs: Float32Array; size: number } {
  const b = est.learner.getState().buffer as { act: string; obs: string; size: number };
  return { act: float32FromBase64(b.act), obs: float32FromBase64(b.obs), size: b.size };
}

/** A model wrapper that records the largest |action| it was asked about. */
function spyOnActions(est: ModelManyActionsEstimator): { max: number } {
  const seen = { max: 0 };
  const model = est.learner.model!;
  const predict = model.predict.bind(model);
  model.predict = (obs, actions, n) => {
    for (const a of actions) seen.max = Math.max(seen.max, Math.abs(a));
    return predict(obs, actions, n);
  };
  return seen;
}

t.test("action bounds: the model learns and imagines with the env's own bounds (Pendulum ±2, InvertedPendulum ±3)", async (t) => {
  for (const [envId, bound] of [['Pendulum-v1', 2], ['InvertedPendulum-v5', 3]] as const) {
    for (const estimator of ['daa', 'mbpo']) {
      const tr = createTrainer(small(envId, estimator));
      // a wide policy so many samples fall beyond ±1 and beyond the bound
      tr.agent.logStd!.assign(tf.fill(tr.agent.logStd!.shape, Math.log(2 * bound)));
      tr.iterate();
      const est = tr.estimator as ModelManyActionsEstimator;
      const { act, size } = replayOf(est);
      let maxStored = 0;
      for (let i = 0; i < size; i++) maxStored = Math.max(maxStored, Math.abs(act[i]!));
      t.ok(maxStored > 1.2, `${envId} ${estimator}: stored actions reach beyond ±1 (max |a| ${maxStored.toFixed(3)})`);
      t.ok(maxStored <= bound + 1e-6, `${envId} ${estimator}: stored actions are clipped to ±${bound} (max |a| ${maxStored.toFixed(3)})`);
      const seen = spyOnActions(est);
      tr.iterate();
      t.ok(seen.max > 1.2 && seen.max <= bound + 1e-6, `${envId} ${estimator}: imagination feeds the model actions in ±${bound}, beyond ±1 (max ${seen.max.toFixed(3)})`);
      t.same(Array.from(est.learner.clip(Float32Array.of(-9, 0.5, 9))), [-bound, 0.5, bound], `${envId}: clip = the env's ClipAction`);
      tr.dispose();
    }
  }
  // runs recorded with actionClip 1 (before 'env' existed) keep ±1
  const old = createTrainer(small('Pendulum-v1', 'daa', {}, { actionClip: 1 }));
  old.iterate();
  t.same(Array.from((old.estimator as ModelManyActionsEstimator).learner.clip(Float32Array.of(-9, 0.5, 9))), [-1, 0.5, 1], 'actionClip 1 still clips to ±1');
  old.dispose();
});

t.test('termination head: built on tasks that can end, not on DMC or Pendulum; imagination reports the survival', async (t) => {
  await prepareEnv('dmc/cartpole-swingup');
  for (const [envId, expected] of [['Hopper-v5', true], ['Pendulum-v1', false], ['dmc/cartpole-swingup', false]] as const) {
    const tr = createTrainer(small(envId, 'daa', envId.startsWith('dmc/') ? { actionRepeat: 4 } : {}));
    const m = tr.iterate().metrics;
    const est = tr.estimator as ModelManyActionsEstimator;
    t.equal(est.learner.semantics?.termination, expected, `${envId}: termination head ${expected ? 'on' : 'off'}`);
    t.equal('estimator/model_terminal_loss' in m, expected, `${envId}: terminal loss ${expected ? 'logged' : 'absent'}`);
    const m2 = tr.iterate().metrics;
    const alive = m2['estimator/imagined_alive_end'];
    t.ok(expected ? alive! > 0 && alive! <= 1 : alive === 1, `${envId}: mean survival at the horizon ${alive}`);
    tr.dispose();
  }
  const off = createTrainer(small('Hopper-v5', 'daa', {}, { termination: 'off' }));
  off.iterate();
  t.equal((off.estimator as ModelManyActionsEstimator).learner.semantics?.termination, false, "termination 'off' is honoured");
  off.dispose();
});

t.test('normalisation: the replay holds raw observations and rewards; imagination hands the agent the current normalisation', async (t) => {
  const tr = createTrainer(small('Hopper-v5', 'daa'));
  const env = tr.venv.envs[0]!;
  const r = tr.collector.collect(256, 0);
  // the rollout's raw observations are what the unwrapped env produced, not the normalised ones
  const norm = findWrappers(env, NormalizeObservation)[0]!;
  t.notSame(Array.from(r.raw.obs.subarray(0, 11)), Array.from(r.obs.subarray(0, 11)), 'raw and normalised observations differ');
  const ctx = tr.estimatorContext();
  // with the statistics frozen, the stack maps raw values exactly onto what the agent saw
  const rewNorm = findWrappers(env, NormalizeReward)[0]!;
  norm.frozen = true;
  rewNorm.frozen = true;
  const r2 = tr.collector.collect(64, 256);
  const mapped = ctx.agentScaling!.observations(r2.raw.obs, 64, () => 0);
  let maxErr = 0;
  for (let i = 0; i < mapped.length; i++) maxErr = Math.max(maxErr, Math.abs(mapped[i]! - r2.obs[i]!));
  t.ok(maxErr < 1e-5, `raw → agent observations reproduce the stack's (max error ${maxErr.toExponential(2)})`);
  const rew = ctx.agentScaling!.rewards(r2.raw.rewards, () => 0);
  let maxRewErr = 0;
  for (let i = 0; i < 64; i++) maxRewErr = Math.max(maxRewErr, Math.abs(rew[i]! - r2.rewards[i]!));
  t.ok(maxRewErr < 1e-5, `raw → agent rewards reproduce the stack's (max error ${maxRewErr.toExponential(2)})`);
  norm.frozen = false;
  rewNorm.frozen = false;

  tr.iterate();
  tr.iterate();
  const est = tr.estimator as ModelManyActionsEstimator;
  const { obs, size } = replayOf(est);
  // stored observations are raw: Hopper's height (first entry) sits near 1.25, not near 0 as a normalised one would
  let meanZ = 0;
  for (let i = 0; i < size; i++) meanZ += obs[i * 11]! / size;
  t.ok(meanZ > 0.8 && meanZ < 1.6, `the replay stores raw observations (mean height ${meanZ.toFixed(3)})`);
  // the model's raw-space predictions do not move when the env normaliser's statistics do
  const probe = obs.slice(0, 8 * 11);
  const acts = new Float32Array(8 * 3).fill(0.3);
  const before = est.learner.model!.predict(probe, acts, 8);
  norm.rms.mean.fill(5);
  norm.rms.var.fill(9);
  const after = est.learner.model!.predict(probe, acts, 8);
  t.same(Array.from(after.next), Array.from(before.next), 'raw-space predictions unchanged after the normaliser moved');
  t.same(Array.from(after.reward), Array.from(before.reward));
  // … while the agent's view of a raw observation follows the new statistics
  const seen = tr.estimatorContext().agentScaling!.observations(probe.slice(0, 11), 1, () => 0);
  t.ok(Math.abs(seen[0]! - (probe[0]! - 5) / 3) < 1e-4, `the agent sees (raw − 5)/3 now: ${seen[0]} vs ${(probe[0]! - 5) / 3}`);
  tr.dispose();
});

t.test('a diverging model is named with the imagined step and the quantity', async (t) => {
  const agent = new ActorCritic(box(-Infinity, Infinity, [2]), box(-1, 1, [1]), { hiddenSizes: [8], activation: 'tanh' }, new Rng(1));
  const badAt = (k: number, what: 'next' | 'reward'): DynamicsModel => {
    let calls = 0;
    return {
      obsDim: 2,
      actDim: 1,
      predict: (obs, _a, n) => {
        calls += 1;
        const next = Float32Array.from(obs);
        const reward = new Float32Array(n);
        if (calls === k) (what === 'next' ? next : reward)[n - 1] = NaN;
        return { next, reward };
      },
    };
  };
  const obs0 = new Float32Array(6);
  const run = (m: DynamicsModel) => imagine(m, agent, obs0, new Float32Array(3), 3, { horizon: 4, gamma: GAMMA, lambda: LAMBDA, rng: new Rng(2), source: "the dynamics model of 'daa'", step: 2048 });
  t.throws(() => run(badAt(2, 'reward')), new NonFiniteError("the dynamics model of 'daa' at imagined step 2 of 4", 'imagined reward', 2048, 'entry 2 = NaN; the model diverged'));
  t.throws(() => run(badAt(3, 'next')), /non-finite imagined observation from the dynamics model of 'daa' at imagined step 3 of 4 at step 2048/);
  // through the estimator: weights that overflow
  const tr = createTrainer(small('Pendulum-v1', 'daa'));
  tr.iterate();
  const est = tr.estimator as ModelManyActionsEstimator;
  const model = est.learner.model as unknown as { transition: { params: tf.Variable[] } };
  for (const p of model.transition.params) p.assign(tf.fill(p.shape, 1e30));
  t.throws(() => tr.iterate(), /non-finite imagined observation from the dynamics model of 'daa' at imagined step 1 of \d+/);
  tr.dispose();
});
