/**
 * The dynamics model on the wasm engine against the same model on tfjs: same initialisation, same
 * replay minibatches, so the losses and the predictions after training agree (float rounding only);
 * checkpoints round-trip across engines.
 */
import t from 'tap';
import { Rng } from '../common/rng.js';
import { MlpDynamicsModel, type MlpDynamicsOptions } from '../worldmodels/dynamics-model.js';
import { ReplayBuffer } from '../worldmodels/replay-buffer.js';
import { backend } from './helpers.js';

await backend();

/** Transitions of a smooth random system (so the model has something to learn), with some terminations. */
function filledBuffer(D: number, A: number, n: number): ReplayBuffer {
  const rng = new Rng(3);
  const buf = new ReplayBuffer(n, D, A);
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length: D }, () => rng.normal());
    const a = Array.from({ length: A }, () => rng.uniform(-1, 1));
    const s2 = s.map((x, d) => 0.9 * x + 0.3 * Math.tanh(a[d % A]!) + 0.1);
    const r = s.reduce((u, x) => u + x, 0) * 0.5 + a[0]!;
    buf.add(s, a, r, s2, s[0]! > 1.2);
  }
  return buf;
}

const relDiff = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / Math.max(b.reduce((s, v) => s + v * v, 0), 1e-30));

t.test('dynamics model: wasm engine and tfjs train to the same predictions', async (t) => {
  for (const extra of [{ normalize: true, termination: true, predictDelta: true }, { normalize: false, termination: false, predictDelta: false }] as const) {
    const D = 5;
    const A = 2;
    const opts: MlpDynamicsOptions = { hidden: [32, 32], activation: 'leaky_relu', lr: 1e-3, adamEps: 1e-8, ...extra };
    const buf = filledBuffer(D, A, 400);
    const fast = new MlpDynamicsModel(D, A, { ...opts, engine: 'wasm' }, new Rng(1));
    const ref = new MlpDynamicsModel(D, A, opts, new Rng(1));
    t.equal(fast.engine, 'wasm');
    const lf = fast.train(buf, 30, 64, new Rng(2));
    const lr = ref.train(buf, 30, 64, new Rng(2));
    const label = JSON.stringify(extra);
    t.ok(Math.abs(lf.transitionLoss - lr.transitionLoss) < 1e-4 * lr.transitionLoss, `${label}: transition loss ${lf.transitionLoss.toFixed(5)} vs ${lr.transitionLoss.toFixed(5)}`);
    t.ok(Math.abs(lf.rewardLoss - lr.rewardLoss) < 1e-4 * lr.rewardLoss, `${label}: reward loss ${lf.rewardLoss.toFixed(5)} vs ${lr.rewardLoss.toFixed(5)}`);
    if (extra.termination) t.ok(Math.abs(lf.terminalLoss! - lr.terminalLoss!) < 1e-4 * lr.terminalLoss!, `${label}: termination loss ${lf.terminalLoss!.toFixed(5)} vs ${lr.terminalLoss!.toFixed(5)}`);
    const probe = buf.sample(50, new Rng(9));
    const pf = fast.predict(probe.obs, probe.actions, 50);
    const pr = ref.predict(probe.obs, probe.actions, 50);
    t.ok(relDiff(pf.next, pr.next) < 1e-4 && relDiff(pf.reward, pr.reward) < 1e-4, `${label}: predictions after 30 updates agree (${relDiff(pf.next, pr.next).toExponential(1)}, ${relDiff(pf.reward, pr.reward).toExponential(1)})`);
    if (extra.termination) t.ok(relDiff(pf.terminal!, pr.terminal!) < 1e-4, `${label}: termination probabilities agree`);
    // a checkpoint of the engine model restores into a tfjs model and predicts the same
    const back = new MlpDynamicsModel(D, A, opts, new Rng(5));
    back.setState(fast.getState());
    t.ok(relDiff(back.predict(probe.obs, probe.actions, 50).next, pf.next) < 1e-6, `${label}: engine checkpoint loads into a tfjs model`);
    const again = new MlpDynamicsModel(D, A, { ...opts, engine: 'wasm' }, new Rng(6));
    again.setState(ref.getState());
    again.train(buf, 5, 64, new Rng(4));
    ref.train(buf, 5, 64, new Rng(4));
    t.ok(relDiff(again.predict(probe.obs, probe.actions, 50).next, ref.predict(probe.obs, probe.actions, 50).next) < 1e-4, `${label}: a tfjs checkpoint (weights and Adam moments) continues on the engine`);
    [fast, ref, back, again].forEach((m) => m.dispose());
  }
});

t.test('EngineMlp.mseStep (the Q-networks of qma) equals tfjs regression step by step', async (t) => {
  const { tf } = await import('../nets/tf.js');
  const { createMlp, mlpForward } = await import('../nets/mlp.js');
  const { Adam } = await import('../nets/adam.js');
  const { EngineMlp } = await import('../nets/engine/engine-mlp.js');
  const rng = new Rng(4);
  const ref = createMlp('q', [6, 16, 16, 1], 'leaky_relu', 1.0, new Rng(1));
  const mine = new EngineMlp(createMlp('q', [6, 16, 16, 1], 'leaky_relu', 1.0, new Rng(1)), 1e-5);
  const opt = new Adam(ref.params, 0.9, 0.999, 1e-5);
  let worstLoss = 0;
  for (let step = 0; step < 10; step++) {
    const x = Float32Array.from({ length: 32 * 6 }, () => rng.normal());
    const y = Float32Array.from({ length: 32 }, () => rng.normal());
    const got = mine.mseStep(x, y, 32, 1e-3);
    const g = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.reshape(mlpForward(ref, tf.tensor2d(x, [32, 6])), [-1]), tf.tensor1d(y)))) as tf.Scalar, ref.params);
    opt.apply(ref.params.map((p) => g.grads[p.name]!), 1e-3);
    worstLoss = Math.max(worstLoss, Math.abs(got - g.value.dataSync()[0]!) / g.value.dataSync()[0]!);
  }
  t.ok(worstLoss < 1e-5, `losses agree over 10 steps (worst rel diff ${worstLoss.toExponential(1)})`);
  const probe = Float32Array.from({ length: 8 * 6 }, () => rng.normal());
  const a = mine.predict(probe, 8);
  const b = mlpForward(ref, tf.tensor2d(probe, [8, 6])).dataSync() as Float32Array;
  t.ok(relDiff(a, b) < 1e-4, `predictions after 10 steps agree (${relDiff(a, b).toExponential(1)})`);
  t.throws(() => new EngineMlp(createMlp('m', [3, 4, 2], 'relu', 1, new Rng(1)), 1e-5).mseStep(new Float32Array(3), [0], 1, 1e-3), /2 outputs, expected 1/);
});

t.test('a prediction split with the forward thread equals the unsplit one bit for bit', async (t) => {
  const { sharedForwardPool, ForwardPool } = await import('../nets/engine/forward-pool.js');
  t.ok(sharedForwardPool(), 'the pool exists on this 2-core machine');
  const D = 5;
  const A = 2;
  const buf = filledBuffer(D, A, 3000);
  const model = new MlpDynamicsModel(D, A, { hidden: [32, 32], activation: 'leaky_relu', lr: 1e-3, adamEps: 1e-8, normalize: true, termination: true, predictDelta: true, engine: 'wasm' }, new Rng(1));
  for (let round = 0; round < 2; round++) {
    model.train(buf, 5, 64, new Rng(2 + round)); // new parameters: the worker must get them
    const probe = buf.sample(6000, new Rng(9 + round));
    const whole = model.predict(probe.obs, probe.actions, 6000);
    const halves = [0, 1].map((h) => model.predict(probe.obs.slice(h * 3000 * D, (h + 1) * 3000 * D), probe.actions.slice(h * 3000 * A, (h + 1) * 3000 * A), 3000));
    const same = (a: Float32Array, b: Float32Array[]) => a.every((v, i) => v === (i < a.length / 2 ? b[0]![i] : b[1]![i - a.length / 2]));
    t.ok(same(whole.next, halves.map((p) => p.next)) && same(whole.reward, halves.map((p) => p.reward)) && same(whole.terminal!, halves.map((p) => p.terminal!)), `round ${round}: next states, rewards and termination identical`);
  }
  model.dispose();
  const pool = new ForwardPool();
  pool.start([{ key: 'bad', sizes: [3, 4, 1], activation: 'tanh', version: 1, params: () => [new Float32Array(2)] }], new Float32Array(6), 2);
  t.throws(() => pool.finish(), /engine forward thread failed: parameter store: expected 4 tensors, got 1/);
  await pool.dispose();
});

t.test("mac's Q-network on the engine fits as on tfjs (first iteration, same agent)", async (t) => {
  const { resolveConfig } = await import('../experiment/build.js');
  const { createTrainer } = await import('../experiment/train-run.js');
  const losses = (['wasm', 'tfjs'] as const).map((engine) => {
    const tr = createTrainer(resolveConfig({}, { envId: 'CartPole-v1', estimator: 'mac', totalTimesteps: 2048, numEnvs: 4, numSteps: 128, seed: 3, engine }));
    const m = tr.iterate().metrics;
    tr.dispose();
    return [m['estimator/q_loss'] as number, m['estimator/q_mean'] as number];
  });
  t.ok(Math.abs(losses[0]![0]! - losses[1]![0]!) <= 1e-4 * Math.abs(losses[1]![0]!), `q_loss ${losses[0]![0]} (engine) vs ${losses[1]![0]} (tfjs)`);
  t.ok(Math.abs(losses[0]![1]! - losses[1]![1]!) <= 1e-4 * Math.max(1, Math.abs(losses[1]![1]!)), `q_mean ${losses[0]![1]} vs ${losses[1]![1]}`);
});

t.test("wmpg's discrete world model on the engine trains and predicts as on tfjs", async (t) => {
  const { DiscreteWorldModel } = await import('../worldmodels/discrete-world-model.js');
  const rng = new Rng(5);
  const D = 4;
  const buf = new ReplayBuffer(500, D, 1);
  for (let i = 0; i < 500; i++) {
    const s = Array.from({ length: D }, () => rng.normal());
    const a = rng.int(3);
    buf.add(s, [a], s[0]! + a, s.map((x) => 0.9 * x + 0.1 * a), s[1]! > 1);
  }
  const models = (['wasm', 'tfjs'] as const).map((engine) => new DiscreteWorldModel(D, 3, { hidden: [32, 32], lr: 1e-3, adamEps: 1e-8, engine }, new Rng(2)));
  const losses = models.map((m) => m.train(buf, 20, 64, new Rng(7)));
  t.ok(['transitionLoss', 'rewardLoss', 'terminalLoss'].every((k) => Math.abs((losses[0] as Record<string, number>)[k]! - (losses[1] as Record<string, number>)[k]!) <= 1e-4 * (losses[1] as Record<string, number>)[k]!), `losses ${JSON.stringify(losses[0])} vs ${JSON.stringify(losses[1])}`);
  const probe = buf.sample(40, new Rng(8));
  const [p, q] = models.map((m) => m.predict(probe.obs, probe.actions, 40));
  t.ok(relDiff(p!.next, q!.next) < 1e-4 && relDiff(p!.reward, q!.reward) < 1e-4 && relDiff(p!.terminal, q!.terminal) < 1e-4, 'predictions after 20 updates agree');
  models.forEach((m) => m.dispose());
});
