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
 * The networks and the update steps are the off-policy core's (offpolicy/learner.ts with the `sac`
 * agent's CleanRL defaults); this file only draws the peer's random data and times each step.
 */
import { fillNormal, Rng } from '../common/rng.js';
import { AGENT_DEFAULTS } from '../offpolicy/agents.js';
import { OffPolicyLearner, type LearnerConfig } from '../offpolicy/learner.js';
import { allocBatch, type Batch } from '../offpolicy/replay.js';

export interface SacShape {
  obsDim: number;
  actDim: number;
  hidden: number[];
  batch: number;
}

export const SAC_BENCH_SHAPE: SacShape = { obsDim: 11, actDim: 3, hidden: [256, 256], batch: 256 };

/** The `sac` agent's learner for a shape (hidden widths for actor and critics); `overrides` e.g. a fixed α. */
export function sacLearner(shape: SacShape, rng: Rng, overrides: Partial<LearnerConfig> = {}): OffPolicyLearner {
  return new OffPolicyLearner({ ...AGENT_DEFAULTS.sac, criticHidden: shape.hidden, actorHidden: shape.hidden, ...overrides }, shape.obsDim, shape.actDim, rng);
}

/** Time spent per phase (ms), summed over updates, when profiling. */
export type SacPhases = Record<'data' | 'target' | 'critic' | 'actor' | 'alpha' | 'polyak', number>;

/** The peer's update: every step every time (no policy delay), on fresh random data with d = 0. */
export class SacBench {
  readonly learner: OffPolicyLearner;
  readonly phases: SacPhases = { data: 0, target: 0, critic: 0, actor: 0, alpha: 0, polyak: 0 };
  profile = false;
  private readonly b: Batch;
  private readonly y: Float32Array;

  constructor(readonly shape: SacShape, rng: Rng) {
    this.learner = sacLearner(shape, rng);
    this.b = allocBatch(shape.batch, shape.obsDim, shape.actDim);
    this.y = new Float32Array(shape.batch);
  }

  update(rng: Rng): void {
    const { b, learner } = this;
    let t0 = this.profile ? performance.now() : 0;
    const lap = (phase: keyof SacPhases) => {
      if (!this.profile) return;
      const t1 = performance.now();
      this.phases[phase] += t1 - t0;
      t0 = t1;
    };
    fillNormal(rng, b.obs);
    for (let i = 0; i < b.act.length; i++) b.act[i] = rng.random() * 2 - 1;
    fillNormal(rng, b.rew);
    fillNormal(rng, b.nextObs);
    lap('data');
    learner.tdTarget(b, rng, this.y);
    lap('target');
    learner.criticStep(b, this.y);
    lap('critic');
    learner.actorStep(b, rng);
    lap('actor');
    learner.temperatureStep(b, rng);
    lap('alpha');
    learner.updateTargets();
    lap('polyak');
  }
}

/** The peer's protocol: one warm-up round, then `rounds` rounds of `updates` updates; ms per update per round. */
export function benchSacUpdate(rounds = 5, updates = 200, profile = false): Record<string, unknown> {
  const rng = new Rng(0);
  const sac = new SacBench(SAC_BENCH_SHAPE, rng);
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
