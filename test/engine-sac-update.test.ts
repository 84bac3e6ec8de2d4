/**
 * The off-policy core's SAC update (offpolicy/learner.ts with the `sac` agent's CleanRL defaults,
 * which bench/sac-update times) on the wasm engine against tfjs autodiff of the same losses on a
 * small instance: the critic pair's MSE gradient, and the actor's gradient through the critics'
 * input gradient (squashed Gaussian with the peer's log-std map and tanh correction), relative
 * error ≤ 1e-5 (the actor pass runs the critics' backward for input gradients only). Also the
 * Polyak kernel.
 */
import { tf } from '../nets/tf.js';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { sacLearner, type SacShape } from '../bench/sac-update.js';
import type { OffPolicyLearner } from '../offpolicy/learner.js';
import { backend, relErr } from './helpers.js';

await backend();


const rand = (rng: Rng, n: number, s = 1) => Float32Array.from({ length: n }, () => s * rng.normal());
const SHAPE: SacShape = { obsDim: 5, actDim: 3, hidden: [24, 16], batch: 9 };
const N = 7; // fewer rows than the engine's batch buffers hold

/** ReLU MLP forward on tf tensors, params [W0, b0, W1, b1, ...]. */
function mlp(params: tf.Tensor[], x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (let i = 0; i < params.length; i += 2) {
    h = tf.add(tf.matMul(h, params[i] as tf.Tensor2D), params[i + 1]!);
    if (i + 2 < params.length) h = tf.relu(h);
  }
  return h;
}

/** An engine with small actor weights (|u| stays moderate, so 1 − a² is well conditioned in f32). */
function makeEngine(seed: number, alpha = 1): { sac: OffPolicyLearner; rng: Rng } {
  const rng = new Rng(seed);
  const sac = sacLearner(SHAPE, rng, { autotune: false, alpha });
  const actor = sac.policy.store;
  actor.write(actor.shapes.map((s) => rand(rng, s.reduce((a, b) => a * b, 1), 0.5 / Math.sqrt(s[0]!))));
  return { sac, rng };
}

{
  t.test('critic-pair MSE gradient equals tfjs autodiff', async (t) => {
    const { sac, rng } = makeEngine(3);
    const { obsDim, actDim } = SHAPE;
    const s = rand(rng, N * obsDim);
    const a = Float32Array.from({ length: N * actDim }, () => rng.uniform(-1, 1));
    const y = rand(rng, N, 2);
    const { loss } = sac.critics.regressionGrad(s, a, y, N);
    const critics = sac.critics.store;
    const got = critics.read('g');

    const vals = critics.read();
    const vars = vals.map((v, i) => tf.variable(tf.tensor(v, critics.shapes[i]!)));
    const x = tf.concat([tf.tensor2d(s, [N, obsDim]), tf.tensor2d(a, [N, actDim])], 1);
    const yt = tf.tensor1d(y);
    const half = vars.length / 2;
    const f = () => tf.add(tf.losses.meanSquaredError(yt, mlp(vars.slice(0, half), x).reshape([N])), tf.losses.meanSquaredError(yt, mlp(vars.slice(half), x).reshape([N]))) as tf.Scalar;
    const { value, grads } = tf.variableGrads(f, vars);
    t.ok(Math.abs(loss - value.dataSync()[0]!) <= 1e-5 * Math.abs(value.dataSync()[0]!), `loss ${loss} vs tfjs ${value.dataSync()[0]}`);
    let worst = 0;
    vars.forEach((v, i) => (worst = Math.max(worst, relErr(got[i]!, grads[v.name]!.dataSync()))));
    t.ok(worst <= 1e-5, `worst critic-gradient rel err ${worst.toExponential(2)}`);
    tf.dispose([...vars, x, yt, value, ...Object.values(grads)]);
  });

  t.test('actor gradient through the critics equals tfjs autodiff', async (t) => {
    const alpha = 0.37;
    const { sac, rng } = makeEngine(5, alpha);
    const { obsDim, actDim: A } = SHAPE;
    const s = rand(rng, N * obsDim);
    const eps = rand(rng, N * A);
    const loss = sac.actorGrad(s, N, rng, eps);
    const actor = sac.policy.store;
    const critics = sac.critics.store;
    const got = actor.read('g');

    const vars = actor.read().map((v, i) => tf.variable(tf.tensor(v, actor.shapes[i]!)));
    const crit = critics.read().map((v, i) => tf.tensor(v, critics.shapes[i]!));
    const st = tf.tensor2d(s, [N, obsDim]);
    const et = tf.tensor2d(eps, [N, A]);
    // the peer's SacActor.sample and actor loss, term by term
    const f = () => {
      const out = mlp(vars, st);
      const mean = tf.slice(out, [0, 0], [N, A]);
      const logStd = tf.add(-5, tf.mul(0.5 * 7, tf.add(tf.tanh(tf.slice(out, [0, A], [N, A])), 1)));
      const std = tf.exp(logStd);
      const u = tf.add(mean, tf.mul(std, et));
      const act = tf.tanh(u);
      const logProb = tf.sub(tf.sub(tf.neg(tf.div(tf.square(tf.sub(u, mean)), tf.mul(2, tf.square(std)))), logStd), 0.5 * Math.log(2 * Math.PI));
      const lp = tf.sum(tf.sub(logProb, tf.log(tf.add(tf.sub(1, tf.square(act)), 1e-6))), 1);
      const x = tf.concat([st, act], 1);
      const q = tf.minimum(mlp(crit.slice(0, crit.length / 2), x).reshape([N]), mlp(crit.slice(crit.length / 2), x).reshape([N]));
      return tf.mean(tf.sub(tf.mul(alpha, lp), q)) as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(f, vars);
    const ref = value.dataSync()[0]!;
    t.ok(Math.abs(loss - ref) <= 1e-5 * Math.max(Math.abs(ref), 1), `loss ${loss} vs tfjs ${ref}`);
    let worst = 0;
    vars.forEach((v, i) => (worst = Math.max(worst, relErr(got[i]!, grads[v.name]!.dataSync()))));
    t.ok(worst <= 1e-5, `worst actor-gradient rel err ${worst.toExponential(2)}`);
    tf.dispose([...vars, ...crit, st, et, value, ...Object.values(grads)]);
  });
}

t.test('polyak kernel: target ← (1 − τ)·target + τ·source over both target critics', async (t) => {
  const { sac, rng } = makeEngine(9);
  const critics = sac.critics.store;
  critics.write(critics.shapes.map((s) => rand(rng, s.reduce((a, b) => a * b, 1))));
  const before = sac.critics.targetStore.read();
  const src = critics.read();
  sac.critics.polyak(0.005);
  const after = sac.critics.targetStore.read();
  const want = before.map((b, i) => b.map((v, j) => Math.fround(Math.fround(v * Math.fround(0.995)) + Math.fround(src[i]![j]! * Math.fround(0.005)))));
  t.ok(after.every((a, i) => relErr(a, want[i]!) <= 1e-6), 'every target tensor averaged');
});
