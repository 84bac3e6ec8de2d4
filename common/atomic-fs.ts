/**
 * Crash-safe file writes. A checkpoint or summary is written to a temporary file in the same
 * directory, fsynced and renamed over the target, so a reader sees either the old or the new file.
 * Append-only logs are fsynced after each append; on resume they are cut back to the byte length
 * recorded in the last checkpoint, so rows logged after it are neither lost (they are re-produced
 * identically) nor duplicated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function writeSynced(file: string, flags: 'w' | 'a', data: string | Uint8Array): void {
  const fd = fs.openSync(file, flags);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeSynced(tmp, 'w', data);
  fs.renameSync(tmp, file);
}

export function appendDurable(file: string, data: string): void {
  if (data.length > 0) writeSynced(file, 'a', data);
}

export function fileSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

/** Cut a log back to `bytes` (its length at the last checkpoint). */
export function truncateTo(file: string, bytes: number): void {
  if (!fs.existsSync(file)) {
    if (bytes > 0) throw new Error(`log ${file} is missing but the checkpoint expects ${bytes} bytes`);
    return;
  }
  const size = fs.statSync(file).size;
  if (size < bytes) throw new Error(`log ${file} has ${size} bytes, fewer than the ${bytes} the checkpoint recorded`);
  fs.truncateSync(file, bytes);
}
