/**
 * The process one sweep run executes in (`runInChild`): it receives the job over IPC, trains, sends
 * progress and the result, and exits. Its stdout/stderr go to the run's `sweep.log`. It exits as soon
 * as it sees that its parent (a local sweep or a queue worker) has died, so that a run requeued to
 * another worker never has two writers.
 */
import { PgvarError } from '../common/errors.js';
import { initBackend, type BackendChoice } from '../nets/backend.js';
import { runSweepJob, type SweepJob } from './sweep-job.js';

export interface ChildRequest {
  dir: string;
  job: SweepJob;
  backend: BackendChoice;
}

export type ChildMessage =
  | { type: 'progress'; step: number; total: number; recentReturn: number | null }
  | { type: 'done'; result: import('./sweep-job.js').SweepJobResult }
  | { type: 'error'; message: string; usage: boolean };

const parent = process.ppid;
const send = (m: ChildMessage): Promise<void> => new Promise((resolve) => (process.send ? process.send(m, undefined, {}, () => resolve()) : resolve()));

process.on('disconnect', () => process.exit(3));
process.once('message', (req: ChildRequest) => {
  void (async () => {
    try {
      await initBackend(req.backend);
      const result = await runSweepJob(req.dir, req.job, async (p) => {
        // the parent died (SIGKILL, a lost machine): stop before the next iteration; the job is requeued elsewhere
        if (process.ppid !== parent) process.exit(3);
        await send({ type: 'progress', ...p });
        await new Promise((r) => setImmediate(r)); // lets a 'disconnect' arrive between iterations
      });
      await send({ type: 'done', result });
      process.exit(0);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      process.stderr.write(`${e instanceof PgvarError ? `pgvar: error: ${message}` : (e as Error)?.stack ?? message}\n`);
      await send({ type: 'error', message: message.split('\n')[0]!, usage: e instanceof PgvarError });
      process.exit(1);
    }
  })();
});
