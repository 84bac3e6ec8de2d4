/** Sample statistics shared by the report and the trend: mean and (n − 1) variance / standard deviation. */

/** Arithmetic mean of at least one value. */
export function mean(x: number[]): number {
  return x.reduce((a, b) => a + b, 0) / x.length;
}

/** Mean and sample variance (n − 1); null where there are too few values. */
export function meanVar(x: number[]): readonly [number | null, number | null] {
  if (!x.length) return [null, null];
  const m = mean(x);
  return [m, x.length > 1 ? x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1) : null];
}

/** Mean and sample standard deviation (n − 1); null where there are too few values. */
export function meanSd(x: number[]): readonly [number | null, number | null] {
  const [m, v] = meanVar(x);
  return [m, v === null ? null : Math.sqrt(v)];
}
