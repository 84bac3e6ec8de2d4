/**
 * Validation of estimator options (`--estimator-options`, `variance --estimator-options`): one zod
 * schema per option, each with the words the error uses. Unknown keys and bad values are rejected
 * with the estimator's name, the key, what was expected and what was given.
 */
import { z } from 'zod';
import { UsageError } from '../common/errors.js';

export type OptionSpec = Record<string, [schema: z.ZodType, expected: string]>;

export const positiveInt: [z.ZodType, string] = [z.number().int().positive(), 'a positive integer'];
export const nonNegativeInt: [z.ZodType, string] = [z.number().int().min(0), 'a non-negative integer'];
export const positiveNumber: [z.ZodType, string] = [z.number().positive(), 'a positive number'];
export const nonNegativeNumber: [z.ZodType, string] = [z.number().min(0), 'a non-negative number'];
export const fraction: [z.ZodType, string] = [z.number().min(0).max(1), 'a number in [0, 1]'];
export const widths: [z.ZodType, string] = [z.array(z.number().int().positive()).min(1), 'an array of positive integers'];
export const flag: [z.ZodType, string] = [z.boolean(), 'true or false'];

/** Check `options` against `spec` and merge them over `defaults`. */
export function parseOptions<T extends object>(estimator: string, spec: OptionSpec, defaults: T, options: Record<string, unknown>, extraKeys: string[] = []): T {
  const valid = [...extraKeys, ...Object.keys(spec)];
  const out = structuredClone(defaults) as Record<string, unknown>;
  for (const [k, v] of Object.entries(options)) {
    if (extraKeys.includes(k)) continue;
    const entry = spec[k];
    if (!entry) throw new UsageError(`estimator '${estimator}': unknown option '${k}'; valid: ${valid.join(', ')}`);
    if (!entry[0].safeParse(v).success) throw new UsageError(`estimator '${estimator}': option '${k}' must be ${entry[1]}, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out as T;
}
