/**
 * Policy rows for estimators that score a set of actions per visited state (MAC: every action;
 * WMPG: a without-replacement sample). Each state's rows carry the action, its old log-prob, the
 * estimator's weight w and advantage Â, so the state's gradient term is Σ_rows w Â ∇log π(a|s)
 * (spec: the estimator interface). The executed action is not among the rows unless the set holds
 * it. Value targets stay those of the real states.
 */
import { UsageError } from '../common/errors.js';
import type { Space } from '../envs/spaces.js';
import type { ActorCritic } from '../nets/actor-critic.js';
import type { Rollout } from '../ppo/rollout.js';
import type { EstimatorBatch } from './estimator.js';

export interface ActionSetRow {
  state: number;
  action: number;
  logProb: number;
  weight: number;
  advantage: number;
}

export function actionSetBatch(r: Rollout, base: EstimatorBatch, rows: ActionSetRow[], stats: Record<string, number>): EstimatorBatch {
  const D = r.obsDim;
  const n = rows.length;
  const out = {
    obs: new Float32Array(n * D),
    actions: new Float32Array(n),
    oldLogProbs: new Float32Array(n),
    advantages: new Float32Array(n),
    weights: new Float32Array(n),
    stateIndex: new Int32Array(n),
    rowsAreStates: true,
  };
  let prev = -1;
  rows.forEach((row, i) => {
    if (row.state < prev) throw new Error('actionSetBatch: rows must be grouped by state in increasing order');
    prev = row.state;
    out.obs.set(r.obs.subarray(row.state * D, (row.state + 1) * D), i * D);
    out.actions[i] = row.action;
    out.oldLogProbs[i] = row.logProb;
    out.advantages[i] = row.advantage;
    out.weights[i] = row.weight;
    out.stateIndex[i] = row.state;
  });
  return { numStates: base.numStates, policy: out, value: base.value, stats };
}

const continuousActions = (estimator: string) => new UsageError(`estimator '${estimator}' needs a Discrete action space; this environment's actions are continuous (use single, qma, daa or mbpo)`);

/** Set estimators need a categorical policy; returns |A|. */
export function requireDiscrete(agent: ActorCritic, estimator: string): number {
  if (agent.kind !== 'categorical') throw continuousActions(estimator);
  return agent.outDim;
}

/** The same check on the env's action space (config resolution, before an agent exists); returns |A|. */
export function requireDiscreteSpace(actionSpace: Space, estimator: string): number {
  if (actionSpace.kind !== 'discrete') throw continuousActions(estimator);
  return actionSpace.n;
}
