/**
 * The distributed mode of `pgvar sweep`: a BullMQ job queue on Redis. `pgvar sweep --queue URL`
 * submits one job per run (its id fixed by the sweep and the run, so a resubmitted sweep adds
 * nothing twice) and follows them; `pgvar worker --queue URL` on each machine takes jobs and runs
 * each in a child process (experiment/sweep-pool.ts). A worker that dies stops renewing its job's
 * lock; after `lockSeconds` another worker's stalled-job check puts the job back in the queue, and
 * the next attempt continues the run from its last checkpoint when it can see the run directory
 * (the same machine or a shared file system). Results travel back with the job: the run's logs
 * (config, metrics, episodes, summary) are written into the submitter's sweep root.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Job } from 'bullmq';
import type { RedisOptions } from 'ioredis';

/** BullMQ and ioredis load on first use (≈ 0.3 s): commands and library users that never queue do not pay it. */
const queueLibs = async () => ({ ...(await import('bullmq')), Redis: (await import('ioredis')).Redis });
import { PgvarError, UsageError } from '../common/errors.js';
import type { BackendChoice } from '../nets/backend.js';
import { runInChild, type ChildHandle, type RunOutcome } from './sweep-pool.js';
import type { SweepJob, SweepJobResult, SweepProgress } from './sweep-job.js';

/** The queue every pgvar sweep and worker use (jobs carry their sweep's name). */
export const QUEUE_NAME = 'pgvar-sweep';
/** The run files sent back with a finished job (checkpoints stay where the run ran). */
const RESULT_FILES = ['config.json', 'metrics.jsonl', 'episodes.csv', 'summary.json', 'variance.jsonl'];
const MAX_RESULT_BYTES = 64 * 1024 * 1024;

export interface QueueJobData extends SweepJob {
  sweep: string;
  /** The sweep root on the submitting machine (the default run location of a worker). */
  root: string;
  backend: BackendChoice;
}

export interface QueueJobResult extends SweepJobResult {
  worker: string;
  files: Record<string, string>;
}

/** `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) as ioredis options. */
export function redisConnection(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue ${url}: expected a Redis URL such as redis://localhost:6379`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--queue ${url}: expected a redis:// or rediss:// URL, got the scheme '${u.protocol}'`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new UsageError(`--queue ${url}: the database after the '/' must be an integer ≥ 0`);
  return {
    host: u.hostname || 'localhost',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null, // BullMQ's requirement for workers
  };
}

/** Fails fast with one line when nothing answers at the URL (ioredis would otherwise retry forever). */
export async function checkReachable(url: string, timeoutMs = 5000): Promise<void> {
  const c = redisConnection(url);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: c.host!, port: c.port! });
    const fail = (why: string) => {
      socket.destroy();
      reject(new UsageError(`--queue ${url}: cannot reach Redis (${why}); start it (redis-server) or check the address`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer in ${timeoutMs / 1000} s`));
    socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}

const jobIdOf = (sweep: string, id: string) => `${sweep}/${id}`;

function readRunFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  let bytes = 0;
  for (const f of RESULT_FILES) {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) continue;
    bytes += fs.statSync(p).size;
    if (bytes > MAX_RESULT_BYTES) return {}; // too large to travel through Redis: the logs stay with the run
    files[f] = fs.readFileSync(p, 'utf8');
  }
  return files;
}

/** Writes a finished job's run logs into the sweep root, unless the run is already there (a shared file system). */
export function gatherRunFiles(root: string, result: QueueJobResult): void {
  const dir = path.join(root, result.id);
  if (fs.existsSync(path.join(dir, 'summary.json')) || Object.keys(result.files).length === 0) return;
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(result.files)) fs.writeFileSync(path.join(dir, f), text);
}

export interface SubmitOptions {
  url: string;
  sweep: string;
  root: string;
  backend: BackendChoice;
  retries: number;
  pollMs?: number;
  onStart?: (id: string, attempt: number, worker: string | undefined) => void;
  onProgress?: (id: string, p: SweepProgress) => void;
  onEnd?: (outcome: RunOutcome & { worker?: string }) => void;
  /** Once, after the jobs are in the queue (tests and progress displays). */
  onSubmitted?: (added: number, existing: number) => void;
}

/**
 * Adds the sweep's jobs (those not already in the queue; failed ones are retried) and waits until
 * every job has completed or failed for good. Interrupting this leaves the jobs to the workers: the
 * same command attaches again.
 */
export async function submitAndWait(jobs: SweepJob[], o: SubmitOptions): Promise<RunOutcome[]> {
  await checkReachable(o.url);
  const { Queue, Redis } = await queueLibs();
  const connection = new Redis(redisConnection(o.url));
  const queue = new Queue<QueueJobData, QueueJobResult>(QUEUE_NAME, { connection });
  try {
    let added = 0;
    let existing = 0;
    for (const job of jobs) {
      const jobId = jobIdOf(o.sweep, job.id);
      const old = await queue.getJob(jobId);
      if (old) {
        existing++;
        if ((await old.getState()) === 'failed') await old.retry('failed');
        continue;
      }
      await queue.add(o.sweep, { ...job, sweep: o.sweep, root: path.resolve(o.root), backend: o.backend }, { jobId, attempts: o.retries + 1, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
      added++;
    }
    o.onSubmitted?.(added, existing);
    const outcomes = new Map<string, RunOutcome>();
    const seen = new Map<string, number>(); // attempts started, as last reported
    // Every attempt's start is reported once, also one that began and ended between two polls
    // (a short retry): the display then still says which worker ran the attempt that counted.
    const reportStart = (id: string, attempt: number, worker: string | undefined) => {
      if ((seen.get(id) ?? 0) >= attempt) return;
      seen.set(id, attempt);
      o.onStart?.(id, attempt, worker);
    };
    while (outcomes.size < jobs.length) {
      for (const job of jobs) {
        if (outcomes.has(job.id)) continue;
        const j = (await queue.getJob(jobIdOf(o.sweep, job.id))) as Job<QueueJobData, QueueJobResult> | undefined;
        if (!j) throw new PgvarError(`sweep ${o.sweep}: job ${job.id} vanished from the queue (removed by hand?); run the same command again to resubmit it`);
        const state = await j.getState();
        if (state === 'completed') {
          const r = j.returnvalue;
          gatherRunFiles(o.root, r);
          reportStart(job.id, j.attemptsStarted, r.worker ?? j.processedBy);
          const outcome = { id: r.id, status: r.status, resumedFrom: r.resumedFrom, summary: r.summary, attempts: Math.max(1, j.attemptsStarted), worker: r.worker };
          outcomes.set(job.id, outcome);
          o.onEnd?.(outcome);
        } else if (state === 'failed') {
          reportStart(job.id, j.attemptsStarted, j.processedBy);
          const outcome = { id: job.id, status: 'failed' as const, error: j.failedReason, attempts: j.attemptsStarted };
          outcomes.set(job.id, outcome);
          o.onEnd?.(outcome);
        } else if (state === 'active') {
          reportStart(job.id, j.attemptsStarted, j.processedBy);
          const p = j.progress as SweepProgress | number;
          if (typeof p === 'object' && p !== null) o.onProgress?.(job.id, p);
        }
      }
      if (outcomes.size < jobs.length) await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
    return jobs.map((j) => outcomes.get(j.id)!);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export interface WorkerOptions {
  url: string;
  /** Runs at once on this machine (default 1; each run uses about one core). */
  concurrency: number;
  /** Where this worker keeps run directories: `<dir>/<sweep>/<run>`; default: the submitter's root (a shared file system). */
  dir?: string;
  /** A job whose worker stops renewing its lock for this long is handed to another worker. */
  lockSeconds: number;
  /** How many times one job may be recovered from a dead worker before it fails. */
  maxStalled: number;
  name?: string;
  log?: (line: string) => void;
}

/** Takes jobs until interrupted (SIGINT/SIGTERM end the runs' processes; their jobs go to other workers). */
export async function runWorker(o: WorkerOptions): Promise<void> {
  await checkReachable(o.url);
  const { Worker, UnrecoverableError, Redis } = await queueLibs();
  const name = o.name ?? `${os.hostname()}:${process.pid}`;
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const active = new Set<ChildHandle>();
  const connection = new Redis(redisConnection(o.url));
  const worker = new Worker<QueueJobData, QueueJobResult>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data;
      const dir = o.dir ? path.join(o.dir, d.sweep, d.id) : path.join(d.root, d.id);
      log(`worker ${name}: ${d.sweep} ${d.id} (attempt ${job.attemptsStarted}) in ${dir}`);
      const h = runInChild(dir, { id: d.id, kind: d.kind, config: d.config }, d.backend, (p) => void job.updateProgress(p).catch(() => {}));
      active.add(h);
      try {
        const r = await h.result;
        log(`worker ${name}: ${d.id} ${r.status}${r.resumedFrom !== null ? ` from step ${r.resumedFrom}` : ''}`);
        return { ...r, worker: name, files: readRunFiles(dir) };
      } catch (e) {
        log(`worker ${name}: ${d.id} failed: ${(e as Error).message}`);
        if (e instanceof UsageError) throw new UnrecoverableError((e as Error).message); // bad input: retrying cannot help
        throw e;
      } finally {
        active.delete(h);
      }
    },
    { connection, concurrency: o.concurrency, lockDuration: o.lockSeconds * 1000, stalledInterval: o.lockSeconds * 1000, maxStalledCount: o.maxStalled, name },
  );
  // connection errors repeat while Redis is away: one line per distinct message and minute
  const lastSaid = new Map<string, number>();
  worker.on('error', (e) => {
    const now = Date.now();
    if (now - (lastSaid.get(e.message) ?? -Infinity) < 60_000) return;
    lastSaid.set(e.message, now);
    log(`worker ${name}: ${e.message}`);
  });
  log(`worker ${name}: waiting for jobs on ${o.url} (queue ${QUEUE_NAME}, ${o.concurrency} at a time)`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log(`worker ${name}: ${signal}; ending ${active.size} run(s), their jobs go back to the queue after ${o.lockSeconds} s`);
      active.forEach((h) => h.kill());
      void worker.close(true).finally(() => {
        connection.disconnect();
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
