/**
 * Plug-ins: user ES modules that register environments and estimators (`pgvar train --plugin FILE`,
 * `"plugins"` in a `--config` file, `plugins` in a run's config.json). A plug-in either
 *  - has a default export `(pgvar) => void | Promise<void>` that is called with pgvar's public API
 *    (the index module) — no import of 'pgvar' needed, so it works wherever the file lies; or
 *  - imports `registerEnv` / `registerEstimator` from 'pgvar' and calls them when it loads.
 * Paths are resolved from the current directory and recorded absolute. Loading a file twice is a
 * no-op. A file that cannot be loaded, throws, registers a name that exists or registers nothing is
 * a UsageError naming the file, in one line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PgvarError, UsageError } from '../common/errors.js';
import { setRegistrationSource } from '../common/registration.js';
import { envIds } from '../envs/registry.js';
import { setWorkerPreload } from '../envs/async-vector.js';
import { ESTIMATORS } from '../estimators/registry.js';

const loaded: string[] = [];

/** Absolute paths of the plug-ins loaded in this process, in load order (what a run records). */
export function loadedPlugins(): string[] {
  return [...loaded];
}

function oneLine(e: unknown): string {
  if (e instanceof PgvarError) return e.message.split('\n')[0]!;
  if (e instanceof Error) return `${e.name}: ${e.message.split('\n')[0]}`;
  return String(e);
}

/**
 * Load plug-in files in order (paths relative to `cwd`, default the current directory); returns their
 * absolute paths. `origin` is said in errors when the list came from somewhere else than the command
 * line (e.g. "recorded in runs/x/config.json").
 */
export async function loadPlugins(files: readonly string[], o: { cwd?: string; origin?: string } = {}): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    const where = `plugin ${file}${o.origin ? ` (${o.origin})` : ''}`;
    if (typeof file !== 'string' || file === '') throw new UsageError(`plugins: expected file paths, got ${JSON.stringify(file)}`);
    const abs = path.resolve(o.cwd ?? process.cwd(), file);
    out.push(abs);
    if (loaded.includes(abs)) continue;
    if (!fs.existsSync(abs)) throw new UsageError(`${where}: no such file (${abs})`);
    const before = ESTIMATORS.length + envIds().length;
    const previous = setRegistrationSource(`plugin ${file}`);
    try {
      let mod: Record<string, unknown>;
      try {
        mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
      } catch (e) {
        throw new UsageError(`${where}: cannot load it (${oneLine(e)})`);
      }
      if (typeof mod['default'] === 'function') {
        const api = await import('../index.js');
        try {
          await (mod['default'] as (pgvar: unknown) => unknown)(api);
        } catch (e) {
          // pgvar's own errors (a taken name, a bad field) are already one clear line
          throw new UsageError(e instanceof PgvarError ? `${where}: ${oneLine(e)}` : `${where}: its default export threw ${oneLine(e)}`);
        }
      }
    } catch (e) {
      // registrations made while importing fail inside the import: say which file, once
      if (e instanceof UsageError && e.message.startsWith(where)) throw e;
      throw new UsageError(`${where}: ${oneLine(e)}`);
    } finally {
      setRegistrationSource(previous);
    }
    if (ESTIMATORS.length + envIds().length === before) {
      throw new UsageError(`${where}: registered no environment or estimator (export a default function (pgvar) => { pgvar.registerEnv({…}) / pgvar.registerEstimator({…}) }, or call them from an import of 'pgvar')`);
    }
    loaded.push(abs);
    // async vector envs build their sub-envs in worker threads: those load the same plug-ins first
    setWorkerPreload({ module: import.meta.url, exportName: 'loadPluginsInWorker', args: [...loaded] });
  }
  return out;
}

/** Entry for worker threads (envs/async-vector.ts): load the parent's plug-ins. */
export async function loadPluginsInWorker(files: unknown): Promise<void> {
  await loadPlugins(files as string[]);
}
