/**
 * Generalised Advantage Estimation (Schulman et al. 2016; PPO detail 5), over a time-major rollout
 * of T steps × N envs where row t·N + i is the transition (s_t, a_t, r_t, s_{t+1}) of env i.
 *
 *   δ_t = r_t + γ·V_next − V(s_t),   Â_t = δ_t + γλ·(1 − done_t)·Â_{t+1},   R_t = Â_t + V(s_t)
 *
 * where V_next = 0 when the episode terminated, V(final obs) when it was truncated and
 * `bootstrapTruncation` is on (SB3's timeout handling), 0 when truncated and it is off (CleanRL,
 * openai/baselines), and V(s_{t+1}) otherwise (`nextValues` after the last step).
 */
export interface GaeInput {
  numSteps: number;
  numEnvs: number;
  rewards: ArrayLike<number>;
  values: ArrayLike<number>;
  terminated: ArrayLike<number>;
  truncated: ArrayLike<number>;
  /** V(final observation) on rows that ended by truncation (ignored elsewhere). */
  finalValues: ArrayLike<number>;
  /** V(s_T) for each env, after the last step. */
  nextValues: ArrayLike<number>;
  gamma: number;
  lambda: number;
  bootstrapTruncation: boolean;
}

export function computeGae(g: GaeInput): { advantages: Float32Array; returns: Float32Array } {
  const { numSteps: T, numEnvs: N, gamma, lambda } = g;
  const adv = new Float32Array(T * N);
  const ret = new Float32Array(T * N);
  for (let i = 0; i < N; i++) {
    let last = 0;
    for (let t = T - 1; t >= 0; t--) {
      const k = t * N + i;
      const term = g.terminated[k]! !== 0;
      const trunc = g.truncated[k]! !== 0;
      let nextV: number;
      if (term) nextV = 0;
      else if (trunc) nextV = g.bootstrapTruncation ? g.finalValues[k]! : 0;
      else nextV = t === T - 1 ? g.nextValues[i]! : g.values[k + N]!;
      const delta = g.rewards[k]! + gamma * nextV - g.values[k]!;
      last = delta + (term || trunc ? 0 : gamma * lambda * last);
      adv[k] = last;
      ret[k] = last + g.values[k]!;
    }
  }
  return { advantages: adv, returns: ret };
}
