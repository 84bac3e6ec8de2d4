/**
 * One message line per zod issue of a config object, naming the key; unknown keys come with the
 * list of valid ones. Shared by every validated config (ppo/config.ts, offpolicy/config.ts).
 */
import type { z } from 'zod';

export function formatConfigIssues(err: z.ZodError, where: string, validKeys: string[]): string {
  return err.issues
    .map((i) => {
      const key = i.path.join('.') || '(root)';
      if (i.code === 'unrecognized_keys') return `${where}: unknown key(s) ${i.keys.map((k) => `'${k}'`).join(', ')}; valid keys: ${validKeys.join(', ')}`;
      return `${where}: '${key}' ${i.message}`;
    })
    .join('\n');
}
