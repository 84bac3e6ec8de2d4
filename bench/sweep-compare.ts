/**
 * Two roots of the same sweep (e.g. run locally and through the Redis queue), run by run: are the
 * metrics (without the wall-clock columns sps and time_s) and episodes identical? Prints JSON with
 * per-run final returns and wall times of both, and each root's rliable aggregates (report.json):
 *   node dist/bench/sweep-compare.js ROOT_A ROOT_B [--out FILE]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : undefined;
const [a, b] = args.filter((_, i) => i !== outAt && i !== outAt + 1);
if (!a || !b) {
  process.stderr.write('usage: node dist/bench/sweep-compare.js ROOT_A ROOT_B [--out FILE]\n');
  process.exit(2);
}
type Row = { id: string; status: string; attempts: number; worker?: string; summary?: Record<string, unknown> };
const results = (root: string) => JSON.parse(fs.readFileSync(path.join(root, 'sweep-results.json'), 'utf8')) as { name: string; runs: Row[] };
const metrics = (root: string, id: string) =>
  fs
    .readFileSync(path.join(root, id, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const { sps: _s, time_s: _t, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
const episodes = (root: string, id: string) => fs.readFileSync(path.join(root, id, 'episodes.csv'), 'utf8');
const ra = results(a);
const rb = results(b);
const runs = ra.runs.map((x) => {
  const y = rb.runs.find((r) => r.id === x.id);
  const identical = !!y && JSON.stringify(metrics(a, x.id)) === JSON.stringify(metrics(b, x.id)) && episodes(a, x.id) === episodes(b, x.id);
  return { id: x.id, identical, final_return: x.summary?.['final_return_mean'] ?? null, wall_s: [x.summary?.['wall_s'] ?? null, y?.summary?.['wall_s'] ?? null], metric_rows: metrics(a, x.id).length, episodes: episodes(a, x.id).trim().split('\n').length - 1 };
});
const rliable = (root: string) => {
  const f = path.join(root, 'report.json');
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as { rliable?: unknown }).rliable ?? null : null;
};
const report = { roots: [path.resolve(a), path.resolve(b)], runs: runs.length, identical: runs.filter((r) => r.identical).length, per_run: runs, rliable: rliable(a), rliable_b_equal: JSON.stringify(rliable(a)) === JSON.stringify(rliable(b)) };
const text = JSON.stringify(report, null, 2) + '\n';
if (out) fs.writeFileSync(out, text);
process.stdout.write(text);
