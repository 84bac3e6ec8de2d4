import { tf } from '../nets/tf.js';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { box, discrete } from '../envs/spaces.js';
import { ActorCritic } from '../nets/actor-critic.js';
import { Adam, clipByGlobalNorm } from '../nets/adam.js';
import { gatherRows, matMul2d } from '../nets/matmul.js';
import { orthogonal } from '../nets/orthogonal.js';
import { backend } from './helpers.js';

await backend();

t.test('orthogonal init: WᵀW = gain²·I on the short side (PyTorch convention)', async (t) => {
  for (const [fanIn, fanOut, gain] of [[4, 64, Math.SQRT2], [64, 2, 0.01], [64, 64, 1]] as const) {
    const w = orthogonal(fanIn, fanOut, gain, new Rng(1));
    const short = Math.min(fanIn, fanOut);
    let maxErr = 0;
    for (let a = 0; a < short; a++)
      for (let b = 0; b < short; b++) {
        let d = 0;
        // rows of W when fanIn ≤ fanOut, columns otherwise
        for (let k = 0; k < Math.max(fanIn, fanOut); k++) d += fanIn <= fanOut ? w[a * fanOut + k]! * w[b * fanOut + k]! : w[k * fanOut + a]! * w[k * fanOut + b]!;
        maxErr = Math.max(maxErr, Math.abs(d - (a === b ? gain * gain : 0)));
      }
    t.ok(maxErr < 1e-5 * Math.max(1, gain * gain), `${fanIn}×${fanOut}: max error ${maxErr}`);
  }
});

t.test('Adam follows the PyTorch update rule', async (t) => {
  const p = tf.variable(tf.tensor1d([1.0, -2.0]));
  const opt = new Adam([p], 0.9, 0.999, 1e-5);
  const g1 = [0.5, -0.1];
  const g2 = [0.2, 0.3];
  opt.apply([tf.tensor1d(g1)], 0.1);
  opt.apply([tf.tensor1d(g2)], 0.05);
  // by hand: m1 = .1 g1, v1 = .001 g1²; m2 = .9 m1 + .1 g2, v2 = .999 v1 + .001 g2²
  const want = [1.0, -2.0].map((x0, i) => {
    let x = x0;
    const m1 = 0.1 * g1[i]!;
    const v1 = 0.001 * g1[i]! ** 2;
    x -= (0.1 / (1 - 0.9)) * (m1 / (Math.sqrt(v1) / Math.sqrt(1 - 0.999) + 1e-5));
    const m2 = 0.9 * m1 + 0.1 * g2[i]!;
    const v2 = 0.999 * v1 + 0.001 * g2[i]! ** 2;
    x -= (0.05 / (1 - 0.81)) * (m2 / (Math.sqrt(v2) / Math.sqrt(1 - 0.999 ** 2) + 1e-5));
    return x;
  });
  const got = Array.from(p.dataSync());
  t.ok(got.every((g, i) => Math.abs(g - want[i]!) < 1e-5), `got ${got}, want ${want}`);
  const st = JSON.parse(JSON.stringify(opt.getState()));
  t.equal(st.t, 2);
});

t.test('global gradient-norm clipping scales by min(1, max/‖g‖)', async (t) => {
  const { grads, norm } = clipByGlobalNorm([tf.tensor1d([3, 0]), tf.tensor1d([0, 4])], 0.5);
  t.ok(Math.abs(norm.dataSync()[0]! - 5) < 1e-5);
  t.ok(Math.abs(grads[0]!.dataSync()[0]! - 0.3) < 1e-6);
  const small = clipByGlobalNorm([tf.tensor1d([0.1])], 0.5);
  t.ok(Math.abs(small.grads[0]!.dataSync()[0]! - 0.1) < 1e-7, 'no scaling below the threshold');
});

t.test('Gaussian log-prob and entropy match the closed form; sampling uses the supplied noise', async (t) => {
  const ac = new ActorCritic(box(-1, 1, [3]), box(-1, 1, [2]), { hiddenSizes: [8], activation: 'tanh' }, new Rng(0));
  ac.logStd!.assign(tf.tensor2d([[0.3, -0.5]]));
  const obs = Float32Array.of(0.1, -0.2, 0.3);
  const noise = Float32Array.of(1.5, -0.5);
  const r = ac.act(obs, 1, noise);
  const mean = ac.act(obs, 1, null).actions;
  const std = [Math.exp(0.3), Math.exp(-0.5)];
  t.ok(Math.abs(r.actions[0]! - (mean[0]! + std[0]! * 1.5)) < 1e-5);
  const lp = -0.5 * (1.5 ** 2 + 0.5 ** 2) - 0.3 + 0.5 - Math.log(2 * Math.PI);
  t.ok(Math.abs(r.logProbs[0]! - lp) < 1e-5, `log-prob ${r.logProbs[0]} vs ${lp}`);
  const ent = tf.tidy(() => ac.entropy(ac.policyOut(tf.tensor2d(obs, [1, 3]))).dataSync()[0]!);
  t.ok(Math.abs(ent - (2 * (0.5 + 0.5 * Math.log(2 * Math.PI)) + 0.3 - 0.5)) < 1e-5);
  ac.dispose();
});

t.test('categorical: Gumbel-max sampling follows softmax(logits)', async (t) => {
  const ac = new ActorCritic(box(-1, 1, [2]), discrete(3), { hiddenSizes: [4], activation: 'tanh' }, new Rng(0));
  // make the logits [0, log 2, log 5] regardless of the input
  const last = ac.actor.params;
  last[2]!.assign(tf.zeros(last[2]!.shape));
  last[3]!.assign(tf.tensor1d([0, Math.log(2), Math.log(5)]));
  const rng = new Rng(7);
  const n = 4000;
  const obs = new Float32Array(n * 2);
  const r = ac.act(obs, n, ac.sampleNoise(n, rng));
  const counts = [0, 0, 0];
  r.actions.forEach((a) => counts[a]!++);
  const want = [1 / 8, 2 / 8, 5 / 8];
  counts.forEach((c, i) => t.ok(Math.abs(c / n - want[i]!) < 0.03, `action ${i}: ${c / n} vs ${want[i]}`));
  t.ok(Math.abs(r.logProbs[0]! - Math.log(want[r.actions[0]!]!)) < 1e-5);
  ac.dispose();
});

t.test('matMul2d: value and gradients equal tf.matMul (explicit-transpose gradient)', async (t) => {
  const rng = new Rng(3);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const a = tf.variable(tf.tensor2d(rand(7 * 5), [7, 5]));
  const b = tf.variable(tf.tensor2d(rand(5 * 3), [5, 3]));
  const w = tf.tensor2d(rand(7 * 3), [7, 3]);
  const loss = (mm: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => () => tf.sum(tf.mul(tf.tanh(mm(a, b)), w)) as tf.Scalar;
  const ours = tf.variableGrads(loss(matMul2d), [a, b]);
  const ref = tf.variableGrads(loss((x, y) => tf.matMul(x, y)), [a, b]);
  t.ok(Math.abs(ours.value.dataSync()[0]! - ref.value.dataSync()[0]!) < 1e-6, 'same value');
  for (const v of [a, b]) {
    const err = tf.max(tf.abs(tf.sub(ours.grads[v.name]!, ref.grads[v.name]!))).dataSync()[0]!;
    const scale = tf.max(tf.abs(ref.grads[v.name]!)).dataSync()[0]!;
    t.ok(scale > 0.1 && err < 1e-6 * scale, `d/d${v.name === a.name ? 'A' : 'B'}: max error ${err} at scale ${scale}`);
  }
  t.throws(() => matMul2d(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 3]) as tf.Tensor2D), /shapes \[2, 3\] and \[2, 3\] do not multiply/);
});

t.test('gatherRows: rows of x by index, gradient sums the rows that picked each row', async (t) => {
  const x = tf.variable(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]));
  const idx = Int32Array.from([2, 0, 2, 1, 2]);
  t.same(Array.from(gatherRows(x, idx).dataSync()), [5, 6, 1, 2, 5, 6, 3, 4, 5, 6]);
  const g = tf.variableGrads(() => tf.sum(gatherRows(x, idx)) as tf.Scalar, [x]);
  t.same(Array.from(g.grads[x.name]!.dataSync()), [1, 1, 1, 1, 3, 3], 'row 2 picked three times');
});
