/**
 * `pgvar sweep`: runs every run of a sweep (experiment/sweep-spec.ts) as an ordinary resumable run
 * directory under one root, on a local pool of child processes sized to the cores or through a Redis
 * job queue (experiment/sweep-queue.ts), then writes `sweep-results.json` (one row per run) and the
 * sweep's report (`pgvar analyze` over its runs: learning curves, rliable aggregates).
 *
 * The root holds `sweep.json`, the sweep's specification: running a sweep again on the same root
 * continues it (finished runs are skipped, started ones resume from their checkpoints), and a
 * different specification on that root is refused.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../common/atomic-fs.js';
import { UsageError } from '../common/errors.js';
import type { BackendChoice } from '../nets/backend.js';
import { analyze } from './analyze.js';
import { RunDir } from './run-dir.js';
import { checkSameRun, canonicalJson, type SweepJob, type SweepProgress } from './sweep-job.js';
import { runLocalPool, type RunOutcome } from './sweep-pool.js';
import { checkReachable, submitAndWait } from './sweep-queue.js';
import { expandSweep, type SweepRun, type SweepSpec } from './sweep-spec.js';

export const SWEEP_FORMAT = 'pgvar-sweep-1';

export interface SweepOptions {
  root: string;
  spec: SweepSpec;
  /** Local pool size (default: the number of cores). Ignored with `queue`. */
  workers?: number;
  /** A Redis URL: submit to the queue and wait for `pgvar worker`s instead of running locally. */
  queue?: string;
  /** Further attempts of a failed run (each continues from the run's checkpoint). */
  retries?: number;
  backend?: BackendChoice;
  /** Write the HTML report over the sweep's runs (default true). */
  report?: boolean;
  /** Seconds between status lines (default 10). */
  statusEvery?: number;
  log?: (line: string) => void;
}

export interface SweepResult {
  root: string;
  name: string;
  runs: (RunOutcome & { env: string; algo: string; estimator: string | null; seed: number; grid: Record<string, unknown> })[];
  failed: number;
  report: string | null;
  results: string;
}

/** The name the queue knows a sweep by: the root's folder name and a hash of the root and the specification. */
export function sweepName(root: string, spec: SweepSpec): string {
  const hash = createHash('sha1').update(path.resolve(root)).update(canonicalJson(spec)).digest('hex').slice(0, 8);
  return `${path.basename(path.resolve(root)).replace(/[^\w.-]+/g, '-')}-${hash}`;
}

/** Reads a sweep root's `sweep.json` specification (`pgvar sweep --resume ROOT`). */
export function readSweepSpec(root: string): SweepSpec {
  const file = path.join(root, 'sweep.json');
  if (!fs.existsSync(file)) throw new UsageError(`--resume ${root}: no sweep.json there; start the sweep with --file or flags and --out ${root}`);
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: string; spec?: SweepSpec };
  if (m.format !== SWEEP_FORMAT || !m.spec) throw new UsageError(`${file}: not a pgvar sweep (format ${JSON.stringify(m.format)}, expected '${SWEEP_FORMAT}')`);
  return m.spec;
}

/** Writes `sweep.json`, or checks that the root's is this sweep's. */
function claimRoot(root: string, spec: SweepSpec, runs: SweepRun[]): void {
  const file = path.join(root, 'sweep.json');
  if (fs.existsSync(file)) {
    const old = readSweepSpec(root);
    if (canonicalJson(old) !== canonicalJson(spec)) {
      const key = (Object.keys(spec) as (keyof SweepSpec)[]).find((k) => canonicalJson(old[k]) !== canonicalJson(spec[k]));
      throw new UsageError(`${root} holds another sweep ('${key}' was ${JSON.stringify(old[key!])}, now ${JSON.stringify(spec[key!])}); continue it with --resume ${root}, or give --out another directory`);
    }
    return;
  }
  fs.mkdirSync(root, { recursive: true });
  writeFileAtomic(file, JSON.stringify({ format: SWEEP_FORMAT, created: new Date().toISOString(), spec, runs: runs.map(({ config: _c, ...r }) => r) }, null, 2) + '\n');
}

const fmtTime = (s: number) => (s < 60 ? `${s.toFixed(0)} s` : s < 3600 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${(s / 3600).toFixed(1)} h`);

/** Progress lines: one per finished run, and a status line every `every` seconds while runs are going. */
class SweepMonitor {
  private readonly t0 = performance.now();
  private readonly running = new Map<string, SweepProgress | null>();
  private done = 0;
  private failed = 0;
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly total: number,
    private readonly already: number,
    private readonly log: (s: string) => void,
    every: number,
  ) {
    this.done = already;
    if (every > 0) {
      this.timer = setInterval(() => this.status(), every * 1000);
      this.timer.unref();
    }
  }
  start(id: string, attempt: number, where?: string): void {
    this.running.set(id, null);
    if (attempt > 1 || where) this.log(`sweep: ${id} started${attempt > 1 ? ` (attempt ${attempt})` : ''}${where ? ` on ${where}` : ''}`);
  }
  progress(id: string, p: SweepProgress): void {
    this.running.set(id, p);
  }
  end(o: RunOutcome & { worker?: string }): void {
    this.running.delete(o.id);
    if (o.status === 'failed') {
      this.failed++;
      this.log(`sweep: FAILED ${o.id}: ${o.error}`);
      return;
    }
    this.done++;
    const s = o.summary;
    const ret = typeof s['final_return_mean'] === 'number' ? `, return ${(s['final_return_mean'] as number).toFixed(1)}` : '';
    const how = o.status === 'resumed' ? ` (resumed from step ${o.resumedFrom})` : o.status === 'skipped' ? ' (already finished)' : '';
    this.log(`sweep: [${this.done + this.failed}/${this.total}] ${o.id} ${o.status === 'skipped' ? 'done' : `in ${s['wall_s']} s`}${ret}${how}${o.worker ? ` on ${o.worker}` : ''}`);
  }
  status(): void {
    const elapsed = (performance.now() - this.t0) / 1000;
    const fresh = this.done - this.already;
    const left = this.total - this.done - this.failed;
    const eta = fresh > 0 && left > 0 ? ` · eta ${fmtTime((elapsed / fresh) * left)}` : '';
    const runs = [...this.running].map(([id, p]) => `${id} ${p ? `${Math.round((100 * p.step) / p.total)}%` : 'starting'}`);
    this.log(`sweep: ${this.done}/${this.total} done${this.failed ? `, ${this.failed} failed` : ''} · ${this.running.size} running${runs.length ? ` (${runs.slice(0, 4).join(', ')}${runs.length > 4 ? ', …' : ''})` : ''} · ${fmtTime(elapsed)}${eta}`);
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const root = o.root;
  if (o.queue) await checkReachable(o.queue); // before the root is touched
  const runs = await expandSweep(o.spec);
  claimRoot(root, o.spec, runs);
  const name = sweepName(root, o.spec);
  const backend = o.backend ?? 'auto';
  const retries = o.retries ?? 1;
  // finished runs are never re-run: their summaries are read here, not in a process of their own
  const outcomes = new Map<string, RunOutcome>();
  for (const r of runs) {
    const dir = path.join(root, r.id);
    checkSameRun(dir, r.config);
    const rd = new RunDir(dir);
    if (fs.existsSync(rd.summaryFile)) outcomes.set(r.id, { id: r.id, status: 'skipped', resumedFrom: null, summary: JSON.parse(fs.readFileSync(rd.summaryFile, 'utf8')) as Record<string, unknown>, attempts: 0 });
  }
  const pending: SweepJob[] = runs.filter((r) => !outcomes.has(r.id)).map((r) => ({ id: r.id, kind: r.kind, config: r.config }));
  const workers = Math.max(1, o.workers ?? os.availableParallelism());
  log(`sweep ${name}: ${runs.length} runs (${o.spec.envs.length} env × ${runs.length / o.spec.envs.length} per env) in ${root}; ${outcomes.size} finished, ${pending.length} to run ${o.queue ? `through the queue at ${o.queue}` : `on ${Math.min(workers, Math.max(1, pending.length))} local worker(s)`}`);
  const monitor = new SweepMonitor(runs.length, outcomes.size, log, o.statusEvery ?? 10);
  try {
    if (pending.length) {
      const hooks = { onStart: (id: string, attempt: number, where?: string) => monitor.start(id, attempt, where), onProgress: (id: string, p: SweepProgress) => monitor.progress(id, p), onEnd: (x: RunOutcome) => monitor.end(x) };
      const got = o.queue
        ? await submitAndWait(pending, { url: o.queue, sweep: name, root, backend, retries, ...hooks, onSubmitted: (a, e) => log(`sweep ${name}: ${a} job(s) queued${e ? `, ${e} already in the queue` : ''}; start workers with: pgvar worker --queue ${o.queue}`) })
        : await runLocalPool(root, pending, { workers, backend, retries, ...hooks });
      for (const x of got) outcomes.set(x.id, x);
    }
  } finally {
    monitor.stop();
  }
  const rows = runs.map((r) => ({ ...outcomes.get(r.id)!, env: r.envId, algo: r.algo, estimator: r.estimator, seed: r.seed, grid: r.grid }));
  const failed = rows.filter((r) => r.status === 'failed').length;
  const results = path.join(root, 'sweep-results.json');
  writeFileAtomic(results, JSON.stringify({ format: SWEEP_FORMAT, name, root: path.resolve(root), finished: new Date().toISOString(), failed, runs: rows }, null, 2) + '\n');
  let report: string | null = null;
  const finished = rows.filter((r) => r.status !== 'failed').map((r) => path.join(root, r.id));
  if ((o.report ?? true) && finished.length) {
    report = (await analyze({ runs: finished, variance: [], out: path.join(root, 'report.html'), title: `pgvar sweep ${path.basename(path.resolve(root))}: ${o.spec.envs.join(', ')}` })).report;
  }
  if (failed) log(`sweep ${name}: ${failed} run(s) failed (see sweep-results.json and each run's sweep.log); run the same command again to retry them`);
  return { root, name, runs: rows, failed, report, results };
}

