/**
 * The report's "Aggregate statistics (rliable)" section (analysis/rliable.ts): from one score per
 * run (its final return) grouped by task (env) and algorithm (estimator), per task and across tasks
 * the IQM, median, mean and optimality gap with stratified-bootstrap intervals, a performance
 * profile with bands, and the probability of improvement between every pair of algorithms.
 *
 * Scores are normalised per task by the min and max final return over all runs of that task (every
 * algorithm, every seed): the worst run scores 0, the best 1, so the optimality gap (γ = 1) is the
 * mean shortfall from the best run seen.
 */
import { esc, fmtInterval, table } from './report-html.js';
import { lineChartSvg } from './plots.js';
import {
  aggregateEstimates,
  DEFAULT_PROFILE_REPS,
  iqm,
  stratifiedBootstrap,
  DEFAULT_REPS,
  linearGrid,
  normalizeScores,
  performanceProfile,
  probabilityOfImprovementCi,
  type AggregateEstimates,
  type IntervalEstimate,
  type ProfilePoint,
} from './rliable.js';

/** One run's score. */
export interface RunScore {
  task: string;
  algorithm: string;
  /** Orders the runs of a group (the first n seeds are used where a rectangular matrix needs n). */
  seed?: number;
  score: number;
  /** The run's learning curve (smoothed return by step), for the IQM learning curves. */
  curve?: { step: number; value: number }[];
}

export interface RliableOptions {
  /** Resamples for the aggregate metrics (default 50 000, rliable's). */
  reps?: number;
  /** Resamples for performance profiles and probabilities of improvement (default 2 000, as rliable's examples). */
  profileReps?: number;
  level?: number;
  seed?: number;
}

export interface RliableReport {
  score: string;
  normalization: string;
  method: string;
  level: number;
  reps: number;
  profile_reps: number;
  seed: number;
  /** Per task the raw bounds of the normalisation. */
  tasks: { task: string; low: number; high: number }[];
  /** Per (task, algorithm) with at least 2 runs: the metrics of the normalised scores. */
  per_task: ({ task: string; algorithm: string; runs: number; iqm_raw: IntervalEstimate } & AggregateEstimates)[];
  /** Across every task (when there are several), for the algorithms with at least 2 runs on each. */
  across_tasks: ({ algorithm: string; runs_per_task: number } & AggregateEstimates)[];
  /** The performance profile of normalised scores: across tasks when there are several, else the one task. */
  profiles: ({ algorithm: string } & ProfilePoint)[];
  /**
   * IQM learning curves: at each of 20 points of training (per task a fraction of the shortest run's
   * steps), the IQM of the runs' smoothed returns normalised with the task's final-return bounds, with
   * stratified-bootstrap bands; across tasks when there are several. `step` is null when the tasks
   * end at different steps (then `progress`, the fraction of training, is the x axis).
   */
  iqm_curves: { algorithm: string; progress: number; step: number | null; iqm: number; lo: number; hi: number }[];
  /** P(X > Y) per task and (with several tasks) across tasks ("all tasks"). */
  probability_of_improvement: { task: string; x: string; y: string; estimate: number; lo: number; hi: number }[];
  /** What was left out or truncated, and why. */
  notes: string[];
}

export const ALL_TASKS = 'all tasks';

/** The aggregates, or null when no (task, algorithm) group has 2 runs. */
export function rliableAggregates(scores: RunScore[], o: RliableOptions = {}): RliableReport | null {
  const reps = o.reps ?? DEFAULT_REPS;
  const profileReps = o.profileReps ?? DEFAULT_PROFILE_REPS;
  const level = o.level ?? 0.95;
  const seed = o.seed ?? 0;
  const notes: string[] = [];
  const tasks = [...new Set(scores.map((s) => s.task))];
  const algorithms = [...new Set(scores.map((s) => s.algorithm))];
  const runsOf = (task: string, algorithm: string) => scores.filter((s) => s.task === task && s.algorithm === algorithm).sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0));
  // normalisation over all runs of the task
  const bounds = tasks.map((task) => {
    const v = scores.filter((s) => s.task === task).map((s) => s.score);
    return { task, low: Math.min(...v), high: Math.max(...v) };
  });
  const norm = (task: string, xs: number[]) => {
    const b = bounds.find((x) => x.task === task)!;
    return normalizeScores(
      xs.map((x) => [x]),
      { low: [b.low], high: [b.high] },
    ).map((r) => r[0]!);
  };
  const boot = (i: number) => ({ reps, level, seed: seed + i });
  let k = 0;

  const groups = tasks.flatMap((task) => algorithms.map((algorithm) => {
    const runs = runsOf(task, algorithm);
    return { task, algorithm, runs, raw: runs.map((r) => r.score) };
  })).filter((g) => g.raw.length);
  for (const g of groups.filter((g) => g.raw.length < 2)) notes.push(`${g.algorithm} on ${g.task}: 1 run, left out (intervals need at least 2 seeds).`);
  const kept = groups.filter((g) => g.raw.length >= 2);
  if (!kept.length) return null;

  const per_task = kept.map((g) => {
    const m = norm(g.task, g.raw).map((x) => [x]);
    const agg = aggregateEstimates(m, boot(k++));
    const b = bounds.find((x) => x.task === g.task)!;
    const span = b.high - b.low;
    const raw = (v: number) => b.low + span * v;
    return { task: g.task, algorithm: g.algorithm, runs: g.raw.length, ...agg, iqm_raw: { estimate: raw(agg.iqm.estimate), lo: raw(agg.iqm.lo), hi: raw(agg.iqm.hi) } };
  });

  // rectangular matrices (runs × tasks) for the algorithms with ≥ 2 runs on every task
  const matrices = new Map<string, number[][]>();
  const matrixRuns = new Map<string, RunScore[][]>(); // [task][run]
  for (const algorithm of algorithms) {
    const cols = tasks.map((task) => kept.find((g) => g.task === task && g.algorithm === algorithm));
    if (cols.some((c) => !c)) {
      if (tasks.length > 1 && kept.some((g) => g.algorithm === algorithm)) notes.push(`${algorithm}: not every task has 2 runs; left out of the across-task aggregates.`);
      continue;
    }
    const n = Math.min(...cols.map((c) => c!.raw.length));
    if (cols.some((c) => c!.raw.length > n)) notes.push(`${algorithm}: the tasks have different numbers of runs; across tasks the first ${n} seeds of each are used.`);
    const normed = cols.map((c) => norm(c!.task, c!.raw.slice(0, n)));
    matrixRuns.set(
      algorithm,
      cols.map((c) => c!.runs.slice(0, n)),
    );
    matrices.set(
      algorithm,
      Array.from({ length: n }, (_, r) => normed.map((col) => col[r]!)),
    );
  }
  const across_tasks = tasks.length > 1 ? [...matrices].map(([algorithm, m]) => ({ algorithm, runs_per_task: m.length, ...aggregateEstimates(m, boot(k++)) })) : [];

  const taus = linearGrid(0, 1, 51);
  const profileSets: [string, number[][]][] = tasks.length > 1 ? [...matrices] : kept.map((g) => [g.algorithm, norm(g.task, g.raw).map((x) => [x])]);
  const profiles = profileSets.flatMap(([algorithm, m]) => performanceProfile(m, taus, { reps: profileReps, level, seed: seed + k++ }).map((p) => ({ algorithm, ...p })));

  // IQM learning curves over the same runs as the profiles
  const iqm_curves: RliableReport['iqm_curves'] = [];
  const curveSets: [string, RunScore[][]][] = tasks.length > 1 ? [...matrixRuns] : kept.map((g) => [g.algorithm, [g.runs]]);
  if (curveSets.length && curveSets.every(([, cols]) => cols.every((col) => col.every((r) => r.curve?.length)))) {
    const ends = tasks.map((task) => Math.min(...curveSets.flatMap(([, cols]) => cols.flat().filter((r) => r.task === task).map((r) => r.curve!.at(-1)!.step))));
    const sameEnd = ends.every((e) => e === ends[0]);
    const at = (curve: { step: number; value: number }[], step: number) => {
      let v = curve[0]!.value;
      for (const p of curve) {
        if (p.step > step) break;
        v = p.value;
      }
      return v;
    };
    const points = 20;
    for (const [algorithm, cols] of curveSets)
      for (let j = 1; j <= points; j++) {
        const progress = j / points;
        const normed = cols.map((col) => {
          const task = col[0]!.task;
          const step = Math.round(ends[tasks.indexOf(task)]! * progress);
          return norm(
            task,
            col.map((r) => at(r.curve!, step)),
          );
        });
        const m = Array.from({ length: normed[0]!.length }, (_, r) => normed.map((c) => c[r]!));
        const [e] = stratifiedBootstrap([m], (x) => [iqm(x)], { reps: profileReps, level, seed: seed + k++ });
        iqm_curves.push({ algorithm, progress, step: sameEnd ? Math.round(ends[0]! * progress) : null, iqm: e!.estimate, lo: e!.lo, hi: e!.hi });
      }
  }

  const probability_of_improvement: RliableReport['probability_of_improvement'] = [];
  const pairs = (names: string[]) => names.flatMap((x, i) => names.slice(i + 1).map((y) => [x, y] as const));
  for (const task of tasks) {
    const here = kept.filter((g) => g.task === task);
    for (const [x, y] of pairs(here.map((g) => g.algorithm))) {
      const mx = norm(task, here.find((g) => g.algorithm === x)!.raw).map((v) => [v]);
      const my = norm(task, here.find((g) => g.algorithm === y)!.raw).map((v) => [v]);
      probability_of_improvement.push({ task, x, y, ...probabilityOfImprovementCi(mx, my, { reps: profileReps, level, seed: seed + k++ }) });
    }
  }
  if (tasks.length > 1)
    for (const [x, y] of pairs([...matrices.keys()])) probability_of_improvement.push({ task: ALL_TASKS, x, y, ...probabilityOfImprovementCi(matrices.get(x)!, matrices.get(y)!, { reps: profileReps, level, seed: seed + k++ }) });

  return {
    score: 'final return: the mean return of the last 20 episodes of each run',
    normalization: 'per task, min–max over all runs of that task (every estimator and seed): (x − min) / (max − min); a task without spread scores 0',
    method: 'percentile stratified bootstrap (runs resampled with replacement within each task), as rliable',
    level,
    reps,
    profile_reps: profileReps,
    seed,
    tasks: bounds,
    per_task,
    across_tasks,
    profiles,
    iqm_curves,
    probability_of_improvement,
    notes,
  };
}

const iv = (x: IntervalEstimate) => fmtInterval(x);
const metricCells = (a: AggregateEstimates) => ({ IQM: iv(a.iqm), median: iv(a.median), mean: iv(a.mean), 'optimality gap': iv(a.optimality_gap) });

/** The HTML section. */
export async function rliableSection(r: RliableReport): Promise<string> {
  const pct = `${Math.round(r.level * 100)} %`;
  const multi = r.tasks.length > 1;
  const parts: string[] = [];
  parts.push(`<h2>Aggregate statistics (rliable)</h2>
<p>As Agarwal et al. (NeurIPS 2021) and their <code>rliable</code> library define them, over one score per run: the ${esc(r.score)}. Normalisation: ${esc(r.normalization)}; 1 is the best run of the task, 0 the worst. IQM: the mean of the middle 50 % of the run × task scores (25 % trimmed); median and mean: of the per-task means; optimality gap: the mean of max(1 − x, 0). Intervals: ${pct} ${esc(r.method)}, ${r.reps} resamples (profiles and probabilities of improvement: ${r.profile_reps}), seed ${r.seed}. Shown as estimate [lo, hi].</p>`);
  parts.push(`<h3>Normalisation (final return)</h3>${table(r.tasks.map((b) => ({ task: b.task, 'min (→ 0)': b.low, 'max (→ 1)': b.high })))}`);
  if (multi) parts.push(`<h3>Across tasks</h3>${table(r.across_tasks.map((a) => ({ estimator: a.algorithm, 'runs per task': a.runs_per_task, ...metricCells(a) })), { keys: ['estimator'] })}`);
  parts.push(`<h3>Per task</h3>${table(r.per_task.map((a) => ({ task: a.task, estimator: a.algorithm, runs: a.runs, ...metricCells(a), 'IQM (final return)': iv(a.iqm_raw) })), { keys: ['task', 'estimator'] })}`);
  if (r.profiles.length)
    parts.push(
      `<h3>Performance profile</h3><div class="grid">${await lineChartSvg({
        title: `Performance profile${multi ? ' across tasks' : ''} (band: ${pct} stratified bootstrap)`,
        data: r.profiles as unknown as Record<string, unknown>[],
        x: 'tau',
        y: 'fraction',
        band: { lo: 'lo', hi: 'hi' },
        color: 'algorithm',
        xTitle: 'normalised score τ',
        yTitle: 'fraction of runs with score > τ',
      })}</div>`,
    );
  if (r.iqm_curves.length) {
    const bySteps = r.iqm_curves.every((c) => c.step !== null);
    parts.push(
      `<h3>IQM learning curves</h3><p>At each of 20 points of training, the IQM of the runs' smoothed returns (mean of the last 20 episodes)${multi ? ' across tasks' : ''}, normalised with each task's final-return bounds above (so it may leave [0, 1] early on); band: ${pct} stratified bootstrap, ${r.profile_reps} resamples.</p><div class="grid">${await lineChartSvg({
        title: `IQM of normalised return${multi ? ' across tasks' : ''} (band: ${pct} stratified bootstrap)`,
        data: r.iqm_curves as unknown as Record<string, unknown>[],
        x: bySteps ? 'step' : 'progress',
        y: 'iqm',
        band: { lo: 'lo', hi: 'hi' },
        color: 'algorithm',
        xTitle: bySteps ? 'environment steps' : 'fraction of training',
        yTitle: 'IQM (normalised)',
      })}</div>`,
    );
  }
  if (r.probability_of_improvement.length)
    parts.push(
      `<h3>Probability of improvement</h3><p>P(X &gt; Y): per task the fraction of (X run, Y run) pairs in which X scores higher, ties counting ½ (the Mann–Whitney U statistic over n·m), averaged over tasks; ${pct} intervals by resampling X and Y independently within each task. ✔ marks an interval that excludes ½.</p>${table(
        r.probability_of_improvement.map((p) => ({ task: p.task, X: p.x, Y: p.y, 'P(X > Y)': iv(p), 'excludes ½': p.lo > 0.5 || p.hi < 0.5 ? '✔' : '' })),
        { keys: ['task'] },
      )}`,
    );
  if (r.notes.length) parts.push(`<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  return parts.join('\n');
}
