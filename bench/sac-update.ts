/**
 * SAC learner cost on the wasm engine: the arithmetic of CleanRL's sac_continuous_action.py update
 * (the peer's `bench_sac` in shared/peers/cleanrl_update_bench.py) with the same shapes: obs 11,
 * act 3, batch 256, two 256-256 ReLU soft-Q critics on concat(s, a) with target copies, a 256-256
 * ReLU actor whose mean and log-std heads are one Linear with 2·act outputs (the same arithmetic as
 * two), log σ = −5 + 3.5·(tanh(raw) + 1), reparameterised sample, tanh squash and the
 * log(1 − a² + 1e-6) correction. Per update, on fresh random data:
 *   1. target y = r + γ(1 − d)(min(Q1ₜ, Q2ₜ)(s', a') − α log π(a'|s')), a' ~ π(s') (no gradient);
 *   2. critic pair: MSE(Q1(s,a), y) + MSE(Q2(s,a), y), backward, Adam over both critics (lr 1e-3);
 *   3. actor: mean(α log π(ã|s) − min(Q1, Q2)(s, ã)), ã ~ π(s), backpropagated through the critics'
 *      input gradient into the actor, Adam (lr 3e-4); the critics' parameter gradients of this pass
 *      are discarded (zeroed before the next critic step);
 *   4. temperature: a fresh sample of log π(·|s), scalar Adam on log α (lr 1e-3), target entropy −act;
 *   5. Polyak averaging of both target critics (τ = 0.005).
 */
import { Rng } from '../common/rng.js';
import { Arena } from '../nets/engine/arena.js';
import { DenseMlp, denseMlpShapes } from '../nets/engine/dense-mlp.js';
import { ParamStore } from '../nets/engine/param-store.js';

export interface SacShape {
  obsDim: number;
  actDim: number;
  hidden: number[];
  batch: number;
}

export const SAC_BENCH_SHAPE: SacShape = { obsDim: 11, actDim: 3, hidden: [256, 256], batch: 256 };

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_STD_MIN = -5;
const LOG_STD_MAX = 2;

/** Fills `out` with standard normals (Box–Muller, both values of each pair used). */
export function fillNormal(rng: Rng, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    let u = 0;
    while (u === 0) u = rng.random();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * rng.random();
    out[i] = r * Math.cos(th);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/** PyTorch's default Linear init: W and b uniform in ±1/√fan_in. */
function torchDefaultInit(shapes: number[][], rng: Rng): Float32Array[] {
  let fanIn = 1;
  return shapes.map((s) => {
    if (s.length === 2) fanIn = s[0]!;
    const bound = 1 / Math.sqrt(fanIn);
    return Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.uniform(-bound, bound));
  });
}

/** A squashed-Gaussian sample of the actor's last forward pass, with what its backward needs. */
export interface ActorSample {
  /** n × act actions tanh(u). */
  a: Float32Array;
  /** n log-probabilities (with the tanh correction). */
  lp: Float32Array;
  eps: Float32Array;
  /** tanh of the raw log-std head and σ, n × act. */
  t: Float32Array;
  std: Float32Array;
}

/** Time spent per phase (ms), summed over updates, when profiling. */
export type SacPhases = Record<'data' | 'target' | 'critic' | 'actor' | 'alpha' | 'polyak', number>;

export class SacEngine {
  readonly arena = new Arena();
  /** Q1 then Q2 (one store: one Adam over both, like the peer's q_opt). */
  readonly critics: ParamStore;
  readonly targets: ParamStore;
  readonly actorStore: ParamStore;
  readonly q1: DenseMlp;
  readonly q2: DenseMlp;
  readonly q1t: DenseMlp;
  readonly q2t: DenseMlp;
  readonly actor: DenseMlp;
  logAlpha = 0;
  private alphaM = 0;
  private alphaV = 0;
  private alphaT = 0;
  readonly gamma = 0.99;
  readonly tau = 0.005;
  readonly qLr = 1e-3;
  readonly actorLr = 3e-4;
  readonly alphaLr = 1e-3;
  readonly targetEntropy: number;
  readonly phases: SacPhases = { data: 0, target: 0, critic: 0, actor: 0, alpha: 0, polyak: 0 };
  profile = false;
  private readonly n: number;
  private readonly buf: { s: Float32Array; a: Float32Array; r: Float32Array; s2: Float32Array; d: Float32Array; eps: Float32Array; y: Float32Array; dq: Float32Array };

  constructor(readonly shape: SacShape, rng: Rng) {
    const { obsDim, actDim, hidden, batch } = shape;
    this.n = batch;
    this.targetEntropy = -actDim;
    const qSizes = [obsDim + actDim, ...hidden, 1];
    const aSizes = [obsDim, ...hidden, 2 * actDim];
    const qShapes = denseMlpShapes(qSizes);
    this.critics = new ParamStore(this.arena, [...qShapes, ...qShapes]);
    this.targets = new ParamStore(this.arena, [...qShapes, ...qShapes]);
    this.actorStore = new ParamStore(this.arena, denseMlpShapes(aSizes));
    this.critics.write([...torchDefaultInit(qShapes, rng), ...torchDefaultInit(qShapes, rng)]);
    this.targets.write(this.critics.read());
    this.actorStore.write(torchDefaultInit(this.actorStore.shapes, rng));
    this.q1 = new DenseMlp(this.arena, this.critics, 0, qSizes, 'relu');
    this.q2 = new DenseMlp(this.arena, this.critics, qShapes.length, qSizes, 'relu');
    this.q1t = new DenseMlp(this.arena, this.targets, 0, qSizes, 'relu');
    this.q2t = new DenseMlp(this.arena, this.targets, qShapes.length, qSizes, 'relu');
    this.actor = new DenseMlp(this.arena, this.actorStore, 0, aSizes, 'relu');
    const n = batch;
    this.buf = {
      s: new Float32Array(n * obsDim),
      a: new Float32Array(n * actDim),
      r: new Float32Array(n),
      s2: new Float32Array(n * obsDim),
      d: new Float32Array(n),
      eps: new Float32Array(n * actDim),
      y: new Float32Array(n),
      dq: new Float32Array(n * actDim),
    };
  }

  get alpha(): number {
    return Math.exp(this.logAlpha);
  }

  /** Writes concat(s, a) (n rows) into a critic's input buffer. */
  private critInput(q: DenseMlp, s: Float32Array, a: Float32Array, n: number): void {
    const { obsDim, actDim } = this.shape;
    const x = q.input(n);
    const w = obsDim + actDim;
    for (let i = 0; i < n; i++) {
      x.set(s.subarray(i * obsDim, (i + 1) * obsDim), i * w);
      x.set(a.subarray(i * actDim, (i + 1) * actDim), i * w + obsDim);
    }
  }

  /** Actor forward on s and a reparameterised squashed-Gaussian sample with noise eps. */
  sample(s: Float32Array, eps: Float32Array, n: number): ActorSample {
    const A = this.shape.actDim;
    this.actor.input(n).set(s.subarray(0, n * this.shape.obsDim));
    const out = this.arena.f32(this.actor.run(n), n * 2 * A);
    const a = new Float32Array(n * A);
    const lp = new Float32Array(n);
    const t = new Float32Array(n * A);
    const std = new Float32Array(n * A);
    for (let i = 0; i < n; i++) {
      let l = 0;
      for (let j = 0; j < A; j++) {
        const k = i * A + j;
        const th = Math.tanh(out[i * 2 * A + A + j]!);
        const logStd = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (th + 1);
        const sd = Math.exp(logStd);
        const e = eps[k]!;
        const act = Math.tanh(out[i * 2 * A + j]! + sd * e);
        t[k] = th;
        std[k] = sd;
        a[k] = act;
        l += -0.5 * e * e - logStd - HALF_LOG_2PI - Math.log(1 - act * act + 1e-6);
      }
      lp[i] = l;
    }
    return { a, lp, eps, t, std };
  }

  /** Step 1: the critics' regression target (no gradient). */
  target(s2: Float32Array, r: Float32Array, d: Float32Array, eps: Float32Array, alpha: number, y: Float32Array, n: number): Float32Array {
    const smp = this.sample(s2, eps, n);
    this.critInput(this.q1t, s2, smp.a, n);
    this.critInput(this.q2t, s2, smp.a, n);
    this.q1t.run(n);
    this.q2t.run(n);
    const o1 = this.q1t.output(n);
    const o2 = this.q2t.output(n);
    for (let i = 0; i < n; i++) y[i] = r[i]! + (1 - d[i]!) * this.gamma * (Math.min(o1[i]!, o2[i]!) - alpha * smp.lp[i]!);
    return y;
  }

  /** Step 2's gradient: zeroes the critics' gradients and adds those of MSE(Q1, y) + MSE(Q2, y); returns the loss. */
  criticGrad(s: Float32Array, a: Float32Array, y: Float32Array, n: number): number {
    this.critics.zeroGrad();
    let loss = 0;
    for (const q of [this.q1, this.q2]) {
      q.outputGrad(n); // allocates on first use: views are taken after it
      this.critInput(q, s, a, n);
      const out = this.arena.f32(q.run(n), n);
      const g = q.outputGrad(n);
      for (let i = 0; i < n; i++) {
        const e = out[i]! - y[i]!;
        loss += (e * e) / n;
        g[i] = (2 * e) / n;
      }
      q.backward(n);
    }
    return loss;
  }

  /**
   * Step 3's gradient: zeroes the actor's gradients and adds those of mean(α log π(ã|s) − min(Q1, Q2)(s, ã)),
   * ã the sample with noise eps, through the critics' input gradient. The critics' parameter gradients
   * are left dirty (criticGrad zeroes them). Returns the loss.
   */
  actorGrad(s: Float32Array, eps: Float32Array, alpha: number, n: number): number {
    const { obsDim, actDim: A } = this.shape;
    // allocations first (growing memory detaches views), then views
    this.q1.outputGrad(n);
    this.q2.outputGrad(n);
    this.actor.outputGrad(n);
    const smp = this.sample(s, eps, n);
    this.critInput(this.q1, s, smp.a, n);
    this.critInput(this.q2, s, smp.a, n);
    const o1 = this.arena.f32(this.q1.run(n), n);
    const o2 = this.arena.f32(this.q2.run(n), n);
    const g1 = this.q1.outputGrad(n);
    const g2 = this.q2.outputGrad(n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const v1 = o1[i]!;
      const v2 = o2[i]!;
      loss += (alpha * smp.lp[i]! - Math.min(v1, v2)) / n;
      // torch.min's gradient: to the smaller, split on ties
      g1[i] = v1 < v2 ? -1 / n : v1 === v2 ? -0.5 / n : 0;
      g2[i] = v2 < v1 ? -1 / n : v1 === v2 ? -0.5 / n : 0;
    }
    // the critics' parameter gradients of this pass would be discarded: input gradients only
    this.q1.backward(n, true, false);
    this.q2.backward(n, true, false);
    const dx1 = this.q1.inputGradient(n);
    const dx2 = this.q2.inputGradient(n);
    const W = obsDim + A;
    const gLp = alpha / n;
    const g = this.actor.outputGrad(n);
    this.actorStore.zeroGrad();
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < A; j++) {
        const k = i * A + j;
        const act = smp.a[k]!;
        const oneMinus = 1 - act * act;
        // dL/da: through the critics, and through −log(1 − a² + 1e-6) of log π
        const dA = dx1[i * W + obsDim + j]! + dx2[i * W + obsDim + j]! + (gLp * 2 * act) / (oneMinus + 1e-6);
        const dU = dA * oneMinus;
        // u = μ + σε: dμ = du; d log σ = du·ε·σ − gLp (the −log σ of the Gaussian density)
        const dLogStd = dU * smp.eps[k]! * smp.std[k]! - gLp;
        const th = smp.t[k]!;
        g[i * 2 * A + j] = dU;
        g[i * 2 * A + A + j] = dLogStd * 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (1 - th * th);
      }
    }
    this.actor.backward(n);
    return loss;
  }

  /** Step 4: scalar Adam (PyTorch's rule, eps 1e-8) on log α with the gradient of mean(−α(log π + H̄)). */
  alphaStep(lp: Float32Array, n: number): void {
    let m = 0;
    for (let i = 0; i < n; i++) m += lp[i]! + this.targetEntropy;
    const grad = -Math.exp(this.logAlpha) * (m / n);
    const b1 = 0.9;
    const b2 = 0.999;
    this.alphaT += 1;
    this.alphaM = b1 * this.alphaM + (1 - b1) * grad;
    this.alphaV = b2 * this.alphaV + (1 - b2) * grad * grad;
    const stepSize = this.alphaLr / (1 - b1 ** this.alphaT);
    const denom = Math.sqrt(this.alphaV) / Math.sqrt(1 - b2 ** this.alphaT) + 1e-8;
    this.logAlpha -= (stepSize * this.alphaM) / denom;
  }

  /** One whole update on fresh random data (the peer draws s, a, r, s' the same way, d = 0). */
  update(rng: Rng): void {
    const n = this.n;
    const b = this.buf;
    const prof = this.profile;
    let t0 = prof ? performance.now() : 0;
    const lap = (phase: keyof SacPhases) => {
      if (!prof) return;
      const t1 = performance.now();
      this.phases[phase] += t1 - t0;
      t0 = t1;
    };
    fillNormal(rng, b.s);
    for (let i = 0; i < b.a.length; i++) b.a[i] = rng.random() * 2 - 1;
    fillNormal(rng, b.r);
    fillNormal(rng, b.s2);
    fillNormal(rng, b.eps);
    lap('data');
    const alpha = this.alpha;
    this.target(b.s2, b.r, b.d, b.eps, alpha, b.y, n);
    lap('target');
    this.criticGrad(b.s, b.a, b.y, n);
    this.critics.adamStep(this.qLr, 0.9, 0.999, 1e-8);
    lap('critic');
    fillNormal(rng, b.eps);
    this.actorGrad(b.s, b.eps, alpha, n);
    this.actorStore.adamStep(this.actorLr, 0.9, 0.999, 1e-8);
    lap('actor');
    fillNormal(rng, b.eps);
    this.alphaStep(this.sample(b.s, b.eps, n).lp, n);
    lap('alpha');
    this.arena.k.polyak(this.targets.p, this.critics.p, this.critics.size, this.tau);
    lap('polyak');
  }
}

/** The peer's protocol: one warm-up round, then `rounds` rounds of `updates` updates; ms per update per round. */
export function benchSacUpdate(rounds = 5, updates = 200, profile = false): Record<string, unknown> {
  const rng = new Rng(0);
  const sac = new SacEngine(SAC_BENCH_SHAPE, rng);
  const out: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    sac.profile = profile && r > 0;
    const t0 = performance.now();
    for (let u = 0; u < updates; u++) sac.update(rng);
    if (r) out.push((performance.now() - t0) / updates);
  }
  const sorted = [...out].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const { obsDim, actDim, batch } = SAC_BENCH_SHAPE;
  const res: Record<string, unknown> = {
    mode: 'sac',
    engine: 'wasm',
    what: `SAC update (critic pair + actor + temperature + Polyak), 256-256 ReLU, obs ${obsDim}, act ${actDim}, batch ${batch}`,
    ms_per_update: out.map((v) => +v.toFixed(3)),
    median_ms: +median.toFixed(3),
  };
  if (profile) res['ms_per_update_by_phase'] = Object.fromEntries(Object.entries(sac.phases).map(([k, v]) => [k, +(v / (rounds * updates)).toFixed(3)]));
  return res;
}
