/**
 * Adam over a ParamStore (the fused kernel of nets/engine), with the same hyper-parameters, update
 * rule and checkpoint format as nets/adam.ts: a checkpoint's moments load into either optimiser.
 */
import type { AdamState } from '../adam.js';
import type { SerializedTensor } from '../serialize.js';
import { float32FromBase64, toBase64 } from '../serialize.js';
import type { ParamStore } from './param-store.js';

export class StoreAdam {
  constructor(readonly store: ParamStore, readonly names: string[], readonly beta1 = 0.9, readonly beta2 = 0.999, readonly eps = 1e-5) {
    if (names.length !== store.shapes.length) throw new Error(`StoreAdam: ${names.length} names for ${store.shapes.length} tensors`);
  }

  get step(): number {
    return this.store.t;
  }

  /** One step with the gradients in the store. */
  apply(lr: number): void {
    this.store.adamStep(lr, this.beta1, this.beta2, this.eps);
  }

  private serialize(block: 'm' | 'v'): SerializedTensor[] {
    return this.store.read(block).map((a, i) => ({ name: this.names[i]!, shape: this.store.shapes[i]!, b64: toBase64(a) }));
  }

  getState(): AdamState {
    return { t: this.store.t, m: this.serialize('m'), v: this.serialize('v') };
  }

  setState(s: AdamState): void {
    for (const [which, list] of [['m', s.m], ['v', s.v]] as const) {
      if (list.length !== this.store.shapes.length) throw new Error(`checkpoint has ${list.length} Adam moment tensors, the model has ${this.store.shapes.length}`);
      list.forEach((x, i) => {
        if (x.shape.join('x') !== this.store.shapes[i]!.join('x')) throw new Error(`checkpoint Adam tensor ${x.name} has shape [${x.shape}], the model's ${this.names[i]} has [${this.store.shapes[i]}]`);
      });
      this.store.write(list.map((x) => float32FromBase64(x.b64)), which);
    }
    this.store.t = s.t;
  }

  dispose(): void {}
}
