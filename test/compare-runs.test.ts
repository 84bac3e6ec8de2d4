/**
 * bench/compare-runs (built to dist/): returns at matched steps and the step and wall time at which a
 * run first reaches a return threshold (--threshold), on run directories written by hand.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const script = path.resolve('dist/bench/compare-runs.js');

/** A finished run: episodes of 100 steps with the given returns, a metrics row every 500 steps at 2 ms/step. */
function fakeRun(root: string, name: string, seed: number, returns: number[]): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'episodes.csv'), 'step,return,length\n' + returns.map((r, i) => `${(i + 1) * 100},${r},100`).join('\n') + '\n');
  const steps = returns.length * 100;
  const rows = [];
  for (let s = 500; s <= steps; s += 500) rows.push(JSON.stringify({ global_step: s, time_s: s * 0.002 }));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), rows.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ seed, env: 'Fake-v0', estimator: 'single', steps, wall_s: steps * 0.002, sps: 500 }));
  return dir;
}

t.test('--threshold: first full window reaching the return, its step and wall time', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvar-compare-'));
  // window 2: means of consecutive pairs; run a reaches −10 with episodes 4–5 (step 500, a metrics row), run b never
  const a = fakeRun(root, 'a', 1, [-100, -90, -50, -10, -10, -10, -5, -5, -5, -5, -5, -5]);
  const b = fakeRun(root, 'b', 2, [-100, -100, -90, -80, -70, -60, -50, -40]);
  const c = fakeRun(root, 'c', 3, [-12, -9, -100, -100, -100, -100, -100, -100]);
  const r = spawnSync(process.execPath, [script, '--group', `g=${a},${b},${c}`, '--window', '2', '--threshold', '-10.5'], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const g = JSON.parse(r.stdout).groups[0];
  t.equal(g.to_threshold.reached, 2, 'two of three runs reach it');
  // a: episodes 4–5 (−10, −10) end at step 500 (episodes 3–4 average −30); c: episodes 1–2 average −10.5 → step 200
  t.same(g.to_threshold.step.per_seed, [500, null, 200]);
  // wall time at the first metrics row at or past the step: the row at 500 itself (500 × 0.002) for both
  t.same(g.to_threshold.wall_s.per_seed, [1, null, 1]);
  t.equal(g.to_threshold.step.mean, 350);
  const bad = spawnSync(process.execPath, [script, '--group', `g=${a}`, '--threshold', 'high'], { encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr.trim(), /^compare-runs: --threshold expects a return, got 'high'$/);
});
