/** Reading the JSON settings files of `train --config` and `sweep --file` (no other pgvar module needed: the CLI reads them before it loads anything heavy). */
import * as fs from 'node:fs';
import { UsageError } from '../common/errors.js';

/** A JSON object file (`train --config`, `sweep --file`: `flag` names it in errors). */
export function readConfigFile(file: string, flag = '--config', what = 'settings'): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag} ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${flag} ${file}: expected a JSON object of ${what}, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  return parsed as Record<string, unknown>;
}
