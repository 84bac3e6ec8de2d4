#!/usr/bin/env node
/** The `pgvar` command (bin/pgvar.js imports this module): ./run.ts runs the command line; an error ends the process at once with its exit code. */
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2));
if (code !== undefined) process.exit(code);
