/**
 * A ring buffer of real transitions (s, a, r, s', terminated) for training dynamics models, stored
 * as flat float32 arrays. When full, the oldest transitions are overwritten. Serialisable.
 */
import { float32FromBase64, toBase64 } from '../nets/serialize.js';
import type { Rng } from '../common/rng.js';
import type { Rollout } from '../ppo/rollout.js';

export interface Transitions {
  n: number;
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  terminated: Uint8Array;
}

export interface MeanStd {
  mean: Float32Array;
  std: Float32Array;
}

export interface BufferStatistics {
  obs: MeanStd;
  actions: MeanStd;
  target: MeanStd;
  reward: MeanStd;
}

export class ReplayBuffer {
  private readonly obs: Float32Array;
  private readonly act: Float32Array;
  private readonly rew: Float32Array;
  private readonly next: Float32Array;
  private readonly term: Uint8Array;
  private head = 0;
  size = 0;

  constructor(readonly capacity: number, readonly obsDim: number, readonly actDim: number) {
    this.obs = new Float32Array(capacity * obsDim);
    this.act = new Float32Array(capacity * actDim);
    this.rew = new Float32Array(capacity);
    this.next = new Float32Array(capacity * obsDim);
    this.term = new Uint8Array(capacity);
  }

  add(obs: ArrayLike<number>, action: ArrayLike<number>, reward: number, nextObs: ArrayLike<number>, terminated: boolean): void {
    const i = this.head;
    this.obs.set(obs, i * this.obsDim);
    this.act.set(action, i * this.actDim);
    this.rew[i] = reward;
    this.next.set(nextObs, i * this.obsDim);
    this.term[i] = terminated ? 1 : 0;
    this.head = (this.head + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /**
   * The rollout's real transitions. `actionTransform` maps the stored (unclipped) action to what the
   * env executed (MBMA trains its model on clip(a, −1, 1)).
   */
  addRollout(r: Rollout, actionTransform: (a: Float32Array) => Float32Array = (a) => a, space: 'agent' | 'raw' = 'agent'): void {
    const N = r.numEnvs;
    const D = r.obsDim;
    const A = r.actionDim;
    // 'raw': the observations and rewards before the env stack's normalisers (one fixed coordinate system)
    const src = space === 'raw' ? r.raw : r;
    for (let t = 0; t < r.numSteps; t++) {
      for (let i = 0; i < N; i++) {
        const k = t * N + i;
        const next = src.finalObs.get(k) ?? (t + 1 < r.numSteps ? src.obs.subarray((k + N) * D, (k + N + 1) * D) : src.nextObs.subarray(i * D, (i + 1) * D));
        this.add(src.obs.subarray(k * D, (k + 1) * D), actionTransform(r.actions.subarray(k * A, (k + 1) * A)), src.rewards[k]!, next, r.terminated[k] === 1);
      }
    }
  }

  /**
   * Per-dimension mean and standard deviation of the stored observations, actions, prediction targets
   * (next observations, or their change from the observation when `delta`) and rewards: what a model
   * normalises its inputs and targets with. A dimension that does not vary gets std 1.
   */
  statistics(delta: boolean): BufferStatistics {
    const n = this.size;
    const meanStd = (get: (i: number, d: number) => number, width: number): { mean: Float32Array; std: Float32Array } => {
      const mean = new Float64Array(width);
      const sq = new Float64Array(width);
      for (let i = 0; i < n; i++)
        for (let d = 0; d < width; d++) {
          const v = get(i, d);
          mean[d]! += v;
          sq[d]! += v * v;
        }
      const m = new Float32Array(width);
      const s = new Float32Array(width);
      for (let d = 0; d < width; d++) {
        const mu = mean[d]! / Math.max(n, 1);
        const sd = Math.sqrt(Math.max(sq[d]! / Math.max(n, 1) - mu * mu, 0));
        m[d] = mu;
        s[d] = sd > 1e-6 ? sd : 1;
      }
      return { mean: m, std: s };
    };
    const D = this.obsDim;
    const A = this.actDim;
    return {
      obs: meanStd((i, d) => this.obs[i * D + d]!, D),
      actions: meanStd((i, d) => this.act[i * A + d]!, A),
      target: meanStd((i, d) => this.next[i * D + d]! - (delta ? this.obs[i * D + d]! : 0), D),
      reward: meanStd((i) => this.rew[i]!, 1),
    };
  }

  sample(batch: number, rng: Rng): Transitions {
    if (this.size === 0) throw new Error('ReplayBuffer.sample: the buffer is empty');
    const out: Transitions = {
      n: batch,
      obs: new Float32Array(batch * this.obsDim),
      actions: new Float32Array(batch * this.actDim),
      rewards: new Float32Array(batch),
      nextObs: new Float32Array(batch * this.obsDim),
      terminated: new Uint8Array(batch),
    };
    for (let b = 0; b < batch; b++) {
      const i = rng.int(this.size);
      out.obs.set(this.obs.subarray(i * this.obsDim, (i + 1) * this.obsDim), b * this.obsDim);
      out.actions.set(this.act.subarray(i * this.actDim, (i + 1) * this.actDim), b * this.actDim);
      out.rewards[b] = this.rew[i]!;
      out.nextObs.set(this.next.subarray(i * this.obsDim, (i + 1) * this.obsDim), b * this.obsDim);
      out.terminated[b] = this.term[i]!;
    }
    return out;
  }

  getState(): unknown {
    return { head: this.head, size: this.size, obs: toBase64(this.obs), act: toBase64(this.act), rew: toBase64(this.rew), next: toBase64(this.next), term: toBase64(this.term) };
  }

  setState(s: unknown): void {
    const st = s as { head: number; size: number; obs: string; act: string; rew: string; next: string; term: string };
    this.obs.set(float32FromBase64(st.obs));
    this.act.set(float32FromBase64(st.act));
    this.rew.set(float32FromBase64(st.rew));
    this.next.set(float32FromBase64(st.next));
    this.term.set(Buffer.from(st.term, 'base64'));
    this.head = st.head;
    this.size = st.size;
  }
}
