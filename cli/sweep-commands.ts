/** `pgvar sweep` and `pgvar worker` (experiment/sweep.ts, experiment/sweep-queue.ts). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { UsageError } from '../common/errors.js';
import { BACKEND_CHOICES, type BackendChoice } from '../nets/backend.js';
import { readConfigFile } from '../experiment/config-file.js';
import { choiceFlag, floatFlag, intFlag, stepsFlag } from './options.js';

// The sweep, queue, scaling and plug-in modules are imported by the commands, when they run (as in ./commands.ts).

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** A flag value as JSON when it parses (numbers, booleans, arrays), else the text itself. */
function jsonOrText(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** `key=value` (--set) */
function keyValue(flag: string, v: string): [string, string] {
  const i = v.indexOf('=');
  if (i <= 0) throw new UsageError(`${flag} ${v}: expected KEY=VALUE with a config key such as learningRate=0.001`);
  return [v.slice(0, i).trim(), v.slice(i + 1).trim()];
}

/** `key=v1,v2` or `key=[v1, v2]` (a JSON array: values that are lists themselves) (--grid) */
export function gridFlag(v: string): [string, unknown[]] {
  const [k, rest] = keyValue('--grid', v);
  if (rest.startsWith('[')) {
    const parsed = jsonOrText(rest);
    if (!Array.isArray(parsed)) throw new UsageError(`--grid ${v}: '${rest}' is not a JSON array`);
    return [k, parsed];
  }
  return [k, list(rest).map(jsonOrText)];
}

function readSpecFile(file: string): Record<string, unknown> {
  return readConfigFile(file, '--file', 'sweep keys');
}

export function registerSweepCommands(program: Command): void {
  program
    .command('sweep')
    .description('run seeds × estimators (× algorithms) × envs × an option grid, each run an ordinary resumable run directory under --out; locally on a pool of processes, or through a Redis queue served by `pgvar worker`; then sweep-results.json and report.html (learning curves, rliable aggregates)')
    .option('--file <spec.json>', 'sweep specification: {"envs", "estimators", "algos", "seeds", "config", "byAlgo", "grid", "plugins"}; flags override its keys')
    .option('--envs <list>', 'environment ids, comma-separated')
    .option('--estimators <list>', 'PPO estimators, comma-separated (default single)')
    .option('--algos <list>', "algorithms, comma-separated: ppo (default) and off-policy agents (see `pgvar agents`)")
    .option('--seeds <list>', 'seeds: 1,2,3 or ranges such as 1-3 (default 1)')
    .option('--steps <n>', 'total environment steps of every run (config key totalTimesteps)', stepsFlag)
    .option('--set <key=value>', 'a config key for every run, e.g. numEnvs=8 (JSON values; repeatable)', collect)
    .option('--grid <key=values>', 'run every value of a config key: learningRate=0.00025,0.001 or hiddenSizes=[[64,64],[256,256]] (repeatable: every combination)', collect)
    .option('--out <dir>', 'sweep root: sweep.json, one run directory per run, sweep-results.json, report.html', 'runs/sweep')
    .option('--resume <dir>', 'continue the sweep in <dir> with its sweep.json (the same command with --out does too)')
    .option('--workers <n>', `local runs at once (default: the number of cores, ${os.availableParallelism()} here)`, intFlag(1))
    .option('--queue <url>', 'submit to a Redis job queue (redis://HOST:PORT) and wait for `pgvar worker --queue URL` processes to run the jobs')
    .option('--retries <n>', 'further attempts of a failed run, each continuing from its checkpoint', intFlag(0), 1)
    .option('--dry-run', 'list the runs with their directories and exit')
    .option('--no-report', 'skip the HTML report')
    .option('--status-every <s>', 'seconds between status lines', intFlag(1), 10)
    .addOption(new Option('--plugin <file>', 'ES module registering environments or estimators (repeatable; recorded in the sweep)').argParser(collect))
    .addOption(new Option('--backend <name>', 'tensor backend of the runs').choices(BACKEND_CHOICES as unknown as string[]).default('auto'))
    .action(async (opts: { file?: string; envs?: string; estimators?: string; algos?: string; seeds?: string; steps?: number; set?: string[]; grid?: string[]; out: string; resume?: string; workers?: number; queue?: string; retries: number; dryRun?: boolean; report: boolean; statusEvery: number; backend: BackendChoice }, cmd: Command) => {
      const given = (k: string) => cmd.getOptionValueSource(k) === 'cli';
      const [{ readSweepSpec, runSweep }, { expandSweep, normalizeSpec }, { loadedPlugins, loadPlugins }] = await Promise.all([import('../experiment/sweep.js'), import('../experiment/sweep-spec.js'), import('../experiment/plugins.js')]);
      let root = opts.out;
      let spec;
      if (opts.resume) {
        const extra = ['file', 'envs', 'estimators', 'algos', 'seeds', 'steps', 'set', 'grid', 'out', 'plugin'].filter(given);
        if (extra.length) throw new UsageError(`--resume continues the sweep with its sweep.json; remove ${extra.map((k) => `--${k}`).join(', ')}`);
        root = opts.resume;
        spec = readSweepSpec(root);
        await loadPlugins(spec.plugins, { origin: `recorded in ${path.join(root, 'sweep.json')}` });
      } else {
        const raw: Record<string, unknown> = opts.file ? readSpecFile(opts.file) : {};
        const where = opts.file ? `--file ${opts.file}` : 'sweep';
        if (opts.envs !== undefined) raw['envs'] = list(opts.envs);
        if (opts.estimators !== undefined) raw['estimators'] = list(opts.estimators);
        if (opts.algos !== undefined) raw['algos'] = list(opts.algos);
        if (opts.seeds !== undefined) raw['seeds'] = opts.seeds;
        if (opts.steps !== undefined || opts.set) {
          const config = { ...((raw['config'] as Record<string, unknown> | undefined) ?? {}) };
          for (const s of opts.set ?? []) {
            const [k, v] = keyValue('--set', s);
            config[k] = jsonOrText(v);
          }
          if (opts.steps !== undefined) config['totalTimesteps'] = opts.steps;
          raw['config'] = config;
        }
        if (opts.grid) raw['grid'] = { ...((raw['grid'] as Record<string, unknown> | undefined) ?? {}), ...Object.fromEntries(opts.grid.map(gridFlag)) };
        // plug-ins given as flags (run.ts loaded them, and the file's) are recorded with the sweep
        const plugins = [...new Set([...((raw['plugins'] as string[] | undefined) ?? []).map((p) => path.resolve(p)), ...loadedPlugins()])];
        if (plugins.length) raw['plugins'] = plugins;
        spec = normalizeSpec(raw, where);
      }
      if (opts.dryRun) {
        const runs = await expandSweep(spec);
        for (const r of runs) process.stdout.write(`${path.join(root, r.id)}\n`);
        process.stderr.write(`${runs.length} runs\n`);
        return;
      }
      if (opts.queue && given('workers')) throw new UsageError('--workers sizes the local pool; with --queue the workers are `pgvar worker` processes (their --concurrency)');
      const res = await runSweep({ root, spec, ...(opts.workers ? { workers: opts.workers } : {}), ...(opts.queue ? { queue: opts.queue } : {}), retries: opts.retries, backend: opts.backend, report: opts.report, statusEvery: opts.statusEvery });
      process.stdout.write(`results: ${res.results}\n${res.report ? `report: ${res.report}\n` : ''}`);
      if (res.failed) process.exitCode = 1;
    });

  program
    .command('worker')
    .description('take the runs of `pgvar sweep --queue URL` from a Redis job queue and run them (one per --concurrency slot), until interrupted; a worker that dies has its run continued from its checkpoint by another')
    .requiredOption('--queue <url>', 'the Redis URL the sweep was submitted to (redis://HOST:PORT)')
    .option('--concurrency <n>', 'runs at once on this machine', intFlag(1), 1)
    .option('--dir <dir>', "keep run directories under <dir>/<sweep>/ (default: the sweep's own root, for the same machine or a shared file system); the run logs travel back to the sweep either way")
    .option('--lock-seconds <s>', 'a run whose worker is silent this long goes to another worker', intFlag(1), 30)
    .option('--max-stalled <n>', 'how many dead workers one run may survive before it fails', intFlag(0), 5)
    .option('--name <name>', 'worker name in logs and results (default host:pid)')
    .action(async (opts: { queue: string; concurrency: number; dir?: string; lockSeconds: number; maxStalled: number; name?: string }) => {
      if (opts.dir !== undefined) fs.mkdirSync(opts.dir, { recursive: true });
      const { runWorker } = await import('../experiment/sweep-queue.js');
      await runWorker({ url: opts.queue, concurrency: opts.concurrency, ...(opts.dir ? { dir: path.resolve(opts.dir) } : {}), lockSeconds: opts.lockSeconds, maxStalled: opts.maxStalled, ...(opts.name ? { name: opts.name } : {}) });
    });

  program
    .command('scaling')
    .description("Rybkin et al.'s scaling fits over off-policy runs of a UTD × batch size × learning rate grid (e.g. a `pgvar sweep`): data to reach a return threshold per setting, the best batch size and learning rate per UTD, the shared-slope power laws and D_J(σ), beside the paper's fitted values")
    .argument('<roots...>', 'sweep roots or run directories (searched for config.json)')
    .requiredOption('--threshold <J>', 'return threshold J: a run reaches it when the mean of its last --window episodes does', floatFlag())
    .option('--window <n>', 'episodes in the trailing mean', intFlag(1), 10)
    .option('--benchmark <name>', "the paper's fits to compare with: dmc (BRO) or gym (SAC); default from the env ids", choiceFlag(['dmc', 'gym'] as const))
    .option('--out <file>', 'report file (JSON beside it)', 'runs/scaling.html')
    .action(async (roots: string[], opts: { threshold: number; window: number; benchmark?: 'dmc' | 'gym'; out: string }) => {
      const { scalingReport } = await import('../experiment/scaling.js');
      const res = await scalingReport({ roots, threshold: opts.threshold, window: opts.window, out: opts.out, ...(opts.benchmark ? { benchmark: opts.benchmark } : {}) });
      process.stdout.write(`report: ${res.report}\nnumbers: ${res.json}\n`);
    });
}
