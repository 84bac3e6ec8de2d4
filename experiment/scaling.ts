/**
 * `pgvar scaling`: the run layer of Rybkin et al.'s procedure (analysis/scaling.ts). Finds the
 * off-policy run directories under the given roots (a `pgvar sweep` over updatesPerStep × batchSize ×
 * qLr, for example), reads each run's env, UTD, batch size, critic learning rate, seed and episodes,
 * and writes the analysis as JSON and an HTML report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../common/atomic-fs.js';
import { UsageError } from '../common/errors.js';
import { scalingAnalysis, type ScalingAnalysis, type ScalingRun } from '../analysis/scaling.js';
import { writeScalingReport } from '../analysis/report-scaling.js';
import { isOffPolicyConfig, readRunConfig } from './run-config.js';
import { findRunDirs, RunDir } from './run-dir.js';

export interface ScalingOptions {
  roots: string[];
  threshold: number;
  window?: number;
  out: string;
  benchmark?: 'dmc' | 'gym';
}

export async function scalingReport(o: ScalingOptions): Promise<{ report: string; json: string; analysis: ScalingAnalysis }> {
  const dirs = o.roots.flatMap(findRunDirs);
  const runs: ScalingRun[] = [];
  for (const dir of dirs) {
    const c = readRunConfig(dir);
    if (!isOffPolicyConfig(c)) continue; // PPO runs have no UTD ratio
    runs.push({ task: c.envId, utd: c.updatesPerStep, batchSize: c.batchSize, lr: c.qLr, seed: c.seed, episodes: new RunDir(dir).readEpisodes() });
  }
  if (!runs.length) throw new UsageError(`scaling: no off-policy runs under ${o.roots.join(', ')} (run a grid first, e.g. pgvar sweep --algos sac --grid updatesPerStep=1,2,4,8 --grid batchSize=128,256,512 --grid qLr=0.0003,0.001)`);
  const analysis = scalingAnalysis(runs, { threshold: o.threshold, ...(o.window ? { window: o.window } : {}) });
  const benchmark = o.benchmark ?? (runs.every((r) => r.task.startsWith('dmc/')) ? 'dmc' : 'gym');
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  await writeScalingReport(o.out, analysis, { title: `pgvar scaling: ${[...new Set(runs.map((r) => r.task))].join(', ')}`, benchmark, commands: [`npx pgvar scaling ${o.roots.join(' ')} --threshold ${o.threshold}${o.window ? ` --window ${o.window}` : ''} --out ${o.out}`] });
  const json = o.out.replace(/\.html?$/, '') + '.json';
  writeFileAtomic(json, JSON.stringify({ runs: runs.length, benchmark, ...analysis }, null, 2) + '\n');
  return { report: o.out, json, analysis };
}
