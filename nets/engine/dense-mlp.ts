/**
 * A dense network on the engine: Linear layers with tanh, ReLU or leaky ReLU between them, and
 * optionally LayerNorm after each hidden Linear (Linear → LayerNorm → activation, the critics of
 * SAC-LN/BRO), no activation after the last layer. Its tensors are a run of a ParamStore: per layer
 * W (in × out), b, then LayerNorm's gain and bias on hidden layers. Forward keeps every layer's
 * output for backward; backward accumulates parameter gradients into the store (and optionally
 * leaves the input gradient), so several forward/backward pairs can add into one step.
 */
import type { Activation } from '../mlp.js';
import type { Arena } from './arena.js';
import { checkStoreShapes, layerTensorCount, layerTensorIds, linearLayer, type EngineNet, type LinearLayer } from './engine-net.js';
import type { ParamStore } from './param-store.js';

export interface DenseMlpOptions {
  layerNorm?: boolean;
  /** LayerNorm's ε (PyTorch default 1e-5). */
  layerNormEps?: number;
}

/** Tensor shapes of a DenseMlp in store order. */
export function denseMlpShapes(sizes: number[], options: DenseMlpOptions = {}): number[][] {
  const shapes: number[][] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    shapes.push([sizes[l]!, sizes[l + 1]!], [sizes[l + 1]!]);
    if (options.layerNorm && l + 2 < sizes.length) shapes.push([sizes[l + 1]!], [sizes[l + 1]!]);
  }
  return shapes;
}

interface Layer extends LinearLayer {
  hidden: boolean;
}

const SLOPE: Record<Activation, number> = { tanh: 0, relu: 0, leaky_relu: 0.01 };

export class DenseMlp implements EngineNet {
  readonly layers: Layer[];
  readonly inDim: number;
  readonly outDim: number;
  readonly numTensors: number;
  private cap = 0;
  /** outs[0]: input; outs[l+1]: output of layer l (after its activation). */
  private outs: number[] = [];
  private xhat: number[] = [];
  private rstd: number[] = [];
  /** grads[l]: gradient with respect to outs[l]. */
  private grads: number[] = [];
  private readonly eps: number;
  /** Room for one layer's transposed weight (the input-gradient product). */
  private readonly scratch: number;

  constructor(readonly arena: Arena, readonly store: ParamStore, readonly firstTensor: number, readonly sizes: number[], readonly activation: Activation, readonly options: DenseMlpOptions = {}) {
    this.inDim = sizes[0]!;
    this.outDim = sizes[sizes.length - 1]!;
    this.eps = options.layerNorm ? (options.layerNormEps ?? 1e-5) : 0;
    const shapes = denseMlpShapes(sizes, options);
    this.numTensors = shapes.length;
    checkStoreShapes('DenseMlp', store, firstTensor, shapes);
    this.layers = [];
    let t = firstTensor;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const hidden = l + 2 < sizes.length;
      const layer: Layer = { ...linearLayer(store, t, sizes[l]!, sizes[l + 1]!, !!options.layerNorm && hidden), hidden };
      t += layerTensorCount(layer);
      this.layers.push(layer);
    }
    this.scratch = arena.alloc(Math.max(...this.layers.map((L) => L.inDim * L.outDim)));
  }

  withStore(store: ParamStore): DenseMlp {
    return new DenseMlp(this.arena, store, this.firstTensor, this.sizes, this.activation, this.options);
  }

  private ensure(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, 2 * this.cap, 16);
    this.outs = this.sizes.map((s) => this.arena.alloc(cap * s));
    this.xhat = this.layers.map((L) => (L.lg ? this.arena.alloc(cap * L.outDim) : 0));
    this.rstd = this.layers.map((L) => (L.lg ? this.arena.alloc(cap) : 0));
    // gradient buffers too, so that no allocation (which may grow memory and detach views) happens between a forward and its backward
    this.grads = this.sizes.map((s) => this.arena.alloc(cap * s));
    this.cap = cap;
  }

  /** Writable view of the input rows (n × inDim); fill it, then call `run(n)`. */
  input(n: number): Float32Array {
    this.ensure(n);
    return this.arena.f32(this.outs[0]!, n * this.inDim);
  }

  /** Forward pass over the n rows in `input(n)`; returns the byte offset of the n × outDim output. */
  run(n: number): number {
    this.ensure(n);
    const k = this.arena.k;
    this.layers.forEach((L, l) => {
      const y = this.outs[l + 1]!;
      k.denseForward(this.outs[l]!, L.w, L.b, y, n, L.inDim, L.outDim);
      if (!L.hidden) return;
      if (L.lg) k.layerNormForward(y, L.lg, L.lb, this.xhat[l]!, this.rstd[l]!, n, L.outDim, this.eps);
      if (this.activation === 'tanh') k.tanhForward(y, n * L.outDim);
      else k.reluForward(y, n * L.outDim, SLOPE[this.activation]);
    });
    return this.outs[this.layers.length]!;
  }

  /** Forward pass of x (n × inDim); returns a view of the output (valid until the next call on this arena). */
  forward(x: Float32Array, n: number): Float32Array {
    if (x.length < n * this.inDim) throw new Error(`DenseMlp.forward: ${n} rows of ${this.inDim} need ${n * this.inDim} values, got ${x.length}`);
    this.input(n).set(x.subarray(0, n * this.inDim));
    return this.arena.f32(this.run(n), n * this.outDim);
  }

  /** Output view of the last forward pass. */
  output(n: number): Float32Array {
    return this.arena.f32(this.outs[this.layers.length]!, n * this.outDim);
  }

  /** Writable view for the gradient of the loss with respect to the output of the last forward pass. */
  outputGrad(n: number): Float32Array {
    this.ensure(n);
    return this.arena.f32(this.grads[this.layers.length]!, n * this.outDim);
  }

  /**
   * Backward pass of the last `run(n)` with the gradient in `outputGrad(n)`: adds the parameter
   * gradients into the store; with `inputGrad` the input gradient is left in `inputGradient(n)`.
   * Consumes the output gradient buffer. With `paramGrads` false only the input gradient is
   * computed (a loss differentiated through this network into another, e.g. SAC's actor loss through
   * the critics, whose own parameter gradients would be discarded).
   */
  backward(n: number, inputGrad = false, paramGrads = true): void {
    if (n > this.cap) throw new Error(`DenseMlp.backward: ${n} rows, but the last forward pass had at most ${this.cap}`);
    const k = this.arena.k;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l]!;
      const d = this.grads[l + 1]!;
      if (L.hidden) {
        if (this.activation === 'tanh') k.tanhBackward(this.outs[l + 1]!, d, n * L.outDim);
        else k.reluBackward(this.outs[l + 1]!, d, n * L.outDim, SLOPE[this.activation]);
        // (LayerNorm's gain/bias gradients come with its input gradient; they are cheap)
        if (L.lg) k.layerNormBackward(d, L.lg, this.xhat[l]!, this.rstd[l]!, L.glg, L.glb, n, L.outDim);
      }
      if (paramGrads) k.denseBackwardWeight(this.outs[l]!, d, L.gw, L.gb, n, L.inDim, L.outDim);
      if (l > 0 || inputGrad) k.denseBackwardInput(d, L.w, this.grads[l]!, n, L.inDim, L.outDim, this.scratch);
    }
  }

  /** Store tensor indices of each Linear layer (W, b, then its LayerNorm's gain and bias), input to output. */
  layerTensors(): number[][] {
    return layerTensorIds(this.firstTensor, this.layers);
  }

  inputGradient(n: number): Float32Array {
    return this.arena.f32(this.grads[0]!, n * this.inDim);
  }
}
