import t from 'tap';
import { policyGradient } from '../analysis/policy-gradient.js';
import { Rng } from '../common/rng.js';
import { CartPoleEnv } from '../envs/classic/cartpole.js';
import { box, discrete } from '../envs/spaces.js';
import { createEstimator } from '../estimators/index.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { ActorCritic } from '../nets/actor-critic.js';
import { imaginedReturns } from '../worldmodels/discrete-imagination.js';
import { DiscreteWorldModel } from '../worldmodels/discrete-world-model.js';
import { ReplayBuffer } from '../worldmodels/replay-buffer.js';
import { backend } from './helpers.js';

await backend();

type Trainer = ReturnType<typeof createTrainer>;
const collect = (tr: Trainer) => tr.collector.collect(tr.config.numSteps, tr.globalStep);
const ctxOf = (tr: Trainer, training: boolean) => ({ ...tr.estimatorContext(), training });

const cartpole = (estimator: string, estimatorOptions: Record<string, unknown> = {}, seed = 3) =>
  resolveConfig({}, { envId: 'CartPole-v1', totalTimesteps: 512 * 10, numEnvs: 4, numSteps: 128, seed, estimator, estimatorOptions });

t.test('ac: λ = 0 gives one-step TD advantages, the default λ the single estimator', async (t) => {
  const tr = createTrainer(cartpole('ac', { lambda: 0 }));
  const r = collect(tr);
  const ctx = ctxOf(tr, true);
  const one = tr.estimator.prepare(r, ctx);
  const single = createEstimator('single').prepare(r, ctx);
  const N = r.numEnvs;
  let checked = 0;
  for (let k = 0; k < (r.numSteps - 1) * N; k++) {
    if (r.terminated[k] || r.truncated[k]) continue;
    const td = r.rewards[k]! + ctx.gamma * r.values[k + N]! - r.values[k]!;
    if (Math.abs(one.policy.advantages[k]! - td) > 1e-4) t.fail(`row ${k}: ${one.policy.advantages[k]} vs TD ${td}`);
    checked += 1;
  }
  t.ok(checked > 400, `${checked} one-step advantages checked`);
  t.same(Array.from(one.value.returns), Array.from(single.value.returns), 'critic targets are PPO’s λ-returns');
  const dflt = createEstimator('ac').prepare(r, ctx);
  t.same(Array.from(dflt.policy.advantages), Array.from(single.policy.advantages), 'default ac = single');
  t.throws(() => createEstimator('ac', { lambda: 2 }), /option 'lambda' must be a number in \[0, 1\], got 2/);
  tr.dispose();
});

t.test('mac: one row per action weighted by π, Q-network learns by expected SARSA, exact resume', async (t) => {
  const a = createTrainer(cartpole('mac', { updates: 32, batch: 64 }));
  const m1 = a.iterate().metrics;
  t.equal(m1['estimator/extra_actions'], 1);
  t.equal(m1.first_minibatch_max_ratio_dev, 0, 'ratio 1 on the first minibatch: old log-probs of every action are right');
  const r = collect(a);
  const batch = a.estimator.prepare(r, ctxOf(a, false));
  const S = batch.numStates;
  t.equal(batch.policy.stateIndex.length, 2 * S, '|A| rows per state');
  let maxDev = 0;
  let maxAdv = 0;
  for (let s = 0; s < S; s++) {
    const w0 = batch.policy.weights[2 * s]!;
    const w1 = batch.policy.weights[2 * s + 1]!;
    maxDev = Math.max(maxDev, Math.abs(w0 + w1 - 1), Math.abs(Math.log(w0) - batch.policy.oldLogProbs[2 * s]!));
    maxAdv = Math.max(maxAdv, Math.abs(w0 * batch.policy.advantages[2 * s]! + w1 * batch.policy.advantages[2 * s + 1]!));
  }
  t.ok(maxDev < 1e-5, `weights are π_old(a|s) and sum to 1 per state (max dev ${maxDev.toExponential(2)})`);
  t.ok(maxAdv < 1e-3, `π-weighted advantages vanish per state (max ${maxAdv.toExponential(2)})`);
  for (let i = 0; i < 4; i++) a.iterate();
  const m = a.iterate().metrics;
  t.ok(m['estimator/q_mean']! > 3, `Q̂ grows towards the discounted episode length (mean Q̂ ${m['estimator/q_mean']!.toFixed(2)})`);
  const snap = JSON.parse(JSON.stringify(a.getState()));
  const ma = a.iterate().metrics;
  const b = createTrainer(cartpole('mac', { updates: 32, batch: 64 }));
  b.setState(snap);
  t.same(b.iterate().metrics, ma, 'identical iteration after restore (Q-net, optimiser, buffer, RNG)');
  a.dispose();
  b.dispose();
  t.throws(() => resolveConfig({}, { envId: 'Pendulum-v1', estimator: 'mac', totalTimesteps: 2048 }), /estimator 'mac' needs a Discrete action space/, 'config resolution rejects continuous actions');
});

t.test('the discrete world model learns CartPole: state change, reward and termination', async (t) => {
  const rng = new Rng(11);
  const env = new CartPoleEnv();
  const buf = new ReplayBuffer(20_000, 4, 1);
  let obs = env.reset({ seed: 1 }).obs;
  let terminals = 0;
  for (let i = 0; i < 12_000; i++) {
    const a = rng.int(2);
    const st = env.step(a);
    buf.add(obs, [a], st.reward, st.obs, st.terminated);
    terminals += st.terminated ? 1 : 0;
    obs = st.terminated || st.truncated ? env.reset().obs : st.obs;
  }
  const model = new DiscreteWorldModel(4, 2, { hidden: [64, 64], lr: 1e-3, adamEps: 1e-8 }, rng);
  const before = model.train(buf, 1, 256, rng);
  const after = model.train(buf, 1500, 256, rng);
  const probe = buf.sample(2000, rng);
  const p = model.predict(probe.obs, probe.actions, probe.n);
  let mse = 0;
  let base = 0;
  for (let i = 0; i < p.next.length; i++) {
    mse += (p.next[i]! - probe.nextObs[i]!) ** 2 / p.next.length;
    base += (probe.obs[i]! - probe.nextObs[i]!) ** 2 / p.next.length;
  }
  t.ok(mse < 0.1 * base, `one-step MSE ${mse.toExponential(2)} vs ${base.toExponential(2)} for "no change"`);
  let correct = 0;
  for (let i = 0; i < probe.n; i++) correct += (p.terminal[i]! > 0.5 ? 1 : 0) === probe.terminated[i] ? 1 : 0;
  const rate = terminals / 12_000;
  t.ok(correct / probe.n > Math.max(rate, 1 - rate) + 0.02, `termination accuracy ${(correct / probe.n).toFixed(3)} beats the majority rate ${Math.max(rate, 1 - rate).toFixed(3)}`);
  t.ok(after.terminalLoss < before.terminalLoss, `termination loss ${before.terminalLoss.toFixed(3)} → ${after.terminalLoss.toFixed(3)}`);
  model.dispose();
});

t.test('imagined returns: discounting, expected continuation and critic bootstrap', async (t) => {
  const rng = new Rng(2);
  const agent = new ActorCritic(box(-1, 1, [2]), discrete(3), { hiddenSizes: [8], activation: 'tanh' }, rng);
  // a fake model: reward 1 + action index, termination probability 0.25, state unchanged
  const fake = { obsDim: 2, actDim: 1, numActions: 3, predict: (obs: Float32Array, a: Float32Array, n: number) => ({ next: obs, reward: Float32Array.from(a, (x) => 1 + x), terminal: new Float32Array(n).fill(0.25) }) };
  const obs = new Float32Array([0.1, 0.2, 0.1, 0.2]);
  const im = imaginedReturns(fake as unknown as DiscreteWorldModel, agent, obs, new Float32Array([2, 0]), 2, { horizon: 1, gamma: 0.9, rng });
  const v = agent.values(obs, 2);
  t.ok(Math.abs(im.returns[0]! - (3 + 0.9 * 0.75 * v[0]!)) < 1e-5 && Math.abs(im.returns[1]! - (1 + 0.9 * 0.75 * v[1]!)) < 1e-5, 'H = 1: r̂ + γ(1 − d̂)V(ŝ)');
  t.ok(Math.abs(im.alive[0]! - 0.75) < 1e-6);
  const im3 = imaginedReturns(fake as unknown as DiscreteWorldModel, agent, obs, new Float32Array([0, 0]), 2, { horizon: 3, gamma: 0.9, rng });
  t.ok(Math.abs(im3.alive[0]! - 0.75 ** 3) < 1e-6, 'continuation multiplies');
  t.ok(im3.returns[0]! >= 1 + 0.9 * 0.75 * 1 + 0.81 * 0.5625 * 1 + 0.729 * 0.421875 * v[0]! - 1e-5, 'later rewards at least 1, discounted by γ^k c_k');
  // common random numbers: two branches of one state with the same first action follow the same continuation
  const obs4 = new Float32Array([0.1, 0.2, 0.1, 0.2, -0.3, 0.5, -0.3, 0.5]);
  const first = new Float32Array([1, 1, 1, 1]);
  let differ = 0;
  for (let rep = 0; rep < 20; rep++) {
    const crn = imaginedReturns(fake as unknown as DiscreteWorldModel, agent, obs4, first, 4, { horizon: 4, gamma: 0.9, rng, sharedNoise: 2 });
    if (crn.returns[0] !== crn.returns[1] || crn.returns[2] !== crn.returns[3]) t.fail('branches of a group diverged under shared noise');
    const ind = imaginedReturns(fake as unknown as DiscreteWorldModel, agent, obs4, first, 4, { horizon: 4, gamma: 0.9, rng, sharedNoise: 1 });
    if (ind.returns[0] !== ind.returns[1]) differ += 1;
  }
  t.ok(differ > 5, `independent noise gives different continuations (${differ}/20)`);
  agent.dispose();
});

t.test('wmpg: warm-up, then k = |A| reduces every estimator to the MAC full sum with model Q; exact resume', async (t) => {
  const opts = { warmupSteps: 1024, modelUpdates: 20, firstTrainMultiplier: 2, hidden: [32, 32], horizon: 3 };
  const a = createTrainer(cartpole('wmpg', opts));
  t.equal(a.iterate().metrics['estimator/model_active'], 0, 'inside the warm-up the real-action rows are used');
  const m2 = a.iterate().metrics;
  t.equal(m2['estimator/model_active'], 1);
  t.equal(m2['estimator/set_size'], 2, 'default k = max(2, ⌈|A|/2⌉) = 2 on CartPole');
  t.equal(m2.first_minibatch_max_ratio_dev, 0);
  t.ok(Math.abs(m2['estimator/set_mass']! - 1) < 1e-6 && Math.abs(m2['estimator/weight_sum']! - 1) < 1e-5, 'k = |A|: the set holds all the mass, weights sum to 1');
  const r = collect(a);
  const snapEst = JSON.parse(JSON.stringify(a.getState()));
  const grads: Float64Array[] = [];
  for (const mode of ['usbl', 'us', 'iw']) {
    const b = createTrainer(cartpole('wmpg', { ...opts, estimator: mode }));
    b.setState(snapEst);
    const ctx = ctxOf(b, false);
    const batch = b.estimator.prepare(r, ctx);
    grads.push(policyGradient(b.agent, batch));
    for (let i = 0; i < 20; i++) if (Math.abs(batch.policy.weights[i]! - Math.exp(batch.policy.oldLogProbs[i]!)) > 1e-5) t.fail(`${mode}: weight ≠ π at row ${i}`);
    b.dispose();
  }
  const scale = Math.max(...grads[0]!.map(Math.abs));
  for (const [i, mode] of [[1, 'us'], [2, 'iw']] as const) {
    const dev = Math.max(...grads[i]!.map((g, j) => Math.abs(g - grads[0]![j]!)));
    t.ok(dev < 1e-4 * scale, `${mode} = usbl = Σ_a ∇π(a|s) Q̂(s,a) (max dev ${dev.toExponential(2)}, scale ${scale.toExponential(2)})`);
  }
  t.ok(scale > 0, 'non-zero gradient');
  const snap = JSON.parse(JSON.stringify(a.getState()));
  const ma = a.iterate().metrics;
  const c = createTrainer(cartpole('wmpg', opts));
  c.setState(snap);
  t.same(c.iterate().metrics, ma, 'identical iteration after restore (world model, buffer, RNG)');
  a.dispose();
  c.dispose();
  const k1 = createTrainer(cartpole('wmpg', { ...opts, actions: 1, warmupSteps: 0 }));
  const b1 = k1.estimator.prepare(collect(k1), ctxOf(k1, true));
  t.equal(b1.policy.stateIndex.length, b1.numStates, 'k = 1: one row per state');
  k1.dispose();
  t.throws(() => createEstimator('wmpg', { estimator: 'beam' }), /option 'estimator' must be 'usbl', 'us' or 'iw', got "beam"/);
  // mismatches with the env, found by config resolution before a run directory exists
  t.throws(() => resolveConfig({}, { envId: 'CartPole-v1', estimator: 'wmpg', estimatorOptions: { actions: 3 } }), /actions \(k\) must be at most the number of actions 2, got 3/);
  t.throws(() => resolveConfig({}, { envId: 'Pendulum-v1', estimator: 'wmpg' }), /estimator 'wmpg' needs a Discrete action space/);
  t.throws(() => resolveConfig({}, { envId: 'Pong-v0', estimator: 'wmpg', estimatorOptions: { model: 'state' } }), /model 'state' needs flat state-vector observations, got shape \[4, 84, 84\]/);
  t.doesNotThrow(() => resolveConfig({}, { envId: 'PongState-v0', estimator: 'wmpg' }), 'PongState-v0 (7-number state) is accepted');
});
