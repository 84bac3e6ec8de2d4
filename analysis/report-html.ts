/**
 * HTML pieces of the report (analysis/report.ts): escaping, number and interval formatting, and
 * tables that fit the page (long tables are split into several with the key columns repeated,
 * headers wrap, and the stylesheet lets cells wrap rather than overflow).
 */

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A cell already rendered as HTML (not escaped again). */
export interface Html {
  html: string;
}
export const html = (s: string): Html => ({ html: s });
const isHtml = (v: unknown): v is Html => typeof v === 'object' && v !== null && typeof (v as Html).html === 'string';

/** A number as a table shows it: integers whole, others to 4 significant digits; ∞ for infinities. */
export function fmtNumber(v: number, digits = 4): string {
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  if (Number.isNaN(v)) return '–';
  return Number.isInteger(v) ? String(v) : v.toPrecision(digits);
}

export const fmt = (v: unknown): string =>
  isHtml(v) ? v.html : typeof v === 'number' ? fmtNumber(v) : v === null || v === undefined ? '–' : esc(String(v));

/**
 * An interval as stored in a report: `Interval` of analysis/interval-stats.ts, or the same read back
 * from JSON, where ±Infinity (an unbounded ratio interval) and NaN have become null.
 */
export interface IntervalLike {
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  resolved: boolean;
}

/** "estimate [lo, hi]" with 3 significant digits; a null or infinite hi is ∞, a null or infinite lo −∞. */
export function fmtInterval(iv: Pick<IntervalLike, 'estimate' | 'lo' | 'hi'>): string {
  const est = iv.estimate === null ? '–' : fmtNumber(iv.estimate, 3);
  const lo = iv.lo === null ? '−∞' : fmtNumber(iv.lo, 3);
  const hi = iv.hi === null ? '∞' : fmtNumber(iv.hi, 3);
  return `${est} [${lo}, ${hi}]`;
}

export const RESOLVED_MARK = '✔';
export const UNRESOLVED_MARK = '○';

/** The resolved / not-resolved marker, with the meaning as its tooltip. */
export function markHtml(resolved: boolean): string {
  return resolved
    ? `<span class="mark ok" title="resolved">${RESOLVED_MARK}</span>`
    : `<span class="mark nr" title="not resolved at this sample size">${UNRESOLVED_MARK}</span>`;
}

/** A table cell with an interval: the estimate, then the bracketed interval (kept on one line), then the marker. */
export function intervalCell(iv: IntervalLike | null | undefined): Html | undefined {
  if (!iv) return undefined;
  const [est, rest] = fmtInterval(iv).split(' [');
  return html(`${esc(est!)} <span class="ci">[${esc(rest!)}</span> ${markHtml(iv.resolved)}`);
}

export const MARK_LEGEND = `<p class="legend">Intervals are 95 %: estimate [lo, hi]; ${markHtml(true)} resolved (bounded and excluding 0; for ratios: bounded), ${markHtml(false)} not resolved at this sample size; ∞: unbounded.</p>`;

/** Headers may break after underscores and slashes. */
const header = (c: string) => esc(c).replace(/([_/])/g, '$1<wbr>');

export interface TableOptions {
  /** Columns repeated in every part when the table is split (default: none). */
  keys?: string[];
  /** Most columns per part, keys included (default 9). */
  maxCols?: number;
}

/** Rows as an HTML table (columns: the union of the rows' keys, in order); split into parts of at most maxCols columns. */
export function table(rows: Record<string, unknown>[], o: TableOptions = {}): string {
  if (!rows.length) return '<p>(none)</p>';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const keys = (o.keys ?? []).filter((k) => cols.includes(k));
  const rest = cols.filter((c) => !keys.includes(c));
  const per = Math.max(1, (o.maxCols ?? 9) - keys.length);
  const parts: string[][] = [];
  for (let i = 0; i < rest.length; i += per) parts.push([...keys, ...rest.slice(i, i + per)]);
  if (!parts.length) parts.push(keys);
  return parts
    .map(
      (pc) =>
        `<table><thead><tr>${pc.map((c) => `<th>${header(c)}</th>`).join('')}</tr></thead><tbody>${rows
          .map((r) => `<tr>${pc.map((c) => `<td>${fmt(r[c])}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
    )
    .join('\n');
}

export const REPORT_CSS = `
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
p.lead{font-size:1.2em;line-height:1.5;background:#eef6ee;border-left:5px solid #2e7d32;padding:.7em 1em}
table{border-collapse:collapse;margin:1em 0;font-size:13px;max-width:100%}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;overflow-wrap:break-word}
th{background:#f3f3f3;font-weight:600;vertical-align:bottom}
td:first-child,th:first-child{text-align:left}
.text{display:block;text-align:left}
.ci{white-space:nowrap;color:#555}
.mark{font-weight:bold}.mark.ok{color:#1a7f37}.mark.nr{color:#999}
.legend{font-size:12px;color:#555}
.grid{display:flex;flex-wrap:wrap;gap:12px}
.grid svg{max-width:100%;height:auto}
pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
section.findings{border:1px solid #d0d7de;border-radius:6px;padding:0 1em 0.5em;margin:1em 0}
.measurement h3{margin-bottom:0.3em}
ul.findings{list-style:none;padding-left:0}
ul.findings li{margin:0.3em 0;padding:0.2em 0.5em;border-left:4px solid #ccc}
ul.findings li.resolved{border-left-color:#1a7f37;background:#f0f8f2}
ul.findings li.unresolved{color:#444}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:0 6px;border-radius:8px;margin-right:6px}
.badge.ok{background:#1a7f37;color:#fff}.badge.nr{background:#ddd;color:#333}
`;
