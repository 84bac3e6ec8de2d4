/**
 * What estimators with learned models need to know about the env stack they train on, read off a
 * vector env: how the stack scales raw observations and rewards for the agent right now (each
 * sub-env has its own normalisers), the bounds executed actions are clipped to, and whether the task
 * can terminate. The trainer and the analysis both build estimator contexts with it.
 */
import { envSpec } from '../envs/registry.js';
import { agentTransform, executedActionBounds } from '../envs/stack.js';
import type { VectorEnv } from '../envs/vector.js';
import type { EstimatorContext } from '../estimators/estimator.js';

export function envFacts(venv: VectorEnv, envId: string): Pick<EstimatorContext, 'agentScaling' | 'actionBounds' | 'canTerminate'> {
  return {
    agentScaling: {
      observations: (raw, n, envOf) => perEnv(venv, raw, n, envOf, (t, rows, k) => t.observations(rows, k)),
      rewards: (raw, envOf) => perEnv(venv, raw, raw.length, envOf, (t, rows) => t.rewards(rows)),
    },
    actionBounds: executedActionBounds(venv.envStacks()[0]!),
    canTerminate: envSpec(envId).terminates !== false,
  };
}

/** Apply sub-env e's current transform to the rows that came from sub-env e (`envOf(row)`). */
function perEnv(venv: VectorEnv, raw: Float32Array, n: number, envOf: (row: number) => number, apply: (t: ReturnType<typeof agentTransform>, rows: Float32Array, k: number) => Float32Array): Float32Array {
  const width = raw.length / n;
  // the sub-envs' normalisers as they are now (an async env syncs its main-thread mirrors of them first)
  const transforms = venv.envStacks().map((e) => agentTransform(e));
  if (transforms.length === 1) return apply(transforms[0]!, raw, n);
  const out = new Float32Array(raw.length);
  for (let e = 0; e < transforms.length; e++) {
    const rows: number[] = [];
    for (let b = 0; b < n; b++) if (envOf(b) === e) rows.push(b);
    if (rows.length === 0) continue;
    const part = new Float32Array(rows.length * width);
    rows.forEach((b, j) => part.set(raw.subarray(b * width, (b + 1) * width), j * width));
    const mapped = apply(transforms[e]!, part, rows.length);
    rows.forEach((b, j) => out.set(mapped.subarray(j * width, (j + 1) * width), b * width));
  }
  return out;
}
