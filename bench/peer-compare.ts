/**
 * pgvar's learner updates side by side with the PyTorch peer (../shared/peers/cleanrl_update_bench.py,
 * CleanRL's update code): for each pair, pgvar's benchmark and then the peer's, mode by mode, so both
 * see the same machine load; the ratio pgvar/PyTorch per pair and the median over pairs.
 *
 *   node dist/bench/peer-compare.js [--pairs 3] [--modes ppo,sac,model] [--threads 1] [--out FILE]
 *
 * Needs Debian's python3-torch (see the peer's README); never part of CI. Prints the JSON (and writes
 * it to --out).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const peer = path.resolve(root, '..', 'shared', 'peers', 'cleanrl_update_bench.py');
const pairs = Number(arg('pairs', '3'));
const modes = arg('modes', 'ppo,sac,model').split(',');
const threads = arg('threads', '1');
const coreType = fs.readFileSync('/proc/cpuinfo', 'utf8').includes('avx512') ? 'SkylakeX' : 'Haswell';
const ONLY: Record<string, string> = { ppo: 'update', sac: 'sac', model: 'model' };

function ours(mode: string): { ms: number; tfjs_ms?: number; raw: unknown } {
  const r = spawnSync(process.execPath, [path.join(here, 'run-all.js'), '--only', ONLY[mode]!, '--backend', 'wasm', '--rounds', '3'], { encoding: 'utf8', cwd: root });
  if (r.status !== 0) throw new Error(`pgvar bench ${mode} failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as Record<string, any>;
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  if (mode === 'ppo') {
    const rounds = j['ppo_update_17_64_64_6_batch64'].rounds as { engine: string; ms_per_minibatch_update: number }[];
    const of = (e: string) => median(rounds.filter((x) => x.engine === e).map((x) => x.ms_per_minibatch_update));
    return { ms: of('wasm'), tfjs_ms: of('tfjs'), raw: j['ppo_update_17_64_64_6_batch64'] };
  }
  if (mode === 'sac') return { ms: j['sac_update'].median_ms, raw: j['sac_update'] };
  const m = j['model_update'] as { engine: string; median_ms: number }[];
  return { ms: m.find((x) => x.engine === 'wasm')!.median_ms, tfjs_ms: m.find((x) => x.engine === 'tfjs')!.median_ms, raw: m };
}

function torch(mode: string): { ms: number; raw: unknown } {
  const r = spawnSync('/usr/bin/python3', [peer, mode, '--rounds', '3', '--threads', threads], { encoding: 'utf8', env: { ...process.env, OPENBLAS_CORETYPE: coreType } });
  if (r.status !== 0) throw new Error(`peer ${mode} failed (is python3-torch installed? see ../shared/peers/README.md): ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { median_ms: number };
  return { ms: j.median_ms, raw: j };
}

const out: Record<string, unknown> = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, load_avg_at_start: os.loadavg() }, openblas_coretype: coreType, torch_threads: Number(threads), commands: { pgvar: 'node dist/bench/run-all.js --only update|sac|model --backend wasm --rounds 3', pytorch: `OPENBLAS_CORETYPE=${coreType} /usr/bin/python3 ../shared/peers/cleanrl_update_bench.py ppo|sac|model --rounds 3 --threads ${threads}` } };
const per: Record<string, { pgvar_ms: number; tfjs_ms?: number; torch_ms: number; ratio: number }[]> = {};
const raw: unknown[] = [];
for (let p = 0; p < pairs; p++) {
  for (const mode of modes) {
    const a = ours(mode);
    const b = torch(mode);
    (per[mode] ??= []).push({ pgvar_ms: a.ms, ...(a.tfjs_ms !== undefined ? { tfjs_ms: a.tfjs_ms } : {}), torch_ms: b.ms, ratio: +(a.ms / b.ms).toFixed(3) });
    raw.push({ pair: p + 1, mode, pgvar: a.raw, torch: b.raw });
    process.stderr.write(`pair ${p + 1} ${mode}: pgvar ${a.ms} ms, PyTorch ${b.ms} ms\n`);
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
out['summary'] = Object.fromEntries(
  Object.entries(per).map(([m, rows]) => [m, { pairs: rows, median_pgvar_ms: med(rows.map((r) => r.pgvar_ms)), median_torch_ms: med(rows.map((r) => r.torch_ms)), median_ratio: med(rows.map((r) => r.ratio)), ...(rows[0]!.tfjs_ms !== undefined ? { median_tfjs_ms: med(rows.map((r) => r.tfjs_ms!)), median_tfjs_over_torch: +med(rows.map((r) => r.tfjs_ms! / r.torch_ms)).toFixed(3) } : {}) }]),
);
out['load_avg_at_end'] = os.loadavg();
out['raw'] = raw;
const text = JSON.stringify(out, null, 2) + '\n';
const file = arg('out', '');
if (file) fs.writeFileSync(file, text);
process.stdout.write(text);
