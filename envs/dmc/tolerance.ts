/**
 * dm_control's `rewards.tolerance` (spec dmc.md §3): 1 inside [lower, upper] (inclusive, bounds may be
 * ±inf); outside, 0 when margin = 0, else S(d) with d the distance to the nearer bound in margins and
 * S a sigmoid with S(0) = 1, S(1) = valueAtMargin.
 */
export type Sigmoid = 'gaussian' | 'hyperbolic' | 'long_tail' | 'reciprocal' | 'cosine' | 'linear' | 'quadratic' | 'tanh_squared';

export interface ToleranceOptions {
  bounds?: [number, number];
  margin?: number;
  sigmoid?: Sigmoid;
  valueAtMargin?: number;
}

function sigmoid(d: number, v: number, kind: Sigmoid): number {
  switch (kind) {
    case 'gaussian': {
      const s = Math.sqrt(-2 * Math.log(v));
      return Math.exp(-0.5 * (d * s) ** 2);
    }
    case 'hyperbolic':
      return 1 / Math.cosh(d * Math.acosh(1 / v));
    case 'long_tail':
      return 1 / ((d * Math.sqrt(1 / v - 1)) ** 2 + 1);
    case 'reciprocal':
      return 1 / (Math.abs(d) * (1 / v - 1) + 1);
    case 'cosine': {
      const t = (d * Math.acos(2 * v - 1)) / Math.PI;
      return Math.abs(t) < 1 ? (1 + Math.cos(Math.PI * t)) / 2 : 0;
    }
    case 'linear': {
      const t = d * (1 - v);
      return Math.abs(t) < 1 ? 1 - t : 0;
    }
    case 'quadratic': {
      const t = d * Math.sqrt(1 - v);
      return Math.abs(t) < 1 ? 1 - t * t : 0;
    }
    case 'tanh_squared':
      return 1 - Math.tanh(d * Math.atanh(Math.sqrt(1 - v))) ** 2;
  }
}

export function tolerance(x: number, o: ToleranceOptions = {}): number {
  const [lower, upper] = o.bounds ?? [0, 0];
  const margin = o.margin ?? 0;
  const kind = o.sigmoid ?? 'gaussian';
  const v = o.valueAtMargin ?? 0.1;
  if (lower > upper) throw new Error(`tolerance: lower bound ${lower} > upper bound ${upper}`);
  if (margin < 0) throw new Error(`tolerance: margin must be ≥ 0, got ${margin}`);
  const zeroOk = kind === 'linear' || kind === 'cosine' || kind === 'quadratic';
  if (!(v < 1 && (zeroOk ? v >= 0 : v > 0))) throw new Error(`tolerance: value_at_margin ${v} is out of range for the ${kind} sigmoid`);
  if (x >= lower && x <= upper) return 1;
  if (margin === 0) return 0;
  const d = (x < lower ? lower - x : x - upper) / margin;
  return sigmoid(d, v, kind);
}

/** q(u) = tolerance(u, margin 1, value 0, quadratic) = 1 − u² for |u| < 1: the "small control" term. */
export function smallControl(u: number): number {
  return tolerance(u, { margin: 1, valueAtMargin: 0, sigmoid: 'quadratic' });
}
