/**
 * A tfjs MLP (nets/mlp.ts) mirrored on the wasm engine with its own fused Adam: the tfjs variables
 * give the initialisation and the checkpoint format; the engine does the work. `syncToTf` refreshes
 * the variables after engine updates, `syncFromTf` loads them into the engine (after a restore).
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamState } from '../adam.js';
import type { Mlp } from '../mlp.js';
import { Arena } from './arena.js';
import { DenseMlp, denseMlpShapes } from './dense-mlp.js';
import { ParamStore } from './param-store.js';
import { StoreAdam } from './store-adam.js';

export class EngineMlp {
  readonly store: ParamStore;
  readonly net: DenseMlp;
  readonly opt: StoreAdam;

  constructor(readonly mlp: Mlp, adamEps: number, readonly arena: Arena = new Arena()) {
    this.store = new ParamStore(arena, denseMlpShapes(mlp.sizes));
    this.net = new DenseMlp(arena, this.store, 0, mlp.sizes, mlp.activation);
    this.opt = new StoreAdam(this.store, mlp.params.map((p) => p.name), 0.9, 0.999, adamEps);
    this.syncFromTf();
  }

  syncFromTf(): void {
    this.store.write(this.mlp.params.map((p) => p.dataSync() as Float32Array));
  }

  syncToTf(): void {
    const values = this.store.read('p');
    this.mlp.params.forEach((v, i) => {
      const t = tf.tensor(values[i]!, v.shape);
      v.assign(t);
      t.dispose();
    });
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
