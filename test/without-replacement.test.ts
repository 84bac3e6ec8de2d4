import t from 'tap';
import { Rng } from '../common/rng.js';
import { gumbelTopK, leaveOneOutLogRatios, log1mexp, logSetProbability, logSoftmax, thresholdWeights, unorderedSetTerms } from '../estimators/without-replacement.js';

/** All k-subsets of 0..n−1. */
function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, cur: number[]) => {
    if (cur.length === k) return void out.push([...cur]);
    for (let i = start; i < n; i++) rec(i + 1, [...cur, i]);
  };
  rec(0, []);
  return out;
}

/** All orderings of a list. */
function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Gradient of E_p[f] w.r.t. the logits: Σ_s p(s) f(s) (e_s − p). */
function trueGradient(p: number[], f: number[]): number[] {
  const ef = p.reduce((a, pi, i) => a + pi * f[i]!, 0);
  return p.map((pi, i) => pi * (f[i]! - ef));
}

/** Σ_i c_i ∇_logits log p(s_i) = Σ_i c_i (e_{s_i} − p). */
function scoreSum(p: number[], items: number[], coef: number[]): number[] {
  const g = p.map(() => 0);
  items.forEach((s, i) => {
    for (let j = 0; j < p.length; j++) g[j]! -= coef[i]! * p[j]!;
    g[s]! += coef[i]!;
  });
  return g;
}

const logits = [0.3, -1.2, 1.1, 0.0, -0.4, 0.7];
const logp = Array.from(logSoftmax(logits));
const p = logp.map(Math.exp);
const f = [2.0, -1.0, 0.5, 3.0, -2.5, 1.0];

t.test('log1mexp matches log(1 − e^x) on both branches', async (t) => {
  for (const x of [-1e-12, -0.1, -0.69, -0.7, -5, -40]) t.ok(Math.abs(log1mexp(x) - Math.log(-Math.expm1(x))) < 1e-12 * Math.max(1, Math.abs(log1mexp(x))), `x = ${x}`);
  t.throws(() => log1mexp(0.5), /x ≤ 0, got 0.5/);
});

t.test('set probability equals the Plackett–Luce sum over orderings, and sums to 1 over sets', async (t) => {
  for (const k of [1, 2, 3, 4, 6]) {
    let total = 0;
    for (const S of subsets(6, k)) {
      const brute = permutations(S).reduce((acc, perm) => {
        let pr = 1;
        let used = 0;
        for (const s of perm) {
          pr *= p[s]! / (1 - used);
          used += p[s]!;
        }
        return acc + pr;
      }, 0);
      const ps = Math.exp(logSetProbability(logp, S));
      t.ok(Math.abs(ps - brute) < 1e-12, `k=${k} S=${S}: ${ps} vs ${brute}`);
      total += ps;
    }
    t.ok(Math.abs(total - 1) < 1e-12, `k=${k}: Σ_S p(S) = ${total}`);
  }
});

t.test('unordered-set estimator with and without its baseline is unbiased (exhaustive enumeration)', async (t) => {
  const g = trueGradient(p, f);
  for (const k of [1, 2, 3, 5, 6]) {
    for (const baseline of [false, true]) {
      const mean = p.map(() => 0);
      let valueEst = 0;
      for (const S of subsets(6, k)) {
        const pS = Math.exp(logSetProbability(logp, S));
        const fS = S.map((s) => f[s]!);
        const terms = unorderedSetTerms(logp, S, fS, baseline);
        const est = scoreSum(p, S, S.map((_, i) => terms.weights[i]! * (fS[i]! - terms.baselines[i]!)));
        est.forEach((v, j) => (mean[j]! += pS * v));
        valueEst += pS * S.reduce((a, _, i) => a + terms.weights[i]! * fS[i]!, 0);
      }
      const err = Math.max(...mean.map((m, j) => Math.abs(m - g[j]!)));
      t.ok(err < 1e-10, `k=${k} baseline=${baseline}: max |E ĝ − ∇| = ${err.toExponential(2)}`);
      const ef = p.reduce((a, pi, i) => a + pi * f[i]!, 0);
      t.ok(Math.abs(valueEst - ef) < 1e-10, `k=${k}: value estimator unbiased`);
    }
    if (k === 1) t.same(Array.from(unorderedSetTerms(logp, [2], [f[2]!], true).baselines), [0], 'k = 1: no built-in baseline (it would be biased)');
  }
});

t.test('with k = |A| the set estimators reduce exactly to the full sum Σ_a ∇p(a) f(a)', async (t) => {
  const all = [0, 1, 2, 3, 4, 5];
  const logR = leaveOneOutLogRatios(logp, all);
  t.ok(logR.every((x) => Math.abs(x) < 1e-12), 'R(D, s) = 1');
  const terms = unorderedSetTerms(logp, all, f, true);
  const ef = p.reduce((a, pi, i) => a + pi * f[i]!, 0);
  t.ok(terms.baselines.every((b) => Math.abs(b - ef) < 1e-12), 'B_s = E_p f for every s');
  const est = scoreSum(p, all, all.map((_, i) => terms.weights[i]! * (f[i]! - terms.baselines[i]!)));
  const g = trueGradient(p, f);
  t.ok(est.every((v, j) => Math.abs(v - g[j]!) < 1e-12), 'USBL = exact gradient');
  const w = thresholdWeights(logp, all, -Infinity);
  t.ok(Array.from(w).every((x, i) => Math.abs(x - p[i]!) < 1e-15), 'IW weights = p when κ = −∞');
});

t.test('Gumbel-top-k: inclusion probabilities and the IW threshold estimator by Monte Carlo', async (t) => {
  const rng = new Rng(7);
  const k = 3;
  const M = 100_000;
  const counts = p.map(() => 0);
  const first = p.map(() => 0);
  const iw = p.map(() => 0);
  const setCounts = new Map<string, number>();
  let distinct = 0;
  for (let m = 0; m < M; m++) {
    const { items, kappa } = gumbelTopK(logp, k, rng);
    if (new Set(items).size === k) distinct += 1;
    items.forEach((s) => (counts[s]! += 1));
    first[items[0]!]! += 1;
    const w = thresholdWeights(logp, items, kappa);
    const est = scoreSum(p, items, items.map((s, i) => w[i]! * f[s]!));
    est.forEach((v, j) => (iw[j]! += v / M));
    const key = [...items].sort().join(',');
    setCounts.set(key, (setCounts.get(key) ?? 0) + 1);
  }
  t.equal(distinct, M, 'every draw has k distinct items');
  // the first item is an ordinary sample from p
  first.forEach((c, i) => t.ok(Math.abs(c / M - p[i]!) < 4 * Math.sqrt((p[i]! * (1 - p[i]!)) / M), `first item ${i}: ${(c / M).toFixed(4)} vs ${p[i]!.toFixed(4)}`));
  // inclusion probability of item i = Σ_{S ∋ i} p(S)
  const incl = p.map(() => 0);
  for (const S of subsets(6, k)) {
    const pS = Math.exp(logSetProbability(logp, S));
    S.forEach((s) => (incl[s]! += pS));
    const freq = (setCounts.get(S.join(',')) ?? 0) / M;
    t.ok(Math.abs(freq - pS) < 4 * Math.sqrt((pS * (1 - pS)) / M) + 1e-4, `set ${S}: ${freq.toFixed(4)} vs ${pS.toFixed(4)}`);
  }
  counts.forEach((c, i) => t.ok(Math.abs(c / M - incl[i]!) < 4 * Math.sqrt((incl[i]! * (1 - incl[i]!)) / M), `inclusion ${i}: ${(c / M).toFixed(4)} vs ${incl[i]!.toFixed(4)}`));
  const g = trueGradient(p, f);
  const err = Math.max(...iw.map((m, j) => Math.abs(m - g[j]!)));
  t.ok(err < 0.01, `IW estimator: max |mean − ∇| = ${err.toFixed(4)} over ${M} samples (|∇|∞ = ${Math.max(...g.map(Math.abs)).toFixed(3)})`);
});

t.test('near-deterministic policies: finite, exact where it must be', async (t) => {
  // one action with probability 1 − 1e−9
  const eps = 1e-9;
  const lp = [Math.log1p(-eps), Math.log(eps / 3), Math.log(eps / 3), Math.log(eps / 3)];
  const pp = lp.map(Math.exp);
  const ff = [1, 5, -3, 2];
  const g = trueGradient(pp, ff);
  for (const k of [1, 2, 3, 4]) {
    const mean = pp.map(() => 0);
    let total = 0;
    for (const S of subsets(4, k)) {
      const lpS = logSetProbability(lp, S);
      t.ok(Number.isFinite(lpS), `log p(S) finite for S = ${S}`);
      const terms = unorderedSetTerms(lp, S, S.map((s) => ff[s]!), true);
      t.ok(terms.weights.every(Number.isFinite) && terms.baselines.every(Number.isFinite), `k=${k} S=${S}: finite terms`);
      const est = scoreSum(pp, S, S.map((s, i) => terms.weights[i]! * (ff[s]! - terms.baselines[i]!)));
      est.forEach((v, j) => (mean[j]! += Math.exp(lpS) * v));
      total += Math.exp(lpS);
      const w = thresholdWeights(lp, S, k < 4 ? Math.log(eps / 3) + 0.5 : -Infinity);
      t.ok(w.every(Number.isFinite), `k=${k}: finite IW weights`);
    }
    t.ok(Math.abs(total - 1) < 1e-9, `k=${k}: Σ p(S) = 1`);
    const err = Math.max(...mean.map((m, j) => Math.abs(m - g[j]!)));
    t.ok(err < 1e-12, `k=${k}: unbiased at 1 − 1e−9 (max err ${err.toExponential(2)}, |∇| ≈ ${Math.max(...g.map(Math.abs)).toExponential(2)})`);
  }
  // sampling from it
  const rng = new Rng(3);
  for (let m = 0; m < 100; m++) {
    const { items, kappa } = gumbelTopK(lp, 2, rng);
    t.ok(thresholdWeights(lp, items, kappa).every(Number.isFinite) && unorderedSetTerms(lp, items, [1, 2]).weights.every(Number.isFinite));
  }
});

t.test('bad input names the value', async (t) => {
  t.throws(() => gumbelTopK([0, -1], 3, new Rng(1)), /k must be an integer in \[1, 2\], got 3/);
});
