/**
 * `pgvar scaling`'s analysis (analysis/scaling.ts) on synthetic runs of a UTD × batch × lr grid whose
 * data-to-threshold is known: D_J(σ, B, η) = D(σ)·(1 + log²(B/B*(σ)) + log²(η/η*(σ))) with
 * B*(σ) = 256·σ^−0.5, η*(σ) = 1e-3·σ^−0.3 on the grid and D(σ) = 2e4 + (3/σ)^0.9·1e4: the best
 * settings, the shared-slope exponents and the D_J fit are recovered; thresholds never reached are
 * reported as such.
 */
import t from 'tap';
import { dataToThreshold, scalingAnalysis, type ScalingRun } from '../analysis/scaling.js';

const UTD = [1, 2, 4, 8, 16];
const Bstar = (s: number) => 256 * s ** -0.5;
const Lstar = (s: number) => 1e-3 * s ** -0.3;
const D = (s: number) => 2e4 + 1e4 * (3 / s) ** 0.9;
const J = 800;

function ramp(dataToJ: number, seed: number): { step: number; return: number }[] {
  // one episode per 50 steps; the return climbs linearly to J at dataToJ (a little seed noise before it)
  return Array.from({ length: Math.ceil((dataToJ * 1.5) / 50) }, (_, i) => {
    const step = (i + 1) * 50;
    return { step, return: Math.min(1000, (J * step) / dataToJ) - (step < dataToJ ? 5 * ((seed * 7 + i) % 3) : 0) };
  });
}

t.test('dataToThreshold: the first step whose trailing-window mean reaches J', async (t) => {
  const eps = [100, 200, 900, 950, 700].map((r, i) => ({ step: (i + 1) * 10, return: r }));
  t.equal(dataToThreshold(eps, 800, 1), 30);
  t.equal(dataToThreshold(eps, 800, 2), 40, 'mean of (900, 950)');
  t.equal(dataToThreshold(eps, 900, 3), null, 'never');
});

t.test('the grid analysis recovers the best settings, the exponents and D_J(σ)', async (t) => {
  const runs: ScalingRun[] = [];
  for (const task of ['cheetah-run', 'walker-walk']) {
    const scale = task === 'walker-walk' ? 0.6 : 1; // a per-task intercept
    for (const utd of UTD) {
      for (const batchSize of UTD.map((s) => scale * Bstar(s))) {
        for (const lr of UTD.map((s) => Lstar(s))) {
          const d = D(utd) * (1 + Math.log(batchSize / (scale * Bstar(utd))) ** 2 + Math.log(lr / Lstar(utd)) ** 2);
          for (const seed of [1, 2]) runs.push({ task, utd, batchSize, lr, seed, episodes: ramp(d, seed) });
        }
      }
    }
  }
  // a setting that never reaches J
  runs.push({ task: 'cheetah-run', utd: 1, batchSize: 9999, lr: 1, seed: 1, episodes: [{ step: 1000, return: 10 }] });
  const a = scalingAnalysis(runs, { threshold: J, window: 1 });
  t.equal(a.settings.length, 2 * 5 * 5 * 5 + 1);
  t.same(a.settings.find((s) => s.batchSize === 9999), { task: 'cheetah-run', utd: 1, batchSize: 9999, lr: 1, seeds: 1, reached: 0, dataToJ: null }, 'never reached: null, not a number');
  t.equal(a.best.length, 10);
  for (const b of a.best) t.ok(Math.abs(b.batchSize / ((b.task === 'walker-walk' ? 0.6 : 1) * Bstar(b.utd)) - 1) < 1e-12 && Math.abs(b.lr / Lstar(b.utd) - 1) < 1e-12, `${b.task} σ ${b.utd}: best B ${b.batchSize.toFixed(1)}, η ${b.lr.toExponential(2)}`);
  if (typeof a.batchFit === 'string' || typeof a.lrFit === 'string') throw new Error('fits failed');
  t.ok(Math.abs(a.batchFit.exponent.estimate - 0.5) < 1e-9, `α_B ${a.batchFit.exponent.estimate}`);
  t.ok(Math.abs(a.batchFit.intercepts['walker-walk']! / 153.6 - 1) < 1e-9, 'walker-walk intercept 0.6 × 256');
  t.ok(Math.abs(a.lrFit.exponent.estimate - 0.3) < 1e-9, `α_η ${a.lrFit.exponent.estimate}`);
  const fit = a.dataFits['cheetah-run'];
  if (typeof fit === 'string') throw new Error(fit);
  t.ok(Math.abs(fit.alpha.estimate - 0.9) < 0.05 && Math.abs(fit.dMin.estimate / 2e4 - 1) < 0.02, `D_J fit: α ${fit.alpha.estimate.toFixed(3)} (0.9), D_min ${fit.dMin.estimate.toFixed(0)} (20000)`);
  const few = scalingAnalysis(runs.filter((r) => r.utd <= 2), { threshold: J, window: 1 });
  t.match(String(few.dataFits['cheetah-run']), /at least 4 distinct σ/, 'too few UTDs: the reason, not a fit');
});

t.test('pgvar scaling over run directories: JSON and the HTML report with the fits beside the paper', async (t) => {
  const { agentConfig } = await import('../offpolicy/agents.js');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { cli, cliInProcess, tmpDir } = await import('./helpers.js');
  const root = tmpDir('pgvar-scaling-');
  for (const utd of [1, 2, 4, 8]) {
    for (const batchSize of [64, 128, 256].map(Math.round)) {
      for (const qLr of [3e-4, 1e-3]) {
        const bStar = 256 * utd ** -0.5;
        const d = Math.round(D(utd) * (1 + Math.log(batchSize / bStar) ** 2 + Math.log(qLr / 1e-3) ** 2));
        const dir = path.join(root, 'dmc-cheetah-run', `utd${utd}_b${batchSize}_lr${qLr}`, 'seed1');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(agentConfig('sac', 'dmc/cheetah-run', { updatesPerStep: utd, batchSize, qLr, seed: 1 })));
        fs.writeFileSync(path.join(dir, 'episodes.csv'), 'step,return,length\n' + ramp(d, 1).map((e) => `${e.step},${e.return},1000`).join('\n') + '\n');
      }
    }
  }
  const out = path.join(root, 'scaling.html');
  const r = cli(['scaling', root, '--threshold', '800', '--window', '1', '--out', out]);
  t.equal(r.status, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(out.replace(/\.html$/, '.json'), 'utf8'));
  t.equal(json.runs, 24);
  t.equal(json.benchmark, 'dmc', 'dmc/ env ids → the paper\'s DMC fits');
  t.equal(json.best.length, 4);
  t.ok(typeof json.batchFit === 'object' && json.batchFit.exponent.estimate > 0.3, `α_B ${json.batchFit.exponent?.estimate}`);
  const html = fs.readFileSync(out, 'utf8');
  t.match(html, /Fitted exponents beside the paper/);
  t.match(html, /0\.488/, "the paper's α_B beside ours");
  t.match(html, /<svg/);
  const bad = await cliInProcess(['scaling', path.join(root, 'nope'), '--threshold', '800']); // in this process (runCli, what bin/pgvar.js runs)
  t.equal(bad.status, 2);
  t.match(bad.stderr, /nope: no such directory/);
});
