/**
 * A model's parameters, their gradients and Adam's moments as four contiguous blocks of one arena,
 * tensor by tensor in a fixed order (the order of the tfjs variables the model mirrors). One kernel
 * call then zeroes, measures, clips or steps every tensor of the model.
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
  /** Adam's step count t. */
  t = 0;

  constructor(readonly arena: Arena, readonly shapes: number[][]) {
    this.lengths = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    this.offsets = [];
    let o = 0;
    for (const len of this.lengths) {
      this.offsets.push(o);
      o += (len + 3) & ~3; // 16-byte aligned tensors
    }
    this.size = o;
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

  /** One Adam step (PyTorch's rule, see nets/adam.ts) on every tensor. */
  adamStep(lr: number, beta1: number, beta2: number, eps: number): void {
    this.t += 1;
    const stepSize = lr / (1 - beta1 ** this.t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.t);
    this.arena.k.adamStep(this.p, this.g, this.m, this.v, this.size, stepSize, beta1, beta2, eps, bc2Sqrt);
  }
}
