/**
 * The human report: one self-contained HTML file with static SVG plots (learning curves, gradient
 * variance metrics over training) and the numbers behind them in tables.
 */
import { writeFileAtomic } from '../common/atomic-fs.js';
import type { EpisodeRecord } from '../ppo/rollout.js';
import { lineChartSvg } from './plots.js';
import type { VarianceReport } from './variance.js';

export interface ReportRun {
  label: string;
  episodes: EpisodeRecord[];
  summary?: Record<string, unknown>;
}

export interface ReportInput {
  title: string;
  intro: string;
  runs: ReportRun[];
  variance: { label: string; report: VarianceReport }[];
  config?: object;
  commands?: string[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v === null || v === undefined ? '–' : esc(String(v)));

function table(rows: Record<string, unknown>[]): string {
  if (!rows.length) return '<p>(none)</p>';
  const cols = Object.keys(rows[0]!);
  return `<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${cols.map((c) => `<td>${fmt(r[c])}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Moving average over the last `w` episodes, for a readable learning curve. */
export function smoothEpisodes(eps: EpisodeRecord[], w = 20): { step: number; return_smoothed: number }[] {
  const out: { step: number; return_smoothed: number }[] = [];
  let sum = 0;
  eps.forEach((e, i) => {
    sum += e.return;
    if (i >= w) sum -= eps[i - w]!.return;
    out.push({ step: e.step, return_smoothed: sum / Math.min(i + 1, w) });
  });
  return out;
}

export async function writeReport(file: string, r: ReportInput): Promise<void> {
  const curveData = r.runs.flatMap((run) => smoothEpisodes(run.episodes).map((p) => ({ ...p, run: run.label })));
  const rawData = r.runs.flatMap((run) => run.episodes.map((e) => ({ step: e.step, return: e.return, run: run.label })));
  const curve = await lineChartSvg({
    title: 'Learning curve (episodic return; line: mean of last 20 episodes)',
    data: curveData,
    scatter: { data: rawData, y: 'return' },
    x: 'step',
    y: 'return_smoothed',
    xTitle: 'environment steps',
    yTitle: 'episodic return',
    color: r.runs.length > 1 ? 'run' : undefined,
  });

  const ci = (v: [number, number] | undefined) => (v ? `[${v[0].toPrecision(3)}, ${v[1].toPrecision(3)}]` : '–');
  const varRows = r.variance.flatMap(({ label, report }) =>
    Object.entries(report.estimators).map(([est, { ci95, ...s }]) => ({
      checkpoint: label,
      step: report.step,
      estimator: est,
      ...s,
      relative_variance_ci95: ci(ci95?.relative_variance),
      cosine_to_reference_ci95: ci(ci95?.cosine_to_reference),
    })),
  );
  const varPlots: string[] = [];
  const metrics: [string, string, boolean][] = [
    ['relative_variance', 'relative variance tr Σ / ‖ḡ‖²', true],
    ['total_variance', 'total variance tr Σ', true],
    ['mean_pairwise_cosine', 'mean pairwise cosine of estimates', false],
    ['cosine_to_reference', 'cosine to the 10× batch reference', false],
  ];
  if (varRows.length) {
    for (const [key, title, log] of metrics) {
      varPlots.push(
        await lineChartSvg({ title, data: varRows, x: 'step', y: key, xTitle: 'training step of the checkpoint', yTitle: key, color: 'estimator', logY: log, points: true, width: 360, height: 200 }),
      );
    }
  }
  const v0 = r.variance[0]?.report;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}
.grid{display:flex;flex-wrap:wrap;gap:12px}pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px}
</style></head><body>
<h1>${esc(r.title)}</h1>
<p>${esc(r.intro)}</p>
<h2>Runs</h2>
${table(r.runs.map((run) => ({ run: run.label, episodes: run.episodes.length, ...(run.summary ?? {}) })))}
<h2>Learning curve</h2>
${curve}
<h2>Policy-gradient variance over training</h2>
${
  v0
    ? `<p>At each checkpoint the policy is frozen; ${v0.batches} independent on-policy batches of ${v0.batch_size} steps each give ${v0.batches} gradient estimates of the policy loss (never applied). The reference gradient uses ${v0.reference_batch_size} further steps with the <code>${esc(v0.reference_estimator)}</code> estimator. Advantages ${v0.advantage_normalization ? 'normalised per batch' : 'raw'}. Parameters: ${v0.num_params}.</p>`
    : '<p>No variance measurement in this report.</p>'
}
<div class="grid">${varPlots.join('\n')}</div>
${table(varRows)}
${r.commands?.length ? `<h2>Reproduce</h2><pre>${esc(r.commands.join('\n'))}</pre>` : ''}
${r.config ? `<h2>Configuration</h2><pre>${esc(JSON.stringify(r.config, null, 2))}</pre>` : ''}
<p><small>Generated by pgvar on ${new Date().toISOString()}.</small></p>
</body></html>
`;
  writeFileAtomic(file, html);
}
