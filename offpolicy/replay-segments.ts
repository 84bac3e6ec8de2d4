/**
 * Checkpoints of a ReplayBuffer as append-only binary segments, so that a checkpoint writes only the
 * transitions added since the previous one (a 1M-transition buffer is never rewritten, and never as
 * base64 JSON).
 *
 * Layout of a directory:
 *   index.json            {version, obsDim, actDim, capacity, count, segments: [{file, start, count}]}
 *   seg-<start>.bin       transitions start … start+count−1 (run-wide numbering), one record each:
 *                         obs (obsDim f32), act (actDim f32), reward, next obs (obsDim f32),
 *                         terminated, truncated (f32 0/1); little-endian float32
 * Records are row-major so any prefix of a segment is valid: a trainer checkpoint older than the
 * index (a crash between the two writes) loads by its own `count` and ignores what came after.
 * A segment is written once and never changed. Segments that hold only transitions the ring has
 * overwritten are deleted one checkpoint late, so the previous trainer checkpoint still loads.
 * The index is replaced atomically after the segments it names are on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../common/atomic-fs.js';
import type { ReplayBuffer } from './replay.js';

export interface SegmentEntry {
  file: string;
  /** Run-wide index of the segment's first transition. */
  start: number;
  count: number;
}

export interface ReplayIndex {
  version: 1;
  obsDim: number;
  actDim: number;
  capacity: number;
  /** Transitions added when this index was written (the segments cover the last min(count, capacity)). */
  count: number;
  segments: SegmentEntry[];
}

export interface SegmentWriteStats {
  segmentsWritten: number;
  transitionsWritten: number;
  bytesWritten: number;
  segmentsDeleted: number;
}

const INDEX = 'index.json';

/** Floats per record. */
export function recordFloats(obsDim: number, actDim: number): number {
  return 2 * obsDim + actDim + 3;
}

export function readIndex(dir: string): ReplayIndex | null {
  const file = path.join(dir, INDEX);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ReplayIndex) : null;
}

/**
 * Writes the transitions added since the directory's index (at most the ring's content), in
 * segments of at most `segmentSize` transitions, then the new index.
 */
export function saveReplaySegments(buf: ReplayBuffer, dir: string, segmentSize = 100_000): SegmentWriteStats {
  const { obsDim, actDim, capacity } = buf;
  fs.mkdirSync(dir, { recursive: true });
  const prev = readIndex(dir);
  if (prev && (prev.obsDim !== obsDim || prev.actDim !== actDim || prev.capacity !== capacity)) throw new Error(`replay segments in ${dir} are for obs ${prev.obsDim}, act ${prev.actDim}, capacity ${prev.capacity}; the buffer has obs ${obsDim}, act ${actDim}, capacity ${capacity}`);
  const firstLive = buf.count - buf.size;
  // segments past what the buffer holds were written by a run that did not reach its next checkpoint: drop them from the list
  let segments = (prev?.segments ?? []).map((s) => ({ ...s, count: Math.min(s.count, Math.max(0, buf.count - s.start)) })).filter((s) => s.count > 0);
  const from = Math.max(firstLive, segments.reduce((m, s) => Math.max(m, s.start + s.count), 0));
  const stats: SegmentWriteStats = { segmentsWritten: 0, transitionsWritten: 0, bytesWritten: 0, segmentsDeleted: 0 };
  const F = recordFloats(obsDim, actDim);
  for (let start = from; start < buf.count; start += segmentSize) {
    const count = Math.min(segmentSize, buf.count - start);
    const rec = new Float32Array(count * F);
    for (let k = 0; k < count; k++) {
      const i = (start + k) % capacity;
      let o = k * F;
      rec.set(buf.obs.subarray(i * obsDim, (i + 1) * obsDim), o);
      o += obsDim;
      rec.set(buf.act.subarray(i * actDim, (i + 1) * actDim), o);
      o += actDim;
      rec[o++] = buf.rew[i]!;
      rec.set(buf.nextObs.subarray(i * obsDim, (i + 1) * obsDim), o);
      o += obsDim;
      rec[o++] = buf.terminated[i]!;
      rec[o] = buf.truncated[i]!;
    }
    const file = `seg-${String(start).padStart(12, '0')}.bin`;
    const bytes = new Uint8Array(rec.buffer, rec.byteOffset, rec.byteLength);
    const fd = fs.openSync(path.join(dir, file), 'w');
    try {
      fs.writeFileSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    segments.push({ file, start, count });
    stats.segmentsWritten += 1;
    stats.transitionsWritten += count;
    stats.bytesWritten += bytes.byteLength;
  }
  // a segment entirely before the previous index's live window is needed by neither checkpoint
  const prevFirstLive = prev ? prev.count - Math.min(prev.count, capacity) : 0;
  const dead = segments.filter((s) => s.start + s.count <= Math.min(prevFirstLive, firstLive));
  segments = segments.filter((s) => !dead.includes(s));
  const index: ReplayIndex = { version: 1, obsDim, actDim, capacity, count: buf.count, segments };
  writeFileAtomic(path.join(dir, INDEX), JSON.stringify(index));
  for (const s of dead) {
    fs.rmSync(path.join(dir, s.file), { force: true });
    stats.segmentsDeleted += 1;
  }
  return stats;
}

/** Restores the buffer to the state it had after `count` transitions (default: the index's count). */
export function loadReplaySegments(buf: ReplayBuffer, dir: string, count?: number): void {
  const index = readIndex(dir);
  if (!index) throw new Error(`no replay index in ${dir}`);
  const { obsDim, actDim, capacity } = buf;
  if (index.obsDim !== obsDim || index.actDim !== actDim || index.capacity !== capacity) throw new Error(`replay segments in ${dir} are for obs ${index.obsDim}, act ${index.actDim}, capacity ${index.capacity}; the buffer has obs ${obsDim}, act ${actDim}, capacity ${capacity}`);
  const want = count ?? index.count;
  const first = want - Math.min(want, capacity);
  const F = recordFloats(obsDim, actDim);
  let covered = 0;
  for (const s of index.segments) {
    const lo = Math.max(s.start, first);
    const hi = Math.min(s.start + s.count, want);
    if (hi <= lo) continue;
    const bytes = fs.readFileSync(path.join(dir, s.file));
    if (bytes.byteLength < s.count * F * 4) throw new Error(`replay segment ${s.file} has ${bytes.byteLength} bytes, the index says ${s.count} transitions (${s.count * F * 4} bytes)`);
    const rec = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + s.count * F * 4));
    for (let g = lo; g < hi; g++) {
      const i = g % capacity;
      let o = (g - s.start) * F;
      buf.obs.set(rec.subarray(o, o + obsDim), i * obsDim);
      o += obsDim;
      buf.act.set(rec.subarray(o, o + actDim), i * actDim);
      o += actDim;
      buf.rew[i] = rec[o++]!;
      buf.nextObs.set(rec.subarray(o, o + obsDim), i * obsDim);
      o += obsDim;
      buf.terminated[i] = rec[o++]!;
      buf.truncated[i] = rec[o]!;
    }
    covered += hi - lo;
  }
  if (covered !== want - first) throw new Error(`replay segments in ${dir} cover ${covered} of the ${want - first} transitions ${first}…${want - 1}`);
  buf.count = want;
}
