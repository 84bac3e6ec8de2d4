/**
 * Learning-curve comparison of groups of runs (seeds) at matched steps, printed as JSON:
 *   node dist/bench/compare-runs.js --group single=RUN,RUN,… --group daa=RUN,… [--baseline single]
 *        [--at 50k,100k,200k] [--window 20] [--threshold -400]
 * Per group and step: the mean return of the last `window` episodes finished by that step, per seed,
 * then mean ± sd over seeds; best (best mean of `window` consecutive episodes) and final (last
 * `window`); wall time and steps/s per run (summary.json; a run still in progress is read from its
 * config.json and last metrics row and marked incomplete: it counts at the steps it has reached, not
 * in best and final). Against the baseline group, the difference
 * of means with a 95 % Welch t interval (jStat quantiles) and whether it excludes 0 ("resolved").
 * With --threshold R: per run, the first env step at which the mean of the last `window` episodes
 * (a full window) reaches R, and the wall time there (metrics.jsonl's time_s at the first row at or
 * past that step); per group, how many seeds reached it and the mean over those.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { welchInterval } from '../analysis/sample-stats.js';

interface Episode {
  step: number;
  ret: number;
}

function readEpisodes(dir: string): Episode[] {
  const file = path.join(dir, 'episodes.csv');
  if (!fs.existsSync(file)) throw new Error(`compare-runs: ${dir} has no episodes.csv (not a run directory?)`);
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [step, ret] = l.split(',');
      return { step: Number(step), ret: Number(ret) };
    });
}

interface RunSummary {
  seed: number;
  env: string;
  estimator: string;
  steps: number;
  wall_s: number;
  sps: number;
  /** false for a run still in progress (or stopped): its numbers are those at `steps`. */
  complete: boolean;
}

/** summary.json of a finished run; for one in progress, config.json and its last metrics row. */
function runSummary(dir: string): RunSummary {
  const file = path.join(dir, 'summary.json');
  if (fs.existsSync(file)) return { ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Omit<RunSummary, 'complete'>), complete: true };
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { seed: number; envId: string; estimator: string };
  const lines = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]!) as { global_step: number; time_s: number };
  return { seed: config.seed, env: config.envId, estimator: config.estimator, steps: last.global_step, wall_s: +last.time_s.toFixed(1), sps: Math.round(last.global_step / last.time_s), complete: false };
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const sd = (a: number[]) => (a.length > 1 ? Math.sqrt(a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1)) : NaN);
const round = (x: number, d = 1) => (Number.isFinite(x) ? +x.toFixed(d) : null);

function windowMeanAt(eps: Episode[], step: number, w: number): number {
  const done = eps.filter((e) => e.step <= step);
  return done.length ? mean(done.slice(-w).map((e) => e.ret)) : NaN;
}

/** First step at which a full window's mean reaches `threshold`, and the run's wall time there. */
function timeToThreshold(dir: string, eps: Episode[], w: number, threshold: number): { step: number; wall_s: number } | null {
  for (let i = w; i <= eps.length; i++) {
    if (mean(eps.slice(i - w, i).map((e) => e.ret)) < threshold) continue;
    const step = eps[i - 1]!.step;
    const rows = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { global_step: number; time_s: number });
    const row = rows.find((r) => r.global_step >= step) ?? rows[rows.length - 1]!;
    return { step, wall_s: +row.time_s.toFixed(1) };
  }
  return null;
}

function bestWindow(eps: Episode[], w: number): number {
  let best = -Infinity;
  for (let i = w; i <= eps.length; i++) best = Math.max(best, mean(eps.slice(i - w, i).map((e) => e.ret)));
  return eps.length >= w ? best : NaN;
}

function parseSteps(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new Error(`compare-runs: bad step '${s}', expected e.g. 50000, 50k or 1M`);
  return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? 1e3 : m[2]!.toLowerCase() === 'm' ? 1e6 : 1));
}

const USAGE = 'usage: node dist/bench/compare-runs.js --group NAME=DIR,DIR,… [--group …] [--baseline NAME] [--at 50k,100k] [--window 20] [--threshold R]';
// bad input: one line naming it, exit 2 (no stack trace)
process.on('uncaughtException', (e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
const groups: [string, string[]][] = [];
let baseline: string | undefined;
let at: number[] = [];
let window = 20;
let threshold: number | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const v = args[i + 1];
  if (a === '--group' && v) {
    const [name, dirs] = v.split('=');
    if (!name || !dirs) throw new Error(`compare-runs: --group expects NAME=DIR,DIR,…, got '${v}'`);
    groups.push([name, dirs.split(',')]);
    i++;
  } else if (a === '--baseline' && v) (baseline = v), i++;
  else if (a === '--at' && v) (at = v.split(',').map(parseSteps)), i++;
  else if (a === '--window' && v) (window = Number(v)), i++;
  else if (a === '--threshold' && v) {
    threshold = Number(v);
    if (!Number.isFinite(threshold)) throw new Error(`compare-runs: --threshold expects a return, got '${v}'`);
    i++;
  } else throw new Error(`compare-runs: unknown argument '${a}'; expected --group NAME=DIRS, --baseline NAME, --at STEPS, --window N, --threshold R`);
}
if (groups.length === 0) throw new Error('compare-runs: give at least one --group NAME=DIR,DIR,…');

const perGroup = groups.map(([name, dirs]) => {
  const runs = dirs.map((dir) => {
    const eps = readEpisodes(dir);
    const summary = runSummary(dir);
    // a step a run in progress has not reached has no value; a finished run counts as having reached its budget
    return { dir, ...summary, at: at.map((s) => (s <= summary.steps || summary.complete ? windowMeanAt(eps, s, window) : NaN)), best: summary.complete ? bestWindow(eps, window) : NaN, final: summary.complete ? windowMeanAt(eps, Infinity, window) : NaN, reach: threshold === undefined ? null : timeToThreshold(dir, eps, window, threshold) };
  });
  return { name, runs };
});

const base = baseline ? perGroup.find((g) => g.name === baseline) : undefined;
if (baseline && !base) throw new Error(`compare-runs: baseline '${baseline}' is not one of the groups ${groups.map(([n]) => n).join(', ')}`);
/** Over the seeds that have a value (a run in progress may not have reached the step). */
const summarise = (all: number[]) => {
  const xs = all.filter(Number.isFinite);
  return { n: xs.length, mean: xs.length ? round(mean(xs)) : null, sd: round(sd(xs)), per_seed: all.map((x) => round(x)) };
};
const vs = (pick: (r: (typeof perGroup)[number]['runs'][number]) => number, g: (typeof perGroup)[number]) => {
  if (!base || g === base) return undefined;
  const w = welchInterval(g.runs.map(pick).filter(Number.isFinite), base.runs.map(pick).filter(Number.isFinite));
  return w ? { diff: round(w.diff), ci95: [round(w.lo), round(w.hi)], df: round(w.df), resolved: w.resolved } : null;
};

const out = {
  window,
  baseline: baseline ?? null,
  groups: perGroup.map((g) => ({
    name: g.name,
    env: g.runs[0]!.env,
    estimator: g.runs[0]!.estimator,
    seeds: g.runs.map((r) => r.seed),
    steps: g.runs.map((r) => r.steps),
    complete: g.runs.map((r) => r.complete),
    wall_s: g.runs.map((r) => r.wall_s),
    sps: g.runs.map((r) => r.sps),
    at: at.map((s, k) => ({ step: s, ...summarise(g.runs.map((r) => r.at[k]!)), vs_baseline: vs((r) => r.at[k]!, g) })),
    best: { ...summarise(g.runs.map((r) => r.best)), vs_baseline: vs((r) => r.best, g) },
    final: { ...summarise(g.runs.map((r) => r.final)), vs_baseline: vs((r) => r.final, g) },
    ...(threshold === undefined
      ? {}
      : {
          to_threshold: {
            threshold,
            reached: g.runs.filter((r) => r.reach).length,
            step: summarise(g.runs.map((r) => r.reach?.step ?? NaN)),
            wall_s: summarise(g.runs.map((r) => r.reach?.wall_s ?? NaN)),
          },
        }),
  })),
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
