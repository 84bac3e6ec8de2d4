#!/usr/bin/env node
// Entry point of the `pgvar` command: runs the compiled CLI (built by `npm run build`, run on install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('pgvar: the compiled CLI is missing (dist/); run `npm run build` in the pgvar directory.\n');
  process.exit(1);
}
await import(main.href);
