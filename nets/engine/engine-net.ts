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
