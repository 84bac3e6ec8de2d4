/**
 * Seeded pseudo-random generator with a serialisable state (sfc32: 4 × uint32, passes PractRand
 * to 2^40+). Every stochastic component of pgvar owns one of these so that a checkpoint can store
 * and restore the exact stream position.
 */
export type RngState = [number, number, number, number];

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** Re-seed. The seed is any finite number; it is mixed with splitmix32 so nearby seeds decorrelate. */
  seed(seed: number): void {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const hi = Math.floor(Math.abs(seed) / 2 ** 32) >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s ^ hi;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix() | 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Standard normal by Box–Muller (no cached second value, so the state stays 4 words). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Standard Gumbel, −log(−log u) with u in (0, 1): the noise of Gumbel-max / Gumbel-top-k sampling. */
  gumbel(): number {
    let u = 0;
    while (u === 0) u = this.random();
    return -Math.log(-Math.log(u));
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  getState(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  setState(s: RngState): void {
    [this.a, this.b, this.c, this.d] = s.map((x) => x >>> 0) as RngState;
  }
}

/** Fills `out` with standard normals (Box–Muller, both values of each pair used: half the uniforms of `Rng.normal`). */
export function fillNormal(rng: Rng, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    let u = 0;
    while (u === 0) u = rng.random();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * rng.random();
    out[i] = r * Math.cos(th);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(th);
  }
  return out;
}
