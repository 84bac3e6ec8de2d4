/**
 * DAC's decoupled optimistic exploration actor (Nauman & Cygan, arXiv 2310.19527; spec baselines.md §5,
 * the `dac-separate` mode of §12.5). π_o is a tanh-Gaussian of the conservative actor π_c's shape,
 * copied from it at the start; it only collects data, acting with its σ multiplied by m
 * (`stdMultiplier`, 1.25). Each update, after the critics and π_c (spec §5 steps 3 and 5):
 *
 *   π_o:  minimise −E[Q_UB(s, a_o)] + min(λ, λ_max)·E[KL(N(μ_o, σ_o) ‖ N(μ_c, σ_c))],
 *         a_o = tanh(μ_o + m·σ_o·ε) reparameterised, Q_UB = mean(Q) + β_ub·spread(Q) on the online
 *         critics, (μ_c, σ_c) from the freshly updated π_c (no gradient), σ_o unscaled in the KL, no
 *         entropy term;
 *   β_ub: loss (β_ub + β_lb)·(KL_emp − KL̄) − min(β_ub, −0.999), β_ub = exp(p) − β_lb;
 *   λ:    loss −λ·(KL_emp − KL̄), λ = exp(p);
 *
 * with KL_emp = E[KL]/|A| taken before π_o's step, and both coefficients on Adam (lr 3e-5, β1 0.5). KL
 * above its target → less optimism and a stronger pull toward π_c; below → the reverse. Every
 * `optimisticRefreshEvery` env steps π_o is copied from π_c again (with fresh Adam moments) and β_ub, λ
 * restart from their initial values.
 */
import { fillNormal, type Rng } from '../common/rng.js';
import type { Arena } from '../nets/engine/arena.js';
import type { OffPolicyConfig } from './config.js';
import { meanMinusBetaSpread, type Aggregator, type CriticEnsemble } from './critics.js';
import { Dual, type DualState } from './dual.js';
import { TanhGaussianPolicy } from './policies.js';
import type { TrunkSpec } from './trunk.js';

export type OptimisticConfig = Pick<OffPolicyConfig, 'pessimism' | 'optimism' | 'klWeight' | 'klWeightMax' | 'klTarget' | 'stdMultiplier' | 'dualLr' | 'dualBeta1' | 'policyLr' | 'logStdMin' | 'logStdMax'> &
  Partial<Pick<OffPolicyConfig, 'policyOptimizer' | 'policyWeightDecay'>>;

/**
 * KL(N(μ_o, σ_o) ‖ N(μ_c, σ_c)) of diagonal Gaussians, one value per row (spec §1):
 *   Σ_j [log(σ_c/σ_o) + (σ_o² + (μ_o − μ_c)²)/(2σ_c²) − ½].
 * With `grad`, adds coef·∂KL/∂μ_o = coef·(μ_o − μ_c)/σ_c² and coef·∂KL/∂log σ_o = coef·(σ_o²/σ_c² − 1)
 * into grad.dMean and grad.dLogStd (n × A).
 */
export function gaussianKl(muO: Float32Array, logSdO: Float32Array, muC: Float32Array, logSdC: Float32Array, n: number, A: number, grad?: { coef: number; dMean: Float32Array; dLogStd: Float32Array }): Float32Array {
  const kl = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < A; j++) {
      const k = i * A + j;
      const varC = Math.exp(2 * logSdC[k]!);
      const ratio = Math.exp(2 * (logSdO[k]! - logSdC[k]!));
      const d = muO[k]! - muC[k]!;
      s += logSdC[k]! - logSdO[k]! + 0.5 * ratio + (d * d) / (2 * varC) - 0.5;
      if (grad) {
        grad.dMean[k] = grad.dMean[k]! + (grad.coef * d) / varC;
        grad.dLogStd[k] = grad.dLogStd[k]! + grad.coef * (ratio - 1);
      }
    }
    kl[i] = s;
  }
  return kl;
}

export interface OptimisticStats {
  /** π_o's loss and KL_emp = E[KL]/|A|, both before its step. */
  loss: number;
  kl: number;
}

export interface OptimisticDualState {
  optimism: DualState;
  klWeight: DualState;
}

export class OptimisticActor {
  readonly policy: TanhGaussianPolicy;
  /** β_ub = exp(p) − β_lb. */
  optimism: Dual;
  /** λ = exp(p). */
  klWeight: Dual;
  /** Q_UB = mean + β_ub·spread, i.e. mean − β·spread with β = −β_ub. */
  readonly upperBound: Aggregator;

  constructor(arena: Arena, readonly obsDim: number, readonly actDim: number, trunk: TrunkSpec, rng: Rng, conservative: TanhGaussianPolicy, readonly config: OptimisticConfig) {
    this.policy = new TanhGaussianPolicy(arena, obsDim, actDim, trunk, rng, config.logStdMin, config.logStdMax);
    this.optimism = this.newOptimism();
    this.klWeight = this.newKlWeight();
    this.upperBound = meanMinusBetaSpread(() => -this.optimism.value);
    this.refresh(conservative);
  }

  private newOptimism(): Dual {
    const c = this.config;
    return new Dual(c.optimism, c.dualLr, c.dualBeta1, 0.999, 1e-8, { kind: 'exp', offset: c.pessimism });
  }

  private newKlWeight(): Dual {
    const c = this.config;
    return new Dual(c.klWeight, c.dualLr, c.dualBeta1, 0.999, 1e-8);
  }

  /** π_o ← π_c (parameters; Adam moments and step count zeroed, a new optimiser as DAC's), β_ub and λ restart. */
  refresh(conservative: TanhGaussianPolicy): void {
    const st = this.policy.store;
    st.write(conservative.store.read('p'));
    st.write(st.shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1))), 'm');
    st.write(st.shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1))), 'v');
    st.t = 0;
    this.optimism = this.newOptimism();
    this.klWeight = this.newKlWeight();
  }

  /**
   * The gradient of π_o's loss on observations obs (n rows) into its store; `eps` fixes the noise
   * (else drawn from rng). Returns the loss and KL_emp, both at π_o's current parameters.
   */
  grad(obs: Float32Array, n: number, conservative: TanhGaussianPolicy, critics: CriticEnsemble, rng: Rng, eps?: Float32Array): OptimisticStats {
    const A = this.actDim;
    const c = this.config;
    const target = conservative.moments(obs, n);
    const e = eps ?? fillNormal(rng, new Float32Array(n * A));
    const scaled = e.map((x) => c.stdMultiplier * x);
    const smp = this.policy.sample(obs, scaled, n);
    const dA = new Float32Array(n * A);
    const q = critics.actionGrad(obs, smp.a, n, this.upperBound, 1 / n, dA);
    const coef = Math.min(this.klWeight.value, c.klWeightMax);
    const dMean = new Float32Array(n * A);
    const dLogStd = new Float32Array(n * A);
    const kl = gaussianKl(smp.mean, smp.logStd, target.mean, target.logStd, n, A, { coef: coef / n, dMean, dLogStd });
    let loss = 0;
    let klMean = 0;
    for (let i = 0; i < n; i++) {
      loss += (-q[i]! + coef * kl[i]!) / n;
      klMean += kl[i]! / n;
    }
    this.policy.backward(smp, dA, 0, dMean, dLogStd);
    return { loss, kl: klMean / A };
  }

  /** One step of π_o with the actor's optimiser (lr policyLr; Adam, or AdamW with policyWeightDecay). */
  step(obs: Float32Array, n: number, conservative: TanhGaussianPolicy, critics: CriticEnsemble, rng: Rng): OptimisticStats {
    const s = this.grad(obs, n, conservative, critics, rng);
    const c = this.config;
    this.policy.store.adamStep(c.policyLr, 0.9, 0.999, 1e-8, c.policyOptimizer === 'adamw' ? (c.policyWeightDecay ?? 0) : 0);
    return s;
  }

  /** β_ub's and λ's steps on KL_emp (per action dimension). */
  dualStep(klEmp: number): void {
    const excess = klEmp - this.config.klTarget;
    // −min(β_ub, −0.999): its gradient −1 below −0.999 pushes β_ub back above −1
    this.optimism.step(excess - (this.optimism.value < -0.999 ? 1 : 0));
    this.klWeight.step(-excess);
  }

  /** Exploration: tanh(μ_o + m·σ_o·ε). */
  act(obs: Float32Array, n: number, rng: Rng, out: Float32Array): Float32Array {
    const e = fillNormal(rng, new Float32Array(n * this.actDim));
    for (let k = 0; k < e.length; k++) e[k] = this.config.stdMultiplier * e[k]!;
    out.set(this.policy.sample(obs, e, n).a);
    return out;
  }

  getDualState(): OptimisticDualState {
    return { optimism: this.optimism.getState(), klWeight: this.klWeight.getState() };
  }

  setDualState(s: OptimisticDualState): void {
    this.optimism.setState(s.optimism);
    this.klWeight.setState(s.klWeight);
  }
}
