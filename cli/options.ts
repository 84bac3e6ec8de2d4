/** Flag parsers that reject malformed values with the flag's name and what was expected. */
import { InvalidArgumentError } from 'commander';

export function intFlag(min: number) {
  return (v: string): number => {
    if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${v}'`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${v}'`);
    return n;
  };
}

/** Integers with an optional k/M suffix (`200k`, `1M`) for step counts. */
export function stepsFlag(v: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`expected a positive step count such as 200000, 200k or 1M, got '${v}'`);
  const n = Math.round(Number(m[1]) * (m[2] ? (m[2].toLowerCase() === 'k' ? 1e3 : 1e6) : 1));
  if (n <= 0) throw new InvalidArgumentError(`expected a positive step count, got '${v}'`);
  return n;
}

export function floatFlag(min = -Infinity, max = Infinity) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number in [${min}, ${max}], got '${v}'`);
    return n;
  };
}

export function intListFlag(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  if (!parts.every((p) => /^\d+$/.test(p) && Number(p) > 0)) throw new InvalidArgumentError(`expected comma-separated positive integers such as 64,64, got '${v}'`);
  return parts.map(Number);
}

/** Comma-separated step counts (each as stepsFlag: 15001, 50k, 1M), or 'none' for an empty list. */
export function stepListFlag(v: string): number[] {
  if (v.trim() === 'none') return [];
  try {
    return v.split(',').map((p) => stepsFlag(p));
  } catch {
    throw new InvalidArgumentError(`expected comma-separated step counts such as 15001,50k,250k (or 'none'), got '${v}'`);
  }
}

/** Comma-separated choices, each at most once. */
export function choiceListFlag<T extends string>(choices: readonly T[]) {
  return (v: string): T[] => {
    const parts = v.split(',').map((p) => p.trim());
    if (!parts.every((p) => choices.includes(p as T)) || new Set(parts).size !== parts.length) throw new InvalidArgumentError(`expected distinct comma-separated values of ${choices.join('|')}, got '${v}'`);
    return parts as T[];
  };
}

export function choiceFlag<T extends string>(choices: readonly T[]) {
  return (v: string): T => {
    if (!choices.includes(v as T)) throw new InvalidArgumentError(`expected one of ${choices.join('|')}, got '${v}'`);
    return v as T;
  };
}

export function jsonObjectFlag(v: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch (e) {
    throw new InvalidArgumentError(`expected a JSON object, got '${v}' (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError(`expected a JSON object, got '${v}'`);
  return parsed as Record<string, unknown>;
}

export function floatListFlag(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.some((p) => p === '') || !nums.every((n) => Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`expected comma-separated positive numbers such as 0.1,1,3, got '${v}'`);
  return nums;
}
