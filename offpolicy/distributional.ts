/**
 * The maths of distributional value heads (spec baselines.md §1): the quantile-regression Huber loss
 * of BRO's quantile critics, the C51 projection of BRC's and FastTD3's categorical critics (with both
 * codebases' handling of an atom that lands exactly on the support), and the scalar-target
 * alternatives two-hot and HL-Gauss. Plain Float64Array arithmetic on one batch, with the gradients
 * the learner needs; the heads that use them are built on the engine's networks.
 *
 * Layouts: per batch row b, quantiles q[b·N + i]; atom probabilities p[b·K + k].
 */
import { jStat } from '../common/jstat.js';

/** Quantile fractions τ_i = (i + ½)/N (BRO: N = 100). */
export function quantileFractions(n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new Error(`quantileFractions: n must be a positive integer, got ${n}`);
  return Float64Array.from({ length: n }, (_, i) => (i + 0.5) / n);
}

/** Huber h(δ) = ½δ² for |δ| ≤ κ, κ(|δ| − ½κ) beyond. */
export function huber(delta: number, kappa: number): number {
  const a = Math.abs(delta);
  return a <= kappa ? 0.5 * delta * delta : kappa * (a - 0.5 * kappa);
}

export interface QuantileLoss {
  loss: number;
  /** ∂loss/∂q, same layout as the predicted quantiles. */
  grad: Float64Array;
}

/**
 * BRO's quantile-regression Huber loss for one critic: predicted quantiles q (B×N) against target
 * quantiles T (B×M, held fixed): ρ_ij = |τ_i − 1[δ_ij < 0]|·h(δ_ij)/κ with δ_ij = T_j − q_i (the
 * indicator is not differentiated), summed over i, averaged over j and over the batch.
 *
 * Evaluated exactly without the N×M loop: per row the targets are sorted, so for each q_i they split
 * into four runs by δ — below −κ (linear, weight 1 − τ), [−κ, 0) (quadratic, 1 − τ), [0, κ]
 * (quadratic, τ), above κ (linear, τ) — found by binary search on the same comparisons the definition
 * makes, and each run's Σρ and Σ∂ρ/∂q follow from prefix sums of T and T² (centred on the row's mean,
 * so the quadratic runs, which lie within κ of q, cancel nothing large). O(B·(M + N)·log M) instead of
 * O(B·N·M); the test checks it against the definition spelled out.
 */
export function quantileHuberLoss(q: Float64Array, target: Float64Array, batch: number, n: number, m: number, kappa = 1): QuantileLoss {
  if (q.length !== batch * n || target.length !== batch * m) throw new Error(`quantileHuberLoss: expected ${batch}×${n} predictions and ${batch}×${m} targets, got ${q.length} and ${target.length}`);
  if (!(kappa > 0)) throw new Error(`quantileHuberLoss: κ must be > 0, got ${kappa}`);
  const tau = quantileFractions(n);
  const grad = new Float64Array(q.length);
  const sorted = new Float64Array(m);
  const p1 = new Float64Array(m + 1); // prefix sums of u = T − c and u² over the sorted targets
  const p2 = new Float64Array(m + 1);
  const scale = 1 / (m * batch * kappa);
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    sorted.set(target.subarray(b * m, (b + 1) * m));
    sorted.sort();
    let c = 0;
    for (let j = 0; j < m; j++) c += sorted[j]!;
    c /= m;
    for (let j = 0; j < m; j++) {
      const u = sorted[j]! - c;
      p1[j + 1] = p1[j]! + u;
      p2[j + 1] = p2[j]! + u * u;
    }
    for (let i = 0; i < n; i++) {
      const qi = q[b * n + i]!;
      const t = tau[i]!;
      // runs by δ = T − q: [0, a) δ < −κ, [a, z) −κ ≤ δ < 0, [z, e) 0 ≤ δ ≤ κ, [e, m) δ > κ;
      // each bound the first index whose δ fails the run's comparison (binary search)
      let lo = 0;
      let hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! - qi < -kappa) lo = mid + 1;
        else hi = mid;
      }
      const a = lo;
      hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! - qi < 0) lo = mid + 1;
        else hi = mid;
      }
      const z = lo;
      hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! - qi <= kappa) lo = mid + 1;
        else hi = mid;
      }
      const e = lo;
      // in the centred coordinates δ = u − v; Σδ over a run = Σu − count·v, Σδ² = Σu² − 2vΣu + count·v²
      const v = qi - c;
      const sA = p1[a]! - a * v;
      const sB = p1[z]! - p1[a]! - (z - a) * v;
      const sC = p1[e]! - p1[z]! - (e - z) * v;
      const sD = p1[m]! - p1[e]! - (m - e) * v;
      const qB = p2[z]! - p2[a]! - 2 * v * (p1[z]! - p1[a]!) + (z - a) * v * v;
      const qC = p2[e]! - p2[z]! - 2 * v * (p1[e]! - p1[z]!) + (e - z) * v * v;
      // h = κ(|δ| − κ/2) on the linear runs, δ²/2 on the quadratic ones (÷κ in `scale`); ∂ρ/∂q = −w·h′(δ)
      const below = kappa * (-sA - (a * kappa) / 2);
      const above = kappa * (sD - ((m - e) * kappa) / 2);
      loss += ((1 - t) * (below + 0.5 * qB) + t * (0.5 * qC + above)) * scale;
      grad[b * n + i] = ((1 - t) * (a * kappa - sB) - t * (sC + (m - e) * kappa)) * scale;
    }
  }
  return { loss, grad };
}

/** The categorical support z_k = vMin + kΔ, Δ = (vMax − vMin)/(K − 1). */
export function support(vMin: number, vMax: number, atoms: number): Float64Array {
  if (!(vMax > vMin) || !Number.isInteger(atoms) || atoms < 2) throw new Error(`support: need vMin < vMax and at least 2 atoms, got [${vMin}, ${vMax}] with ${atoms}`);
  const dz = (vMax - vMin) / (atoms - 1);
  return Float64Array.from({ length: atoms }, (_, k) => vMin + k * dz);
}

/** How an atom that lands exactly on the support (l = u) is kept: BRC adds it to l; FastTD3 widens to a neighbour. */
export type ProjectionEdge = 'brc' | 'fasttd3';

export interface ProjectionInput {
  /** Next-state atom probabilities, B×K (rows sum to 1). */
  probs: Float64Array;
  rewards: ArrayLike<number>;
  /** Continuation masks: 0 on true termination, 1 otherwise (truncation bootstraps). */
  continues: ArrayLike<number>;
  /** γ, or one discount per row (FastTD3 with n-step returns: γ^(effective n) of each row). */
  discount: number | ArrayLike<number>;
  vMin: number;
  vMax: number;
  /** BRC's entropy term: t_k = r + γm(z_k − entropy_b), entropy_b = α log π(a′|s′); omitted = 0. */
  entropy?: ArrayLike<number>;
  edge?: ProjectionEdge;
}

/**
 * C51's projection of the shifted next-state distribution onto the support: t_k = clip(r + γm(z_k −
 * α log π), vMin, vMax), b_k = (t_k − vMin)/Δ, mass p_k·(u − b_k) to atom l = ⌊b_k⌋ and p_k·(b_k − l) to
 * u = ⌈b_k⌉; when l = u, BRC puts the whole p_k on l, FastTD3 moves l down (or u up at the first atom)
 * so the two weights still split it. Mass is conserved either way.
 */
export function categoricalProjection(o: ProjectionInput): Float64Array {
  const batch = o.rewards.length;
  const atoms = o.probs.length / batch;
  if (!Number.isInteger(atoms) || atoms < 2) throw new Error(`categoricalProjection: ${o.probs.length} probabilities do not divide into ${batch} rows of ≥ 2 atoms`);
  if (o.continues.length !== batch || (o.entropy && o.entropy.length !== batch) || (typeof o.discount !== 'number' && o.discount.length !== batch)) throw new Error('categoricalProjection: rewards, continues (and entropy, per-row discounts) must have one value per row');
  const z = support(o.vMin, o.vMax, atoms);
  const dz = (o.vMax - o.vMin) / (atoms - 1);
  const out = new Float64Array(o.probs.length);
  const edge = o.edge ?? 'brc';
  for (let b = 0; b < batch; b++) {
    const shift = (typeof o.discount === 'number' ? o.discount : o.discount[b]!) * o.continues[b]!;
    const ent = o.entropy ? o.entropy[b]! : 0;
    for (let k = 0; k < atoms; k++) {
      const p = o.probs[b * atoms + k]!;
      if (p === 0) continue;
      const t = Math.min(o.vMax, Math.max(o.vMin, o.rewards[b]! + shift * (z[k]! - ent)));
      const pos = (t - o.vMin) / dz;
      let l = Math.floor(pos);
      let u = Math.ceil(pos);
      if (l === u) {
        if (edge === 'brc') {
          out[b * atoms + l] = out[b * atoms + l]! + p;
          continue;
        }
        if (l > 0) l -= 1;
        else u += 1;
      }
      out[b * atoms + l] = out[b * atoms + l]! + p * (u - pos);
      out[b * atoms + u] = out[b * atoms + u]! + p * (pos - l);
    }
  }
  return out;
}

/** Cross-entropy −Σ_k p_k log softmax(logits)_k per row, averaged over rows, and its gradient (softmax − p)/B. */
export function categoricalCrossEntropy(logits: Float64Array, target: Float64Array, batch: number): { loss: number; grad: Float64Array } {
  const atoms = logits.length / batch;
  if (target.length !== logits.length || !Number.isInteger(atoms)) throw new Error(`categoricalCrossEntropy: ${logits.length} logits and ${target.length} targets for ${batch} rows`);
  const grad = new Float64Array(logits.length);
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    let max = -Infinity;
    for (let k = 0; k < atoms; k++) max = Math.max(max, logits[b * atoms + k]!);
    let sum = 0;
    for (let k = 0; k < atoms; k++) sum += Math.exp(logits[b * atoms + k]! - max);
    const logZ = max + Math.log(sum);
    for (let k = 0; k < atoms; k++) {
      const i = b * atoms + k;
      const logp = logits[i]! - logZ;
      loss -= target[i]! * logp;
      grad[i] = (Math.exp(logp) - target[i]!) / batch;
    }
  }
  return { loss: loss / batch, grad };
}

/** The expected value Σ_k p_k z_k of each row (BRC's and FastTD3's Q for the actor and min-by-expectation). */
export function expectation(probs: Float64Array, z: Float64Array): Float64Array {
  const atoms = z.length;
  const batch = probs.length / atoms;
  return Float64Array.from({ length: batch }, (_, b) => {
    let s = 0;
    for (let k = 0; k < atoms; k++) s += probs[b * atoms + k]! * z[k]!;
    return s;
  });
}

/** Two-hot: a scalar y (clipped to the support) split linearly between its two neighbouring atoms. */
export function twoHot(y: number, z: Float64Array): Float64Array {
  const atoms = z.length;
  const out = new Float64Array(atoms);
  const dz = z[1]! - z[0]!;
  const pos = (Math.min(z[atoms - 1]!, Math.max(z[0]!, y)) - z[0]!) / dz;
  const l = Math.min(Math.floor(pos), atoms - 2);
  out[l] = l + 1 - pos;
  out[l + 1] = pos - l;
  return out;
}

/**
 * HL-Gauss: the mass of N(y, σ²) on each bin [e_k, e_{k+1}] around the atoms (edges half a bin beyond
 * the first and last atom), renormalised to the support's range; σ ≈ 0.75 bin widths is the
 * recommendation the spec cites [unverified].
 */
export function hlGauss(y: number, z: Float64Array, sigma: number): Float64Array {
  if (!(sigma > 0)) throw new Error(`hlGauss: σ must be > 0, got ${sigma}`);
  const atoms = z.length;
  const dz = z[1]! - z[0]!;
  const edge = (k: number) => z[0]! - dz / 2 + k * dz;
  const cdf = (x: number) => jStat.normal.cdf(x, y, sigma);
  const total = cdf(edge(atoms)) - cdf(edge(0));
  return Float64Array.from({ length: atoms }, (_, k) => (cdf(edge(k + 1)) - cdf(edge(k))) / total);
}
