/**
 * What the off-policy core needs of an engine network (DenseMlp, BroNet): its input and output
 * buffers, a forward pass, a backward pass that accumulates parameter gradients into its store, the
 * store tensors of each Linear layer (for partial resets), and a copy of itself on another store of
 * the same shapes (target networks).
 */
import type { ParamStore } from './param-store.js';

export interface EngineNet {
  readonly inDim: number;
  readonly outDim: number;
  readonly store: ParamStore;
  /** Index of its first tensor in the store, and how many it has. */
  readonly firstTensor: number;
  readonly numTensors: number;
  /** Writable view of the input rows (n × inDim); fill it, then call `run(n)`. */
  input(n: number): Float32Array;
  /** Forward pass over the n rows in `input(n)`; returns the byte offset of the n × outDim output. */
  run(n: number): number;
  forward(x: Float32Array, n: number): Float32Array;
  output(n: number): Float32Array;
  /** Writable view for ∂L/∂output of the last forward pass. */
  outputGrad(n: number): Float32Array;
  /** Backward of the last `run(n)`: parameter gradients added into the store (unless paramGrads is false), the input gradient left in `inputGradient(n)` with inputGrad. */
  backward(n: number, inputGrad?: boolean, paramGrads?: boolean): void;
  inputGradient(n: number): Float32Array;
  /** Store tensor indices of each Linear layer (with its LayerNorm), input to output. */
  layerTensors(): number[][];
  /** The same network on another store of the same shapes. */
  withStore(store: ParamStore): EngineNet;
}

/** A Linear layer's pointers into its store; LayerNorm's gain, bias and their gradients are 0 when it has none. */
export interface LinearLayer {
  inDim: number;
  outDim: number;
  w: number;
  b: number;
  gw: number;
  gb: number;
  lg: number;
  lb: number;
  glg: number;
  glb: number;
}

/** The Linear layer whose W is store tensor t (then b; then LayerNorm's gain and bias with `layerNorm`). */
export function linearLayer(store: ParamStore, t: number, inDim: number, outDim: number, layerNorm: boolean): LinearLayer {
  const L: LinearLayer = { inDim, outDim, w: store.ptr(t), b: store.ptr(t + 1), gw: store.gradPtr(t), gb: store.gradPtr(t + 1), lg: 0, lb: 0, glg: 0, glb: 0 };
  if (layerNorm) [L.lg, L.lb, L.glg, L.glb] = [store.ptr(t + 2), store.ptr(t + 3), store.gradPtr(t + 2), store.gradPtr(t + 3)];
  return L;
}

/** Tensors a layer takes in the store: W, b (and LayerNorm's gain and bias). */
export function layerTensorCount(L: LinearLayer): number {
  return L.lg ? 4 : 2;
}

/** Store tensor indices of each layer, laid out one after another from tensor `first`. */
export function layerTensorIds(first: number, layers: readonly LinearLayer[]): number[][] {
  let t = first;
  return layers.map((L) => {
    const ids = Array.from({ length: layerTensorCount(L) }, (_, i) => t + i);
    t += ids.length;
    return ids;
  });
}

/** Throws unless the store's tensors from `first` on have these shapes. */
export function checkStoreShapes(what: string, store: ParamStore, first: number, shapes: number[][]): void {
  shapes.forEach((s, i) => {
    const have = store.shapes[first + i];
    if (!have || have.join('x') !== s.join('x')) throw new Error(`${what}: store tensor ${first + i} has shape [${have ?? ''}], the network needs [${s}]`);
  });
}
