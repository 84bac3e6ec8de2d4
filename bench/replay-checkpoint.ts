/**
 * Cost of checkpointing a full 1M-transition replay buffer of Hopper size (obs 11, act 3) as
 * append-only segments (offpolicy/replay-segments.ts): the first checkpoint (everything), a later one
 * after 10 000 new transitions (the steady state of a run checkpointing every 10k steps: only the new
 * segment is written), and a full load; against the naive way, every field as base64 inside one JSON
 * file rewritten at every checkpoint. Prints JSON.
 *   node dist/bench/replay-checkpoint.js [--transitions N] [--dir DIR]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../common/atomic-fs.js';
import { Rng } from '../common/rng.js';
import { toBase64 } from '../nets/serialize.js';
import { ReplayBuffer } from '../offpolicy/replay.js';
import { loadReplaySegments, saveReplaySegments } from '../offpolicy/replay-segments.js';

function fill(rb: ReplayBuffer, count: number, rng: Rng): void {
  const o = new Float32Array(rb.obsDim);
  const a = new Float32Array(rb.actDim);
  const o2 = new Float32Array(rb.obsDim);
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < o.length; j++) (o[j] = rng.random()), (o2[j] = rng.random());
    for (let j = 0; j < a.length; j++) a[j] = rng.random();
    rb.add(o, a, rng.random(), o2, rng.random() < 0.001, rng.random() < 0.001);
  }
}

const ms = (t0: number) => +(performance.now() - t0).toFixed(1);

export function benchReplayCheckpoint(transitions = 1_000_000, dirArg?: string): Record<string, unknown> {
  const dir = dirArg ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pgvar-replay-bench-'));
  try {
    const rng = new Rng(0);
    const rb = new ReplayBuffer(transitions, 11, 3);
    fill(rb, transitions, rng);
    const segDir = path.join(dir, 'replay');
    let t0 = performance.now();
    const first = saveReplaySegments(rb, segDir);
    const firstMs = ms(t0);
    fill(rb, 10_000, rng);
    t0 = performance.now();
    const incr = saveReplaySegments(rb, segDir);
    const incrMs = ms(t0);
    const back = new ReplayBuffer(transitions, 11, 3);
    t0 = performance.now();
    loadReplaySegments(back, segDir);
    const loadMs = ms(t0);
    const exact = ['obs', 'act', 'rew', 'nextObs', 'terminated', 'truncated'].every((f) => Buffer.compare(Buffer.from((back as never)[f] as Uint8Array), Buffer.from((rb as never)[f] as Uint8Array)) === 0) && back.pos === rb.pos;
    t0 = performance.now();
    const json = JSON.stringify({ count: rb.count, obs: toBase64(rb.obs), act: toBase64(rb.act), rew: toBase64(rb.rew), nextObs: toBase64(rb.nextObs), terminated: toBase64(rb.terminated), truncated: toBase64(rb.truncated) });
    writeFileAtomic(path.join(dir, 'naive.json'), json);
    const naiveMs = ms(t0);
    return {
      what: `replay checkpoint, ${transitions} transitions of obs 11, act 3 (segments of 100k; the later checkpoint after 10k new transitions)`,
      first_checkpoint: { ms: firstMs, mb: +(first.bytesWritten / 2 ** 20).toFixed(1), segments: first.segmentsWritten },
      later_checkpoint: { ms: incrMs, mb: +(incr.bytesWritten / 2 ** 20).toFixed(2), segments: incr.segmentsWritten, transitions: incr.transitionsWritten, segments_deleted: incr.segmentsDeleted },
      load: { ms: loadMs, exact },
      naive_base64_json_every_checkpoint: { ms: naiveMs, mb: +(Buffer.byteLength(json) / 2 ** 20).toFixed(1) },
    };
  } finally {
    if (!dirArg) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  console.log(JSON.stringify(benchReplayCheckpoint(Number(arg('--transitions') ?? 1_000_000), arg('--dir')), null, 2));
}
