/**
 * The PPO loss of one minibatch (or of one shard of it, when learner threads split a minibatch):
 *   L = L_clip − entCoef·H + vfCoef·L_V   (details 8–10)
 * with the clipped surrogate weighted by the estimator's row weights, the clipped value loss and the
 * entropy over the minibatch's states. Shared by the learner (`update.ts`) and its worker threads
 * (`learner-worker.ts`), so both differentiate exactly the same expression.
 */
import { tf } from '../nets/tf.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import { gatherRows } from '../nets/matmul.js';
import type { PpoConfig } from './config.js';

export type LossCfg = Pick<PpoConfig, 'clipCoef' | 'clipVloss' | 'entCoef' | 'vfCoef'>;

/** How the policy rows relate to the states (see EstimatorBatch). */
export type RowMode = 'one-row-per-state' | 'rows-are-states' | 'own-observations';

export interface MinibatchTensors {
  mode: RowMode;
  /** Policy-row observations ('own-observations' only). */
  obsP: tf.Tensor2D | null;
  /** State observations (also the policy rows' in 'one-row-per-state'). */
  obsV: tf.Tensor2D;
  /** 'rows-are-states': the local state index of each policy row. */
  rowState: Int32Array | null;
  actions: tf.Tensor2D;
  oldLogProbs: tf.Tensor1D;
  /** Advantages, already normalised when the config asks for it. */
  advantages: tf.Tensor1D;
  weights: tf.Tensor1D;
  returns: tf.Tensor1D;
  oldValues: tf.Tensor1D;
}

/**
 * Denominators of the whole minibatch when this is one shard of it: the shard's loss and statistics
 * are then its sums divided by the minibatch's totals, so the shards' losses and gradients add up to
 * the minibatch's. Without them the shard is the whole minibatch (means over its own rows and states).
 */
export interface ShardTotals {
  weightSum: number;
  rows: number;
  states: number;
}

/**
 * Advantage normalisation with the rows' weights (detail 7 for weighted rows): weighted mean and
 * unbiased (reliability-weights) std, (Â − m)/(sd + 1e-8) with m = Σwᵢ Âᵢ/Σwᵢ and
 * sd² = Σwᵢ(Âᵢ − m)² / (Σwᵢ − Σwᵢ²/Σwᵢ); equals torch's mean/std(ddof=1) at w = 1. The PPO update
 * applies it per minibatch and the variance analysis per batch, so both normalise the same way.
 */
export function normalizeAdvantages(adv: tf.Tensor1D, w: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const wSum = tf.sum(w);
    const mean = tf.div(tf.sum(tf.mul(w, adv)), wSum);
    const v = tf.div(tf.sum(tf.mul(w, tf.square(tf.sub(adv, mean)))), tf.sub(wSum, tf.div(tf.sum(tf.square(w)), wSum)));
    return tf.div(tf.sub(adv, mean), tf.add(tf.sqrt(v), 1e-8)) as tf.Tensor1D;
  });
}

/** Number of entries in the statistics vector: policy loss, value loss, entropy, old approx KL, approx KL, clip fraction, max |ρ − 1|. */
export const LOSS_STATS = 7;

/**
 * The scalar loss; pushes the statistics vector [pg, v, H, oldKL, KL, clipfrac, max|ρ−1|] (kept
 * out of tidy) onto `kept`. Call inside tf.variableGrads.
 */
export function ppoLoss(agent: ActorCritic, mb: MinibatchTensors, cfg: LossCfg, kept: tf.Tensor[], totals?: ShardTotals): tf.Scalar {
  const overRows = (x: tf.Tensor) => (totals ? tf.div(tf.sum(x), totals.rows) : tf.mean(x));
  const overStates = (x: tf.Tensor) => (totals ? tf.div(tf.sum(x), totals.states) : tf.mean(x));
  const { mode, actions, oldLogProbs: oldLp, advantages: adv, weights: w, returns: ret, oldValues: oldV, obsV } = mb;
  // one pass through the networks per state when the policy rows are the states (or copies of them)
  const both = mode !== 'own-observations' ? agent.heads(obsV) : null;
  const stateOut = both ? both.out : null;
  const out = mode === 'one-row-per-state' ? stateOut! : mode === 'rows-are-states' ? gatherRows(stateOut!, mb.rowState!) : agent.policyOut(mb.obsP!);
  const logratio = tf.sub(agent.logProb(out, actions), oldLp);
  const ratio = tf.exp(logratio);
  const pg1 = tf.mul(tf.neg(adv), ratio);
  const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - cfg.clipCoef, 1 + cfg.clipCoef));
  const pgLoss = tf.div(tf.sum(tf.mul(w, tf.maximum(pg1, pg2))), totals ? totals.weightSum : tf.sum(w));
  const v = both ? both.value : agent.value(obsV);
  let vLoss: tf.Tensor;
  if (cfg.clipVloss) {
    const unclipped = tf.square(tf.sub(v, ret));
    const vClipped = tf.add(oldV, tf.clipByValue(tf.sub(v, oldV), -cfg.clipCoef, cfg.clipCoef));
    vLoss = tf.mul(0.5, overStates(tf.maximum(unclipped, tf.square(tf.sub(vClipped, ret)))));
  } else {
    vLoss = tf.mul(0.5, overStates(tf.square(tf.sub(v, ret))));
  }
  const ent = overStates(agent.entropy(stateOut ?? agent.policyOut(obsV)));
  const oldKl = overRows(tf.neg(logratio));
  const kl = overRows(tf.sub(tf.sub(ratio, 1), logratio));
  const clipfrac = overRows(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), cfg.clipCoef), 'float32'));
  const dev = tf.max(tf.abs(tf.sub(ratio, 1)));
  kept.push(tf.keep(tf.stack([pgLoss, vLoss, ent, oldKl, kl, clipfrac, dev])));
  return tf.add(tf.sub(pgLoss, tf.mul(cfg.entCoef, ent)), tf.mul(cfg.vfCoef, vLoss)) as tf.Scalar;
}
