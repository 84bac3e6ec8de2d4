/**
 * n-step returns over the replay ring (FastTD3, spec baselines.md §9 and §12.8; §1's C51 target with
 * γⁿ). The row sampled at transition g becomes
 *   (s_g, a_g, R = Σ_{j<m} γ^j r_{g+jN}, s′ = s′_{g+(m−1)N}, terminated, truncated of that last one, γ^m)
 * where N is the stride (the trainer adds one transition per env and vector step, env 0 first, so
 * env e's stream is the transitions g ≡ e mod N) and m ≤ n is the effective n: the window stops at a
 * termination (no bootstrap: the learner's mask is 1 − terminated), at a truncation (bootstrap from
 * the final observation where the episode was cut) or at the newest transition of that env's stream
 * (bootstrap from its s′ — FastTD3 forces the newest slot to count as truncated, §12.8; here the
 * window simply ends there). The window reads only transitions newer than g, which the ring still
 * holds, so wrap-around needs nothing more, and everything follows from the run-wide count that
 * checkpoints keep: a resumed run samples the same rows.
 */
import type { Rng } from '../common/rng.js';
import type { Batch, ReplayBuffer } from './replay.js';

export interface NStepOptions {
  /** The most rewards a row sums (1: the plain one-step transition, discount γ). */
  n: number;
  gamma: number;
  /** Transitions added per vector step (numEnvs): the next transition of g's env is g + stride. */
  stride: number;
}

/** The run-wide index of the transition the ring holds in `slot` (slot < size). */
export function transitionAt(buf: ReplayBuffer, slot: number): number {
  const first = buf.count - buf.size;
  return first + ((((slot - first) % buf.capacity) + buf.capacity) % buf.capacity);
}

/** Row k of `out` (which needs `discount`) ← the n-step transition starting at transition g. */
export function nStepRow(buf: ReplayBuffer, g: number, o: NStepOptions, out: Batch & { discount: Float64Array }, k: number): void {
  const cap = buf.capacity;
  buf.copyRow(g % cap, out, k);
  let ret = 0;
  let disc = 1;
  let last = g % cap;
  for (let j = 0, idx = g; j < o.n && idx < buf.count; j++, idx += o.stride) {
    last = idx % cap;
    ret += disc * buf.rew[last]!;
    disc *= o.gamma;
    if (buf.terminated[last] || buf.truncated[last]) break;
  }
  const D = buf.obsDim;
  out.rew[k] = ret;
  out.nextObs.set(buf.nextObs.subarray(last * D, (last + 1) * D), k * D);
  out.terminated[k] = buf.terminated[last]!;
  out.truncated[k] = buf.truncated[last]!;
  out.discount[k] = disc;
}

/**
 * Fills `out` with n-step rows at transitions drawn uniformly with replacement — the same draws as
 * ReplayBuffer.sample (one rng.int(size) per row), so n = 1 samples the same transitions.
 */
export function sampleNStep(buf: ReplayBuffer, rng: Rng, out: Batch, o: NStepOptions): Batch {
  if (buf.validationEvery > 0) throw new Error('sampleNStep: n-step rows would read held-out transitions (validationEvery > 0)');
  if (buf.size === 0) throw new Error('sampleNStep: the buffer is empty');
  const rows = out as Batch & { discount: Float64Array };
  rows.discount ??= new Float64Array(out.n);
  for (let r = 0; r < out.n; r++) nStepRow(buf, transitionAt(buf, rng.int(buf.size)), o, rows, r);
  return out;
}
