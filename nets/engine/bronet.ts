/**
 * BroNet on the engine (BRO's residual trunk, spec baselines.md §6 [code] and §12.2):
 *   x → Dense(W) → LN → ReLU → [Dense(W) → LN → ReLU → Dense(W) → LN, then + its input] × N → Dense(out)
 * with no activation and no LayerNorm after a residual add. Its tensors are a run of a ParamStore:
 * stem W, b, LN gain, LN bias; per block the same for its two Dense layers; then the head's W, b.
 * LayerNorm's ε defaults to Flax's 1e-6 (the reference is JAX/Flax). Forward keeps what backward
 * needs (each block's input, the ReLU outputs, LayerNorm's x̂ and 1/σ); backward accumulates into the
 * store's gradients, the skip path's gradient added to the branch's (`addInto`).
 */
import type { Arena } from './arena.js';
import { checkStoreShapes, layerTensorCount, layerTensorIds, linearLayer, type EngineNet, type LinearLayer } from './engine-net.js';
import type { ParamStore } from './param-store.js';

export interface BroNetSpec {
  inDim: number;
  /** W: the width of every hidden layer. */
  width: number;
  /** N: residual blocks. */
  blocks: number;
  outDim: number;
  /** LayerNorm's ε (Flax's default 1e-6). */
  layerNormEps?: number;
}

/** Tensor shapes of a BroNet in store order. */
export function broNetShapes(s: BroNetSpec): number[][] {
  const W = s.width;
  const ln = (): number[][] => [[W], [W]];
  const shapes: number[][] = [[s.inDim, W], [W], ...ln()];
  for (let k = 0; k < s.blocks; k++) shapes.push([W, W], [W], ...ln(), [W, W], [W], ...ln());
  shapes.push([W, s.outDim], [s.outDim]);
  return shapes;
}

/** A Dense layer (optionally followed by LayerNorm) and its LayerNorm buffers. */
interface Dense extends LinearLayer {
  /** LayerNorm's x̂ (n × outDim) and 1/σ (n) of the last forward pass (0 without LayerNorm). */
  xhat: number;
  rstd: number;
}

export class BroNet implements EngineNet {
  readonly inDim: number;
  readonly outDim: number;
  readonly numTensors: number;
  readonly layers: Dense[];
  private readonly eps: number;
  private cap = 0;
  /** x (n × inDim); h[k]: input of block k, h[blocks] the head's input (n × W each); a[k]: block k's inner ReLU output. */
  private x = 0;
  private h: number[] = [];
  private a: number[] = [];
  private out = 0;
  /** Gradient buffers: dOut (n × outDim), dH/dBranch/dA (n × W), dX (n × inDim). */
  private dOut = 0;
  private dH = 0;
  private dBranch = 0;
  private dA = 0;
  private dX = 0;
  private readonly scratch: number;

  constructor(readonly arena: Arena, readonly store: ParamStore, readonly firstTensor: number, readonly spec: BroNetSpec) {
    this.inDim = spec.inDim;
    this.outDim = spec.outDim;
    this.eps = spec.layerNormEps ?? 1e-6;
    const shapes = broNetShapes(spec);
    this.numTensors = shapes.length;
    checkStoreShapes('BroNet', store, firstTensor, shapes);
    let t = firstTensor;
    const dense = (inDim: number, outDim: number, ln: boolean): Dense => {
      const d: Dense = { ...linearLayer(store, t, inDim, outDim, ln), xhat: 0, rstd: 0 };
      t += layerTensorCount(d);
      return d;
    };
    const W = spec.width;
    this.layers = [dense(spec.inDim, W, true)];
    for (let k = 0; k < spec.blocks; k++) this.layers.push(dense(W, W, true), dense(W, W, true));
    this.layers.push(dense(W, spec.outDim, false));
    this.scratch = arena.alloc(Math.max(...this.layers.map((L) => L.inDim * L.outDim)));
  }

  get blocks(): number {
    return this.spec.blocks;
  }

  withStore(store: ParamStore): BroNet {
    return new BroNet(this.arena, store, this.firstTensor, this.spec);
  }

  private ensure(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, 2 * this.cap, 16);
    const W = this.spec.width;
    const al = (len: number) => this.arena.alloc(len);
    this.x = al(cap * this.inDim);
    this.h = Array.from({ length: this.spec.blocks + 1 }, () => al(cap * W));
    this.a = Array.from({ length: this.spec.blocks }, () => al(cap * W));
    this.out = al(cap * this.outDim);
    for (const L of this.layers) {
      if (!L.lg) continue;
      L.xhat = al(cap * L.outDim);
      L.rstd = al(cap);
    }
    // gradient buffers too, so that no allocation detaches a view between a forward and its backward
    this.dOut = al(cap * this.outDim);
    this.dH = al(cap * W);
    this.dBranch = al(cap * W);
    this.dA = al(cap * W);
    this.dX = al(cap * this.inDim);
    this.cap = cap;
  }

  input(n: number): Float32Array {
    this.ensure(n);
    return this.arena.f32(this.x, n * this.inDim);
  }

  /** Dense (+ LayerNorm) from buffer src into dst. */
  private denseForward(L: Dense, src: number, dst: number, n: number): void {
    const k = this.arena.k;
    k.denseForward(src, L.w, L.b, dst, n, L.inDim, L.outDim);
    if (L.lg) k.layerNormForward(dst, L.lg, L.lb, L.xhat, L.rstd, n, L.outDim, this.eps);
  }

  run(n: number): number {
    this.ensure(n);
    const k = this.arena.k;
    const W = this.spec.width;
    this.denseForward(this.layers[0]!, this.x, this.h[0]!, n);
    k.reluForward(this.h[0]!, n * W, 0);
    for (let b = 0; b < this.spec.blocks; b++) {
      this.denseForward(this.layers[1 + 2 * b]!, this.h[b]!, this.a[b]!, n);
      k.reluForward(this.a[b]!, n * W, 0);
      this.denseForward(this.layers[2 + 2 * b]!, this.a[b]!, this.h[b + 1]!, n);
      k.addInto(this.h[b + 1]!, this.h[b]!, n * W); // the skip; no activation after it
    }
    this.denseForward(this.layers.at(-1)!, this.h[this.spec.blocks]!, this.out, n);
    return this.out;
  }

  forward(x: Float32Array, n: number): Float32Array {
    if (x.length < n * this.inDim) throw new Error(`BroNet.forward: ${n} rows of ${this.inDim} need ${n * this.inDim} values, got ${x.length}`);
    this.input(n).set(x.subarray(0, n * this.inDim));
    return this.arena.f32(this.run(n), n * this.outDim);
  }

  output(n: number): Float32Array {
    return this.arena.f32(this.out, n * this.outDim);
  }

  outputGrad(n: number): Float32Array {
    this.ensure(n);
    return this.arena.f32(this.dOut, n * this.outDim);
  }

  /** Backward of Dense (+ LayerNorm) whose output gradient is in d (consumed): parameter gradients, and the input gradient into dIn when given. */
  private denseBackward(L: Dense, src: number, d: number, dIn: number | null, n: number, paramGrads: boolean): void {
    const k = this.arena.k;
    if (L.lg) k.layerNormBackward(d, L.lg, L.xhat, L.rstd, L.glg, L.glb, n, L.outDim);
    if (paramGrads) k.denseBackwardWeight(src, d, L.gw, L.gb, n, L.inDim, L.outDim);
    if (dIn !== null) k.denseBackwardInput(d, L.w, dIn, n, L.inDim, L.outDim, this.scratch);
  }

  backward(n: number, inputGrad = false, paramGrads = true): void {
    if (n > this.cap) throw new Error(`BroNet.backward: ${n} rows, but the last forward pass had at most ${this.cap}`);
    const k = this.arena.k;
    const W = this.spec.width;
    const B = this.spec.blocks;
    this.denseBackward(this.layers.at(-1)!, this.h[B]!, this.dOut, this.dH, n, paramGrads);
    for (let b = B - 1; b >= 0; b--) {
      // dH = ∂L/∂h[b+1]; h[b+1] = h[b] + branch(h[b]): the branch gets a copy, the skip keeps dH
      this.arena.f32(this.dBranch, n * W).set(this.arena.f32(this.dH, n * W));
      this.denseBackward(this.layers[2 + 2 * b]!, this.a[b]!, this.dBranch, this.dA, n, paramGrads);
      k.reluBackward(this.a[b]!, this.dA, n * W, 0);
      this.denseBackward(this.layers[1 + 2 * b]!, this.h[b]!, this.dA, this.dBranch, n, paramGrads);
      k.addInto(this.dH, this.dBranch, n * W);
    }
    k.reluBackward(this.h[0]!, this.dH, n * W, 0);
    this.denseBackward(this.layers[0]!, this.x, this.dH, inputGrad ? this.dX : null, n, paramGrads);
  }

  inputGradient(n: number): Float32Array {
    return this.arena.f32(this.dX, n * this.inDim);
  }

  layerTensors(): number[][] {
    return layerTensorIds(this.firstTensor, this.layers);
  }
}
