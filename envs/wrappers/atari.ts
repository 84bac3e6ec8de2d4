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
    const obs = prev ? last!.obs.map((v, i) => Math.max(v, prev![i]!)) : last!.obs;
    return { ...last!, obs, reward };
  }
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
    const out = new Float32Array(size * size);
    const sy = h / size;
    const sx = w / size;
    for (let oy = 0; oy < size; oy++) {
      const y0 = oy * sy;
      const y1 = y0 + sy;
      for (let ox = 0; ox < size; ox++) {
        const x0 = ox * sx;
        const x1 = x0 + sx;
        let acc = 0;
        for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
          const wy = Math.min(y + 1, y1) - Math.max(y, y0);
          for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
            const wx = Math.min(x + 1, x1) - Math.max(x, x0);
            const i = (y * w + x) * 3;
            acc += wy * wx * (0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!);
          }
        }
        out[oy * size + ox] = Math.round(acc / (sy * sx));
      }
    }
    return out;
  }
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
