/**
 * The engine's two kernel builds (nets/engine/arena.ts): `fma` (relaxed SIMD, fused multiply-add in
 * the matrix products) is chosen when this Node runs it, `simd` on request (PGVAR_ENGINE_KERNELS) or as
 * the fall-back. The fused build must really fuse (a product whose rounding an unfused multiply-add
 * loses), both builds must agree to float32 rounding on random layers, and a bad setting is a
 * one-line error.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { Arena, engineKernels, kernelsPath } from '../nets/engine/arena.js';
import { cli, nodeCommand, relErr, ROOT, tmpDir } from './helpers.js';

/** n × m outputs of one dense layer x·W + b in this process's kernels. */
function dense(x: Float32Array, W: Float32Array, b: Float32Array, n: number, k: number, m: number): Float32Array {
  const a = new Arena();
  const px = a.alloc(n * k);
  const pW = a.alloc(k * m);
  const pb = a.alloc(m);
  const py = a.alloc(n * m);
  a.f32(px, n * k).set(x);
  a.f32(pW, k * m).set(W);
  a.f32(pb, m).set(b);
  a.k.denseForward(px, pW, pb, py, n, k, m);
  return a.f32(py, n * m).slice();
}

// (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴: rounded to float32 the 2⁻²⁴ is lost (a tie, to even), fused it is kept
const u = 1 + 2 ** -12;
const probe = () => dense(new Float32Array(2).fill(u), new Float32Array(16).fill(u), new Float32Array(16).fill(-(1 + 2 ** -11)), 2, 1, 16);

/** The same computations in a child process with PGVAR_ENGINE_KERNELS=simd. */
function inChild(kernels: string, code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(...nodeCommand(['--import', 'tsx', '--input-type=module', '-e', code]), { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PGVAR_ENGINE_KERNELS: kernels } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('the fused build is chosen by default here and fuses; the plain build does not', async (t) => {
  t.ok(fs.existsSync(kernelsPath('fma')), 'npm run build makes dist/wasm/kernels-relaxed.wasm');
  t.equal(engineKernels(), 'fma', 'Node 20 runs relaxed SIMD once its flag is set: the fused build is used');
  t.same(Array.from(probe()), new Array(32).fill(2 ** -24), 'fused: a·b + c keeps the 2⁻²⁴ of the exact product');
  const plain = inChild('simd', `import { engineKernels, Arena } from './nets/engine/arena.ts'; const a = new Arena(); const p = a.alloc(2), W = a.alloc(16), b = a.alloc(16), y = a.alloc(32); a.f32(p, 2).fill(${u}); a.f32(W, 16).fill(${u}); a.f32(b, 16).fill(${-(1 + 2 ** -11)}); a.k.denseForward(p, W, b, y, 2, 1, 16); console.log(JSON.stringify({ kernels: engineKernels(), y: Array.from(a.f32(y, 32)) }));`);
  t.equal(plain.status, 0, plain.stderr);
  const r = JSON.parse(plain.stdout);
  t.equal(r.kernels, 'simd');
  t.same(r.y, new Array(32).fill(0), 'unfused: the product is rounded first, so x·w + b is 0');
});

t.test('both builds agree to float32 rounding on random layers', async (t) => {
  const rng = new Rng(3);
  const [n, k, m] = [37, 29, 45];
  const x = Float32Array.from({ length: n * k }, () => rng.normal());
  const W = Float32Array.from({ length: k * m }, () => rng.normal() * 0.2);
  const b = Float32Array.from({ length: m }, () => rng.normal());
  const fused = dense(x, W, b, n, k, m);
  const code = `import { Arena } from './nets/engine/arena.ts'; const a = new Arena(); const d = ${JSON.stringify({ x: Array.from(x), W: Array.from(W), b: Array.from(b) })}; const px = a.alloc(${n * k}), pW = a.alloc(${k * m}), pb = a.alloc(${m}), py = a.alloc(${n * m}); a.f32(px, ${n * k}).set(d.x); a.f32(pW, ${k * m}).set(d.W); a.f32(pb, ${m}).set(d.b); a.k.denseForward(px, pW, pb, py, ${n}, ${k}, ${m}); console.log(JSON.stringify(Array.from(a.f32(py, ${n * m}))));`;
  const plain = inChild('simd', code);
  t.equal(plain.status, 0, plain.stderr);
  const y = Float32Array.from(JSON.parse(plain.stdout) as number[]);
  t.ok(relErr(fused, y) < 1e-6, `relative difference ${relErr(fused, y).toExponential(2)}`);
  t.ok(fused.some((v, i) => v !== y[i]), 'and they are different builds (some outputs differ in the last bits)');
});

t.test('a bad PGVAR_ENGINE_KERNELS is a one-line error, not a silent fall-back', async (t) => {
  const bad = inChild('avx', `import { engineAvailable } from './nets/engine/arena.ts'; try { engineAvailable(); console.log('ran'); } catch (e) { console.log(e.message); }`);
  t.equal(bad.stdout.trim(), "PGVAR_ENGINE_KERNELS must be 'fma' or 'simd', got 'avx'");
  const env = process.env['PGVAR_ENGINE_KERNELS'];
  process.env['PGVAR_ENGINE_KERNELS'] = 'avx';
  try {
    const out = path.join(tmpDir('pgvar-kernels-'), 'never');
    const r = cli(['train', '--env', 'CartPole-v1', '--steps', '512', '--out', out, '--quiet']);
    t.equal(r.status, 2);
    t.equal(r.stderr, "pgvar: error: PGVAR_ENGINE_KERNELS must be 'fma' or 'simd', got 'avx'\n", 'one line, before anything runs');
    t.notOk(fs.existsSync(out), 'no run directory');
  } finally {
    if (env === undefined) delete process.env['PGVAR_ENGINE_KERNELS'];
    else process.env['PGVAR_ENGINE_KERNELS'] = env;
  }
});
