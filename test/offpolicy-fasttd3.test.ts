/**
 * The `fasttd3` agent (spec baselines.md §9) as a configuration of the off-policy core: its presets;
 * the trainer stepping N envs at once (N transitions and one batched actor call per vector step,
 * updatesPerStep updates per vector step); mixed exploration noise (per-env σ in [σ_min, σ_max],
 * different across envs, redrawn when that env's episode ends, one σ per row in the actor's noise);
 * the running observation normaliser (equal to a two-pass mean and variance of every observation the
 * actor acted on; in the learner state); no target actor (the online actor's smoothed action in the
 * target); exact resume through the CLI after SIGKILL; and a learning test on Pendulum-v1 that the
 * mutants whose actor ascends −Q or whose critic ascends its cross-entropy fail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { make } from '../envs/registry.js';
import { AGENT_DEFAULTS, agentConfig } from '../offpolicy/agents.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import { RunningNorm } from '../offpolicy/normalizer.js';
import { OffPolicyTrainer } from '../offpolicy/trainer.js';
import { cli, deterministicMetrics, tmpDir } from './helpers.js';
import { ascendCriticLoss, killAfterCheckpoint } from './offpolicy-helpers.js';

const ENV = 'Pendulum-v1';
const envs = (cfg: OffPolicyConfig) => Array.from({ length: cfg.numEnvs }, () => make(cfg.envId));
/** fasttd3's cpu structure at test scale. */
const tiny = (over: Record<string, unknown> = {}) => agentConfig('fasttd3', ENV, { preset: 'cpu', numEnvs: 4, totalTimesteps: 1600, learningStarts: 200, bufferSize: 4000, batchSize: 32, criticHidden: [16, 16], actorHidden: [16, 16], atoms: 21, vMin: -1200, vMax: 100, logEvery: 400, ...over });

t.test('fasttd3 presets: paper = the spec §9 values; cpu keeps the structure at CPU scale', async (t) => {
  const p = agentConfig('fasttd3', ENV);
  t.same(
    [p.numEnvs, p.batchSize, p.updatesPerStep, p.tau, p.gamma, p.atoms, p.vMin, p.vMax, p.c51Edge, p.targetAggregator, p.actorAggregator, p.policyNoise, p.noiseClip, p.noiseStdMin, p.noiseStdMax, p.mixedNoise, p.obsNormalization, p.obsNormEps, p.targetActor, p.qOptimizer, p.qWeightDecay, p.policyWeightDecay, p.qLr, p.policyLr, p.policyFrequency, p.policyPhase, p.criticHidden, p.actorHidden, p.bufferSize, p.learningStarts],
    [128, 32768, 2, 0.1, 0.99, 101, -250, 250, 'fasttd3', 'min-by-expectation', 'min-by-expectation', 0.001, 0.5, 0.001, 0.4, true, true, 1e-2, false, 'adamw', 0.1, 0.1, 3e-4, 3e-4, 2, 1, [1024, 512, 256], [512, 256, 128], 50 * 1024 * 128, 1280],
  );
  const c = agentConfig('fasttd3', ENV, { preset: 'cpu' });
  t.same([c.numEnvs, c.batchSize, c.criticHidden, c.actorHidden, c.bufferSize, c.learningStarts, c.preset], [8, 1024, [256, 128, 64], [128, 64, 32], 409600, 80, 'cpu']);
  for (const k of ['tau', 'updatesPerStep', 'atoms', 'targetAggregator', 'mixedNoise', 'obsNormalization', 'qWeightDecay', 'targetActor'] as const) t.same(c[k], p[k], `cpu keeps ${k}`);
  t.same(AGENT_DEFAULTS.td3.numEnvs, 1, 'the other agents step one env');
  t.throws(() => agentConfig('sac', ENV, { mixedNoise: true }), /mixedNoise is exploration noise of a deterministic actor/);
  t.throws(() => agentConfig('fasttd3', ENV, { noiseStdMin: 0.5, noiseStdMax: 0.4 }), /noiseStdMin 0.5 exceeds noiseStdMax 0.4/);
  t.throws(() => agentConfig('fasttd3', ENV, { policyPhase: 2 }), /policyPhase 2 must be below policyFrequency 2/);
});

t.test("the actor's last layer: N(0, 0.01) weights and zero bias; the other layers PyTorch's default", async (t) => {
  const cfg = agentConfig('fasttd3', ENV, { preset: 'cpu' });
  const tr = new OffPolicyTrainer(cfg, envs(cfg));
  const p = tr.learner.policy;
  if (p.kind !== 'deterministic') throw new Error('expected a deterministic actor');
  const tensors = p.store.read();
  const w = tensors.at(-2)!;
  const std = Math.sqrt(w.reduce((a, x) => a + x * x, 0) / w.length);
  t.same([w.length, tensors.at(-1)!.every((x) => x === 0)], [32, true], 'last W 32 × 1, bias 0');
  t.ok(std > 0.006 && std < 0.014, `last-layer std ${std.toFixed(4)} ≈ 0.01`);
  const w0 = tensors[0]!;
  t.ok(Math.max(...w0.map(Math.abs)) > 0.3, 'the first layer keeps ±1/√3 uniform');
  t.same(Array.from(p.targetStore.read().at(-2)!), Array.from(w), 'the target copy (unused by fasttd3) matches');
  const td3 = new OffPolicyTrainer(agentConfig('td3', ENV), make(ENV)).learner.policy.store.read();
  t.ok(Math.max(...td3.at(-1)!.map(Math.abs)) > 0, 'td3 keeps a PyTorch-default last layer');
});

t.test('vector steps: N transitions per step, updatesPerStep updates per vector step, one batched actor call', async (t) => {
  const cfg = tiny({ totalTimesteps: 400 });
  const tr = new OffPolicyTrainer(cfg, envs(cfg));
  let calls = 0;
  const act = tr.learner.act.bind(tr.learner);
  tr.learner.act = (obs, n, mode, rng, out, sd) => {
    calls += 1;
    t.equal(n, 4, 'one call for the 4 envs');
    return act(obs, n, mode, rng, out, sd);
  };
  while (tr.globalStep <= cfg.learningStarts) tr.step();
  t.same([tr.globalStep, tr.replay.count, tr.learner.updates], [204, 204, 0], 'warm-up: 51 vector steps, no update until global_step > learningStarts');
  calls = 0;
  const { stats } = tr.step();
  t.same([tr.globalStep, tr.replay.count, stats.length, tr.learner.updates, calls], [208, 208, 2, 2, 1], 'then 4 transitions and 2 updates per vector step');
  t.same(stats.map((s) => s.actor_loss === null), [true, false], 'the actor after the second critic update of the pair (i % 2 == 1)');
  t.throws(() => new OffPolicyTrainer(cfg, make(ENV)), /numEnvs 4 needs 4 envs, got 1/);
});

t.test('mixed noise: per-env σ in [σ_min, σ_max], different across envs, redrawn when its episode ends; one σ per row', async (t) => {
  const cfg = tiny({ numEnvs: 6, totalTimesteps: 2400, learningStarts: 10_000, noiseStdMin: 0.05, noiseStdMax: 0.3 });
  const tr = new OffPolicyTrainer(cfg, envs(cfg));
  const first = Array.from(tr.noiseStd!);
  t.ok(first.every((s) => s >= 0.05 && s <= 0.3), `σ in [0.05, 0.3]: ${first.map((s) => s.toFixed(3))}`);
  t.equal(new Set(first).size, 6, 'six different σ');
  while (tr.globalStep < 6 * 199) tr.step();
  t.same(Array.from(tr.noiseStd!), first, 'unchanged within the episode');
  tr.step(); // the 200th step of every env: Pendulum truncates, each env redraws
  const second = Array.from(tr.noiseStd!);
  t.ok(second.every((s, i) => s !== first[i] && s >= 0.05 && s <= 0.3), `redrawn at the episodes' end: ${second.map((s) => s.toFixed(3))}`);
  // the actor's noise uses row i's σ: σ = 0 gives μ(s) itself, the spread grows with σ
  const obs = new Float32Array(3 * 3).fill(0.5);
  const mode = tr.learner.act(obs, 3, 'eval', new Rng(1), new Float32Array(3));
  const dev = [0, 0, 0];
  const rng = new Rng(7);
  for (let k = 0; k < 400; k++) {
    const a = tr.learner.act(obs, 3, 'explore', rng, new Float32Array(3), [0, 0.01, 0.2]);
    for (let i = 0; i < 3; i++) dev[i]! += (a[i]! - mode[i]!) ** 2 / 400;
  }
  t.equal(dev[0], 0, 'σ 0: no noise');
  t.ok(Math.abs(Math.sqrt(dev[1]!) - 0.01) < 0.002 && Math.abs(Math.sqrt(dev[2]!) - 0.2) < 0.03, `row std ${dev.map((d) => Math.sqrt(d).toFixed(4))} ≈ 0, 0.01, 0.2`);
});

t.test('observation normaliser: running mean/var = two-pass over every acted observation; normalises; in the learner state', async (t) => {
  // the class itself, batches of uneven sizes
  const rng = new Rng(3);
  const rows: number[][] = [];
  const norm = new RunningNorm(2);
  for (const n of [1, 5, 17, 2, 40]) {
    const x = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      x[2 * i] = 3 + 2 * rng.normal();
      x[2 * i + 1] = -1 + 0.1 * rng.normal();
      rows.push([x[2 * i]!, x[2 * i + 1]!]);
    }
    norm.update(x, n);
  }
  for (let d = 0; d < 2; d++) {
    const m = rows.reduce((s, r) => s + r[d]!, 0) / rows.length;
    const v = rows.reduce((s, r) => s + (r[d]! - m) ** 2, 0) / rows.length;
    t.ok(Math.abs(norm.mean[d]! - m) < 1e-12 && Math.abs(norm.var[d]! - v) < 1e-12, `dim ${d}: mean ${m.toFixed(4)}, var ${v.toFixed(4)}`);
  }
  const z = norm.normalize(Float32Array.of(norm.mean[0]! + Math.sqrt(norm.var[0]!), norm.mean[1]!), 1);
  t.ok(Math.abs(z[0]! - Math.sqrt(norm.var[0]!) / (Math.sqrt(norm.var[0]!) + 1e-2)) < 1e-6 && Math.abs(z[1]!) < 1e-6, '(x − mean)/(std + ε)');
  // in the trainer: the statistics of exactly the observations the actor acted on (= the replay's s)
  const cfg = tiny({ totalTimesteps: 600 });
  const tr = new OffPolicyTrainer(cfg, envs(cfg));
  while (!tr.done) tr.iterate();
  const ln = tr.learner.obsNorm!;
  t.equal(ln.count, tr.replay.count, `${ln.count} observations`);
  for (let d = 0; d < 3; d++) {
    let m = 0;
    for (let i = 0; i < tr.replay.count; i++) m += tr.replay.obs[i * 3 + d]!;
    m /= tr.replay.count;
    let v = 0;
    for (let i = 0; i < tr.replay.count; i++) v += (tr.replay.obs[i * 3 + d]! - m) ** 2;
    v /= tr.replay.count;
    t.ok(Math.abs(ln.mean[d]! - m) < 1e-9 * Math.max(1, Math.abs(m)) && Math.abs(ln.var[d]! - v) < 1e-9 * Math.max(1, v), `dim ${d}: running ${ln.mean[d]!.toFixed(5)}/${ln.var[d]!.toFixed(5)} = two-pass ${m.toFixed(5)}/${v.toFixed(5)}`);
  }
  const state = JSON.parse(JSON.stringify(tr.getState()));
  t.same(state.learner.obsNorm.count, 600, 'in the learner state');
  const other = new OffPolicyTrainer(cfg, envs(cfg));
  other.setState(state);
  t.same([Array.from(other.learner.obsNorm!.mean), Array.from(other.learner.obsNorm!.var)], [Array.from(ln.mean), Array.from(ln.var)], 'restored exactly');
  // the eval action sees normalised observations: with the normaliser moved, the same raw s acts differently
  const s = Float32Array.of(0.3, -0.2, 1.5);
  const a1 = other.learner.act(s, 1, 'eval', new Rng(1), new Float32Array(1))[0];
  other.learner.obsNorm!.update(Float32Array.of(10, 10, 10, -10, -10, -10), 2);
  t.not(other.learner.act(s, 1, 'eval', new Rng(1), new Float32Array(1))[0], a1, 'act normalises');
});

t.test('no target actor: the target actions come from the online actor (target smoothing around μ(s′))', async (t) => {
  const cfg = tiny();
  const tr = new OffPolicyTrainer(cfg, envs(cfg));
  const p = tr.learner.policy;
  if (p.kind !== 'deterministic') throw new Error('expected a deterministic actor');
  let online = 0;
  const act = p.act.bind(p);
  p.act = (s, n, out, useTarget = false) => {
    if (!useTarget) online += 1;
    t.notOk(useTarget, 'never the target actor');
    return act(s, n, out, useTarget);
  };
  while (tr.learner.updates < 4) tr.step();
  t.ok(online >= 4, `online actor calls: ${online}`);
});

const dir = tmpDir('pgvar-fasttd3-');
const small = ['train', '--algo', 'fasttd3', '--preset', 'cpu', '--env', ENV, '--steps', '2000', '--seed', '3', '--num-envs', '4', '--learning-starts', '200', '--buffer-size', '1500', '--batch-size', '32', '--hidden-sizes', '16,16', '--atoms', '21', '--log-every', '200', '--checkpoint-every', '600', '--eval-every', '1000', '--eval-episodes', '1', '--quiet'];
const json = (...p: string[]) => JSON.parse(fs.readFileSync(path.join(...p), 'utf8'));

t.test('fasttd3 through the CLI: killed with SIGKILL after a checkpoint, --resume gives the uninterrupted run', async (t) => {
  const ref = path.join(dir, 'ref');
  const r = cli([...small, '--out', ref]);
  t.equal(r.status, 0, r.stderr);
  const cfg = json(ref, 'config.json');
  t.same([cfg.algo, cfg.numEnvs, cfg.preset, cfg.mixedNoise, cfg.obsNormalization], ['fasttd3', 4, 'cpu', true, true], 'config.json');
  const out = path.join(dir, 'killed');
  await killAfterCheckpoint(small, out, 1200);
  t.notOk(fs.existsSync(path.join(out, 'summary.json')), 'killed mid-run');
  const ck = json(out, 'checkpoint', 'checkpoint.json').trainer; // past the first episodes' ends (step 800): σ redrawn since the start
  t.ok(ck.vector.envs.length === 4 && ck.noiseStd.length === 4 && ck.learner.obsNorm.count === ck.globalStep, `the checkpoint at ${ck.globalStep} holds 4 envs, their σ and the normaliser`);
  const res = cli(['train', '--resume', out, '--quiet']);
  t.equal(res.status, 0, res.stderr);
  t.same(deterministicMetrics(path.join(out, 'metrics.jsonl')), deterministicMetrics(path.join(ref, 'metrics.jsonl')), 'metrics equal');
  t.equal(fs.readFileSync(path.join(out, 'episodes.csv'), 'utf8'), fs.readFileSync(path.join(ref, 'episodes.csv'), 'utf8'), 'episodes equal');
  t.same(json(out, 'checkpoint', 'checkpoint.json').trainer, json(ref, 'checkpoint', 'checkpoint.json').trainer, 'final trainer state equal (weights, Adam, RNGs, envs, σ, normaliser)');
});

/** Trains to the end; deterministic return of 5 episodes before and after. */
function learn(mutant: 'none' | 'actor' | 'critic'): { before: number; after: number } {
  const cfg = agentConfig('fasttd3', ENV, { preset: 'cpu', seed: 1, numEnvs: 4, totalTimesteps: 4000, learningStarts: 400, bufferSize: 20_000, batchSize: 128, criticHidden: [64, 64], actorHidden: [64, 64], atoms: 51, vMin: -1200, vMax: 100, qLr: 1e-3, policyLr: 1e-3, qWeightDecay: 0, policyWeightDecay: 0, logEvery: 2000 });
  const tr = new OffPolicyTrainer(cfg, envs(cfg), make(ENV));
  const { learner } = tr;
  if (mutant === 'actor') {
    // the actor ascends −Q: its gradient through the critics flipped
    const p = learner.policy;
    if (p.kind !== 'deterministic') throw new Error('expected a deterministic actor');
    const backward = p.backward.bind(p);
    p.backward = (a, dA, n) => backward(a, dA.map((x) => -x), n);
  } else if (mutant === 'critic') {
    // the critics ascend their cross-entropy
    ascendCriticLoss(learner.critics);
  }
  const before = tr.evaluate(5);
  while (!tr.done) tr.iterate();
  const after = tr.evaluate(5);
  tr.close();
  return { before, after };
}

t.test('fasttd3 learns Pendulum-v1 (4 envs, 4 000 steps); the actor ascending −Q or the critic ascending its loss does not', async (t) => {
  const ok = learn('none');
  t.ok(ok.after > -500 && ok.after > ok.before + 500, `deterministic return ${ok.before.toFixed(0)} → ${ok.after.toFixed(0)}`);
  const actor = learn('actor');
  t.ok(actor.after < -1000, `actor ascending −Q: ${actor.before.toFixed(0)} → ${actor.after.toFixed(0)}`);
  const critic = learn('critic');
  t.ok(critic.after < -1000, `critic ascending its cross-entropy: ${critic.before.toFixed(0)} → ${critic.after.toFixed(0)}`);
});
