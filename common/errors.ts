/**
 * Error types that reach the user. Anything thrown as a PgvarError is printed as one clear
 * line (no stack trace); UsageError exits with code 2, the rest with code 1.
 */
export class PgvarError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = 'PgvarError';
  }
}

/** Bad input from the user: unknown env id, malformed flag or config value. Exit code 2. */
export class UsageError extends PgvarError {
  override readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A non-finite number appeared (from an environment or a network). Exit code 1. */
export class NonFiniteError extends PgvarError {
  constructor(
    readonly source: string,
    readonly quantity: string,
    readonly step: number,
    detail = '',
  ) {
    super(`non-finite ${quantity} from ${source} at step ${step}${detail ? ` (${detail})` : ''}`);
    this.name = 'NonFiniteError';
  }
}

export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}
