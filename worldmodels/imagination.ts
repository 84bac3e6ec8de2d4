/**
 * Imagination rollouts (spec estimators.md §1.7 step 4 and §1.9): from B real states, take the given
 * first actions, then follow the policy for H steps inside a dynamics model, all B branches batched
 * (one model call and one policy call per imagined step). GAE(γ, λ) is computed over each imagined
 * segment, bootstrapped with the critic at step H:
 *   A_k = Σ_{i≥k} (γλ)^{i−k} (Π_{k≤j<i} c_j) δ_i,  δ_i = r̂_i + γ c_i V(ŝ_{i+1}) − V(ŝ_i),
 * where c_i = 1 − P(the transition at step i ends the episode). Models without a termination head
 * (MBMA's, on DMC) give c ≡ 1: no termination in imagination, as in the released code. With a
 * termination head the rewards and the bootstrap are weighted by the predicted probability of still
 * being alive (expected continuation), so with exact dynamics a branch that ends at step k gets the
 * real segment's GAE with V = 0 after the end.
 *
 * The model may live in its own coordinates (raw observations and rewards, issue 15 item 3):
 * `toAgentObs`/`toAgentReward` map its outputs into what the policy and critic see (the env stack's
 * current normalisation and clips). Every imagined observation, reward and termination probability is
 * checked: a diverging model is reported by name, imagined step and quantity.
 * MBMA values a first action by A_0; MBPO trains on the imagined (ŝ_k, â_k, A_k) for k ≥ 1.
 */
import { NonFiniteError, firstNonFinite } from '../common/errors.js';
import type { Rng } from '../common/rng.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import type { DynamicsModel } from './dynamics-model.js';

export interface ImagineOptions {
  horizon: number;
  gamma: number;
  lambda: number;
  rng: Rng;
  /** What the env would execute for a policy sample (clipped to the action space's bounds). */
  actionTransform?: (a: Float32Array) => Float32Array;
  /** Policy noise: true samples the actions after the first (MBMA); false takes the mode. */
  stochastic?: boolean;
  /** The branch starts in the model's coordinates, when they are not `obs0` (raw observations). */
  modelObs0?: Float32Array;
  /** Model observations (B × D) → the agent's inputs. Identity when absent. */
  toAgentObs?: (modelObs: Float32Array) => Float32Array;
  /** Model rewards (B) → the agent's reward scale. Identity when absent. */
  toAgentReward?: (modelRewards: Float32Array) => Float32Array;
  /** Who owns the model, for error messages (e.g. "the dynamics model of 'daa'"), and the global step. */
  source?: string;
  step?: number;
}

export interface Imagined {
  /** A_0 of every branch (the value of its first action). */
  advantages: Float32Array;
  /** Per imagined step k = 0 … H: the agent's observations (B × D); step 0 = the real states. */
  observations: Float32Array[];
  /** Per step k = 0 … H − 1: the action taken, its log-prob under the policy (NaN for the given first actions), reward (agent scale) and GAE advantage. */
  actions: Float32Array[];
  logProbs: Float32Array[];
  rewards: Float32Array[];
  stepAdvantages: Float32Array[];
  /** Per step k = 0 … H − 1: the probability that the branch is still running at step k (1 at k = 0; 1 throughout without a termination head). */
  alive: Float32Array[];
}

function checkFinite(values: Float32Array, quantity: string, k: number, o: ImagineOptions): void {
  const i = firstNonFinite(values);
  if (i >= 0) throw new NonFiniteError(`${o.source ?? 'the dynamics model'} at imagined step ${k + 1} of ${o.horizon}`, quantity, o.step ?? 0, `entry ${i} = ${values[i]}; the model diverged`);
}

export function imagine(model: DynamicsModel, agent: ActorCritic, obs0: Float32Array, firstActions: Float32Array, n: number, o: ImagineOptions): Imagined {
  const transform = o.actionTransform ?? ((a) => a);
  const values: Float32Array[] = [agent.values(obs0, n)];
  const observations: Float32Array[] = [obs0];
  const actions: Float32Array[] = [firstActions];
  const logProbs: Float32Array[] = [new Float32Array(n).fill(NaN)];
  const rewards: Float32Array[] = [];
  const continues: Float32Array[] = [];
  const alive: Float32Array[] = [new Float32Array(n).fill(1)];
  let modelObs = o.modelObs0 ?? obs0;
  for (let k = 0; k < o.horizon; k++) {
    const p = model.predict(modelObs, transform(actions[k]!), n);
    checkFinite(p.next, 'imagined observation', k, o);
    checkFinite(p.reward, 'imagined reward', k, o);
    if (p.terminal) checkFinite(p.terminal, 'imagined termination probability', k, o);
    const agentObs = o.toAgentObs ? o.toAgentObs(p.next) : p.next;
    rewards.push(o.toAgentReward ? o.toAgentReward(p.reward) : p.reward);
    continues.push(p.terminal ? p.terminal.map((q) => 1 - q) : new Float32Array(n).fill(1));
    const next = agent.act(agentObs, n, o.stochastic === false ? null : agent.sampleNoise(n, o.rng));
    values.push(next.values);
    observations.push(agentObs);
    if (k + 1 < o.horizon) {
      actions.push(next.actions);
      logProbs.push(next.logProbs);
      alive.push(alive[k]!.map((a, b) => a * continues[k]![b]!));
    }
    modelObs = p.next;
  }
  const stepAdvantages = Array.from({ length: o.horizon }, () => new Float32Array(n));
  for (let b = 0; b < n; b++) {
    let gae = 0;
    for (let k = o.horizon - 1; k >= 0; k--) {
      const c = continues[k]![b]!;
      const delta = rewards[k]![b]! + o.gamma * c * values[k + 1]![b]! - values[k]![b]!;
      gae = delta + o.gamma * o.lambda * c * gae;
      stepAdvantages[k]![b] = gae;
    }
  }
  return { advantages: stepAdvantages[0]!, observations, actions, logProbs, rewards, stepAdvantages, alive };
}
