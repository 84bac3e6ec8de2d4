/**
 * The findings the report leads with: per variance measurement (and, of a run's variance tracked
 * during training, its last measurement), the paired comparisons' verdicts (variance ratio and
 * squared-bias difference against the baseline, with their 95 % intervals), then per estimator
 * whether its noise-corrected squared bias is resolved, and the reference pool's precision.
 * Resolved findings come first. Measurements written before intervals existed (or with fewer than 4
 * estimates) say so and show their point estimates instead.
 */
import { esc, fmtInterval, markHtml, table, type IntervalLike } from './report-html.js';
import type { VarianceReport } from './variance.js';

export interface VarianceEntry {
  label: string;
  report: VarianceReport;
  /** Measured during training (a run's variance.jsonl): only its last measurement is a finding. */
  tracked?: boolean;
}

export interface Finding {
  kind: 'variance' | 'bias' | 'estimator_bias';
  estimator: string;
  baseline?: string;
  resolved: boolean;
  /** The verdict sentence (comparisons) or the squared-bias note (estimators). */
  text: string;
  /** What the interval is of, and the interval (±∞ read back from JSON as null). */
  interval_of: string;
  interval: IntervalLike;
}

export interface MeasurementFindings {
  source: string;
  env: string;
  step: number;
  tracked: boolean;
  batches: number;
  batch_size: number;
  has_intervals: boolean;
  /** Resolved findings first, in the report's order otherwise. */
  findings: Finding[];
  reference: { estimator: string; batches: number; note: string } | null;
}

/** The measurements with findings: every measurement, except that tracked ones count only with their last (latest step) per source. */
export function findingMeasurements(variance: VarianceEntry[]): VarianceEntry[] {
  const lastTracked = new Map<string, VarianceEntry>();
  for (const v of variance) if (v.tracked && (lastTracked.get(v.label)?.report.step ?? -Infinity) <= v.report.step) lastTracked.set(v.label, v);
  return variance.filter((v) => !v.tracked || lastTracked.get(v.label) === v);
}

export function measurementFindings(v: VarianceEntry): MeasurementFindings {
  const r = v.report;
  const found: Finding[] = [];
  for (const c of r.comparisons ?? []) {
    found.push({ kind: 'variance', estimator: c.estimator, baseline: c.baseline, resolved: c.log_variance_ratio.resolved, text: c.variance_verdict, interval_of: `variance ratio tr Σ(${c.estimator}) / tr Σ(${c.baseline})`, interval: c.variance_ratio });
    found.push({ kind: 'bias', estimator: c.estimator, baseline: c.baseline, resolved: c.sq_bias_difference.resolved, text: c.bias_verdict, interval_of: `squared-bias difference ‖bias(${c.estimator})‖² − ‖bias(${c.baseline})‖²`, interval: c.sq_bias_difference });
  }
  for (const [name, e] of Object.entries(r.estimators)) {
    const b = e.intervals?.sq_bias;
    if (b) found.push({ kind: 'estimator_bias', estimator: name, resolved: b.resolved, text: `${name}: ${b.note}`, interval_of: `noise-corrected squared bias ‖E g − E g_ref‖² of ${name}`, interval: b });
  }
  const hasIntervals = Object.values(r.estimators).some((e) => e.intervals) || (r.comparisons?.length ?? 0) > 0;
  const ref = r.reference;
  return {
    source: v.label,
    env: r.env,
    step: r.step,
    tracked: v.tracked ?? false,
    batches: r.batches,
    batch_size: r.batch_size,
    has_intervals: hasIntervals,
    findings: [...found.filter((f) => f.resolved), ...found.filter((f) => !f.resolved)],
    reference: ref
      ? { estimator: ref.estimator, batches: ref.batches, note: ref.precision?.note ?? 'no precision estimate (fewer than 4 reference estimates)' }
      : null,
  };
}

export function collectFindings(variance: VarianceEntry[]): MeasurementFindings[] {
  return findingMeasurements(variance).map(measurementFindings);
}

function findingHtml(f: Finding): string {
  const badge = f.resolved ? '<span class="badge ok">resolved</span>' : '<span class="badge nr">not resolved</span>';
  return `<li class="${f.resolved ? 'resolved' : 'unresolved'}">${badge}${esc(f.text)}<br><small>${markHtml(f.resolved)} ${esc(f.interval_of)}: ${esc(fmtInterval(f.interval))}</small></li>`;
}

/** Point estimates of a measurement without intervals (the tables of reports before issue 17). */
function pointTable(r: VarianceReport): string {
  const ci = (v: [number, number] | undefined) => (v ? `[${v[0].toPrecision(3)}, ${v[1].toPrecision(3)}]` : undefined);
  return table(
    Object.entries(r.estimators).map(([est, s]) => ({
      estimator: est,
      'relative variance (App. C.4)': s.relative_variance_app_c4,
      'relative bias (App. C.4)': s.relative_bias,
      'robust relative variance': s.relative_variance,
      'robust relative bias': s.robust_relative_bias,
      'cosine to reference': s.cosine_to_reference,
      ...(s.ci95?.relative_variance ? { 'relative variance ci95 (bootstrap)': ci(s.ci95.relative_variance), 'relative bias ci95 (bootstrap)': ci(s.ci95.relative_bias) } : {}),
    })),
    { keys: ['estimator'] },
  );
}

function measurementHtml(m: MeasurementFindings, report: VarianceReport): string {
  const head = `<h3>${esc(m.source)}${m.tracked ? ' (last measurement during training)' : ''}</h3><p class="legend">${esc(m.env)}, policy at step ${m.step}; ${m.batches} estimates of ${m.batch_size} steps per estimator.</p>`;
  if (!m.has_intervals)
    return `<div class="measurement no-intervals">${head}<p><strong>No intervals in this measurement</strong> (written before interval statistics existed, or fewer than 4 estimates): only point estimates, which cannot tell a difference from noise.</p>${pointTable(report)}</div>`;
  const resolved = m.findings.filter((f) => f.resolved).length;
  const list = m.findings.length ? `<ul class="findings">${m.findings.map(findingHtml).join('')}</ul>` : '<p>(one estimator, no comparisons)</p>';
  const ref = m.reference ? `<p><strong>Reference</strong> (${esc(m.reference.estimator)}, ${m.reference.batches} estimates): ${esc(m.reference.note)}.</p>` : '';
  return `<div class="measurement">${head}<p>${resolved} of ${m.findings.length} findings resolved at this sample size.</p>${list}${ref}</div>`;
}

/** The "Findings" section (empty string when there are no variance measurements). */
export function findingsSection(variance: VarianceEntry[]): string {
  const entries = findingMeasurements(variance);
  if (!entries.length) return '';
  const ms = entries.map(measurementFindings);
  const total = ms.reduce((s, m) => s + m.findings.filter((f) => f.resolved).length, 0);
  const bare = ms.filter((m) => !m.has_intervals).length;
  return `<section class="findings" id="findings"><h2>Findings</h2>
<p>${total} resolved finding(s) over ${ms.length} measurement(s)${bare ? ` (${bare} without intervals)` : ''}. Comparisons are paired (the same batches) against the baseline; squared biases are noise-corrected against the reference pool. ${markHtml(true)} resolved: the 95 % interval excludes no effect (a variance ratio of 1, a difference or squared bias of 0); ${markHtml(false)} not resolved at this sample size: it does not.</p>
${ms.map((m, i) => measurementHtml(m, entries[i]!.report)).join('\n')}</section>`;
}
