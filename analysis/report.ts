/**
 * The human report: one self-contained HTML file with static SVG plots and the numbers behind them
 * in tables, for any set of runs and variance measurements:
 *   - findings first: the paired comparisons' verdicts and each estimator's resolved or unresolved
 *     squared bias, with 95 % intervals (report-findings.ts);
 *   - learning curves per run, and per estimator the mean over seeds with a min–max band;
 *   - with 2 or more seeds per (estimator, env): rliable's aggregate statistics of the final returns
 *     (IQM, median, mean, optimality gap with stratified-bootstrap intervals, per task and across
 *     tasks; performance profile; probability of improvement; report-rliable.ts);
 *   - best and final return per run and per estimator (mean ± sd over seeds), and per run the return
 *     trend (slope per 100k steps, last 50 − first 50 episodes, with 95 % intervals; trend.ts);
 *   - gradient bias and variance over training (App. C.4 and robust metrics, cosines);
 *   - cosine and variance against the sample size (sweeps);
 *   - the variance decompositions (Lemma 3.1 split with α̃_t/α_t, Eq. 14 decision grid, Tucker's split).
 * `summarizeRuns` gives the same numbers machine-readable.
 */
import { jStat } from '../common/jstat.js';
import { writeFileAtomic } from '../common/atomic-fs.js';
import type { EpisodeRecord } from '../ppo/rollout.js';
import type { DecompositionReport } from './decomposition-measure.js';
import { lineChartSvg } from './plots.js';
import { findingsSection } from './report-findings.js';
import { esc, fmtNumber, REPORT_CSS, table } from './report-html.js';
import { rliableAggregates, rliableSection, type RliableOptions, type RliableReport } from './report-rliable.js';
import { varianceTables } from './report-variance.js';
import { meanSd } from './sample-stats.js';
import { returnTrend } from './trend.js';
import type { VarianceReport } from './variance.js';

export const RETURN_WINDOW = 20;

export interface ReportRun {
  label: string;
  /** Series the run belongs to (its estimator): curves are averaged over the runs of a group. */
  group?: string;
  /** Task (env) and algorithm (estimator series) for the aggregate statistics; without them, one task and the group. */
  task?: string;
  algorithm?: string;
  seed?: number;
  episodes: EpisodeRecord[];
  summary?: Record<string, unknown>;
  /** (global_step, time_s) of the run's metrics rows: places its episodes on a wall-clock axis. */
  clock?: { step: number; time_s: number }[];
}

export type MeasuredReport = VarianceReport & { decomposition?: DecompositionReport };

export interface ReportInput {
  title: string;
  intro: string;
  /** Headline paragraph above the intro (e.g. the demo's finding). */
  lead?: string;
  runs: ReportRun[];
  /** `tracked`: measured during training (a run's variance.jsonl); only the last one leads the findings. */
  variance: { label: string; report: MeasuredReport; tracked?: boolean }[];
  sweeps?: { label: string; reports: VarianceReport[] }[];
  config?: object;
  commands?: string[];
  /** Bootstrap settings of the aggregate statistics (rliable's defaults otherwise). */
  rliable?: RliableOptions;
}

/**
 * The wall-clock time at which a run reached `step`: linear between its metrics rows (and from (0, 0)
 * to the first one); past the last row, that row's time.
 */
export function wallTimeAt(clock: { step: number; time_s: number }[], step: number): number {
  let prev = { step: 0, time_s: 0 };
  for (const c of clock) {
    if (c.step >= step) return c.step === prev.step ? c.time_s : prev.time_s + ((step - prev.step) / (c.step - prev.step)) * (c.time_s - prev.time_s);
    prev = c;
  }
  return prev.time_s;
}

/** Moving average over the last `w` episodes, for a readable learning curve. */
export function smoothEpisodes(eps: EpisodeRecord[], w = RETURN_WINDOW): { step: number; return_smoothed: number }[] {
  const out: { step: number; return_smoothed: number }[] = [];
  let sum = 0;
  eps.forEach((e, i) => {
    sum += e.return;
    if (i >= w) sum -= eps[i - w]!.return;
    out.push({ step: e.step, return_smoothed: sum / Math.min(i + 1, w) });
  });
  return out;
}

export interface RunSummary {
  label: string;
  group: string;
  episodes: number;
  last_step: number;
  /** Best mean return over a window of 20 consecutive episodes (windows of fewer episodes at the start are skipped when possible). */
  best_return: number | null;
  /** Mean return of the last 20 episodes. */
  final_return: number | null;
  /** Least-squares slope of episode return per 100k steps, ± its 95 % half-width (analysis/trend.ts). */
  trend_per_100k: number | null;
  trend_ci95: number | null;
  /** Mean of the last 50 episodes minus the first 50, ± its 95 % (Welch) half-width; null under 100 episodes. */
  last50_minus_first50: number | null;
  last50_minus_first50_ci95: number | null;
  wall_s: number | null;
  /** Env steps per second over the whole run (summary.json `sps`). */
  sps: number | null;
}

export interface GroupSummary {
  group: string;
  runs: number;
  best_return_mean: number | null;
  best_return_sd: number | null;
  final_return_mean: number | null;
  final_return_sd: number | null;
}

export function summarizeRuns(runs: ReportRun[]): { runs: RunSummary[]; groups: GroupSummary[] } {
  const rs = runs.map((r) => {
    const sm = smoothEpisodes(r.episodes);
    const trend = returnTrend(r.episodes, 50);
    const full = sm.filter((_, i) => i >= RETURN_WINDOW - 1);
    const pool = full.length ? full : sm;
    return {
      label: r.label,
      group: r.group ?? r.label,
      episodes: r.episodes.length,
      last_step: r.episodes.at(-1)?.step ?? 0,
      best_return: pool.length ? Math.max(...pool.map((p) => p.return_smoothed)) : null,
      final_return: sm.at(-1)?.return_smoothed ?? null,
      trend_per_100k: trend.slope_per_100k,
      trend_ci95: trend.slope_ci95,
      last50_minus_first50: trend.last_minus_first,
      last50_minus_first50_ci95: trend.last_minus_first_ci95,
      wall_s: typeof r.summary?.['wall_s'] === 'number' ? (r.summary['wall_s'] as number) : null,
      sps: typeof r.summary?.['sps'] === 'number' ? (r.summary['sps'] as number) : null,
    };
  });
  const groups = [...new Set(rs.map((r) => r.group))].map((g) => {
    const members = rs.filter((r) => r.group === g);
    const [bm, bs] = meanSd(members.map((r) => r.best_return).filter((v): v is number => v !== null));
    const [fm, fs] = meanSd(members.map((r) => r.final_return).filter((v): v is number => v !== null));
    return { group: g, runs: members.length, best_return_mean: bm, best_return_sd: bs, final_return_mean: fm, final_return_sd: fs };
  });
  return { runs: rs, groups };
}

/** Mean of vals (at least one) and its 95 % confidence interval (t interval, the exact Student-t quantile from jStat; a single value gives a zero-width one). */
export function meanCi95(vals: number[]): { mean: number; lo: number; hi: number } {
  const [mean, sd] = meanSd(vals);
  if (mean === null) throw new Error('meanCi95: no values');
  if (sd === null) return { mean, lo: mean, hi: mean };
  const n = vals.length;
  const h = (jStat.studentt.inv(0.975, n - 1) * sd) / Math.sqrt(n);
  return { mean, lo: mean - h, hi: mean + h };
}

/** Mean, min–max and the 95 % CI of the mean over runs of the smoothed curves of each group on a common step grid. */
function groupCurves(runs: ReportRun[], points = 60): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const g of [...new Set(runs.map((r) => r.group ?? r.label))]) {
    const members = runs.filter((r) => (r.group ?? r.label) === g).map((r) => smoothEpisodes(r.episodes)).filter((c) => c.length);
    if (!members.length) continue;
    const end = Math.min(...members.map((c) => c.at(-1)!.step));
    for (let k = 1; k <= points; k++) {
      const step = Math.round((end * k) / points);
      const vals = members.map((c) => {
        let v = c[0]!.return_smoothed;
        for (const p of c) {
          if (p.step > step) break;
          v = p.return_smoothed;
        }
        return v;
      });
      const { mean, lo, hi } = meanCi95(vals);
      out.push({ step, estimator: g, mean, min: Math.min(...vals), max: Math.max(...vals), ci_lo: lo, ci_hi: hi });
    }
  }
  return out;
}

/** The rliable aggregates of the runs' final returns (analysis/report-rliable.ts); null without a (task, algorithm) group of 2 runs. */
export function runAggregates(runs: ReportRun[], o?: RliableOptions): RliableReport | null {
  const { runs: rows } = summarizeRuns(runs);
  const scores = runs.flatMap((run, i) => {
    const score = rows[i]!.final_return;
    const curve = smoothEpisodes(run.episodes).map((p) => ({ step: p.step, value: p.return_smoothed }));
    return score === null ? [] : [{ task: run.task ?? 'all runs', algorithm: run.algorithm ?? run.group ?? run.label, ...(run.seed !== undefined ? { seed: run.seed } : {}), score, curve }];
  });
  return rliableAggregates(scores, o);
}

/** Writes the HTML report; returns the aggregate statistics it shows (null when no group has 2 runs). */
export async function writeReport(file: string, r: ReportInput): Promise<{ rliable: RliableReport | null }> {
  const sections: string[] = [];
  const findings = findingsSection(r.variance);
  if (findings) sections.push(findings);
  const { runs: runRows, groups } = summarizeRuns(r.runs);
  const pm = (v: number | null, h: number | null) => (v === null ? null : h === null ? v : `${fmtNumber(v)} ± ${fmtNumber(h, 3)}`);
  const runTable = table(
    runRows.map((x) => ({
      run: x.label,
      episodes: x.episodes,
      last_step: x.last_step,
      best_return: x.best_return,
      final_return: x.final_return,
      'trend / 100k steps (± 95 %)': pm(x.trend_per_100k, x.trend_ci95),
      'last 50 − first 50 episodes (± 95 %)': pm(x.last50_minus_first50, x.last50_minus_first50_ci95),
      wall_s: x.wall_s,
      sps: x.sps,
    })),
    { keys: ['run'] },
  );
  const records = r.runs.filter((x) => x.summary && Object.keys(x.summary).length);
  const recordTable = records.length ? `<h3>Run records (summary.json)</h3>${table(records.map((x) => ({ run: x.label, ...x.summary })), { keys: ['run'] })}` : '';
  sections.push(`<h2>Runs</h2>${runTable}${recordTable}`);
  if (groups.length < r.runs.length) sections.push(`<h3>Per estimator / agent (over seeds)</h3>${table(groups as unknown as Record<string, unknown>[])}`);

  if (r.runs.length) {
    const curveData = r.runs.flatMap((run) => smoothEpisodes(run.episodes).map((p) => ({ ...p, run: run.label })));
    const rawData = r.runs.length <= 4 ? r.runs.flatMap((run) => run.episodes.map((e) => ({ step: e.step, return: e.return, run: run.label }))) : undefined;
    const plots = [
      await lineChartSvg({
        title: `Learning curves (line: mean of the last ${RETURN_WINDOW} episodes)`,
        data: curveData,
        ...(rawData ? { scatter: { data: rawData, y: 'return' } } : {}),
        x: 'step',
        y: 'return_smoothed',
        xTitle: 'environment steps',
        yTitle: 'episodic return',
        color: r.runs.length > 1 ? 'run' : undefined,
      }),
    ];
    if (groups.length < r.runs.length) {
      const curves = groupCurves(r.runs);
      plots.push(await lineChartSvg({ title: 'Per estimator / agent: mean over seeds (band: 95 % confidence interval of the mean, t)', data: curves, x: 'step', y: 'mean', band: { lo: 'ci_lo', hi: 'ci_hi' }, xTitle: 'environment steps', yTitle: 'episodic return', color: 'estimator' }));
      plots.push(await lineChartSvg({ title: 'Per estimator / agent: mean over seeds (band: min–max)', data: curves, x: 'step', y: 'mean', band: { lo: 'min', hi: 'max' }, xTitle: 'environment steps', yTitle: 'episodic return', color: 'estimator' }));
    }
    const timed = r.runs.filter((run) => run.clock?.length);
    if (timed.length) {
      const timeData = timed.flatMap((run) => smoothEpisodes(run.episodes).map((p) => ({ time_s: wallTimeAt(run.clock!, p.step), return_smoothed: p.return_smoothed, run: run.label })));
      plots.push(await lineChartSvg({ title: `Learning curves against wall time (time_s of metrics.jsonl; line: mean of the last ${RETURN_WINDOW} episodes)`, data: timeData, x: 'time_s', y: 'return_smoothed', xTitle: 'wall-clock seconds', yTitle: 'episodic return', color: timed.length > 1 ? 'run' : undefined }));
    }
    sections.push(`<h2>Learning curves</h2><div class="grid">${plots.join('\n')}</div>`);
  }
  const aggregates = runAggregates(r.runs, r.rliable);
  if (aggregates) sections.push(await rliableSection(aggregates));

  const varRows = r.variance.flatMap(({ label, report }) =>
    Object.entries(report.estimators).map(([est, { ci95: _ci, intervals: _iv, ...s }]) => ({ checkpoint: label, step: report.step, estimator: est, ...s })),
  );
  const v0 = r.variance[0]?.report;
  if (v0) {
    const metrics: [string, string, boolean][] = [
      ['relative_variance_app_c4', 'relative variance (App. C.4, per parameter)', true],
      ['relative_bias', 'relative bias (App. C.4, per parameter)', true],
      ['relative_variance', 'robust relative variance tr Σ / ‖ḡ‖²', true],
      ['robust_relative_bias', 'robust relative bias ‖ḡ − g*‖ / ‖g*‖', true],
      ['mean_pairwise_cosine', 'mean pairwise cosine of estimates', false],
      ['cosine_to_reference', 'cosine to the reference gradient', false],
    ];
    const plots: string[] = [];
    for (const [key, title, log] of metrics) {
      const data = varRows.filter((x) => typeof x[key as keyof typeof x] === 'number' && (!log || (x[key as keyof typeof x] as number) > 0));
      if (data.length) plots.push(await lineChartSvg({ title, data, x: 'step', y: key, xTitle: 'training step of the checkpoint', yTitle: key, color: 'estimator', logY: log, points: true, width: 360, height: 200 }));
    }
    sections.push(`<h2>Policy-gradient bias and variance over training</h2>
<p>At each checkpoint the policy is frozen; ${v0.batches} independent on-policy batches of ${v0.batch_size} steps each give ${v0.batches} gradient estimates of the policy loss per estimator (never applied). The reference gradient g* uses ${v0.reference_batch_size} further steps with the <code>${esc(v0.reference_estimator)}</code> estimator (App. C.4's many-sample mean of the plain AC estimator). Advantages ${v0.advantage_normalization ? 'normalised per batch' : 'raw'}. Parameters: ${v0.num_params}.</p>
<div class="grid">${plots.join('\n')}</div>
${varianceTables(r.variance)}`);
  }

  if (r.sweeps?.length) {
    const rows = r.sweeps.flatMap(({ label, reports }) => reports.flatMap((rep) => Object.entries(rep.estimators).map(([est, s]) => ({ checkpoint: label, estimator: est, series: r.sweeps!.length > 1 ? `${est} (${label})` : est, batch_size: rep.batch_size, cosine_to_reference: s.cosine_to_reference, mean_pairwise_cosine: s.mean_pairwise_cosine, total_variance: s.total_variance, relative_variance: s.relative_variance }))));
    const plots = [
      await lineChartSvg({ title: 'cosine to the reference vs sample size', data: rows, x: 'batch_size', y: 'cosine_to_reference', logX: true, color: 'series', points: true, xTitle: 'states per estimate', width: 360, height: 220 }),
      await lineChartSvg({ title: 'total variance tr Σ vs sample size', data: rows.filter((x) => x.total_variance > 0), x: 'batch_size', y: 'total_variance', logX: true, logY: true, color: 'series', points: true, xTitle: 'states per estimate', width: 360, height: 220 }),
    ];
    sections.push(`<h2>Sample size</h2><p>The same measurement repeated at several batch sizes. For an unbiased estimator on independent states tr Σ falls as 1/n; correlated consecutive states make it fall more slowly (Eq. 4).</p><div class="grid">${plots.join('\n')}</div>${table(rows.map(({ series, ...x }) => x))}`);
  }

  const decs = r.variance.filter((v) => v.report.decomposition);
  if (decs.length) {
    const parts = decs.map(({ label, report }) => {
      const d = report.decomposition!;
      const one = d.variance_by_actions['1'];
      return {
        checkpoint: label,
        step: report.step,
        states: d.states,
        'Var_s Ῡ (marginalised)': d.lemma31.var_marginal,
        'E_s Var_a Υ (policy-dependent)': d.lemma31.e_var_action,
        'Eq. 6 V: marginalised part': one?.marginalised,
        'Eq. 6 V: policy-dependent part': one?.policy_dependent,
        policy_dependent_share: d.policy_dependent_share,
        policy_dependent_share_flag: d.policy_dependent_share_flag ?? '',
        'Tucker Σ_τ': d.tucker.sigma_tau,
        'Tucker Σ_a (no baseline)': d.tucker.sigma_a.none,
        'Tucker Σ_a (critic)': d.tucker.sigma_a.value,
        'Tucker Σ_s': d.tucker.sigma_s,
        sim_env_steps: d.sim_env_steps,
      };
    });
    const lagRows = decs.flatMap(({ label, report }) => {
      const s = report.decomposition!.lemma31;
      return s.alpha.flatMap((a, i) => [
        { lag: i + 1, value: s.alpha_tilde[i]!, series: `α̃_t marginalised (${label})` },
        { lag: i + 1, value: a, series: `α_t policy-dependent (${label})` },
      ]);
    });
    const eqRows = decs.flatMap(({ label, report }) => report.decomposition!.eq14.map((e) => ({ checkpoint: label, N: e.actions, δ: e.delta, 'Δ_N (one more action)': e.delta_n, 'Δ_T (δ·T more states)': e.delta_t, 'more actions pay (Eq. 14)': e.prefer_more_actions ? 'yes' : 'no' })));
    const d0 = decs[0]!.report.decomposition!;
    sections.push(`<h2>Variance decomposition</h2>
<p>Lemma 3.1 of the MBMA paper from ${d0.states} visited states, each with its executed action and one extra action drawn from the policy; both valued by ${d0.rollouts} rollouts of ${d0.horizon} steps in the rewound simulator (critic-bootstrapped GAE), so Q is marginalised over futures. Per-parameter covariances averaged over parameters; lag autocovariances up to ${d0.lemma31.max_lag}, larger lags taken as zero; Eq. 6 and Eq. 14 at T = ${d0.T}. Tucker et al.'s per-step split Σ_τ (future-trajectory noise), Σ_a (action noise, by baseline) and Σ_s (state noise, an upper bound) from the same rollouts.</p>
${table(parts.map(({ 'Tucker Σ_τ': _t, 'Tucker Σ_a (no baseline)': _n, 'Tucker Σ_a (critic)': _c, 'Tucker Σ_s': _s, sim_env_steps: _e, ...x }) => x))}
${table(parts.map((x) => ({ checkpoint: x.checkpoint, step: x.step, 'Tucker Σ_τ': x['Tucker Σ_τ'], 'Tucker Σ_a (no baseline)': x['Tucker Σ_a (no baseline)'], 'Tucker Σ_a (critic)': x['Tucker Σ_a (critic)'], 'Tucker Σ_s': x['Tucker Σ_s'], sim_env_steps: x.sim_env_steps })))}
${await lineChartSvg({ title: 'lag autocovariances of the gradient terms', data: lagRows, x: 'lag', y: 'value', color: 'series', xTitle: 'lag t (states)', yTitle: 'covariance / parameter', width: 520, height: 240 })}
<h3>Eq. 14: one more action per state, or a δ-times longer trajectory?</h3>
<p>δ is the cost of one extra action sample relative to one more environment step (δ = 1: rewinding the simulator; δ ≪ 1: a cheap learned model). Negative Δ means the variance falls; more actions pay when Δ_N ≤ Δ_T.</p>
${table(eqRows)}`);
  }

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>${REPORT_CSS}</style></head><body>
<h1>${esc(r.title)}</h1>
${r.lead ? `<p class="lead">${esc(r.lead)}</p>` : ''}
<p>${esc(r.intro)}</p>
${sections.join('\n')}
${r.commands?.length ? `<h2>Reproduce</h2><pre>${esc(r.commands.join('\n'))}</pre>` : ''}
${r.config ? `<h2>Configuration</h2><pre>${esc(JSON.stringify(r.config, null, 2))}</pre>` : ''}
<p><small>Generated by pgvar on ${new Date().toISOString()}.</small></p>
</body></html>
`;
  writeFileAtomic(file, html);
  return { rliable: aggregates };
}
