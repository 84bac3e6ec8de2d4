/**
 * The PPO agent's MLPs on the wasm engine: the actor, the Gaussian log-std and the critic in one
 * ParamStore, in the order of ActorCritic.allParams (actor W/b…, log-std, critic W/b…), so a
 * checkpoint is the same list of tensors whichever engine wrote it. ActorCritic keeps its tfjs
 * variables as the reference and mirrors them here (nets/actor-critic.ts decides which engine runs).
 * Sampling and log-probabilities follow ActorCritic's maths (same noise, same formulas).
 */
import type { Activation } from '../mlp.js';
import { Arena } from './arena.js';
import { DenseMlp, denseMlpShapes } from './dense-mlp.js';
import { ParamStore } from './param-store.js';

export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log N(a | μ, diag σ²) of action row `i` (K dims) against mean row `r` of `out`, σ = exp(logStd). */
export function gaussianLogProb(actions: ArrayLike<number>, i: number, out: ArrayLike<number>, r: number, logStd: ArrayLike<number>, K: number): number {
  let s = 0;
  for (let d = 0; d < K; d++) {
    const z = (actions[i * K + d]! - out[r * K + d]!) / Math.exp(logStd[d]!);
    s += -0.5 * z * z - logStd[d]! - LOG_SQRT_2PI;
  }
  return s;
}

export interface WasmAgentLayout {
  kind: 'categorical' | 'gaussian';
  obsDim: number;
  outDim: number;
  actorSizes: number[];
  criticSizes: number[];
  activation: Activation;
  tanhMean: boolean;
}

export class WasmActorCritic {
  readonly arena = new Arena();
  readonly store: ParamStore;
  readonly actor: DenseMlp;
  readonly critic: DenseMlp;
  /** Store index of the log-std tensor (−1 for categorical policies). */
  readonly logStdIndex: number;

  constructor(readonly layout: WasmAgentLayout) {
    const actorShapes = denseMlpShapes(layout.actorSizes);
    const criticShapes = denseMlpShapes(layout.criticSizes);
    const gaussian = layout.kind === 'gaussian';
    this.store = new ParamStore(this.arena, [...actorShapes, ...(gaussian ? [[1, layout.outDim]] : []), ...criticShapes]);
    this.actor = new DenseMlp(this.arena, this.store, 0, layout.actorSizes, layout.activation);
    this.logStdIndex = gaussian ? actorShapes.length : -1;
    this.critic = new DenseMlp(this.arena, this.store, actorShapes.length + (gaussian ? 1 : 0), layout.criticSizes, layout.activation);
  }

  get shapes(): number[][] {
    return this.store.shapes;
  }

  logStd(): Float32Array {
    return this.store.param(this.logStdIndex);
  }

  /** Actor outputs (logits, or Gaussian means — tanh-squashed with tanhMean) of n rows, as a copy. */
  policyOut(obs: Float32Array, n: number): Float32Array {
    const out = this.actor.forward(obs, n).slice();
    if (this.layout.kind === 'gaussian' && this.layout.tanhMean) for (let i = 0; i < out.length; i++) out[i] = Math.tanh(out[i]!);
    return out;
  }

  values(obs: Float32Array, n: number): Float32Array {
    return this.critic.forward(obs, n).slice();
  }

  /** log π(a|s) per row from policy outputs `out` (n × outDim) and actions (n × actionDim). */
  logProbs(out: Float32Array, actions: Float32Array, n: number): Float32Array {
    const K = this.layout.outDim;
    const lp = new Float32Array(n);
    if (this.layout.kind === 'categorical') {
      for (let i = 0; i < n; i++) lp[i] = logSoftmaxAt(out, i * K, K, actions[i]!);
      return lp;
    }
    const logStd = this.logStd();
    for (let i = 0; i < n; i++) lp[i] = gaussianLogProb(actions, i, out, i, logStd, K);
    return lp;
  }

  /** Sample (noise given) or take the mode (noise null) of the policy at n states, with log-probs and values. */
  act(obs: Float32Array, n: number, noise: Float32Array | null): { actions: Float32Array; logProbs: Float32Array; values: Float32Array } {
    const out = this.policyOut(obs, n);
    const K = this.layout.outDim;
    let actions: Float32Array;
    if (this.layout.kind === 'categorical') {
      actions = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        let bestScore = -Infinity;
        for (let j = 0; j < K; j++) {
          const s = noise ? Math.fround(out[i * K + j]! + noise[i * K + j]!) : out[i * K + j]!;
          if (s > bestScore) {
            bestScore = s;
            best = j;
          }
        }
        actions[i] = best;
      }
    } else if (noise) {
      const logStd = this.logStd();
      actions = new Float32Array(n * K);
      for (let i = 0; i < n * K; i++) actions[i] = out[i]! + Math.exp(logStd[i % K]!) * noise[i]!;
    } else actions = out;
    return { actions, logProbs: this.logProbs(out, actions, n), values: this.values(obs, n) };
  }

  /** Categorical: log-softmax of every action, n × outDim. */
  logProbsAll(obs: Float32Array, n: number): Float32Array {
    const out = this.policyOut(obs, n);
    const K = this.layout.outDim;
    for (let i = 0; i < n; i++) {
      const lse = logSumExp(out, i * K, K);
      for (let j = 0; j < K; j++) out[i * K + j] = out[i * K + j]! - lse;
    }
    return out;
  }
}

export function logSumExp(a: ArrayLike<number>, off: number, k: number): number {
  let mx = -Infinity;
  for (let j = 0; j < k; j++) mx = Math.max(mx, a[off + j]!);
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.exp(a[off + j]! - mx);
  return mx + Math.log(s);
}

function logSoftmaxAt(a: ArrayLike<number>, off: number, k: number, idx: number): number {
  return a[off + idx]! - logSumExp(a, off, k);
}
