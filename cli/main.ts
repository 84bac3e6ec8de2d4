#!/usr/bin/env node
/**
 * The `pgvar` command line. Usage errors (unknown flag, malformed value, unknown env id, bad config)
 * print one line naming the problem and exit with code 2; runtime failures (NaN from an env or a
 * network) exit with code 1. No stack traces for either.
 */
import { Command, CommanderError } from 'commander';
import { PgvarError, UsageError } from '../common/errors.js';
import { registerCommands } from './commands.js';

const program = new Command();
program
  .name('pgvar')
  .description('Policy-gradient estimator toolkit: Gymnasium-faithful envs, PPO with pluggable gradient estimators, gradient variance analysis.')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) })
  .showHelpAfterError('(run with --help for usage)');
registerCommands(program);

function exitWith(code: number): never {
  process.exit(code);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') exitWith(0);
    exitWith(2);
  }
  if (e instanceof PgvarError) {
    process.stderr.write(`pgvar: error: ${e.message}\n`);
    exitWith(e instanceof UsageError ? 2 : e.exitCode);
  }
  throw e;
}
