/**
 * Trunks of the off-policy agents on the small-network engine (nets/engine/dense-mlp.ts): `plain`
 * (Linear–activation × depth: SAC, TD3) and `ln` (Linear–LayerNorm–activation: the DAC and
 * SAC-LN critics), spec baselines.md §12.2. A network is a trunk plus its head's width; its
 * tensors sit in a ParamStore of the agent's one arena.
 */
import type { Rng } from '../common/rng.js';
import type { Activation } from '../nets/mlp.js';
import type { Arena } from '../nets/engine/arena.js';
import { DenseMlp, denseMlpShapes, type DenseMlpOptions } from '../nets/engine/dense-mlp.js';
import { ParamStore } from '../nets/engine/param-store.js';

export interface TrunkSpec {
  hidden: number[];
  activation: Activation;
  /** LayerNorm after every hidden Linear (the `ln` trunk). */
  layerNorm: boolean;
}

export function trunkSizes(inDim: number, outDim: number, trunk: TrunkSpec): number[] {
  return [inDim, ...trunk.hidden, outDim];
}

export function trunkOptions(trunk: TrunkSpec): DenseMlpOptions {
  return trunk.layerNorm ? { layerNorm: true } : {};
}

/**
 * PyTorch's default initialisation of a DenseMlp's tensors, in store order: every Linear's W and b
 * uniform in ±1/√fan_in (CleanRL's SAC and TD3 keep nn.Linear's default), LayerNorm gain 1, bias 0.
 */
export function torchDefaultInit(sizes: number[], options: DenseMlpOptions, rng: Rng): Float32Array[] {
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const width = sizes[l + 1]!;
    const bound = 1 / Math.sqrt(fanIn);
    out.push(Float32Array.from({ length: fanIn * width }, () => rng.uniform(-bound, bound)));
    out.push(Float32Array.from({ length: width }, () => rng.uniform(-bound, bound)));
    if (options.layerNorm && l + 2 < sizes.length) out.push(new Float32Array(width).fill(1), new Float32Array(width));
  }
  return out;
}

/** `copies` networks of one shape in one store (one Adam over all of them, like CleanRL's q_optimizer), each initialised independently. */
export function makeNets(arena: Arena, copies: number, inDim: number, outDim: number, trunk: TrunkSpec, rng: Rng): { store: ParamStore; nets: DenseMlp[] } {
  const sizes = trunkSizes(inDim, outDim, trunk);
  const options = trunkOptions(trunk);
  const shapes = denseMlpShapes(sizes, options);
  const store = new ParamStore(arena, Array.from({ length: copies }, () => shapes).flat());
  store.write(Array.from({ length: copies }, () => torchDefaultInit(sizes, options, rng)).flat());
  const nets = Array.from({ length: copies }, (_, k) => new DenseMlp(arena, store, k * shapes.length, sizes, trunk.activation, options));
  return { store, nets };
}

/** A target copy of a store's networks (same shapes, same parameters now). */
export function makeTargetNets(arena: Arena, online: { store: ParamStore; nets: DenseMlp[] }): { store: ParamStore; nets: DenseMlp[] } {
  const store = new ParamStore(arena, online.store.shapes);
  store.write(online.store.read());
  const nets = online.nets.map((n) => new DenseMlp(arena, store, n.firstTensor, n.sizes, n.activation, n.options));
  return { store, nets };
}

/** θ̄ ← τ·θ + (1 − τ)·θ̄ over a whole store (the engine's Polyak kernel). */
export function polyak(target: ParamStore, online: ParamStore, tau: number): void {
  if (target.size !== online.size) throw new Error(`polyak: target store has ${target.size} values, online ${online.size}`);
  target.arena.k.polyak(target.p, online.p, online.size, tau);
}
