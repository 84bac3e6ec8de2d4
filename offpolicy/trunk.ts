/**
 * Trunks of the off-policy agents on the small-network engine, behind one interface (EngineNet),
 * spec baselines.md §12.2: `mlp` — Linear–activation × depth (SAC, TD3), with `layerNorm`
 * Linear–LayerNorm–activation (the DAC and SAC-LN critics; nets/engine/dense-mlp.ts) — and `bronet`,
 * BRO's residual trunk (nets/engine/bronet.ts, §6). A network is a trunk plus its head's width; its
 * tensors sit in a ParamStore of the agent's one arena.
 */
import type { Rng } from '../common/rng.js';
import type { Activation } from '../nets/mlp.js';
import { orthogonal } from '../nets/orthogonal.js';
import type { Arena } from '../nets/engine/arena.js';
import { BroNet, broNetShapes, type BroNetSpec } from '../nets/engine/bronet.js';
import { DenseMlp, denseMlpShapes, type DenseMlpOptions } from '../nets/engine/dense-mlp.js';
import type { EngineNet } from '../nets/engine/engine-net.js';
import { ParamStore } from '../nets/engine/param-store.js';

export type TrunkSpec =
  | {
      kind: 'mlp';
      hidden: number[];
      activation: Activation;
      /** LayerNorm after every hidden Linear (the `ln` trunk). */
      layerNorm: boolean;
      /** Initialisation: PyTorch's default (CleanRL) or orthogonal with gain √2 (the Nauman codebases); default 'torch'. */
      init?: 'torch' | 'orthogonal';
    }
  | {
      kind: 'bronet';
      /** Width of every hidden layer, and residual blocks (BRO's critic: 512, 2; §6 [code]). */
      width: number;
      blocks: number;
    };

/** A slice of the output layer's columns with its own orthogonal gain (a separate Dense in Flax). */
export interface HeadGroup {
  width: number;
  gain: number;
}

function mlpSizes(inDim: number, outDim: number, trunk: { hidden: number[] }): number[] {
  return [inDim, ...trunk.hidden, outDim];
}

function mlpOptions(trunk: { layerNorm: boolean }): DenseMlpOptions {
  return trunk.layerNorm ? { layerNorm: true } : {};
}

function broNetSpec(inDim: number, outDim: number, trunk: { width: number; blocks: number }): BroNetSpec {
  return { inDim, width: trunk.width, blocks: trunk.blocks, outDim };
}

/** Tensor shapes of one network of this trunk, in store order. */
export function trunkShapes(inDim: number, outDim: number, trunk: TrunkSpec): number[][] {
  return trunk.kind === 'mlp' ? denseMlpShapes(mlpSizes(inDim, outDim, trunk), mlpOptions(trunk)) : broNetShapes(broNetSpec(inDim, outDim, trunk));
}

/**
 * A fresh network's tensors in store order: `mlp` has PyTorch's default (CleanRL's SAC and TD3
 * keep it), or with init 'orthogonal' DAC's (orthogonalInit below); `bronet` BRO's — orthogonal with
 * gain √2 for every Dense, the head included, biases 0, LayerNorm gain 1 and bias 0 (§6 [code]).
 * `head` splits the output layer's columns into groups with their own orthogonal gains (BRO's actor:
 * mean √2, log σ 1; its optimistic shift 0.01); PyTorch's default init ignores them.
 */
export function trunkInit(inDim: number, outDim: number, trunk: TrunkSpec, rng: Rng, head?: HeadGroup[]): Float32Array[] {
  if (trunk.kind === 'mlp') {
    const sizes = mlpSizes(inDim, outDim, trunk);
    return trunk.init === 'orthogonal' ? orthogonalInit(sizes, mlpOptions(trunk), rng, head) : torchDefaultInit(sizes, mlpOptions(trunk), rng);
  }
  const shapes = trunkShapes(inDim, outDim, trunk);
  return shapes.map((s, i, all) => {
    if (s.length === 2) return i === all.length - 2 && head ? groupedOrthogonal(s[0]!, s[1]!, head, rng) : orthogonal(s[0]!, s[1]!, Math.SQRT2, rng);
    // a 1-D tensor two after a weight matrix is a LayerNorm gain
    return new Float32Array(s[0]!).fill(i >= 2 && all[i - 2]!.length === 2 ? 1 : 0);
  });
}

/** The network of this trunk over store tensors from `first` on. */
export function trunkNet(arena: Arena, store: ParamStore, first: number, inDim: number, outDim: number, trunk: TrunkSpec): EngineNet {
  if (trunk.kind === 'mlp') return new DenseMlp(arena, store, first, mlpSizes(inDim, outDim, trunk), trunk.activation, mlpOptions(trunk));
  return new BroNet(arena, store, first, broNetSpec(inDim, outDim, trunk));
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

/**
 * A (rows × cols) row-major matrix times `gain` whose columns (rows ≥ cols) or rows (rows < cols) are
 * orthonormal: a standard-normal matrix orthonormalised by modified Gram–Schmidt, which is the Q of
 * its QR decomposition with R's diagonal positive (the orthogonal initialiser of Flax/PyTorch).
 */
export function orthogonalMatrix(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
  const tall = rows >= cols;
  const n = tall ? rows : cols; // length of each orthonormal vector
  const k = tall ? cols : rows; // how many
  const v = Array.from({ length: k }, () => Float64Array.from({ length: n }, () => rng.normal()));
  for (let j = 0; j < k; j++) {
    const vj = v[j]!;
    for (let i = 0; i < j; i++) {
      const vi = v[i]!;
      let d = 0;
      for (let t = 0; t < n; t++) d += vi[t]! * vj[t]!;
      for (let t = 0; t < n; t++) vj[t] = vj[t]! - d * vi[t]!;
    }
    let norm = 0;
    for (let t = 0; t < n; t++) norm += vj[t]! * vj[t]!;
    norm = Math.sqrt(norm);
    for (let t = 0; t < n; t++) vj[t] = vj[t]! / norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (tall ? v[c]![r]! : v[r]![c]!);
  return out;
}

/**
 * Orthogonal initialisation in store order (spec §5 and §6: DAC's and BRO's Dense layers): every
 * hidden W orthogonal with gain √2, biases 0, LayerNorm gain 1 and bias 0; the output layer's columns
 * split into `head` groups, each orthogonal with its own gain (default one group, gain √2).
 */
export function orthogonalInit(sizes: number[], options: DenseMlpOptions, rng: Rng, head?: HeadGroup[]): Float32Array[] {
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const width = sizes[l + 1]!;
    const last = l + 2 === sizes.length;
    const w = groupedOrthogonal(fanIn, width, last && head ? head : [{ width, gain: Math.SQRT2 }], rng);
    out.push(w, new Float32Array(width));
    if (options.layerNorm && !last) out.push(new Float32Array(width).fill(1), new Float32Array(width));
  }
  return out;
}

/** A (fanIn × width) weight whose column groups are each orthogonal with their own gain (separate Dense layers in Flax). */
function groupedOrthogonal(fanIn: number, width: number, groups: HeadGroup[], rng: Rng): Float32Array {
  if (groups.reduce((a, g) => a + g.width, 0) !== width) throw new Error(`orthogonalInit: head groups cover ${groups.map((g) => g.width).join('+')} of ${width} outputs`);
  const w = new Float32Array(fanIn * width);
  let col = 0;
  for (const g of groups) {
    const m = orthogonalMatrix(fanIn, g.width, g.gain, rng);
    for (let r = 0; r < fanIn; r++) for (let c = 0; c < g.width; c++) w[r * width + col + c] = m[r * g.width + c]!;
    col += g.width;
  }
  return w;
}

/** A tensor a store holds after its networks (BRC's task embedding in the critic's store), drawn from the init stream after them. */
export interface ExtraTensor {
  shape: number[];
  init: (rng: Rng) => Float32Array;
}

/**
 * `copies` networks of one shape in one store (one Adam over all of them, like CleanRL's q_optimizer),
 * each initialised independently, then the `extra` tensors.
 */
export function makeNets(arena: Arena, copies: number, inDim: number, outDim: number, trunk: TrunkSpec, rng: Rng, head?: HeadGroup[], extra: readonly ExtraTensor[] = []): { store: ParamStore; nets: EngineNet[] } {
  const shapes = trunkShapes(inDim, outDim, trunk);
  const store = new ParamStore(arena, [...Array.from({ length: copies }, () => shapes).flat(), ...extra.map((x) => x.shape)]);
  store.write([...Array.from({ length: copies }, () => trunkInit(inDim, outDim, trunk, rng, head)).flat(), ...extra.map((x) => x.init(rng))]);
  const nets = Array.from({ length: copies }, (_, k) => trunkNet(arena, store, k * shapes.length, inDim, outDim, trunk));
  return { store, nets };
}

/** A target copy of a store's networks (same shapes, same parameters now). */
export function makeTargetNets(arena: Arena, online: { store: ParamStore; nets: EngineNet[] }): { store: ParamStore; nets: EngineNet[] } {
  const store = new ParamStore(arena, online.store.shapes);
  store.write(online.store.read());
  return { store, nets: online.nets.map((n) => n.withStore(store)) };
}

/** θ̄ ← τ·θ + (1 − τ)·θ̄ over a whole store (the engine's Polyak kernel). */
export function polyak(target: ParamStore, online: ParamStore, tau: number): void {
  if (target.size !== online.size) throw new Error(`polyak: target store has ${target.size} values, online ${online.size}`);
  target.arena.k.polyak(target.p, online.p, online.size, tau);
}
