/**
 * Optimistic exploration with a KL-constrained actor (spec baselines.md §1, §5, §6, §12.5): a
 * conservative actor π_c bootstraps the targets and is evaluated; an optimistic actor π_o collects the
 * data. One component with two modes (`optimisticMode`), which share the upper bound π_o ascends,
 * Q_UB = mean(Q) + β_ub·spread(Q) on the online critics (per quantile on a quantile head, then
 * averaged: the ensemble's `mean-spread` aggregator with β = −β_ub), the diagonal-Gaussian KL to π_c,
 * and the two learned coefficients with KL_emp = E[KL]/|A| taken before π_o's step, each on Adam
 * (dualLr 3e-5, β1 0.5):
 *   β_ub: ∂loss/∂β_ub = KL_emp − KL̄     (KL above target → less optimism)
 *   λ:    ∂loss/∂λ   = −(KL_emp − KL̄)   (KL above target → stronger pull toward π_c)
 *
 * `separate` — DAC (Nauman & Cygan, arXiv 2310.19527; §5 [code]), class OptimisticActor: π_o is a
 *   tanh-Gaussian of π_c's shape, acting with its σ multiplied by m
 *   (`stdMultiplier`, 1.25):
 *     minimise −E[Q_UB(s, a_o)] + min(λ, λ_max)·E[KL(N(μ_o, σ_o) ‖ N(μ_c, σ_c))],
 *     a_o = tanh(μ_o + m·σ_o·ε) reparameterised, σ_o unscaled in the KL, no entropy term;
 *   β_ub = exp(p) − β_lb with loss (β_ub + β_lb)·(KL_emp − KL̄) − min(β_ub, −0.999) (a barrier above −1),
 *   λ = exp(p); every `optimisticRefreshEvery` env steps π_o is re-initialised (fresh Adam moments)
 *   and β_ub, λ restart. How π_o starts and restarts (`optimisticInit`): 'fresh', its own random
 *   network (DAC's code: dac_learner.py creates π_o from its own key, and its
 *   `target_update(actor_c, actor_o_, 0.0)` = π_c·0 + π_o·1 keeps those fresh parameters, at the
 *   start and in `_init_actor_o` at each refresh), or 'copy', π_o ← π_c (the spec §5 table's reading
 *   of that line; pgvar's behaviour before the key existed, so older configs keep it).
 *
 * `shift` — BRO (Nauman et al., NeurIPS 2024; §6 [code] `DualTanhPolicy`), class OptimisticShift: π_o
 *   is a network on [s, μ_c] whose bias-free Dense(|A|) head (orthogonal, gain 0.01) gives a mean
 *   shift Δ: μ_o = μ_c + Δ, σ_o = m·σ_c (m = 0.75, narrower than π_c), (μ_c, σ_c) from the freshly
 *   updated π_c without gradient:
 *     minimise −E[Q_UB(s, a_o)] + min(λ, λ_max)·E[KL(N(μ_o, σ_o/m) ‖ N(μ_c, σ_c))],
 *     a_o = tanh(μ_c + Δ + m·σ_c·ε); since σ_o/m = σ_c the KL is Σ_j Δ_j²/(2σ_c,j²), a pure mean-shift
 *     penalty;
 *   β_ub and λ with BRO's bounded parametrisation log x = −10 + 17.5·½(1 + tanh p) and losses
 *   (β_ub − β)·(KL_emp − KL̄) and −λ·(KL_emp − KL̄): the same gradients as DAC's, without the barrier
 *   (β_ub > 0 by construction); no refresh (BRO re-initialises π_o only in its full resets).
 *   Only π_o's parameters are updated. The head has no bias: the engine's Dense has one, kept at 0
 *   (initialised 0, its gradient zeroed before each step, so Adam and AdamW leave it at exactly 0).
 * What is the same in both: the Q_UB objective, the KL-to-target duals' gradients, Adam lr/β1 of the
 * duals, π_o's optimiser (the actor's: Adam, or AdamW with policyWeightDecay), the update order
 * (after π_c's step, then the duals on the KL before π_o's step), acting with π_o and evaluating π_c.
 */
import { fillNormal, type Rng } from '../common/rng.js';
import type { Arena } from '../nets/engine/arena.js';
import type { EngineNet } from '../nets/engine/engine-net.js';
import type { ParamStore } from '../nets/engine/param-store.js';
import { SHIFT_COEFFICIENT_BOUNDS, type OffPolicyConfig } from './config.js';
import { elementwise, meanMinusBetaSpread, type Aggregator, type CriticEnsemble, type EnsembleAggregator } from './critics.js';
import { Dual, type DualState } from './dual.js';
import { TanhGaussianPolicy } from './policies.js';
import { makeNets, type TrunkSpec } from './trunk.js';

export type OptimisticConfig = Pick<OffPolicyConfig, 'pessimism' | 'optimism' | 'klWeight' | 'klWeightMax' | 'klTarget' | 'stdMultiplier' | 'dualLr' | 'dualBeta1' | 'policyLr' | 'logStdMin' | 'logStdMax'> &
  Partial<Pick<OffPolicyConfig, 'policyOptimizer' | 'policyWeightDecay' | 'optimisticMode' | 'optimisticInit'>>;

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

/**
 * β_ub and λ with their Adam states and the upper bound Q_UB = mean + β_ub·spread, i.e. mean − β·spread
 * with β = −β_ub (`upperBound` on scalars, `upperBoundEnsemble` on head representations). Mode
 * 'separate': DAC's parametrisations and barrier; 'shift': BRO's bounded ones.
 */
export class OptimismDuals {
  optimism!: Dual;
  klWeight!: Dual;
  readonly upperBound: Aggregator;
  readonly upperBoundEnsemble: EnsembleAggregator;

  constructor(readonly config: OptimisticConfig, readonly mode: 'separate' | 'shift') {
    this.restart();
    this.upperBound = meanMinusBetaSpread(() => -this.optimism.value);
    this.upperBoundEnsemble = elementwise(this.upperBound);
  }

  /** Both coefficients back at their initial values with fresh Adam states. */
  restart(): void {
    const c = this.config;
    const [lo, hi] = SHIFT_COEFFICIENT_BOUNDS;
    if (this.mode === 'shift') {
      this.optimism = new Dual(c.optimism, c.dualLr, c.dualBeta1, 0.999, 1e-8, { kind: 'tanh-log', lo, hi });
      this.klWeight = new Dual(c.klWeight, c.dualLr, c.dualBeta1, 0.999, 1e-8, { kind: 'tanh-log', lo, hi });
    } else {
      this.optimism = new Dual(c.optimism, c.dualLr, c.dualBeta1, 0.999, 1e-8, { kind: 'exp', offset: c.pessimism });
      this.klWeight = new Dual(c.klWeight, c.dualLr, c.dualBeta1, 0.999, 1e-8);
    }
  }

  /** The KL weight in π_o's loss: min(λ, klWeightMax). */
  get klCoef(): number {
    return Math.min(this.klWeight.value, this.config.klWeightMax);
  }

  /** β_ub's and λ's steps on KL_emp (per action dimension). */
  step(klEmp: number): void {
    const excess = klEmp - this.config.klTarget;
    // DAC's −min(β_ub, −0.999): its gradient −1 below −0.999 pushes β_ub back above −1
    const barrier = this.mode === 'separate' && this.optimism.value < -0.999 ? 1 : 0;
    this.optimism.step(excess - barrier);
    this.klWeight.step(-excess);
  }

  getState(): OptimisticDualState {
    return { optimism: this.optimism.getState(), klWeight: this.klWeight.getState() };
  }

  setState(s: OptimisticDualState): void {
    this.optimism.setState(s.optimism);
    this.klWeight.setState(s.klWeight);
  }
}

/** What the learner needs of an optimistic actor of either mode. */
export interface OptimisticExplorer {
  readonly mode: 'separate' | 'shift';
  readonly duals: OptimismDuals;
  /** π_o's network and store (checkpoints, resets). */
  readonly store: ParamStore;
  readonly net: EngineNet;
  /** One step of π_o on observations (n rows) after π_c's step; returns its loss and KL_emp before the step. */
  step(obs: Float32Array, n: number, conservative: TanhGaussianPolicy, critics: CriticEnsemble, rng: Rng): OptimisticStats;
  /** β_ub's and λ's steps. */
  dualStep(klEmp: number): void;
  /** Exploration actions in [−1, 1]. */
  act(obs: Float32Array, n: number, rng: Rng, out: Float32Array): Float32Array;
  /** DAC's periodic re-initialisation of π_o (fresh from rng, or a copy of π_c); the shift mode has none. */
  refresh(conservative: TanhGaussianPolicy, rng: Rng): void;
}

/** π_o's optimiser step: the actor's (lr policyLr; Adam, or AdamW with policyWeightDecay). */
function actorOptimizerStep(store: ParamStore, c: OptimisticConfig): void {
  store.adamStep(c.policyLr, 0.9, 0.999, 1e-8, c.policyOptimizer === 'adamw' ? (c.policyWeightDecay ?? 0) : 0);
}

/** DAC's decoupled optimistic actor (mode 'separate'). */
export class OptimisticActor implements OptimisticExplorer {
  readonly mode = 'separate' as const;
  readonly policy: TanhGaussianPolicy;
  readonly duals: OptimismDuals;

  constructor(arena: Arena, readonly obsDim: number, readonly actDim: number, trunk: TrunkSpec, rng: Rng, conservative: TanhGaussianPolicy, readonly config: OptimisticConfig) {
    this.policy = new TanhGaussianPolicy(arena, obsDim, actDim, trunk, rng, config.logStdMin, config.logStdMax);
    this.duals = new OptimismDuals(config, 'separate');
    // 'fresh': the parameters just drawn from rng are π_o's own; 'copy': π_c's
    if (config.optimisticInit !== 'fresh') this.policy.store.write(conservative.store.read('p'));
  }

  get store(): ParamStore {
    return this.policy.store;
  }

  get net(): EngineNet {
    return this.policy.net;
  }

  /** β_ub = exp(p) − β_lb. */
  get optimism(): Dual {
    return this.duals.optimism;
  }

  /** λ = exp(p). */
  get klWeight(): Dual {
    return this.duals.klWeight;
  }

  /** Q_UB = mean + β_ub·spread on scalars. */
  get upperBound(): Aggregator {
    return this.duals.upperBound;
  }

  /**
   * π_o re-initialised: fresh parameters drawn from rng ('fresh', DAC's code) or π_c's ('copy'); Adam
   * moments and step count zeroed (a new optimiser, as DAC's); β_ub and λ restart.
   */
  refresh(conservative: TanhGaussianPolicy, rng: Rng): void {
    const st = this.policy.store;
    st.write(this.config.optimisticInit === 'fresh' ? this.policy.initialParams(rng) : conservative.store.read('p'));
    st.write(st.shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1))), 'm');
    st.write(st.shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1))), 'v');
    st.t = 0;
    this.duals.restart();
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
    const q = critics.actionGrad(obs, smp.a, n, this.duals.upperBoundEnsemble, 1 / n, dA);
    const coef = this.duals.klCoef;
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

  /** One step of π_o with the actor's optimiser. */
  step(obs: Float32Array, n: number, conservative: TanhGaussianPolicy, critics: CriticEnsemble, rng: Rng): OptimisticStats {
    const s = this.grad(obs, n, conservative, critics, rng);
    actorOptimizerStep(this.policy.store, this.config);
    return s;
  }

  dualStep(klEmp: number): void {
    this.duals.step(klEmp);
  }

  /** Exploration: tanh(μ_o + m·σ_o·ε). */
  act(obs: Float32Array, n: number, rng: Rng, out: Float32Array): Float32Array {
    const e = fillNormal(rng, new Float32Array(n * this.actDim));
    for (let k = 0; k < e.length; k++) e[k] = this.config.stdMultiplier * e[k]!;
    out.set(this.policy.sample(obs, e, n).a);
    return out;
  }

  getDualState(): OptimisticDualState {
    return this.duals.getState();
  }

  setDualState(s: OptimisticDualState): void {
    this.duals.setState(s);
  }
}

/** BRO's optimistic shift π_o on top of π_c (mode 'shift'). */
export class OptimisticShift implements OptimisticExplorer {
  readonly mode = 'shift' as const;
  readonly store: ParamStore;
  readonly net: EngineNet;
  readonly duals: OptimismDuals;
  /** Store index of the head's bias, held at 0. */
  private readonly headBias: number;

  /** `trunk`: the actor's (BRO: BroNet 256, 1 block); the network reads [s, μ_c] and writes Δ. */
  constructor(readonly arena: Arena, readonly obsDim: number, readonly actDim: number, trunk: TrunkSpec, rng: Rng, readonly conservative: TanhGaussianPolicy, readonly config: OptimisticConfig) {
    const { store, nets } = makeNets(arena, 1, obsDim + actDim, actDim, trunk, rng, [{ width: actDim, gain: 0.01 }]);
    this.store = store;
    this.net = nets[0]!;
    this.headBias = store.shapes.length - 1;
    this.duals = new OptimismDuals(config, 'shift');
  }

  get optimism(): Dual {
    return this.duals.optimism;
  }

  get klWeight(): Dual {
    return this.duals.klWeight;
  }

  /** Δ(s, μ_c) for n rows (a view of the network's output, valid until its next pass). */
  shift(obs: Float32Array, meanC: Float32Array, n: number): Float32Array {
    const A = this.actDim;
    const D = this.obsDim;
    this.net.outputGrad(n); // size the buffers before taking views
    const x = this.net.input(n);
    for (let i = 0; i < n; i++) {
      x.set(obs.subarray(i * D, (i + 1) * D), i * (D + A));
      x.set(meanC.subarray(i * A, (i + 1) * A), i * (D + A) + D);
    }
    return this.arena.f32(this.net.run(n), n * A);
  }

  /**
   * π_o's loss gradient on observations obs (n rows) into its store; `eps` fixes the noise. Returns
   * the loss and KL_emp at the current parameters.
   */
  grad(obs: Float32Array, n: number, conservative: TanhGaussianPolicy, critics: CriticEnsemble, rng: Rng, eps?: Float32Array): OptimisticStats {
    const A = this.actDim;
    const c = this.config;
    const pc = conservative.moments(obs, n);
    const e = eps ?? fillNormal(rng, new Float32Array(n * A));
    const delta = this.shift(obs, pc.mean, n).slice();
    const muO = new Float32Array(n * A);
    const a = new Float32Array(n * A);
    for (let k = 0; k < n * A; k++) {
      muO[k] = pc.mean[k]! + delta[k]!;
      a[k] = Math.tanh(muO[k]! + c.stdMultiplier * Math.exp(pc.logStd[k]!) * e[k]!);
    }
    const dA = new Float32Array(n * A);
    const q = critics.actionGrad(obs, a, n, this.duals.upperBoundEnsemble, 1 / n, dA);
    const coef = this.duals.klCoef;
    // KL(N(μ_o, σ_c) ‖ N(μ_c, σ_c)) = Σ Δ²/(2σ_c²); its ∂/∂μ_o = coef·Δ/σ_c² lands on Δ
    const dMean = new Float32Array(n * A);
    const kl = gaussianKl(muO, pc.logStd, pc.mean, pc.logStd, n, A, { coef: coef / n, dMean, dLogStd: new Float32Array(n * A) });
    let loss = 0;
    let klMean = 0;
    for (let i = 0; i < n; i++) {
      loss += (-q[i]! + coef * kl[i]!) / n;
      klMean += kl[i]! / n;
    }
    // the backward of the shift's forward above (the critics ran in between on their own networks)
    this.store.zeroGrad();
    const g = this.net.outputGrad(n);
    for (let k = 0; k < n * A; k++) g[k] = dA[k]! * (1 - a[k]! * a[k]!) + dMean[k]!;
    this.net.backward(n);
    this.store.grad(this.headBias).fill(0); // bias-free head
    return { loss, kl: klMean / A };
  }

  step(obs: Float32Array, n: number, conservative: TanhGaussianPolicy, critics: CriticEnsemble, rng: Rng): OptimisticStats {
    const s = this.grad(obs, n, conservative, critics, rng);
    actorOptimizerStep(this.store, this.config);
    return s;
  }

  dualStep(klEmp: number): void {
    this.duals.step(klEmp);
  }

  /** Exploration with π_c's current moments: tanh(μ_c + Δ(s, μ_c) + m·σ_c·ε). */
  act(obs: Float32Array, n: number, rng: Rng, out: Float32Array): Float32Array {
    const A = this.actDim;
    const pc = this.conservative.moments(obs, n);
    const e = fillNormal(rng, new Float32Array(n * A));
    const delta = this.shift(obs, pc.mean, n);
    for (let k = 0; k < n * A; k++) out[k] = Math.tanh(pc.mean[k]! + delta[k]! + this.config.stdMultiplier * Math.exp(pc.logStd[k]!) * e[k]!);
    return out;
  }

  refresh(): void {
    throw new Error("OptimisticShift: BRO's optimistic actor has no periodic refresh (optimisticRefreshEvery must be 0)");
  }

  getDualState(): OptimisticDualState {
    return this.duals.getState();
  }

  setDualState(s: OptimisticDualState): void {
    this.duals.setState(s);
  }
}
