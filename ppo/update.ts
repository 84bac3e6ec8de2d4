/**
 * The PPO learner: `updateEpochs` passes over the batch in shuffled minibatches of visited states
 * (detail 6), each one Adam step (detail 3) on
 *   loss = L_clip (detail 8, per-minibatch advantage normalisation, detail 7)
 *        − entCoef·entropy + vfCoef·L_V (clipped value loss, detail 9)        (detail 10)
 * after global gradient-norm clipping (detail 11). A minibatch holds all policy rows of its states,
 * whatever the estimator put there. Diagnostics follow CleanRL's names (detail 12).
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteError } from '../common/errors.js';
import type { Rng } from '../common/rng.js';
import type { EstimatorBatch } from '../estimators/estimator.js';
import type { Adam } from '../nets/adam.js';
import { clipByGlobalNorm } from '../nets/adam.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import { gatherRows } from '../nets/matmul.js';
import type { PpoConfig } from './config.js';

export interface UpdateStats {
  policy_loss: number;
  value_loss: number;
  entropy: number;
  old_approx_kl: number;
  approx_kl: number;
  clipfrac: number;
  explained_variance: number | null;
  grad_norm: number;
  /** max |ρ − 1| over the first minibatch of the first epoch: exactly 0 for a correct PPO. */
  first_minibatch_max_ratio_dev: number;
  minibatch_updates: number;
}

type UpdateCfg = Pick<PpoConfig, 'numMinibatches' | 'updateEpochs' | 'normAdv' | 'clipCoef' | 'clipVloss' | 'entCoef' | 'vfCoef' | 'maxGradNorm' | 'targetKl'>;

/** Row offsets per state (CSR): rows of state s are rowStart[s] … rowStart[s+1]−1. */
function rowStarts(stateIndex: Int32Array, numStates: number): Int32Array {
  const starts = new Int32Array(numStates + 1);
  for (let i = 0; i < stateIndex.length; i++) starts[stateIndex[i]! + 1]! += 1;
  for (let s = 0; s < numStates; s++) starts[s + 1]! += starts[s]!;
  for (let i = 1; i < stateIndex.length; i++) if (stateIndex[i]! < stateIndex[i - 1]!) throw new Error('estimator batch: stateIndex must be non-decreasing');
  return starts;
}

/**
 * Rows `rows` of a row-major (n × width) array, copied on the host. Observation minibatches are
 * taken this way rather than with tf.gather on a tensor of the whole batch: the wasm backend's
 * GatherV2 costs 207 ms for 256 rows of 4 × 84 × 84 frames (a quarter of a pixel PPO minibatch
 * update; measured with tf.profile), a host copy a few ms, and the whole batch never sits in tensor
 * memory (1024 frames = 115 MB).
 */
export function takeRows(src: Float32Array, rows: ArrayLike<number>, width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let j = 0; j < rows.length; j++) {
    const r = rows[j]!;
    out.set(src.subarray(r * width, (r + 1) * width), j * width);
  }
  return out;
}

export function explainedVariance(pred: ArrayLike<number>, target: ArrayLike<number>): number | null {
  const n = target.length;
  let my = 0;
  let md = 0;
  for (let i = 0; i < n; i++) {
    my += target[i]!;
    md += target[i]! - pred[i]!;
  }
  my /= n;
  md /= n;
  let vy = 0;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    vy += (target[i]! - my) ** 2;
    vd += (target[i]! - pred[i]! - md) ** 2;
  }
  return vy === 0 ? null : 1 - vd / vy;
}

export function ppoUpdate(agent: ActorCritic, opt: Adam, batch: EstimatorBatch, cfg: UpdateCfg, lr: number, rng: Rng, step: number): UpdateStats {
  const S = batch.numStates;
  const P = batch.policy;
  const starts = rowStarts(P.stateIndex, S);
  const oneRowPerState = P.stateIndex.length === S;
  // rows that are copies of their state's observation: one network pass per state, outputs copied to rows
  const perState = !oneRowPerState && P.rowsAreStates === true;
  const localOf = new Int32Array(S);
  const mbStates = Math.floor(S / cfg.numMinibatches);
  const D = agent.obsDim;

  const t = tf.tidy(() => ({
    pAct: tf.tensor2d(P.actions, [P.stateIndex.length, agent.actionDim]),
    pOldLp: tf.tensor1d(P.oldLogProbs),
    pAdv: tf.tensor1d(P.advantages),
    pW: tf.tensor1d(P.weights),
    vRet: tf.tensor1d(batch.value.returns),
    vOld: tf.tensor1d(batch.value.oldValues),
  }));
  const params = agent.allParams;
  let last = [0, 0, 0, 0, 0, 0];
  let clipfracSum = 0;
  let updates = 0;
  let firstDev = NaN;

  try {
    for (let epoch = 0; epoch < cfg.updateEpochs; epoch++) {
      const perm = rng.permutation(S);
      for (let start = 0; start + mbStates <= S; start += mbStates) {
        const states = perm.subarray(start, start + mbStates);
        let rows: Int32Array;
        if (oneRowPerState) rows = states;
        else {
          const list: number[] = [];
          for (const s of states) for (let k = starts[s]!; k < starts[s + 1]!; k++) list.push(k);
          rows = Int32Array.from(list);
        }
        const stats = tf.tidy(() => {
          const rIdx = tf.tensor1d(rows, 'int32');
          const sIdx = oneRowPerState ? rIdx : tf.tensor1d(states, 'int32');
          const obsP = perState ? null : tf.tensor2d(takeRows(P.obs, rows, D), [rows.length, D]);
          let rowState: Int32Array | null = null;
          if (perState) {
            states.forEach((st, j) => (localOf[st] = j));
            rowState = Int32Array.from(rows, (row) => localOf[P.stateIndex[row]!]!);
          }
          const actP = tf.gather(t.pAct, rIdx) as tf.Tensor2D;
          const oldLp = tf.gather(t.pOldLp, rIdx);
          const w = tf.gather(t.pW, rIdx);
          const wSum = tf.sum(w);
          let adv = tf.gather(t.pAdv, rIdx);
          if (cfg.normAdv) {
            // weighted mean / unbiased (reliability-weights) std; equals torch's mean/std(ddof=1) at w = 1
            const mean = tf.div(tf.sum(tf.mul(w, adv)), wSum);
            const v = tf.div(tf.sum(tf.mul(w, tf.square(tf.sub(adv, mean)))), tf.sub(wSum, tf.div(tf.sum(tf.square(w)), wSum)));
            adv = tf.div(tf.sub(adv, mean), tf.add(tf.sqrt(v), 1e-8));
          }
          const obsV = oneRowPerState ? obsP! : tf.tensor2d(takeRows(batch.value.obs, states, D), [states.length, D]);
          const ret = tf.gather(t.vRet, sIdx);
          const oldV = tf.gather(t.vOld, sIdx);
          const kept: tf.Tensor[] = [];
          const { value: loss, grads } = tf.variableGrads(() => {
            // one pass through the networks per state when the policy rows are the states (or copies of them)
            const both = oneRowPerState || perState ? agent.heads(obsV) : null;
            const stateOut = both ? both.out : null;
            const out = oneRowPerState ? stateOut! : perState ? gatherRows(stateOut!, rowState!) : agent.policyOut(obsP!);
            const logratio = tf.sub(agent.logProb(out, actP), oldLp);
            const ratio = tf.exp(logratio);
            const pg1 = tf.mul(tf.neg(adv), ratio);
            const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - cfg.clipCoef, 1 + cfg.clipCoef));
            const pgLoss = tf.div(tf.sum(tf.mul(w, tf.maximum(pg1, pg2))), wSum);
            const v = both ? both.value : agent.value(obsV);
            let vLoss: tf.Tensor;
            if (cfg.clipVloss) {
              const unclipped = tf.square(tf.sub(v, ret));
              const vClipped = tf.add(oldV, tf.clipByValue(tf.sub(v, oldV), -cfg.clipCoef, cfg.clipCoef));
              vLoss = tf.mul(0.5, tf.mean(tf.maximum(unclipped, tf.square(tf.sub(vClipped, ret)))));
            } else {
              vLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(v, ret))));
            }
            const ent = tf.mean(agent.entropy(stateOut ?? agent.policyOut(obsV)));
            const oldKl = tf.mean(tf.neg(logratio));
            const kl = tf.mean(tf.sub(tf.sub(ratio, 1), logratio));
            const clipfrac = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), cfg.clipCoef), 'float32'));
            const dev = tf.max(tf.abs(tf.sub(ratio, 1)));
            kept.push(tf.keep(tf.stack([pgLoss, vLoss, ent, oldKl, kl, clipfrac, dev])));
            return tf.add(tf.sub(pgLoss, tf.mul(cfg.entCoef, ent)), tf.mul(cfg.vfCoef, vLoss)) as tf.Scalar;
          }, params);
          const clipped = clipByGlobalNorm(params.map((p) => grads[p.name]!), cfg.maxGradNorm);
          opt.apply(clipped.grads, lr);
          const row = tf.concat([kept[0]!, tf.reshape(clipped.norm, [1]), tf.reshape(loss, [1])]);
          kept[0]!.dispose();
          return row;
        });
        const s = Array.from(stats.dataSync());
        stats.dispose();
        if (!s.every(Number.isFinite)) {
          const names = ['policy_loss', 'value_loss', 'entropy', 'old_approx_kl', 'approx_kl', 'clipfrac', 'ratio', 'grad_norm', 'loss'];
          const bad = names.filter((_, i) => !Number.isFinite(s[i]!)).join(', ');
          throw new NonFiniteError('the PPO update', bad, step, `epoch ${epoch}, minibatch ${start / mbStates}`);
        }
        if (updates === 0) firstDev = s[6]!;
        last = s;
        clipfracSum += s[5]!;
        updates += 1;
      }
      if (cfg.targetKl !== null && last[4]! > cfg.targetKl) break;
    }
  } finally {
    tf.dispose(Object.values(t));
  }
  return {
    policy_loss: last[0]!,
    value_loss: last[1]!,
    entropy: last[2]!,
    old_approx_kl: last[3]!,
    approx_kl: last[4]!,
    clipfrac: clipfracSum / updates,
    explained_variance: explainedVariance(batch.value.oldValues, batch.value.returns),
    grad_norm: last[7]!,
    first_minibatch_max_ratio_dev: firstDev,
    minibatch_updates: updates,
  };
}
