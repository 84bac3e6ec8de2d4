/**
 * The policy-gradient estimate an estimator's batch implies, never applied: the gradient of
 *   L(θ) = −Σ_i w_i Â_i π_θ(a_i|s_i)/π_old(a_i|s_i) / Σ_i w_i
 * at θ = θ_old, i.e. −Σ w_i Â_i ∇log π(a_i|s_i) / Σ w_i, flattened over the policy parameters
 * (actor weights and log-std; the critic gets no gradient from it). This is the unclipped PPO
 * surrogate, so it is the estimator's own gradient. Advantages are used raw unless `normalize` asks
 * for PPO's normalisation, applied over the batch with the rows' weights exactly as the PPO update
 * applies it over a minibatch (`normalizeAdvantages`), which matters for rows of unequal weight
 * (`mac`, `wmpg`).
 */
import { tf } from '../nets/tf.js';
import type { EstimatorBatch } from '../estimators/estimator.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import { gatherRows } from '../nets/matmul.js';
import { normalizeAdvantages } from '../ppo/ppo-loss.js';
import { ppoLossWasm } from '../ppo/ppo-loss-wasm.js';
import { minibatchArrays, normalizeAdvantagesHost, rowModeOf, rowStarts } from '../ppo/update.js';

export function numPolicyParams(agent: ActorCritic): number {
  return agent.policyParams.reduce((s, p) => s + p.size, 0);
}

export function policyGradient(agent: ActorCritic, batch: EstimatorBatch, normalize = false): Float64Array {
  return agent.engineNet() ? policyGradientOnEngine(agent, batch, normalize) : policyGradientTfjs(agent, batch, normalize);
}

/** The tfjs reference of `policyGradient` (autodiff of the surrogate), whichever engine the agent runs. */
export function policyGradientTfjs(agent: ActorCritic, batch: EstimatorBatch, normalize = false): Float64Array {
  const P = batch.policy;
  const rows = P.stateIndex.length;
  const params = agent.policyParams;
  // rows that copy their state's observation: one network pass per state (as the PPO update)
  const perState = P.rowsAreStates === true && rows !== batch.numStates;
  const flat = tf.tidy(() => {
    const obs = perState ? tf.tensor2d(batch.value.obs, [batch.numStates, agent.obsDim]) : tf.tensor2d(P.obs, [rows, agent.obsDim]);
    const act = tf.tensor2d(P.actions, [rows, agent.actionDim]);
    const oldLp = tf.tensor1d(P.oldLogProbs);
    const w = tf.tensor1d(P.weights);
    const raw = tf.tensor1d(P.advantages);
    const adv = normalize ? normalizeAdvantages(raw, w) : raw;
    const { grads } = tf.variableGrads(() => {
      const out = perState ? gatherRows(agent.policyOut(obs), P.stateIndex) : agent.policyOut(obs);
      const ratio = tf.exp(tf.sub(agent.logProb(out, act), oldLp));
      return tf.div(tf.neg(tf.sum(tf.mul(tf.mul(w, adv), ratio))), tf.sum(w)) as tf.Scalar;
    }, params);
    return tf.concat(params.map((p) => tf.reshape(grads[p.name]!, [-1])));
  });
  const out = Float64Array.from(flat.dataSync());
  flat.dispose();
  return out;
}

/**
 * The same gradient on the small-network engine: one forward and one backward pass of the actor with
 * the surrogate's output gradients written by hand (ppo/ppo-loss-wasm.ts); the policy parameters are
 * the first tensors of the engine's store (actor weights, log-std), in the order of `policyParams`.
 */
function policyGradientOnEngine(agent: ActorCritic, batch: EstimatorBatch, normalize: boolean): Float64Array {
  const net = agent.engineNet()!;
  const S = batch.numStates;
  const all = new Int32Array(S);
  for (let s = 0; s < S; s++) all[s] = s;
  const arrays = minibatchArrays(batch, rowModeOf(batch), rowStarts(batch.policy.stateIndex, S), all, agent.obsDim, agent.actionDim);
  if (normalize) arrays.advantages = normalizeAdvantagesHost(arrays.advantages, arrays.weights);
  net.store.zeroGrad();
  ppoLossWasm(net, arrays, { clipCoef: 0, entCoef: 0, vfCoef: 0, clipVloss: false }, true);
  const count = agent.policyParams.length;
  const out = new Float64Array(numPolicyParams(agent));
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const g = net.store.grad(i);
    out.set(g, offset);
    offset += g.length;
  }
  return out;
}

/**
 * Per-sample score vectors ∇_θ log π(a_i|s_i) (n × P, row-major, policy parameters flattened in the
 * order of `policyGradient`). One backward pass per sample: the decompositions need the individual
 * terms, not their sum.
 */
export function perSampleScores(agent: ActorCritic, obs: Float32Array, actions: Float32Array, n: number): Float32Array {
  const params = agent.policyParams;
  const P = numPolicyParams(agent);
  const out = new Float32Array(n * P);
  const D = agent.obsDim;
  const A = agent.actionDim;
  for (let i = 0; i < n; i++) {
    const flat = tf.tidy(() => {
      const o = tf.tensor2d(obs.subarray(i * D, (i + 1) * D), [1, D]);
      const a = tf.tensor2d(actions.subarray(i * A, (i + 1) * A), [1, A]);
      const { grads } = tf.variableGrads(() => tf.sum(agent.logProb(agent.policyOut(o), a)) as tf.Scalar, params);
      return tf.concat(params.map((p) => tf.reshape(grads[p.name]!, [-1])));
    });
    out.set(flat.dataSync() as Float32Array, i * P);
    flat.dispose();
  }
  return out;
}
