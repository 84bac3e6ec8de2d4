/**
 * The wasm engine against tfjs, the reference: forward values, parameter and input gradients of
 * random networks on random batches (relative error ≤ 1e-5), LayerNorm, clipping and Adam.
 */
import { tf } from '../nets/tf.js';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { Adam, clipByGlobalNorm } from '../nets/adam.js';
import { Arena } from '../nets/engine/arena.js';
import { DenseMlp, denseMlpShapes } from '../nets/engine/dense-mlp.js';
import { ParamStore } from '../nets/engine/param-store.js';
import type { Activation } from '../nets/mlp.js';
import { backend, relErr } from './helpers.js';

await backend();


const rand = (rng: Rng, n: number, s = 1) => Float32Array.from({ length: n }, () => s * rng.normal());

/** The tfjs forward of the same network on tf tensors (the reference). */
function tfForward(params: tf.Tensor[], sizes: number[], act: Activation, layerNorm: boolean, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  let t = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    h = tf.add(tf.matMul(h, params[t] as tf.Tensor2D), params[t + 1]!);
    t += 2;
    if (l + 2 === sizes.length) break;
    if (layerNorm) {
      const { mean, variance } = tf.moments(h, 1, true);
      h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), params[t]!), params[t + 1]!);
      t += 2;
    }
    h = act === 'tanh' ? tf.tanh(h) : act === 'relu' ? tf.relu(h) : tf.leakyRelu(h, 0.01);
  }
  return h;
}

const CASES: { sizes: number[]; act: Activation; ln: boolean; n: number }[] = [
  { sizes: [17, 64, 64, 6], act: 'tanh', ln: false, n: 64 },
  { sizes: [17, 64, 64, 1], act: 'tanh', ln: false, n: 63 },
  { sizes: [5, 7, 3], act: 'relu', ln: false, n: 9 },
  { sizes: [23, 256, 256, 18], act: 'leaky_relu', ln: false, n: 128 },
  { sizes: [30, 256, 256, 1], act: 'relu', ln: true, n: 33 },
  { sizes: [6, 13, 2], act: 'tanh', ln: true, n: 1 },
];

t.test('engine forward and gradients equal tfjs on random networks and batches', async (t) => {
  const rng = new Rng(7);
  for (const c of CASES) {
    const shapes = denseMlpShapes(c.sizes, { layerNorm: c.ln });
    const values = shapes.map((s) => (s.length === 2 ? rand(rng, s[0]! * s[1]!, 1 / Math.sqrt(s[0]!)) : rand(rng, s[0]!, 0.3).map((v) => v + (c.ln ? 1 : 0))));
    const arena = new Arena();
    const store = new ParamStore(arena, shapes);
    store.write(values);
    const net = new DenseMlp(arena, store, 0, c.sizes, c.act, { layerNorm: c.ln });
    const x = rand(rng, c.n * c.sizes[0]!);
    const upstream = rand(rng, c.n * net.outDim);
    const out = net.forward(x, c.n).slice();
    net.outputGrad(c.n).set(upstream);
    store.zeroGrad();
    net.backward(c.n, true);
    const grads = store.read('g');
    const dx = net.inputGradient(c.n).slice();

    const vars = values.map((v, i) => tf.variable(tf.tensor(v, shapes[i]!)));
    const xt = tf.variable(tf.tensor2d(x, [c.n, c.sizes[0]!]));
    const ref = tfForward(vars, c.sizes, c.act, c.ln, xt);
    const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(tfForward(vars, c.sizes, c.act, c.ln, xt), tf.tensor2d(upstream, [c.n, net.outDim]))) as tf.Scalar, [...vars, xt]);
    const name = `${c.sizes.join('-')} ${c.act}${c.ln ? ' +LN' : ''} n=${c.n}`;
    t.ok(relErr(out, ref.dataSync()) <= 1e-5, `${name}: forward rel err ${relErr(out, ref.dataSync()).toExponential(2)}`);
    let worst = 0;
    vars.forEach((v, i) => (worst = Math.max(worst, relErr(grads[i]!, g[v.name]!.dataSync()))));
    t.ok(worst <= 1e-5, `${name}: worst parameter-gradient rel err ${worst.toExponential(2)}`);
    t.ok(relErr(dx, g[xt.name]!.dataSync()) <= 1e-5, `${name}: input-gradient rel err ${relErr(dx, g[xt.name]!.dataSync()).toExponential(2)}`);
    tf.dispose([...vars, xt, ref, ...Object.values(g)]);
  }
});

t.test('gradients accumulate over backward passes until zeroed', async (t) => {
  const rng = new Rng(3);
  const sizes = [4, 8, 2];
  const arena = new Arena();
  const store = new ParamStore(arena, denseMlpShapes(sizes));
  store.write(denseMlpShapes(sizes).map((s) => rand(rng, s.reduce((a, b) => a * b, 1))));
  const net = new DenseMlp(arena, store, 0, sizes, 'tanh');
  const x = rand(rng, 12);
  const pass = () => {
    net.forward(x, 3);
    net.outputGrad(3).fill(1);
    net.backward(3);
  };
  store.zeroGrad();
  pass();
  const once = store.read('g');
  pass();
  const twice = store.read('g');
  t.ok(once.every((g, i) => relErr(twice[i]!, g.map((v) => 2 * v)) < 1e-6), 'a second backward adds the same gradient');
  store.zeroGrad();
  t.equal(store.gradNorm(), 0, 'zeroGrad clears every gradient');
});

t.test('clipping and Adam equal the tfjs optimiser step by step', async (t) => {
  const rng = new Rng(11);
  const shapes = [[5, 6], [6], [1, 3]];
  const init = shapes.map((s) => rand(rng, s.reduce((a, b) => a * b, 1)));
  const arena = new Arena();
  const store = new ParamStore(arena, shapes);
  store.write(init);
  const vars = init.map((v, i) => tf.variable(tf.tensor(v, shapes[i]!)));
  const ref = new Adam(vars, 0.9, 0.999, 1e-5);
  for (let step = 0; step < 5; step++) {
    const g = shapes.map((s) => rand(rng, s.reduce((a, b) => a * b, 1), step < 2 ? 3 : 0.01));
    store.write(g, 'g');
    const norm = store.clipGradNorm(0.5);
    const clipped = clipByGlobalNorm(g.map((v, i) => tf.tensor(v, shapes[i]!)), 0.5);
    t.ok(Math.abs(norm - clipped.norm.dataSync()[0]!) < 1e-5 * norm, `step ${step}: pre-clip norm ${norm.toFixed(5)}`);
    store.adamStep(3e-3 * (1 - step / 5), 0.9, 0.999, 1e-5);
    ref.apply(clipped.grads, 3e-3 * (1 - step / 5));
    tf.dispose([...clipped.grads, clipped.norm]);
  }
  const got = store.read('p');
  let worst = 0;
  vars.forEach((v, i) => (worst = Math.max(worst, relErr(got[i]!, v.dataSync()))));
  t.ok(worst < 1e-6, `parameters after 5 clipped Adam steps: rel err ${worst.toExponential(2)}`);
  t.equal(store.t, 5, 'Adam step count');
});
