/**
 * Value (state, first action) pairs in the real simulator: restore the env snapshot taken before the
 * state's real step, execute the given first action, let the policy continue for H − 1 more steps,
 * and read GAE(γ, λ) over that segment at its first step, bootstrapped with the critic (V(s_H), or
 * V(final obs) on truncation when the run bootstraps truncation, 0 on termination). This is the
 * valuation of the `mc` estimator and of the analysis module's variance decompositions.
 *
 * Branches run in lockstep in chunks of the pool's size, one batched policy call per step. Every
 * simulated step is counted in `pool.steps`.
 */
import type { Rng } from '../common/rng.js';
import type { SimulatorPool } from '../envs/simulator-pool.js';
import type { ActorCritic } from '../nets/actor-critic.js';

export interface BranchRequest {
  /** Env snapshot of each branch's start state. */
  snapshots: unknown[];
  /** Branch → index into `snapshots`. */
  stateOf: Int32Array;
  /** Branch → first action (B × actionDim). */
  actions: Float32Array;
  /** Branch → V(s) of its start state (the GAE baseline at k = 0). */
  baseValues: Float32Array;
  horizon: number;
}

export interface BranchContext {
  agent: ActorCritic;
  gamma: number;
  gaeLambda: number;
  bootstrapTruncation: boolean;
  rng: Rng;
}

/** GAE advantage of each branch's first action (length B). */
export function valueBranches(pool: SimulatorPool, req: BranchRequest, ctx: BranchContext): Float32Array {
  const { agent, gamma, gaeLambda: lambda } = ctx;
  const { horizon: H, stateOf } = req;
  const A = agent.actionDim;
  const D = agent.obsDim;
  const B = stateOf.length;
  const advantages = new Float32Array(B);
  const P = pool.size;
  for (let c0 = 0; c0 < B; c0 += P) {
    const n = Math.min(P, B - c0);
    const rewards: Float64Array[] = [];
    const values: Float64Array[] = [Float64Array.from({ length: n }, (_, b) => req.baseValues[c0 + b]!)];
    const endAt = new Int32Array(n).fill(H); // step index at which the branch stopped
    let action: Float32Array = req.actions.slice(c0 * A, (c0 + n) * A);
    let alive = Array.from({ length: n }, (_, b) => b);
    for (let b = 0; b < n; b++) pool.envs[b]!.setState(req.snapshots[stateOf[c0 + b]!]);
    for (let k = 0; k < H; k++) {
      const rk = new Float64Array(n);
      const vNext = new Float64Array(n);
      const needValue: number[] = [];
      const nextObs: Float32Array[] = [];
      const continuing: number[] = [];
      alive.forEach((b, idx) => {
        const a = agent.kind === 'categorical' ? action[idx]! : action.subarray(idx * A, (idx + 1) * A);
        const res = pool.envs[b]!.step(a);
        pool.steps += 1;
        rk[b] = res.reward;
        if (res.terminated) {
          endAt[b] = k;
          vNext[b] = 0;
        } else if (res.truncated) {
          endAt[b] = k;
          if (ctx.bootstrapTruncation) {
            needValue.push(b);
            nextObs.push(res.obs);
          }
        } else {
          needValue.push(b);
          nextObs.push(res.obs);
          if (k + 1 < H) continuing.push(b);
        }
      });
      if (needValue.length) {
        const flat = new Float32Array(needValue.length * D);
        nextObs.forEach((o, i) => flat.set(o, i * D));
        const out = agent.act(flat, needValue.length, agent.sampleNoise(needValue.length, ctx.rng));
        needValue.forEach((b, i) => (vNext[b] = out.values[i]!));
        // actions of the branches that go on, in `continuing` order (a subsequence of needValue)
        const next = new Float32Array(continuing.length * A);
        let c = 0;
        needValue.forEach((b, i) => {
          if (c < continuing.length && continuing[c] === b) next.set(out.actions.subarray(i * A, (i + 1) * A), c++ * A);
        });
        action = next;
      }
      rewards.push(rk);
      values.push(vNext);
      alive = continuing;
      if (alive.length === 0) break;
    }
    for (let b = 0; b < n; b++) {
      const last = Math.min(endAt[b]!, H - 1);
      let gae = 0;
      for (let k = last; k >= 0; k--) {
        const delta = rewards[k]![b]! + gamma * values[k + 1]![b]! - values[k]![b]!;
        gae = delta + gamma * lambda * gae;
      }
      advantages[c0 + b] = gae;
    }
  }
  return advantages;
}
