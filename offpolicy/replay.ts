/**
 * The replay buffer of the off-policy agents: a ring of preallocated Float32Arrays holding
 * (s, a, r, s′, terminated, truncated). Termination and truncation are kept apart: a TD target
 * bootstraps through a time-limit truncation (mask 1) and stops at a true termination (mask 0),
 * spec baselines.md §1. Each row stores its own s′ (the env's final observation on the last step of
 * an episode, never the reset observation), so no sampled transition crosses an episode boundary.
 *
 * Transition g (counted from 0 over the whole run) lives in slot g mod capacity; `count` alone
 * therefore fixes the ring position, which is what checkpoints record (offpolicy/replay-segments.ts).
 * Sampling is uniform with replacement over the filled slots, from the caller's seeded Rng, as
 * CleanRL's (SB3's) ReplayBuffer.sample; `sampleMany` draws one independent minibatch per update
 * (UTD > 1).
 *
 * Validation split (VPL, spec §7 and §12.8): with `validationEvery` = k > 0, transition g is held out
 * iff g mod k = k − 1 — every k-th transition, the routing of Fu et al. 2025's Alg. 1, here within one
 * ring. `sample` then draws uniformly over the training transitions only and `sampleValidation` over
 * the held-out ones (one Rng draw per row either way). The split is a function of the run-wide index,
 * which checkpoints keep, so a resumed run holds out exactly the same transitions.
 */
import type { Rng } from '../common/rng.js';

/** A minibatch, rows contiguous; `terminated`/`truncated` are 0/1 floats so targets use them as masks. */
export interface Batch {
  n: number;
  obs: Float32Array;
  act: Float32Array;
  rew: Float32Array;
  nextObs: Float32Array;
  terminated: Float32Array;
  truncated: Float32Array;
  /** n-step rows (offpolicy/nstep.ts): each row's bootstrap discount γ^(effective n); absent: γ. */
  discount?: Float64Array;
  /** Each row's task (multi-task replay, offpolicy/task-replay.ts); absent or all 0 in a single-task run. */
  task?: Int32Array;
}

export function allocBatch(n: number, obsDim: number, actDim: number): Batch {
  return {
    task: new Int32Array(n),
    n,
    obs: new Float32Array(n * obsDim),
    act: new Float32Array(n * actDim),
    rew: new Float32Array(n),
    nextObs: new Float32Array(n * obsDim),
    terminated: new Float32Array(n),
    truncated: new Float32Array(n),
  };
}

export class ReplayBuffer {
  readonly obs: Float32Array;
  readonly act: Float32Array;
  readonly rew: Float32Array;
  readonly nextObs: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  /** Transitions added over the whole run (the next one goes to slot count mod capacity). */
  count = 0;

  constructor(readonly capacity: number, readonly obsDim: number, readonly actDim: number, readonly validationEvery = 0) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new Error(`ReplayBuffer: capacity must be a positive integer, got ${capacity}`);
    if (!Number.isInteger(validationEvery) || validationEvery < 0 || validationEvery === 1) throw new Error(`ReplayBuffer: validationEvery must be 0 or an integer ≥ 2, got ${validationEvery}`);
    this.obs = new Float32Array(capacity * obsDim);
    this.act = new Float32Array(capacity * actDim);
    this.rew = new Float32Array(capacity);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.terminated = new Uint8Array(capacity);
    this.truncated = new Uint8Array(capacity);
  }

  /** Filled slots. */
  get size(): number {
    return Math.min(this.count, this.capacity);
  }

  /** Whether transition g (counted over the run) belongs to the validation split. */
  isHeldOut(g: number): boolean {
    const k = this.validationEvery;
    return k > 0 && g % k === k - 1;
  }

  /** Held-out transitions among those the ring holds. */
  get validationSize(): number {
    const k = this.validationEvery;
    if (k === 0) return 0;
    return Math.floor(this.count / k) - Math.floor((this.count - this.size) / k);
  }

  /** Transitions the ring holds that training may sample. */
  get trainingSize(): number {
    return this.size - this.validationSize;
  }

  /** The slot the next transition goes to. */
  get pos(): number {
    return this.count % this.capacity;
  }

  add(obs: ArrayLike<number>, act: ArrayLike<number>, rew: number, nextObs: ArrayLike<number>, terminated: boolean, truncated: boolean): void {
    const { obsDim, actDim } = this;
    if (obs.length !== obsDim || nextObs.length !== obsDim || act.length !== actDim) throw new Error(`ReplayBuffer.add: expected obs ${obsDim}, act ${actDim}, got obs ${obs.length}, act ${act.length}, next obs ${nextObs.length}`);
    const i = this.pos;
    this.obs.set(obs, i * obsDim);
    this.act.set(act, i * actDim);
    this.rew[i] = rew;
    this.nextObs.set(nextObs, i * obsDim);
    this.terminated[i] = terminated ? 1 : 0;
    this.truncated[i] = truncated ? 1 : 0;
    this.count += 1;
  }

  /** Copies slot i into row k of a batch. */
  copyRow(i: number, out: Batch, k: number): void {
    const { obsDim, actDim } = this;
    out.obs.set(this.obs.subarray(i * obsDim, (i + 1) * obsDim), k * obsDim);
    out.act.set(this.act.subarray(i * actDim, (i + 1) * actDim), k * actDim);
    out.rew[k] = this.rew[i]!;
    out.nextObs.set(this.nextObs.subarray(i * obsDim, (i + 1) * obsDim), k * obsDim);
    out.terminated[k] = this.terminated[i]!;
    out.truncated[k] = this.truncated[i]!;
  }

  /** Fills `out` (out.n rows) with training transitions drawn uniformly with replacement. */
  sample(rng: Rng, out: Batch): Batch {
    for (let r = 0; r < out.n; r++) this.sampleInto(rng, out, r);
    return out;
  }

  /** Row r of `out` ← a training transition drawn uniformly (one Rng draw). */
  sampleInto(rng: Rng, out: Batch, r: number): void {
    const size = this.size;
    if (size === 0) throw new Error('ReplayBuffer.sample: the buffer is empty');
    const k = this.validationEvery;
    if (k === 0) {
      this.copyRow(rng.int(size), out, r);
      return;
    }
    // the c-th training transition of the run is g = c + ⌊c/(k − 1)⌋; T(x) = x − ⌊x/k⌋ of them precede x
    const first = this.count - size;
    const c0 = first - Math.floor(first / k);
    const nTrain = this.count - Math.floor(this.count / k) - c0;
    if (nTrain === 0) throw new Error('ReplayBuffer.sample: the buffer holds no training transition');
    const c = c0 + rng.int(nTrain);
    this.copyRow((c + Math.floor(c / (k - 1))) % this.capacity, out, r);
  }

  /** Fills `out` with held-out transitions drawn uniformly with replacement; null while there are none. */
  sampleValidation(rng: Rng, out: Batch): Batch | null {
    const k = this.validationEvery;
    const nVal = this.validationSize;
    if (nVal === 0) return null;
    // the c-th held-out transition of the run is g = c·k + k − 1
    const c0 = Math.floor((this.count - this.size) / k);
    for (let r = 0; r < out.n; r++) this.copyRow(((c0 + rng.int(nVal)) * k + k - 1) % this.capacity, out, r);
    return out;
  }

  /** `updates` independent minibatches of n rows, one per gradient update (UTD > 1). */
  sampleMany(rng: Rng, n: number, updates: number): Batch[] {
    return Array.from({ length: updates }, () => this.sample(rng, allocBatch(n, this.obsDim, this.actDim)));
  }
}
