/**
 * BroNet on the wasm engine against tfjs autodiff (spec baselines.md §6: Dense → LN → ReLU, then
 * blocks of Dense-LN-ReLU-Dense-LN plus the skip, no activation after the add, a Dense head):
 * forward values, parameter and input gradients on random networks and batches (relative error
 * ≤ 1e-5, as the engine's other tests); an input-gradient-only pass equals the full one's.
 */
import { tf } from '../nets/tf.js';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { Arena } from '../nets/engine/arena.js';
import { BroNet, broNetShapes, type BroNetSpec } from '../nets/engine/bronet.js';
import { ParamStore } from '../nets/engine/param-store.js';
import { backend, relErr } from './helpers.js';

await backend();

const rand = (rng: Rng, n: number, s = 1) => Float32Array.from({ length: n }, () => s * rng.normal());

/** The tfjs forward of the same BroNet (the reference); ε as the engine's (Flax 1e-6). */
function tfBroNet(p: tf.Tensor[], blocks: number, x: tf.Tensor2D): tf.Tensor2D {
  let t = 0;
  const dense = (h: tf.Tensor2D, ln: boolean): tf.Tensor2D => {
    let y = tf.add(tf.matMul(h, p[t] as tf.Tensor2D), p[t + 1]!) as tf.Tensor2D;
    t += 2;
    if (ln) {
      const { mean, variance } = tf.moments(y, 1, true);
      y = tf.add(tf.mul(tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-6))), p[t]!), p[t + 1]!) as tf.Tensor2D;
      t += 2;
    }
    return y;
  };
  let h = tf.relu(dense(x, true));
  for (let b = 0; b < blocks; b++) h = tf.add(h, dense(tf.relu(dense(h, true)), true));
  return dense(h, false);
}

const CASES: (BroNetSpec & { n: number })[] = [
  { inDim: 7, width: 16, blocks: 1, outDim: 3, n: 9 },
  { inDim: 30, width: 64, blocks: 2, outDim: 1, n: 33 },
  { inDim: 5, width: 8, blocks: 0, outDim: 2, n: 1 },
  { inDim: 17, width: 128, blocks: 3, outDim: 6, n: 64 },
];

t.test('BroNet forward, parameter and input gradients equal tfjs autodiff', async (t) => {
  const rng = new Rng(21);
  for (const c of CASES) {
    const shapes = broNetShapes(c);
    // weights ~ 1/√fan_in, LayerNorm gains near 1, biases near 0
    let lnCount = 0;
    const values = shapes.map((s) => {
      if (s.length === 2) return rand(rng, s[0]! * s[1]!, 1 / Math.sqrt(s[0]!));
      return rand(rng, s[0]!, 0.3);
    });
    // tensors of width W after a Dense's W, b are its LN gain then bias: shift the gains to ≈ 1
    shapes.forEach((s, i) => {
      if (i >= 2 && shapes[i - 1]!.length === 1 && shapes[i - 2]!.length === 2 && i + 2 < shapes.length) {
        values[i] = values[i]!.map((v) => v + 1);
        lnCount += 1;
      }
    });
    const arena = new Arena();
    const store = new ParamStore(arena, shapes);
    store.write(values);
    const net = new BroNet(arena, store, 0, c);
    const x = rand(rng, c.n * c.inDim);
    const upstream = rand(rng, c.n * c.outDim);
    const out = net.forward(x, c.n).slice();
    net.outputGrad(c.n).set(upstream);
    store.zeroGrad();
    net.backward(c.n, true);
    const grads = store.read('g');
    const dx = net.inputGradient(c.n).slice();
    // an input-gradient-only pass (the actor's loss through the critics) gives the same input gradient
    net.forward(x, c.n);
    net.outputGrad(c.n).set(upstream);
    net.backward(c.n, true, false);
    const dxOnly = net.inputGradient(c.n).slice();

    const vars = values.map((v, i) => tf.variable(tf.tensor(v, shapes[i]!)));
    const xt = tf.variable(tf.tensor2d(x, [c.n, c.inDim]));
    const ref = tfBroNet(vars, c.blocks, xt);
    const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(tfBroNet(vars, c.blocks, xt), tf.tensor2d(upstream, [c.n, c.outDim]))) as tf.Scalar, [...vars, xt]);
    const name = `in ${c.inDim}, W ${c.width}, ${c.blocks} block(s), out ${c.outDim}, n=${c.n} (${lnCount} LayerNorms)`;
    t.equal(lnCount, 1 + 2 * c.blocks, `${name}: LayerNorm gains found`);
    t.ok(relErr(out, ref.dataSync()) <= 1e-5, `${name}: forward rel err ${relErr(out, ref.dataSync()).toExponential(2)}`);
    let worst = 0;
    vars.forEach((v, i) => (worst = Math.max(worst, relErr(grads[i]!, g[v.name]!.dataSync()))));
    t.ok(worst <= 1e-5, `${name}: worst parameter-gradient rel err ${worst.toExponential(2)}`);
    t.ok(relErr(dx, g[xt.name]!.dataSync()) <= 1e-5, `${name}: input-gradient rel err ${relErr(dx, g[xt.name]!.dataSync()).toExponential(2)}`);
    t.same(dxOnly, dx, `${name}: the input-gradient-only pass gives the same input gradient`);
    tf.dispose([...vars, xt, ref, ...Object.values(g)]);
  }
});

t.test('BroNet layers for partial resets: stem, each block’s two Dense layers, head', async (t) => {
  const arena = new Arena();
  const spec = { inDim: 4, width: 8, blocks: 2, outDim: 1 };
  const store = new ParamStore(arena, [[3], ...broNetShapes(spec)]);
  const net = new BroNet(arena, store, 1, spec);
  t.same(net.layerTensors(), [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16], [17, 18, 19, 20], [21, 22]]);
  t.throws(() => new BroNet(arena, store, 0, spec), /store tensor 0 has shape \[3\], the network needs \[4,8\]/);
});
