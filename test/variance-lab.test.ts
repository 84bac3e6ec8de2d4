/**
 * The variance lab's measurement layer (issue 17): batches collected side by side are exactly the
 * batches of the run's shape (GAE of every part equals the whole rollout's columns, truncations and
 * terminations included); the reference pool is its own estimator and size; the reference's stated
 * precision and the App. C.4 noise floor agree with a known truth; the App. C.4 preset is the paper's.
 */
import t from 'tap';
import { appC4BiasNoiseFloor, cosine, gradientStats, meanVector } from '../analysis/gradient-stats.js';
import { referencePrecision, refGram } from '../analysis/interval-stats.js';
import { onPolicyStream } from '../analysis/on-policy-stream.js';
import { measureVariance, PROTOCOLS } from '../analysis/variance.js';
import { Rng } from '../common/rng.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { splitRolloutByEnvs } from '../ppo/rollout.js';
import { backend, cliInProcess } from './helpers.js';

await backend();

t.test('a rollout of G env sets splits into G batches whose GAE equals the whole rollout’s columns', async (t) => {
  // Pendulum truncates at 200 steps: 250 steps per env cross a truncation; numEnvs 2, three copies
  const config = resolveConfig({}, { envId: 'Pendulum-v1', totalTimesteps: 2048, numEnvs: 2, numSteps: 250, numMinibatches: 2, seed: 3 });
  const tr = createTrainer(config);
  const { venv, collector } = onPolicyStream({ config, trainer: tr }, 9, 0, 3);
  t.equal(venv.numEnvs, 6);
  const whole = collector.collect(250, 0);
  const parts = splitRolloutByEnvs(whole, 2);
  t.equal(parts.length, 3);
  const ctx = tr.estimatorContext();
  const all = tr.estimator.prepare(whole, ctx);
  let truncated = 0;
  parts.forEach((part, g) => {
    t.equal(part.numEnvs, 2);
    const b = tr.estimator.prepare(part, ctx);
    let worst = 0;
    for (let s = 0; s < 250; s++)
      for (let i = 0; i < 2; i++) {
        const k = s * 2 + i;
        const K = s * 6 + g * 2 + i;
        worst = Math.max(worst, Math.abs(b.policy.advantages[k]! - all.policy.advantages[K]!), Math.abs(b.value.returns[k]! - all.value.returns[K]!));
        if (b.policy.obs[k * 3] !== all.policy.obs[K * 3] || b.policy.actions[k] !== all.policy.actions[K]) worst = Infinity;
        truncated += part.truncated[k]!;
      }
    t.equal(worst, 0, `part ${g}: advantages, returns, observations and actions are the whole rollout's columns`);
  });
  t.ok(truncated >= 6, `the split crossed truncations (${truncated} truncated rows), whose final values must follow their env`);
  t.throws(() => splitRolloutByEnvs(whole, 4), /do not split/);
  venv.close();
  tr.dispose();
});

t.test('the reference pool: its own estimator and size, its precision reported', async (t) => {
  const config = resolveConfig({}, { envId: 'CartPole-v1', totalTimesteps: 2048, seed: 1 });
  const tr = createTrainer(config);
  tr.iterate();
  const rep = measureVariance({ config, trainer: tr }, { batches: 5, batchSize: 64, estimators: ['single'], reference: 'mc', referenceBatches: 7, seed: 5, warmupSteps: 20, estimatorOptions: { mc: { actions: 2, horizon: 4 } } });
  t.equal(rep.reference!.estimator, 'mc');
  t.equal(rep.reference_estimator, 'mc');
  t.equal(rep.reference!.batches, 7);
  t.equal(rep.reference_batch_size, 7 * 64);
  t.equal(rep.estimators['single']!.intervals!.K_ref, 7, 'the intervals use the reference pool of 7');
  t.ok(rep.reference!.precision !== null && Number.isFinite(rep.reference!.precision.noise_energy), 'precision reported');
  t.equal(rep.throughput!.estimates, 5 + 7);
  t.throws(() => measureVariance({ config, trainer: tr }, { batches: 5, batchSize: 64, estimators: ['single'], referenceBatches: 1, seed: 5 }), /--reference-batches must be an integer ≥ 2, got 1/);
  const three = measureVariance({ config, trainer: tr }, { batches: 4, batchSize: 64, estimators: ['ac', 'single', 'mc'], seed: 6, warmupSteps: 10, estimatorOptions: { mc: { actions: 2, horizon: 3 } } });
  t.same(three.comparisons!.map((c) => `${c.estimator}/${c.baseline}`), ['ac/single', 'mc/single', 'mc/ac'], 'every estimator against single, then every other pair');
  t.throws(() => measureVariance({ config, trainer: tr }, { batches: 5, batchSize: 64, estimators: ['single'], reference: 'nope', seed: 5 }), /nope/);
  tr.dispose();
});

/** K Gaussian vectors N(mu, diag(sd²)). */
function draw(rng: Rng, mu: Float64Array, sd: Float64Array, K: number): Float64Array[] {
  return Array.from({ length: K }, () => mu.map((m, p) => m + sd[p]! * rng.normal()));
}

t.test('reference precision: the expected cosine to the truth and the noise energy match simulation', async (t) => {
  const P = 60;
  const rng = new Rng(21);
  const mu = Float64Array.from({ length: P }, (_, p) => Math.sin(p + 1));
  for (const [scale, Kref] of [[1, 16], [4, 32], [12, 125]] as const) {
    const sd = Float64Array.from({ length: P }, (_, p) => scale * (0.5 + (p % 5) / 4));
    const trueNoise = sd.reduce((s, x) => s + x * x, 0) / Kref;
    const muSq = mu.reduce((s, x) => s + x * x, 0);
    let cosSum = 0;
    let predSum = 0;
    let noiseSum = 0;
    const reps = 300;
    for (let r = 0; r < reps; r++) {
      const pool = draw(rng, mu, sd, Kref);
      cosSum += cosine(meanVector(pool), mu);
      const prec = referencePrecision(refGram(pool));
      predSum += prec.expected_cosine_to_truth ?? 0;
      noiseSum += prec.noise_energy;
    }
    const truthCos = Math.sqrt(muSq / (muSq + trueNoise));
    t.ok(Math.abs(noiseSum / reps - trueNoise) < 0.05 * trueNoise, `noise energy ${(noiseSum / reps).toFixed(3)} ≈ tr Σ/K_ref = ${trueNoise.toFixed(3)} (scale ${scale}, K_ref ${Kref})`);
    t.ok(Math.abs(cosSum / reps - truthCos) < 0.03, `measured cosine to the truth ${(cosSum / reps).toFixed(3)} ≈ √(‖μ‖²/(‖μ‖² + tr Σ/K)) = ${truthCos.toFixed(3)}`);
    t.ok(Math.abs(predSum / reps - cosSum / reps) < 0.06, `reported expected cosine ${(predSum / reps).toFixed(3)} ≈ measured ${(cosSum / reps).toFixed(3)}`);
  }
});

t.test('App. C.4 noise floor: an unbiased estimator scores 1–1.3× the floor, a biased one well above it', async (t) => {
  const P = 80;
  const rng = new Rng(5);
  const mu = Float64Array.from({ length: P }, (_, p) => 1 + 0.5 * Math.cos(p));
  const sd = Float64Array.from({ length: P }, (_, p) => 0.5 + 0.5 * (p % 3));
  let ratio = 0;
  let biasedRatio = 0;
  const reps = 200;
  for (let r = 0; r < reps; r++) {
    const ref = draw(rng, mu, sd, 40);
    const unbiased = draw(rng, mu, sd, 40);
    const biased = draw(rng, mu.map((m) => 1.6 * m), sd, 40);
    ratio += gradientStats(unbiased, meanVector(ref)).relative_bias / appC4BiasNoiseFloor(unbiased, ref);
    biasedRatio += gradientStats(biased, meanVector(ref)).relative_bias / appC4BiasNoiseFloor(biased, ref);
  }
  t.ok(ratio / reps >= 1 && ratio / reps <= 1.3, `unbiased: relative bias / floor = ${(ratio / reps).toFixed(3)} in [1, 1.3]`);
  t.ok(biasedRatio / reps > 2, `biased (mean × 1.6): relative bias / floor = ${(biasedRatio / reps).toFixed(3)} > 2`);
});

t.test('the App. C.4 preset is the paper’s protocol, and it refuses overrides', async (t) => {
  t.same(PROTOCOLS['app-c4'], { batches: 125, batchSize: 2500, referenceBatches: 125 }, 'spec estimators.md §1.11: 125 estimates × 2 500 states, the AC mean of 125 as reference');
  // in this process (runCli, what bin/pgvar.js runs; cli.test.ts compares the two)
  const r = await cliInProcess(['variance', '--run', '/nonexistent', '--protocol', 'app-c4', '--batches', '20']);
  t.not(r.status, 0);
  t.match(r.stderr, /--protocol app-c4 fixes K = 125, n = 2500, K_ref = 125; drop --batches or drop --protocol/);
  const bad = await cliInProcess(['variance', '--run', '/nonexistent', '--protocol', 'app-c5']);
  t.match(bad.stderr, /app-c5/);
  t.notMatch(bad.stderr, /at .*\.[jt]s/, 'no stack trace (in-process: the frames are .ts files)');
});
