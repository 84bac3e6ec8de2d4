/**
 * The two actor families of the off-policy core (spec baselines.md §1, §12.5). Actions live in
 * [−1, 1]^A; the trainer maps them onto the env's Box bounds (as SB3 stores squashed actions).
 *
 * TanhGaussianPolicy (SAC): one network whose output is [μ | raw log σ]; log σ = lo + (hi − lo)·½(1 +
 * tanh(raw)) (CleanRL: lo = −5, hi = 2; Nauman's codebases −10, 2); reparameterised u = μ + σ·ε,
 * a = tanh(u), and
 *   log π(a|s) = Σ_j [log N(u_j; μ_j, σ_j) − log(1 − tanh²(u_j) + 1e-6)]
 * — the ε-form of the tanh change of variables, as CleanRL and SB3 (PyTorch), not the softplus
 * form of the JAX codebases; it differs from the exact density by at most 1e-6/(1 − a²) per
 * dimension. With ε fixed, log N(u; μ, σ) = −ε²/2 − log σ − ½ log 2π, so its gradient reaches log σ
 * only (and μ, σ through tanh(u)).
 *
 * DeterministicTanhPolicy (TD3): a = tanh(f(s)), a target copy, exploration a + N(0, σ) and target
 * smoothing a′ = clip(μ̄(s′) + clip(N(0, σ_t), −c, c), −1, 1), spec §3.
 */
import { fillNormal, type Rng } from '../common/rng.js';
import type { Arena } from '../nets/engine/arena.js';
import type { EngineNet } from '../nets/engine/engine-net.js';
import type { ParamStore } from '../nets/engine/param-store.js';
import { makeNets, makeTargetNets, polyak, trunkInit, type TrunkSpec } from './trunk.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
export const TANH_EPS = 1e-6;

/** A squashed-Gaussian sample of the actor's last forward pass, with what its backward needs. */
export interface TanhGaussianSample {
  n: number;
  /** n × A actions tanh(u). */
  a: Float32Array;
  /** n log-probabilities (with the tanh correction). */
  lp: Float32Array;
  eps: Float32Array;
  /** μ, log σ, σ and tanh(raw log-σ head), n × A. */
  mean: Float32Array;
  logStd: Float32Array;
  std: Float32Array;
  t: Float32Array;
}

export class TanhGaussianPolicy {
  readonly kind = 'tanh-gaussian' as const;
  readonly store: ParamStore;
  readonly net: EngineNet;

  constructor(readonly arena: Arena, readonly obsDim: number, readonly actDim: number, readonly trunk: TrunkSpec, rng: Rng, readonly logStdMin = -5, readonly logStdMax = 2) {
    const { store, nets } = makeNets(arena, 1, obsDim, 2 * actDim, trunk, rng, this.heads());
    this.store = store;
    this.net = nets[0]!;
  }

  /** orthogonal init: the mean head gain √2, the log-std head gain 1 (spec §5) */
  private heads() {
    return [{ width: this.actDim, gain: Math.SQRT2 }, { width: this.actDim, gain: 1 }];
  }

  /** Parameters of a freshly constructed policy of this shape drawn from rng (the constructor's draws). */
  initialParams(rng: Rng): Float32Array[] {
    return trunkInit(this.obsDim, 2 * this.actDim, this.trunk, rng, this.heads());
  }

  private forward(s: Float32Array, n: number): Float32Array {
    this.net.outputGrad(n); // size the buffers before taking views
    this.net.input(n).set(s.subarray(0, n * this.obsDim));
    return this.arena.f32(this.net.run(n), n * 2 * this.actDim);
  }

  /** Reparameterised sample with standard-normal noise eps (n × A). */
  sample(s: Float32Array, eps: Float32Array, n: number): TanhGaussianSample {
    const A = this.actDim;
    const out = this.forward(s, n);
    const half = 0.5 * (this.logStdMax - this.logStdMin);
    const smp: TanhGaussianSample = { n, a: new Float32Array(n * A), lp: new Float32Array(n), eps, mean: new Float32Array(n * A), logStd: new Float32Array(n * A), std: new Float32Array(n * A), t: new Float32Array(n * A) };
    for (let i = 0; i < n; i++) {
      let l = 0;
      for (let j = 0; j < A; j++) {
        const k = i * A + j;
        const mu = out[i * 2 * A + j]!;
        const th = Math.tanh(out[i * 2 * A + A + j]!);
        const logStd = this.logStdMin + half * (th + 1);
        const sd = Math.exp(logStd);
        const e = eps[k]!;
        const act = Math.tanh(mu + sd * e);
        smp.mean[k] = mu;
        smp.t[k] = th;
        smp.logStd[k] = logStd;
        smp.std[k] = sd;
        smp.a[k] = act;
        l += -0.5 * e * e - logStd - HALF_LOG_2PI - Math.log(1 - act * act + TANH_EPS);
      }
      smp.lp[i] = l;
    }
    return smp;
  }

  /** Draws the noise from rng, then samples. */
  sampleFrom(s: Float32Array, n: number, rng: Rng): TanhGaussianSample {
    return this.sample(s, fillNormal(rng, new Float32Array(n * this.actDim)), n);
  }

  /** The deterministic action tanh(μ) (evaluation: temperature 0). */
  mode(s: Float32Array, n: number, out: Float32Array): Float32Array {
    const A = this.actDim;
    const o = this.forward(s, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < A; j++) out[i * A + j] = Math.tanh(o[i * 2 * A + j]!);
    return out;
  }

  /** The pre-tanh Gaussian's μ and log σ (n × A each), as copies. */
  moments(s: Float32Array, n: number): { mean: Float32Array; logStd: Float32Array } {
    const A = this.actDim;
    const o = this.forward(s, n);
    const half = 0.5 * (this.logStdMax - this.logStdMin);
    const mean = new Float32Array(n * A);
    const logStd = new Float32Array(n * A);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < A; j++) {
        mean[i * A + j] = o[i * 2 * A + j]!;
        logStd[i * A + j] = this.logStdMin + half * (Math.tanh(o[i * 2 * A + A + j]!) + 1);
      }
    }
    return { mean, logStd };
  }

  /**
   * Zeroes the actor's gradients and adds those of a loss L with ∂L/∂a = dA (n × A) and ∂L/∂log π_i
   * = gLp (the same for every row), through the sample `smp` — which must come from the last
   * forward pass of this policy. `dMean` and `dLogStd` (n × A) add gradients that reach μ and log σ
   * directly (DAC's KL penalty). A sample drawn with noise m·ε (σ scaled by m, DAC's optimistic
   * actor) backpropagates correctly through a; its log π is not that of the scaled Gaussian.
   */
  backward(smp: TanhGaussianSample, dA: Float32Array, gLp: number, dMean?: Float32Array, dLogStd?: Float32Array): void {
    const A = this.actDim;
    const n = smp.n;
    const half = 0.5 * (this.logStdMax - this.logStdMin);
    this.store.zeroGrad();
    const g = this.net.outputGrad(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < A; j++) {
        const k = i * A + j;
        const act = smp.a[k]!;
        const oneMinus = 1 - act * act;
        // through the critics, and through −log(1 − a² + ε) of log π
        const dU = (dA[k]! + (gLp * 2 * act) / (oneMinus + TANH_EPS)) * oneMinus;
        // u = μ + σε: ∂u/∂μ = 1, ∂u/∂log σ = σε; and the −log σ of the Gaussian density
        const dLs = dU * smp.eps[k]! * smp.std[k]! - gLp + (dLogStd ? dLogStd[k]! : 0);
        const th = smp.t[k]!;
        g[i * 2 * A + j] = dU + (dMean ? dMean[k]! : 0);
        g[i * 2 * A + A + j] = dLs * half * (1 - th * th);
      }
    }
    this.net.backward(n);
  }
}

export class DeterministicTanhPolicy {
  readonly kind = 'deterministic' as const;
  readonly store: ParamStore;
  readonly net: EngineNet;
  readonly targetStore: ParamStore;
  readonly target: EngineNet;

  /** `lastLayerStd` > 0: the last Linear's weights re-drawn N(0, lastLayerStd²) from rng, its bias 0 (FastTD3's actor: 0.01). */
  constructor(readonly arena: Arena, readonly obsDim: number, readonly actDim: number, trunk: TrunkSpec, rng: Rng, lastLayerStd = 0) {
    const online = makeNets(arena, 1, obsDim, actDim, trunk, rng);
    if (lastLayerStd > 0) {
      const tensors = online.store.read();
      const shapes = online.store.shapes;
      // the last 2-D tensor is the output Linear's weight; the bias follows it
      let w = shapes.length - 1;
      while (shapes[w]!.length !== 2) w -= 1;
      tensors[w] = fillNormal(rng, new Float32Array(tensors[w]!.length)).map((x) => x * lastLayerStd);
      if (w + 1 < tensors.length) tensors[w + 1] = new Float32Array(tensors[w + 1]!.length);
      online.store.write(tensors);
    }
    const target = makeTargetNets(arena, online);
    this.store = online.store;
    this.net = online.nets[0]!;
    this.targetStore = target.store;
    this.target = target.nets[0]!;
  }

  /** tanh(f(s)) of the online (or target) network into out. */
  act(s: Float32Array, n: number, out: Float32Array, useTarget = false): Float32Array {
    const net = useTarget ? this.target : this.net;
    net.outputGrad(n);
    net.input(n).set(s.subarray(0, n * this.obsDim));
    const o = this.arena.f32(net.run(n), n * this.actDim);
    for (let k = 0; k < n * this.actDim; k++) out[k] = Math.tanh(o[k]!);
    return out;
  }

  mode(s: Float32Array, n: number, out: Float32Array): Float32Array {
    return this.act(s, n, out);
  }

  /** μ(s) + N(0, σ), clipped to [−1, 1] (CleanRL's TD3 exploration); σ one number, or one per row (FastTD3's mixed noise). */
  explore(s: Float32Array, n: number, sigma: number | ArrayLike<number>, rng: Rng, out: Float32Array): Float32Array {
    this.act(s, n, out);
    const noise = fillNormal(rng, new Float32Array(n * this.actDim));
    const A = this.actDim;
    for (let k = 0; k < n * A; k++) {
      const sd = typeof sigma === 'number' ? sigma : sigma[Math.floor(k / A)]!;
      out[k] = Math.min(1, Math.max(-1, out[k]! + sd * noise[k]!));
    }
    return out;
  }

  /** Target policy smoothing: clip(μ̄(s′) + clip(σ_t·N(0, 1), −c, c), −1, 1); μ̄ the target actor, or the online one (useTarget false: FastTD3). */
  smoothedTarget(s: Float32Array, n: number, sigma: number, clip: number, rng: Rng, out: Float32Array, useTarget = true): Float32Array {
    this.act(s, n, out, useTarget);
    const noise = fillNormal(rng, new Float32Array(n * this.actDim));
    for (let k = 0; k < n * this.actDim; k++) out[k] = Math.min(1, Math.max(-1, out[k]! + Math.min(clip, Math.max(-clip, sigma * noise[k]!))));
    return out;
  }

  /** Zeroes the actor's gradients and adds those of a loss with ∂L/∂a = dA through a = tanh(f(s)) of the last online forward pass. */
  backward(a: Float32Array, dA: Float32Array, n: number): void {
    this.store.zeroGrad();
    const g = this.net.outputGrad(n);
    for (let k = 0; k < n * this.actDim; k++) g[k] = dA[k]! * (1 - a[k]! * a[k]!);
    this.net.backward(n);
  }

  polyak(tau: number): void {
    polyak(this.targetStore, this.store, tau);
  }
}

export type Policy = TanhGaussianPolicy | DeterministicTanhPolicy;
