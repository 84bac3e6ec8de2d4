/** Gymnasium spaces: Box (continuous, per-dimension bounds) and Discrete (n actions, start 0). */
import type { Rng } from '../common/rng.js';

export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: number[];
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly dtype: 'float32' | 'float64' | 'uint8';
}

export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
  readonly start: number;
}

export type Space = BoxSpace | DiscreteSpace;

export function box(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape: number[], dtype: BoxSpace['dtype'] = 'float32'): BoxSpace {
  const size = shape.reduce((a, b) => a * b, 1);
  const fill = (v: number | ArrayLike<number>) => (typeof v === 'number' ? new Float64Array(size).fill(v) : Float64Array.from(v));
  const lo = fill(low);
  const hi = fill(high);
  if (lo.length !== size || hi.length !== size) throw new Error(`Box bounds have ${lo.length}/${hi.length} entries, shape ${JSON.stringify(shape)} needs ${size}`);
  return { kind: 'box', shape, low: lo, high: hi, dtype };
}

export function discrete(n: number, start = 0): DiscreteSpace {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`Discrete space needs a positive integer n, got ${n}`);
  return { kind: 'discrete', n, start };
}

export function flatSize(space: Space): number {
  return space.kind === 'discrete' ? 1 : space.shape.reduce((a, b) => a * b, 1);
}

export function contains(space: Space, x: ArrayLike<number> | number): boolean {
  if (space.kind === 'discrete') {
    const v = typeof x === 'number' ? x : x[0]!;
    return Number.isInteger(v) && v >= space.start && v < space.start + space.n;
  }
  if (typeof x === 'number') return false;
  if (x.length !== space.low.length) return false;
  for (let i = 0; i < x.length; i++) if (!(x[i]! >= space.low[i]! && x[i]! <= space.high[i]!)) return false;
  return true;
}

export function sample(space: Space, rng: Rng): Float64Array {
  if (space.kind === 'discrete') return Float64Array.of(space.start + rng.int(space.n));
  const out = new Float64Array(space.low.length);
  for (let i = 0; i < out.length; i++) {
    const lo = space.low[i]!;
    const hi = space.high[i]!;
    out[i] = Number.isFinite(lo) && Number.isFinite(hi) ? rng.uniform(lo, hi) : rng.normal();
  }
  return out;
}

const jsonNum = (v: number) => (Number.isFinite(v) ? v : v > 0 ? 'inf' : '-inf');

/** JSON description used by `pgvar envs --json`: shapes, bounds (±inf as strings) and n. */
export function describeSpace(space: Space): Record<string, unknown> {
  if (space.kind === 'discrete') return { type: 'Discrete', n: space.n, start: space.start };
  return { type: 'Box', shape: space.shape, dtype: space.dtype, low: Array.from(space.low, jsonNum), high: Array.from(space.high, jsonNum) };
}

export function formatSpace(space: Space): string {
  if (space.kind === 'discrete') return `Discrete(${space.n})`;
  const uniform = (a: Float64Array) => a.every((v) => v === a[0]);
  const fmt = (a: Float64Array) => (uniform(a) ? String(a[0]) : `[${Array.from(a).map((v) => +v.toPrecision(4)).join(', ')}]`);
  return `Box(${fmt(space.low)}, ${fmt(space.high)}, (${space.shape.join(',')}${space.shape.length === 1 ? ',' : ''}), ${space.dtype})`;
}
