/**
 * DAC as a configuration of the off-policy core (spec baselines.md §1, §5, §12): the mean − β·spread
 * aggregator on hand-made values (β = 1 is min, β = 0 the mean, β < 0 optimistic; its gradient by
 * finite differences); the Gaussian KL (0 for identical distributions, Σ Δμ²/(2σ_c²) for a mean
 * shift, its gradient); the KL weight λ and the optimism β_ub moving the right way around the KL
 * target, and the barrier above −1; the optimistic actor's gradient by finite differences, its
 * ascent of Q_UB and the KL's pull back to π_c; exploration by π_o with σ × 1.25 and evaluation by
 * π_c; the periodic refresh; orthogonal init; exact resume; and a learning test on Pendulum-v1 that a
 * TD-target sign flip breaks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { learnWithMutant } from './offpolicy-helpers.js';
import { fillNormal, Rng } from '../common/rng.js';
import { make } from '../envs/registry.js';
import type { ParamStore } from '../nets/engine/param-store.js';
import { RunSeeds } from '../common/seeding.js';
import { AGENT_DEFAULTS, agentConfig } from '../offpolicy/agents.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import { AGGREGATORS, ensembleSpread, makeAggregator, meanMinusBetaSpread } from '../offpolicy/critics.js';
import { OffPolicyLearner, type LearnerConfig } from '../offpolicy/learner.js';
import { gaussianKl, type OptimisticActor } from '../offpolicy/optimistic.js';
import type { TanhGaussianPolicy } from '../offpolicy/policies.js';
import { allocBatch } from '../offpolicy/replay.js';
import { loadReplaySegments, saveReplaySegments } from '../offpolicy/replay-segments.js';
import { OffPolicyTrainer, type OffPolicyRow } from '../offpolicy/trainer.js';
import { orthogonalMatrix } from '../offpolicy/trunk.js';

const small = (over: Partial<LearnerConfig> = {}): LearnerConfig => ({ ...AGENT_DEFAULTS.dac, criticHidden: [16, 8], actorHidden: [16, 8], ...over });
const randomize = (store: ParamStore, rng: Rng, scale = 0.3) => store.write(store.shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => scale * rng.normal())));
const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

function parts(learner: OffPolicyLearner): { pc: TanhGaussianPolicy; o: OptimisticActor } {
  if (learner.policy.kind !== 'tanh-gaussian' || !learner.optimistic) throw new Error('expected DAC');
  return { pc: learner.policy, o: learner.optimistic };
}

t.test('mean − β·spread on hand-made values: β = 1 is min, 0 the mean, < 0 optimistic; gradient by finite differences', async (t) => {
  let beta = 1;
  const agg = meanMinusBetaSpread(() => beta);
  t.equal(agg.value([3, 1]), 1, 'β = 1: min(3, 1)');
  t.equal(ensembleSpread([3, 1]), 1, 'two critics: spread |Q1 − Q2|/2');
  const rng = new Rng(5);
  for (let i = 0; i < 50; i++) {
    const q = [rng.normal() * 10, rng.normal() * 10];
    t.ok(close(agg.value(q), AGGREGATORS.min.value(q), 1e-12), `β = 1 equals min on ${q.map((x) => x.toFixed(2))}`);
  }
  beta = 0;
  t.equal(agg.value([3, 1]), 2, 'β = 0: the mean (β is read at each call)');
  beta = -0.5;
  t.equal(agg.value([3, 1]), 2.5, 'β = −0.5: mean + 0.5·spread');
  beta = 0.5;
  t.ok(close(agg.value([1, 2, 6]), 3 - 0.5 * Math.sqrt(14 / 3), 1e-12), 'three critics: mean − β·population std');
  const w = new Float64Array(3);
  for (const b of [1, 0.3, -0.5]) {
    beta = b;
    for (const q of [[3, 1], [-2, 5], [1, 2, 6], [0.5, -4, 2]]) {
      agg.weights(q, w);
      q.forEach((_, k) => {
        const h = 1e-6;
        const up = [...q];
        const dn = [...q];
        up[k] = up[k]! + h;
        dn[k] = dn[k]! - h;
        const fd = (agg.value(up) - agg.value(dn)) / (2 * h);
        t.ok(Math.abs(w[k]! - fd) < 1e-6, `β ${b}, q ${q}: ∂/∂q${k} ${w[k]!.toFixed(6)} vs ${fd.toFixed(6)}`);
      });
    }
  }
  beta = 1;
  agg.weights([2, 2], w);
  t.same(Array.from(w.subarray(0, 2)), [0.5, 0.5], 'a tie splits evenly, as min');
  t.equal(makeAggregator('min', () => 7), AGGREGATORS.min, 'fixed names give the fixed aggregators');
});

/** Sets every target critic to the constant c_k: zero weights, last bias c_k. */
function constantCritics(st: ParamStore, values: number[]): void {
  const per = st.shapes.length / values.length;
  st.write(st.shapes.map((s, i) => {
    const a = new Float32Array(s.reduce((x, y) => x * y, 1));
    if (i % per === per - 1) a.fill(values[Math.floor(i / per)]!);
    return a;
  }));
}

t.test('the TD target through the learner uses β = pessimism: 1 gives min(Q̄1, Q̄2), 0 their mean', async (t) => {
  const n = 3;
  const b = allocBatch(n, 3, 2);
  b.rew.set([1, -1, 0.5]);
  b.terminated.set([0, 0, 1]);
  const rng = new Rng(1);
  b.nextObs.set(Array.from({ length: n * 3 }, () => rng.normal()));
  for (const [pessimism, q] of [[1, 2.5], [0, 3.25], [-1, 4]] as const) {
    const learner = new OffPolicyLearner(small({ gamma: 0.9, autotune: false, alpha: 1e-9, pessimism, optimism: 2 }), 3, 2, new Rng(2));
    constantCritics(learner.critics.targetStore, [4, 2.5]);
    const y = learner.tdTarget(b, new Rng(3), new Float32Array(n));
    [1 + 0.9 * q, -1 + 0.9 * q, 0.5].forEach((want, i) => t.ok(Math.abs(y[i]! - want) < 1e-5, `β ${pessimism}, row ${i}: y ${y[i]} vs ${want}`));
  }
});

t.test('Gaussian KL: 0 for identical distributions, Σ Δμ²/(2σ_c²) for a mean shift, the closed form for σ, gradients', async (t) => {
  const rng = new Rng(9);
  const n = 4;
  const A = 3;
  const rnd = (s = 1) => Float32Array.from({ length: n * A }, () => s * rng.normal());
  const mu = rnd();
  const ls = rnd(0.5);
  t.same(Array.from(gaussianKl(mu, ls, mu, ls, n, A)), [0, 0, 0, 0], 'identical: 0');
  const d = rnd();
  const shifted = mu.map((m, k) => m + d[k]!);
  const kl = gaussianKl(shifted, ls, mu, ls, n, A);
  for (let i = 0; i < n; i++) {
    let want = 0;
    for (let j = 0; j < A; j++) want += d[i * A + j]! ** 2 / (2 * Math.exp(2 * ls[i * A + j]!));
    t.ok(close(kl[i]!, want, 1e-5), `mean shift, row ${i}: ${kl[i]} vs ${want}`);
  }
  // σ_o = 1, σ_c = 2, same mean: log 2 + 1/8 − 1/2 per dimension
  const one = gaussianKl(Float32Array.of(0), Float32Array.of(0), Float32Array.of(0), Float32Array.of(Math.log(2)), 1, 1);
  t.ok(close(one[0]!, Math.log(2) + 1 / 8 - 0.5, 1e-6), `σ only: ${one[0]}`);
  // the gradient (coef·∂KL/∂μ_o, coef·∂KL/∂log σ_o) against central differences in float64
  const coef = 0.7;
  const dMean = new Float32Array(n * A);
  const dLogStd = new Float32Array(n * A);
  const muO = rnd();
  const lsO = rnd(0.5);
  gaussianKl(muO, lsO, mu, ls, n, A, { coef, dMean, dLogStd });
  const f = (m: number, l: number, k: number) => {
    const vc = Math.exp(2 * ls[k]!);
    return coef * (ls[k]! - l + (Math.exp(2 * l) + (m - mu[k]!) ** 2) / (2 * vc) - 0.5);
  };
  for (let k = 0; k < n * A; k++) {
    const h = 1e-6;
    const gm = (f(muO[k]! + h, lsO[k]!, k) - f(muO[k]! - h, lsO[k]!, k)) / (2 * h);
    const gl = (f(muO[k]!, lsO[k]! + h, k) - f(muO[k]!, lsO[k]! - h, k)) / (2 * h);
    t.ok(Math.abs(dMean[k]! - gm) < 1e-4 * Math.max(1, Math.abs(gm)) && Math.abs(dLogStd[k]! - gl) < 1e-4 * Math.max(1, Math.abs(gl)), `element ${k}: ∂μ ${dMean[k]!.toFixed(5)} vs ${gm.toFixed(5)}, ∂log σ ${dLogStd[k]!.toFixed(5)} vs ${gl.toFixed(5)}`);
  }
});

t.test('λ rises and β_ub falls while the KL is above its target, the reverse below; the barrier keeps β_ub above −1', async (t) => {
  for (const [offset, dir] of [[0.3, 1], [-0.3, -1]] as const) {
    const learner = new OffPolicyLearner(small({ dualLr: 1e-2 }), 3, 2, new Rng(1));
    const { o } = parts(learner);
    t.equal(o.klWeight.value, 1, 'λ₀ = 1');
    t.ok(close(o.optimism.value, -0.5, 1e-12), 'β_ub₀ = −0.5');
    for (let k = 0; k < 20; k++) o.dualStep(0.5 + offset);
    t.ok(Math.sign(o.klWeight.value - 1) === dir, `KL ${0.5 + offset} vs target 0.5: λ ${o.klWeight.value.toFixed(4)} (${dir > 0 ? 'up' : 'down'})`);
    t.ok(Math.sign(o.optimism.value + 0.5) === -dir, `KL ${0.5 + offset}: β_ub ${o.optimism.value.toFixed(4)} (${dir > 0 ? 'down' : 'up'})`);
    t.ok(o.optimism.value > -1, 'β_ub > −β_lb = −1 by its parametrisation');
  }
  // at the KL target the only force is the barrier −min(β_ub, −0.999): it pushes β_ub up from −0.9995
  const learner = new OffPolicyLearner(small({ dualLr: 1e-4, optimism: -0.9995 }), 3, 2, new Rng(1));
  const { o } = parts(learner);
  o.dualStep(0.5);
  t.ok(o.optimism.value > -0.9995, `barrier: β_ub ${o.optimism.value} rose`);
  t.equal(o.klWeight.value, 1, 'λ does not move at the target');
  // the upper bound ascended by π_o is mean + β_ub·spread
  t.ok(close(o.upperBound.value([3, 1]), 2 + o.optimism.value, 1e-12), 'Q_UB = mean + β_ub·spread');
});

/** π_o's loss at its current parameters with the noise fixed (the gradient goes into its store). */
function optimisticLoss(learner: OffPolicyLearner, obs: Float32Array, n: number, eps: Float32Array): { loss: number; kl: number } {
  const { pc, o } = parts(learner);
  return o.grad(obs, n, pc, learner.critics, new Rng(0), eps);
}

t.test("the optimistic actor's gradient matches finite differences of its loss (Q_UB and the KL penalty)", async (t) => {
  const rng = new Rng(21);
  const obsDim = 3;
  const A = 2;
  const n = 16;
  const learner = new OffPolicyLearner(small({ activation: 'tanh', klWeight: 3 }), obsDim, A, rng);
  const { o } = parts(learner);
  randomize(learner.critics.store, rng, 0.5);
  randomize(o.policy.store, rng, 0.4); // away from π_c, so the KL term has a gradient too
  const obs = Float32Array.from({ length: n * obsDim }, () => rng.normal());
  const eps = fillNormal(rng, new Float32Array(n * A));
  const base = optimisticLoss(learner, obs, n, eps);
  t.ok(base.kl > 0.01, `KL ${base.kl.toFixed(4)} away from π_c`);
  const { pc } = parts(learner);
  const mo = o.policy.moments(obs, n);
  const mc = pc.moments(obs, n);
  const klRows = gaussianKl(mo.mean, mo.logStd, mc.mean, mc.logStd, n, A);
  const perDim = klRows.reduce((a, b) => a + b, 0) / n / A;
  t.ok(close(base.kl, perDim, 1e-5), `reported KL_emp = E[KL]/|A| with π_o's unscaled σ: ${base.kl} vs ${perDim}`);
  const st = o.policy.store;
  const grads = st.read('g');
  const params = st.read('p');
  let checked = 0;
  let worst = 0;
  for (let ti = 0; ti < params.length; ti++) {
    for (const idx of [0, Math.floor(params[ti]!.length / 2), params[ti]!.length - 1]) {
      const h = 1e-2;
      const at = (x: number) => {
        const p = params.map((a) => a.slice());
        p[ti]![idx] = x;
        st.write(p);
        return optimisticLoss(learner, obs, n, eps).loss;
      };
      const x0 = params[ti]![idx]!;
      const fd = (at(x0 + h) - at(x0 - h)) / (2 * h);
      const g = grads[ti]![idx]!;
      // the float32 loss (≈ 6e6 here) has a rounding noise ≈ 2⁻²³·|loss| per evaluation, so a central
      // difference resolves a component only to ≈ that / h: the error is relative to the larger of the
      // component and that noise level (which depends on the kernels' rounding: fused or not)
      const noise = (2 ** -23 * Math.abs(base.loss)) / h;
      worst = Math.max(worst, Math.abs(g - fd) / Math.max(0.05, Math.abs(fd), noise));
      checked += 1;
    }
  }
  st.write(params);
  t.ok(worst < 0.05, `${checked} parameters: worst relative error ${worst.toExponential(2)}`);
});

t.test('π_o ascends Q_UB when λ ≈ 0, and the KL pulls it back to π_c on a flat critic', async (t) => {
  const rng = new Rng(4);
  const obsDim = 3;
  const A = 2;
  const n = 64;
  const obs = Float32Array.from({ length: n * obsDim }, () => rng.normal());
  const eps = fillNormal(rng, new Float32Array(n * A));
  {
    const learner = new OffPolicyLearner(small({ klWeight: 1e-6 }), obsDim, A, new Rng(1));
    const { o } = parts(learner);
    randomize(learner.critics.store, rng, 0.5);
    const before = optimisticLoss(learner, obs, n, eps).loss;
    for (let k = 0; k < 20; k++) {
      optimisticLoss(learner, obs, n, eps);
      o.policy.store.adamStep(1e-3, 0.9, 0.999, 1e-8);
    }
    const after = optimisticLoss(learner, obs, n, eps).loss;
    t.ok(after < before - 1e-3, `−E[Q_UB] ${before.toFixed(4)} → ${after.toFixed(4)}`);
  }
  {
    const learner = new OffPolicyLearner(small(), obsDim, A, new Rng(1));
    const { o } = parts(learner);
    constantCritics(learner.critics.store, [1, 2]);
    const last = o.policy.store.shapes.length - 1;
    const p = o.policy.store.read();
    p[last] = p[last]!.map((x) => x + 0.5); // shift π_o's μ and log σ away from π_c
    o.policy.store.write(p);
    const before = optimisticLoss(learner, obs, n, eps).kl;
    for (let k = 0; k < 20; k++) {
      optimisticLoss(learner, obs, n, eps);
      o.policy.store.adamStep(1e-2, 0.9, 0.999, 1e-8);
    }
    const after = optimisticLoss(learner, obs, n, eps).kl;
    t.ok(before > 0.05 && after < 0.5 * before, `KL per dimension ${before.toFixed(4)} → ${after.toFixed(4)}`);
  }
});

const refreshStream = (k: number) => new Rng(7000 + k);

/** Three updates on one batch of 8 random observations (zero actions and rewards): π_o and the duals move. */
function threeUpdates(learner: OffPolicyLearner, obsDim: number, A: number, rng: Rng): void {
  const b = allocBatch(8, obsDim, A);
  b.obs.set(Array.from({ length: 8 * obsDim }, () => rng.normal()));
  b.nextObs.set(Array.from({ length: 8 * obsDim }, () => rng.normal()));
  for (let k = 0; k < 3; k++) learner.update(b, rng);
}

t.test("optimisticInit 'copy': π_o starts as a copy of π_c, explores with σ × 1.25; evaluation is tanh(μ_c); the refresh re-copies and restarts the duals", async (t) => {
  const rng = new Rng(6);
  const obsDim = 3;
  const A = 2;
  const n = 5;
  const learner = new OffPolicyLearner(small({ optimisticRefreshEvery: 100, optimisticInit: 'copy' }), obsDim, A, new Rng(1));
  const { pc, o } = parts(learner);
  t.same(o.policy.store.read(), pc.store.read(), 'π_o = π_c at init');
  t.equal(optimisticLoss(learner, Float32Array.from({ length: n * obsDim }, () => rng.normal()), n, new Float32Array(n * A)).kl, 0, 'KL(π_o ‖ π_c) = 0 at init');
  randomize(o.policy.store, rng, 0.3);
  const obs = Float32Array.from({ length: n * obsDim }, () => rng.normal());
  const r1 = new Rng(11);
  const r2 = new Rng(11);
  const a = learner.act(obs, n, 'explore', r1, new Float32Array(n * A));
  const e = fillNormal(r2, new Float32Array(n * A)).map((x) => 1.25 * x);
  t.same(Array.from(a), Array.from(o.policy.sample(obs, e, n).a), 'explore: tanh(μ_o + 1.25·σ_o·ε)');
  t.same(Array.from(learner.act(obs, n, 'eval', r1, new Float32Array(n * A))), Array.from(pc.mode(obs, n, new Float32Array(n * A))), 'eval: tanh(μ_c)');
  // after updates π_o and the duals have moved; a refresh step restores them
  threeUpdates(learner, obsDim, A, rng);
  t.not(o.optimism.value, -0.5, 'β_ub moved');
  learner.beforeUpdates(150, 1, refreshStream);
  t.notSame(o.policy.store.read(), pc.store.read(), 'no refresh at t = 150');
  learner.beforeUpdates(200, 1, refreshStream);
  t.same(o.policy.store.read(), pc.store.read(), 'refresh at t = 200: π_o ← π_c');
  t.same([o.policy.store.t, o.policy.store.read('m').every((m) => m.every((x) => x === 0))], [0, true], 'fresh Adam moments');
  t.ok(close(o.optimism.value, -0.5, 1e-12) && o.klWeight.value === 1, 'β_ub and λ restart');
});

t.test("dac's default, optimisticInit 'fresh' (DAC's code): π_o is its own random network at the start and at each refresh, drawn from the refresh's stream", async (t) => {
  const rng = new Rng(6);
  const obsDim = 3;
  const A = 2;
  t.equal(AGENT_DEFAULTS.dac.optimisticInit, 'fresh', "dac's default");
  const learner = new OffPolicyLearner(small({ optimisticRefreshEvery: 100 }), obsDim, A, new Rng(1));
  const { pc, o } = parts(learner);
  const start = o.policy.store.read();
  t.notSame(start, pc.store.read(), 'π_o ≠ π_c at init');
  // the same shapes and initialisation: orthogonal weights (WᵀW = gain²·I) and zero biases, as π_c
  const same = new OffPolicyLearner(small({ optimisticRefreshEvery: 100 }), obsDim, A, new Rng(1));
  t.same(parts(same).o.policy.store.read(), start, 'the same init stream gives the same π_o');
  const shapes = o.policy.store.shapes;
  shapes.forEach((s, i) => {
    if (s.length === 1) t.ok(start[i]!.every((x) => x === 0), `tensor ${i}: zero bias`);
  });
  threeUpdates(learner, obsDim, A, rng);
  t.not(o.optimism.value, -0.5, 'β_ub moved');
  const asked: number[] = [];
  learner.beforeUpdates(150, 1, (k) => (asked.push(k), refreshStream(k)));
  t.same(asked, [], 'no refresh at t = 150 (no stream drawn)');
  learner.beforeUpdates(199, 2, (k) => (asked.push(k), refreshStream(k)));
  t.same(asked, [2], 'the vector step covering 199–200 refreshes once, with the stream of refresh 2');
  const fresh = o.policy.initialParams(refreshStream(2));
  t.same(o.policy.store.read(), fresh, 'π_o = a fresh draw from that stream');
  t.notSame(fresh, pc.store.read(), 'not π_c');
  t.notSame(fresh, start, 'not the initial π_o');
  t.same([o.policy.store.t, o.policy.store.read('m').every((m) => m.every((x) => x === 0))], [0, true], 'fresh Adam moments');
  t.ok(close(o.optimism.value, -0.5, 1e-12) && o.klWeight.value === 1, 'β_ub and λ restart');
});

t.test('orthogonal init: WᵀW = gain²·I (√2 hidden and mean head, 1 for the log-std head), zero biases, LayerNorm gain 1', async (t) => {
  const m = orthogonalMatrix(7, 3, 2, new Rng(1));
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
    let dot = 0;
    for (let r = 0; r < 7; r++) dot += m[r * 3 + a]! * m[r * 3 + b]!;
    t.ok(Math.abs(dot - (a === b ? 4 : 0)) < 1e-5, `columns ${a}·${b} = ${dot.toFixed(6)}`);
  }
  const wide = orthogonalMatrix(2, 5, 1, new Rng(2));
  let dot01 = 0;
  let dot00 = 0;
  for (let c = 0; c < 5; c++) {
    dot01 += wide[c]! * wide[5 + c]!;
    dot00 += wide[c]! ** 2;
  }
  t.ok(Math.abs(dot01) < 1e-6 && Math.abs(dot00 - 1) < 1e-6, 'a wide matrix has orthonormal rows');
  const learner = new OffPolicyLearner(small({ actorHidden: [8, 8] }), 5, 2, new Rng(3));
  const { pc } = parts(learner);
  const p = pc.store.read();
  const colNorms = (w: Float32Array, rows: number, cols: number) => Array.from({ length: cols }, (_, c) => Math.sqrt(Array.from({ length: rows }, (_, r) => w[r * cols + c]! ** 2).reduce((x, y) => x + y, 0)));
  const rowNorms = Array.from({ length: 5 }, (_, r) => Math.sqrt(Array.from({ length: 8 }, (_, c) => p[0]![r * 8 + c]! ** 2).reduce((x, y) => x + y, 0)));
  t.ok(rowNorms.every((x) => Math.abs(x - Math.SQRT2) < 1e-5), `first layer 5 × 8 (wide): rows of norm √2: ${rowNorms.map((x) => x.toFixed(4))}`);
  t.ok(colNorms(p[2]!, 8, 8).every((x) => Math.abs(x - Math.SQRT2) < 1e-5), 'second layer 8 × 8: columns of norm √2');
  const head = p[p.length - 2]!; // 8 × 4: mean (2 columns), log σ (2 columns)
  const norms = colNorms(head, 8, 4);
  t.ok(norms.slice(0, 2).every((x) => Math.abs(x - Math.SQRT2) < 1e-5) && norms.slice(2).every((x) => Math.abs(x - 1) < 1e-5), `head column norms ${norms.map((x) => x.toFixed(4))}`);
  t.ok([p[1]!, p[3]!, p[5]!].every((bias) => bias.every((x) => x === 0)), 'biases 0');
  const c = learner.critics.store.read();
  t.ok(c[2]!.every((x) => x === 1) && c[3]!.every((x) => x === 0), 'critic LayerNorm gain 1, bias 0');
});

const ENV = 'Pendulum-v1';
const trainer = (cfg: OffPolicyConfig) => new OffPolicyTrainer(cfg, make(ENV), make(ENV));
const tiny = (seed = 1) => agentConfig('dac', ENV, { seed, totalTimesteps: 600, learningStarts: 100, bufferSize: 1000, batchSize: 32, updatesPerStep: 2, criticHidden: [16, 16], actorHidden: [16, 16], logEvery: 100, evalEvery: 300, evalEpisodes: 1, optimisticRefreshEvery: 200, dualLr: 1e-3 });

function run(tr: OffPolicyTrainer, untilStep = Infinity): OffPolicyRow[] {
  const rows: OffPolicyRow[] = [];
  while (!tr.done && tr.globalStep < untilStep) rows.push(tr.iterate().metrics);
  return rows;
}

t.test('dac: same seed → identical rows with kl, optimism, kl_weight; checkpoint and resume in fresh objects → the same rows', async (t) => {
  const counted = trainer(tiny());
  const refreshes: number[] = [];
  const o = counted.learner.optimistic! as OptimisticActor;
  const refresh = o.refresh.bind(o);
  const seeds = new RunSeeds(1, 'hashed-v1');
  const fromStream: boolean[] = [];
  o.refresh = (pc, rng) => {
    refreshes.push(counted.globalStep);
    refresh(pc, rng);
    const k = refreshes.length;
    fromStream.push(JSON.stringify(o.policy.store.read()) === JSON.stringify(o.policy.initialParams(new Rng(seeds.of(`offpolicy/refresh/${k}`, 0)))));
  };
  const straight = run(counted);
  t.same(refreshes, [201, 401], 'the trainer refreshes π_o at env steps 200 and 400 (0-based t; globalStep is then t + 1)');
  t.same(fromStream, [true, true], "each refresh k draws π_o from the run's stream offpolicy/refresh/k");
  t.same(run(trainer(tiny())), straight, 'two runs agree row by row');
  t.notSame(run(trainer(tiny(2))), straight, 'seed 2 differs');
  const last = straight.at(-1)!;
  for (const k of ['optimistic_actor_loss', 'kl', 'optimism', 'kl_weight'] as const) t.equal(typeof last[k], 'number', `row has ${k}`);
  t.notOk('pessimism' in last, 'no VPL metrics');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvar-dac-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = trainer(tiny());
  const head = run(first, 300);
  const state = JSON.parse(JSON.stringify(first.getState()));
  t.ok(state.learner.stores.optimisticActor && state.learner.optimistic.optimism, 'the state holds π_o and its coefficients');
  saveReplaySegments(first.replay, dir, 128);
  run(first, 400); // goes on past the checkpoint (and a refresh at 400), then dies
  const resumed = trainer(tiny());
  resumed.setState(state);
  loadReplaySegments(resumed.replay, dir, state.replayCount);
  t.same([...head, ...run(resumed)], straight, `resumed rows equal the uninterrupted run's (${straight.length} rows, refreshes at 200 and 400)`);
});

function learn(steps: number, flipTarget: boolean): { before: number; after: number } {
  const cfg = agentConfig('dac', ENV, { seed: 1, totalTimesteps: steps, learningStarts: 1000, bufferSize: 20_000, batchSize: 128, updatesPerStep: 1, criticHidden: [64, 64], actorHidden: [64, 64], qLr: 1e-3, policyLr: 1e-3, logEvery: 1000 });
  return learnWithMutant(cfg, flipTarget);
}

t.test('dac learns Pendulum-v1 in 5000 steps (UTD 1, 64-64 networks); with the TD target’s sign flipped it does not', async (t) => {
  const ok = learn(5000, false);
  t.ok(ok.after > -500 && ok.after > ok.before + 700, `dac: deterministic return ${ok.before.toFixed(0)} → ${ok.after.toFixed(0)}`);
  const bad = learn(5000, true);
  t.ok(bad.after < -1000, `dac with −y: ${bad.before.toFixed(0)} → ${bad.after.toFixed(0)}`);
});
