/**
 * Replay of frame transitions for the latent world model (`wmpg` on `Pong-v0`). Frames are stacks of
 * 0–255 grayscale pixels, stored as bytes (a 4 × 84 × 84 stack is 28 KB instead of 113 KB as
 * float32), with the action, reward, termination and the agent's outputs at the state when it was
 * collected: V_old(s) and log π_old(·|s), the targets the model's latent value and policy heads are
 * distilled towards. A ring of `capacity` transitions; checkpoint state is base64.
 */
import type { Rng } from '../common/rng.js';
import { float32FromBase64, toBase64 } from '../nets/serialize.js';
import type { Rollout } from '../ppo/rollout.js';

export interface FrameTransitions {
  n: number;
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  terminated: Float32Array;
  values: Float32Array;
  logProbs: Float32Array;
}

const bytes = (s: string) => Buffer.from(s, 'base64');

export class FrameReplayBuffer {
  private readonly obs: Uint8Array;
  private readonly next: Uint8Array;
  private readonly act: Float32Array;
  private readonly rew: Float32Array;
  private readonly term: Uint8Array;
  private readonly val: Float32Array;
  private readonly logp: Float32Array;
  private head = 0;
  size = 0;

  constructor(readonly capacity: number, readonly frameDim: number, readonly numActions: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`FrameReplayBuffer: capacity must be a positive integer, got ${capacity}`);
    this.obs = new Uint8Array(capacity * frameDim);
    this.next = new Uint8Array(capacity * frameDim);
    this.act = new Float32Array(capacity);
    this.rew = new Float32Array(capacity);
    this.term = new Uint8Array(capacity);
    this.val = new Float32Array(capacity);
    this.logp = new Float32Array(capacity * numActions);
  }

  private static toBytes(src: ArrayLike<number>, into: Uint8Array, at: number, what: string): void {
    for (let i = 0; i < src.length; i++) {
      const x = src[i]!;
      if (!(x >= 0 && x <= 255 && Number.isInteger(x))) throw new Error(`FrameReplayBuffer: ${what} must hold integer pixel values 0–255, got ${x} at index ${i}`);
      into[at + i] = x;
    }
  }

  /**
   * The rollout's transitions; `logProbsAll` is log π_old(·|s) for each row (S × |A|). The next
   * observation is the following row's, the final observation at an episode end, or the rollout's
   * `nextObs` after its last step.
   */
  addRollout(r: Rollout, logProbsAll: Float32Array): void {
    const N = r.numEnvs;
    const D = r.obsDim;
    const nA = this.numActions;
    if (D !== this.frameDim) throw new Error(`FrameReplayBuffer: rollout observations have ${D} values, the buffer holds ${this.frameDim}`);
    for (let t = 0; t < r.numSteps; t++) {
      for (let i = 0; i < N; i++) {
        const k = t * N + i;
        const next = r.finalObs.get(k) ?? (t + 1 < r.numSteps ? r.obs.subarray((k + N) * D, (k + N + 1) * D) : r.nextObs.subarray(i * D, (i + 1) * D));
        const h = this.head;
        FrameReplayBuffer.toBytes(r.obs.subarray(k * D, (k + 1) * D), this.obs, h * D, 'observations');
        FrameReplayBuffer.toBytes(next, this.next, h * D, 'next observations');
        this.act[h] = r.actions[k]!;
        this.rew[h] = r.rewards[k]!;
        this.term[h] = r.terminated[k]!;
        this.val[h] = r.values[k]!;
        this.logp.set(logProbsAll.subarray(k * nA, (k + 1) * nA), h * nA);
        this.head = (h + 1) % this.capacity;
        this.size = Math.min(this.size + 1, this.capacity);
      }
    }
  }

  sample(batch: number, rng: Rng): FrameTransitions {
    if (this.size === 0) throw new Error('FrameReplayBuffer.sample: the buffer is empty');
    const D = this.frameDim;
    const nA = this.numActions;
    const out: FrameTransitions = {
      n: batch,
      obs: new Float32Array(batch * D),
      actions: new Float32Array(batch),
      rewards: new Float32Array(batch),
      nextObs: new Float32Array(batch * D),
      terminated: new Float32Array(batch),
      values: new Float32Array(batch),
      logProbs: new Float32Array(batch * nA),
    };
    for (let b = 0; b < batch; b++) {
      const i = rng.int(this.size);
      out.obs.set(this.obs.subarray(i * D, (i + 1) * D), b * D);
      out.nextObs.set(this.next.subarray(i * D, (i + 1) * D), b * D);
      out.actions[b] = this.act[i]!;
      out.rewards[b] = this.rew[i]!;
      out.terminated[b] = this.term[i]!;
      out.values[b] = this.val[i]!;
      out.logProbs.set(this.logp.subarray(i * nA, (i + 1) * nA), b * nA);
    }
    return out;
  }

  getState(): unknown {
    return { head: this.head, size: this.size, obs: toBase64(this.obs), next: toBase64(this.next), act: toBase64(this.act), rew: toBase64(this.rew), term: toBase64(this.term), val: toBase64(this.val), logp: toBase64(this.logp) };
  }

  setState(s: unknown): void {
    const st = s as Record<'obs' | 'next' | 'act' | 'rew' | 'term' | 'val' | 'logp', string> & { head: number; size: number };
    this.obs.set(bytes(st.obs));
    this.next.set(bytes(st.next));
    this.term.set(bytes(st.term));
    this.act.set(float32FromBase64(st.act));
    this.rew.set(float32FromBase64(st.rew));
    this.val.set(float32FromBase64(st.val));
    this.logp.set(float32FromBase64(st.logp));
    this.head = st.head;
    this.size = st.size;
  }
}
