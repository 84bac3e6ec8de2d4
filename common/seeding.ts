/**
 * Seeds of a run's random streams, derived from the one run seed.
 *
 * `hashed-v1` (every run made from this version on): the seed of stream `name` is a hash of
 * (run seed, name), in the spirit of NumPy's `SeedSequence.spawn`: the run seed and the UTF-8 bytes
 * of the name are absorbed into a 64-bit state with the splitmix64 finaliser, and 32 bits of the
 * result are the stream's seed. Different names or different run seeds give unrelated seeds, so run
 * seed 2's env 0 is not run seed 1's env 1, and an estimator's networks start differently in every
 * run.
 *
 * `offset-v0` (runs made before): stream k of a run used seed + k (PPO: init seed, actions seed+1,
 * shuffle seed+2, estimator seed+3; env i seed+i; an estimator's learned parts its own `seed` option,
 * default 0). Kept so those runs resume and reproduce exactly; config.json records the scheme.
 */
export type SeedScheme = 'offset-v0' | 'hashed-v1';

export const SEED_SCHEMES: readonly SeedScheme[] = ['offset-v0', 'hashed-v1'];

/** The scheme new runs use. */
export const CURRENT_SEED_SCHEME: SeedScheme = 'hashed-v1';

const MASK64 = (1n << 64n) - 1n;

function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** The seed (an unsigned 32-bit integer) of stream `name` of a run with seed `runSeed`, scheme hashed-v1. */
export function streamSeed(runSeed: number, name: string): number {
  if (!Number.isSafeInteger(runSeed) || runSeed < 0) throw new Error(`streamSeed: the run seed must be a non-negative integer, got ${runSeed}`);
  let h = mix64((BigInt(runSeed) + 0x9e3779b97f4a7c15n) & MASK64);
  for (const byte of new TextEncoder().encode(name)) h = mix64(((h ^ BigInt(byte)) + 0x9e3779b97f4a7c15n) & MASK64);
  // a final round with the name's length, so "a" + "" and "" + "a"-style prefixes cannot collide
  h = mix64((h + BigInt(name.length) + 0x9e3779b97f4a7c15n) & MASK64);
  return Number(h >> 32n);
}

/**
 * A run's seeds under its scheme. Call sites name the stream and say what the offset scheme used for
 * it, so both schemes live in one place per stream.
 */
export class RunSeeds {
  constructor(
    readonly runSeed: number,
    readonly scheme: SeedScheme = CURRENT_SEED_SCHEME,
  ) {}

  /** The seed of stream `name`; `legacy` is the seed the offset-v0 scheme gave it. */
  of(name: string, legacy: number): number {
    return this.scheme === 'offset-v0' ? legacy : streamSeed(this.runSeed, name);
  }

  /** Seeds of the sub-envs of a vector env (Gymnasium's seed + i under offset-v0). */
  envs(numEnvs: number, prefix = 'env'): number[] {
    return Array.from({ length: numEnvs }, (_, i) => this.of(`${prefix}/${i}`, this.runSeed + i));
  }
}
