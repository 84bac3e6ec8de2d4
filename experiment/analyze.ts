/**
 * `pgvar analyze`: one report over any set of run directories and variance measurements. Runs are
 * grouped by env, estimator and differing estimator options (seeds are averaged); a run's own `variance.jsonl` (train
 * --track-variance) and any `pgvar variance --out` files (single reports, `--sweep` results, JSONL)
 * give the findings (verdicts with intervals; of a run's own variance.jsonl only its last
 * measurement), the bias/variance-over-training, sample-size and decomposition sections. With 2 or
 * more seeds per (estimator, env), rliable's aggregate statistics of the final returns, the env
 * being the task (analysis/report-rliable.ts). Writes the HTML report and, beside it, the same
 * numbers as JSON (`findings`, `comparisons` with the verdicts, `rliable` with the aggregates).
 */
import * as fs from 'node:fs';
import { createEstimator, recordedOptions } from '../estimators/index.js';
import * as path from 'node:path';
import { UsageError } from '../common/errors.js';
import { writeFileAtomic } from '../common/atomic-fs.js';
import { summarizeRuns, writeReport, type MeasuredReport, type ReportRun } from '../analysis/report.js';
import { collectFindings } from '../analysis/report-findings.js';
import type { VarianceReport } from '../analysis/variance.js';
import type { PpoConfig } from '../ppo/config.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import { PGVAR_KEYS } from '../offpolicy/agents.js';
import { taskIds } from '../offpolicy/config.js';
import { isOffPolicyConfig, readRunConfig, type RunConfig } from './run-config.js';
import { RunDir } from './run-dir.js';

export interface AnalyzeOptions {
  runs: string[];
  variance: string[];
  out: string;
  title?: string;
  /** A headline paragraph shown above everything else (the demo states its finding there). */
  lead?: string;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: not readable JSON (${(e as Error).message})`);
  }
}

function isReport(x: unknown): x is MeasuredReport {
  return typeof x === 'object' && x !== null && 'estimators' in x && 'step' in x;
}

/** A variance file: one report, `{sweep: [reports]}`, or JSONL of reports. */
export function readVarianceFile(file: string): { reports: MeasuredReport[]; sweep: VarianceReport[] | null } {
  if (!fs.existsSync(file)) throw new UsageError(`variance file ${file} does not exist`);
  const text = fs.readFileSync(file, 'utf8').trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const lines = text.split('\n').filter((l) => l.trim());
    const reports = lines.map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch (e) {
        throw new UsageError(`${file}: line ${i + 1} is not JSON (${(e as Error).message}); expected a \`pgvar variance\` report or JSONL of them`);
      }
    });
    if (!reports.every(isReport)) throw new UsageError(`${file}: expected JSONL of \`pgvar variance\` reports`);
    return { reports, sweep: null };
  }
  if (isReport(parsed)) return { reports: [parsed], sweep: null };
  if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { sweep?: unknown }).sweep) && (parsed as { sweep: unknown[] }).sweep.every(isReport)) {
    return { reports: [], sweep: (parsed as { sweep: VarianceReport[] }).sweep };
  }
  throw new UsageError(`${file}: expected a \`pgvar variance\` report ({env, step, estimators, …}), a --sweep result ({sweep: […]}) or JSONL of reports`);
}

/**
 * The series each run belongs to: env (when several), estimator, preset, and the estimator options
 * that differ between runs of that estimator ("wmpg horizon=50" beside "wmpg"), so variants are not
 * averaged together. Seeds are what a group averages over (the run seed and the estimator's `seed`
 * option, which new runs derive from it).
 */
export function groupLabels(configs: Pick<PpoConfig, 'envId' | 'estimator' | 'estimatorOptions'>[], multiEnv = new Set(configs.map((c) => c.envId)).size > 1): string[] {
  // every value spelled out (runs recorded before config.json held resolved options have only the given ones)
  const resolvedOf = (c: (typeof configs)[number]): Record<string, unknown> => {
    const given = (c.estimatorOptions ?? {}) as Record<string, unknown>;
    try {
      const est = createEstimator(c.estimator, given);
      const all = recordedOptions(est, given);
      est.dispose?.();
      return all;
    } catch {
      return given; // an estimator this version no longer knows: compare what was recorded
    }
  };
  const resolved = new Map(configs.map((c) => [c, resolvedOf(c)]));
  const opts = (c: (typeof configs)[number]) => resolved.get(c)!;
  const varying = new Map<string, string[]>();
  for (const est of new Set(configs.map((c) => c.estimator))) {
    const same = configs.filter((c) => c.estimator === est);
    const keys = [...new Set(same.flatMap((c) => Object.keys(opts(c))))].filter((k) => k !== 'preset' && k !== 'seed' && new Set(same.map((c) => JSON.stringify(opts(c)[k] ?? null))).size > 1);
    varying.set(est, keys.sort());
  }
  return configs.map((c) => {
    const o = opts(c);
    const preset = typeof o['preset'] === 'string' ? `/${o['preset']}` : '';
    const diff = varying.get(c.estimator)!.filter((k) => k in o).map((k) => ` ${k}=${JSON.stringify(o[k])}`).join('');
    return `${multiEnv ? `${c.envId} ` : ''}${c.estimator}${preset}${diff}`;
  });
}

/**
 * Series of off-policy runs: env (when several), the agent, and the agent keys that differ between
 * runs of that agent ("sac criticHidden=[64,64]"); seeds, budgets and pgvar's logging keys never split a series.
 */
export function offPolicyLabels(configs: OffPolicyConfig[], multiEnv: boolean): string[] {
  const skip = new Set<string>(['envId', 'algo', 'seed', 'totalTimesteps', ...PGVAR_KEYS]);
  const varying = new Map<string, string[]>();
  for (const algo of new Set(configs.map((c) => c.algo))) {
    const same = configs.filter((c) => c.algo === algo) as unknown as Record<string, unknown>[];
    const keys = [...new Set(same.flatMap((c) => Object.keys(c)))].filter((k) => !skip.has(k) && new Set(same.map((c) => JSON.stringify(c[k] ?? null))).size > 1);
    varying.set(algo, keys.sort());
  }
  return configs.map((c) => {
    const o = c as unknown as Record<string, unknown>;
    const diff = varying.get(c.algo)!.map((k) => ` ${k}=${JSON.stringify(o[k] ?? null)}`).join('');
    return `${multiEnv ? `${c.envId} ` : ''}${c.algo}${diff}`;
  });
}

/**
 * Series labels of a mixed set of runs: PPO runs by estimator (groupLabels), off-policy runs by agent
 * (offPolicyLabels); when both kinds are present PPO labels read "ppo <estimator>".
 */
export function runLabels(configs: RunConfig[]): string[] {
  const multiEnv = new Set(configs.map((c) => c.envId)).size > 1;
  const ppo = configs.filter((c): c is PpoConfig => !isOffPolicyConfig(c));
  const off = configs.filter(isOffPolicyConfig);
  const ppoLabels = groupLabels(ppo, multiEnv);
  const offLabels = offPolicyLabels(off, multiEnv);
  const mixed = ppo.length > 0 && off.length > 0;
  return configs.map((c) => (isOffPolicyConfig(c) ? offLabels[off.indexOf(c)]! : `${mixed ? 'ppo ' : ''}${ppoLabels[ppo.indexOf(c)]!}`));
}

export async function analyze(o: AnalyzeOptions): Promise<{ report: string; json: string }> {
  if (o.runs.length === 0 && o.variance.length === 0) throw new UsageError('analyze: give at least one run directory or --variance file');
  const configs = o.runs.map((dir) => readRunConfig(dir));
  const labels = runLabels(configs);
  // the estimator / agent series without the env, for the aggregate statistics (the env is the task)
  const algorithms = runLabels(configs.map((c) => ({ ...c, envId: '' }) as RunConfig));
  const runs: ReportRun[] = [];
  const variance: { label: string; report: MeasuredReport; tracked?: boolean }[] = [];
  o.runs.forEach((dir, i) => {
    const c = configs[i]!;
    const rd = new RunDir(dir);
    const group = labels[i]!;
    const summary = fs.existsSync(rd.summaryFile) ? (readJson(rd.summaryFile) as Record<string, unknown>) : { status: 'unfinished' };
    const clock = rd.readMetrics().flatMap((m) => (typeof m['global_step'] === 'number' && typeof m['time_s'] === 'number' ? [{ step: m['global_step'], time_s: m['time_s'] }] : []));
    const episodes = rd.readEpisodes();
    const tasks = isOffPolicyConfig(c) ? taskIds(c.envId) : [c.envId];
    if (tasks.length === 1) runs.push({ label: `${group} seed ${c.seed}`, group, task: c.envId, algorithm: algorithms[i]!, seed: c.seed, episodes, summary, ...(clock.length ? { clock } : {}) });
    // a multi-task run is one series per task (its episodes name their task), each task its own in the aggregates
    else for (const task of tasks) runs.push({ label: `${group} [${task}] seed ${c.seed}`, group: `${group} [${task}]`, task, algorithm: algorithms[i]!, seed: c.seed, episodes: episodes.filter((ep) => ep.task === task), summary, ...(clock.length ? { clock } : {}) });
    if (isOffPolicyConfig(c)) return; // no policy-gradient variance measured in value-based runs
    // measured during training: an estimator other than the run's own is named after the run it was measured in
    const est = c.estimator;
    const rename = (rep: MeasuredReport): MeasuredReport => ({ ...rep, estimators: Object.fromEntries(Object.entries(rep.estimators).map(([k, v]) => [k === est ? k : `${k} (${est} run)`, v])) });
    if (fs.existsSync(rd.varianceFile)) for (const rep of readVarianceFile(rd.varianceFile).reports) variance.push({ label: `${group} seed ${c.seed}`, report: rename(rep), tracked: true });
  });
  const sweeps: { label: string; reports: VarianceReport[] }[] = [];
  for (const f of o.variance) {
    const { reports, sweep } = readVarianceFile(f);
    const label = path.basename(f).replace(/\.jsonl?$/, '');
    for (const rep of reports) variance.push({ label, report: rep });
    if (sweep) sweeps.push({ label, reports: sweep });
  }
  // deliberate measurements (--variance files) lead the findings; tracked ones follow, in run order
  variance.sort((a, b) => Number(!!a.tracked) - Number(!!b.tracked));
  const envs = [...new Set([...configs.map((c) => c.envId), ...variance.map((v) => v.report.env)])];
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  const { rliable } = await writeReport(o.out, {
    title: o.title ?? `pgvar analysis: ${envs.join(', ')}`,
    ...(o.lead ? { lead: o.lead } : {}),
    intro: `${runs.length} run(s) and ${variance.length + sweeps.length} variance measurement(s). Best return: the best mean over 20 consecutive episodes; final: the mean of the last 20 episodes.`,
    runs,
    variance,
    sweeps,
    commands: [`npx pgvar analyze ${o.runs.join(' ')}${o.variance.length ? ` --variance ${o.variance.join(' ')}` : ''} --out ${o.out}`],
  });
  const json = o.out.replace(/\.html?$/, '') + '.json';
  const { runs: runRows, groups } = summarizeRuns(runs);
  const varRows = variance.flatMap(({ label, report }) =>
    Object.entries(report.estimators).map(([est, s]) => ({ source: label, env: report.env, step: report.step, estimator: est, relative_bias: s.relative_bias, relative_bias_noise_floor: s.relative_bias_noise_floor ?? null, relative_variance_app_c4: s.relative_variance_app_c4, robust_relative_bias: s.robust_relative_bias, relative_variance: s.relative_variance, cosine_to_reference: s.cosine_to_reference, mean_pairwise_cosine: s.mean_pairwise_cosine, intervals: s.intervals ?? null })),
  );
  const comparisons = variance.flatMap(({ label, report }) => (report.comparisons ?? []).map((c) => ({ source: label, env: report.env, step: report.step, ...c })));
  const findings = collectFindings(variance);
  writeFileAtomic(json, JSON.stringify({ findings, runs: runRows, groups, rliable, variance: varRows, comparisons, decompositions: variance.filter((v) => v.report.decomposition).map((v) => ({ source: v.label, step: v.report.step, ...v.report.decomposition })) }, null, 2) + '\n');
  return { report: o.out, json };
}
