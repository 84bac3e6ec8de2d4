/**
 * The PPO update on the wasm engine against tfjs: the gradient of one minibatch's loss (every row
 * mode, Gaussian with and without tanh means, categorical, clipped and unclipped value loss) equals
 * tfjs's autodiff of ppo-loss.ts (relative error ≤ 1e-5); whole updates agree; the engine is
 * deterministic; rollout forward passes (act, values, log-probs) match.
 */
import { tf } from '../nets/tf.js';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { box, discrete, type Space } from '../envs/spaces.js';
import type { EstimatorBatch } from '../estimators/estimator.js';
import { ActorCritic } from '../nets/actor-critic.js';
import { createAgentOptimizer } from '../nets/optimizer.js';
import { resolveConfig } from '../experiment/build.js';
import { checkEngine, CONTINUOUS_DEFAULTS } from '../ppo/config.js';
import { normalizeAdvantages, ppoLoss, type RowMode } from '../ppo/ppo-loss.js';
import { ppoLossWasm } from '../ppo/ppo-loss-wasm.js';
import { minibatchArrays, minibatchTensors, ppoUpdate, rowStarts } from '../ppo/update.js';
import { policyGradient, policyGradientTfjs } from '../analysis/policy-gradient.js';
import { backend, relErr } from './helpers.js';

await backend();


/** A batch of S states with rows in the given mode (1–3 rows per state unless one-row-per-state). */
function makeBatch(agent: ActorCritic, S: number, mode: RowMode, rng: Rng, advScale = 1): EstimatorBatch {
  const D = agent.obsDim;
  const obs = Float32Array.from({ length: S * D }, () => rng.normal());
  const rowsPer = Array.from({ length: S }, () => (mode === 'one-row-per-state' ? 1 : 1 + Math.floor(rng.random() * 3)));
  const stateIndex = Int32Array.from(rowsPer.flatMap((k, s) => Array(k).fill(s)));
  const R = stateIndex.length;
  const pObs = new Float32Array(R * D);
  stateIndex.forEach((s, i) => {
    if (mode === 'own-observations') for (let d = 0; d < D; d++) pObs[i * D + d] = rng.normal();
    else pObs.set(obs.subarray(s * D, (s + 1) * D), i * D);
  });
  const act = agent.act(pObs, R, agent.sampleNoise(R, rng));
  // old log-probs away from the current ones, so that some ratios leave the clip range
  const oldLogProbs = act.logProbs.map((lp) => lp + 0.3 * rng.normal());
  const values = agent.values(obs, S);
  return {
    numStates: S,
    policy: { obs: pObs, actions: act.actions, oldLogProbs, advantages: Float32Array.from({ length: R }, () => advScale * rng.normal()), weights: Float32Array.from({ length: R }, () => 0.2 + rng.random()), stateIndex, rowsAreStates: mode === 'rows-are-states' },
    value: { obs, returns: Float32Array.from({ length: S }, () => rng.normal()), oldValues: values.map((v) => v + 0.3 * rng.normal()) },
    stats: {},
  };
}

const SPACES: [string, Space, Space, { tanhMean?: boolean; activation: 'tanh' | 'relu' }][] = [
  ['gaussian', box(-Infinity, Infinity, [11]), box(-1, 1, [3]), { activation: 'tanh' }],
  ['gaussian tanh-mean', box(-Infinity, Infinity, [7]), box(-1, 1, [2]), { tanhMean: true, activation: 'relu' }],
  ['categorical', box(-Infinity, Infinity, [4]), discrete(5), { activation: 'tanh' }],
];
const MODES: RowMode[] = ['one-row-per-state', 'rows-are-states', 'own-observations'];

t.test('minibatch gradient on the engine equals tfjs autodiff of the PPO loss', async (t) => {
  for (const [name, os, as, opt] of SPACES)
    for (const mode of MODES)
      for (const clipVloss of [true, false]) {
        const rng = new Rng(5);
        const agent = new ActorCritic(os, as, { hiddenSizes: [32, 16], ...opt, engine: 'wasm' }, new Rng(1));
        const logStd = agent.logStd;
        if (logStd) logStd.assign(tf.randomNormal(logStd.shape, 0, 0.3, 'float32', 4));
        agent.syncFromTf();
        const batch = makeBatch(agent, 24, mode, rng);
        const cfg = { ...CONTINUOUS_DEFAULTS, clipVloss, entCoef: 0.01 };
        const starts = rowStarts(batch.policy.stateIndex, batch.numStates);
        const states = Int32Array.from({ length: 24 }, (_, i) => i);
        const arrays = minibatchArrays(batch, mode, starts, states, agent.obsDim, agent.actionDim);
        const store = agent.fast!.store;
        store.zeroGrad();
        const got = ppoLossWasm(agent.fast!, arrays, cfg);
        const gEngine = store.read('g');
        const kept: tf.Tensor[] = [];
        const { value: loss, grads } = tf.variableGrads(() => ppoLoss(agent, minibatchTensors(arrays, agent.obsDim, agent.actionDim), cfg, kept), agent.allParams);
        const refStats = kept[0]!.dataSync();
        let worst = 0;
        agent.allParams.forEach((p, i) => (worst = Math.max(worst, relErr(gEngine[i]!, grads[p.name]!.dataSync()))));
        const label = `${name}, ${mode}, clipVloss ${clipVloss}`;
        t.ok(worst <= 1e-5, `${label}: worst gradient rel err ${worst.toExponential(2)}`);
        t.ok(Math.abs(got.loss - loss.dataSync()[0]!) <= 1e-5 * Math.max(1, Math.abs(got.loss)), `${label}: loss ${got.loss.toFixed(6)}`);
        t.ok(got.stats.every((s, i) => Math.abs(s - refStats[i]!) <= 1e-4 * Math.max(1, Math.abs(s))), `${label}: statistics [${got.stats.map((s) => s.toFixed(4))}]`);
        tf.dispose([loss, ...Object.values(grads), ...kept]);
        agent.dispose();
      }
});

t.test('the policy-gradient estimate on the engine equals tfjs autodiff of the surrogate (every row mode, raw and normalised advantages)', async (t) => {
  for (const [name, os, as, opt] of SPACES)
    for (const mode of MODES)
      for (const normalize of [false, true]) {
        const agent = new ActorCritic(os, as, { hiddenSizes: [32, 16], ...opt, engine: 'wasm' }, new Rng(6));
        const logStd = agent.logStd;
        if (logStd) logStd.assign(tf.randomNormal(logStd.shape, 0, 0.3, 'float32', 8));
        // rows whose old log-probs are the current ones (ratio 1), as the variance lab measures
        const batch = makeBatch(agent, 40, mode, new Rng(11), 3);
        const P = batch.policy;
        P.oldLogProbs = tf.tidy(() => {
          const out = agent.policyOut(tf.tensor2d(P.obs, [P.stateIndex.length, agent.obsDim]));
          return agent.logProb(out, tf.tensor2d(P.actions, [P.stateIndex.length, agent.actionDim])).dataSync() as Float32Array;
        });
        const engine = policyGradient(agent, batch, normalize);
        const ref = policyGradientTfjs(agent, batch, normalize);
        t.equal(engine.length, ref.length);
        const err = relErr(engine, ref);
        t.ok(err <= 1e-5, `${name}, ${mode}, normalise ${normalize}: rel err ${err.toExponential(2)}`);
        agent.dispose();
      }
});

t.test('normalised advantages: the engine update equals the tfjs update', async (t) => {
  for (const [name, os, as, opt] of SPACES) {
    const make = (engine: 'wasm' | 'tfjs') => new ActorCritic(os, as, { hiddenSizes: [32, 16], ...opt, engine }, new Rng(2));
    const fast = make('wasm');
    const ref = make('tfjs');
    const batch = makeBatch(ref, 64, 'rows-are-states', new Rng(9));
    const cfg = { ...CONTINUOUS_DEFAULTS, numMinibatches: 4, updateEpochs: 2, entCoef: 0.01 };
    const sFast = ppoUpdate(fast, createAgentOptimizer(fast), batch, cfg, 3e-4, new Rng(3), 0);
    const sRef = ppoUpdate(ref, createAgentOptimizer(ref), batch, cfg, 3e-4, new Rng(3), 0);
    let worst = 0;
    fast.allParams.forEach((p, i) => (worst = Math.max(worst, relErr(p.dataSync(), ref.allParams[i]!.dataSync()))));
    t.ok(worst < 1e-4, `${name}: parameters after 8 minibatch steps, worst rel err ${worst.toExponential(2)} (tfjs variables refreshed from the engine)`);
    t.ok(Math.abs(sFast.policy_loss - sRef.policy_loss) < 1e-4 && Math.abs(sFast.value_loss - sRef.value_loss) < 1e-4 * Math.max(1, sRef.value_loss), `${name}: last losses ${sFast.policy_loss.toFixed(5)}/${sRef.policy_loss.toFixed(5)}, ${sFast.value_loss.toFixed(5)}/${sRef.value_loss.toFixed(5)}`);
    t.ok(Math.abs(sFast.grad_norm - sRef.grad_norm) < 1e-4 * sRef.grad_norm, `${name}: grad norm ${sFast.grad_norm.toFixed(5)} vs ${sRef.grad_norm.toFixed(5)}`);
    t.equal(sFast.first_minibatch_max_ratio_dev, sFast.first_minibatch_max_ratio_dev, 'finite');
    fast.dispose();
    ref.dispose();
  }
});

t.test('the engine is deterministic: same seed, same numbers', async (t) => {
  const run = () => {
    const agent = new ActorCritic(box(-Infinity, Infinity, [17]), box(-1, 1, [6]), { hiddenSizes: [64, 64], activation: 'tanh', engine: 'wasm' }, new Rng(4));
    const batch = makeBatch(agent, 256, 'one-row-per-state', new Rng(6));
    ppoUpdate(agent, createAgentOptimizer(agent), batch, { ...CONTINUOUS_DEFAULTS, numMinibatches: 4, updateEpochs: 3 }, 3e-4, new Rng(7), 0);
    const out = agent.fast!.store.read('p');
    agent.dispose();
    return out;
  };
  const a = run();
  const b = run();
  t.ok(a.every((x, i) => x.every((v, j) => v === b[i]![j])), 'bit-identical parameters after two identical updates');
});

t.test('rollout forward passes on the engine match tfjs', async (t) => {
  for (const [name, os, as, opt] of SPACES) {
    const fast = new ActorCritic(os, as, { hiddenSizes: [32, 16], ...opt, engine: 'wasm' }, new Rng(8));
    const ref = new ActorCritic(os, as, { hiddenSizes: [32, 16], ...opt, engine: 'tfjs' }, new Rng(8));
    const rng = new Rng(1);
    const n = 9;
    const obs = Float32Array.from({ length: n * fast.obsDim }, () => rng.normal());
    const noise = fast.sampleNoise(n, rng);
    const a = fast.act(obs, n, noise);
    const b = ref.act(obs, n, noise);
    t.ok(relErr(a.actions, b.actions) < 1e-6 && relErr(a.logProbs, b.logProbs) < 1e-5 && relErr(a.values, b.values) < 1e-5, `${name}: actions, log-probs and values`);
    const m = fast.act(obs, n, null);
    t.ok(relErr(m.actions, ref.act(obs, n, null).actions) < 1e-6, `${name}: deterministic actions`);
    if (fast.kind === 'categorical') t.ok(relErr(fast.logProbsAll(obs, n), ref.logProbsAll(obs, n)) < 1e-5, `${name}: log-probs of every action`);
    fast.dispose();
    ref.dispose();
  }
});

t.test('engine choice: auto resolves per network, is recorded, and impossible requests are one-line errors', async (t) => {
  t.equal(resolveConfig({}, { envId: 'CartPole-v1' }).engine, 'wasm', "auto: an MLP agent trains on the wasm engine (config.json records 'wasm')");
  t.equal(resolveConfig({}, { envId: 'CartPole-v1', learnerThreads: 2 }).engine, 'tfjs', 'auto with learner threads: tfjs');
  t.equal(resolveConfig({}, { envId: 'Pong-v0' }).engine, 'tfjs', 'auto with the Nature CNN: tfjs');
  t.equal(resolveConfig({}, { envId: 'CartPole-v1', engine: 'tfjs' }).engine, 'tfjs', 'forced tfjs');
  t.throws(() => resolveConfig({}, { envId: 'Pong-v0', engine: 'wasm' }), /engine 'wasm' runs MLPs only, got network 'nature-cnn'/);
  t.throws(() => resolveConfig({}, { envId: 'CartPole-v1', engine: 'wasm', learnerThreads: 2 }), /engine 'wasm' trains on one thread, got learnerThreads 2/);
  t.throws(() => checkEngine({ engine: 'wasm', network: 'mlp', learnerThreads: 3 }), /use engine 'tfjs' for learner threads/);
  t.throws(() => resolveConfig({}, { envId: 'CartPole-v1', engine: 'fast' as never }), /'engine'/);
});

t.test('assigning a tfjs variable reaches the engine before its next use', async (t) => {
  const agent = new ActorCritic(box(-Infinity, Infinity, [3]), box(-1, 1, [2]), { hiddenSizes: [8], activation: 'tanh', engine: 'wasm' }, new Rng(1));
  const obs = new Float32Array([0.1, -0.2, 0.3]);
  const before = agent.values(obs, 1)[0]!;
  const last = agent.critic.params[agent.critic.params.length - 1]!;
  last.assign(tf.tensor1d([5]));
  t.ok(Math.abs(agent.values(obs, 1)[0]! - (before + 5)) < 1e-5, 'the critic bias set through tfjs moves the engine value by 5');
  agent.logStd!.assign(tf.tensor2d([[Math.log(3), 0]]));
  const a = agent.act(obs, 1, new Float32Array([1, 1]));
  const m = agent.act(obs, 1, null).actions;
  t.ok(Math.abs(a.actions[0]! - m[0]! - 3) < 1e-5 && Math.abs(a.actions[1]! - m[1]! - 1) < 1e-5, 'the log-std set through tfjs scales the engine sample');
  agent.dispose();
});
