/**
 * The standard Atari preprocessing (CleanRL `ppo_atari.py`, SB3 `AtariWrapper`; spec
 * ppo-and-envs.md §1.2): NoopReset(30) → MaxAndSkip(4) → FireReset → WarpFrame (grayscale, 84 × 84)
 * → FrameStack(4). EpisodicLife is left out because Pong has no lives; reward clipping is the
 * training stack's ClipReward(1) (Pong's per-step rewards are already in {−1, 0, 1}).
 * Frames are HWC float arrays with values 0–255; the stacked observation is channel-first, 4 × 84 × 84.
 */
import { Rng, type RngState } from '../../common/rng.js';
import { ObservationWrapper, Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../env.js';
import { box, type Space } from '../spaces.js';

/** On reset, take a random number (1…noopMax) of NOOP actions. */
export class NoopReset extends Wrapper {
  private readonly rng = new Rng(0);
  constructor(env: Env, readonly noopMax = 30) {
    super(env);
  }
  override reset(options: ResetOptions = {}): ResetResult {
    if (options.seed !== undefined) this.rng.seed(options.seed + 7_919);
    let r = this.env.reset(options);
    const n = 1 + this.rng.int(this.noopMax);
    for (let i = 0; i < n; i++) {
      const s = this.env.step(0);
      r = { obs: s.obs, info: s.info };
      if (s.terminated || s.truncated) r = this.env.reset();
    }
    return r;
  }
  override getState(): unknown {
    return { inner: this.env.getState(), rng: this.rng.getState() };
  }
  override setState(state: unknown): void {
    const s = state as { inner: unknown; rng: RngState };
    this.env.setState(s.inner);
    this.rng.setState(s.rng);
  }
}

/** Repeat the action `skip` times, sum the rewards, observe the max of the last two frames. */
export class MaxAndSkip extends Wrapper {
  constructor(env: Env, readonly skip = 4) {
    super(env);
  }
  override step(action: Action): StepResult {
    let reward = 0;
    let last: StepResult | null = null;
    let prev: Float32Array | null = null;
    for (let i = 0; i < this.skip; i++) {
      const r = this.env.step(action);
      reward += r.reward;
      if (i >= this.skip - 2) prev = last ? last.obs : null;
      last = r;
      if (r.terminated || r.truncated) break;
    }
    return { ...last!, obs: prev ? elementwiseMax(last!.obs, prev) : last!.obs, reward };
  }
}

function elementwiseMax(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! > b[i]! ? a[i]! : b[i]!;
  return out;
}

/** Press FIRE (and then action 2) after reset, for games that need it to start. */
export class FireReset extends Wrapper {
  override reset(options?: ResetOptions): ResetResult {
    this.env.reset(options);
    let s = this.env.step(1);
    if (s.terminated || s.truncated) this.env.reset();
    s = this.env.step(2);
    if (s.terminated || s.truncated) return this.env.reset();
    return { obs: s.obs, info: s.info };
  }
}

/** Grayscale (ITU-R 601 luma) and resize to size × size by area averaging (OpenCV INTER_AREA). */
export class WarpFrame extends ObservationWrapper {
  private readonly h: number;
  private readonly w: number;
  constructor(env: Env, readonly size = 84) {
    super(env);
    const sp = env.observationSpace;
    if (sp.kind !== 'box' || sp.shape.length !== 3 || sp.shape[2] !== 3) throw new Error(`WarpFrame: expected an H × W × 3 RGB observation space, got ${JSON.stringify(sp)}`);
    this.h = sp.shape[0]!;
    this.w = sp.shape[1]!;
  }
  override get observationSpace(): Space {
    return box(0, 255, [this.size, this.size, 1]);
  }
  protected observation(rgb: Float32Array): Float32Array {
    const { h, w, size } = this;
    const luma = new Float64Array(h * w);
    for (let p = 0, i = 0; p < luma.length; p++, i += 3) luma[p] = 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
    const rows = this.rowTaps ??= areaTaps(h, size);
    const cols = this.colTaps ??= areaTaps(w, size);
    const area = (h / size) * (w / size);
    const out = new Float32Array(size * size);
    for (let oy = 0; oy < size; oy++) {
      const ry = rows[oy]!;
      for (let ox = 0; ox < size; ox++) {
        const cx = cols[ox]!;
        let acc = 0;
        for (let a = 0; a < ry.index.length; a++) {
          const base = ry.index[a]! * w;
          const wy = ry.weight[a]!;
          for (let b = 0; b < cx.index.length; b++) acc += wy * cx.weight[b]! * luma[base + cx.index[b]!]!;
        }
        out[oy * size + ox] = Math.round(acc / area);
      }
    }
    return out;
  }
  private rowTaps: Taps[] | undefined;
  private colTaps: Taps[] | undefined;
}

interface Taps {
  index: Int32Array;
  weight: Float64Array;
}

/** For each of `size` output cells along an axis of length n: the input cells it covers and the covered fraction of each. */
function areaTaps(n: number, size: number): Taps[] {
  const step = n / size;
  return Array.from({ length: size }, (_, o) => {
    const lo = o * step;
    const hi = lo + step;
    const index: number[] = [];
    const weight: number[] = [];
    for (let k = Math.floor(lo); k < Math.ceil(hi); k++) {
      index.push(k);
      weight.push(Math.min(k + 1, hi) - Math.max(k, lo));
    }
    return { index: Int32Array.from(index), weight: Float64Array.from(weight) };
  });
}

/** Stack the last k frames, channel-first (k × H × W); reset fills the stack with the first frame. */
export class FrameStack extends Wrapper {
  private frames: Float32Array[] = [];
  constructor(env: Env, readonly k = 4) {
    super(env);
  }
  override get observationSpace(): Space {
    const sp = this.env.observationSpace;
    if (sp.kind !== 'box') throw new Error('FrameStack: expected a Box observation space');
    return box(0, 255, [this.k, sp.shape[0]!, sp.shape[1]!]);
  }
  private stacked(): Float32Array {
    const n = this.frames[0]!.length;
    const out = new Float32Array(this.k * n);
    this.frames.forEach((f, i) => out.set(f, i * n));
    return out;
  }
  override reset(options?: ResetOptions): ResetResult {
    const r = this.env.reset(options);
    this.frames = Array.from({ length: this.k }, () => r.obs);
    return { ...r, obs: this.stacked() };
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    this.frames = [...this.frames.slice(1), r.obs];
    return { ...r, obs: this.stacked() };
  }
  override getState(): unknown {
    return { inner: this.env.getState(), frames: this.frames.map((f) => Array.from(f)) };
  }
  override setState(state: unknown): void {
    const s = state as { inner: unknown; frames: number[][] };
    this.env.setState(s.inner);
    this.frames = s.frames.map((f) => Float32Array.from(f));
  }
}

/** The full pixel stack for an ALE-shaped env with frameskip 1. */
export function atariPreprocessing(env: Env): Env {
  return new FrameStack(new WarpFrame(new FireReset(new MaxAndSkip(new NoopReset(env, 30), 4)), 84), 4);
}
