/**
 * The App. C.4 table script (bench/app-c4-table.ts, issue 17) on made-up reports whose numbers are
 * known: the over-seeds ratios must be geometric means of each seed's checkpoint-mean, with a t
 * interval over seeds, and checkpoints must come in training order.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { appC4Table } from '../bench/app-c4-table.js';
import { nodeCommand, tmpDir } from './helpers.js';
import type { VarianceReport } from '../analysis/variance.js';

const iv = (estimate: number) => ({ estimate, lo: estimate * 0.9, hi: estimate * 1.1, se: null, df: 124, resolved: true });

/** One report: single's relative variance `rs`, daa's `rd`, daa's variance ratio `vr` to single. */
function report(rs: number, rd: number, vr: number): VarianceReport {
  const est = (rv: number) => ({ relative_bias: 1, relative_bias_noise_floor: 1, relative_variance_app_c4: 1, wall_s: 1, intervals: { relative_variance: iv(rv), sq_bias: iv(0.1) } });
  return {
    env: 'dmc/test-task',
    batches: 125,
    batch_size: 2500,
    estimators: { single: est(rs), daa: est(rd) },
    comparisons: [{ estimator: 'daa', baseline: 'single', variance_ratio: iv(vr), sq_bias_difference: { estimate: 0.01, lo: 0.005, hi: 0.015 } }],
  } as unknown as VarianceReport;
}

// seed s, checkpoint c: single 10·s·c, daa = single × ratio; per-seed log-ratios known
const ratios: Record<number, number[]> = { 1: [0.2, 0.3], 2: [0.25, 0.25], 3: [0.1, 0.4] };
const units = [1, 2, 3].flatMap((seed) =>
  (['final', '100000'] as const).map((checkpoint, i) => {
    const rs = 10 * seed * (i + 1);
    return { task: 'test', seed, checkpoint, report: report(rs, rs * ratios[seed]![i]!, 0.05 * (i + 1)) };
  }),
);

t.test('relative-variance ratio over seeds: geometric means per seed, t interval on the logs', async (t) => {
  const [table] = appC4Table(units);
  t.same(table!.checkpoints, ['100000', 'final'], 'step checkpoints first, final last');
  const pair = table!.pairs.find((p) => p.pair === 'daa vs single')!;
  const perSeed = [1, 2, 3].map((s) => (Math.log(ratios[s]![0]!) + Math.log(ratios[s]![1]!)) / 2);
  const m = perSeed.reduce((a, b) => a + b, 0) / 3;
  const sd = Math.sqrt(perSeed.reduce((a, v) => a + (v - m) ** 2, 0) / 2);
  const h = 4.302652729911275 * (sd / Math.sqrt(3)); // t_{0.975, 2}
  const r = pair.relative_variance_ratio_over_seeds;
  t.equal(r.ratio, +Math.exp(m).toPrecision(3));
  t.equal(r.lo, +Math.exp(m - h).toPrecision(3));
  t.equal(r.hi, +Math.exp(m + h).toPrecision(3));
  t.equal(r.seeds, 3);
  t.equal(r.checkpoints, 6);
  // per checkpoint: geometric mean over seeds of that checkpoint's ratios
  const gm = (i: number) => +Math.exp([1, 2, 3].reduce((a, s) => a + Math.log(ratios[s]![i]!), 0) / 3).toPrecision(3);
  t.same(pair.relative_variance_ratio_by_checkpoint, { '100000': gm(1), final: gm(0) });
  // the variance ratio over seeds: checkpoints 0.05 and 0.1 for every seed
  t.equal(pair.variance_ratio_over_seeds.ratio, +Math.sqrt(0.05 * 0.1).toPrecision(3));
});

t.test('a checkpoint whose relative variance is undefined is left out of the ratio', async (t) => {
  const broken = units.map((u) => (u.seed === 3 && u.checkpoint === 'final' ? { ...u, report: report(-1, 2, 0.05) } : u));
  const pair = appC4Table(broken)[0]!.pairs.find((p) => p.pair === 'daa vs single')!;
  t.equal(pair.relative_variance_ratio_over_seeds.checkpoints, 5);
  t.equal(pair.relative_variance_ratio_by_checkpoint.final, +Math.exp((Math.log(0.2) + Math.log(0.25)) / 2).toPrecision(3));
});

t.test('paired verdicts per checkpoint', async (t) => {
  const [table] = appC4Table(units);
  const pair = table!.pairs.find((p) => p.pair === 'daa vs single')!;
  // every made-up comparison: variance ratio 0.05·(i + 1) ∈ [0.9, 1.1]× → resolved less; bias difference [0.005, 0.015] → more
  t.same(pair.verdicts_by_checkpoint, { '100000': { variance: [3, 0, 0], sq_bias: [0, 3, 0] }, final: { variance: [3, 0, 0], sq_bias: [0, 3, 0] } });
  const mixed = units.map((u) => (u.seed === 2 && u.checkpoint === 'final' ? { ...u, report: report(10, 2, 1) } : u));
  const p2 = appC4Table(mixed)[0]!.pairs.find((p) => p.pair === 'daa vs single')!;
  t.same(p2.verdicts_by_checkpoint.final, { variance: [2, 0, 1], sq_bias: [0, 3, 0] }, 'a ratio interval [0.9, 1.1] is not resolved');
});

t.test('bad --dir: one line naming the folder (or the file), exit 2', async (t) => {
  const run = (...args: string[]) => {
    const [c, a] = nodeCommand([path.resolve('dist/bench/app-c4-table.js'), ...args]);
    return spawnSync(c, a, { encoding: 'utf8' });
  };
  const dir = tmpDir('pgvar-c4table-');
  const cases: [string[], RegExp][] = [
    [[], /^usage: node dist\/bench\/app-c4-table\.js --dir DIR/],
    [['--dir', path.join(dir, 'missing')], /^app-c4-table: cannot read the reports in --dir .*missing: ENOENT/],
    [['--dir', dir], /^app-c4-table: no reports named <task>_s<seed>_<checkpoint>\.json in --dir /],
  ];
  for (const [args, re] of cases) {
    const r = run(...args);
    t.equal(r.status, 2, args.join(' ') || '(no flags)');
    t.match(r.stderr, re);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  }
  fs.writeFileSync(path.join(dir, 'walker_s1_final.json'), '{bad');
  const r = run('--dir', dir);
  t.equal(r.status, 2);
  t.match(r.stderr, /^app-c4-table: cannot read the reports in --dir .*: walker_s1_final\.json: /, 'names the malformed file');
  t.equal(r.stderr.trim().split('\n').length, 1);
});
