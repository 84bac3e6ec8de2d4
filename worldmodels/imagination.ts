/**
 * Imagination rollouts (spec estimators.md §1.7 step 4 and §1.9): from B real states, take the given
 * first actions, then follow the policy for H steps inside a dynamics model, all B branches batched
 * (one model call and one policy call per imagined step). GAE(γ, λ) is computed over each imagined
 * segment, no termination in imagination, bootstrapped with the critic at step H:
 *   A_k = Σ_{i≥k} (γλ)^{i−k} δ_i,  δ_i = r̂_i + γ V(ŝ_{i+1}) − V(ŝ_i).
 * MBMA values a first action by A_0; MBPO trains on the imagined (ŝ_k, â_k, A_k) for k ≥ 1.
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
  /** Policy noise: true samples the actions after the first (MBMA); false takes the mode. */
  stochastic?: boolean;
}

export interface Imagined {
  /** A_0 of every branch (the value of its first action). */
  advantages: Float32Array;
  /** Per imagined step k = 0 … H: observations (B × D); step 0 = the real states. */
  observations: Float32Array[];
  /** Per step k = 0 … H − 1: the action taken, its log-prob under the policy (NaN for the given first actions), reward and GAE advantage. */
  actions: Float32Array[];
  logProbs: Float32Array[];
  rewards: Float32Array[];
  stepAdvantages: Float32Array[];
}

export function imagine(model: DynamicsModel, agent: ActorCritic, obs0: Float32Array, firstActions: Float32Array, n: number, o: ImagineOptions): Imagined {
  const transform = o.actionTransform ?? ((a) => a);
  const values: Float32Array[] = [agent.values(obs0, n)];
  const observations: Float32Array[] = [obs0];
  const actions: Float32Array[] = [firstActions];
  const logProbs: Float32Array[] = [new Float32Array(n).fill(NaN)];
  const rewards: Float32Array[] = [];
  let obs = obs0;
  for (let k = 0; k < o.horizon; k++) {
    const p = model.predict(obs, transform(actions[k]!), n);
    rewards.push(p.reward);
    const next = agent.act(p.next, n, o.stochastic === false ? null : agent.sampleNoise(n, o.rng));
    values.push(next.values);
    observations.push(p.next);
    if (k + 1 < o.horizon) {
      actions.push(next.actions);
      logProbs.push(next.logProbs);
    }
    obs = p.next;
  }
  const stepAdvantages = Array.from({ length: o.horizon }, () => new Float32Array(n));
  for (let b = 0; b < n; b++) {
    let gae = 0;
    for (let k = o.horizon - 1; k >= 0; k--) {
      const delta = rewards[k]![b]! + o.gamma * values[k + 1]![b]! - values[k]![b]!;
      gae = delta + o.gamma * o.lambda * gae;
      stepAdvantages[k]![b] = gae;
    }
  }
  return { advantages: stepAdvantages[0]!, observations, actions, logProbs, rewards, stepAdvantages };
}
