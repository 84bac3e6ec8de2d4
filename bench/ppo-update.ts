/**
 * PPO learner cost: time per minibatch update (forward, backward, grad-norm clip, Adam) for the
 * MuJoCo-sized agent, obs 17 → 64 → 64 → 6 (Gaussian) plus the 17 → 64 → 64 → 1 critic, at
 * minibatch 64 (CleanRL ppo_continuous_action: 2048 steps, 32 minibatches, 10 epochs).
 */
import { Rng } from '../common/rng.js';
import { box } from '../envs/spaces.js';
import type { EstimatorBatch } from '../estimators/estimator.js';
import { ActorCritic, type Engine } from '../nets/actor-critic.js';
import { createAgentOptimizer } from '../nets/optimizer.js';
import { CONTINUOUS_DEFAULTS } from '../ppo/config.js';
import { ppoUpdate } from '../ppo/update.js';

export function benchPpoUpdate(engine: Engine, obsDim = 17, actDim = 6, batch = 2048, minibatches = 32, epochs = 10): Record<string, number | string> {
  const rng = new Rng(0);
  const agent = new ActorCritic(box(-Infinity, Infinity, [obsDim]), box(-1, 1, [actDim]), { hiddenSizes: [64, 64], activation: 'tanh', engine }, rng);
  const opt = createAgentOptimizer(agent);
  const obs = Float32Array.from({ length: batch * obsDim }, () => rng.normal());
  const act = agent.act(obs, batch, agent.sampleNoise(batch, rng));
  const b: EstimatorBatch = {
    numStates: batch,
    policy: {
      obs,
      actions: act.actions,
      oldLogProbs: act.logProbs,
      advantages: Float32Array.from({ length: batch }, () => rng.normal()),
      weights: new Float32Array(batch).fill(1),
      stateIndex: Int32Array.from({ length: batch }, (_, i) => i),
    },
    value: { obs, returns: Float32Array.from({ length: batch }, () => rng.normal()), oldValues: act.values },
    stats: {},
  };
  const cfg = { ...CONTINUOUS_DEFAULTS, numMinibatches: minibatches, updateEpochs: epochs };
  ppoUpdate(agent, opt, b, { ...cfg, updateEpochs: 1 }, 3e-4, rng, 0); // warm-up (kernel compilation)
  const t0 = performance.now();
  const s = ppoUpdate(agent, opt, b, cfg, 3e-4, rng, 0);
  const ms = performance.now() - t0;
  agent.dispose();
  opt.dispose();
  return { engine, minibatch_size: batch / minibatches, minibatch_updates: s.minibatch_updates, ms_per_minibatch_update: +(ms / s.minibatch_updates).toFixed(3), ms_per_iteration_update_phase: Math.round(ms) };
}

/**
 * Rollout cost per step of the policy: `act` for one env (actor forward, Gaussian sample, log-prob,
 * critic value) on the MuJoCo-sized agent, µs per call (the median of 5 rounds of 2000 calls).
 */
export function benchPolicyForward(engine: Engine, obsDim = 17, actDim = 6, calls = 2000): Record<string, number | string> {
  const rng = new Rng(0);
  const agent = new ActorCritic(box(-Infinity, Infinity, [obsDim]), box(-1, 1, [actDim]), { hiddenSizes: [64, 64], activation: 'tanh', engine }, rng);
  const obs = Float32Array.from({ length: obsDim }, () => rng.normal());
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) agent.act(obs, 1, agent.sampleNoise(1, rng));
    if (r > 0) rounds.push(((performance.now() - t0) * 1000) / calls);
  }
  agent.dispose();
  rounds.sort((a, b) => a - b);
  return { engine, us_per_act_one_env: +rounds[2]!.toFixed(2), rounds_us: rounds.map((x) => +x.toFixed(2)).join(' ') };
}
