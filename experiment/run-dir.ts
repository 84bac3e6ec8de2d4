/**
 * A run directory and its files (PPO and off-policy runs alike):
 *   config.json          fully resolved configuration (its `algo` says which kind of run)
 *   metrics.jsonl        one record per PPO iteration / per `logEvery` env steps of an off-policy run
 *   episodes.csv         step,return,length for every finished episode (multi-task runs: step,return,length,task)
 *   checkpoint/checkpoint.json   everything needed to resume, written atomically
 *   checkpoint/replay/   off-policy runs: the replay buffer as append-only segments
 *                        (offpolicy/replay-segments.ts), written just before the checkpoint that needs them;
 *                        multi-task runs: one directory per task, checkpoint/replay/task-<k>/
 *   summary.json         written at the end
 * Logs are appended (fsynced) before the checkpoint that covers them is written; the checkpoint
 * records the logs' byte lengths, and resuming cuts the logs back to them. A kill at any instant thus
 * loses nothing and duplicates nothing: rows after the last checkpoint are re-produced identically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PgvarError, UsageError } from '../common/errors.js';
import { appendDurable, fileSize, truncateTo, writeFileAtomic } from '../common/atomic-fs.js';
import type { PpoConfig } from '../ppo/config.js';
import type { TrainerState } from '../ppo/trainer.js';
import type { EpisodeRecord } from '../ppo/rollout.js';
import { taskIds, validateOffPolicyConfig, type OffPolicyConfig } from '../offpolicy/config.js';
import { saveReplaySegments, type SegmentWriteStats } from '../offpolicy/replay-segments.js';
import type { OffPolicyTrainer, OffPolicyTrainerState } from '../offpolicy/trainer.js';

export const CHECKPOINT_FORMAT = 'pgvar-checkpoint-1';

/** A finished episode as episodes.csv holds it: a multi-task run's name their task. */
export type TaskEpisodeRecord = EpisodeRecord & { task?: string };
export const OFFPOLICY_CHECKPOINT_FORMAT = 'pgvar-offpolicy-checkpoint-1';

/** Byte lengths of the logs a checkpoint covers. */
export interface LogBytes {
  metricsBytes: number;
  episodesBytes: number;
  varianceBytes?: number;
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  config: PpoConfig;
  trainer: TrainerState;
  logs: LogBytes;
  wallSeconds: number;
  savedAt: string;
}

/** An off-policy run's checkpoint: the trainer's JSON state; the replay's contents lie in checkpoint/replay/. */
export interface OffPolicyCheckpoint {
  format: typeof OFFPOLICY_CHECKPOINT_FORMAT;
  config: OffPolicyConfig;
  trainer: OffPolicyTrainerState;
  logs: LogBytes;
  wallSeconds: number;
  savedAt: string;
}

export class RunDir {
  constructor(readonly dir: string) {}

  get configFile() {
    return path.join(this.dir, 'config.json');
  }
  get metricsFile() {
    return path.join(this.dir, 'metrics.jsonl');
  }
  get episodesFile() {
    return path.join(this.dir, 'episodes.csv');
  }
  get checkpointFile() {
    return path.join(this.dir, 'checkpoint', 'checkpoint.json');
  }
  get varianceFile() {
    return path.join(this.dir, 'variance.jsonl');
  }
  get summaryFile() {
    return path.join(this.dir, 'summary.json');
  }
  get replayDir() {
    return path.join(this.dir, 'checkpoint', 'replay');
  }

  /** Task k's replay segments: the replay directory itself in a single-task run (tasks = 1). */
  taskReplayDir(k: number, tasks: number): string {
    return tasks === 1 ? this.replayDir : path.join(this.replayDir, `task-${k}`);
  }

  hasCheckpoint(): boolean {
    return fs.existsSync(this.checkpointFile);
  }

  /** Start a fresh run: refuses a directory that already holds one. */
  create(config: PpoConfig | OffPolicyConfig): void {
    if (this.hasCheckpoint()) throw new UsageError(`--out ${this.dir} already holds a run; continue it with --resume ${this.dir} or choose another --out`);
    fs.mkdirSync(this.dir, { recursive: true });
    fs.rmSync(this.replayDir, { recursive: true, force: true }); // left by a start killed before its first checkpoint
    writeFileAtomic(this.configFile, JSON.stringify(config, null, 2) + '\n');
    writeFileAtomic(this.metricsFile, '');
    writeFileAtomic(this.episodesFile, taskIds(config.envId).length > 1 ? 'step,return,length,task\n' : 'step,return,length\n');
    fs.rmSync(this.summaryFile, { force: true });
    fs.rmSync(this.varianceFile, { force: true });
  }

  appendMetrics(records: object[]): void {
    appendDurable(this.metricsFile, records.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  appendVariance(record: object): void {
    appendDurable(this.varianceFile, JSON.stringify(record) + '\n');
  }

  appendEpisodes(eps: TaskEpisodeRecord[]): void {
    appendDurable(this.episodesFile, eps.map((e) => `${e.step},${e.return},${e.length}${e.task === undefined ? '' : `,${e.task}`}\n`).join(''));
  }

  private logBytes(): LogBytes {
    return { metricsBytes: fileSize(this.metricsFile), episodesBytes: fileSize(this.episodesFile), varianceBytes: fileSize(this.varianceFile) };
  }

  saveCheckpoint(config: PpoConfig, trainer: TrainerState, wallSeconds: number): void {
    const ck: Checkpoint = {
      format: CHECKPOINT_FORMAT,
      config,
      trainer,
      logs: this.logBytes(),
      wallSeconds,
      savedAt: new Date().toISOString(),
    };
    writeFileAtomic(this.checkpointFile, JSON.stringify(ck));
  }

  /**
   * An off-policy checkpoint: first the replay's transitions added since the last one, as new segment
   * files (and the segment index), then the trainer's state. A kill between the two leaves the previous
   * checkpoint loadable: it names its own transition count, and segments are never changed.
   */
  saveOffPolicyCheckpoint(config: OffPolicyConfig, trainer: OffPolicyTrainer, wallSeconds: number): SegmentWriteStats {
    const T = trainer.replays.length;
    const stats = trainer.replays.map((r, k) => saveReplaySegments(r, this.taskReplayDir(k, T))).reduce((a, s) => ({ segmentsWritten: a.segmentsWritten + s.segmentsWritten, transitionsWritten: a.transitionsWritten + s.transitionsWritten, bytesWritten: a.bytesWritten + s.bytesWritten, segmentsDeleted: a.segmentsDeleted + s.segmentsDeleted }));
    const ck: OffPolicyCheckpoint = {
      format: OFFPOLICY_CHECKPOINT_FORMAT,
      config,
      trainer: trainer.getState(),
      logs: this.logBytes(),
      wallSeconds,
      savedAt: new Date().toISOString(),
    };
    writeFileAtomic(this.checkpointFile, JSON.stringify(ck));
    return stats;
  }

  snapshotFile(step: number): string {
    return path.join(this.dir, 'checkpoint', `step-${step}.json`);
  }

  /** Keep a copy of the current checkpoint under the step it was taken at (atomic, like the checkpoint). */
  saveSnapshot(step: number): void {
    writeFileAtomic(this.snapshotFile(step), fs.readFileSync(this.checkpointFile));
  }

  /** Steps of the kept snapshots, ascending. */
  listSnapshots(): number[] {
    const dir = path.join(this.dir, 'checkpoint');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .map((f) => /^step-(\d+)\.json$/.exec(f)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /**
   * The last checkpoint, or with `at` the snapshot kept at the first step ≥ `at` (`train --snapshot-every`).
   * A snapshot is a read-only view for analysis: resuming always continues from the last checkpoint.
   */
  loadCheckpoint(at?: number): Checkpoint {
    const ck = this.loadAnyCheckpoint(at);
    if (ck.format === OFFPOLICY_CHECKPOINT_FORMAT) throw new UsageError(`${this.dir} is an off-policy (${ck.config.algo}) run; this command reads PPO runs (off-policy runs work with train --resume, eval and analyze)`);
    return ck;
  }

  /** The last checkpoint of an off-policy run (no snapshots: the replay is only kept for the last one). */
  loadOffPolicyCheckpoint(): OffPolicyCheckpoint {
    const ck = this.loadAnyCheckpoint();
    if (ck.format !== OFFPOLICY_CHECKPOINT_FORMAT) throw new PgvarError(`checkpoint ${this.checkpointFile} has format '${ck.format}', expected '${OFFPOLICY_CHECKPOINT_FORMAT}'`);
    // keys added since the run began take their defaults (the behaviour it had)
    return { ...ck, config: validateOffPolicyConfig(ck.config, `checkpoint ${this.checkpointFile}`) };
  }

  /** The last checkpoint (or a PPO snapshot) of either kind of run. */
  loadAnyCheckpoint(at?: number): Checkpoint | OffPolicyCheckpoint {
    if (!fs.existsSync(this.dir)) throw new UsageError(`run directory ${this.dir} does not exist`);
    if (!this.hasCheckpoint()) throw new UsageError(`${this.dir} has no checkpoint (expected ${this.checkpointFile}); is it a pgvar run directory?`);
    let file = this.checkpointFile;
    if (at !== undefined) {
      const steps = this.listSnapshots();
      const step = steps.find((s) => s >= at);
      if (step === undefined) throw new UsageError(`${this.dir} has no snapshot at or after step ${at} (kept: ${steps.length ? steps.join(', ') : 'none; train with --snapshot-every'})`);
      file = this.snapshotFile(step);
    }
    let ck: Checkpoint | OffPolicyCheckpoint;
    try {
      ck = JSON.parse(fs.readFileSync(file, 'utf8')) as Checkpoint | OffPolicyCheckpoint;
    } catch (e) {
      throw new PgvarError(`checkpoint ${file} is unreadable: ${(e as Error).message}`);
    }
    if (ck.format !== CHECKPOINT_FORMAT && ck.format !== OFFPOLICY_CHECKPOINT_FORMAT) throw new PgvarError(`checkpoint ${file} has format '${(ck as { format: unknown }).format}', expected '${CHECKPOINT_FORMAT}'`);
    return ck;
  }

  /** Cut the logs back to what the checkpoint covers. */
  rewindLogs(ck: { logs: LogBytes }): void {
    truncateTo(this.metricsFile, ck.logs.metricsBytes);
    truncateTo(this.episodesFile, ck.logs.episodesBytes);
    truncateTo(this.varianceFile, ck.logs.varianceBytes ?? 0);
  }

  writeSummary(summary: object): void {
    writeFileAtomic(this.summaryFile, JSON.stringify(summary, null, 2) + '\n');
  }

  readMetrics(): Record<string, unknown>[] {
    if (!fs.existsSync(this.metricsFile)) return [];
    return fs
      .readFileSync(this.metricsFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Every finished episode; a multi-task run's carry their task id. */
  readEpisodes(): TaskEpisodeRecord[] {
    if (!fs.existsSync(this.episodesFile)) return [];
    return fs
      .readFileSync(this.episodesFile, 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim())
      .map((l) => {
        const [step, ret, len, task] = l.split(',');
        return { step: Number(step), return: Number(ret), length: Number(len), ...(task === undefined ? {} : { task }) };
      });
  }
}

/** Every directory holding a config.json under `root` (the root itself included). */
export function findRunDirs(root: string): string[] {
  if (!fs.existsSync(root)) throw new UsageError(`${root}: no such directory`);
  if (fs.existsSync(path.join(root, 'config.json'))) return [root];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => findRunDirs(path.join(root, e.name)))
    .sort();
}
