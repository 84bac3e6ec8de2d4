/**
 * A tfjs MLP (nets/mlp.ts) mirrored on the wasm engine with its own fused Adam: the tfjs variables
 * give the initialisation and the checkpoint format; the engine does the work. `syncToTf` refreshes
 * the variables after engine updates, `restored` loads them and Adam's state into the engine (after a
 * checkpoint load); other assignments to them are picked up on the next use.
 */
import type { AdamState } from '../adam.js';
import type { Mlp } from '../mlp.js';
import { Arena } from './arena.js';
import { DenseMlp, denseMlpShapes } from './dense-mlp.js';
import type { ForwardJob } from './forward-pool.js';
import { ParamStore } from './param-store.js';
import { StoreAdam } from './store-adam.js';
import { TfMirror } from './tf-mirror.js';

export class EngineMlp {
  readonly store: ParamStore;
  readonly net: DenseMlp;
  readonly opt: StoreAdam;
  private readonly mirror: TfMirror;
  private steps = 0;

  constructor(readonly mlp: Mlp, adamEps: number, readonly arena: Arena = new Arena()) {
    this.store = new ParamStore(arena, denseMlpShapes(mlp.sizes));
    this.net = new DenseMlp(arena, this.store, 0, mlp.sizes, mlp.activation);
    this.opt = new StoreAdam(this.store, mlp.params.map((p) => p.name), 0.9, 0.999, adamEps);
    this.mirror = new TfMirror(mlp.params, () => this.store.read('p'), (v) => this.store.write(v));
  }

  /** The engine network, loaded with any assignment to the tfjs variables since the last sync. */
  fresh(): DenseMlp {
    this.mirror.fresh();
    return this.net;
  }

  syncToTf(): void {
    this.mirror.toTf();
  }

  /** After the tfjs variables were loaded from a checkpoint: take them and the checkpoint's Adam state onto the engine. */
  restored(opt: AdamState): void {
    this.mirror.fromTf();
    this.opt.setState(opt);
  }

  /** One step on the gradient the caller's backward passes left in the store; zeroes it after. */
  step(lr: number): void {
    this.opt.apply(lr);
    this.store.zeroGrad();
    this.steps += 1;
  }

  /** Changes whenever the engine's parameters change (a step, a load from the tfjs variables). */
  get version(): number {
    this.mirror.fresh();
    return this.steps + this.mirror.syncs;
  }

  /** This network as a job for the forward thread (nets/engine/forward-pool.ts). */
  forwardJob(key: string): ForwardJob {
    return { key, sizes: this.mlp.sizes, activation: this.mlp.activation, version: this.version, params: () => this.store.read('p') };
  }

  /** Outputs of n input rows (a copy). */
  predict(x: Float32Array, n: number): Float32Array {
    return this.fresh().forward(x, n).slice();
  }

  /**
   * One Adam step on a loss of the outputs: `lossGrad(out, grad)` reads the n × outDim outputs of x,
   * writes ∂L/∂out into `grad` and returns L. Returns L (before the step).
   */
  stepOn(x: Float32Array, n: number, lr: number, lossGrad: (out: Float32Array, grad: Float32Array) => number): number {
    const net = this.fresh();
    net.input(n).set(x.subarray(0, n * net.inDim));
    net.run(n);
    const g = net.outputGrad(n);
    const loss = lossGrad(net.output(n), g);
    net.backward(n);
    this.step(lr);
    return loss;
  }

  /** One Adam step on the mean squared error of a single-output network: L = mean((f(x) − y)²), ∂L/∂f = 2(f − y)/n. */
  mseStep(x: Float32Array, y: ArrayLike<number>, n: number, lr: number): number {
    if (this.net.outDim !== 1) throw new Error(`EngineMlp.mseStep: the network has ${this.net.outDim} outputs, expected 1`);
    return this.stepOn(x, n, lr, (out, g) => {
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const d = out[i]! - y[i]!;
        loss += d * d;
        g[i] = (2 * d) / n;
      }
      return loss / n;
    });
  }

  getOptState(): AdamState {
    return this.opt.getState();
  }
}
