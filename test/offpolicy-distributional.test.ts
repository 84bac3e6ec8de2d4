/**
 * Distributional heads' maths (offpolicy/distributional.ts; spec baselines.md §1): the quantile Huber
 * loss against a brute-force reference and finite differences, and quantile regression recovering the
 * known quantiles of a distribution; the C51 projection conserving mass, preserving the mean when
 * nothing is clipped, both edge rules (BRC, FastTD3) on atoms that land exactly on the support, the
 * clip at the support's ends and terminal rows; cross-entropy gradients; two-hot and HL-Gauss.
 */
import t from 'tap';
import { Rng } from '../common/rng.js';
import { categoricalCrossEntropy, categoricalProjection, expectation, huber, hlGauss, quantileFractions, quantileHuberLoss, support, twoHot } from '../offpolicy/distributional.js';

const rng = new Rng(7);
const randn = () => rng.normal();

t.test('quantile Huber loss: brute-force value, finite-difference gradient', async (t) => {
  const [B, N, M] = [3, 5, 4];
  for (const kappa of [1, 0.3]) {
    const q = Float64Array.from({ length: B * N }, () => 2 * randn());
    const T = Float64Array.from({ length: B * M }, () => 2 * randn());
    const { loss, grad } = quantileHuberLoss(q, T, B, N, M, kappa);
    // the definition spelled out: Σ_i mean_j mean_b |τ_i − 1[δ<0]|·h(δ)/κ
    let ref = 0;
    for (let b = 0; b < B; b++)
      for (let i = 0; i < N; i++)
        for (let j = 0; j < M; j++) {
          const d = T[b * M + j]! - q[b * N + i]!;
          const h = Math.abs(d) <= kappa ? 0.5 * d * d : kappa * (Math.abs(d) - 0.5 * kappa);
          ref += (Math.abs((i + 0.5) / N - (d < 0 ? 1 : 0)) * h) / kappa / M / B;
        }
    t.ok(Math.abs(loss - ref) < 1e-12, `κ ${kappa}: loss ${loss} = reference ${ref}`);
    let worst = 0;
    for (let k = 0; k < q.length; k++) {
      const e = 1e-6;
      const up = Float64Array.from(q);
      const dn = Float64Array.from(q);
      up[k] += e;
      dn[k] -= e;
      const fd = (quantileHuberLoss(up, T, B, N, M, kappa).loss - quantileHuberLoss(dn, T, B, N, M, kappa).loss) / (2 * e);
      worst = Math.max(worst, Math.abs(fd - grad[k]!));
    }
    t.ok(worst < 1e-7, `κ ${kappa}: gradient within ${worst.toExponential(1)} of finite differences`);
  }
  t.equal(huber(0.5, 1), 0.125);
  t.equal(huber(-3, 1), 2.5);
  t.same([...quantileFractions(4)], [0.125, 0.375, 0.625, 0.875]);
});

t.test('quantile Huber loss: the sorted-target evaluation equals the definition on ties, exact boundaries and far-off values', async (t) => {
  const brute = (q: Float64Array, T: Float64Array, B: number, N: number, M: number, kappa: number) => {
    let loss = 0;
    const grad = new Float64Array(q.length);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < N; i++)
        for (let j = 0; j < M; j++) {
          const d = T[b * M + j]! - q[b * N + i]!;
          const w = Math.abs((i + 0.5) / N - (d < 0 ? 1 : 0));
          loss += (w * huber(d, kappa)) / kappa / M / B;
          grad[b * N + i] -= (w * (Math.abs(d) <= kappa ? d : kappa * Math.sign(d))) / kappa / M / B;
        }
    return { loss, grad };
  };
  // half the values on a grid of step κ/2 (δ = 0 and |δ| = κ exactly, ties in T), half off it; far
  // from 0 the prefix sums of T² would lose the quadratic runs' digits without the row centring
  const [B, N, M] = [4, 9, 12];
  const value = (offset: number, kappa: number, k: number) => offset + (k % 2 ? (kappa / 2) * Math.round(6 * randn()) : 3 * kappa * randn());
  for (const [offset, kappa] of [[0, 1], [-1e4, 1], [3e5, 0.25]] as const) {
    const q = Float64Array.from({ length: B * N }, (_, k) => value(offset, kappa, k));
    const T = Float64Array.from({ length: B * M }, (_, k) => value(offset, kappa, k));
    const fast = quantileHuberLoss(q, T, B, N, M, kappa);
    const ref = brute(q, T, B, N, M, kappa);
    const gErr = Math.max(...[...fast.grad].map((g, k) => Math.abs(g - ref.grad[k]!)));
    t.ok(Math.abs(fast.loss - ref.loss) < 1e-9 * Math.max(1, ref.loss) && gErr < 1e-9, `offset ${offset}, κ ${kappa}: loss ${fast.loss} vs ${ref.loss}, worst gradient error ${gErr.toExponential(1)}`);
  }
});

t.test('quantile regression recovers the quantiles of a known distribution', async (t) => {
  // targets ~ Exponential(1): the τ-quantile is −log(1 − τ); gradient descent on the loss (small κ ≈ pinball)
  const N = 9;
  const q = new Float64Array(N);
  const M = 256;
  for (let step = 0; step < 3000; step++) {
    const T = Float64Array.from({ length: M }, () => -Math.log(1 - rng.random()));
    const { grad } = quantileHuberLoss(q, T, 1, N, M, 0.05);
    for (let i = 0; i < N; i++) q[i] -= 0.5 * grad[i]!;
  }
  const tau = quantileFractions(N);
  const err = Math.max(...[...q].map((x, i) => Math.abs(x + Math.log(1 - tau[i]!))));
  t.ok(err < 0.12, `largest quantile error ${err.toFixed(3)} (quantiles ${[...q].map((x) => x.toFixed(2)).join(', ')})`);
});

function randomProbs(B: number, K: number): Float64Array {
  const p = Float64Array.from({ length: B * K }, () => rng.random() ** 3);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += p[b * K + k]!;
    for (let k = 0; k < K; k++) p[b * K + k]! /= s;
  }
  return p;
}

t.test('C51 projection: mass conserved, mean preserved without clipping, clip edges, terminal rows', async (t) => {
  const [B, K, vMin, vMax] = [64, 51, -10, 10];
  const probs = randomProbs(B, K);
  const rewards = Float64Array.from({ length: B }, () => 12 * randn());
  const continues = Float64Array.from({ length: B }, (_, b) => (b % 5 === 0 ? 0 : 1));
  const entropy = Float64Array.from({ length: B }, () => 0.3 * randn());
  for (const edge of ['brc', 'fasttd3'] as const) {
    const out = categoricalProjection({ probs, rewards, continues, discount: 0.99, vMin, vMax, entropy, edge });
    let worst = 0;
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += out[b * K + k]!;
      worst = Math.max(worst, Math.abs(s - 1));
    }
    t.ok(worst < 1e-12, `${edge}: every row sums to 1 (worst ${worst.toExponential(1)})`);
    t.ok(out.every((x) => x >= 0), `${edge}: no negative mass`);
  }
  // no clipping (small rewards, a support wide enough): the projected mean is r + γm(E z − entropy)
  const z = support(-100, 100, 101);
  const p2 = randomProbs(8, 101); // support ±100; γ = 0.5 keeps every shifted atom inside it
  const small = Float64Array.from({ length: 8 }, () => randn());
  const cont = Float64Array.from({ length: 8 }, (_, b) => b % 2);
  const ent = Float64Array.from({ length: 8 }, () => 0.5 * randn());
  const proj = categoricalProjection({ probs: p2, rewards: small, continues: cont, discount: 0.5, vMin: -100, vMax: 100, entropy: ent });
  const before = expectation(p2, z);
  const after = expectation(proj, z);
  for (let b = 0; b < 8; b++) t.ok(Math.abs(after[b]! - (small[b]! + 0.5 * cont[b]! * (before[b]! - ent[b]!))) < 1e-9, `row ${b}: mean r + γm(E z − α log π)`);
  // clipped at the ends: a reward beyond vMax puts everything on the last atom
  const high = categoricalProjection({ probs: randomProbs(1, 11), rewards: [50], continues: [1], discount: 0.99, vMin: -5, vMax: 5 });
  t.ok(Math.abs(high[10]! - 1) < 1e-12 && high.slice(0, 10).every((x) => x === 0), 'reward above vMax: all mass on the last atom');
  const low = categoricalProjection({ probs: randomProbs(1, 11), rewards: [-50], continues: [0], discount: 0.99, vMin: -5, vMax: 5 });
  t.ok(Math.abs(low[0]! - 1) < 1e-12 && low.slice(1).every((x) => x === 0), 'below vMin: all on the first atom');
  // terminal row: the next-state distribution is dropped, r itself is two-hot projected
  const term = categoricalProjection({ probs: randomProbs(1, 11), rewards: [1.25], continues: [0], discount: 0.99, vMin: -5, vMax: 5 });
  t.same([...term].map((x) => +x.toFixed(12)), [...twoHot(1.25, support(-5, 5, 11))].map((x) => +x.toFixed(12)), 'terminal: two-hot of r');
});

t.test('C51 projection: an atom landing exactly on the support (l = u), BRC vs FastTD3', async (t) => {
  // support −2..2 (Δ = 1), γ = 1, r = 1: atom z_k moves exactly to z_{k+1}
  const probs = Float64Array.from([0.1, 0.2, 0.3, 0.25, 0.15]);
  const brc = categoricalProjection({ probs, rewards: [1], continues: [1], discount: 1, vMin: -2, vMax: 2, edge: 'brc' });
  t.same([...brc].map((x) => +x.toFixed(12)), [0, 0.1, 0.2, 0.3, 0.4], 'BRC: each atom whole on its new place (the top one clipped onto vMax)');
  const fast = categoricalProjection({ probs, rewards: [1], continues: [1], discount: 1, vMin: -2, vMax: 2, edge: 'fasttd3' });
  t.same([...fast].map((x) => +x.toFixed(12)), [0, 0.1, 0.2, 0.3, 0.4], 'FastTD3: l moved to l − 1 with weight 0: the same distribution');
  // the first atom: r = −2 puts everything at vMin; FastTD3 widens u instead (l = 0)
  const edge0 = categoricalProjection({ probs, rewards: [-4], continues: [1], discount: 1, vMin: -2, vMax: 2, edge: 'fasttd3' });
  t.equal(+edge0[0]!.toFixed(12), 1, 'FastTD3 at l = 0: u moves to 1 and the mass stays on atom 0');
  // a naive projection without either rule loses the mass of exact hits
  let naive = 0;
  for (let k = 0; k < 5; k++) {
    const pos = k + 1 > 4 ? 4 : k + 1;
    const [l, u] = [Math.floor(pos), Math.ceil(pos)];
    naive += probs[k]! * (u - pos) + probs[k]! * (pos - l);
  }
  t.equal(naive, 0, 'without the rule every exact hit would vanish — the case both codebases handle');
});

t.test('cross-entropy gradient; two-hot and HL-Gauss targets', async (t) => {
  const [B, K] = [4, 7];
  const logits = Float64Array.from({ length: B * K }, () => randn());
  const target = randomProbs(B, K);
  const { loss, grad } = categoricalCrossEntropy(logits, target, B);
  let worst = 0;
  for (let i = 0; i < logits.length; i++) {
    const up = Float64Array.from(logits);
    const dn = Float64Array.from(logits);
    up[i] += 1e-6;
    dn[i] -= 1e-6;
    worst = Math.max(worst, Math.abs((categoricalCrossEntropy(up, target, B).loss - categoricalCrossEntropy(dn, target, B).loss) / 2e-6 - grad[i]!));
  }
  t.ok(worst < 1e-8 && loss > 0, `gradient within ${worst.toExponential(1)} of finite differences`);
  const z = support(-3, 3, 13);
  for (const y of [-3, -1.2, 0, 0.7, 2.99]) {
    const th = twoHot(y, z);
    t.ok(Math.abs(th.reduce((a, b) => a + b, 0) - 1) < 1e-12 && Math.abs(expectation(th, z)[0]! - y) < 1e-12, `two-hot of ${y}: mass 1, mean ${y}`);
  }
  const hg = hlGauss(0.3, z, 0.75 * 0.5);
  t.ok(Math.abs(hg.reduce((a, b) => a + b, 0) - 1) < 1e-12, 'HL-Gauss sums to 1');
  t.ok(Math.abs(expectation(hg, z)[0]! - 0.3) < 1e-3, `HL-Gauss mean ${expectation(hg, z)[0]!.toFixed(4)} ≈ 0.3 inside the support`);
  t.throws(() => support(1, 1, 5), /need vMin < vMax/);
});
