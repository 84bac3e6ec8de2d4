import { tf } from '../nets/tf.js';
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
  const strip = (r: typeof small) => JSON.stringify(r, (k, v) => (k === 'wall_s' || k === 'estimates_per_s' || k === 'env_steps_per_s' ? 0 : v));
  t.equal(strip(again), strip(small), 'same seed, same numbers');
  const big = measureVariance({ config, trainer: tr }, { batches: 6, batchSize: 512, estimators: ['gae'], seed: 5, warmupSteps: 50 });
  t.ok('single' in big.estimators, 'aliases resolve to the estimator name');
  t.ok(big.estimators['single']!.total_variance < small.estimators['single']!.total_variance, `tr Σ: ${big.estimators['single']!.total_variance} (n=512) < ${small.estimators['single']!.total_variance} (n=64)`);
  t.equal(small.reference_batch_size, 6 * 64, 'the reference pool is as large as the tested pool by default');
  t.same({ ...small.reference, precision: null }, { estimator: 'single', batches: 6, precision: null });
  t.equal(small.throughput!.envs_per_call, 6 * config.numEnvs, 'six batches collected side by side');
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

t.test('the analysis measures daa and mbpo at full strength (N, H not annealed) after one fit batch or one active training iteration', async (t) => {
  const { LearnedModelEstimator } = await import('../estimators/learned-model-estimator.js');
  // record the batches the analysis builds (training: false) through the estimators' shared prepare
  const seen: Record<string, Record<string, number>[]> = {};
  const prepare = LearnedModelEstimator.prototype.prepare;
  LearnedModelEstimator.prototype.prepare = function (this: InstanceType<typeof LearnedModelEstimator>, r, ctx) {
    const b = prepare.call(this, r, ctx);
    if (!ctx.training) (seen[this.name] ??= []).push(b.stats);
    return b;
  };
  t.teardown(() => {
    LearnedModelEstimator.prototype.prepare = prepare;
  });
  const model = { hidden: [16, 16], modelUpdates: 5, actions: 3, horizon: 4 };
  // 100 iterations: in training, the first active iteration would use N = 1, H = 2
  const base = { envId: 'Pendulum-v1', totalTimesteps: 256 * 100, numEnvs: 1, numSteps: 256, numMinibatches: 4, seed: 2 };
  const opts = { batches: 2, batchSize: 256, seed: 4, bootstrap: 0, warmupSteps: 0, referenceBatches: 2 };

  // fitted by the analysis: a single fit batch trains the model once
  const config = resolveConfig({}, base);
  const tr = createTrainer(config);
  measureVariance({ config, trainer: tr }, { ...opts, estimators: ['daa', 'mbpo'], fitBatches: 1, estimatorOptions: { daa: model, mbpo: model } });
  t.same(seen['daa']!.map((s) => [s['model_active'], s['extra_actions'], s['horizon']]), [[1, 3, 4], [1, 3, 4]], 'daa: N = 3, H = 4 in every measured batch');
  t.same(seen['mbpo']!.map((s) => [s['model_active'], s['imagined_states'], s['horizon']]), [[1, 3, 4], [1, 3, 4]], 'mbpo: min(N, h − 1) = 3 imagined states, h = min(H, N + 2) = 4');
  tr.dispose();

  // trained by the run (--track-variance on the model's first active iteration)
  delete seen['daa'];
  const config2 = resolveConfig({}, { ...base, estimator: 'daa', estimatorOptions: { ...model, warmupSteps: 0, firstTrainMultiplier: 1 } });
  const tr2 = createTrainer(config2);
  const m = tr2.iterate().metrics;
  t.same([m['estimator/model_active'], m['estimator/extra_actions'], m['estimator/horizon']], [1, 1, 2], 'training anneals: N = 1, H = 2 on its first active iteration');
  measureVariance({ config: config2, trainer: tr2 }, { ...opts, estimators: ['daa'], fitBatches: 0 });
  t.same(seen['daa']!.map((s) => [s['model_active'], s['extra_actions'], s['horizon']]), [[1, 3, 4], [1, 3, 4]], 'the analysis of the same model: N = 3, H = 4');
  tr2.dispose();
});

t.test('--fit-batches 0 with an estimator whose learned parts the run did not train is a usage error (API and CLI)', async (t) => {
  const { UsageError } = await import('../common/errors.js');
  const config = resolveConfig({}, { envId: 'CartPole-v1', totalTimesteps: 512, seed: 1 });
  const tr = createTrainer(config);
  const o = { batches: 2, batchSize: 64, seed: 1, fitBatches: 0, bootstrap: 0, warmupSteps: 0, referenceBatches: 2 };
  t.throws(() => measureVariance({ config, trainer: tr }, { ...o, estimators: ['single', 'mac'] }), { name: 'UsageError', message: /^--fit-batches 0: estimator 'mac' has learned parts the run did not train; expected --fit-batches ≥ 1/ });
  t.throws(() => measureVariance({ config, trainer: tr }, { ...o, estimators: ['mac'], fitBatches: -1 }), UsageError);
  t.equal(measureVariance({ config, trainer: tr }, { ...o, estimators: ['single'] }).fit_batches, 0, 'no learned parts: 0 fit batches are fine');
  tr.dispose();

  const { trainRun } = await import('../experiment/train-run.js');
  const { cliInProcess, tmpDir } = await import('./helpers.js');
  const path = await import('node:path');
  const out = path.join(tmpDir(), 'run');
  await trainRun({ out, config, progress: false });
  const r = await cliInProcess(['variance', '--run', out, '--estimators', 'single,mac,wmpg', '--fit-batches', '0', '--backend', 'wasm']); // in this process (runCli, what bin/pgvar.js runs)
  t.equal(r.status, 2, r.stderr);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('pgvar: error:'));
  t.same(errors, ["pgvar: error: --fit-batches 0: estimators 'mac', 'wmpg' have learned parts the run did not train; expected --fit-batches ≥ 1 to fit them (default 10)"]);
  t.notMatch(r.stderr, /\n\s+at .*\.[jt]s:\d+/, 'no stack trace (in-process: the frames are .ts files)');
});

t.test('--normalize-advantages uses the row weights exactly as the PPO update (rows of unequal weight, as mac and wmpg)', async (t) => {
  const { ppoLoss } = await import('../ppo/ppo-loss.js');
  const config = resolveConfig({}, { envId: 'Pendulum-v1', totalTimesteps: 2048, numEnvs: 1, numSteps: 64, seed: 2, hiddenSizes: [8] });
  const tr = createTrainer(config);
  const rollout = tr.collector.collect(64, 0);
  const raw = tr.estimator.prepare(rollout, tr.estimatorContext());
  const n = raw.policy.weights.length;
  const weights = Float32Array.from({ length: n }, (_, i) => [0.1, 1, 2.5, 0.4, 4][i % 5]!);
  const batch = { ...raw, policy: { ...raw.policy, weights } };
  const adv = raw.policy.advantages;
  // by hand, in float64: the update's weighted mean and reliability-weights std
  const normalised = (w: ArrayLike<number>): Float32Array => {
    let sw = 0;
    let sw2 = 0;
    let swa = 0;
    for (let i = 0; i < n; i++) {
      sw += w[i]!;
      sw2 += w[i]! * w[i]!;
      swa += w[i]! * adv[i]!;
    }
    const mean = swa / sw;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += w[i]! * (adv[i]! - mean) ** 2;
    const sd = Math.sqrt(ss / (sw - sw2 / sw));
    return Float32Array.from(adv, (a) => (a - mean) / (sd + 1e-8));
  };
  const agent = tr.agent;
  const D = agent.obsDim;
  // the gradient of the training loss at ρ = 1 (value and entropy terms off), the whole batch one minibatch
  const lossGradient = (advantages: Float32Array): Float64Array => {
    const flat = tf.tidy(() => {
      const mb = {
        mode: 'own-observations' as const,
        obsP: tf.tensor2d(batch.policy.obs, [n, D]),
        obsV: tf.tensor2d(batch.value.obs, [batch.numStates, D]),
        rowState: null,
        actions: tf.tensor2d(batch.policy.actions, [n, agent.actionDim]),
        oldLogProbs: tf.tensor1d(batch.policy.oldLogProbs),
        advantages: tf.tensor1d(advantages),
        weights: tf.tensor1d(weights),
        returns: tf.tensor1d(batch.value.returns),
        oldValues: tf.tensor1d(batch.value.oldValues),
      };
      const kept: tf.Tensor[] = [];
      const { grads } = tf.variableGrads(() => ppoLoss(agent, mb, { clipCoef: 0.2, clipVloss: false, entCoef: 0, vfCoef: 0 }, kept), agent.policyParams);
      kept.forEach((k) => k.dispose());
      return tf.concat(agent.policyParams.map((p) => tf.reshape(grads[p.name]!, [-1])));
    });
    const g = Float64Array.from(flat.dataSync());
    flat.dispose();
    return g;
  };
  const dist = (a: Float64Array, b: Float64Array) => Math.hypot(...a.map((x, i) => x - b[i]!));
  const training = lossGradient(normalised(weights));
  const analysis = policyGradient(agent, batch, true);
  const unweighted = lossGradient(normalised(new Float32Array(n).fill(1)));
  const scale = Math.hypot(...training);
  t.ok(dist(analysis, training) < 1e-4 * scale, `analysis = training loss gradient (distance ${dist(analysis, training)}, norm ${scale})`);
  t.ok(dist(unweighted, training) > 1e-2 * scale, `the unweighted normalisation gives another gradient (distance ${dist(unweighted, training)})`);
  tr.dispose();
});
