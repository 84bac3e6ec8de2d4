import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { bootstrapIntervals, gradientStats } from '../analysis/gradient-stats.js';
import { Rng } from '../common/rng.js';
import { policyGradient } from '../analysis/policy-gradient.js';
import { measureVariance } from '../analysis/variance.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { backend } from './helpers.js';

await backend();

t.test('gradient statistics on hand-computed vectors', async (t) => {
  const g = [Float64Array.of(1, 0), Float64Array.of(0, 1), Float64Array.of(1, 1)];
  const s = gradientStats(g, Float64Array.of(1, 0));
  // ḡ = (2/3, 2/3); per-coordinate variance (K−1): ((1/3)² + (2/3)² + (1/3)²)/2 = 1/3, two coordinates
  t.ok(Math.abs(s.total_variance - 2 / 3) < 1e-12);
  t.ok(Math.abs(s.mean_param_variance - 1 / 3) < 1e-12);
  t.ok(Math.abs(s.relative_variance - (2 / 3) / (8 / 9)) < 1e-12);
  t.ok(Math.abs(s.mean_pairwise_cosine - (0 + 2 / Math.SQRT2) / 3) < 1e-12);
  t.ok(Math.abs(s.cosine_to_reference - (1 + 0 + 1 / Math.SQRT2) / 3) < 1e-12);
  t.ok(Math.abs(s.mean_grad_norm - (1 + 1 + Math.SQRT2) / 3) < 1e-12);
  // App. C.4: per-parameter |ḡ_p − ref_p| / |ḡ_p| and Var_p / ḡ_p², averaged over p
  t.ok(Math.abs(s.relative_bias - (0.5 + 1) / 2) < 1e-12, `relative bias ${s.relative_bias}`);
  t.ok(Math.abs(s.relative_variance_app_c4 - 0.75) < 1e-12);
  t.ok(Math.abs(s.robust_relative_bias - Math.sqrt(5) / 3) < 1e-12);
  t.throws(() => gradientStats([g[0]!], g[0]!), /at least 2/);
  const rng = () => new Rng(3);
  const many = Array.from({ length: 40 }, (_, k) => Float64Array.of(1 + Math.sin(k), 0.5 + Math.cos(3 * k), 0.1 * k));
  const ci = bootstrapIntervals(many, Float64Array.of(1, 0.5, 2), 300, rng());
  const point = gradientStats(many, Float64Array.of(1, 0.5, 2));
  for (const [k, [lo, hi]] of Object.entries(ci)) t.ok(lo <= hi && Number.isFinite(lo), `${k}: [${lo}, ${hi}]`);
  t.ok(ci.relative_variance[0] <= point.relative_variance && point.relative_variance <= ci.relative_variance[1], 'the interval covers the point estimate');
  t.same(bootstrapIntervals(many, Float64Array.of(1, 0.5, 2), 300, rng()), ci, 'seeded: reproducible');
});

t.test('the policy-gradient estimate equals finite differences of the surrogate', async (t) => {
  const config = resolveConfig({}, { envId: 'Pendulum-v1', totalTimesteps: 2048, numEnvs: 1, numSteps: 64, seed: 2, hiddenSizes: [8] });
  const tr = createTrainer(config);
  const rollout = tr.collector.collect(64, 0);
  const batch = tr.estimator.prepare(rollout, tr.estimatorContext());
  const g = policyGradient(tr.agent, batch);
  const P = batch.policy;
  const surrogate = () =>
    tf.tidy(() => {
      const ratio = tf.exp(tf.sub(tr.agent.logProb(tr.agent.policyOut(tf.tensor2d(P.obs, [64, 3])), tf.tensor2d(P.actions, [64, 1])), tf.tensor1d(P.oldLogProbs)));
      return -tf.sum(tf.mul(tf.tensor1d(P.advantages), ratio)).dataSync()[0]! / 64;
    });
  // probe a few coordinates: first layer weight, last bias, log-std (the last coordinate)
  const params = tr.agent.policyParams;
  const offsets = params.map((_, i) => params.slice(0, i).reduce((s, q) => s + q.size, 0));
  t.equal(g.length, 3 * 8 + 8 + 8 * 1 + 1 + 1);
  const probes: [number, number][] = [[0, 3], [2, 5], [3, 0], [4, 0]];
  for (const [pi, idx] of probes) {
    const flat = offsets[pi]! + idx;
    const p = params[pi]!;
    const orig = p.dataSync().slice();
    const h = 1e-2;
    const at = (d: number) => {
      const v = orig.slice();
      v[idx] = v[idx]! + d;
      p.assign(tf.tensor(v, p.shape));
      return surrogate();
    };
    const fd = (at(h) - at(-h)) / (2 * h);
    p.assign(tf.tensor(orig, p.shape));
    t.ok(Math.abs(fd - g[flat]!) < 2e-3 * Math.max(1, Math.abs(fd)), `param ${pi}[${idx}]: analytic ${g[flat]} vs finite difference ${fd}`);
  }
  tr.dispose();
});

t.test('measureVariance: shape, reproducibility, and more samples mean less variance', async (t) => {
  const config = resolveConfig({}, { envId: 'CartPole-v1', totalTimesteps: 2048, seed: 1 });
  const tr = createTrainer(config);
  tr.iterate();
  const small = measureVariance({ config, trainer: tr }, { batches: 6, batchSize: 64, estimators: ['single'], seed: 5, warmupSteps: 50 });
  const again = measureVariance({ config, trainer: tr }, { batches: 6, batchSize: 64, estimators: ['single'], seed: 5, warmupSteps: 50 });
  const strip = (r: typeof small) => JSON.stringify(r, (k, v) => (k === 'wall_s' ? 0 : v));
  t.equal(strip(again), strip(small), 'same seed, same numbers');
  const big = measureVariance({ config, trainer: tr }, { batches: 6, batchSize: 512, estimators: ['gae'], seed: 5, warmupSteps: 50 });
  t.ok('single' in big.estimators, 'aliases resolve to the estimator name');
  t.ok(big.estimators['single']!.total_variance < small.estimators['single']!.total_variance, `tr Σ: ${big.estimators['single']!.total_variance} (n=512) < ${small.estimators['single']!.total_variance} (n=64)`);
  t.equal(small.reference_batch_size, 640);
  tr.dispose();
});

t.test('variance analysis fits the learned parts of estimators the run did not train, then measures them all', async (t) => {
  const config = resolveConfig({}, { envId: 'Pendulum-v1', totalTimesteps: 2048, numEnvs: 1, numSteps: 256, numMinibatches: 4, seed: 2 });
  const tr = createTrainer(config);
  tr.iterate();
  const small = { hidden: [16, 16], modelUpdates: 10 };
  const rep = measureVariance(
    { config, trainer: tr },
    { batches: 3, batchSize: 256, estimators: ['single', 'qma', 'daa', 'mbpo', 'mc'], seed: 4, fitBatches: 2, bootstrap: 20, warmupSteps: 0, estimatorOptions: { qma: { hidden: [16, 16], epochs: 1 }, daa: small, mbpo: small, mc: { actions: 2, horizon: 3 } } },
  );
  t.equal(rep.fit_batches, 2);
  t.same(Object.keys(rep.estimators), ['single', 'qma', 'daa', 'mbpo', 'mc']);
  for (const [name, s] of Object.entries(rep.estimators)) t.ok(Number.isFinite(s.relative_variance) && Number.isFinite(s.robust_relative_bias), `${name}: finite statistics`);
  t.not(rep.estimators['daa']!.total_variance, rep.estimators['single']!.total_variance, 'daa was fitted and active (its gradients differ from single)');
  tr.dispose();
});

t.test('train with --track-variance logs variance records before the checkpoint that covers them', async (t) => {
  const { trainRun } = await import('../experiment/train-run.js');
  const { RunDir } = await import('../experiment/run-dir.js');
  const { tmpDir } = await import('./helpers.js');
  const path = await import('node:path');
  const out = path.join(tmpDir(), 'run');
  const config = resolveConfig({}, { envId: 'CartPole-v1', totalTimesteps: 512 * 4, seed: 3, trackVarianceEvery: 2, trackVarianceEstimators: ['single', 'mc'], trackVarianceBatches: 3 });
  await trainRun({ out, config, progress: false });
  const run = new RunDir(out);
  const fs = await import('node:fs');
  const lines = fs.readFileSync(run.varianceFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.same(lines.map((l) => l.step), [1024, 2048], 'measured at iterations 2 and 4');
  t.same(Object.keys(lines[0].estimators), ['single', 'mc']);
  t.equal(run.loadCheckpoint().logs.varianceBytes, fs.statSync(run.varianceFile).size, 'the checkpoint covers the variance log');
  // tracking never touches training: same metrics as an untracked run
  const out2 = path.join(tmpDir(), 'run2');
  await trainRun({ out: out2, config: { ...config, trackVarianceEvery: 0 }, progress: false });
  const strip = (f: string) => fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => { const r = JSON.parse(l); delete r.sps; delete r.time_s; return r; });
  t.same(strip(path.join(out, 'metrics.jsonl')), strip(path.join(out2, 'metrics.jsonl')));
});

t.test('sample-size sweep: the total variance of single falls roughly as 1/n', async (t) => {
  const { sampleSizeSweep } = await import('../analysis/variance.js');
  const config = resolveConfig({}, { envId: 'CartPole-v1', totalTimesteps: 2048, seed: 1 });
  const tr = createTrainer(config);
  tr.iterate();
  const reps = sampleSizeSweep({ config, trainer: tr }, [64, 1024], { batches: 12, estimators: ['single'], seed: 8, warmupSteps: 50, bootstrap: 0 });
  t.same(reps.map((r) => r.batch_size), [64, 1024]);
  const ratio = reps[0]!.estimators['single']!.total_variance / reps[1]!.estimators['single']!.total_variance;
  t.ok(ratio > 4 && ratio < 64, `16× more samples: variance ratio ${ratio.toFixed(1)} (1/n predicts 16)`);
  t.throws(() => sampleSizeSweep({ config, trainer: tr }, [], { batches: 2, estimators: ['single'], seed: 1 }), /at least one batch size/);
  tr.dispose();
});
