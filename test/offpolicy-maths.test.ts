/**
 * The off-policy core's maths (spec baselines.md §1, §12 "first unit tests"): the tanh-Gaussian
 * log-prob against a numerical change of variables, Polyak with τ = 1, TD targets on hand-made
 * batches (a terminal row stops the bootstrap, a truncated row does not), the temperature's direction,
 * and the aggregators.
 */
import t from 'tap';
import { Rng } from '../common/rng.js';
import { AGENT_DEFAULTS } from '../offpolicy/agents.js';
import { AGGREGATORS } from '../offpolicy/critics.js';
import { Dual, entropyViolation } from '../offpolicy/dual.js';
import { OffPolicyLearner, type LearnerConfig } from '../offpolicy/learner.js';
import { allocBatch } from '../offpolicy/replay.js';
import type { ParamStore } from '../nets/engine/param-store.js';

const small = (algo: 'sac' | 'td3', over: Partial<LearnerConfig> = {}): LearnerConfig => ({ ...AGENT_DEFAULTS[algo], criticHidden: [16, 8], actorHidden: [16, 8], ...over });
const randomize = (store: ParamStore, rng: Rng, scale = 0.3) => store.write(store.shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => scale * rng.normal())));
const normalLogPdf = (x: number, mu: number, sd: number) => -0.5 * ((x - mu) / sd) ** 2 - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);

t.test('tanh-Gaussian log π equals log N(atanh a) + log|d atanh/da| with the Jacobian by finite differences', async (t) => {
  const rng = new Rng(7);
  const obsDim = 4;
  const A = 3;
  const learner = new OffPolicyLearner(small('sac'), obsDim, A, rng);
  if (learner.policy.kind !== 'tanh-gaussian') throw new Error('expected a tanh-Gaussian policy');
  randomize(learner.policy.store, rng, 0.4);
  const n = 64;
  const s = Float32Array.from({ length: n * obsDim }, () => rng.normal());
  const smp = learner.policy.sampleFrom(s, n, rng);
  let worst = 0;
  let checked = 0;
  for (let i = 0; i < n; i++) {
    let ref = 0;
    let ok = true;
    for (let j = 0; j < A; j++) {
      const k = i * A + j;
      const a = smp.a[k]!;
      if (1 - a * a < 1e-2) ok = false; // the ε-form departs from the exact density by ≈ 1e-6/(1 − a²)
      const h = 1e-5 * (1 - Math.abs(a));
      const dAtanh = (Math.atanh(a + h) - Math.atanh(a - h)) / (2 * h);
      ref += normalLogPdf(Math.atanh(a), smp.mean[k]!, smp.std[k]!) + Math.log(dAtanh);
    }
    if (!ok) continue;
    checked += 1;
    worst = Math.max(worst, Math.abs(ref - smp.lp[i]!));
  }
  t.ok(checked >= 32, `${checked} rows away from saturation`);
  // atanh of an f32 action loses ~1e-7·|d atanh/da| of u; the rest is the 1e-6 of the ε-form
  t.ok(worst < 2e-3, `worst |log π − numerical| ${worst.toExponential(2)}`);
});

t.test('Polyak with τ = 1 copies the online networks into the targets (critics and TD3 actor)', async (t) => {
  for (const algo of ['sac', 'td3'] as const) {
    const rng = new Rng(3);
    const learner = new OffPolicyLearner(small(algo, { tau: 1 }), 5, 2, rng);
    randomize(learner.critics.store, rng);
    randomize(learner.policy.store, rng);
    const critics = learner.critics.store.read();
    const actor = learner.policy.store.read();
    t.notSame(learner.critics.targetStore.read(), critics, `${algo}: targets differ before`);
    learner.updateTargets();
    t.same(learner.critics.targetStore.read(), critics, `${algo}: critic targets equal the critics`);
    t.same(learner.critics.store.read(), critics, `${algo}: the critics are unchanged`);
    if (learner.policy.kind === 'deterministic') t.same(learner.policy.targetStore.read(), actor, 'td3: the target actor equals the actor');
  }
});

/** Sets every target critic to the constant c_k: zero weights, last bias c_k. */
function constantTargets(learner: OffPolicyLearner, values: number[]): void {
  const st = learner.critics.targetStore;
  const per = st.shapes.length / values.length;
  st.write(st.shapes.map((s, i) => {
    const a = new Float32Array(s.reduce((x, y) => x * y, 1));
    if (i % per === per - 1) a.fill(values[Math.floor(i / per)]!);
    return a;
  }));
}

t.test('TD targets: terminal rows stop the bootstrap, truncated rows bootstrap (SAC and TD3, min aggregator)', async (t) => {
  const obsDim = 3;
  const A = 2;
  const rows = [
    { r: 1.5, term: 1, trunc: 0 },
    { r: -0.5, term: 0, trunc: 1 },
    { r: 0.25, term: 0, trunc: 0 },
    { r: 2, term: 1, trunc: 1 },
  ];
  const n = rows.length;
  const b = allocBatch(n, obsDim, A);
  const rng = new Rng(11);
  b.nextObs.set(Array.from({ length: n * obsDim }, () => rng.normal()));
  rows.forEach((row, i) => {
    b.rew[i] = row.r;
    b.terminated[i] = row.term;
    b.truncated[i] = row.trunc;
  });
  const gamma = 0.9;
  for (const algo of ['sac', 'td3'] as const) {
    const learner = new OffPolicyLearner(small(algo, { gamma, autotune: false, alpha: 0.3 }), obsDim, A, new Rng(1));
    constantTargets(learner, [4, 2.5]);
    const noise = new Rng(5);
    const copy = new Rng(0);
    copy.setState(noise.getState());
    const y = learner.tdTarget(b, noise, new Float32Array(n));
    // SAC's entropy term from the same noise
    const lp = learner.policy.kind === 'tanh-gaussian' ? learner.policy.sampleFrom(b.nextObs, n, copy).lp : new Float32Array(n);
    const alpha = algo === 'sac' ? 0.3 : 0;
    rows.forEach((row, i) => {
      const want = row.term ? row.r : row.r + gamma * (2.5 - alpha * lp[i]!);
      t.ok(Math.abs(y[i]! - want) < 1e-5, `${algo} row ${i} (terminated ${row.term}, truncated ${row.trunc}): y ${y[i]} vs ${want}`);
    });
  }
});

t.test('the temperature falls while the entropy is above its target and rises below it', async (t) => {
  // the Dual alone
  for (const [meanLp, dir] of [[-3, -1], [3, 1]] as const) {
    const d = new Dual(1, 1e-2);
    const lp = new Float32Array(10).fill(meanLp);
    for (let k = 0; k < 20; k++) d.step(entropyViolation(lp, -1));
    t.ok(Math.sign(d.value - 1) === dir, `entropy ${-meanLp} vs target −1: α ${d.value.toFixed(4)} (${dir < 0 ? 'down' : 'up'})`);
  }
  // through the learner: a policy with σ = 1 (entropy ≈ 0.5 > −|A| = −1) and one with σ = e^−5 (entropy ≈ −3.6)
  for (const [logStd, dir] of [[0, -1], [-4.99, 1]] as const) {
    const learner = new OffPolicyLearner(small('sac'), 3, 1, new Rng(2));
    const st = learner.policy.store;
    const tanhRaw = (logStd - -5) / 3.5 - 1; // log σ = −5 + 3.5(1 + tanh raw)
    st.write(st.shapes.map((s, i) => {
      const a = new Float32Array(s.reduce((x, y) => x * y, 1));
      if (i === st.shapes.length - 1) a[1] = Math.atanh(Math.max(-0.999999, tanhRaw));
      return a;
    }));
    const b = allocBatch(64, 3, 1);
    const rng = new Rng(4);
    for (let k = 0; k < 20; k++) learner.temperatureStep(b, rng);
    t.ok(Math.sign(learner.alpha - 1) === dir, `log σ ${logStd}: α ${learner.alpha.toFixed(4)} (${dir < 0 ? 'down' : 'up'})`);
  }
});

t.test('aggregators: min, mean and first, with torch.min’s gradient split on ties', async (t) => {
  const w = new Float64Array(3);
  t.equal(AGGREGATORS.min.value([3, 1, 2]), 1);
  AGGREGATORS.min.weights([3, 1, 1], w);
  t.same(Array.from(w), [0, 0.5, 0.5]);
  t.equal(AGGREGATORS.mean.value([3, 1, 2]), 2);
  AGGREGATORS.mean.weights([3, 1, 2], w);
  t.same(Array.from(w), [1 / 3, 1 / 3, 1 / 3]);
  t.equal(AGGREGATORS.first.value([3, 1, 2]), 3);
  AGGREGATORS.first.weights([3, 1, 2], w);
  t.same(Array.from(w), [1, 0, 0]);
});
