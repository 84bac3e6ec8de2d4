/**
 * A model's parameters, their gradients and Adam's moments as four contiguous blocks of one arena,
 * tensor by tensor in a fixed order (the order of the tfjs variables the model mirrors). One kernel
 * call then zeroes, measures, clips or steps every tensor of the model.
 *
 * Adam's step count is kept per tensor, as PyTorch keeps `state['step']` per parameter: the counts
 * are equal (one fused step over the store) unless some tensors were re-initialised with fresh
 * moments (a partial reset, offpolicy/resets.ts); then each run of tensors with one count is stepped
 * with its own bias correction.
 */
import type { Arena } from './arena.js';

export class ParamStore {
  readonly size: number;
  readonly offsets: number[];
  readonly lengths: number[];
  /** Byte offsets of the parameter, gradient and moment blocks. */
  readonly p: number;
  readonly g: number;
  readonly m: number;
  readonly v: number;
  /** Adam's step count of each tensor. */
  readonly steps: number[];

  constructor(readonly arena: Arena, readonly shapes: number[][]) {
    this.lengths = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    this.offsets = [];
    let o = 0;
    for (const len of this.lengths) {
      this.offsets.push(o);
      o += (len + 3) & ~3; // 16-byte aligned tensors
    }
    this.size = o;
    this.steps = this.lengths.map(() => 0);
    this.p = arena.alloc(o);
    this.g = arena.alloc(o);
    this.m = arena.alloc(o);
    this.v = arena.alloc(o);
  }

  /** Byte offset of tensor i in the parameter block (add g − p etc. for the other blocks). */
  ptr(i: number): number {
    return this.p + this.offsets[i]! * 4;
  }

  gradPtr(i: number): number {
    return this.g + this.offsets[i]! * 4;
  }

  param(i: number): Float32Array {
    return this.arena.f32(this.ptr(i), this.lengths[i]!);
  }

  grad(i: number): Float32Array {
    return this.arena.f32(this.gradPtr(i), this.lengths[i]!);
  }

  /** Copies of every tensor of a block ('p' parameters, 'g' gradients, 'm'/'v' Adam moments). */
  read(block: 'p' | 'g' | 'm' | 'v' = 'p'): Float32Array[] {
    const base = this[block];
    return this.lengths.map((len, i) => this.arena.f32(base + this.offsets[i]! * 4, len).slice());
  }

  write(values: ArrayLike<number>[], block: 'p' | 'g' | 'm' | 'v' = 'p'): void {
    if (values.length !== this.lengths.length) throw new Error(`parameter store: expected ${this.lengths.length} tensors, got ${values.length}`);
    const base = this[block];
    values.forEach((val, i) => {
      if (val.length !== this.lengths[i]) throw new Error(`parameter store: tensor ${i} has ${this.lengths[i]} values, got ${val.length}`);
      this.arena.f32(base + this.offsets[i]! * 4, val.length).set(val);
    });
  }

  zeroGrad(): void {
    this.arena.f32(this.g, this.size).fill(0);
  }

  /** ‖g‖ over every tensor. */
  gradNorm(): number {
    return Math.sqrt(this.arena.k.sumSquares(this.g, this.size));
  }

  scaleGrad(c: number): void {
    this.arena.k.scale(this.g, this.size, c);
  }

  /** Global-norm clipping as PyTorch's clip_grad_norm_: g ← g·min(1, maxNorm/(‖g‖ + 1e-6)); returns the pre-clip norm. */
  clipGradNorm(maxNorm: number): number {
    const norm = this.gradNorm();
    const coef = Math.fround(maxNorm / Math.fround(Math.fround(norm) + 1e-6));
    if (coef < 1) this.scaleGrad(coef);
    return norm;
  }

  /** Adam's step count t, common to every tensor (an error after a partial reset left them unequal: read `steps`). */
  get t(): number {
    const t = this.steps[0] ?? 0;
    if (this.steps.some((s) => s !== t)) throw new Error(`parameter store: the tensors' Adam step counts differ (${this.steps.join(', ')}); read 'steps'`);
    return t;
  }

  set t(t: number) {
    this.steps.fill(t);
  }

  /**
   * One Adam step (PyTorch's rule, see nets/adam.ts) on every tensor; `weightDecay` λ > 0 makes it
   * AdamW's (decoupled: p ← p·(1 − lr·λ), then the Adam update; Loshchilov & Hutter, PyTorch's
   * AdamW, optax.adamw). λ = 0 is Adam bit for bit.
   */
  adamStep(lr: number, beta1: number, beta2: number, eps: number, weightDecay = 0): void {
    const decay = 1 - lr * weightDecay;
    const n = this.steps.length;
    for (let i = 0; i < n; ) {
      let j = i + 1;
      while (j < n && this.steps[j] === this.steps[i]) j++;
      const t = this.steps[i]! + 1;
      for (let k = i; k < j; k++) this.steps[k] = t;
      const start = this.offsets[i]! * 4;
      const len = (j < n ? this.offsets[j]! : this.size) - this.offsets[i]!;
      this.arena.k.adamStep(this.p + start, this.g + start, this.m + start, this.v + start, len, lr / (1 - beta1 ** t), beta1, beta2, eps, Math.sqrt(1 - beta2 ** t), decay);
      i = j;
    }
  }

  /**
   * Copies tensors (by index) of another store of the same shapes: their parameters, Adam moments
   * and step counts (a reset from a freshly built copy); the other tensors are left as they are.
   */
  copyTensorsFrom(src: ParamStore, tensors: readonly number[], blocks: readonly ('p' | 'm' | 'v')[] = ['p', 'm', 'v'], withSteps = true): void {
    if (src.shapes.map((s) => s.join('x')).join() !== this.shapes.map((s) => s.join('x')).join()) throw new Error('parameter store: copyTensorsFrom needs a store of the same shapes');
    for (const i of tensors) {
      if (!(i >= 0 && i < this.lengths.length)) throw new Error(`parameter store: no tensor ${i}`);
      for (const b of blocks) this.arena.f32(this[b] + this.offsets[i]! * 4, this.lengths[i]!).set(src.arena.f32(src[b] + src.offsets[i]! * 4, src.lengths[i]!));
      if (withSteps) this.steps[i] = src.steps[i]!;
    }
  }
}
