/**
 * Imagined returns in a discrete-action world model (the WMPG estimator's action values): from B
 * states take the given first actions, then follow the policy (sampled, Gumbel-max from the caller's
 * RNG) for the rest of H model steps, all branches batched (one model and one policy call per step):
 *   Ĝ = Σ_{k<H} γ^k c_k r̂_k + γ^H c_H V(ŝ_H),   c_0 = 1,  c_{k+1} = c_k (1 − d̂_k),
 * where d̂_k is the model's termination probability (expected continuation, no sampled episode end)
 * and V the critic. Ĝ(s, a) estimates Q^π(s, a); with the first action drawn from π it estimates
 * V^π(s) (WMPG's informed baseline).
 */
import type { Rng } from '../common/rng.js';
import type { DiscretePrediction } from './discrete-world-model.js';

/** One imagined step: the state-vector world model, or the latent one on latent states. */
export interface DiscreteStepModel {
  predict(states: Float32Array, actions: Float32Array, n: number): DiscretePrediction;
}

/**
 * What the rollouts follow and bootstrap with: the PPO agent on state vectors, or the latent model's
 * distilled policy and value heads on latents. `sampleNoise` gives n × outDim Gumbel noise for `act`.
 */
export interface ImaginationPolicy {
  readonly outDim: number;
  act(states: Float32Array, n: number, noise: Float32Array): { actions: Float32Array };
  values(states: Float32Array, n: number): Float32Array;
  sampleNoise(n: number, rng: Rng): Float32Array;
}

export interface DiscreteImagineOptions {
  horizon: number;
  gamma: number;
  rng: Rng;
  /**
   * Common random numbers: consecutive groups of this many branches (the actions of one state) draw
   * the same policy noise at every imagined step, so their differences Q̂(s,a) − Q̂(s,a') are not
   * swamped by independent sampling noise. 1 = independent branches.
   */
  sharedNoise?: number;
}

export interface DiscreteImagined {
  returns: Float32Array;
  /** c_H: the probability the branch is still alive after H steps. */
  alive: Float32Array;
}

function sharedNoise(agent: ImaginationPolicy, n: number, group: number, rng: Rng): Float32Array {
  if (group <= 1) return agent.sampleNoise(n, rng);
  if (n % group !== 0) throw new Error(`imaginedReturns: ${n} branches do not split into groups of ${group}`);
  const per = agent.outDim;
  const base = agent.sampleNoise(n / group, rng);
  const out = new Float32Array(n * per);
  for (let b = 0; b < n; b++) out.set(base.subarray(Math.floor(b / group) * per, (Math.floor(b / group) + 1) * per), b * per);
  return out;
}

export function imaginedReturns(model: DiscreteStepModel, agent: ImaginationPolicy, obs0: Float32Array, firstActions: Float32Array, n: number, o: DiscreteImagineOptions): DiscreteImagined {
  if (!Number.isInteger(o.horizon) || o.horizon < 1) throw new Error(`imaginedReturns: horizon must be an integer ≥ 1, got ${o.horizon}`);
  const returns = new Float32Array(n);
  const alive = new Float32Array(n).fill(1);
  let obs = obs0;
  let actions = firstActions;
  let discount = 1;
  for (let k = 0; k < o.horizon; k++) {
    const p = model.predict(obs, actions, n);
    for (let b = 0; b < n; b++) {
      returns[b]! += discount * alive[b]! * p.reward[b]!;
      alive[b]! *= 1 - p.terminal[b]!;
    }
    discount *= o.gamma;
    obs = p.next;
    if (k + 1 < o.horizon) actions = agent.act(obs, n, sharedNoise(agent, n, o.sharedNoise ?? 1, o.rng)).actions;
  }
  const v = agent.values(obs, n);
  for (let b = 0; b < n; b++) returns[b]! += discount * alive[b]! * v[b]!;
  return { returns, alive };
}
