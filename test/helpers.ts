import { spawn as nodeSpawn, spawnSync, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../nets/backend.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(ROOT, 'bin', 'pgvar.js');

export async function backend(): Promise<string> {
  return initBackend('wasm', () => {});
}

export function tmpDir(prefix = 'pgvar-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * tap's @tapjs/processinfo adds an --import of its module-load recorder to the NODE_OPTIONS of every
 * process a test starts (whatever env the test passes), and each module a node process then loads goes
 * through that recorder's loader thread: a CLI process starts about 1 s slower for it. Coverage is off
 * (package.json), so nothing reads what it records. Node processes started with `nodeCommand` go
 * through `sh -c 'exec node …'` that sets NODE_OPTIONS back to the test's own without that --import
 * (user settings stay): node runs bin/pgvar.js as from a shell, and the process is node itself (exec),
 * with its pid, signals, exit code and stdio. The sweep's and worker's run processes inherit it.
 */
const TAP_RECORDER = /(^|\s)"?--(?:import|loader|experimental-loader)[= ]"?[^\s"]*@tapjs[/\\]processinfo[^\s"]*"?/g;
const NODE_OPTIONS = (process.env['NODE_OPTIONS'] ?? '').replace(TAP_RECORDER, ' ').trim();
const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** [command, args] that run `node <args>` with NODE_OPTIONS without tap's recorder (see above). */
export function nodeCommand(args: readonly string[]): [string, string[]] {
  const env = NODE_OPTIONS ? `NODE_OPTIONS=${shQuote(NODE_OPTIONS)}; export NODE_OPTIONS` : 'unset NODE_OPTIONS';
  return ['/bin/sh', ['-c', `${env}; exec "$@"`, 'sh', process.execPath, ...args]];
}

export function cli(args: string[], opts: { cwd?: string } = {}): CliResult {
  const [command, argv] = nodeCommand([BIN, ...args]);
  const r = spawnSync(command, argv, { cwd: opts.cwd ?? ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let inProcessBusy = false;

/**
 * `cli` without a process: `runCli` (cli/run.ts), which is what bin/pgvar.js → dist/cli/main.js runs
 * with the process's arguments, called here with stdout and stderr captured and the exit code as
 * main.ts would end the process with it; an error runCli throws (a bug) gives what node prints for
 * it, the stack, and status 1. For the many one-line usage errors, which then cost milliseconds
 * instead of a process start. Process-wide state stays between calls: the tensor backend prints its
 * line only when first initialised, and plug-ins stay loaded, so checks of that line and of plug-ins
 * use `cli`; so do plug-ins in a folder without a package.json (a test's tmp dir): tap's TypeScript
 * loader cannot import such a .js file in the test's process ("Cannot require() ES Module … in a
 * cycle"), which plain node does. Calls must not overlap (they share process.stdout and process.stderr).
 */
export async function cliInProcess(args: string[], opts: { cwd?: string } = {}): Promise<CliResult> {
  const { runCli } = await import('../cli/run.js');
  if (inProcessBusy) throw new Error('cliInProcess: calls must not overlap');
  inProcessBusy = true;
  const out = { stdout: '', stderr: '' };
  const capture = (key: 'stdout' | 'stderr') => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    out[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (done) process.nextTick(done);
    return true;
  }) as typeof process.stdout.write;
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const cwd = process.cwd();
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  let status: number;
  try {
    process.chdir(opts.cwd ?? ROOT);
    status = (await runCli(args)) ?? Number(process.exitCode ?? 0);
  } catch (e) {
    out.stderr += `${(e as Error)?.stack ?? String(e)}\n`;
    status = 1;
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.exitCode = exitCode;
    process.chdir(cwd);
    inProcessBusy = false;
  }
  return { status, ...out };
}

/** node's `spawn`; a node process (command `process.execPath`) starts through `nodeCommand`. */
export const spawn = ((command: string, args: readonly string[] = [], options: SpawnOptions = {}) => {
  const [c, a] = command === process.execPath ? nodeCommand(args) : [command, [...args]];
  return nodeSpawn(c, a, options);
}) as typeof nodeSpawn;

/** metrics.jsonl rows without the wall-clock fields, which legitimately differ between runs. */
export function deterministicMetrics(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      delete r['sps'];
      delete r['time_s'];
      return r;
    });
}

/** ‖a − b‖ / ‖b‖: relative error of a against the reference b (the engine's tests against tfjs). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
}
