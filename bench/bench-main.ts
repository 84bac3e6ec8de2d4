/**
 * The command-line tail of a benchmark module: `--name value` arguments and printing the result as
 * JSON (to stdout, and to --out FILE when given).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The value after `--name` on the command line, else `dflt`. */
export function benchArg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

/** Runs `bench(env, rounds)` with --env (default dmc/cheetah-run) and --rounds (default 3); prints the dated JSON, writes it to --out. */
export async function runBenchMain(bench: (envId: string, rounds: number) => Promise<Record<string, unknown>>): Promise<void> {
  const result = { date: new Date().toISOString(), node: process.version, ...(await bench(benchArg('env', 'dmc/cheetah-run'), Number(benchArg('rounds', '3')))) };
  const text = JSON.stringify(result, null, 2) + '\n';
  const file = benchArg('out', '');
  if (file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  process.stdout.write(text);
}
