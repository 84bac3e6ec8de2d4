/**
 * BRC's learnable task embedding (spec baselines.md §8 [code]): a table of `tasks` vectors of `dim`
 * values (nn.Embed(num_tasks, 32)) held as one tensor of the critic's parameter store — so the
 * critic's optimiser trains it, its Polyak target copy carries a target embedding, resets and
 * checkpoints take it with the critic — and used L2-normalised, e = v/‖v‖. The critic reads
 * [obs, act, e] (offpolicy/critics.ts); the actor reads [obs, e] with e taken from the critic's online
 * parameters as a constant, so only the critic's TD loss moves it.
 *
 * Initialisation: standard normal entries (nn.Embed's default is a normal of variance 1/fan_in; after
 * the normalisation only the direction counts, uniform either way).
 */
import { fillNormal, type Rng } from '../common/rng.js';
import type { ParamStore } from '../nets/engine/param-store.js';
import type { ExtraTensor } from './trunk.js';

export class TaskEmbedding {
  /** `tensor`: the table's index in the store. */
  constructor(readonly tasks: number, readonly dim: number, readonly tensor: number) {}

  /** The table as a store tensor: `tasks` × `dim` standard normal entries. */
  static table(tasks: number, dim: number): ExtraTensor {
    return { shape: [tasks, dim], init: (rng: Rng) => fillNormal(rng, new Float32Array(tasks * dim)) };
  }

  /** e(task) = v/‖v‖ of a store (online or target) into out[o..o+dim). */
  write(store: ParamStore, task: number, out: Float32Array, o: number): void {
    const E = this.dim;
    const v = store.param(this.tensor).subarray(task * E, (task + 1) * E);
    let norm = 0;
    for (let j = 0; j < E; j++) norm += v[j]! * v[j]!;
    norm = Math.sqrt(norm);
    for (let j = 0; j < E; j++) out[o + j] = v[j]! / norm;
  }

  /** Rows [x_i, e(task_i)] (n × (width + dim)) of n rows x (n × width); task undefined: all task 0. */
  append(store: ParamStore, x: Float32Array, width: number, task: ArrayLike<number> | undefined, n: number): Float32Array {
    const W = width + this.dim;
    const out = new Float32Array(n * W);
    for (let i = 0; i < n; i++) {
      out.set(x.subarray(i * width, (i + 1) * width), i * W);
      this.write(store, task ? task[i]! : 0, out, i * W + width);
    }
    return out;
  }

  /**
   * Adds into the store's gradient of v the gradient of a loss with ∂L/∂e = dE (row i at
   * dE[i·stride + o …], of task task[i]): ∂e/∂v = (I − e·eᵀ)/‖v‖.
   */
  backward(store: ParamStore, task: ArrayLike<number> | undefined, dE: Float32Array, stride: number, o: number, n: number): void {
    const E = this.dim;
    const p = store.param(this.tensor);
    const g = store.grad(this.tensor);
    for (let i = 0; i < n; i++) {
      const k = task ? task[i]! : 0;
      let norm = 0;
      for (let j = 0; j < E; j++) norm += p[k * E + j]! ** 2;
      norm = Math.sqrt(norm);
      let dot = 0;
      for (let j = 0; j < E; j++) dot += (p[k * E + j]! / norm) * dE[i * stride + o + j]!;
      for (let j = 0; j < E; j++) g[k * E + j] = g[k * E + j]! + (dE[i * stride + o + j]! - (p[k * E + j]! / norm) * dot) / norm;
    }
  }
}
