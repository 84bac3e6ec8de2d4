import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { meanCi95 } from '../analysis/report.js';
import { groupLabels } from '../experiment/analyze.js';
import { cli, cliInProcess, tmpDir } from './helpers.js';

const dir = tmpDir();
const quick = ['--env', 'CartPole-v1', '--steps', '2048', '--quiet', '--backend', 'wasm'];

t.test('snapshots at fixed steps, variance --at and --decompose, analyze over runs and variance files', async (t) => {
  const run = path.join(dir, 'cp');
  const tr = cli(['train', ...quick, '--seed', '3', '--snapshot-every', '1k', '--track-variance', '2', '--track-batches', '2', '--out', run]);
  t.equal(tr.status, 0, tr.stderr);
  // 4 envs × 128 steps = 512 per iteration: the 1k and 2k marks are passed at 1024 and 2048
  t.same(fs.readdirSync(path.join(run, 'checkpoint')).sort(), ['checkpoint.json', 'step-1024.json', 'step-2048.json']);
  const vfile = path.join(dir, 'v.json');
  const v = cli(['variance', '--run', run, '--at', '1k', '--batches', '2', '--batch-size', '256', '--bootstrap', '10', '--decompose', '--decomp-steps', '32', '--decomp-rollouts', '2', '--decomp-horizon', '5', '--max-lag', '8', '--deltas', '0.5,2', '--decomp-actions', '1,3', '--backend', 'wasm', '--out', vfile]);
  t.equal(v.status, 0, v.stderr);
  const rep = JSON.parse(fs.readFileSync(vfile, 'utf8'));
  t.ok(rep.step >= 1024 && rep.step < 2048, `the snapshot's policy was measured (step ${rep.step})`);
  t.equal(rep.decomposition.lemma31.alpha.length, 8);
  t.equal(rep.decomposition.eq14.length, 4, '2 N × 2 δ');
  t.equal(rep.decomposition.states, 32 * 4, 'one trajectory per env');
  for (const k of ['sigma_tau', 'sigma_s']) t.ok(Number.isFinite(rep.decomposition.tucker[k]), k);
  t.ok(rep.decomposition.sim_env_steps > 0);
  // the errors in this process (runCli, what bin/pgvar.js runs; cli.test.ts compares the two)
  const bad = await cliInProcess(['variance', '--run', run, '--at', '900k', '--backend', 'wasm']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /no snapshot at or after step 900000 \(kept: /);
  const badDelta = await cliInProcess(['variance', '--run', run, '--decompose', '--deltas', '0,1']);
  t.equal(badDelta.status, 2);
  t.match(badDelta.stderr, /positive numbers/);

  const out = path.join(dir, 'rep', 'report.html');
  const a = cli(['analyze', run, '--variance', vfile, '--out', out]);
  t.equal(a.status, 0, a.stderr);
  const html = fs.readFileSync(out, 'utf8');
  for (const s of ['Learning curves', 'bias and variance over training', 'Variance decomposition', 'Eq. 14', '<svg']) t.ok(html.includes(s), `report has ${s}`);
  const nums = JSON.parse(fs.readFileSync(path.join(dir, 'rep', 'report.json'), 'utf8'));
  t.equal(nums.runs.length, 1);
  t.ok(nums.runs[0].best_return >= nums.runs[0].final_return - 1e-9 || nums.runs[0].episodes < 20);
  t.ok(nums.variance.length >= 2, 'the run’s own variance.jsonl and the file');
  t.equal(nums.decompositions.length, 1);
  const missing = await cliInProcess(['analyze', path.join(dir, 'nope')]);
  t.equal(missing.status, 2);
  t.match(missing.stderr, /not a pgvar run directory/);
  fs.writeFileSync(path.join(dir, 'junk.json'), '{"a": 1}');
  const junk = await cliInProcess(['analyze', '--variance', path.join(dir, 'junk.json'), '--out', path.join(dir, 'j.html')]);
  t.equal(junk.status, 2);
  t.match(junk.stderr, /expected a `pgvar variance` report/);
});

t.test('the demo trains, compares single with mc at the final policy, and its report opens with the verdict', async (t) => {
  const out = path.join(dir, 'demo');
  const d = cli(['demo', '--steps', '2048', '--seeds', '2', '--measurements', '1', '--track-batches', '4', '--batches', '6', '--batch-size', '128', '--out', out, '--backend', 'wasm']);
  t.equal(d.status, 0, d.stderr);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  const nums = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
  t.same(nums.runs.map((r: { group: string; label: string }) => r.label), ['single seed 1', 'single seed 2']);
  const final = JSON.parse(fs.readFileSync(path.join(out, 'final-policy-variance.json'), 'utf8'));
  t.same(Object.keys(final.estimators), ['single', 'mc']);
  const verdict = final.comparisons[0].variance_verdict as string;
  t.match(verdict, /mc/);
  const lead = html.indexOf('<p class="lead">Finding (final policy of seed 1, 6 paired batches of 128 steps');
  t.ok(lead > 0 && lead < html.indexOf('<h2>Findings') && html.indexOf('<h2>Findings') < html.indexOf('<h2>Learning curves'), 'the headline comes first, then the findings, then the learning curves');
  t.ok(html.slice(lead, html.indexOf('</p>', lead)).includes(verdict.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')), 'the headline states the final-policy verdict');
  t.ok(nums.variance.some((v: { estimator: string }) => v.estimator === 'mc (single run)'), 'mc also measured during training');
});

t.test('analyze groups runs by estimator and the estimator options that differ between them', async (t) => {
  const c = (envId: string, estimator: string, estimatorOptions: Record<string, unknown>) => ({ envId, estimator, estimatorOptions });
  t.same(
    groupLabels([c('CartPole-v1', 'wmpg', {}), c('CartPole-v1', 'wmpg', { horizon: 50 }), c('CartPole-v1', 'wmpg', { horizon: 50 }), c('CartPole-v1', 'mac', { hidden: [64, 64] }), c('CartPole-v1', 'mac', { hidden: [64, 64] })]),
    ['wmpg horizon=20', 'wmpg horizon=50', 'wmpg horizon=50', 'mac', 'mac'],
    'options shared by every run of an estimator stay out of the label; differing ones go in, defaults spelled out',
  );
  t.same(groupLabels([c('dmc/cheetah-run', 'daa', { preset: 'paper' }), c('dmc/walker-walk', 'daa', { preset: 'paper' })]), ['dmc/cheetah-run daa/paper', 'dmc/walker-walk daa/paper'], 'env (when several) and preset stay as before');
  t.same(groupLabels([c('CartPole-v1', 'wmpg', {}), c('CartPole-v1', 'wmpg', { horizon: 20, estimator: 'usbl' })]), ['wmpg', 'wmpg'], 'an old config ({}) and one with the defaults written out are the same series');
});

t.test('meanCi95: the t interval of the mean', async (t) => {
  const { mean, lo, hi } = meanCi95([1, 2, 3, 4, 5]);
  t.equal(mean, 3, 'the mean');
  // mean 3, sd √2.5, t(4) = 2.776: half-width 2.776·1.5811/√5 = 1.9630
  t.ok(Math.abs(lo - (3 - 1.963)) < 1e-3 && Math.abs(hi - (3 + 1.963)) < 1e-3, `[${lo}, ${hi}]`);
  t.same(meanCi95([7]), { mean: 7, lo: 7, hi: 7 }, 'one run: zero width');
  // 15 values 1..15: mean 8, sd √20; t(14) = 2.1448 (the old hand table used 2.0 from 11 df up: about 7 % too narrow)
  const w = meanCi95(Array.from({ length: 15 }, (_, i) => i + 1));
  t.ok(Math.abs(w.hi - 8 - (2.1448 * Math.sqrt(20)) / Math.sqrt(15)) < 1e-3, `exact t quantile at 14 df: half-width ${w.hi - 8}`);
});
