/**
 * The off-policy learner: a critic ensemble, an actor (tanh-Gaussian or deterministic tanh), an
 * optional entropy temperature, and the update that SAC and TD3 are configurations of
 * (spec baselines.md §1–3, §12.11). One gradient update on a minibatch:
 *   1. TD target (no gradient), m = 1 − terminated (truncation bootstraps):
 *        SAC: y = r + γ·m·(agg Q̄(s′, a′) − α log π(a′|s′)), a′ ~ π(·|s′)
 *        TD3: y = r + γ·m·agg Q̄(s′, a′), a′ = clip(μ̄(s′) + clip(N(0, σ_t), −c, c), −1, 1)
 *   2. critics: Σ_k MSE(Q_k(s, a), y), one Adam step over the ensemble;
 *   3. every `policyFrequency` updates, `actorUpdatesPerDelay` actor steps on
 *        SAC: mean(α log π(ã|s) − agg Q(s, ã)), ã ~ π(·|s) reparameterised; then the temperature on a
 *             fresh sample (CleanRL's order);
 *        TD3: −mean(agg Q(s, μ(s)));
 *   4. every `targetNetworkFrequency` updates, Polyak targets (critics, and TD3's target actor).
 * The critics' value head (offpolicy/heads.ts) shapes steps 1–2: a scalar y and MSE, BRO's target
 * quantiles T_j = r + γm(q̄_j − α log π) and QR-Huber, or a categorical target (C51, two-hot,
 * HL-Gauss) and cross-entropy; the aggregators combine the heads' representations and the actor
 * ascends the expectation of the combined one (offpolicy/critics.ts).
 * DAC and BRO (optimisticActor): after step 3, the optimistic actor's step and then β_ub's and λ's
 * (offpolicy/optimistic.ts: DAC's separate π_o, BRO's mean shift); it explores, π_c is evaluated.
 * VPL (learnPessimism): after step 4, one step of the target's β on a validation minibatch
 * (offpolicy/pessimism.ts). The `mean-spread` aggregators read β at each call: config.pessimism, or
 * VPL's learned value.
 * All networks live in one engine arena; Adam is PyTorch's (eps 1e-8), lr per module as CleanRL, or
 * AdamW (decoupled weight decay, BRO/BRC/FastTD3, spec §6, §11) per network (π_o has the
 * actor's). `reset()` re-initialises chosen networks from a fresh construction (offpolicy/resets.ts);
 * π_o resets with the actor (the same tensors, from the fresh learner's π_o: DAC's a copy of its π_c,
 * BRO's a fresh shift network) and β_ub, λ restart with it; VPL's β restarts with the critics.
 * BRC (spec §8): with taskRewardNormalization the minibatch's rewards are divided by their task's
 * return-range denominator at the current α (offpolicy/task-reward-normalizer.ts; the trainer feeds it
 * every env step) before step 1. Multi-task (`tasks` > 1, taskEmbeddingDim > 0): the critics hold a
 * task embedding; critics and actors see states [obs, e(task)] (critics.state), the target critics
 * [obs′, ē(task)] with their own copy; the actor's e is a constant read from the online critic, so
 * the actor's loss never reaches it.
 */
import { fillNormal, type Rng } from '../common/rng.js';
import { Arena } from '../nets/engine/arena.js';
import type { ParamStore } from '../nets/engine/param-store.js';
import { float32FromBase64, toBase64 } from '../nets/serialize.js';
import type { OffPolicyConfig } from './config.js';
import { CriticEnsemble, makeEnsembleAggregator, minByProjectedExpectation, type EnsembleAggregator } from './critics.js';
import { Dual, entropyViolation, type DualState } from './dual.js';
import { makeHead, type ValueHead } from './heads.js';
import { RewardNormalizer, RunningNorm, type RewardNormState, type RunningNormState } from './normalizer.js';
import { TaskRewardNormalizer, type TaskRewardNormalizerState } from './task-reward-normalizer.js';
import { OptimisticActor, OptimisticShift, type OptimisticDualState, type OptimisticExplorer } from './optimistic.js';
import { validationTd } from './pessimism.js';
import { DeterministicTanhPolicy, TanhGaussianPolicy, type Policy } from './policies.js';
import type { Batch } from './replay.js';
import { applyReset, type ResetSpec, type ResettableNets } from './resets.js';
import type { TrunkSpec } from './trunk.js';

export type LearnerConfig = Pick<
  OffPolicyConfig,
  | 'gamma' | 'tau' | 'policyLr' | 'qLr' | 'alphaLr' | 'policyFrequency' | 'actorUpdatesPerDelay' | 'targetNetworkFrequency'
  | 'policy' | 'autotune' | 'alpha' | 'targetEntropyScale' | 'logStdMin' | 'logStdMax' | 'explorationNoise' | 'policyNoise' | 'noiseClip'
  | 'numCritics' | 'criticHidden' | 'actorHidden' | 'activation' | 'criticLayerNorm' | 'criticTrunk' | 'criticBlocks' | 'targetAggregator' | 'actorAggregator'
  | 'init' | 'pessimism' | 'learnPessimism' | 'pessimismMin' | 'pessimismMax' | 'optimisticActor' | 'optimism' | 'klWeight' | 'klWeightMax'
  | 'klTarget' | 'stdMultiplier' | 'dualLr' | 'dualBeta1' | 'optimisticRefreshEvery' | 'optimisticInit'
  | 'qOptimizer' | 'qWeightDecay' | 'policyOptimizer' | 'policyWeightDecay'
> &
  // keys added later: configs written before them take their defaults
  Partial<Pick<OffPolicyConfig, 'actorLastLayerStd' | 'obsNormalization' | 'obsNormEps' | 'rewardNormalization' | 'numEnvs' | 'targetActor' | 'policyPhase' | 'actorTrunk' | 'actorBlocks' | 'valueHead' | 'quantiles' | 'huberKappa' | 'atoms' | 'vMin' | 'vMax' | 'categoricalTarget' | 'hlGaussSigma' | 'c51Edge' | 'optimisticMode' | 'alphaBeta1' | 'taskRewardNormalization' | 'taskEmbeddingDim' | 'updatesPerStep'>>;

/** Metrics only some agents report (a row carries those of its learner's `extraMetrics`). */
export const EXTRA_METRICS = ['optimistic_actor_loss', 'kl', 'optimism', 'kl_weight', 'pessimism', 'val_td_loss'] as const;
export type ExtraMetric = (typeof EXTRA_METRICS)[number];

/** Losses of one update; actor and temperature entries are null when the delay skipped them. */
export interface UpdateStats {
  qf_loss: number;
  qf1_values: number;
  actor_loss: number | null;
  alpha: number | null;
  alpha_loss: number | null;
  /** DAC: π_o's loss and KL(π_o ‖ π_c)/|A| before its step; β_ub and λ after theirs. VPL: β after its step, the validation TD loss before. */
  optimistic_actor_loss?: number | null;
  kl?: number | null;
  optimism?: number | null;
  kl_weight?: number | null;
  pessimism?: number | null;
  val_td_loss?: number | null;
}

interface StoreState {
  /** Adam's step count (of every tensor unless `steps` is given). */
  t: number;
  /** Per-tensor step counts, present only when they differ (after a partial reset). */
  steps?: number[];
  p: string[];
  m: string[];
  v: string[];
}

export interface LearnerState {
  updates: number;
  stores: Record<string, StoreState>;
  alpha: DualState | null;
  /** DAC's or BRO's β_ub and λ. */
  optimistic?: OptimisticDualState | null;
  /** VPL's β. */
  pessimism?: DualState | null;
  /** FastTD3's observation normaliser. */
  obsNorm?: RunningNormState | null;
  /** FastTD3's reward normaliser. */
  rewardNorm?: RewardNormState | null;
  /** BRC's per-task reward normaliser. */
  taskRewardNorm?: TaskRewardNormalizerState | null;
}

const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export class OffPolicyLearner {
  readonly arena = new Arena();
  readonly critics: CriticEnsemble;
  readonly policy: Policy;
  /** The learned temperature (autotune), else null and α = config.alpha. */
  readonly temperature: Dual | null;
  readonly targetEntropy: number;
  readonly head: ValueHead;
  readonly targetAgg: EnsembleAggregator;
  readonly actorAgg: EnsembleAggregator;
  /** DAC's or BRO's optimistic exploration actor, else null. */
  readonly optimistic: OptimisticExplorer | null;
  /** VPL's learned pessimism β, else null (β = config.pessimism). */
  readonly pessimismDual: Dual | null;
  readonly extraMetrics: ExtraMetric[];
  /** FastTD3's running observation normaliser (obsNormalization), else null; the trainer updates it. */
  readonly obsNorm: RunningNorm | null;
  /** FastTD3's reward normaliser (rewardNormalization; |G| capped at min(|vMin|, |vMax|)), else null; the trainer updates it. */
  readonly rewardNorm: RewardNormalizer | null;
  /** BRC's per-task reward normaliser (taskRewardNormalization), else null; the trainer feeds it every env step. */
  readonly taskRewardNorm: TaskRewardNormalizer | null;
  /** Width of the actor's input: obsDim, plus the task embedding's size in a multi-task learner. */
  readonly stateDim: number;
  /** Critic updates so far (drives the policy delay and the target period). */
  updates = 0;

  /** `tasks` > 1: a multi-task learner (obsDim and actDim the largest over the tasks). */
  constructor(readonly config: LearnerConfig, readonly obsDim: number, readonly actDim: number, initRng: Rng, readonly tasks = 1) {
    const c = config;
    const init = c.init === 'orthogonal' ? 'orthogonal' : 'torch'; // configs written before `init` existed: torch
    // configs written before `criticTrunk` existed: an MLP; bronet keeps BRO's own init
    const criticTrunk: TrunkSpec = c.criticTrunk === 'bronet' ? { kind: 'bronet', width: c.criticHidden[0]!, blocks: c.criticBlocks } : { kind: 'mlp', hidden: c.criticHidden, activation: c.activation, layerNorm: c.criticLayerNorm, init };
    const actorTrunk: TrunkSpec = c.actorTrunk === 'bronet' ? { kind: 'bronet', width: c.actorHidden[0]!, blocks: c.actorBlocks ?? 1 } : { kind: 'mlp', hidden: c.actorHidden, activation: c.activation, layerNorm: false, init };
    this.head = makeHead(c);
    this.obsNorm = c.obsNormalization ? new RunningNorm(obsDim, c.obsNormEps ?? 1e-2) : null;
    this.rewardNorm = c.rewardNormalization ? new RewardNormalizer(c.numEnvs ?? 1, c.gamma, Math.min(Math.abs(c.vMin ?? -10), Math.abs(c.vMax ?? 10))) : null;
    const embedDim = c.taskEmbeddingDim ?? 0;
    if (tasks > 1 && embedDim === 0) throw new Error(`OffPolicyLearner: ${tasks} tasks need a task embedding (taskEmbeddingDim > 0)`);
    this.critics = new CriticEnsemble(this.arena, c.numCritics, obsDim, actDim, criticTrunk, initRng, this.head, tasks > 1 ? { tasks, dim: embedDim } : undefined);
    const S = (this.stateDim = this.critics.stateDim);
    this.policy = c.policy === 'tanh-gaussian' ? new TanhGaussianPolicy(this.arena, S, actDim, actorTrunk, initRng, c.logStdMin, c.logStdMax) : new DeterministicTanhPolicy(this.arena, S, actDim, actorTrunk, initRng, c.actorLastLayerStd ?? 0);
    this.temperature = c.policy === 'tanh-gaussian' && c.autotune ? new Dual(c.alpha, c.alphaLr, c.alphaBeta1 ?? ADAM.beta1, ADAM.beta2, ADAM.eps) : null;
    this.targetEntropy = -c.targetEntropyScale * actDim;
    this.taskRewardNorm = c.taskRewardNormalization ? new TaskRewardNormalizer(tasks, tasks * (c.numEnvs ?? 1), c.gamma, c.vMax ?? 10, this.targetEntropy) : null;
    this.pessimismDual = c.learnPessimism ? new Dual(c.pessimism, c.dualLr, c.dualBeta1, ADAM.beta2, ADAM.eps, { kind: 'tanh', lo: c.pessimismMin, hi: c.pessimismMax }) : null;
    this.targetAgg = makeEnsembleAggregator(c.targetAggregator, () => this.beta);
    this.actorAgg = makeEnsembleAggregator(c.actorAggregator, () => this.beta);
    this.optimistic = null;
    if (c.optimisticActor && this.policy.kind === 'tanh-gaussian') {
      this.optimistic = c.optimisticMode === 'shift' ? new OptimisticShift(this.arena, S, actDim, actorTrunk, initRng, this.policy, c) : new OptimisticActor(this.arena, S, actDim, actorTrunk, initRng, this.policy, c);
    }
    this.extraMetrics = [...(this.optimistic ? (['optimistic_actor_loss', 'kl', 'optimism', 'kl_weight'] as const) : []), ...(this.pessimismDual ? (['pessimism', 'val_td_loss'] as const) : [])];
  }

  /** The pessimism β of the `mean-spread` aggregators now. */
  get beta(): number {
    return this.pessimismDual ? this.pessimismDual.value : this.config.pessimism;
  }

  /** The entropy temperature now (0 for deterministic policies). */
  get alpha(): number {
    if (this.policy.kind === 'deterministic') return 0;
    return this.temperature ? this.temperature.value : this.config.alpha;
  }

  /** Step 1: the critics' regression target into y (no gradient): n rows of the head's width (scalar: y itself). */
  tdTarget(b: Batch, rng: Rng, y: Float32Array): Float32Array {
    const { n } = b;
    const q = new Float32Array(n * this.head.outputs);
    let entropyTerm: Float32Array | null = null;
    let a2: Float32Array;
    if (this.policy.kind === 'tanh-gaussian') {
      const smp = this.policy.sampleFrom(b.nextObs, n, rng);
      a2 = smp.a;
      const alpha = this.alpha;
      entropyTerm = smp.lp.map((lp) => alpha * lp);
    } else {
      // FastTD3 has no target actor: its target actions come from the online one (spec §9)
      a2 = this.policy.smoothedTarget(b.nextObs, n, this.config.policyNoise, this.config.noiseClip, rng, new Float32Array(n * this.actDim), this.config.targetActor !== false);
    }
    const s2 = this.critics.targetState(b.nextObs, b.task, n);
    const gamma = b.discount ?? this.config.gamma;
    if (this.targetAgg.name === 'min-by-expectation' && this.head.kind === 'categorical') {
      // FastTD3's CDQ: each member projected, then the one whose projection has the smaller expectation
      const projected = this.critics.targetRepresentations(s2, a2, n).map((p) => this.head.target(p, b.rew, b.terminated, gamma, entropyTerm, n, new Float32Array(n * this.head.outputs)));
      return minByProjectedExpectation(projected, this.head.expectationWeights, n, y);
    }
    this.critics.targetValue(s2, a2, n, this.targetAgg, q);
    return this.head.target(q, b.rew, b.terminated, gamma, entropyTerm, n, y);
  }

  /** Step 2: one optimiser step of the ensemble toward y. */
  criticStep(b: Batch, y: Float32Array): { loss: number; q1Mean: number } {
    const r = this.critics.regressionGrad(b.obs, b.act, y, b.n, b.task);
    const c = this.config;
    optimizerStep(this.critics.store, c.qLr, c.qOptimizer, c.qWeightDecay);
    return r;
  }

  /**
   * Step 3's gradient: zeroes the actor's gradients and adds those of its loss on observations obs
   * (n rows), through the critics' input gradient; `eps` fixes the tanh-Gaussian's noise (else drawn
   * from rng). Returns the loss.
   */
  actorGrad(obs: Float32Array, n: number, rng: Rng, eps?: Float32Array): number {
    const dA = new Float32Array(n * this.actDim);
    let loss = 0;
    if (this.policy.kind === 'tanh-gaussian') {
      const alpha = this.alpha;
      const smp = this.policy.sample(obs, eps ?? fillNormal(rng, new Float32Array(n * this.actDim)), n);
      const q = this.critics.actionGrad(obs, smp.a, n, this.actorAgg, 1 / n, dA);
      for (let i = 0; i < n; i++) loss += (alpha * smp.lp[i]! - q[i]!) / n;
      this.policy.backward(smp, dA, alpha / n);
    } else {
      const a = this.policy.act(obs, n, new Float32Array(n * this.actDim));
      const q = this.critics.actionGrad(obs, a, n, this.actorAgg, 1 / n, dA);
      for (let i = 0; i < n; i++) loss -= q[i]! / n;
      this.policy.backward(a, dA, n);
    }
    return loss;
  }

  /** Step 3: one actor step; returns its loss. */
  actorStep(b: Batch, rng: Rng): number {
    const loss = this.actorGrad(b.obs, b.n, rng);
    const c = this.config;
    optimizerStep(this.policy.store, c.policyLr, c.policyOptimizer, c.policyWeightDecay);
    return loss;
  }

  /** The temperature step on a fresh sample of log π(·|s); returns CleanRL's alpha_loss. */
  temperatureStep(b: Batch, rng: Rng): number | null {
    if (!this.temperature || this.policy.kind !== 'tanh-gaussian') return null;
    const smp = this.policy.sampleFrom(b.obs, b.n, rng);
    return this.temperature.step(entropyViolation(smp.lp, this.targetEntropy));
  }

  /** Step 4: Polyak targets. */
  updateTargets(): void {
    this.critics.polyak(this.config.tau);
    if (this.policy.kind === 'deterministic' && this.config.targetActor !== false) this.policy.polyak(this.config.tau);
  }

  /**
   * Observations as the networks see them: normalised by the running statistics (not updated), or as
   * they are; in a multi-task learner with their task's embedding appended (rows of task[i], all task 0 without).
   */
  normalizeObs(obs: Float32Array, n: number, task?: ArrayLike<number>): Float32Array {
    return this.critics.state(this.obsNorm ? this.obsNorm.normalize(obs, n) : obs, task, n);
  }

  /**
   * A raw minibatch as the update sees it: s and s′ as normalizeObs gives them, r divided by the
   * reward normaliser's divisor (FastTD3's) or by its task's denominator (BRC's) (the batch itself
   * when nothing applies).
   */
  prepareBatch(b: Batch): Batch {
    if (this.obsNorm || this.critics.embedding) b = { ...b, obs: this.normalizeObs(b.obs, b.n, b.task), nextObs: this.normalizeObs(b.nextObs, b.n, b.task) };
    if (this.rewardNorm) b = { ...b, rew: this.rewardNorm.normalize(b.rew, b.n) };
    if (this.taskRewardNorm) b = { ...b, rew: this.taskRewardNorm.normalize(b.rew, b.task, b.n, this.alpha) };
    return b;
  }

  /**
   * VPL: one step of β on the validation TD loss of a held-out minibatch (critics fixed; a′ ~ π(·|s′)
   * from rng); returns the loss before the step.
   */
  pessimismStep(v: Batch, rng: Rng): number | null {
    if (!this.pessimismDual || this.policy.kind !== 'tanh-gaussian') return null;
    const { n } = v;
    const smp = this.policy.sampleFrom(v.nextObs, n, rng);
    const alpha = this.alpha;
    const qTarget = this.critics.values(this.critics.targetState(v.nextObs, v.task, n), smp.a, n, 'target');
    const q = this.critics.values(v.obs, v.act, n, 'online');
    const r = validationTd(q, qTarget, v.rew, v.terminated, smp.lp.map((lp) => alpha * lp), this.config.gamma, this.pessimismDual.value);
    this.pessimismDual.step(r.dBeta);
    return r.loss;
  }

  /**
   * Called by the trainer before the updates of the (vector) env step covering steps t … t + count − 1:
   * DAC's periodic refresh of π_o, when a multiple of its period lies among them. Refresh k (the
   * multiple k·period reached) draws a fresh π_o from `refreshRng(k)`, a seeded stream of its own, so
   * a resumed run refreshes exactly as the uninterrupted one.
   */
  beforeUpdates(t: number, count: number, refreshRng: (k: number) => Rng): void {
    const every = this.config.optimisticRefreshEvery;
    if (!this.optimistic || this.policy.kind !== 'tanh-gaussian' || every <= 0) return;
    const k = Math.floor((t + count - 1) / every); // the last multiple of the period at or before t + count − 1
    if (k >= Math.ceil(t / every)) this.optimistic.refresh(this.policy, refreshRng(k));
  }

  /**
   * One whole gradient update on a minibatch; `rng` supplies every noise draw of the update; `val`,
   * a held-out minibatch, drives VPL's β. `inStep`, the update's index within its env step
   * (0 … updatesPerStep − 1, from the trainer), times the policy delay when updatesPerStep > 1: the
   * actor steps on i % policyFrequency == policyPhase with i restarting each env step (FastTD3's
   * train.py: `i % policy_frequency == 1` over `range(num_updates)`, so UTD 3 gives one actor step per
   * env step); with one update per step (or no inStep) i is the run-wide update count (CleanRL's
   * `global_step % policy_frequency`, FastTD3's even global steps).
   */
  update(raw: Batch, rng: Rng, val?: Batch | null, inStep?: number): UpdateStats {
    const c = this.config;
    const b = this.prepareBatch(raw);
    if (val) val = this.prepareBatch(val);
    const y = this.tdTarget(b, rng, new Float32Array(b.n * this.head.outputs));
    const critic = this.criticStep(b, y);
    const stats: UpdateStats = { qf_loss: critic.loss, qf1_values: critic.q1Mean, actor_loss: null, alpha: null, alpha_loss: null };
    const i = (c.updatesPerStep ?? 1) > 1 && inStep !== undefined ? inStep : this.updates;
    if (i % c.policyFrequency === (c.policyPhase ?? 0)) {
      // multi-task: the actor and α steps read e from the table the critic's step just moved (BRC's
      // update_actor(..., new_critic)); the target copy is untouched until updateTargets
      const ba = this.critics.embedding ? { ...b, obs: this.critics.restate(b.obs, b.task, b.n) } : b;
      for (let k = 0; k < c.actorUpdatesPerDelay; k++) {
        stats.actor_loss = this.actorStep(ba, rng);
        const aLoss = this.temperatureStep(ba, rng);
        if (aLoss !== null) stats.alpha_loss = aLoss;
      }
      if (this.policy.kind === 'tanh-gaussian') stats.alpha = this.alpha;
      if (this.optimistic && this.policy.kind === 'tanh-gaussian') {
        const o = this.optimistic.step(ba.obs, ba.n, this.policy, this.critics, rng);
        this.optimistic.dualStep(o.kl);
        Object.assign(stats, { optimistic_actor_loss: o.loss, kl: o.kl, optimism: this.optimistic.duals.optimism.value, kl_weight: this.optimistic.duals.klWeight.value });
      }
    }
    if (this.updates % c.targetNetworkFrequency === 0) this.updateTargets();
    if (val && this.pessimismDual) {
      stats.val_td_loss = this.pessimismStep(val, rng);
      stats.pessimism = this.pessimismDual.value;
    }
    this.updates += 1;
    return stats;
  }

  /**
   * Actions in [−1, 1] for n observations: 'explore' samples π (SAC) or adds the exploration noise
   * (TD3: explorationNoise, or `noiseStd`, one σ per row: FastTD3's mixed noise); 'eval' is
   * deterministic, tanh(μ(s)). Observations are raw: the normaliser (if any) is applied here.
   */
  act(raw: Float32Array, n: number, mode: 'explore' | 'eval', rng: Rng, out: Float32Array, noiseStd?: ArrayLike<number> | null, task?: ArrayLike<number>): Float32Array {
    const obs = this.normalizeObs(raw, n, task);
    if (mode === 'eval') return this.policy.mode(obs, n, out);
    if (this.optimistic) return this.optimistic.act(obs, n, rng, out);
    if (this.policy.kind === 'deterministic') return this.policy.explore(obs, n, noiseStd ?? this.config.explorationNoise, rng, out);
    out.set(this.policy.sample(obs, fillNormal(rng, new Float32Array(n * this.actDim)), n).a);
    return out;
  }

  /** Every store by name (online and target networks). */
  stores(): Record<string, ParamStore> {
    const s: Record<string, ParamStore> = { critics: this.critics.store, criticTargets: this.critics.targetStore, actor: this.policy.store };
    if (this.policy.kind === 'deterministic') s['actorTarget'] = this.policy.targetStore;
    if (this.optimistic) s['optimisticActor'] = this.optimistic.store;
    return s;
  }

  /**
   * The networks a reset may re-initialise (offpolicy/resets.ts), with their target copies; π_o
   * follows the actor.
   */
  resettable(): Record<'critic' | 'actor', ResettableNets> {
    const optimistic: ResettableNets[] = this.optimistic ? [{ store: this.optimistic.store, nets: [this.optimistic.net], targets: [] }] : [];
    return {
      critic: { store: this.critics.store, nets: this.critics.nets, targets: [this.critics.targetStore], tables: this.critics.embedding ? [this.critics.embedding.tensor] : [] },
      actor: { store: this.policy.store, nets: [this.policy.net], targets: this.policy.kind === 'deterministic' ? [this.policy.targetStore] : [], followers: optimistic },
    };
  }

  /** Learned coefficients that restart with a network: β_ub and λ (DAC, BRO) with the actor, VPL's β with the critics. */
  coefficients(): Record<'critic' | 'actor', Dual[]> {
    return { critic: this.pessimismDual ? [this.pessimismDual] : [], actor: this.optimistic ? [this.optimistic.duals.optimism, this.optimistic.duals.klWeight] : [] };
  }

  /**
   * Re-initialises the spec's networks as a learner freshly built from `rng` has them (parameters,
   * targets, Adam moments and step counts; α and its Adam for 'temperature'; π_o and its β_ub, λ
   * with 'actor'; VPL's β with 'critic'); the rest is untouched.
   */
  reset(spec: ResetSpec, rng: Rng): void {
    applyReset(this, new OffPolicyLearner(this.config, this.obsDim, this.actDim, rng, this.tasks), spec);
  }

  getState(): LearnerState {
    const stores: Record<string, StoreState> = {};
    for (const [name, st] of Object.entries(this.stores())) {
      const uniform = st.steps.every((x) => x === st.steps[0]);
      stores[name] = { t: st.steps[0] ?? 0, ...(uniform ? {} : { steps: [...st.steps] }), p: st.read('p').map(toBase64), m: st.read('m').map(toBase64), v: st.read('v').map(toBase64) };
    }
    const state: LearnerState = { updates: this.updates, stores, alpha: this.temperature?.getState() ?? null };
    if (this.optimistic) state.optimistic = this.optimistic.duals.getState();
    if (this.pessimismDual) state.pessimism = this.pessimismDual.getState();
    if (this.obsNorm) state.obsNorm = this.obsNorm.getState();
    if (this.rewardNorm) state.rewardNorm = this.rewardNorm.getState();
    if (this.taskRewardNorm) state.taskRewardNorm = this.taskRewardNorm.getState();
    return state;
  }

  setState(s: LearnerState): void {
    for (const [name, st] of Object.entries(this.stores())) {
      const saved = s.stores[name];
      if (!saved) throw new Error(`learner state has no store '${name}'`);
      for (const block of ['p', 'm', 'v'] as const) st.write(saved[block].map(float32FromBase64), block);
      if (saved.steps) saved.steps.forEach((x, i) => (st.steps[i] = x));
      else st.t = saved.t;
    }
    this.updates = s.updates;
    if (this.temperature && s.alpha) this.temperature.setState(s.alpha);
    restorePart(this.optimistic?.duals ?? null, s.optimistic, 'optimistic-actor coefficients');
    restorePart(this.pessimismDual, s.pessimism, 'learned pessimism');
    restorePart(this.obsNorm, s.obsNorm, 'observation normaliser');
    restorePart(this.rewardNorm, s.rewardNorm, 'reward normaliser');
    restorePart(this.taskRewardNorm, s.taskRewardNorm, 'per-task reward normaliser');
  }
}

/** Restores a component the learner has (null: it has none) from its saved state, which must be there. */
function restorePart<S>(part: { setState(s: S): void } | null, saved: S | null | undefined, what: string): void {
  if (!part) return;
  if (!saved) throw new Error(`learner state has no ${what}`);
  part.setState(saved);
}

/** One step of a network's optimiser: Adam, or AdamW with decoupled weight decay λ. */
function optimizerStep(store: ParamStore, lr: number, optimizer: 'adam' | 'adamw', weightDecay: number): void {
  store.adamStep(lr, ADAM.beta1, ADAM.beta2, ADAM.eps, optimizer === 'adamw' ? weightDecay : 0);
}
