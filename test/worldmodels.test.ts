import t from 'tap';
import { Rng } from '../common/rng.js';
import { CartPoleEnv } from '../envs/classic/cartpole.js';
import { box, discrete } from '../envs/spaces.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { ActorCritic } from '../nets/actor-critic.js';
import type { DynamicsModel } from '../worldmodels/dynamics-model.js';
import { EnsembleDynamicsModel, MlpDynamicsModel, predictionErrors } from '../worldmodels/dynamics-model.js';
import { imagine } from '../worldmodels/imagination.js';
import { ReplayBuffer } from '../worldmodels/replay-buffer.js';
import { backend } from './helpers.js';

await backend();

t.test('replay buffer: ring overwrite, sampling, state round trip', async (t) => {
  const b = new ReplayBuffer(3, 2, 1);
  for (let i = 0; i < 5; i++) b.add([i, -i], [i / 10], i, [i + 1, -i - 1], i === 4);
  t.equal(b.size, 3);
  const s = b.sample(50, new Rng(1));
  const seen = new Set(Array.from({ length: 50 }, (_, k) => s.obs[2 * k]));
  t.same([...seen].sort(), [2, 3, 4], 'only the 3 newest transitions remain');
  const k = Array.from({ length: 50 }, (_, i) => i).find((i) => s.obs[2 * i] === 4)!;
  t.equal(s.terminated[k], 1);
  t.equal(s.nextObs[2 * k], 5);
  const c = new ReplayBuffer(3, 2, 1);
  c.setState(JSON.parse(JSON.stringify(b.getState())));
  t.same(c.sample(20, new Rng(4)), b.sample(20, new Rng(4)));
});

t.test('the MLP dynamics model learns a linear system', async (t) => {
  const rng = new Rng(0);
  const buf = new ReplayBuffer(2000, 2, 1);
  for (let i = 0; i < 2000; i++) {
    const s = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
    const a = [rng.uniform(-1, 1)];
    buf.add(s, a, s[0]! - 0.5 * a[0]!, [0.9 * s[0]! + 0.1 * a[0]!, 0.8 * s[1]! - 0.2 * s[0]!], false);
  }
  const m = new MlpDynamicsModel(2, 1, { hidden: [32, 32], activation: 'leaky_relu', predictDelta: false, lr: 3e-3, adamEps: 1e-8 }, new Rng(1));
  const probe = buf.sample(256, new Rng(9));
  const before = predictionErrors(m, probe);
  m.train(buf, 400, 64, new Rng(2));
  const after = predictionErrors(m, probe);
  t.ok(after.obsMse < before.obsMse / 20 && after.obsMse < 2e-3, `transition MSE ${before.obsMse.toExponential(2)} → ${after.obsMse.toExponential(2)}`);
  t.ok(after.rewardMse < before.rewardMse / 20, `reward MSE ${before.rewardMse.toExponential(2)} → ${after.rewardMse.toExponential(2)}`);
  const m2 = new MlpDynamicsModel(2, 1, { hidden: [32, 32], activation: 'leaky_relu', predictDelta: false, lr: 3e-3, adamEps: 1e-8 }, new Rng(7));
  m2.setState(JSON.parse(JSON.stringify(m.getState())));
  const o4 = probe.obs.subarray(0, 8);
  const a4 = probe.actions.subarray(0, 4);
  t.same(Array.from(m2.predict(o4, a4, 4).next), Array.from(m.predict(o4, a4, 4).next), 'state round trip');
  m.dispose();
  m2.dispose();
});

t.test('a dynamics ensemble: mean of independently initialised members, learns, disagrees less after training, round-trips', async (t) => {
  const rng = new Rng(3);
  const buf = new ReplayBuffer(2000, 2, 1);
  for (let i = 0; i < 2000; i++) {
    const s = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
    const a = [rng.uniform(-1, 1)];
    buf.add(s, a, s[1]!, [0.9 * s[0]! + 0.1 * a[0]!, 0.8 * s[1]!], false);
  }
  const opts = { hidden: [32], activation: 'leaky_relu' as const, predictDelta: true, lr: 3e-3, adamEps: 1e-8 };
  const e = new EnsembleDynamicsModel(2, 1, opts, 3, new Rng(1));
  const probe = buf.sample(256, new Rng(9));
  const p0 = e.predict(probe.obs, probe.actions, 256);
  const d0 = e.disagreement(probe.obs, probe.actions, 256);
  // the mean is the mean of the members
  const m0 = e.members.map((m) => m.predict(probe.obs, probe.actions, 256).next[5]!);
  t.ok(Math.abs(p0.next[5]! - (m0[0]! + m0[1]! + m0[2]!) / 3) < 1e-6);
  t.ok(d0 > 0, 'members start different');
  const before = predictionErrors(e, probe);
  e.train(buf, 300, 64, new Rng(2));
  const after = predictionErrors(e, probe);
  t.ok(after.obsMse < before.obsMse / 10, `ensemble MSE ${before.obsMse.toExponential(2)} → ${after.obsMse.toExponential(2)}`);
  const d1 = e.disagreement(probe.obs, probe.actions, 256);
  t.ok(d1 < d0, `disagreement ${d0.toExponential(2)} → ${d1.toExponential(2)}`);
  const e2 = new EnsembleDynamicsModel(2, 1, opts, 3, new Rng(5));
  e2.setState(JSON.parse(JSON.stringify(e.getState())));
  t.same(Array.from(e2.predict(probe.obs.subarray(0, 8), probe.actions.subarray(0, 4), 4).next), Array.from(e.predict(probe.obs.subarray(0, 8), probe.actions.subarray(0, 4), 4).next), "state round trip");
  t.throws(() => new EnsembleDynamicsModel(2, 1, opts, 1, new Rng(1)), /size must be an integer ≥ 2/);
  e.dispose();
  e2.dispose();
});

/** CartPole's exact dynamics as a "model": the physics applied to the observation. */
class TrueCartPole implements DynamicsModel {
  readonly obsDim = 4;
  readonly actDim = 1;
  predict(obs: Float32Array, actions: Float32Array, n: number) {
    const next = new Float32Array(n * 4);
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    for (let b = 0; b < n; b++) {
      env.setState({ state: Array.from(obs.subarray(4 * b, 4 * b + 4)), stepsBeyondTerminated: null, rng: [1, 2, 3, 4] });
      next.set(env.step(actions[b]!).obs, 4 * b);
    }
    return { next, reward: new Float32Array(n).fill(1) };
  }
}

t.test('imagination with the true dynamics reproduces the real environment', async (t) => {
  const agent = new ActorCritic(box(-Infinity, Infinity, [4]), discrete(2), { hiddenSizes: [16], activation: 'tanh' }, new Rng(3));
  const H = 8;
  const starts = [
    [0.01, -0.02, 0.03, 0.01],
    [-0.04, 0.1, -0.02, 0.05],
  ];
  const obs0 = Float32Array.from(starts.flat());
  const first = Float32Array.of(1, 0);
  const im = imagine(new TrueCartPole(), agent, obs0, first, 2, { horizon: H, gamma: 0.99, lambda: 0.95, rng: new Rng(1), stochastic: false });
  for (let b = 0; b < 2; b++) {
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    env.setState({ state: starts[b]!.map(Math.fround), stepsBeyondTerminated: null, rng: [1, 2, 3, 4] });
    let a = first[b]!;
    let maxErr = 0;
    const vals = [agent.values(obs0.subarray(4 * b, 4 * b + 4), 1)[0]!];
    for (let k = 0; k < H; k++) {
      const r = env.step(a);
      const img = im.observations[k + 1]!.subarray(4 * b, 4 * b + 4);
      maxErr = Math.max(maxErr, ...Array.from(r.obs, (v, i) => Math.abs(v - img[i]!)));
      const out = agent.act(r.obs, 1, null);
      vals.push(out.values[0]!);
      a = out.actions[0]!;
    }
    t.ok(maxErr < 1e-5, `branch ${b}: imagined states match the real env over ${H} steps (max error ${maxErr})`);
    let gae = 0;
    for (let k = H - 1; k >= 0; k--) gae = 1 + 0.99 * vals[k + 1]! - vals[k]! + 0.99 * 0.95 * gae;
    t.ok(Math.abs(gae - im.advantages[b]!) < 1e-4, `branch ${b}: advantage ${im.advantages[b]} = GAE over the real segment ${gae}`);
  }
  agent.dispose();
});

t.test('daa trains inside the same PPO core: warm-up, model metrics, annealing, exact resume', async (t) => {
  const cfg = resolveConfig({}, {
    envId: 'Pendulum-v1', totalTimesteps: 1024 * 10, numEnvs: 1, numSteps: 1024, numMinibatches: 8, updateEpochs: 2, seed: 5,
    estimator: 'daa', estimatorOptions: { preset: 'cpu', warmupSteps: 2048, modelUpdates: 20, firstTrainMultiplier: 2, hidden: [32, 32], actions: 4, horizon: 5 },
  });
  const a = createTrainer(cfg);
  const m1 = a.iterate().metrics;
  t.equal(m1['estimator/model_active'], 0, 'iteration 1 is inside the warm-up');
  const m2 = a.iterate().metrics;
  t.equal(m2['estimator/model_active'], 1, 'the model starts after 2048 steps');
  // the released clock: wm_step = 1 on the first active iteration, U = 10 iterations, f = 0.15
  t.equal(m2['estimator/extra_actions'], 3, 'N = min(4, ⌊1·4/1.5⌋ + 1) = 3');
  t.equal(m2['estimator/horizon'], 5, 'H = min(5, ⌊1·5/1.5⌋ + 2) = 5');
  t.equal(m2.first_minibatch_max_ratio_dev, 0);
  const m3 = a.iterate().metrics;
  t.ok(Number.isFinite(m3['estimator/model_obs_mse_1step']!) && Number.isFinite(m3['estimator/model_obs_mse_5step']!), `model errors reported (1-step ${m3['estimator/model_obs_mse_1step']}, 5-step ${m3['estimator/model_obs_mse_5step']})`);
  t.ok(m3['estimator/extra_actions']! >= 1 && m3['estimator/extra_actions']! <= 4);
  const snap = JSON.parse(JSON.stringify(a.getState()));
  const ma = a.iterate().metrics;
  const b = createTrainer(cfg);
  b.setState(snap);
  t.same(b.iterate().metrics, ma, 'identical iteration after restoring model, buffer and counters');
  a.dispose();
  b.dispose();
});

t.test('mbpo (with a 2-model ensemble) adds imagined states to the batch through the same PPO core and resumes exactly', async (t) => {
  const cfg = resolveConfig({}, {
    envId: 'Pendulum-v1', totalTimesteps: 1024 * 10, numEnvs: 1, numSteps: 1024, numMinibatches: 8, updateEpochs: 2, seed: 6,
    estimator: 'mbpo', estimatorOptions: { warmupSteps: 1024, modelUpdates: 20, firstTrainMultiplier: 2, hidden: [32, 32], actions: 3, ensemble: 2 },
  });
  const a = createTrainer(cfg);
  const m1 = a.iterate().metrics;
  t.equal(m1['estimator/model_active'], 1, 'the model starts once 1024 steps are in the buffer');
  t.equal(m1['estimator/imagined_states'], 3, 'N = min(3, ⌊1·3/1.5⌋ + 1) = 3 on the first active iteration (U = 10, f = 0.15)');
  t.equal(m1.first_minibatch_max_ratio_dev, 0);
  t.ok(Number.isFinite(m1.policy_loss));
  const snap = JSON.parse(JSON.stringify(a.getState()));
  const ma = a.iterate().metrics;
  t.ok(ma['estimator/model_ensemble_disagreement']! > 0, `ensemble disagreement ${ma['estimator/model_ensemble_disagreement']}`);
  const b = createTrainer(cfg);
  b.setState(snap);
  t.same(b.iterate().metrics, ma, 'identical iteration after restore');
  a.dispose();
  b.dispose();
});
