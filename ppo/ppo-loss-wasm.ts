/**
 * The PPO loss of one minibatch on the wasm engine: the same expression as ppo-loss.ts (the tfjs
 * reference), with the gradient of the loss with respect to the networks' outputs written by hand
 * and the networks' backward passes run by the engine. Tested against tfjs's autodiff of ppoLoss.
 *
 *   L = Σᵢ wᵢ max(−Âᵢρᵢ, −Âᵢ clip(ρᵢ, 1±ε)) / Σᵢ wᵢ − c_H · mean_s H(π(·|s)) + c_V · L_V
 *
 * ∂L/∂log πᵢ = −Âᵢρᵢwᵢ/Σw where the unclipped term is the larger (as tf.maximum routes its
 * gradient to the first argument on ties) and 0 where the clip is active. Gaussian: ∂log π/∂μ_d =
 * z_d/σ_d, ∂log π/∂log σ_d = z_d² − 1, ∂H/∂log σ_d = 1 (tanh means: ∂μ/∂o = 1 − μ²). Categorical:
 * ∂log π(a)/∂o_j = 1[j = a] − π_j, ∂H/∂o_j = −π_j (log π_j + H). Value: the clipped loss routes the
 * gradient like tf.maximum and tf.clipByValue (inclusive bounds).
 */
import type { WasmActorCritic } from '../nets/engine/wasm-actor-critic.js';
import { gaussianLogProb, LOG_SQRT_2PI, logSumExp } from '../nets/engine/wasm-actor-critic.js';
import type { LossCfg } from './ppo-loss.js';
import type { MinibatchArrays } from './update.js';

/**
 * Forward, loss and backward of one minibatch: adds the gradients into the engine's store (the
 * caller zeroes them first) and returns [pg, v, H, oldKL, KL, clipfrac, max|ρ−1|] and the loss.
 * `surrogateOnly`: the unclipped surrogate −Σ wÂρ/Σw alone (no clip, entropy or value loss): the
 * policy-gradient estimate a batch implies.
 */
export function ppoLossWasm(net: WasmActorCritic, a: MinibatchArrays, cfg: LossCfg, surrogateOnly = false): { stats: number[]; loss: number } {
  const { kind, outDim: K, tanhMean: tanhMeanOpt } = net.layout;
  const tanhMean = kind === 'gaussian' && tanhMeanOpt;
  const R = a.numRows;
  const S = a.numStates;
  const perState = a.mode !== 'own-observations';
  // policy outputs: per state (rows index them through rowState, or are them), or per row
  const nPol = perState ? S : R;
  const polObs = perState ? a.obsV : a.obsP!;
  const raw = net.actor.forward(polObs, nPol);
  const out = tanhMean ? raw.map(Math.tanh) : raw.slice();
  const rowOf = (i: number) => (a.mode === 'one-row-per-state' ? i : a.mode === 'rows-are-states' ? a.rowState![i]! : i);
  const dOut = new Float64Array(nPol * K);
  const logStd = kind === 'gaussian' ? net.logStd() : null;
  const dLogStd = new Float64Array(kind === 'gaussian' ? K : 0);
  // log-softmax per policy output row (categorical)
  const logp = kind === 'categorical' ? new Float64Array(nPol * K) : null;
  if (logp) {
    for (let r = 0; r < nPol; r++) {
      const lse = logSumExp(out, r * K, K);
      for (let j = 0; j < K; j++) logp[r * K + j] = out[r * K + j]! - lse;
    }
  }
  let wSum = 0;
  for (let i = 0; i < R; i++) wSum += a.weights[i]!;
  let pg = 0;
  let oldKl = 0;
  let kl = 0;
  let clipped = 0;
  let dev = 0;
  // the unclipped surrogate alone (the policy-gradient estimate of analysis/policy-gradient.ts)
  const lo = surrogateOnly ? -Infinity : 1 - cfg.clipCoef;
  const hi = surrogateOnly ? Infinity : 1 + cfg.clipCoef;
  for (let i = 0; i < R; i++) {
    const r = rowOf(i);
    let lp = 0;
    if (logp) lp = logp[r * K + a.actions[i]!]!;
    else lp = gaussianLogProb(a.actions, i, out, r, logStd!, K);
    // float32, as the rollout stored it: a policy that has not moved gives ratio exactly 1
    lp = Math.fround(lp);
    const logratio = lp - a.oldLogProbs[i]!;
    const ratio = Math.exp(logratio);
    const adv = a.advantages[i]!;
    const pg1 = -adv * ratio;
    const pg2 = -adv * Math.min(Math.max(ratio, lo), hi);
    pg += a.weights[i]! * Math.max(pg1, pg2);
    oldKl += -logratio;
    kl += ratio - 1 - logratio;
    if (Math.abs(ratio - 1) > cfg.clipCoef) clipped += 1;
    dev = Math.max(dev, Math.abs(ratio - 1));
    const gLp = pg1 >= pg2 ? (-adv * ratio * a.weights[i]!) / wSum : 0;
    if (gLp === 0) continue;
    if (logp) {
      const act = a.actions[i]!;
      for (let j = 0; j < K; j++) dOut[r * K + j]! += gLp * ((j === act ? 1 : 0) - Math.exp(logp[r * K + j]!));
    } else {
      for (let d = 0; d < K; d++) {
        const sd = Math.exp(logStd![d]!);
        const z = (a.actions[i * K + d]! - out[r * K + d]!) / sd;
        dOut[r * K + d]! += (gLp * z) / sd;
        dLogStd[d]! += gLp * (z * z - 1);
      }
    }
  }
  pg /= wSum;
  // the actor's backward pass from dOut (through tanh means) and the log-std gradient
  const backActor = () => {
    if (tanhMean) for (let q = 0; q < dOut.length; q++) dOut[q]! *= 1 - out[q]! * out[q]!;
    net.actor.outputGrad(nPol).set(dOut);
    net.actor.backward(nPol);
    if (logStd) {
      const gl = net.store.grad(net.logStdIndex);
      for (let d = 0; d < K; d++) gl[d]! += dLogStd[d]!;
    }
  };
  if (surrogateOnly) {
    backActor();
    return { stats: [pg, 0, 0, oldKl / R, kl / R, clipped / R, dev], loss: pg };
  }
  // entropy over the minibatch's states
  let ent = 0;
  if (kind === 'gaussian') {
    for (let d = 0; d < K; d++) ent += logStd![d]! + 0.5 + LOG_SQRT_2PI;
    for (let d = 0; d < K; d++) dLogStd[d]! -= cfg.entCoef;
  } else if (perState) {
    for (let s = 0; s < S; s++) {
      let h = 0;
      for (let j = 0; j < K; j++) h -= Math.exp(logp![s * K + j]!) * logp![s * K + j]!;
      ent += h / S;
      for (let j = 0; j < K; j++) dOut[s * K + j]! += (cfg.entCoef / S) * Math.exp(logp![s * K + j]!) * (logp![s * K + j]! + h);
    }
  }
  backActor();
  if (kind === 'categorical' && !perState) {
    // own-observation rows: the entropy is over the states' own policy outputs, a second pass
    const so = net.actor.forward(a.obsV, S).slice();
    const g = new Float64Array(S * K);
    for (let s = 0; s < S; s++) {
      const lse = logSumExp(so, s * K, K);
      let h = 0;
      for (let j = 0; j < K; j++) h -= Math.exp(so[s * K + j]! - lse) * (so[s * K + j]! - lse);
      ent += h / S;
      for (let j = 0; j < K; j++) g[s * K + j] = (cfg.entCoef / S) * Math.exp(so[s * K + j]! - lse) * (so[s * K + j]! - lse + h);
    }
    net.actor.outputGrad(S).set(g);
    net.actor.backward(S);
  }
  // value loss
  const v = net.critic.forward(a.obsV, S);
  const dv = new Float64Array(S);
  let vLoss = 0;
  for (let s = 0; s < S; s++) {
    const diff = v[s]! - a.returns[s]!;
    if (cfg.clipVloss) {
      const delta = v[s]! - a.oldValues[s]!;
      const vc = a.oldValues[s]! + Math.min(Math.max(delta, -cfg.clipCoef), cfg.clipCoef);
      const u = diff * diff;
      const c = (vc - a.returns[s]!) ** 2;
      vLoss += Math.max(u, c);
      if (u >= c) dv[s] = diff;
      else dv[s] = delta >= -cfg.clipCoef && delta <= cfg.clipCoef ? vc - a.returns[s]! : 0;
    } else {
      vLoss += diff * diff;
      dv[s] = diff;
    }
  }
  vLoss = (0.5 * vLoss) / S;
  for (let s = 0; s < S; s++) dv[s] = (cfg.vfCoef * dv[s]!) / S;
  net.critic.outputGrad(S).set(dv);
  net.critic.backward(S);
  const stats = [pg, vLoss, ent, oldKl / R, kl / R, clipped / R, dev];
  return { stats, loss: pg - cfg.entCoef * ent + cfg.vfCoef * vLoss };
}
