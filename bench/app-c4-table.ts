/**
 * The App. C.4 re-run's table (issue 17): reads `pgvar variance --protocol app-c4` reports named
 * `<task>_s<seed>_<checkpoint>.json` from a folder and prints JSON (and, with --markdown, a table):
 *   node dist/bench/app-c4-table.js --dir DIR [--markdown]
 * Per task and estimator: the App. C.4 metrics averaged over checkpoints and seeds as the paper
 * reports them (relative bias beside its noise floor, per-parameter relative variance), the unbiased
 * relative variance tr Σ/‖μ‖², and how many noise-corrected squared biases were resolved > 0.
 * Per estimator pair (paired, same batches): per checkpoint the variance ratio and the squared-bias
 * difference with their verdicts; across seeds (the independent unit: checkpoints of one run are not
 * independent) the mean over each seed's checkpoints of log tr Σ_A/tr Σ_B and of the squared-bias
 * difference, with a t interval over seeds (jStat).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jStat } from '../common/jstat.js';
import type { VarianceReport } from '../analysis/variance.js';
import { mean } from '../analysis/sample-stats.js';

interface Unit {
  task: string;
  seed: number;
  checkpoint: string;
  report: VarianceReport;
}

function readUnits(dir: string): Unit[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^[a-z]+_s\d+_(final|\d+)\.json$/.test(f))
    .map((f) => {
      const [, task, seed, checkpoint] = /^([a-z]+)_s(\d+)_(final|\d+)\.json$/.exec(f)!;
      let report: VarianceReport;
      try {
        report = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as VarianceReport;
      } catch (e) {
        throw new Error(`${f}: ${(e as Error).message}`);
      }
      return { task: task!, seed: Number(seed), checkpoint: checkpoint!, report };
    });
}

/** Mean and 95 % t interval over seeds (null interval with one seed). */
function overSeeds(values: number[]): { mean: number; lo: number | null; hi: number | null; n: number } {
  const m = mean(values);
  if (values.length < 2) return { mean: m, lo: null, hi: null, n: values.length };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
  const h = jStat.studentt.inv(0.975, values.length - 1) * (sd / Math.sqrt(values.length));
  return { mean: m, lo: m - h, hi: m + h, n: values.length };
}

const r3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : +x.toPrecision(3));

/** An over-seeds interval on logs, back on the ratio scale. */
const expInterval = (o: ReturnType<typeof overSeeds>) => ({ ratio: r3(Math.exp(o.mean)), lo: r3(o.lo === null ? null : Math.exp(o.lo)), hi: r3(o.hi === null ? null : Math.exp(o.hi)), seeds: o.n });

export function appC4Table(units: Unit[]) {
  const tasks = [...new Set(units.map((u) => u.task))].sort();
  return tasks.map((task) => {
    const us = units.filter((u) => u.task === task);
    const seeds = [...new Set(us.map((u) => u.seed))].sort();
    const estimators = Object.keys(us[0]!.report.estimators);
    // in training order: the step checkpoints ascending, then the final one
    const checkpoints = [...new Set(us.map((u) => u.checkpoint))].sort((a, b) => (a === 'final' ? Infinity : Number(a)) - (b === 'final' ? Infinity : Number(b)));
    const perEstimator = Object.fromEntries(
      estimators.map((e) => {
        const s = us.map((u) => u.report.estimators[e]!);
        const rv = s.map((x) => x.intervals?.relative_variance.estimate).filter((x): x is number => typeof x === 'number');
        return [
          e,
          {
            app_c4_relative_bias: r3(mean(s.map((x) => x.relative_bias))),
            app_c4_relative_bias_noise_floor: r3(mean(s.map((x) => x.relative_bias_noise_floor ?? NaN))),
            app_c4_relative_variance: r3(mean(s.map((x) => x.relative_variance_app_c4))),
            relative_variance_median: r3(rv.length ? rv.sort((a, b) => a - b)[Math.floor(rv.length / 2)]! : null),
            relative_variance_defined: `${rv.length}/${s.length}`,
            sq_bias_resolved: `${s.filter((x) => x.intervals?.sq_bias.resolved).length}/${s.length}`,
            /** Seconds per checkpoint spent in this estimator (its batch preparation and gradients, K estimates). */
            estimator_wall_s_mean: r3(mean(s.map((x) => x.wall_s))),
          },
        ];
      }),
    );
    const pairKeys = [...new Set(us.flatMap((u) => (u.report.comparisons ?? []).map((c) => `${c.estimator}|${c.baseline}`)))];
    const pairs = pairKeys.map((key) => {
      const [a, b] = key.split('|') as [string, string];
      const find = (u: Unit) => (u.report.comparisons ?? []).find((c) => c.estimator === a && c.baseline === b);
      // reports written before every pair was compared carry only the pairs with the baseline
      const rows = us.flatMap((u) => {
        const c = find(u);
        return c ? [{ seed: u.seed, checkpoint: u.checkpoint, c }] : [];
      });
      const isLessVar = (r: (typeof rows)[number]) => r.c.variance_ratio.resolved && r.c.variance_ratio.hi !== null && r.c.variance_ratio.hi < 1;
      const isMoreVar = (r: (typeof rows)[number]) => r.c.variance_ratio.resolved && r.c.variance_ratio.lo > 1;
      const isLessBias = (r: (typeof rows)[number]) => r.c.sq_bias_difference.hi < 0;
      const isMoreBias = (r: (typeof rows)[number]) => r.c.sq_bias_difference.lo > 0;
      const lessVar = rows.filter(isLessVar).length;
      const moreVar = rows.filter(isMoreVar).length;
      const lessBias = rows.filter(isLessBias).length;
      const moreBias = rows.filter(isMoreBias).length;
      /** per checkpoint, the paired verdicts as [A less, A more, not resolved] over the seeds measured there */
      const verdictsByCheckpoint = Object.fromEntries(
        checkpoints.map((cp) => {
          const at = rows.filter((r) => r.checkpoint === cp);
          const count = (less: typeof isLessVar, more: typeof isLessVar) => [at.filter(less).length, at.filter(more).length, at.filter((r) => !less(r) && !more(r)).length];
          return [cp, { variance: count(isLessVar, isMoreVar), sq_bias: count(isLessBias, isMoreBias) }];
        }),
      );
      const bySeed = (f: (c: (typeof rows)[number]['c']) => number | null) =>
        seeds.map((sd) => rows.filter((r) => r.seed === sd).map((r) => f(r.c))).filter((v) => v.length && v.every((x) => x !== null && Number.isFinite(x))).map((v) => mean(v as number[]));
      const logRatio = overSeeds(bySeed((c) => (c.variance_ratio.estimate === null || c.variance_ratio.estimate <= 0 ? null : Math.log(c.variance_ratio.estimate))));
      const biasDiff = overSeeds(bySeed((c) => c.sq_bias_difference.estimate));
      // App. D's question: the ratio of the two estimators' relative variances tr Σ/‖μ‖² (each the
      // report's bias-corrected estimate; a checkpoint where either is undefined is left out)
      const relVar = (u: Unit, e: string) => u.report.estimators[e]?.intervals?.relative_variance.estimate;
      const logRelRatio = (u: Unit) => {
        const ra = relVar(u, a);
        const rb = relVar(u, b);
        return typeof ra === 'number' && typeof rb === 'number' && ra > 0 && rb > 0 ? Math.log(ra / rb) : null;
      };
      const relRows = us.map((u) => ({ seed: u.seed, checkpoint: u.checkpoint, v: logRelRatio(u) })).filter((r): r is { seed: number; checkpoint: string; v: number } => r.v !== null);
      const relOverSeeds = overSeeds(seeds.map((sd) => relRows.filter((r) => r.seed === sd).map((r) => r.v)).filter((v) => v.length).map(mean));
      const relByCheckpoint = Object.fromEntries(
        checkpoints.map((cp) => {
          const v = relRows.filter((r) => r.checkpoint === cp).map((r) => r.v);
          return [cp, v.length ? r3(Math.exp(mean(v))) : null];
        }),
      );
      return {
        pair: `${a} vs ${b}`,
        checkpoints: rows.length,
        variance: { [`${a} less`]: lessVar, [`${a} more`]: moreVar, unresolved: rows.length - lessVar - moreVar },
        variance_ratio_over_seeds: expInterval(logRatio),
        sq_bias: { [`${a} less`]: lessBias, [`${a} more`]: moreBias, unresolved: rows.length - lessBias - moreBias },
        sq_bias_difference_over_seeds: { difference: r3(biasDiff.mean), lo: r3(biasDiff.lo), hi: r3(biasDiff.hi), seeds: biasDiff.n },
        /** (tr Σ_A/‖μ_A‖²)/(tr Σ_B/‖μ_B‖²): geometric mean over each seed's checkpoints, t interval over seeds on the log. */
        relative_variance_ratio_over_seeds: { ...expInterval(relOverSeeds), checkpoints: relRows.length },
        /** the same ratio per checkpoint, geometric mean over the seeds measured there */
        relative_variance_ratio_by_checkpoint: relByCheckpoint,
        verdicts_by_checkpoint: verdictsByCheckpoint,
      };
    });
    const first = us[0]!.report;
    return {
      task: first.env,
      seeds,
      checkpoints,
      measurements: us.length,
      protocol: { K: first.batches, n: first.batch_size, reference: first.reference?.estimator, K_ref: first.reference?.batches },
      reference_expected_cosine_median: r3(us.map((u) => u.report.reference?.precision?.expected_cosine_to_truth ?? 0).sort((a, b) => a - b)[Math.floor(us.length / 2)]),
      wall_s_mean: r3(mean(us.map((u) => u.report.throughput?.wall_s ?? NaN))),
      estimators: perEstimator,
      pairs,
    };
  });
}

function markdown(table: ReturnType<typeof appC4Table>): string {
  const lines: string[] = [];
  for (const t of table) {
    lines.push(`#### ${t.task}: ${t.measurements} measurements (seeds ${t.seeds.join(', ')}; checkpoints ${t.checkpoints.join(', ')}); K = ${t.protocol.K}, n = ${t.protocol.n}, reference ${t.protocol.K_ref} × ${t.protocol.reference}`, '');
    lines.push(`Wall time per checkpoint (all estimators, both pools, warm-ups, fitting): ${t.wall_s_mean} s on average.`, '');
    lines.push('| estimator | App. C.4 rel. bias (noise floor) | App. C.4 rel. variance | tr Σ/‖μ‖² (median) | sq. bias resolved > 0 | s per checkpoint |', '|---|---|---|---|---|---|');
    for (const [e, s] of Object.entries(t.estimators)) lines.push(`| ${e} | ${s.app_c4_relative_bias} (${s.app_c4_relative_bias_noise_floor}) | ${s.app_c4_relative_variance} | ${s.relative_variance_median} (${s.relative_variance_defined} defined) | ${s.sq_bias_resolved} | ${s.estimator_wall_s_mean} |`);
    lines.push('', '| pair A vs B | tr Σ_A/tr Σ_B over seeds [95 %] | checkpoints: A less / more / n.r. variance | ‖bias_A‖² − ‖bias_B‖² over seeds [95 %] | checkpoints: A less / more / n.r. bias |', '|---|---|---|---|---|');
    for (const p of t.pairs) {
      const v = Object.values(p.variance);
      const b = Object.values(p.sq_bias);
      lines.push(`| ${p.pair} | ${p.variance_ratio_over_seeds.ratio} [${p.variance_ratio_over_seeds.lo}, ${p.variance_ratio_over_seeds.hi}] | ${v.join(' / ')} | ${p.sq_bias_difference_over_seeds.difference} [${p.sq_bias_difference_over_seeds.lo}, ${p.sq_bias_difference_over_seeds.hi}] | ${b.join(' / ')} |`);
    }
    lines.push('', `| pair A vs B: squared bias, A less / more / n.r. | ${t.checkpoints.join(' | ')} |`, `|---|${t.checkpoints.map(() => '---|').join('')}`);
    for (const p of t.pairs) lines.push(`| ${p.pair} | ${t.checkpoints.map((c) => p.verdicts_by_checkpoint[c]!.sq_bias.join(' / ')).join(' | ')} |`);
    lines.push('', `| pair A vs B | (tr Σ/‖μ‖²)_A / (tr Σ/‖μ‖²)_B over seeds [95 %] | per checkpoint (${t.checkpoints.join(', ')}) |`, '|---|---|---|');
    for (const p of t.pairs) {
      const r = p.relative_variance_ratio_over_seeds;
      lines.push(`| ${p.pair} | ${r.ratio} [${r.lo}, ${r.hi}] | ${t.checkpoints.map((c) => p.relative_variance_ratio_by_checkpoint[c] ?? '—').join(', ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--dir');
  if (i < 0 || !process.argv[i + 1]) {
    process.stderr.write('usage: node dist/bench/app-c4-table.js --dir DIR [--markdown]\n');
    process.exit(2);
  }
  const dir = process.argv[i + 1]!;
  let units: Unit[];
  try {
    units = readUnits(dir);
  } catch (e) {
    process.stderr.write(`app-c4-table: cannot read the reports in --dir ${dir}: ${(e as Error).message.split('\n')[0]}\n`);
    process.exit(2);
  }
  if (!units.length) {
    process.stderr.write(`app-c4-table: no reports named <task>_s<seed>_<checkpoint>.json in --dir ${dir}\n`);
    process.exit(2);
  }
  const table = appC4Table(units);
  process.stdout.write(process.argv.includes('--markdown') ? markdown(table) + '\n' : JSON.stringify(table, null, 2) + '\n');
}
