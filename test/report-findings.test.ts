import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { appC4BiasNoiseFloor, gradientStats, meanVector } from '../analysis/gradient-stats.js';
import { estimatorIntervals, pairedComparison, referencePrecision, refGram } from '../analysis/interval-stats.js';
import { collectFindings } from '../analysis/report-findings.js';
import { fmtInterval, table } from '../analysis/report-html.js';
import { writeReport, type ReportRun } from '../analysis/report.js';
import type { EstimatorVariance, VarianceReport } from '../analysis/variance.js';
import { Rng } from '../common/rng.js';
import { analyze } from '../experiment/analyze.js';
import { tmpDir } from './helpers.js';

const dir = tmpDir('pgvar-report-');

/** K estimates of a P-parameter gradient: mean mu in every coordinate, Gaussian noise of sd `sd`. */
function draws(rng: Rng, K: number, P: number, mu: number, sd: number): Float64Array[] {
  return Array.from({ length: K }, () => Float64Array.from({ length: P }, () => mu + sd * rng.normal()));
}

/**
 * A measurement as `pgvar variance` writes it, from synthetic gradients: `single` and `mid` (sd 1)
 * and `low` (sd 0.1, the same mean) against a reference pool of `single`. The true gradient is weak (0.05 per
 * parameter), so the reference pool does not resolve ‖μ_ref‖² and relative squared biases are unbounded.
 */
function syntheticReport(seed = 1, step = 1000): VarianceReport {
  const rng = new Rng(seed);
  const K = 32;
  const P = 20;
  const ref = draws(rng, K, P, 0.05, 1);
  const grads: Record<string, Float64Array[]> = { single: draws(rng, K, P, 0.05, 1), mid: draws(rng, K, P, 0.05, 1), low: draws(rng, K, P, 0.05, 0.1) };
  const refMean = meanVector(ref);
  const estimators: Record<string, EstimatorVariance> = {};
  for (const [name, g] of Object.entries(grads)) estimators[name] = { ...gradientStats(g, refMean), intervals: estimatorIntervals(g, ref), relative_bias_noise_floor: appC4BiasNoiseFloor(g, ref), wall_s: 0.01 };
  return {
    env: 'Synthetic-v0',
    step,
    num_params: P,
    protocol: 'custom',
    batches: K,
    batch_size: 256,
    reference_batch_size: K * 256,
    reference: { estimator: 'single', batches: K, precision: referencePrecision(refGram(ref)) },
    fit_batches: 0,
    reference_estimator: 'single',
    advantage_normalization: false,
    seed,
    estimators,
    mean_gradient_cosines: {},
    // `mid` (listed first) is not resolved against `single`, `low` is: resolved findings must be moved up
    comparisons: ['mid', 'low'].map((n) => pairedComparison(n, grads[n]!, 'single', grads['single']!, ref)),
  };
}

/** The same measurement as a report written before issue 17: no intervals, comparisons, reference or noise floor. */
function oldReport(r: VarianceReport): VarianceReport {
  const { comparisons: _c, reference: _r, protocol: _p, throughput: _t, ...rest } = r;
  return { ...rest, estimators: Object.fromEntries(Object.entries(r.estimators).map(([k, { intervals: _i, relative_bias_noise_floor: _f, ...s }]) => [k, { ...s, ci95: {} as never }])) };
}

/** As read back from a JSON file: ±Infinity and NaN become null. */
const viaJson = (r: VarianceReport): VarianceReport => JSON.parse(JSON.stringify(r)) as VarianceReport;

const runs: ReportRun[] = [{ label: 'single seed 1', group: 'single', episodes: Array.from({ length: 40 }, (_, i) => ({ step: (i + 1) * 100, return: i, length: 10 })) as ReportRun['episodes'] }];

t.test('the report leads with the findings: verdicts with intervals, resolved ones first', async (t) => {
  const rep = viaJson(syntheticReport());
  const c = rep.comparisons!.find((x) => x.estimator === 'low')!;
  const mid = rep.comparisons!.find((x) => x.estimator === 'mid')!;
  t.notOk(mid.log_variance_ratio.resolved, `the first comparison is not resolved: ${mid.variance_verdict}`);
  t.ok(c.log_variance_ratio.resolved, `the synthetic variance comparison is resolved: ${c.variance_verdict}`);
  t.notOk(c.sq_bias_difference.resolved, `the synthetic bias comparison is not: ${c.bias_verdict}`);
  const file = path.join(dir, 'new.html');
  await writeReport(file, { title: 't', intro: 'i', runs, variance: [{ label: 'synthetic', report: rep }] });
  const html = fs.readFileSync(file, 'utf8');
  const h2 = [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
  t.equal(h2[0], 'Findings', `the first section is the findings (sections: ${h2.join(', ')})`);
  const findings = html.slice(html.indexOf('<h2>Findings</h2>'), html.indexOf('</section>'));
  t.ok(html.indexOf('<h2>Findings</h2>') < html.indexOf('Learning curves'), 'findings before the learning curves');
  t.ok(findings.includes(c.variance_verdict), 'the variance verdict is in the findings');
  t.ok(findings.includes(esc(c.bias_verdict)), 'the bias verdict is in the findings');
  t.ok(findings.includes('not resolved at this sample size'), 'unresolved findings say so');
  const resolvedAt = findings.indexOf('<li class="resolved">');
  const unresolvedAt = findings.indexOf('<li class="unresolved">');
  t.ok(resolvedAt >= 0 && unresolvedAt > resolvedAt, 'resolved findings come first, marked');
  t.ok(findings.slice(resolvedAt, unresolvedAt).includes(c.variance_verdict), 'the resolved one is the variance verdict');
  t.ok(findings.includes(fmtInterval(c.variance_ratio)), 'the verdict is shown with its interval');
  for (const name of ['single', 'low']) t.ok(findings.includes(esc(`${name}: ${rep.estimators[name]!.intervals!.sq_bias.note}`)), `${name}'s squared-bias note`);
  t.ok(findings.includes(esc(rep.reference!.precision!.note)), "the reference pool's precision note");
});

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

t.test('intervals render as estimate [lo, hi], unbounded ones with ∞, with the resolved marker and the App. C.4 noise floor', async (t) => {
  t.equal(fmtInterval({ estimate: 1.7, lo: 0, hi: Infinity, resolved: false }), '1.70 [0, ∞]');
  t.equal(fmtInterval({ estimate: 1.7, lo: 0, hi: null, resolved: false }), '1.70 [0, ∞]', 'JSON null hi is ∞');
  t.equal(fmtInterval({ estimate: null, lo: 0.5, hi: null, resolved: false }), '– [0.500, ∞]');
  t.equal(fmtInterval({ estimate: -7, lo: null, hi: -6.5, resolved: true }), '-7 [−∞, -6.50]', 'JSON null lo is −∞');
  const rep = viaJson(syntheticReport());
  t.equal(rep.estimators['low']!.intervals!.relative_sq_bias.hi, null, 'the weak reference leaves relative squared bias unbounded (null in JSON)');
  const file = path.join(dir, 'iv.html');
  await writeReport(file, { title: 't', intro: 'i', runs: [], variance: [{ label: 'synthetic', report: rep }] });
  const html = fs.readFileSync(file, 'utf8');
  const tables = html.slice(html.indexOf('Policy-gradient bias and variance'));
  t.ok(/<td>[-–\d.e+]+ <span class="ci">\[[-\d.e+]+, ∞\]<\/span> <span class="mark nr"/.test(tables), 'an unbounded interval cell: estimate [lo, ∞] and the not-resolved marker');
  t.ok(/<td>[-\d.e+]+ <span class="ci">\[[-\d.e+]+, [-\d.e+]+\]<\/span> <span class="mark ok"/.test(tables), 'a bounded, resolved interval cell with its marker');
  t.ok(tables.includes('its noise floor'), 'the App. C.4 noise floor column');
  const floor = rep.estimators['single']!.relative_bias_noise_floor!;
  const cols = tables.slice(tables.indexOf('relative bias (App. C.4)'));
  t.ok(cols.includes(floor.toPrecision(4)), 'the noise floor value is shown');
  t.notOk(html.includes('[object Object]'), 'no object is dumped into a cell');
});

t.test('a report from older JSON (no intervals) still renders and says so', async (t) => {
  const old = viaJson(oldReport(syntheticReport()));
  const file = path.join(dir, 'old.html');
  await writeReport(file, { title: 't', intro: 'i', runs, variance: [{ label: 'old run', report: old, tracked: true }] });
  const html = fs.readFileSync(file, 'utf8');
  const findings = html.slice(html.indexOf('<h2>Findings</h2>'), html.indexOf('</section>'));
  t.ok(findings.includes('No intervals in this measurement'), 'the findings say there are no intervals');
  t.ok(findings.includes(old.estimators['low']!.relative_bias.toPrecision(4)), 'and show the point estimates instead');
  t.ok(html.includes('<h3>Point estimates</h3>'), 'the point-estimate table of the variance section');
  t.notOk(html.includes('<h3>Interval statistics</h3>'), 'no interval table without intervals');
});

t.test('findings: every measurement, but only the last tracked one of each run', async (t) => {
  const f = collectFindings([
    { label: 'run a', report: syntheticReport(1, 100), tracked: true },
    { label: 'run a', report: syntheticReport(2, 300), tracked: true },
    { label: 'run a', report: syntheticReport(3, 200), tracked: true },
    { label: 'file', report: syntheticReport(4, 50) },
    { label: 'file', report: syntheticReport(5, 60) },
  ]);
  t.same(f.map((m) => [m.source, m.step]), [['run a', 300], ['file', 50], ['file', 60]]);
  t.ok(f.every((m) => m.findings.findIndex((x) => !x.resolved) >= m.findings.filter((x) => x.resolved).length), 'resolved first');
});

t.test('analyze writes the verdicts into its JSON', async (t) => {
  const vfile = path.join(dir, 'measured.json');
  const rep = syntheticReport();
  fs.writeFileSync(vfile, JSON.stringify(rep));
  const out = path.join(dir, 'an', 'report.html');
  const res = await analyze({ runs: [], variance: [vfile], out });
  const nums = JSON.parse(fs.readFileSync(res.json, 'utf8'));
  const c = rep.comparisons![1]!;
  t.equal(nums.comparisons[1].variance_verdict, c.variance_verdict);
  t.equal(nums.comparisons[1].bias_verdict, c.bias_verdict);
  t.same(nums.findings[0].findings.map((x: { text: string }) => x.text).slice(0, 1), [c.variance_verdict], 'the findings, resolved first');
  t.equal(nums.variance.find((v: { estimator: string }) => v.estimator === 'low').relative_bias_noise_floor, rep.estimators['low']!.relative_bias_noise_floor);
  t.ok(fs.readFileSync(out, 'utf8').includes('<h2>Findings</h2>'));
});

t.test('wide tables are split into parts with the key columns repeated', async (t) => {
  const row = Object.fromEntries([['run', 'a'], ...Array.from({ length: 12 }, (_, i) => [`c${i}`, i])]);
  const html = table([row, { ...row, run: 'b' }], { keys: ['run'], maxCols: 7 });
  const parts = html.split('</table>').filter((p) => p.includes('<table>'));
  t.equal(parts.length, 2, '1 key + 12 columns at 7 per part: 2 parts');
  for (const p of parts) {
    t.ok(p.includes('<th>run</th>'), 'the key column in every part');
    t.equal(p.match(/<th>/g)!.length, 7, 'at most maxCols columns');
  }
  t.ok(parts[1]!.includes('<th>c11</th>') && !parts[0]!.includes('<th>c11</th>'));
  t.equal(table([{ a_long_name: 1 }]).match(/<th>(.*?)<\/th>/)![1], 'a_<wbr>long_<wbr>name', 'headers may break after underscores');
});

/** Widths of tables against the body, from headless Chromium at the given window width; null without chromium. */
function tableOverflow(file: string, width: number): { contentRight: number; docScrollWidth: number; tables: number; overflowing: { i: number; right: number }[] } | null {
  if (spawnSync('chromium', ['--version'], { encoding: 'utf8' }).status !== 0) return null;
  const probe = `<script>addEventListener('load',()=>{const b=document.body.getBoundingClientRect();const right=b.right-parseFloat(getComputedStyle(document.body).paddingRight);const ts=[...document.querySelectorAll('table')].map((e,i)=>({i,right:e.getBoundingClientRect().right}));const o=document.createElement('pre');o.id='probe';o.textContent=JSON.stringify({contentRight:right,docScrollWidth:document.documentElement.scrollWidth,tables:ts.length,overflowing:ts.filter(x=>x.right>right+0.5)});document.body.appendChild(o)})</script>`;
  const tmp = file.replace(/\.html$/, '.probe.html');
  fs.writeFileSync(tmp, fs.readFileSync(file, 'utf8').replace('</body>', `${probe}</body>`));
  const r = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--window-size=${width},2400`, '--virtual-time-budget=3000', '--dump-dom', `file://${path.resolve(tmp)}`], { encoding: 'utf8', timeout: 60_000 });
  const m = /<pre id="probe">([^<]*)<\/pre>/.exec(r.stdout ?? '');
  if (!m) throw new Error(`no layout probe output: ${r.stderr?.slice(-400)}`);
  return JSON.parse(m[1]!.replace(/&quot;/g, '"'));
}

t.test('no table is wider than the page at a 1280-px viewport', async (t) => {
  const file = path.join(dir, 'layout.html');
  const reps = [viaJson(syntheticReport(1, 100)), viaJson(syntheticReport(2, 200))];
  await writeReport(file, {
    title: 't',
    intro: 'i',
    runs: [...runs, { ...runs[0]!, label: 'low seed 1', group: 'low', summary: { env: 'Synthetic-v0', algo: 'ppo', estimator: 'low', seed: 1, steps: 4000, iterations: 10, final_return_mean: 30, final_return_window: 20, episodes: 40, wall_s: 1.5, sps: 2600, backend: 'wasm' } }],
    variance: [{ label: 'low seed 1', report: reps[0]!, tracked: true }, { label: 'low seed 1', report: reps[1]!, tracked: true }, { label: 'old', report: viaJson(oldReport(syntheticReport(3))) }],
  });
  const res = tableOverflow(file, 1280);
  if (!res) return t.skip('chromium is not installed');
  t.ok(res.tables >= 8, `${res.tables} tables measured`);
  t.same(res.overflowing, [], `every table ends within the body (content right edge ${res.contentRight} px)`);
  t.ok(res.docScrollWidth <= 1280, `no horizontal scrolling (document ${res.docScrollWidth} px wide)`);
});
