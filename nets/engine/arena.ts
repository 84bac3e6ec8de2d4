/**
 * One instance of the engine's WebAssembly kernels with its own linear memory, and a bump allocator
 * over that memory. Every network of the engine lives in an arena (a model's networks and optimiser
 * state share one, so the optimiser and the gradient norm run over one contiguous block). Memory only
 * grows; JavaScript views are taken fresh through `f32()` because growing detaches old ones.
 *
 * The kernels are compiled from nets/engine/assembly/kernels.ts by `npm run build` (AssemblyScript,
 * WebAssembly SIMD) to dist/wasm/kernels.wasm and, with relaxed SIMD's fused multiply-add, to
 * dist/wasm/kernels-relaxed.wasm (used when this Node runs it); the module is compiled once per thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { PgvarError, UsageError } from '../../common/errors.js';

export interface Kernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  denseForward(x: number, W: number, b: number, y: number, n: number, k: number, m: number): void;
  denseBackwardInput(dy: number, W: number, dx: number, n: number, k: number, m: number, scratch: number): void;
  transpose(src: number, dst: number, k: number, m: number): void;
  denseBackwardWeight(x: number, dy: number, dW: number, db: number, n: number, k: number, m: number): void;
  columnSums(a: number, out: number, n: number, m: number): void;
  tanhForward(z: number, len: number): void;
  tanhBackward(y: number, d: number, len: number): void;
  reluForward(z: number, len: number, slope: number): void;
  reluBackward(y: number, d: number, len: number, slope: number): void;
  layerNormForward(x: number, g: number, b: number, xhat: number, rstd: number, n: number, m: number, eps: number): void;
  layerNormBackward(d: number, g: number, xhat: number, rstd: number, dg: number, db: number, n: number, m: number): void;
  addInto(a: number, b: number, len: number): void;
  sumSquares(a: number, len: number): number;
  scale(a: number, len: number, c: number): void;
  adamStep(p: number, g: number, m: number, v: number, len: number, stepSize: number, b1: number, b2: number, eps: number, bc2Sqrt: number, decay: number): void;
  polyak(target: number, src: number, len: number, tau: number): void;
}

let compiled: WebAssembly.Module | null = null;
let variant: KernelVariant | null = null;

/**
 * The two builds of the kernels: `fma` (dist/wasm/kernels-relaxed.wasm, relaxed SIMD: the products'
 * multiply-adds fused, one rounding each) and `simd` (dist/wasm/kernels.wasm: multiply, then add).
 */
export type KernelVariant = 'fma' | 'simd';

/** dist/wasm/kernels.wasm (or, for `fma`, kernels-relaxed.wasm) of the package this file belongs to (from nets/engine or dist/nets/engine). */
export function kernelsPath(which: KernelVariant = 'simd'): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'wasm', which === 'fma' ? 'kernels-relaxed.wasm' : 'kernels.wasm');
    dir = path.dirname(dir);
  }
  throw new PgvarError('the wasm engine cannot find its package root (package.json) above nets/engine');
}

/**
 * The relaxed-SIMD build when it is built and this Node accepts it (Node 20 needs V8's
 * --experimental-wasm-relaxed-simd, set here for the process; newer Nodes have it on), unless
 * PGVAR_ENGINE_KERNELS=simd asks for the plain build. Fused multiply-adds round once instead of twice, so
 * the two builds differ in the last bits; each is deterministic on a given machine.
 */
/** PGVAR_ENGINE_KERNELS: 'fma', 'simd' or unset (the fused build when it runs here); anything else is a UsageError. */
export function askedVariant(): KernelVariant | undefined {
  const asked = process.env['PGVAR_ENGINE_KERNELS'];
  if (asked === undefined || asked === '') return undefined;
  if (asked !== 'fma' && asked !== 'simd') throw new UsageError(`PGVAR_ENGINE_KERNELS must be 'fma' or 'simd', got '${asked}'`);
  return asked;
}

function chooseVariant(): { which: KernelVariant; bytes: Uint8Array<ArrayBuffer> } {
  const asked = askedVariant();
  const plain = kernelsPath('simd');
  if (!fs.existsSync(plain)) throw new PgvarError(`the wasm engine's kernels are not built (${plain} is missing): run 'npm run build'`);
  if (asked !== 'simd') {
    const relaxed = kernelsPath('fma');
    if (fs.existsSync(relaxed)) {
      const bytes = new Uint8Array(fs.readFileSync(relaxed));
      if (!WebAssembly.validate(bytes)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
      if (WebAssembly.validate(bytes)) return { which: 'fma', bytes };
    }
    if (asked === 'fma') throw new UsageError(`PGVAR_ENGINE_KERNELS=fma: the relaxed-SIMD kernels (${relaxed}) are not built or this Node cannot run them`);
  }
  return { which: 'simd', bytes: new Uint8Array(fs.readFileSync(plain)) };
}

function module(): WebAssembly.Module {
  if (compiled) return compiled;
  const { which, bytes } = chooseVariant();
  compiled = new WebAssembly.Module(bytes);
  variant = which;
  return compiled;
}

/** Which build of the kernels this process runs ('fma' or 'simd'); loads them if needed. */
export function engineKernels(): KernelVariant {
  module();
  return variant!;
}

/** Whether the engine's kernels can be loaded here (built, and WebAssembly SIMD available). */
export function engineAvailable(): boolean {
  try {
    module();
    return true;
  } catch (e) {
    if (e instanceof UsageError) throw e; // a bad PGVAR_ENGINE_KERNELS is an error, not a silent fall-back to tfjs
    return false;
  }
}

const PAGE = 65536;
/** The most bytes an arena addresses (int32 offsets). */
const ARENA_LIMIT = 2 ** 31 - 1;

export class Arena {
  readonly k: Kernels;
  private top: number;

  constructor() {
    const inst = new WebAssembly.Instance(module(), { env: { abort: () => { throw new PgvarError('wasm engine: kernel abort'); } } });
    this.k = inst.exports as unknown as Kernels;
    this.top = (this.k.heapBase() + 15) & ~15;
  }

  /** Bytes for `floats` f32 values, 16-byte aligned and zeroed; returns the byte offset. */
  alloc(floats: number): number {
    const ptr = this.top;
    // offsets are int32 here (the alignment below): past 2 GiB they would wrap negative
    if (ptr + floats * 4 + 15 > ARENA_LIMIT) throw new PgvarError(`wasm engine: the networks' buffers need more than 2 GiB (${((ptr + floats * 4) / 2 ** 30).toFixed(2)} GiB so far); use a smaller batch or narrower networks`);
    this.top = (ptr + floats * 4 + 15) & ~15;
    const mem = this.k.memory;
    if (this.top > mem.buffer.byteLength) mem.grow(Math.ceil((this.top - mem.buffer.byteLength) / PAGE));
    return ptr;
  }

  /** A view of `len` floats at byte offset `ptr` (take a fresh one after any allocation). */
  f32(ptr: number, len: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, len);
  }

  get bytes(): number {
    return this.top;
  }
}
