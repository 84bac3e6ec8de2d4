/**
 * The policy rows of a many-actions estimator (spec estimators.md Eq. 3 and MBMA's
 * `.mean(1).mean()`): for each visited state, the real action with its GAE advantage followed by
 * its X extra actions with their own advantages, every row weighted 1/(X + 1). Value targets stay
 * those of the real states.
 */
import type { Rollout } from '../ppo/rollout.js';
import type { EstimatorBatch } from './estimator.js';

export interface ExtraActions {
  /** Per extra action, state-major: index s·X + j. */
  actions: Float32Array;
  logProbs: Float32Array;
  advantages: Float32Array;
}

/** Each of the first `rows` rows (width `width`) of `data`, repeated x times in place: row s at s·x … s·x + x − 1. */
export function repeatRows(data: Float32Array, width: number, rows: number, x: number): Float32Array {
  const out = new Float32Array(rows * x * width);
  for (let s = 0; s < rows; s++) for (let j = 0; j < x; j++) out.set(data.subarray(s * width, (s + 1) * width), (s * x + j) * width);
  return out;
}

export function repeatObservations(r: Rollout, states: number, x: number): Float32Array {
  return repeatRows(r.obs, r.obsDim, states, x);
}

export function manyActionsBatch(r: Rollout, base: EstimatorBatch, extra: ExtraActions, x: number, stats: Record<string, number>): EstimatorBatch {
  const S = base.numStates;
  const D = r.obsDim;
  const A = r.actionDim;
  const rows = S * (x + 1);
  const out = {
    obs: new Float32Array(rows * D),
    actions: new Float32Array(rows * A),
    oldLogProbs: new Float32Array(rows),
    advantages: new Float32Array(rows),
    weights: new Float32Array(rows).fill(1 / (x + 1)),
    stateIndex: new Int32Array(rows),
    rowsAreStates: true,
  };
  for (let s = 0; s < S; s++) {
    const row0 = s * (x + 1);
    const obs = r.obs.subarray(s * D, (s + 1) * D);
    out.obs.set(obs, row0 * D);
    out.actions.set(base.policy.actions.subarray(s * A, (s + 1) * A), row0 * A);
    out.oldLogProbs[row0] = base.policy.oldLogProbs[s]!;
    out.advantages[row0] = base.policy.advantages[s]!;
    out.stateIndex[row0] = s;
    for (let j = 0; j < x; j++) {
      const row = row0 + 1 + j;
      const e = s * x + j;
      out.obs.set(obs, row * D);
      out.actions.set(extra.actions.subarray(e * A, (e + 1) * A), row * A);
      out.oldLogProbs[row] = extra.logProbs[e]!;
      out.advantages[row] = extra.advantages[e]!;
      out.stateIndex[row] = s;
    }
  }
  return { numStates: S, policy: out, value: base.value, stats };
}
