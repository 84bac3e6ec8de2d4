/**
 * `pgvar sweep` and `pgvar worker` (experiment/sweep*.ts): the specification's expansion and its
 * one-line errors; a 3 seeds × 3 estimators × 2 envs sweep run locally and killed in the middle,
 * continued by the same command (finished runs not re-run, a cut run resumed); the same sweep through
 * a Redis queue with two workers, one killed (SIGKILL, with its run's process) in the middle of a
 * run — the run continues from its checkpoint on the other worker — and per-run metrics and episodes
 * identical to the local sweep's; the report's rliable aggregates.
 *
 * Redis: PGVAR_TEST_REDIS_URL (.ci/run starts a redis-server), else a redis-server started here on a
 * free port; without either the queue test is skipped with the reason.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import t from 'tap';
import { resolveConfig } from '../experiment/build.js';
import { findRunDirs } from '../experiment/run-dir.js';
import { expandSweep, gridPoints, normalizeSpec, parseSeeds } from '../experiment/sweep-spec.js';
import { BIN, cli, cliInProcess, deterministicMetrics, spawn, tmpDir } from './helpers.js';

const dir = tmpDir('pgvar-sweep-');
const spec = (steps: number) => ['--envs', 'CartPole-v1,Pendulum-v1', '--estimators', 'single,ac,mc', '--seeds', '1-2', '--steps', String(steps), '--set', 'numEnvs=4', '--set', 'numSteps=128', '--set', 'checkpointEvery=1', '--status-every', '1'];
const SPEC = spec(4096);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).length : 0);

async function until(what: string, cond: () => boolean, timeoutMs = 240_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Run directories (relative to the root) that hold a config. */
const runDirs = (root: string): string[] => findRunDirs(root).map((d) => path.relative(root, d));

/** A run that has logged at least `rows` iterations and not finished. */
function midRun(root: string, rows = 2): string | undefined {
  if (!fs.existsSync(root)) return undefined;
  return runDirs(root).find((r) => lines(path.join(root, r, 'metrics.jsonl')) >= rows && !fs.existsSync(path.join(root, r, 'summary.json')));
}

function detached(args: string[], log: string): ChildProcess {
  const fd = fs.openSync(log, 'a');
  const p = spawn(process.execPath, [BIN, ...args], { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  return p;
}

const killGroup = (p: ChildProcess) => {
  try {
    process.kill(-p.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
};
const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

t.test('the specification: defaults, grid products, seeds ranges, one-line errors', async (t) => {
  t.same(parseSeeds('1-3,7', 'x'), [1, 2, 3, 7]);
  t.throws(() => parseSeeds('3-1', 'x'), /seeds must be integers ≥ 0 or ranges/);
  t.throws(() => parseSeeds([1, 1], 'x'), /seed 1 is listed twice/);
  t.same(gridPoints({ a: [1, 2], b: ['x', 'y'] }), [{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
  const spec = normalizeSpec({ envs: ['CartPole-v1'], estimators: ['gae', 'mc'], seeds: [1, 2], config: { totalTimesteps: 2048 }, grid: { learningRate: [0.001, 0.0003] } }, 'spec');
  t.same(spec.estimators, ['single', 'mc'], 'aliases resolved');
  t.same(spec.algos, ['ppo'], 'ppo by default');
  const runs = await expandSweep(spec);
  t.equal(runs.length, 8, '2 estimators × 2 grid points × 2 seeds');
  t.same(runs.slice(0, 3).map((r) => r.id), ['CartPole-v1/single/learningRate=0.001/seed1', 'CartPole-v1/single/learningRate=0.001/seed2', 'CartPole-v1/single/learningRate=0.0003/seed1']);
  const want = resolveConfig({ totalTimesteps: 2048, learningRate: 0.0003 }, { envId: 'CartPole-v1', estimator: 'mc', seed: 2, algo: 'ppo' });
  t.same(runs.find((r) => r.id === 'CartPole-v1/mc/learningRate=0.0003/seed2')!.config, want, 'a run config equals what train resolves from the same keys');
  const off = await expandSweep(normalizeSpec({ envs: ['Pendulum-v1'], algos: ['ppo', 'sac'], seeds: [1], byAlgo: { sac: { learningStarts: 100 } }, config: { totalTimesteps: 2048 } }, 'spec'));
  t.same(off.map((r) => [r.id, r.kind]), [['Pendulum-v1/single/seed1', 'ppo'], ['Pendulum-v1/sac/seed1', 'offpolicy']], 'off-policy agents are runs without an estimator');
  t.equal((off[1]!.config as unknown as Record<string, unknown>)['learningStarts'], 100, 'byAlgo keys reach their algorithm');
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ envs: ['CartPole-v1'], estimator: ['mc'] }, /unknown key 'estimator'; a sweep has envs, algos/],
    [{}, /no environments: give 'envs'/],
    [{ envs: ['Nope-v0'] }, /unknown environment id 'Nope-v0'/],
    [{ envs: ['CartPole-v1'], estimators: ['nope'] }, /unknown estimator 'nope'/],
    [{ envs: ['CartPole-v1'], estimators: ['single', 'gae'] }, /'single' is listed twice \(under an alias\)/],
    [{ envs: ['CartPole-v1'], config: { seed: 3 } }, /'config' sets 'seed', which is a sweep dimension/],
    [{ envs: ['CartPole-v1'], grid: { learningRate: [] } }, /grid key 'learningRate' must list its values/],
    [{ envs: ['CartPole-v1'], algos: ['sac'], estimators: ['mc'] }, /'estimators' apply to PPO runs/],
    [{ envs: ['CartPole-v1'], byAlgo: { sac: {} } }, /'byAlgo' has 'sac', which is not among the sweep's algos/],
  ];
  for (const [raw, re] of bad) t.throws(() => normalizeSpec(raw, 'spec'), re, JSON.stringify(raw));
  await t.rejects(expandSweep(normalizeSpec({ envs: ['CartPole-v1'], config: { learningRat: 1 } }, 'spec')), /learningRat/, 'unknown config keys are named');
});

t.test('CLI: --dry-run lists the runs; bad flags give one line and exit code 2', async (t) => {
  // in this process (runCli, what bin/pgvar.js runs; cli.test.ts compares the two): nothing here trains
  const r = await cliInProcess(['sweep', ...SPEC, '--out', path.join(dir, 'dry'), '--dry-run']);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout.trim().split('\n').length, 12, '2 seeds × 3 estimators × 2 envs');
  t.match(r.stdout, /dry\/Pendulum-v1\/mc\/seed2/);
  t.notOk(fs.existsSync(path.join(dir, 'dry')), 'a dry run writes nothing');
  for (const [args, re] of [
    [['--envs', 'CartPole-v1', '--seeds', '1-x'], /seeds must be integers ≥ 0 or ranges such as 1-3, got '1-x'/],
    [['--envs', 'CartPole-v1', '--set', 'numEnvs'], /--set numEnvs: expected KEY=VALUE/],
    [['--envs', 'CartPole-v1', '--estimators', 'single,nope'], /unknown estimator 'nope'/],
    [['--envs', 'CartPole-v1', '--queue', 'http://x'], /--queue http:\/\/x: expected a redis:\/\/ or rediss:\/\/ URL/],
    [['--envs', 'CartPole-v1', '--queue', 'redis://127.0.0.1:1'], /--queue redis:\/\/127.0.0.1:1: cannot reach Redis \(ECONNREFUSED\)/],
    [['--file', path.join(dir, 'missing.json')], /--file .*missing.json: cannot read the file \(ENOENT\)/],
  ] as [string[], RegExp][]) {
    const e = await cliInProcess(['sweep', ...args, '--out', path.join(dir, 'bad'), '--steps', '1000', '--no-report']);
    t.equal(e.status, 2, `${args.join(' ')} → exit 2`);
    t.match(e.stderr, re);
    t.equal(e.stderr.trim().split('\n').length, 1, `one line: ${e.stderr.trim()}`);
  }
});

t.test('local sweep: killed in the middle, continued by the same command; finished runs are not re-run', async (t) => {
  const root = path.join(dir, 'local');
  const first = detached(['sweep', ...SPEC, '--out', root, '--workers', '2', '--no-report'], path.join(dir, 'local-1.log'));
  await until('a run in the middle (local)', () => midRun(root, 3) !== undefined && runDirs(root).filter((r) => fs.existsSync(path.join(root, r, 'summary.json'))).length >= 2);
  killGroup(first);
  await exited(first);
  const cut = runDirs(root).filter((r) => !fs.existsSync(path.join(root, r, 'summary.json')) && fs.existsSync(path.join(root, r, 'checkpoint', 'checkpoint.json')));
  // rows logged at the kill: a run's k-th row is written before its k-th checkpoint, so ≥ 2 rows mean a checkpoint past step 0
  const rowsAtKill = new Map(cut.map((r) => [r, lines(path.join(root, r, 'metrics.jsonl'))]));
  const finished = runDirs(root).filter((r) => fs.existsSync(path.join(root, r, 'summary.json')));
  t.ok(cut.some((r) => lines(path.join(root, r, 'metrics.jsonl')) >= 3) && finished.length >= 2, `killed with ${finished.length} finished and ${cut.length} cut run(s), one of them in the middle`);
  const mtimes = finished.map((r) => fs.statSync(path.join(root, r, 'summary.json')).mtimeMs);
  const again = cli(['sweep', ...SPEC, '--out', root, '--workers', '2']);
  t.equal(again.status, 0, again.stderr);
  t.match(again.stderr, new RegExp(`${finished.length} finished, ${12 - finished.length} to run`));
  const results = JSON.parse(fs.readFileSync(path.join(root, 'sweep-results.json'), 'utf8')) as { runs: { id: string; status: string; resumedFrom: number | null }[]; failed: number };
  t.equal(results.runs.length, 12);
  t.equal(results.failed, 0);
  t.same(results.runs.filter((r) => r.status === 'skipped').map((r) => r.id).sort(), finished, 'finished runs skipped');
  t.same(finished.map((r) => fs.statSync(path.join(root, r, 'summary.json')).mtimeMs), mtimes, 'and never rewritten');
  for (const c of cut) {
    const row = results.runs.find((r) => r.id === c)!;
    t.equal(row.status, 'resumed', `${c} resumed`);
    const rows = rowsAtKill.get(c)!;
    t.ok(row.resumedFrom !== null && row.resumedFrom >= Math.max(0, rows - 1) * 512, `${c} from step ${row.resumedFrom} (${rows} rows logged at the kill)`);
  }
  // the report of the sweep: learning curves and the rliable aggregates over the two tasks
  const report = fs.readFileSync(path.join(root, 'report.html'), 'utf8');
  t.match(report, /Aggregate statistics \(rliable\)/);
  const rl = JSON.parse(fs.readFileSync(path.join(root, 'report.json'), 'utf8')).rliable;
  t.ok(rl, 'report.json has the rliable aggregates');
  t.match(JSON.stringify(rl), /IQM|iqm/);
  // the sweep's metrics equal a single uninterrupted `train` of the same run
  const solo = path.join(dir, 'solo');
  const r = cli(['train', '--env', 'Pendulum-v1', '--estimator', 'mc', '--seed', '2', '--steps', '4096', '--num-envs', '4', '--num-steps', '128', '--checkpoint-every', '1', '--quiet', '--out', solo]);
  t.equal(r.status, 0, r.stderr);
  t.same(deterministicMetrics(path.join(root, 'Pendulum-v1/mc/seed2/metrics.jsonl')), deterministicMetrics(path.join(solo, 'metrics.jsonl')), 'a sweep run equals pgvar train with the same keys');
  const rerun = cli(['sweep', ...spec(8192), '--out', root, '--no-report']);
  t.equal(rerun.status, 2);
  t.match(rerun.stderr, /holds another sweep \('config' was .*continue it with --resume/);
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function redisUrl(): Promise<{ url: string; stop: () => void } | string> {
  if (process.env['PGVAR_TEST_REDIS_URL']) return { url: process.env['PGVAR_TEST_REDIS_URL'], stop: () => {} };
  if (spawnSync('redis-server', ['--version']).status !== 0) return 'redis-server is not installed (apt-get install redis-server; .ci/run installs it)';
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await until('redis-server', () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG', 20_000);
  return { url, stop: () => server.kill('SIGKILL') };
}

/** A Redis server for this subtest (stopped at its end), or undefined after skipping it with the reason. */
async function redisOrSkip(t: Tap.Test): Promise<{ url: string } | undefined> {
  const redis = await redisUrl();
  if (typeof redis === 'string') {
    t.skip(redis);
    return undefined;
  }
  t.teardown(redis.stop);
  return redis;
}

t.test('Redis queue: two workers, one killed in the middle of a run; the metrics equal the local sweep', async (t) => {
  const redis = await redisOrSkip(t);
  if (!redis) return;
  const root = path.join(dir, 'queue');
  const logA = path.join(dir, 'worker-A.log');
  const workerArgs = (name: string) => ['worker', '--queue', redis.url, '--lock-seconds', '2', '--name', name];
  const a = detached(workerArgs('A'), logA);
  const b = detached(workerArgs('B'), path.join(dir, 'worker-B.log'));
  t.teardown(() => [a, b].forEach(killGroup));
  const sweep = spawn(process.execPath, [BIN, 'sweep', ...SPEC, '--out', root, '--queue', redis.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  sweep.stdout!.on('data', (d) => (out += d));
  sweep.stderr!.on('data', (d) => (err += d));
  // the run worker A is on, once it has logged a few iterations
  let victim: string | undefined;
  await until('worker A in the middle of a run', () => {
    const taken = [...fs.readFileSync(logA, 'utf8').matchAll(/\(attempt \d+\) in (\S+)/g)].map((m) => m[1]!);
    const current = taken.at(-1);
    if (current && lines(path.join(current, 'metrics.jsonl')) >= 3 && !fs.existsSync(path.join(current, 'summary.json'))) victim = path.relative(root, current);
    return victim !== undefined;
  });
  killGroup(a);
  const code = await exited(sweep);
  t.equal(code, 0, err);
  t.match(out, /report: /);
  const results = JSON.parse(fs.readFileSync(path.join(root, 'sweep-results.json'), 'utf8')) as { runs: { id: string; status: string; resumedFrom: number | null; attempts: number; worker?: string }[]; failed: number };
  t.equal(results.failed, 0);
  const row = results.runs.find((r) => r.id === victim)!;
  t.equal(row.status, 'resumed', `${victim}: killed on worker A, continued from its checkpoint`);
  t.ok((row.resumedFrom ?? 0) >= 2 * 512, `from step ${row.resumedFrom} (3 rows were logged: the checkpoints of iterations 1 and 2 were written)`);
  t.equal(row.worker, 'B', 'by worker B');
  t.ok(row.attempts >= 2, `attempt ${row.attempts}`);
  t.match(err, new RegExp(`${victim!.replace(/[/.]/g, '\\$&')} started \\(attempt 2\\) on B`), 'the sweep shows the second attempt');
  // identical per-run metrics and episodes both ways
  const local = path.join(dir, 'local');
  const ids = results.runs.map((r) => r.id);
  t.equal(ids.length, 12);
  let same = 0;
  for (const id of ids) {
    const m = deterministicMetrics(path.join(root, id, 'metrics.jsonl'));
    const e = fs.readFileSync(path.join(root, id, 'episodes.csv'), 'utf8');
    if (JSON.stringify(m) === JSON.stringify(deterministicMetrics(path.join(local, id, 'metrics.jsonl'))) && e === fs.readFileSync(path.join(local, id, 'episodes.csv'), 'utf8') && m.length === 8) same++;
    else t.fail(`${id}: metrics or episodes differ from the local sweep`);
  }
  t.equal(same, 12, 'all 12 runs identical to the local sweep (metrics without sps/time_s, and episodes)');
  // submitting the finished sweep again runs nothing
  const again = cli(['sweep', ...SPEC, '--out', root, '--queue', redis.url, '--no-report']);
  t.equal(again.status, 0, again.stderr);
  t.match(again.stderr, /12 finished, 0 to run/);
});

t.test('Redis queue display: an attempt that starts and ends between two polls is still reported, with its worker', async (t) => {
  const redis = await redisOrSkip(t);
  if (!redis) return;
  const { submitAndWait, redisConnection, QUEUE_NAME } = await import('../experiment/sweep-queue.js');
  const { Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const sweepName = `race-${process.pid}-${Date.now()}`;
  const jobs = ['a', 'b'].map((id) => ({ id, kind: 'ppo' as const, config: {} as never }));
  const attemptsSeen: string[] = [];
  let worker: { close: () => Promise<void> } | undefined;
  const connection = new Redis(redisConnection(redis.url));
  t.teardown(async () => {
    await worker?.close();
    connection.disconnect();
  });
  const starts: string[] = [];
  // One poll right after submission (the jobs wait: the worker starts 1 s later), the next 5 s later;
  // in between the worker fails 'b' once (retried after BullMQ's 1 s back-off) and finishes both.
  const outcomes = await submitAndWait(jobs, {
    url: redis.url,
    sweep: sweepName,
    root: path.join(dir, 'race'),
    backend: 'auto',
    retries: 1,
    pollMs: 5000,
    onSubmitted: () => {
      setTimeout(() => {
        worker = new Worker(
          QUEUE_NAME,
          async (job: { data: { sweep: string; id: string }; attemptsStarted: number }) => {
            if (job.data.sweep !== sweepName) throw new Error('another sweep');
            attemptsSeen.push(`${job.data.id}:${job.attemptsStarted}`);
            if (job.data.id === 'b' && job.attemptsStarted === 1) throw new Error('first attempt fails');
            return { id: job.data.id, status: 'trained', resumedFrom: null, summary: {}, worker: 'W', files: {} };
          },
          { connection, name: 'W' },
        );
      }, 1000);
    },
    onStart: (id, attempt, where) => starts.push(`${id} attempt ${attempt} on ${where}`),
  });
  t.same(outcomes.map((o) => [o.id, o.status, o.attempts]), [['a', 'trained', 1], ['b', 'trained', 2]]);
  t.same(attemptsSeen.sort(), ['a:1', 'b:1', 'b:2'], 'the worker ran a once and b twice, all between two polls');
  t.same(starts.sort(), ['a attempt 1 on W', 'b attempt 2 on W'], 'each job\'s last attempt is reported once, with the worker that ran it');
});
