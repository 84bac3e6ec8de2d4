/**
 * A tfjs MLP (nets/mlp.ts) mirrored on the wasm engine with its own fused Adam: the tfjs variables
 * give the initialisation and the checkpoint format; the engine does the work. `syncToTf` refreshes
 * the variables after engine updates, `syncFromTf` loads them into the engine (after a restore).
 */
import type { AdamState } from '../adam.js';
import type { Mlp } from '../mlp.js';
import { Arena } from './arena.js';
import { DenseMlp, denseMlpShapes } from './dense-mlp.js';
import { ParamStore } from './param-store.js';
import { StoreAdam } from './store-adam.js';
import { TfMirror } from './tf-mirror.js';

export class EngineMlp {
  readonly store: ParamStore;
  readonly net: DenseMlp;
  readonly opt: StoreAdam;
  private readonly mirror: TfMirror;

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

  syncFromTf(): void {
    this.mirror.fromTf();
  }

  syncToTf(): void {
    this.mirror.toTf();
  }

  /** One step on the gradient the caller's backward passes left in the store; zeroes it after. */
  step(lr: number): void {
    this.opt.apply(lr);
    this.store.zeroGrad();
  }

  getOptState(): AdamState {
    return this.opt.getState();
  }
}
