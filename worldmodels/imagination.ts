/**
 * Imagination rollouts (MBMA's valuation of extra actions, spec estimators.md §1.7 step 4): from B
 * real states, take the given first actions, then follow the policy for H steps inside a dynamics
 * model, all B branches batched (one model call and one policy call per imagined step). The value
 * of a branch's first action is GAE(γ, λ) over the imagined segment read at step 0:
 *   A = Σ_{k<H} (γλ)^k δ_k,  δ_k = r̂_k + γ V(ŝ_{k+1}) − V(ŝ_k),  ŝ_0 = s, no termination in imagination.
 */
import type { Rng } from '../common/rng.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import type { DynamicsModel } from './dynamics-model.js';

export interface ImagineOptions {
  horizon: number;
  gamma: number;
  lambda: number;
  rng: Rng;
  /** What the env would execute for a policy sample (MBMA clips to [−1, 1]). */
  actionTransform?: (a: Float32Array) => Float32Array;
  /** Policy noise: true samples actions after the first (MBMA); false takes the mode. */
  stochastic?: boolean;
}

export interface Imagined {
  advantages: Float32Array;
  /** Imagined observations per step, (H + 1) × B × D (step 0 = the real states). */
  observations: Float32Array[];
  rewards: Float32Array[];
}

export function imagine(model: DynamicsModel, agent: ActorCritic, obs0: Float32Array, firstActions: Float32Array, n: number, o: ImagineOptions): Imagined {
  const transform = o.actionTransform ?? ((a) => a);
  const values: Float32Array[] = [agent.values(obs0, n)];
  const observations = [obs0];
  const rewards: Float32Array[] = [];
  let obs = obs0;
  let actions = firstActions;
  for (let k = 0; k < o.horizon; k++) {
    const p = model.predict(obs, transform(actions), n);
    rewards.push(p.reward);
    const next = agent.act(p.next, n, o.stochastic === false ? null : agent.sampleNoise(n, o.rng));
    values.push(next.values);
    observations.push(p.next);
    obs = p.next;
    actions = next.actions;
  }
  const advantages = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    let gae = 0;
    for (let k = o.horizon - 1; k >= 0; k--) {
      const delta = rewards[k]![b]! + o.gamma * values[k + 1]![b]! - values[k]![b]!;
      gae = delta + o.gamma * o.lambda * gae;
    }
    advantages[b] = gae;
  }
  return { advantages, observations, rewards };
}
