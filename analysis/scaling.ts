/**
 * Rybkin et al.'s procedure (spec baselines.md §10) on runs of a UTD × batch size × learning rate
 * grid: per run the data needed to reach a return threshold J (D_J: the env step at which the mean of
 * the last `window` episodes first reaches J), per (task, UTD, batch, lr) the median over seeds; per
 * (task, UTD) the best batch size and learning rate (least data to J); then the shared-slope fits
 * B*(σ) = B_σ·σ^(−α_B) and η*(σ) = η_σ·σ^(−α_η) across tasks and, per task with ≥ 4 UTDs, D_J(σ) =
 * D_min + (β/σ)^α (analysis/scaling-fit.ts), each beside the paper's released value. Pure data in,
 * numbers out: the run layer reads the runs and writes the report.
 */
import { fitDataEfficiency, fitSharedPowerLaw, type DataEfficiencyFit, type SharedPowerLaw } from './scaling-fit.js';

export interface ScalingRun {
  task: string;
  /** Updates per env step σ. */
  utd: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Episodes in order: the env step at which each ended and its return. */
  episodes: { step: number; return: number }[];
}

/** The paper's released shared-slope exponents (spec §10) and D_J fits at J = 800. */
export const PAPER_SCALING = {
  dmc: { alphaB: 0.488, alphaLr: 0.32, dataAt800: { dMin: 8.0e4, alpha: 1.09, beta: 0.57 } },
  gym: { alphaB: 0.31, alphaLr: 0.285, dataAt800: { dMin: 2.17e5, alpha: 0.7, beta: 2.29 } },
} as const;

/** The first env step at which the mean return of the last `window` episodes reaches `threshold` (null: never). */
export function dataToThreshold(episodes: readonly { step: number; return: number }[], threshold: number, window = 10): number | null {
  let sum = 0;
  for (let i = 0; i < episodes.length; i++) {
    sum += episodes[i]!.return;
    if (i >= window) sum -= episodes[i - window]!.return;
    if (i >= window - 1 && sum / window >= threshold) return episodes[i]!.step;
  }
  return null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface ScalingSetting {
  task: string;
  utd: number;
  batchSize: number;
  lr: number;
  seeds: number;
  /** Seeds that reached J. */
  reached: number;
  /** Median D_J over the seeds that reached J, when all did (else null: the setting did not reach J). */
  dataToJ: number | null;
}

export interface ScalingAnalysis {
  threshold: number;
  window: number;
  settings: ScalingSetting[];
  /** Per (task, UTD): the setting with the least data to J. */
  best: ScalingSetting[];
  /** Fits, or the reason one could not be made. */
  batchFit: SharedPowerLaw | string;
  lrFit: SharedPowerLaw | string;
  dataFits: Record<string, DataEfficiencyFit | string>;
}

export function scalingAnalysis(runs: readonly ScalingRun[], o: { threshold: number; window?: number; seed?: number }): ScalingAnalysis {
  const window = o.window ?? 10;
  const key = (r: Pick<ScalingRun, 'task' | 'utd' | 'batchSize' | 'lr'>) => JSON.stringify([r.task, r.utd, r.batchSize, r.lr]);
  const groups = new Map<string, ScalingRun[]>();
  for (const r of runs) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const settings: ScalingSetting[] = [...groups.values()].map((rs) => {
    const d = rs.map((r) => dataToThreshold(r.episodes, o.threshold, window));
    const hit = d.filter((x): x is number => x !== null);
    const { task, utd, batchSize, lr } = rs[0]!;
    return { task, utd, batchSize, lr, seeds: rs.length, reached: hit.length, dataToJ: hit.length === rs.length ? median(hit) : null };
  });
  settings.sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : a.utd - b.utd || a.batchSize - b.batchSize || a.lr - b.lr));
  const best: ScalingSetting[] = [];
  for (const task of [...new Set(settings.map((s) => s.task))]) {
    for (const utd of [...new Set(settings.filter((s) => s.task === task).map((s) => s.utd))]) {
      const ok = settings.filter((s) => s.task === task && s.utd === utd && s.dataToJ !== null);
      if (ok.length) best.push(ok.reduce((a, b) => (b.dataToJ! < a.dataToJ! ? b : a)));
    }
  }
  const tryFit = <T>(f: () => T): T | string => {
    try {
      return f();
    } catch (e) {
      return (e as Error).message;
    }
  };
  const batchFit = tryFit(() => fitSharedPowerLaw(best.map((s) => ({ task: s.task, x: s.utd, y: s.batchSize }))));
  const lrFit = tryFit(() => fitSharedPowerLaw(best.map((s) => ({ task: s.task, x: s.utd, y: s.lr }))));
  const dataFits: Record<string, DataEfficiencyFit | string> = {};
  for (const task of [...new Set(best.map((s) => s.task))]) {
    const b = best.filter((s) => s.task === task);
    dataFits[task] = tryFit(() => fitDataEfficiency(b.map((s) => s.utd), b.map((s) => s.dataToJ!), { seed: o.seed ?? 0 }));
  }
  return { threshold: o.threshold, window, settings, best, batchFit, lrFit, dataFits };
}
