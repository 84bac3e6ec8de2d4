/**
 * The tables of the report's bias/variance section, each narrow enough for the page: point estimates
 * (App. C.4 relative bias beside its noise floor), the interval statistics of each estimator, the
 * paired comparisons, the reference pool's precision, the remaining raw statistics, and the old
 * bootstrap intervals where a measurement has them.
 */
import { esc, fmtNumber, html, intervalCell, MARK_LEGEND, table, type Html } from './report-html.js';
import type { VarianceEntry } from './report-findings.js';

/** The App. C.4 relative bias, marked when it is within what noise alone gives an unbiased estimator. */
function biasVsFloor(bias: number, floor: number | undefined): Html | number {
  if (floor === undefined || !Number.isFinite(bias)) return bias;
  return bias <= floor ? html(`${fmtNumber(bias)} <small title="at or below its noise floor: not evidence of bias">≤ floor</small>`) : bias;
}

const rowKey = (label: string, step: number, est: string) => ({ checkpoint: label, step, estimator: est });

export function varianceTables(variance: VarianceEntry[]): string {
  const rows = variance.flatMap(({ label, report }) => Object.entries(report.estimators).map(([est, s]) => ({ label, report, est, s })));
  const out: string[] = [];
  out.push(`<h3>Point estimates</h3>
<p class="legend">App. C.4 metrics are per-parameter averages; the noise floor is the App. C.4 relative bias an unbiased estimator would show from the noise of its estimates and of the reference pool: a relative bias at or below it is not evidence of bias.</p>
${table(
  rows.map(({ label, report, est, s }) => ({
    ...rowKey(label, report.step, est),
    'relative variance (App. C.4)': s.relative_variance_app_c4,
    'relative bias (App. C.4)': biasVsFloor(s.relative_bias, s.relative_bias_noise_floor),
    'its noise floor': s.relative_bias_noise_floor,
    'robust relative variance tr Σ/‖ḡ‖²': s.relative_variance,
    'robust relative bias': s.robust_relative_bias,
    'cosine to reference': s.cosine_to_reference,
    'mean pairwise cosine': s.mean_pairwise_cosine,
  })),
  { keys: ['checkpoint', 'step', 'estimator'], maxCols: 10 },
)}`);

  const withIv = rows.filter((x) => x.s.intervals);
  if (withIv.length) {
    out.push(`<h3>Interval statistics</h3>${MARK_LEGEND}
${table(
  withIv.map(({ label, report, est, s }) => {
    const iv = s.intervals!;
    return {
      ...rowKey(label, report.step, est),
      'K / K_ref': `${iv.K} / ${iv.K_ref}`,
      'tr Σ': intervalCell(iv.trace_cov),
      '‖μ‖²': intervalCell(iv.mean_sq_norm),
      'tr Σ / ‖μ‖²': intervalCell(iv.relative_variance),
      'E cos(g, g′)': intervalCell(iv.pairwise_cosine),
    };
  }),
  { keys: ['checkpoint', 'step', 'estimator'] },
)}
${table(
  withIv.map(({ label, report, est, s }) => {
    const iv = s.intervals!;
    return {
      ...rowKey(label, report.step, est),
      'squared bias ‖E g − E g_ref‖² (noise-corrected)': intervalCell(iv.sq_bias),
      'relative squared bias': intervalCell(iv.relative_sq_bias),
      note: html(`<span class="text">${esc(iv.sq_bias.note)}</span>`),
    };
  }),
  { keys: ['checkpoint', 'step', 'estimator'] },
)}`);
  }

  const comps = variance.flatMap(({ label, report }) => (report.comparisons ?? []).map((c) => ({ label, report, c })));
  if (comps.length)
    out.push(`<h3>Paired comparisons (same batches)</h3>
${table(
  comps.map(({ label, report, c }) => ({
    checkpoint: label,
    step: report.step,
    estimator: c.estimator,
    baseline: c.baseline,
    'variance ratio tr Σ / tr Σ_baseline': intervalCell(c.variance_ratio),
    'squared-bias difference': intervalCell(c.sq_bias_difference),
  })),
  { keys: ['checkpoint', 'step'] },
)}`);

  const refs = variance.filter((v) => v.report.reference);
  if (refs.length)
    out.push(`<h3>Reference pool and protocol</h3>
${table(
  refs.map(({ label, report }) => {
    const ref = report.reference!;
    const p = ref.precision;
    return {
      checkpoint: label,
      step: report.step,
      protocol: report.protocol ?? 'custom',
      reference: `${ref.estimator} × ${ref.batches}`,
      'noise energy tr Σ_ref / K_ref': p?.noise_energy,
      'noise / signal': p?.noise_to_signal,
      'expected cosine to the true gradient': p?.expected_cosine_to_truth,
      '‖μ_ref‖²': intervalCell(p?.mean_sq_norm),
      'estimates / s': report.throughput?.estimates_per_s,
    };
  }),
  { keys: ['checkpoint', 'step'] },
)}`);

  out.push(`<h3>Other statistics</h3>
${table(
  rows.map(({ label, report, est, s }) => ({
    ...rowKey(label, report.step, est),
    'mean ‖g‖': s.mean_grad_norm,
    '‖ḡ‖': s.norm_of_mean_grad,
    'tr Σ': s.total_variance,
    'mean parameter variance': s.mean_param_variance,
    '‖g_ref‖': s.reference_grad_norm,
    wall_s: s.wall_s,
  })),
  { keys: ['checkpoint', 'step', 'estimator'] },
)}`);

  const boot = rows.filter((x) => x.s.ci95 && Object.keys(x.s.ci95).length);
  if (boot.length) {
    const ci = (v: [number, number] | undefined) => (v ? `[${v[0].toPrecision(3)}, ${v[1].toPrecision(3)}]` : undefined);
    out.push(`<h3>Bootstrap intervals (percentile; they under-cover)</h3>
${table(
  boot.map(({ label, report, est, s }) => ({
    ...rowKey(label, report.step, est),
    'relative variance': ci(s.ci95!.relative_variance),
    'relative bias': ci(s.ci95!.relative_bias),
    'cosine to reference': ci(s.ci95!.cosine_to_reference),
  })),
  { keys: ['checkpoint', 'step', 'estimator'] },
)}`);
  }
  return out.join('\n');
}
