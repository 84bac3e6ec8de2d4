/**
 * The `pgvar` command line. Usage errors (unknown flag, malformed value, unknown env id, bad config)
 * print one line naming the problem and exit with code 2; runtime failures (NaN from an env or a
 * network) exit with code 1. No stack traces for either. ./main.ts (what bin/pgvar.js runs) calls
 * `runCli` with the process's arguments and exits with the code it returns.
 */
import { Command, CommanderError } from 'commander';
import { PgvarError, UsageError } from '../common/errors.js';
import { registerCommands } from './commands.js';
import { askedVariant } from '../nets/engine/arena.js';
import { readConfigFile } from '../experiment/config-file.js';

/** The plug-in loader (and with it the env and estimator registries) loads only when there are plug-ins to load. */
async function loadPlugins(files: string[], o?: { origin?: string }): Promise<void> {
  if (files.length === 0) return;
  await (await import('../experiment/plugins.js')).loadPlugins(files, o);
}

/**
 * Plug-ins load before commander parses anything, so that `--estimator mine` and `--env my/Env-v0`
 * validate against the registries they extend: first `"plugins"` of `train --config FILE` (or of
 * `sweep --file FILE`), then every
 * `--plugin FILE` in order (paths from the current directory).
 */
async function loadEarlyPlugins(args: string[]): Promise<void> {
  const flagged: string[] = [];
  let config: string | undefined;
  let sweepFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag !== '--plugin' && flag !== '--config' && flag !== '--file') continue;
    const value = inline ?? args[++i];
    if (value === undefined) continue; // commander reports the missing argument
    if (flag === '--plugin') flagged.push(value);
    else if (flag === '--file') sweepFile = value;
    else config = value;
  }
  // the file whose "plugins" load first: `train --config FILE` or `sweep --file FILE`
  const [file, flag] = args[0] === 'train' ? [config, '--config'] : args[0] === 'sweep' ? [sweepFile, '--file'] : [undefined, ''];
  if (file !== undefined) {
    const plugins = readConfigFile(file, flag, flag === '--file' ? 'sweep keys' : 'settings')['plugins'];
    if (plugins !== undefined) {
      if (!Array.isArray(plugins) || !plugins.every((p) => typeof p === 'string' && p !== '')) throw new UsageError(`${flag} ${file}: 'plugins' must be an array of file paths, got ${JSON.stringify(plugins)}`);
      await loadPlugins(plugins as string[], { origin: `from ${flag} ${file}` });
    }
  }
  await loadPlugins(flagged);
}

/**
 * Run one `pgvar` command line (the arguments after `pgvar`). Resolves to the exit code the process
 * must end with at once (0 after `--help` or `--version`, 2 for a usage error, a runtime error's code,
 * its one-line message written to stderr), or to undefined when the command finished: the process
 * then ends by itself, with `process.exitCode` if a command set it (check-env, sweep). Other errors
 * (bugs) are thrown, with their stack.
 */
export async function runCli(args: string[]): Promise<number | undefined> {
  const program = new Command();
  program
    .name('pgvar')
    .description('Policy-gradient estimator toolkit: Gymnasium-faithful envs, PPO with pluggable gradient estimators, gradient variance analysis.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) })
    .showHelpAfterError('(run with --help for usage)');
  registerCommands(program);
  try {
    askedVariant(); // a bad PGVAR_ENGINE_KERNELS stops before anything runs
    await loadEarlyPlugins(args);
    await program.parseAsync(args, { from: 'user' });
    return undefined;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof PgvarError) {
      process.stderr.write(`pgvar: error: ${e.message}\n`);
      return e instanceof UsageError ? 2 : e.exitCode;
    }
    throw e;
  }
}
