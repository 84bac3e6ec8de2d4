/**
 * One run of a sweep, wherever it executes (the local pool's child process or a queue worker's):
 * finished runs (summary.json) are never re-run, a run with a checkpoint continues from it
 * (`train --resume`), any other directory starts fresh. A directory that holds a different run (its
 * config.json differs) is refused, never overwritten.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../common/errors.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import type { PpoConfig } from '../ppo/config.js';
import { trainOffPolicyRun } from './offpolicy-run.js';
import { RunDir } from './run-dir.js';
import type { RunConfig } from './run-config.js';
import { trainRun } from './train-run.js';

export interface SweepJob {
  /** The run's id in its sweep (its path under the sweep root). */
  id: string;
  kind: 'ppo' | 'offpolicy';
  config: RunConfig;
}

export interface SweepJobResult {
  id: string;
  /** 'trained' from scratch, 'resumed' from a checkpoint, 'skipped' (already finished). */
  status: 'trained' | 'resumed' | 'skipped';
  /** The env step of the checkpoint a resumed run continued from. */
  resumedFrom: number | null;
  summary: Record<string, unknown>;
}

export interface SweepProgress {
  step: number;
  total: number;
  recentReturn: number | null;
}

/** JSON with sorted keys: two configs are the same run when these texts are equal. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const k = keys.find((key) => canonicalJson(a[key] ?? null) !== canonicalJson(b[key] ?? null));
  return k === undefined ? 'key order' : `'${k}': ${JSON.stringify(a[k] ?? null)} there, ${JSON.stringify(b[k] ?? null)} in the sweep`;
}

/** Throws when `dir` holds another run's config.json. */
export function checkSameRun(dir: string, config: RunConfig): void {
  const run = new RunDir(dir);
  if (!fs.existsSync(run.configFile)) return;
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(fs.readFileSync(run.configFile, 'utf8')) as Record<string, unknown>;
  } catch {
    return; // a start killed while writing config.json: no checkpoint yet, the run starts afresh
  }
  if (canonicalJson(stored) !== canonicalJson(config)) throw new UsageError(`${dir} holds a different run (config.json differs in ${firstDifference(stored, config as unknown as Record<string, unknown>)}); move it away or give the sweep another root`);
}

/** Runs (or continues, or skips) one sweep run in `dir`. */
export async function runSweepJob(dir: string, job: SweepJob, onProgress?: (p: SweepProgress) => void | Promise<void>): Promise<SweepJobResult> {
  const run = new RunDir(dir);
  checkSameRun(dir, job.config);
  if (fs.existsSync(run.summaryFile) && run.hasCheckpoint()) {
    return { id: job.id, status: 'skipped', resumedFrom: null, summary: JSON.parse(fs.readFileSync(run.summaryFile, 'utf8')) as Record<string, unknown> };
  }
  const resume = run.hasCheckpoint();
  let resumedFrom: number | null = null;
  if (resume) {
    // PPO checkpoints keep the step under trainer.progress, off-policy ones at trainer.globalStep
    const t = (JSON.parse(fs.readFileSync(run.checkpointFile, 'utf8')) as { trainer?: { globalStep?: number; progress?: { globalStep?: number } } }).trainer;
    const step = t?.progress?.globalStep ?? t?.globalStep;
    resumedFrom = typeof step === 'number' ? step : null;
    process.stderr.write(`pgvar: resuming ${job.id} from its checkpoint${resumedFrom === null ? '' : ` at step ${resumedFrom}`}\n`);
  } else fs.mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  let summary: object;
  if (job.kind === 'ppo') {
    summary = await trainRun({
      out: dir,
      ...(resume ? { resume: true } : { config: job.config as PpoConfig }),
      progress: false,
      onIteration: async (trainer) => {
        await onProgress?.({ step: trainer.globalStep, total: trainer.numIterations * trainer.config.numSteps * trainer.config.numEnvs, recentReturn: trainer.recentReturnMean() });
      },
    });
  } else {
    summary = await trainOffPolicyRun({
      out: dir,
      ...(resume ? { resume: true } : { config: job.config as OffPolicyConfig }),
      progress: false,
      onProgress: (step, total, recentReturn) => void onProgress?.({ step, total, recentReturn }),
    });
  }
  return { id: job.id, status: resume ? 'resumed' : 'trained', resumedFrom, summary: summary as Record<string, unknown> };
}
