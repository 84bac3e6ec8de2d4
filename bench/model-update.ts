/**
 * World-model learner cost: the peer's `bench_model` (shared/peers/cleanrl_update_bench.py), a
 * 23-256-256-18 ReLU dynamics MLP, MSE over every output, Adam (lr 3e-4, eps 1e-5), batch 128
 * drawn with replacement from 4096 random rows, 200 updates per round after one warm-up round.
 * On the wasm engine (DenseMlp + ParamStore)
 * and on tfjs (nets/mlp.ts + nets/adam.ts, tf.variableGrads).
 */
import { tf } from '../nets/tf.js';
import { fillNormal, Rng } from '../common/rng.js';
import { Adam } from '../nets/adam.js';
import { Arena } from '../nets/engine/arena.js';
import { DenseMlp, denseMlpShapes } from '../nets/engine/dense-mlp.js';
import { ParamStore } from '../nets/engine/param-store.js';
import { createMlp, mlpForward } from '../nets/mlp.js';

const OBS = 17;
const ACT = 6;
const ROWS = 4096;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export type ModelEngine = 'wasm' | 'tfjs';

export function benchModelUpdate(engine: ModelEngine, rounds = 5, updates = 200, batch = 128, width = 256): Record<string, unknown> {
  const rng = new Rng(0);
  const sizes = [OBS + ACT, width, width, OBS + 1];
  const inDim = sizes[0]!;
  const outDim = sizes[3]!;
  const x = fillNormal(rng, new Float32Array(ROWS * inDim));
  const y = fillNormal(rng, new Float32Array(ROWS * outDim));
  const idx = new Int32Array(batch);
  const yb = new Float32Array(batch * outDim);
  let step: () => void;
  let cleanup = () => {};
  if (engine === 'tfjs') {
    const net = createMlp('model', sizes, 'relu', 1, rng);
    const opt = new Adam(net.params, 0.9, 0.999, 1e-5);
    const xb = new Float32Array(batch * inDim);
    step = () => {
      for (let i = 0; i < batch; i++) {
        const r = rng.int(ROWS);
        xb.set(x.subarray(r * inDim, (r + 1) * inDim), i * inDim);
        yb.set(y.subarray(r * outDim, (r + 1) * outDim), i * outDim);
      }
      tf.tidy(() => {
        const xt = tf.tensor2d(xb, [batch, inDim]);
        const yt = tf.tensor2d(yb, [batch, outDim]);
        const { grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(mlpForward(net, xt), yt)) as tf.Scalar, net.params);
        opt.apply(net.params.map((v) => grads[v.name]!), 3e-4);
      });
    };
    cleanup = () => {
      opt.dispose();
      tf.dispose(net.params);
    };
  } else {
    const arena = new Arena();
    const shapes = denseMlpShapes(sizes);
    const store = new ParamStore(arena, shapes);
    let fanIn = 1;
    store.write(shapes.map((s) => {
      if (s.length === 2) fanIn = s[0]!;
      const b = 1 / Math.sqrt(fanIn);
      return Float32Array.from({ length: s.reduce((a, c) => a * c, 1) }, () => rng.uniform(-b, b));
    }));
    const net = new DenseMlp(arena, store, 0, sizes, 'relu');
    net.outputGrad(batch);
    const scale = 2 / (batch * outDim);
    step = () => {
      const xin = net.input(batch);
      for (let i = 0; i < batch; i++) {
        const r = rng.int(ROWS);
        idx[i] = r;
        xin.set(x.subarray(r * inDim, (r + 1) * inDim), i * inDim);
      }
      net.run(batch);
      const out = net.output(batch);
      const g = net.outputGrad(batch);
      for (let i = 0; i < batch; i++) {
        const r = idx[i]!;
        for (let j = 0; j < outDim; j++) g[i * outDim + j] = scale * (out[i * outDim + j]! - y[r * outDim + j]!);
      }
      store.zeroGrad();
      net.backward(batch);
      store.adamStep(3e-4, 0.9, 0.999, 1e-5);
    };
  }
  const out: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const t0 = performance.now();
    for (let u = 0; u < updates; u++) step();
    if (r) out.push((performance.now() - t0) / updates);
  }
  cleanup();
  return {
    mode: 'model',
    engine,
    what: `dynamics-model update, ${sizes.join('-')} ReLU, MSE, Adam, batch ${batch}`,
    ms_per_update: out.map((v) => +v.toFixed(3)),
    median_ms: +median(out).toFixed(3),
  };
}
