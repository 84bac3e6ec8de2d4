/**
 * `pgvar export --format tfjs` (experiment/export-tfjs.ts, nets/tfjs-export.ts): tiny PPO, SAC and TD3
 * runs are exported, loaded back with tf.loadLayersModel through two loaders that know nothing of
 * pgvar (an IOHandler reading the written files, and tfjs's own HTTP loader against a local server),
 * and fed raw observations; the outputs must equal pgvar's own policy outputs on the same
 * observations passed through pgvar's normaliser (logits / Gaussian means / deterministic actions),
 * and the actions must agree. The CLI (dist/: build first) and its one-line errors are tested too.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { tf } from '../nets/tf.js';
import t, { type Test } from 'tap';
import { Rng } from '../common/rng.js';
import { make } from '../envs/registry.js';
import { flatSize, sample, type BoxSpace } from '../envs/spaces.js';
import { agentTransform, findWrappers } from '../envs/stack.js';
import { NormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { resolveConfig } from '../experiment/build.js';
import { exportTfjs, type TfjsExportMetadata } from '../experiment/export-tfjs.js';
import { buildPolicyModel } from '../nets/tfjs-export.js';
import { frozenEnvLike, loadRun } from '../experiment/load-run.js';
import { resolveOffPolicyConfig, trainOffPolicyRun } from '../experiment/offpolicy-run.js';
import { RunDir } from '../experiment/run-dir.js';
import { trainRun } from '../experiment/train-run.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { toEnvAction } from '../offpolicy/trainer.js';
import type { PpoConfig } from '../ppo/config.js';
import { backend, cli, cliInProcess, ROOT, tmpDir } from './helpers.js';

await backend();

const root = tmpDir('pgvar-export-');
const TOL = 1e-5;
/** Layer classes of tfjs-layers itself: loading needs no custom class. */
const STANDARD = new Set(['InputLayer', 'Dense', 'BatchNormalization', 'ReLU', 'Add', 'LeakyReLU', 'Reshape', 'Permute', 'Conv2D', 'Flatten']);

async function trainPpo(name: string, flags: Partial<PpoConfig>): Promise<string> {
  const out = path.join(root, name);
  await trainRun({ out, config: resolveConfig({}, flags), progress: false });
  return out;
}

/** An IOHandler that reads model.json and the weight files it names, as a user's own loader would. */
function fileHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const data = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
        return [manifest.flatMap((g) => g.weights), data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer];
      });
    },
  };
}

/** tfjs's own HTTP loader (what a web page uses) against a local server of the export directory. */
async function loadOverHttp(dir: string): Promise<tf.LayersModel> {
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(new URL(req.url ?? '/', 'http://x').pathname));
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await tf.loadLayersModel(`http://127.0.0.1:${(server.address() as AddressInfo).port}/policy/model.json`);
  } finally {
    server.close();
  }
}

function predict(model: tf.LayersModel, raw: Float32Array, n: number): Float32Array {
  const x = tf.tensor2d(raw, [n, raw.length / n]);
  const y = model.predict(x) as tf.Tensor;
  const v = Float32Array.from(y.dataSync() as Float32Array);
  tf.dispose([x, y]);
  return v;
}

/** max |a − b| / max(1, |b|). */
function maxErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

/** n raw observations of `envId` as makeEnv gives them, under random actions. */
function rollout(envId: string, n: number, seed: number): Float32Array {
  const env = make(envId);
  const rng = new Rng(seed);
  const rows: Float32Array[] = [];
  let obs = env.reset({ seed }).obs;
  while (rows.length < n) {
    rows.push(Float32Array.from(obs));
    const s = env.step(sample(env.actionSpace, rng));
    obs = s.terminated || s.truncated ? env.reset().obs : s.obs;
  }
  env.close?.();
  const out = new Float32Array(n * rows[0]!.length);
  rows.forEach((r, i) => out.set(r, i * r.length));
  return out;
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function readMeta(dir: string): TfjsExportMetadata & { files: unknown } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'pgvar-export.json'), 'utf8'));
}

/** The written files are what tfjs's savers write, with standard layers only and the metadata in model.json. */
function checkFiles(t: Test, dir: string): void {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON & { modelTopology: { config: { layers: { class_name: string }[] } } };
  t.equal(json.format, 'layers-model');
  t.match(json.generatedBy, /^TensorFlow\.js tfjs-layers v/);
  t.same(json.weightsManifest.map((g) => g.paths), [['./weights.bin']]);
  const bytes = json.weightsManifest[0]!.weights.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  t.equal(fs.statSync(path.join(dir, 'weights.bin')).size, bytes, 'weights.bin holds every weight the manifest lists, float32');
  const classes = json.modelTopology.config.layers.map((l) => l.class_name);
  t.same(classes.filter((c) => !STANDARD.has(c)), [], `standard layers only (${[...new Set(classes)].join(', ')})`);
  const { files: _files, ...meta } = readMeta(dir);
  t.same(json.userDefinedMetadata, meta, 'pgvar-export.json holds the metadata of model.json');
}

interface PpoCheck {
  dir: string;
  exportDir: string;
  at?: number;
  /** Rows of raw observations to test on (beside the rollout's). */
  extra?: (mean: Float64Array, std: Float64Array) => Float32Array;
  rows?: number;
}

/**
 * The exported model against the restored agent: logits / means equal pgvar's policy output on the
 * normalised observations, deterministic actions equal `agent.act(…, null)` on the run's engine.
 */
async function checkPpo(t: Test, o: PpoCheck): Promise<{ meta: TfjsExportMetadata; clipped: number }> {
  const run = await loadRun(o.dir, o.at);
  const agent = run.trainer.agent;
  const env = frozenEnvLike(run);
  const norm = findWrappers(env, NormalizeObservation)[0];
  const mean = norm ? Float64Array.from(norm.rms.mean) : new Float64Array(agent.obsDim);
  const std = norm ? Float64Array.from(norm.rms.var, (v) => Math.sqrt(v + norm.epsilon)) : new Float64Array(agent.obsDim).fill(1);
  const raw = concat(rollout(run.config.envId, o.rows ?? 48, run.config.seed + 77), o.extra?.(mean, std) ?? new Float32Array());
  const n = raw.length / agent.obsDim;
  const x = agentTransform(env).observations(raw, n);
  env.close?.();
  const clipped = x.filter((v) => run.config.clipObservation > 0 && Math.abs(v) === run.config.clipObservation).length;
  const ref = tf.tidy(() => Float32Array.from(agent.policyOut(tf.tensor2d(x, [n, agent.obsDim])).dataSync() as Float32Array));
  const acts = agent.act(x, n, null).actions;
  const meta = readMeta(o.exportDir);
  for (const [how, model] of [
    ['files', await tf.loadLayersModel(fileHandler(o.exportDir))],
    ['http', await loadOverHttp(o.exportDir)],
  ] as const) {
    const y = predict(model, raw, n);
    t.ok(maxErr(y, ref) <= TOL, `${how}: the model's ${meta.output.kind} equals pgvar's on ${n} raw observations (max rel. err ${maxErr(y, ref).toExponential(2)})`);
    if (agent.kind === 'categorical') {
      const K = agent.outDim;
      let agree = 0;
      let decided = 0;
      for (let i = 0; i < n; i++) {
        const row = Array.from(y.subarray(i * K, (i + 1) * K));
        const best = row.indexOf(Math.max(...row));
        const sorted = [...row].sort((a, b) => b - a);
        if (sorted[0]! - sorted[1]! < 1e-4) continue; // a near tie may fall either way in float32
        decided += 1;
        if (best === acts[i]) agree += 1;
      }
      t.ok(decided >= n - 2, `${decided} of ${n} rows without a near tie`);
      t.equal(agree, decided, `${how}: argmax(logits) is pgvar's deterministic action`);
      const lp = agent.logProbsAll(x, n);
      const ly = tf.tidy(() => Float32Array.from(tf.logSoftmax(tf.tensor2d(y, [n, K])).dataSync() as Float32Array));
      t.ok(maxErr(ly, lp) <= TOL, `${how}: log softmax(logits) equals pgvar's log π(·|s) on the ${agent.engine} engine`);
    } else {
      t.ok(maxErr(y, acts) <= TOL, `${how}: the model's mean is pgvar's deterministic action on the ${agent.engine} engine (max rel. err ${maxErr(y, acts).toExponential(2)})`);
      t.same(meta.policy, { distribution: 'diagonal_gaussian', log_std: Array.from(agent.logStd!.dataSync()), tanh_mean: !!agent.options.tanhMean }, 'the log-std is in the metadata');
    }
    t.same(model.getUserDefinedMetadata(), (({ files: _f, ...m }) => m)(readMeta(o.exportDir)), `${how}: getUserDefinedMetadata() returns the export's metadata`);
    model.dispose();
  }
  t.equal(meta.step, run.trainer.globalStep);
  t.equal(meta.observation_normalizer === null, !norm);
  if (norm) t.same(meta.observation_normalizer!.mean, Array.from(norm.rms.mean), "training env 0's normaliser statistics");
  run.trainer.dispose();
  return { meta, clipped };
}

/** Rows with every dimension at mean + k·std: far outside the clip, at it, inside it. */
const extremes = (mean: Float64Array, std: Float64Array) => concat(...[-40, -10.5, -3, 0, 0.5, 3, 10.5, 40].map((k) => Float32Array.from(mean, (m, i) => m + k * std[i]!)));

t.test('buildPolicyModel: the folded normaliser is (x − μ)/√(σ² + ε) clipped to ±c, also for a constant dimension (σ² = 0)', async (t) => {
  const mean = [0.5, -3, 2];
  const variance = [0, 1e-9, 4];
  const eps = 1e-8;
  const c = 5;
  const eye = Float32Array.from({ length: 9 }, (_, k) => (k % 4 === 0 ? 1 : 0));
  const model = buildPolicyModel({ inputDim: 3, inputTransform: { mean, variance, epsilon: eps, clip: c }, mlp: { sizes: [3, 3], activation: 'tanh', params: [eye, new Float32Array(3)] }, outputActivation: 'linear' });
  const rows = [
    [0.5, -3, 2],
    [0.5 + 2e-4, -3 - 1e-4, 2 + 1],
    [0.5 - 3e-4, -3 + 1e-3, 2 - 30],
    [100, -100, 2 + 9.9],
  ];
  const raw = Float32Array.from(rows.flat());
  const want = Array.from(raw, (x, k) => Math.min(c, Math.max(-c, (x - mean[k % 3]!) / Math.sqrt(variance[k % 3]! + eps))));
  const got = predict(model, raw, rows.length);
  t.ok(maxErr(got, want) <= TOL, `clip((x − μ)/√(σ² + ε)): max rel. err ${maxErr(got, want).toExponential(2)} (${Array.from(got, (v) => +v.toFixed(4)).join(', ')})`);
  t.ok(want.some((v) => Math.abs(v) === c) && want.some((v) => v !== 0 && Math.abs(v) < c), 'rows inside and beyond the clip');
  model.dispose();
});

t.test('CartPole-v1 (Discrete, no normaliser, wasm engine): logits and argmax actions', async (t) => {
  const dir = await trainPpo('cartpole', { envId: 'CartPole-v1', totalTimesteps: 512, numEnvs: 2, numSteps: 128, seed: 3 });
  const res = await exportTfjs({ run: dir });
  t.equal(res.out, path.join(dir, 'export-tfjs'), 'default output directory');
  checkFiles(t, res.out);
  const { meta } = await checkPpo(t, { dir, exportDir: res.out });
  t.match(meta, { format: 'pgvar-tfjs-policy-1', algo: 'ppo', env_id: 'CartPole-v1', checkpoint: 'last', input: { shape: [4] }, output: { kind: 'logits', size: 2 }, policy: { distribution: 'categorical', n: 2 }, observation_normalizer: null, observation_clip: null, clip_action: false, action_space: { type: 'Discrete', n: 2 } });
  t.match(meta.output.how_to_act, /argmax\(logits\)/);
  t.equal(meta.pgvar_version, JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
});

t.test('Pendulum-v1 (Box, normaliser + clip 10 inside the model, wasm engine): Gaussian means; --at exports a snapshot', async (t) => {
  const dir = await trainPpo('pendulum', { envId: 'Pendulum-v1', totalTimesteps: 1024, numSteps: 256, numMinibatches: 4, updateEpochs: 2, snapshotEvery: 512, seed: 4 });
  const res = await exportTfjs({ run: dir });
  checkFiles(t, res.out);
  const { meta, clipped } = await checkPpo(t, { dir, exportDir: res.out, extra: extremes });
  t.ok(clipped >= 4 * 3, `the test observations hit the clip (${clipped} values at ±10)`);
  t.match(meta, { output: { kind: 'gaussian_mean', size: 1 }, observation_clip: 10, clip_action: true, action_space: { type: 'Box', low: [-2], high: [2] }, observation_normalizer: { epsilon: 1e-8 } });
  const nm = meta.observation_normalizer!;
  t.ok(nm.mean.some((m) => Math.abs(m) > 0.05) && nm.var.some((v) => Math.abs(v - 1) > 0.05), 'the normaliser statistics are not the identity (a dropped shift or scale would show)');

  const snap = await exportTfjs({ run: dir, at: 512, out: path.join(root, 'pendulum-at-512') });
  t.match(snap.metadata, { step: 512, checkpoint: 'snapshot' });
  await checkPpo(t, { dir, exportDir: snap.out, at: 512, extra: extremes });
  t.not(fs.readFileSync(snap.files.weights).toString('base64'), fs.readFileSync(res.files.weights).toString('base64'), 'the snapshot has other weights');
});

t.test('LunarLanderContinuous-v3 (tanh mean, leaky ReLU, separate actor widths, 2 envs, tfjs engine)', async (t) => {
  const dir = await trainPpo('llc', { envId: 'LunarLanderContinuous-v3', totalTimesteps: 512, numEnvs: 2, numSteps: 128, numMinibatches: 4, updateEpochs: 2, tanhMean: true, activation: 'leaky_relu', hiddenSizes: [16], actorHiddenSizes: [24, 8], engine: 'tfjs', seed: 5 });
  const res = await exportTfjs({ run: dir });
  checkFiles(t, res.out);
  const { meta } = await checkPpo(t, { dir, exportDir: res.out, extra: extremes });
  t.match(meta, { network: { kind: 'mlp', actor_sizes: [8, 24, 8, 2], activation: 'leaky_relu' }, policy: { tanh_mean: true } });
});

t.test('Pong-v0 (Nature CNN on 4 × 84 × 84 frames): logits and argmax actions', async (t) => {
  const dir = await trainPpo('pong', { envId: 'Pong-v0', totalTimesteps: 16, numEnvs: 1, numSteps: 16, numMinibatches: 2, updateEpochs: 1, seed: 6 });
  const res = await exportTfjs({ run: dir });
  checkFiles(t, res.out);
  const { meta } = await checkPpo(t, { dir, exportDir: res.out, rows: 12 });
  t.match(meta, { network: { kind: 'nature-cnn' }, input: { shape: [4 * 84 * 84], observation_shape: [4, 84, 84] }, output: { kind: 'logits', size: 6 } });
});

for (const algo of ['sac', 'td3'] as const) {
  t.test(`${algo} on Pendulum-v1: the deterministic action tanh(μ(s)) on the action bounds`, async (t) => {
    const dir = path.join(root, algo);
    const config = await resolveOffPolicyConfig({}, { algo, envId: 'Pendulum-v1', totalTimesteps: 400, learningStarts: 100, bufferSize: 1000, batchSize: 32, actorHidden: [16, 16], criticHidden: [16, 16], logEvery: 100, checkpointEvery: 200, evalEvery: 0, seed: 3 });
    await trainOffPolicyRun({ out: dir, config, progress: false });
    const res = await exportTfjs({ run: dir });
    checkFiles(t, res.out);
    t.match(res.metadata, { algo, step: 400, output: { kind: 'deterministic_action', size: 1 }, policy: { distribution: 'deterministic', actor: algo === 'sac' ? 'tanh-gaussian' : 'deterministic' }, observation_normalizer: null });
    const ck = new RunDir(dir).loadOffPolicyCheckpoint();
    const env = make('Pendulum-v1');
    const space = env.actionSpace as BoxSpace;
    const learner = new OffPolicyLearner(ck.config, flatSize(env.observationSpace), 1, new Rng(0));
    learner.setState(ck.trainer.learner);
    // rollout rows, plus large velocities that saturate the tanh
    const raw = concat(rollout('Pendulum-v1', 48, 9), Float32Array.from([1, 0, 40, -1, 0, -40, 0.6, 0.8, 0]));
    const n = raw.length / 3;
    const a = learner.policy.mode(raw, n, new Float32Array(n));
    const ref = Float32Array.from({ length: n }, (_, i) => toEnvAction(a.subarray(i, i + 1), space.low, space.high)[0]!);
    env.close?.();
    for (const [how, model] of [
      ['files', await tf.loadLayersModel(fileHandler(res.out))],
      ['http', await loadOverHttp(res.out)],
    ] as const) {
      const y = predict(model, raw, n);
      t.ok(maxErr(y, ref) <= TOL, `${how}: the model's action equals pgvar's evaluation action (max rel. err ${maxErr(y, ref).toExponential(2)})`);
      t.ok(y.every((v) => v >= -2 && v <= 2), 'inside the bounds');
      model.dispose();
    }
    t.ok(ref.some((v) => Math.abs(v) > 0.05), 'the actions are not all zero');
  });
}

t.test('pgvar export (CLI, dist/): writes and prints the three files; the same bytes as the API', async (t) => {
  const run = path.join(root, 'cartpole');
  const out = path.join(root, 'cli-export');
  const r = cli(['export', '--run', run, '--format', 'tfjs', '--out', out, '--backend', 'wasm']);
  t.equal(r.status, 0, r.stderr);
  for (const f of ['model.json', 'weights.bin', 'pgvar-export.json']) t.ok(r.stdout.includes(path.join(out, f)), `prints ${f}`);
  t.match(r.stdout, /exported the ppo policy of .* \(CartPole-v1, step 512\)/);
  t.equal(fs.readFileSync(path.join(out, 'model.json'), 'utf8'), fs.readFileSync(path.join(run, 'export-tfjs', 'model.json'), 'utf8'), 'model.json as the API writes it');
  t.ok(fs.readFileSync(path.join(out, 'weights.bin')).equals(fs.readFileSync(path.join(run, 'export-tfjs', 'weights.bin'))), 'weights.bin as the API writes it');
  const d = cli(['export', '--run', path.join(root, 'sac'), '--format', 'tfjs', '--backend', 'wasm']);
  t.equal(d.status, 0, d.stderr);
  t.ok(fs.existsSync(path.join(root, 'sac', 'export-tfjs', 'model.json')), 'default --out <run>/export-tfjs');
  t.match((await cliInProcess(['--help'])).stdout, /\bexport\b/, 'listed in pgvar --help');
});

t.test('pgvar export: bad input is one line and exit code 2, no stack trace', async (t) => {
  const notRun = tmpDir('pgvar-export-notrun-');
  const file = path.join(root, 'a-file');
  fs.writeFileSync(file, 'x');
  const cases: [string[], RegExp][] = [
    [['export', '--run', path.join(root, 'missing'), '--format', 'tfjs'], /run directory .*missing does not exist/],
    [['export', '--run', notRun, '--format', 'tfjs'], /has no checkpoint/],
    [['export', '--run', path.join(root, 'cartpole'), '--format', 'onnx'], /--format <name>' argument 'onnx' is invalid\. expected one of tfjs, got 'onnx'/],
    [['export', '--run', path.join(root, 'cartpole')], /required option '--format <name>' not specified/],
    [['export', '--format', 'tfjs'], /required option '--run <dir>' not specified/],
    [['export', '--run', path.join(root, 'cartpole'), '--format', 'tfjs', '--at', '100k'], /no snapshot at or after step 100000 \(kept: none; train with --snapshot-every\)/],
    [['export', '--run', path.join(root, 'sac'), '--format', 'tfjs', '--at', '100'], /off-policy run; it keeps only its last checkpoint/],
    [['export', '--run', path.join(root, 'cartpole'), '--format', 'tfjs', '--out', file], /--out .*a-file is a file, not a directory/],
  ];
  // in this process (runCli, what bin/pgvar.js runs; cli.test.ts compares the two): a process start per case would cost more than the cases
  for (const [args, re] of cases) {
    const r = await cliInProcess([...args, '--backend', 'wasm']);
    t.equal(r.status, 2, `${args.join(' ')}: exit 2`);
    const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('pgvar: tensor backend') && !l.startsWith('(run with --help'));
    t.equal(lines.length, 1, `one line: ${lines.join(' | ')}`);
    t.match(lines[0] ?? '', re);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
