/**
 * The agent's optimiser on its engine: tfjs Adam over the tfjs variables, or the engine's fused Adam
 * over its parameter store. Both follow PyTorch's rule (β = 0.9, 0.999; PPO's ε = 1e-5) and save
 * the same checkpoint state.
 */
import { Adam } from './adam.js';
import type { ActorCritic } from './actor-critic.js';
import { StoreAdam } from './engine/store-adam.js';

export type AgentOptimizer = Adam | StoreAdam;

export function createAgentOptimizer(agent: ActorCritic, eps = 1e-5): AgentOptimizer {
  const params = agent.allParams;
  return agent.fast ? new StoreAdam(agent.fast.store, params.map((p) => p.name), 0.9, 0.999, eps) : new Adam(params, 0.9, 0.999, eps);
}
