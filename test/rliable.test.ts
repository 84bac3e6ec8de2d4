import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { Rng } from '../common/rng.js';
import {
  aggregateEstimates,
  iqm,
  mean,
  median,
  minMaxNormalization,
  normalizeScores,
  optimalityGap,
  performanceProfile,
  probabilityOfImprovement,
  probabilityOfImprovementCi,
  quantileSorted,
  scoreDistribution,
  stratifiedBootstrap,
  trimMean,
} from '../analysis/rliable.js';
import { ALL_TASKS, rliableAggregates } from '../analysis/report-rliable.js';
import { writeReport, type ReportRun } from '../analysis/report.js';
import { analyze } from '../experiment/analyze.js';
import { tmpDir } from './helpers.js';

const close = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol;

t.test('IQM is scipy.stats.trim_mean(flattened scores, 0.25): int(0.25·n) cut from each end', async (t) => {
  // n = 4: cut 1 from each end, mean of the middle two
  t.equal(iqm([[1, 2], [3, 40]]), 2.5, 'n = 4: (2 + 3) / 2');
  // n = 12 (0.25·n = 3 exactly): sorted -100, 2 … 9, 30, 50, 1000; cut 3 each side
  const m12 = [
    [-100, 4, 7],
    [2, 5, 8],
    [3, 6, 9],
    [30, 50, 1000],
  ];
  t.equal(iqm(m12), (4 + 5 + 6 + 7 + 8 + 9) / 6, 'n = 12: cut 3 from each end (a 20 % trim would cut 2)');
  // n = 9 (0.25·n = 2.25 → 2): sorted -50, 0, 1, 2, 3, 4, 6, 7, 100 → keep 1, 2, 3, 4, 6
  const m9 = [
    [100, 3, 1],
    [-50, 7, 2],
    [0, 6, 4],
  ];
  t.ok(close(iqm(m9), (1 + 2 + 3 + 4 + 6) / 5), 'n = 9: 0.25·9 = 2.25 rounds down to 2 (20 % would cut 1, ceil would cut 3)');
  // n = 10 (0.25·n = 2.5 → 2, not 3): sorted -50, 0, 1, 2, 3, 4, 5, 7, 9, 100 → keep 1 … 7
  const m10 = [
    [0, 100],
    [3, 1],
    [7, 2],
    [9, 4],
    [-50, 5],
  ];
  t.ok(close(iqm(m10), (1 + 2 + 3 + 4 + 5 + 7) / 6), `n = 10: 2.5 rounds down to 2, keeping 6 values (got ${iqm(m10)})`);
  t.equal(trimMean([5], 0.25), 5, 'one value: nothing cut');
  t.equal(trimMean([1, 2, 3], 0.25), 2, 'n = 3: int(0.75) = 0 cut, plain mean');
  t.throws(() => iqm([[1, 2], [3]]), /run 1 has 1 scores/, 'a ragged matrix is refused');
  t.throws(() => iqm([[1, NaN]]), /is NaN/, 'a NaN score is refused');
});

t.test('median and mean are over per-task means (rliable); optimality gap is the mean of max(γ − x, 0)', async (t) => {
  const m = [
    [0.5, 1.2, 0.0],
    [0.9, -0.1, 0.3],
  ]; // task means 0.7, 0.55, 0.15
  t.ok(close(mean(m), (0.7 + 0.55 + 0.15) / 3), 'mean of task means');
  t.ok(close(median(m), 0.55), 'median of task means (not of all six scores: 0.4)');
  t.ok(close(median([[1, 2, 3, 4]]), 2.5), 'an even number of tasks: the middle two averaged');
  // γ = 1: gaps 0.5, 0, 1, 0.1, 1.1, 0.7
  t.ok(close(optimalityGap(m), (0.5 + 0 + 1 + 0.1 + 1.1 + 0.7) / 6), 'γ = 1: scores above 1 count 0');
  // γ = 0.5: gaps 0, 0, 0.5, 0, 0.6, 0.2
  t.ok(close(optimalityGap(m, 0.5), (0.5 + 0.6 + 0.2) / 6), 'γ = 0.5');
  const norm = minMaxNormalization([[[0, 10]], [[4, 30], [2, 20]]]);
  t.same(norm, { low: [0, 10], high: [4, 30] }, 'min–max over all runs of all algorithms, per task');
  t.same(normalizeScores([[2, 20], [4, 10]], norm), [[0.5, 0.5], [1, 0]]);
  t.same(normalizeScores([[3]], { low: [3], high: [3] }), [[0]], 'a task without spread normalises to 0');
});

t.test('probability of improvement: 1 when fully separated, 0.5 when identical, ties count 1/2', async (t) => {
  const lo = [[0, 10], [1, 11], [2, 12]];
  const hi = [[5, 20], [6, 21]];
  t.equal(probabilityOfImprovement(hi, lo), 1, 'every run of X beats every run of Y on every task');
  t.equal(probabilityOfImprovement(lo, hi), 0, 'and the reverse is 0');
  t.equal(probabilityOfImprovement(lo, lo), 0.5, 'identical algorithms');
  const tied = [[1], [1], [2]];
  t.equal(probabilityOfImprovement(tied, tied), 0.5, 'identical with ties inside: still 0.5');
  // task 0: x = 1, 2 against y = 2, 3: only (2, 2) ties → 0.5/4; task 1: x = 5, 5 against y = 5, 4: (5 > 4) twice, (5 = 5) twice → 3/4
  t.equal(probabilityOfImprovement([[1, 5], [2, 5]], [[2, 5], [3, 4]]), (0.125 + 0.75) / 2, 'ties between X and Y count 1/2, averaged over tasks');
  const ci = probabilityOfImprovementCi(hi, lo, { reps: 500 });
  t.same(ci, { estimate: 1, lo: 1, hi: 1 }, 'fully separated: every resample gives 1');
  const same = probabilityOfImprovementCi([[0], [1], [2], [3]], [[0], [1], [2], [3]], { reps: 2000, seed: 3 });
  t.equal(same.estimate, 0.5);
  t.ok(same.lo < 0.5 && same.hi > 0.5, `identical: the interval straddles 0.5 ([${same.lo}, ${same.hi}])`);
});

t.test('percentile quantiles interpolate linearly between order statistics (numpy)', async (t) => {
  const s = [1, 2, 3, 4, 5];
  t.ok(close(quantileSorted(s, 0.025), 1.1));
  t.equal(quantileSorted(s, 0.5), 3);
  t.ok(close(quantileSorted(s, 0.975), 4.9));
  t.equal(quantileSorted(s, 1), 5);
});

t.test('the bootstrap resamples runs within each task', async (t) => {
  // constant within each task, different across tasks: a stratified resample never changes the scores
  const m = [
    [0, 10],
    [0, 10],
    [0, 10],
  ];
  const iv = stratifiedBootstrap([m], (s) => [mean(s), iqm(s)], { reps: 300 });
  t.same(iv, [{ estimate: 5, lo: 5, hi: 5 }, { estimate: 5, lo: 5, hi: 5 }], 'zero-width intervals: tasks are never mixed');
  const a = aggregateEstimates([[0.1, 0.5], [0.2, 0.6], [0.3, 0.9], [0.4, 0.7]], { reps: 2000, seed: 11 });
  for (const [k, v] of Object.entries(a)) t.ok(v.lo <= v.estimate && v.estimate <= v.hi && v.lo < v.hi, `${k}: ${v.lo} ≤ ${v.estimate} ≤ ${v.hi}`);
});

t.test('seeded: the same seed gives the same intervals, another seed others', async (t) => {
  const rng = new Rng(9);
  const m = Array.from({ length: 6 }, () => [rng.random(), rng.random(), rng.random()]);
  const a = aggregateEstimates(m, { reps: 1000, seed: 5 });
  t.same(aggregateEstimates(m, { reps: 1000, seed: 5 }), a);
  const b = aggregateEstimates(m, { reps: 1000, seed: 6 });
  t.equal(b.mean.estimate, a.mean.estimate, 'the point estimate does not depend on the seed');
  t.not(b.mean.lo, a.mean.lo, 'the interval does');
  const taus = [0, 0.3, 0.6];
  t.same(performanceProfile(m, taus, { reps: 300, seed: 1 }), performanceProfile(m, taus, { reps: 300, seed: 1 }));
});

t.test('performance profile: the fraction of run × task scores above τ, with bands', async (t) => {
  const m = [
    [0.1, 0.5],
    [0.5, 0.9],
  ];
  t.same(scoreDistribution(m, [-1, 0.1, 0.3, 0.5, 0.9, 2]), [1, 0.75, 0.75, 0.25, 0, 0], 'strictly above τ');
  const p = performanceProfile(m, [-1, 0.3, 2], { reps: 500 });
  t.same(p[0], { tau: -1, fraction: 1, lo: 1, hi: 1 }, 'below every score: 1 in every resample');
  t.same(p[2], { tau: 2, fraction: 0, lo: 0, hi: 0 });
  t.ok(p[1]!.lo < 0.75 && p[1]!.hi >= 0.75, `τ = 0.3: a band around 0.75 ([${p[1]!.lo}, ${p[1]!.hi}])`);
});

t.test('coverage: the 95 % stratified-bootstrap interval of the mean covers the true mean in about 95 % of replications', async (t) => {
  // 2 tasks with far-apart means (0 and 10), 20 runs each; scores normal (task 0) and uniform on [9, 11] (task 1).
  // (Percentile intervals of 20 runs cover a little under 95 % (about 93 %): the bootstrap variance is (n − 1)/n of the true one.)
  const rng = new Rng(2021);
  const replications = 400;
  const truth = (0 + 10) / 2;
  let covered = 0;
  for (let k = 0; k < replications; k++) {
    const m: number[][] = Array.from({ length: 20 }, () => [rng.normal(), rng.uniform(9, 11)]);
    const [iv] = stratifiedBootstrap([m], (s) => [mean(s)], { reps: 1000, seed: k });
    if (iv!.lo <= truth && truth <= iv!.hi) covered++;
  }
  const rate = covered / replications;
  t.ok(rate >= 0.9 && rate <= 0.97, `coverage ${rate} in [0.90, 0.97] over ${replications} replications`);
});

// ---------------------------------------------------------------------------------------------
// The report

/** 30 episodes whose last 20 average `final` (the report's score). */
const episodes = (final: number) => Array.from({ length: 30 }, (_, i) => ({ step: (i + 1) * 100, return: i < 10 ? 0 : final, length: 10 }));

t.test('aggregates of run scores: per-task min–max normalisation, across-task matrices, probability of improvement', async (t) => {
  // task A: good ≫ bad; task B: good ≫ bad with a different scale
  const scores = [
    ...[1, 2, 3].map((seed) => ({ task: 'A', algorithm: 'good', seed, score: 100 + seed })),
    ...[1, 2, 3].map((seed) => ({ task: 'A', algorithm: 'bad', seed, score: seed })),
    ...[1, 2, 3].map((seed) => ({ task: 'B', algorithm: 'good', seed, score: -10 + seed })),
    ...[1, 2, 3].map((seed) => ({ task: 'B', algorithm: 'bad', seed, score: -500 - seed })),
    { task: 'B', algorithm: 'lonely', seed: 1, score: 0 },
  ];
  const r = rliableAggregates(scores, { reps: 500, profileReps: 200 })!;
  t.same(r.tasks, [{ task: 'A', low: 1, high: 103 }, { task: 'B', low: -503, high: 0 }], 'min and max over every run of the task');
  const goodA = r.per_task.find((x) => x.task === 'A' && x.algorithm === 'good')!;
  t.ok(close(goodA.mean.estimate, (101 + 102 + 103 - 3) / 3 / 102), 'per-task mean of the normalised scores');
  t.ok(close(goodA.iqm_raw.estimate, 102, 1e-9), 'IQM in final-return units: the middle of 101, 102, 103');
  t.same(r.across_tasks.map((x) => x.algorithm), ['good', 'bad'], 'across tasks: the algorithms with 2 runs on every task');
  const poi = r.probability_of_improvement.find((p) => p.task === ALL_TASKS)!;
  t.same([poi.x, poi.y, poi.estimate, poi.lo, poi.hi], ['good', 'bad', 1, 1, 1], 'separated on every task: P = 1 with a zero-width interval');
  t.ok(r.notes.some((n) => n.includes('lonely on B: 1 run')), 'a single-seed group is left out, and the report says so');
  t.equal(new Set(r.profiles.map((p) => p.algorithm)).size, 2);
  t.equal(rliableAggregates(scores.filter((s) => s.seed === 1)), null, 'one seed per group: no aggregates');
});

t.test('the report has the aggregate section when there are 2 or more seeds per (estimator, env)', async (t) => {
  const dir = tmpDir();
  const runs: ReportRun[] = ['CartPole-v1', 'Acrobot-v1'].flatMap((task, j) =>
    ['single', 'mc'].flatMap((algorithm, a) => [1, 2, 3].map((seed) => ({ label: `${task} ${algorithm} seed ${seed}`, group: `${task} ${algorithm}`, task, algorithm, seed, episodes: episodes(10 * j + 5 * a + seed) }))),
  );
  const file = path.join(dir, 'r.html');
  const { rliable } = await writeReport(file, { title: 't', intro: 'i', runs, variance: [], rliable: { reps: 300, profileReps: 100 } });
  const html = fs.readFileSync(file, 'utf8');
  const at = html.indexOf('<h2>Aggregate statistics (rliable)</h2>');
  t.ok(at > 0, 'the section is there');
  const section = html.slice(at);
  for (const s of ['Across tasks', 'Per task', 'Performance profile', 'IQM learning curves', 'Probability of improvement', 'min–max over all runs of that task', '<svg', 'percentile stratified bootstrap']) t.ok(section.includes(s), `it has ${s}`);
  t.equal(rliable!.across_tasks.length, 2);
  t.equal(rliable!.per_task.length, 4);
  // IQM learning curves: 20 points per estimator; at the end of training the smoothed return is the final return
  const curves = rliable!.iqm_curves;
  t.equal(curves.length, 2 * 20);
  t.ok(section.includes('IQM learning curves'), 'the IQM learning-curve plot');
  for (const a of rliable!.across_tasks) {
    const last = curves.filter((c) => c.algorithm === a.algorithm).at(-1)!;
    t.equal(last.step, 3000, 'every task ends at step 3000: the x axis is steps');
    t.ok(close(last.iqm, a.iqm.estimate, 1e-9), `${a.algorithm}: the curve ends at the across-task IQM of final returns (${last.iqm})`);
    t.ok(last.lo <= last.iqm && last.iqm <= last.hi, 'inside its band');
  }

  const one = path.join(dir, 'one.html');
  const { rliable: none } = await writeReport(one, { title: 't', intro: 'i', runs: runs.filter((r) => r.seed === 1), variance: [] });
  t.equal(none, null);
  t.notOk(fs.readFileSync(one, 'utf8').includes('Aggregate statistics'), 'one seed per group: no section');
});

t.test('analyze over run directories: the env is the task, the aggregates go into the JSON', async (t) => {
  const dir = tmpDir();
  const dirs: string[] = [];
  for (const [j, envId] of ['CartPole-v1', 'Acrobot-v1'].entries())
    for (const [a, estimator] of ['single', 'mc'].entries())
      for (const seed of [1, 2]) {
        const d = path.join(dir, `${envId}-${estimator}-${seed}`);
        fs.mkdirSync(d);
        fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ envId, estimator, estimatorOptions: {}, seed }));
        fs.writeFileSync(path.join(d, 'episodes.csv'), 'step,return,length\n' + episodes(100 * j + 10 * a + seed).map((e) => `${e.step},${e.return},${e.length}\n`).join(''));
        dirs.push(d);
      }
  const out = path.join(dir, 'rep', 'report.html');
  const { json } = await analyze({ runs: dirs, variance: [], out });
  const nums = JSON.parse(fs.readFileSync(json, 'utf8'));
  t.same(nums.rliable.tasks.map((x: { task: string }) => x.task), ['CartPole-v1', 'Acrobot-v1'], 'tasks are the envs');
  t.same(nums.rliable.across_tasks.map((x: { algorithm: string }) => x.algorithm), ['single', 'mc'], 'algorithms are the estimators, without the env');
  t.equal(nums.rliable.reps, 50000, "rliable's default number of resamples");
  const p = nums.rliable.probability_of_improvement.find((x: { task: string }) => x.task === ALL_TASKS);
  t.same([p.x, p.y, p.estimate], ['single', 'mc', 0], 'mc scores higher on both envs');
  t.ok(fs.readFileSync(out, 'utf8').includes('Aggregate statistics (rliable)'));
});
