/**
 * The engine's two kernel builds side by side (nets/engine/arena.ts): `simd` (multiply, then add)
 * and `fma` (relaxed SIMD's fused multiply-add in the matrix products). For each pair, pgvar's own
 * benchmarks run once with PGVAR_ENGINE_KERNELS=simd and once with =fma, alternately, so machine load
 * hits both alike; per mode the ms of both, the ratio simd/fma within each pair and its median.
 * Modes: `sac` (the CleanRL-shaped SAC update, `run-all --only sac`), `model` (the dynamics-model
 * update, `--only model`), `update` (the PPO minibatch update, `--only update`), and `gemm` (one
 * 256 × 256 × 256 product forward and both gradients, GFLOP/s, best of 40 rounds).
 *
 *   node dist/bench/kernel-variants.js [--pairs 3] [--modes sac,model,update,gemm] [--out FILE]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Arena, engineKernels } from '../nets/engine/arena.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const VARIANTS = ['simd', 'fma'] as const;

/** GFLOP/s of a 256³ product's forward, weight gradient and input gradient in this process's kernels (best of 40 × 5 calls). */
export function gemmThroughput(): { kernels: string; forward: number; weight_grad: number; input_grad: number } {
  const a = new Arena();
  const [n, k, m] = [256, 256, 256];
  const x = a.alloc(n * k), W = a.alloc(k * m), b = a.alloc(m), y = a.alloc(n * m), dy = a.alloc(n * m);
  const dW = a.alloc(k * m), db = a.alloc(m), dx = a.alloc(n * k), scratch = a.alloc(k * m);
  a.f32(x, n * k).forEach((_, i, v) => (v[i] = Math.sin(i)));
  a.f32(W, k * m).forEach((_, i, v) => (v[i] = 0.05 * Math.cos(i)));
  a.f32(dy, n * m).forEach((_, i, v) => (v[i] = Math.sin(0.3 * i)));
  const best = [Infinity, Infinity, Infinity];
  const calls: (() => void)[] = [
    () => a.k.denseForward(x, W, b, y, n, k, m),
    () => a.k.denseBackwardWeight(x, dy, dW, db, n, k, m),
    () => a.k.denseBackwardInput(dy, W, dx, n, k, m, scratch),
  ];
  for (let r = 0; r < 40; r++) {
    calls.forEach((call, i) => {
      const t0 = performance.now();
      for (let j = 0; j < 5; j++) call();
      best[i] = Math.min(best[i]!, (performance.now() - t0) / 5);
    });
  }
  const gflop = (2 * n * k * m) / 1e6;
  const r = (ms: number) => Math.round((gflop / ms) * 10) / 10;
  return { kernels: engineKernels(), forward: r(best[0]!), weight_grad: r(best[1]!), input_grad: r(best[2]!) };
}

const ONLY: Record<string, [string, string]> = { sac: ['sac', 'sac_update'], model: ['model', 'model_update'], update: ['update', 'ppo_update_17_64_64_6_batch64'] };

function measure(mode: string, variant: string): { value: number; raw: unknown } {
  const env = { ...process.env, PGVAR_ENGINE_KERNELS: variant };
  if (mode === 'gemm') {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--gemm-child'], { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`gemm child failed: ${r.stderr}`);
    const raw = JSON.parse(r.stdout) as ReturnType<typeof gemmThroughput>;
    return { value: raw.forward, raw };
  }
  const [only, key] = ONLY[mode]!;
  const r = spawnSync(process.execPath, [path.join(here, 'run-all.js'), '--only', only, '--rounds', '3'], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`run-all --only ${only} failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  const raw = out[key] ?? out;
  // sac_update: median_ms; model_update: [wasm, tfjs] rows; ppo_update: the engine's row
  const pick = (o: unknown): number => {
    if (Array.isArray(o)) return pick(o.find((e) => (e as Record<string, unknown>)['engine'] === 'wasm') ?? o[0]);
    const rec = o as Record<string, unknown>;
    if (Array.isArray(rec['rounds'])) return pick(rec['rounds']);
    for (const k of ['median_ms', 'ms_per_minibatch_update']) if (typeof rec[k] === 'number') return rec[k] as number;
    throw new Error(`no ms in ${JSON.stringify(o).slice(0, 200)}`);
  };
  return { value: pick(raw), raw };
}

if (process.argv.includes('--gemm-child')) {
  process.stdout.write(JSON.stringify(gemmThroughput()) + '\n');
} else {
  const pairs = Number(arg('pairs', '3'));
  const modes = arg('modes', 'sac,model,update,gemm').split(',');
  const result: Record<string, unknown> = { date: new Date().toISOString(), cpu: os.cpus()[0]?.model, node: process.version, load_start: os.loadavg(), pairs, modes: {} };
  for (const mode of modes) {
    const rounds: Record<string, unknown>[] = [];
    for (let p = 0; p < pairs; p++) {
      const row: Record<string, unknown> = {};
      for (const v of VARIANTS) row[v] = measure(mode, v);
      rounds.push(row);
      process.stderr.write(`kernel-variants: ${mode} pair ${p + 1}/${pairs}: simd ${(row['simd'] as { value: number }).value}, fma ${(row['fma'] as { value: number }).value}\n`);
    }
    const vals = (v: string) => rounds.map((r) => (r[v] as { value: number }).value);
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    // ms modes: simd/fma > 1 means fma is faster; gemm reports GFLOP/s, so fma/simd
    const ratios = rounds.map((_, i) => (mode === 'gemm' ? vals('fma')[i]! / vals('simd')[i]! : vals('simd')[i]! / vals('fma')[i]!));
    (result['modes'] as Record<string, unknown>)[mode] = { unit: mode === 'gemm' ? 'GFLOP/s (forward)' : 'ms per update', simd: vals('simd'), fma: vals('fma'), speedup_per_pair: ratios, speedup_median: median(ratios), rounds };
  }
  result['load_end'] = os.loadavg();
  const text = JSON.stringify(result, null, 2);
  const out = arg('out', '');
  if (out) fs.writeFileSync(out, text + '\n');
  process.stdout.write(text + '\n');
}
