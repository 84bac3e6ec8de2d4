/**
 * The PPO learner: `updateEpochs` passes over the batch in shuffled minibatches of visited states
 * (detail 6), each one Adam step (detail 3) on
 *   loss = L_clip (detail 8, per-minibatch advantage normalisation, detail 7)
 *        − entCoef·entropy + vfCoef·L_V (clipped value loss, detail 9)        (detail 10)
 * after global gradient-norm clipping (detail 11). A minibatch holds all policy rows of its states,
 * whatever the estimator put there. Diagnostics follow CleanRL's names (detail 12).
 */
import { tf } from '../nets/tf.js';
import { NonFiniteError } from '../common/errors.js';
import type { Rng } from '../common/rng.js';
import type { EstimatorBatch } from '../estimators/estimator.js';
import { Adam, clipByGlobalNorm } from '../nets/adam.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import type { AgentOptimizer } from '../nets/optimizer.js';
import { UsageError } from '../common/errors.js';
import type { PpoConfig } from './config.js';
import type { LearnerPool } from './learner-pool.js';
import { LOSS_STATS, normalizeAdvantages, ppoLoss, type MinibatchTensors, type RowMode, type ShardTotals } from './ppo-loss.js';
import { ppoLossWasm } from './ppo-loss-wasm.js';

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
export function rowStarts(stateIndex: Int32Array, numStates: number): Int32Array {
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

function concatF32(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
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

/** One minibatch (or one shard of it) as host arrays: the rows of the listed states. */
export interface MinibatchArrays {
  mode: RowMode;
  numRows: number;
  numStates: number;
  obsP: Float32Array | null;
  obsV: Float32Array;
  rowState: Int32Array | null;
  actions: Float32Array;
  oldLogProbs: Float32Array;
  advantages: Float32Array;
  weights: Float32Array;
  returns: Float32Array;
  oldValues: Float32Array;
}

/** The rows of `states` (CSR offsets `starts`), with observations copied once per state or per row as the mode needs. */
export function minibatchArrays(batch: EstimatorBatch, mode: RowMode, starts: Int32Array, states: Int32Array, obsDim: number, actionDim: number): MinibatchArrays {
  const P = batch.policy;
  let rows: Int32Array;
  let rowState: Int32Array | null = null;
  if (mode === 'one-row-per-state') rows = states;
  else {
    const list: number[] = [];
    const local: number[] = [];
    states.forEach((st, j) => {
      for (let k = starts[st]!; k < starts[st + 1]!; k++) {
        list.push(k);
        local.push(j);
      }
    });
    rows = Int32Array.from(list);
    if (mode === 'rows-are-states') rowState = Int32Array.from(local);
  }
  const pick = (a: Float32Array, idx: Int32Array) => Float32Array.from(idx, (i) => a[i]!);
  return {
    mode,
    numRows: rows.length,
    numStates: states.length,
    obsP: mode === 'own-observations' ? takeRows(P.obs, rows, obsDim) : null,
    obsV: mode === 'one-row-per-state' ? takeRows(P.obs, rows, obsDim) : takeRows(batch.value.obs, states, obsDim),
    rowState,
    actions: takeRows(P.actions, rows, actionDim),
    oldLogProbs: pick(P.oldLogProbs, rows),
    advantages: pick(P.advantages, rows),
    weights: pick(P.weights, rows),
    returns: pick(batch.value.returns, states),
    oldValues: pick(batch.value.oldValues, states),
  };
}

export function minibatchTensors(a: MinibatchArrays, obsDim: number, actionDim: number): MinibatchTensors {
  return {
    mode: a.mode,
    obsP: a.obsP ? tf.tensor2d(a.obsP, [a.numRows, obsDim]) : null,
    obsV: tf.tensor2d(a.obsV, [a.numStates, obsDim]),
    rowState: a.rowState,
    actions: tf.tensor2d(a.actions, [a.numRows, actionDim]),
    oldLogProbs: tf.tensor1d(a.oldLogProbs),
    advantages: tf.tensor1d(a.advantages),
    weights: tf.tensor1d(a.weights),
    returns: tf.tensor1d(a.returns),
    oldValues: tf.tensor1d(a.oldValues),
  };
}

/** How a batch's policy rows map to network passes: one row per state, rows that copy their state's observation (one pass per state), or rows with their own observations. */
export function rowModeOf(batch: EstimatorBatch): RowMode {
  const P = batch.policy;
  return P.stateIndex.length === batch.numStates ? 'one-row-per-state' : P.rowsAreStates === true ? 'rows-are-states' : 'own-observations';
}

/** Weighted mean / unbiased (reliability-weights) std normalisation, in float64 on the host (the sharded path normalises the whole minibatch before splitting it). */
export function normalizeAdvantagesHost(adv: Float32Array, w: Float32Array): Float32Array {
  let sw = 0;
  let sw2 = 0;
  let swa = 0;
  for (let i = 0; i < adv.length; i++) {
    sw += w[i]!;
    sw2 += w[i]! * w[i]!;
    swa += w[i]! * adv[i]!;
  }
  const mean = swa / sw;
  let ss = 0;
  for (let i = 0; i < adv.length; i++) ss += w[i]! * (adv[i]! - mean) ** 2;
  const sd = Math.sqrt(ss / (sw - sw2 / sw));
  return Float32Array.from(adv, (a) => (a - mean) / (sd + 1e-8));
}

/** A statistics row computed in tensors, as host numbers (the tensor is disposed). */
function hostRow(t: tf.Tensor): number[] {
  const row = Array.from(t.dataSync());
  t.dispose();
  return row;
}

/** Contiguous parts of `a`: `k` slices of near-equal length. */
function split(a: Int32Array, k: number): Int32Array[] {
  return Array.from({ length: k }, (_, j) => a.subarray(Math.floor((j * a.length) / k), Math.floor(((j + 1) * a.length) / k)));
}

/**
 * PPO update over the batch. With `pool` (learner threads), every minibatch is split by states into
 * 1 + pool.size shards: this thread differentiates the first, each worker one more, and the summed
 * gradients take one Adam step, the same step up to float rounding (the shards' losses are their sums
 * over the minibatch's totals). Same seed and same thread count give the same numbers.
 * On the wasm engine (`agent.fast` with its StoreAdam) each minibatch is one forward/backward on the
 * engine (ppo-loss-wasm.ts), and the tfjs variables are refreshed from the engine at the end.
 */
export function ppoUpdate(agent: ActorCritic, opt: AgentOptimizer, batch: EstimatorBatch, cfg: UpdateCfg, lr: number, rng: Rng, step: number, pool?: LearnerPool): UpdateStats {
  const fast = agent.engineNet();
  const wasm = fast !== null && !(opt instanceof Adam);
  if (agent.fast && !wasm) throw new Error('ppoUpdate: an agent on the wasm engine needs the engine optimiser (nets/optimizer.ts createAgentOptimizer)');
  if (wasm && pool) throw new UsageError("learner threads (learnerThreads > 1) run on the tfjs engine: set engine 'tfjs' or learnerThreads 1");
  const S = batch.numStates;
  const P = batch.policy;
  const starts = rowStarts(P.stateIndex, S);
  // rows that are copies of their state's observation: one network pass per state, outputs copied to rows
  const mode = rowModeOf(batch);
  const mbStates = Math.floor(S / cfg.numMinibatches);
  const D = agent.obsDim;
  const A = agent.actionDim;
  const shards = pool ? 1 + pool.size : 1;
  if (shards > mbStates) throw new UsageError(`learner threads: ${shards} shards of a minibatch of ${mbStates} states leave some empty (use fewer learnerThreads)`);
  const params = agent.allParams;
  let last = [0, 0, 0, 0, 0, 0];
  let clipfracSum = 0;
  let updates = 0;
  let firstDev = NaN;

  for (let epoch = 0; epoch < cfg.updateEpochs; epoch++) {
    const perm = rng.permutation(S);
    for (let start = 0; start + mbStates <= S; start += mbStates) {
      const states = perm.subarray(start, start + mbStates);
      // [pg, v, H, oldKL, KL, clipfrac, max|ρ−1|, grad norm, loss] on the host
      let s: number[];
      if (wasm) {
        const arrays = minibatchArrays(batch, mode, starts, states, D, A);
        if (cfg.normAdv) arrays.advantages = normalizeAdvantagesHost(arrays.advantages, arrays.weights);
        const store = fast!.store;
        store.zeroGrad();
        const r = ppoLossWasm(fast!, arrays, cfg);
        const norm = store.clipGradNorm(cfg.maxGradNorm);
        (opt as Exclude<AgentOptimizer, Adam>).apply(lr);
        s = [...r.stats, norm, r.loss];
      } else if (shards === 1) {
        const arrays = minibatchArrays(batch, mode, starts, states, D, A);
        s = hostRow(tf.tidy(() => {
          const mb = minibatchTensors(arrays, D, A);
          if (cfg.normAdv) mb.advantages = normalizeAdvantages(mb.advantages, mb.weights);
          const kept: tf.Tensor[] = [];
          const { value: loss, grads } = tf.variableGrads(() => ppoLoss(agent, mb, cfg, kept), params);
          const clipped = clipByGlobalNorm(params.map((p) => grads[p.name]!), cfg.maxGradNorm);
          (opt as Adam).apply(clipped.grads, lr);
          const row = tf.concat([kept[0]!, tf.reshape(clipped.norm, [1]), tf.reshape(loss, [1])]);
          kept[0]!.dispose();
          return row;
        }));
      } else {
        const parts = split(states, shards).map((st) => minibatchArrays(batch, mode, starts, st, D, A));
        // the whole minibatch's advantage normalisation and denominators, then each shard's slice
        const allW = concatF32(parts.map((p) => p.weights));
        const allAdv = cfg.normAdv ? normalizeAdvantagesHost(concatF32(parts.map((p) => p.advantages)), allW) : null;
        let offset = 0;
        for (const part of parts) {
          if (allAdv) part.advantages = allAdv.slice(offset, offset + part.numRows);
          offset += part.numRows;
        }
        const totals: ShardTotals = { weightSum: allW.reduce((x, y) => x + y, 0), rows: offset, states: mbStates };
        pool!.start(params.map((p) => p.dataSync() as Float32Array), parts.slice(1), totals);
        s = hostRow(tf.tidy(() => {
          const kept: tf.Tensor[] = [];
          const { value: loss, grads } = tf.variableGrads(() => ppoLoss(agent, minibatchTensors(parts[0]!, D, A), cfg, kept, totals), params);
          const others = pool!.finish();
          const summed = params.map((p, i) => others.reduce((g, o) => tf.add(g, tf.tensor(o.grads[i]!, p.shape)), grads[p.name]!));
          const clipped = clipByGlobalNorm(summed, cfg.maxGradNorm);
          (opt as Adam).apply(clipped.grads, lr);
          const st = [...kept[0]!.dataSync()];
          kept[0]!.dispose();
          let lossSum = loss.dataSync()[0]!;
          for (const o of others) {
            for (let k = 0; k < LOSS_STATS - 1; k++) st[k]! += o.stats[k]!;
            st[LOSS_STATS - 1] = Math.max(st[LOSS_STATS - 1]!, o.stats[LOSS_STATS - 1]!);
            lossSum += o.loss;
          }
          return tf.concat([tf.tensor1d(st), tf.reshape(clipped.norm, [1]), tf.tensor1d([lossSum])]);
        }));
      }
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
  if (wasm) agent.syncToTf();
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
