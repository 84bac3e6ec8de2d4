/**
 * One instance of the engine's WebAssembly kernels with its own linear memory, and a bump allocator
 * over that memory. Every network of the engine lives in an arena (a model's networks and optimiser
 * state share one, so the optimiser and the gradient norm run over one contiguous block). Memory only
 * grows; JavaScript views are taken fresh through `f32()` because growing detaches old ones.
 *
 * The kernels are compiled from nets/engine/assembly/kernels.ts by `npm run build` (AssemblyScript,
 * WebAssembly SIMD) to dist/wasm/kernels.wasm; the module is compiled once per thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PgvarError } from '../../common/errors.js';

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

/** dist/wasm/kernels.wasm of the package this file belongs to (from nets/engine or dist/nets/engine). */
export function kernelsPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'wasm', 'kernels.wasm');
    dir = path.dirname(dir);
  }
  throw new PgvarError('the wasm engine cannot find its package root (package.json) above nets/engine');
}

function module(): WebAssembly.Module {
  if (compiled) return compiled;
  const file = kernelsPath();
  if (!fs.existsSync(file)) throw new PgvarError(`the wasm engine's kernels are not built (${file} is missing): run 'npm run build'`);
  compiled = new WebAssembly.Module(fs.readFileSync(file));
  return compiled;
}

/** Whether the engine's kernels can be loaded here (built, and WebAssembly SIMD available). */
export function engineAvailable(): boolean {
  try {
    module();
    return true;
  } catch {
    return false;
  }
}

const PAGE = 65536;

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
