/**
 * Where sweep runs execute: each run in its own child process (experiment/sweep-child.ts), so that a
 * run's synchronous training never blocks the parent (a queue worker must renew its job locks), a
 * crash stays in its run, and MuJoCo's WebAssembly memory is returned when the run ends. The local
 * pool runs up to `workers` children at once.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PgvarError, UsageError } from '../common/errors.js';
import type { BackendChoice } from '../nets/backend.js';
import type { ChildMessage, ChildRequest } from './sweep-child.js';
import type { SweepJob, SweepJobResult, SweepProgress } from './sweep-job.js';

export interface ChildHandle {
  result: Promise<SweepJobResult>;
  /** Ends the run's process (SIGKILL): its last checkpoint stays; the next attempt resumes from it. */
  kill(): void;
}

/** The log every attempt of a run appends to (the child's stdout and stderr). */
export const SWEEP_LOG = 'sweep.log';

function childEntry(): { file: string; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  return { file: fileURLToPath(new URL(ts ? './sweep-child.ts' : './sweep-child.js', import.meta.url)), execArgv: ts ? ['--import', 'tsx'] : [] };
}

/** Runs one job in a child process; the promise rejects with a one-line PgvarError (UsageError for bad input). */
export function runInChild(dir: string, job: SweepJob, backend: BackendChoice, onProgress?: (p: SweepProgress) => void): ChildHandle {
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, SWEEP_LOG);
  const log = fs.openSync(logFile, 'a');
  const { file, execArgv } = childEntry();
  const child = fork(file, [], { stdio: ['ignore', log, log, 'ipc'], execArgv });
  fs.closeSync(log);
  const result = new Promise<SweepJobResult>((resolve, reject) => {
    let settled = false;
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') onProgress?.(m);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result);
      } else {
        settled = true;
        reject(m.usage ? new UsageError(`${job.id}: ${m.message}`) : new PgvarError(`${job.id}: ${m.message} (see ${logFile})`));
      }
    });
    child.on('exit', (code, signal) => {
      if (!settled) reject(new PgvarError(`${job.id}: its process ended (${signal ?? `exit code ${code}`}) before the run finished; see ${logFile}`));
    });
    child.on('error', (e) => {
      if (!settled) reject(new PgvarError(`${job.id}: cannot start its process (${e.message})`));
    });
  });
  const request: ChildRequest = { dir, job, backend };
  child.send(request);
  return { result, kill: () => void child.kill('SIGKILL') };
}

export type RunOutcome =
  | { id: string; status: SweepJobResult['status']; resumedFrom: number | null; summary: Record<string, unknown>; attempts: number }
  | { id: string; status: 'failed'; error: string; attempts: number };

export interface PoolOptions {
  workers: number;
  backend: BackendChoice;
  /** Further attempts of a failed run (each resumes from the run's last checkpoint). */
  retries: number;
  onStart?: (id: string, attempt: number) => void;
  onProgress?: (id: string, p: SweepProgress) => void;
  onEnd?: (outcome: RunOutcome) => void;
}

/** Runs the jobs on up to `workers` child processes at once; resolves when every job has succeeded or failed. */
export async function runLocalPool(root: string, jobs: SweepJob[], o: PoolOptions): Promise<RunOutcome[]> {
  const outcomes = new Map<string, RunOutcome>();
  const queue = [...jobs];
  const running = new Set<ChildHandle>();
  // an interrupted sweep ends its runs' processes (their checkpoints stay) and exits: the same command continues it
  const stop = (signal: NodeJS.Signals) => {
    running.forEach((h) => h.kill());
    process.stderr.write(`\nsweep: interrupted (${signal}); run the same command again to continue from the runs' checkpoints\n`);
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const lane = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      let outcome: RunOutcome | undefined;
      for (let attempt = 1; !outcome; attempt++) {
        o.onStart?.(job.id, attempt);
        const h = runInChild(path.join(root, job.id), job, o.backend, (p) => o.onProgress?.(job!.id, p));
        running.add(h);
        try {
          const r = await h.result;
          outcome = { ...r, attempts: attempt };
        } catch (e) {
          // bad input fails the same way every time: no retry
          if (e instanceof UsageError || attempt > o.retries) outcome = { id: job.id, status: 'failed', error: (e as Error).message, attempts: attempt };
        } finally {
          running.delete(h);
        }
      }
      outcomes.set(job.id, outcome);
      o.onEnd?.(outcome);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers, jobs.length)) }, lane));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return jobs.map((j) => outcomes.get(j.id)!);
}
