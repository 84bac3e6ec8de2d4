/**
 * Independent seeds (issue 15 item 8): every random stream of a run derives from (run seed, stream
 * name) by a hash, so nearby run seeds share no stream, and the estimators' learned parts start from
 * different weights in different runs. Runs recorded before the scheme existed keep 'offset-v0'.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { RunSeeds, streamSeed } from '../common/seeding.js';
import { createEstimator } from '../estimators/index.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import type { PpoConfig } from '../ppo/config.js';
import { backend } from './helpers.js';

await backend();

const STREAMS = ['ppo/init', 'ppo/actions', 'ppo/shuffle', 'ppo/estimator', 'env/0', 'env/1', 'env/2'];

function normals(seed: number, n: number): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, () => r.normal());
}

function correlation(a: Float64Array, b: Float64Array): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= a.length;
  mb /= b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

t.test('stream seeds: deterministic, distinct across names and run seeds', async (t) => {
  t.equal(streamSeed(1, 'ppo/init'), streamSeed(1, 'ppo/init'), 'same (seed, name) → same seed');
  const seen = new Map<number, string>();
  for (let s = 0; s < 50; s++)
    for (const name of STREAMS) {
      const v = streamSeed(s, name);
      t.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32, 'an unsigned 32-bit seed');
      if (seen.has(v)) t.fail(`seed ${s} ${name} collides with ${seen.get(v)}`);
      seen.set(v, `${s} ${name}`);
    }
  t.equal(seen.size, 50 * STREAMS.length, 'no two (run seed, stream) pairs share a seed');
  t.throws(() => streamSeed(-1, 'x'), /run seed must be a non-negative integer, got -1/);
});

t.test('streams of nearby run seeds are uncorrelated (the offset scheme made them identical)', async (t) => {
  const n = 4000;
  const bound = 5 / Math.sqrt(n); // 5 standard errors of a correlation under independence
  const all: { label: string; x: Float64Array }[] = [];
  for (let s = 1; s <= 3; s++) for (const name of STREAMS) all.push({ label: `seed ${s} ${name}`, x: normals(streamSeed(s, name), n) });
  let worst = 0;
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) worst = Math.max(worst, Math.abs(correlation(all[i]!.x, all[j]!.x)));
  t.ok(worst < bound, `largest |correlation| over ${all.length} streams: ${worst.toFixed(4)} < ${bound.toFixed(4)}`);
  // the defect the scheme fixes: under offset-v0 run seed 2's init stream is run seed 1's action stream
  const old1 = new RunSeeds(1, 'offset-v0');
  const old2 = new RunSeeds(2, 'offset-v0');
  t.equal(old2.of('ppo/init', 2), old1.of('ppo/actions', 1 + 1), 'offset-v0 shares streams between run seeds');
  t.same(old2.envs(2)[0], old1.envs(2)[1], "offset-v0: run seed 2's env 0 is run seed 1's env 1");
  const new1 = new RunSeeds(1);
  const new2 = new RunSeeds(2);
  t.not(new2.of('ppo/init', 2), new1.of('ppo/actions', 2));
  t.not(new2.envs(2)[0], new1.envs(2)[1]);
});

const cfg = (envId: string, seed: number, extra: Partial<PpoConfig> = {}) => resolveConfig({}, { envId, totalTimesteps: 2048, numEnvs: 2, numSteps: 64, numMinibatches: 2, updateEpochs: 1, seed, ...extra });

t.test('trainer: env 0 of run seed 2 does not start where env 1 of run seed 1 does; same seed, same start', async (t) => {
  for (const envId of ['CartPole-v1', 'Pendulum-v1']) {
    const a = createTrainer(cfg(envId, 1));
    const b = createTrainer(cfg(envId, 2));
    const a2 = createTrainer(cfg(envId, 1));
    const D = a.venv.obsDim;
    const obsA = Float32Array.from(a.collector.getState().obs);
    const obsB = Float32Array.from(b.collector.getState().obs);
    t.notSame(Array.from(obsB.subarray(0, D)), Array.from(obsA.subarray(D, 2 * D)), `${envId}: seed 2 env 0 ≠ seed 1 env 1`);
    t.same(a2.collector.getState().obs, a.collector.getState().obs, `${envId}: same seed, same first observations`);
    t.not(weightsOf(a.getState().params), weightsOf(b.getState().params), `${envId}: different seeds, different initial weights`);
    t.equal(weightsOf(a2.getState().params), weightsOf(a.getState().params), `${envId}: same seed, same initial weights`);
    for (const tr of [a, b, a2]) tr.dispose();
  }
});

t.test('runs recorded before the scheme (no seedScheme in config.json) keep the offset scheme', async (t) => {
  const c = cfg('CartPole-v1', 1);
  t.equal(c.seedScheme, 'hashed-v1', 'new runs record hashed-v1');
  const legacy = { ...c } as PpoConfig;
  delete legacy.seedScheme;
  const seed2 = { ...legacy, seed: 2 };
  const a = createTrainer(legacy);
  const b = createTrainer(seed2);
  const D = a.venv.obsDim;
  t.same(b.collector.getState().obs.slice(0, D), a.collector.getState().obs.slice(D, 2 * D), 'offset-v0 reproduces the old env seeding (seed + i)');
  a.dispose();
  b.dispose();
});

/** A digest of an estimator's state without its RNG positions (which differ by seed by construction) and tensor names (unique per instance). */
function weightsOf(state: unknown): string {
  return createHash('sha256').update(JSON.stringify(state, (k, v) => (k === 'rng' || k === 'name' ? undefined : v))).digest('hex');
}

t.test("estimators' learned parts start differently for run seeds 1 and 5, identically for the same seed", async (t) => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['qma', 'Pendulum-v1', { actions: 2, hidden: [16], epochs: 1 }],
    ['daa', 'Pendulum-v1', { actions: 2, horizon: 2, hidden: [16], modelUpdates: 2, warmupSteps: 0 }],
    ['mbpo', 'Pendulum-v1', { actions: 2, horizon: 3, hidden: [16], modelUpdates: 2, warmupSteps: 0 }],
    ['mac', 'CartPole-v1', { hidden: [16], updates: 2 }],
    ['wmpg', 'CartPole-v1', { hidden: [16], modelUpdates: 2, warmupSteps: 0, horizon: 2 }],
  ];
  for (const [name, envId, options] of cases) {
    const source = createTrainer(cfg(envId, 3));
    const rollout = source.collector.collect(64, 0);
    const states = [1, 5, 1].map((seed) => {
      const c = cfg(envId, seed, { estimator: name, estimatorOptions: options });
      t.type(c.estimatorOptions['seed'], 'number', `${name}: config.json records the derived seed`);
      const est = createEstimator(name, c.estimatorOptions);
      est.prepare(rollout, { ...source.estimatorContext(), rng: new Rng(11) });
      const w = weightsOf(est.getState!());
      est.dispose?.();
      return { w, seed: c.estimatorOptions['seed'] };
    });
    t.not(states[0]!.seed, states[1]!.seed, `${name}: different derived seeds`);
    t.not(states[0]!.w, states[1]!.w, `${name}: seeds 1 and 5 start from different weights`);
    t.equal(states[0]!.w, states[2]!.w, `${name}: seed 1 twice gives the same weights`);
    source.dispose();
  }
  const given = cfg('Pendulum-v1', 1, { estimator: 'qma', estimatorOptions: { seed: 42 } });
  t.equal(given.estimatorOptions['seed'], 42, 'an explicit estimator seed is kept');
});
