/**
 * Network resets and AdamW (spec baselines.md §4, §6, §12.7, §12.10; offpolicy/resets.ts):
 *   - AdamW against its formula on a hand-made example, and λ = 0 is Adam bit for bit (the kernel
 *     against a float32 emulation of PyTorch's rule, and a learner configured adamw/0 against adam);
 *   - a full reset from the init stream gives back the initial learner (parameters, targets, zero
 *     Adam moments and step counts, α), and the next update equals a fresh learner's;
 *   - a partial reset (critic, last layer) re-draws only those tensors; the other layers, the actor,
 *     α and all their moments are untouched, and Adam steps each tensor with its own bias correction;
 *   - the scheduler fires at the listed env steps / updates, draws from its own stream (the rows
 *     before the first reset equal a run without resets), and a run checkpointed before or between
 *     resets resumes to the uninterrupted run's metrics;
 *   - dac's extra state: a full reset gives back the initial π_o (= π_c) and β_ub, λ; an actor
 *     last-layer reset takes π_o's last layer; vpl's β restarts with a critic reset; dac and vpl runs
 *     with resets resume exactly (rows and final state) from a checkpoint before or between resets;
 *   - sac-ln-reset learns Pendulum-v1 through a reset in 4 000 steps; with the TD target's sign
 *     flipped it does not;
 *   - the config's checks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { streamSeed } from '../common/seeding.js';
import { make } from '../envs/registry.js';
import { Arena } from '../nets/engine/arena.js';
import { ParamStore } from '../nets/engine/param-store.js';
import { AGENT_DEFAULTS, agentConfig, BRO_RESET_STEPS } from '../offpolicy/agents.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import { OffPolicyLearner, type LearnerConfig, type LearnerState } from '../offpolicy/learner.js';
import { allocBatch, type Batch } from '../offpolicy/replay.js';
import { loadReplaySegments, saveReplaySegments } from '../offpolicy/replay-segments.js';
import { resetTensors } from '../offpolicy/resets.js';
import { OffPolicyTrainer, type OffPolicyMetrics } from '../offpolicy/trainer.js';
import { learnWithMutant } from './offpolicy-helpers.js';

const small = (over: Partial<LearnerConfig> = {}): LearnerConfig => ({ ...AGENT_DEFAULTS['sac-ln-reset'], criticHidden: [16, 8], actorHidden: [16, 8], ...over });
const OBS = 4;
const ACT = 2;

function randomBatch(n: number, seed: number): Batch {
  const rng = new Rng(seed);
  const b = allocBatch(n, OBS, ACT);
  for (const a of [b.obs, b.nextObs, b.rew]) for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  for (let i = 0; i < b.act.length; i++) b.act[i] = rng.uniform(-1, 1);
  for (let i = 0; i < n; i++) b.terminated[i] = rng.uniform(0, 1) < 0.1 ? 1 : 0;
  return b;
}

/** `k` updates on fresh random batches with one noise stream. */
function train(learner: OffPolicyLearner, k: number, seed = 5): void {
  const rng = new Rng(seed);
  for (let i = 0; i < k; i++) learner.update(randomBatch(32, seed * 100 + i), rng);
}

/** A learner's state without its update counter (which runs on through resets). */
const nets = (s: LearnerState) => ({ stores: s.stores, alpha: s.alpha });

// ---- AdamW ------------------------------------------------------------------------------------

t.test('AdamW equals p ← p(1 − lr·λ) − lr·m̂/(√v̂ + ε) on a hand-made example; a zero-gradient weight decays geometrically', async (t) => {
  const shapes = [[2, 2], [3]];
  const p0 = [[1, -2, 0.5, 3], [-0.25, 4, 0]];
  const grads = [
    [[0.1, -0.3, 0, 2], [0.5, -1, 0.2]],
    [[0.2, 0.1, 0, -1], [0.5, 0.3, -0.2]],
    [[-0.4, 0.2, 0, 0.5], [0.1, 0.1, 0.1]],
  ];
  const [lr, b1, b2, eps, wd] = [0.01, 0.9, 0.999, 1e-8, 0.1];
  const store = new ParamStore(new Arena(), shapes);
  store.write(p0);
  // the formula in float64
  const p = p0.map((x) => [...x]);
  const m = p0.map((x) => x.map(() => 0));
  const v = p0.map((x) => x.map(() => 0));
  grads.forEach((g, s) => {
    store.write(g, 'g');
    store.adamStep(lr, b1, b2, eps, wd);
    const tt = s + 1;
    p.forEach((row, i) =>
      row.forEach((_, j) => {
        const gij = g[i]![j]!;
        m[i]![j] = b1 * m[i]![j]! + (1 - b1) * gij;
        v[i]![j] = b2 * v[i]![j]! + (1 - b2) * gij * gij;
        const mHat = m[i]![j]! / (1 - b1 ** tt);
        const vHat = v[i]![j]! / (1 - b2 ** tt);
        // optax.adamw's form: p − lr·(m̂/(√v̂ + ε) + λp), the same number as PyTorch's order
        row[j] = row[j]! - lr * (mHat / (Math.sqrt(vHat) + eps) + wd * row[j]!);
      }),
    );
  });
  const got = store.read('p');
  let worst = 0;
  p.forEach((row, i) => row.forEach((x, j) => (worst = Math.max(worst, Math.abs(got[i]![j]! - x) / Math.max(1, Math.abs(x))))));
  t.ok(worst < 1e-6, `after 3 AdamW steps (float32): worst relative error ${worst.toExponential(2)}`);
  t.ok(Math.abs(got[0]![2]! - 0.5 * (1 - lr * wd) ** 3) < 1e-7, `a weight whose gradient is always 0 decays by (1 − lr·λ)³: ${got[0]![2]} (coupled L2 would move it by ≈ lr per step)`);
  t.same(store.steps, [3, 3], 'both tensors took 3 steps');
});

/** PyTorch's float32 Adam, one rounding per operation as the kernel does them. */
function adamF32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, tt: number, lr: number, b1: number, b2: number, eps: number): void {
  const f = Math.fround;
  const [fb1, fb2, fe] = [f(b1), f(b2), f(eps)];
  const [c1, c2] = [f(1 - fb1), f(1 - fb2)];
  const step = f(lr / (1 - b1 ** tt));
  const bc = f(Math.sqrt(1 - b2 ** tt));
  for (let i = 0; i < p.length; i++) {
    m[i] = f(f(m[i]! * fb1) + f(g[i]! * c1));
    v[i] = f(f(v[i]! * fb2) + f(f(g[i]! * g[i]!) * c2));
    const denom = f(f(f(Math.sqrt(v[i]!)) / bc) + fe);
    p[i] = f(p[i]! - f(f(m[i]! / denom) * step));
  }
}

t.test('AdamW with λ = 0 is Adam bit for bit: the kernel against float32 PyTorch Adam, and a learner adamw/0 against adam', async (t) => {
  const rng = new Rng(3);
  const n = 12;
  const rand = (s = 1) => Float32Array.from({ length: n }, () => s * rng.normal());
  const p0 = rand(1e-4); // parameters no larger than the updates, so that every rounding of the update shows in p
  const ref = { p: p0.slice(), m: new Float32Array(n), v: new Float32Array(n) };
  const adam = new ParamStore(new Arena(), [[n]]);
  const adamw = new ParamStore(new Arena(), [[n]]);
  adam.write([p0]);
  adamw.write([p0]);
  for (let s = 1; s <= 6; s++) {
    const g = rand(s < 3 ? 3 : 0.01);
    adamF32(ref.p, g, ref.m, ref.v, s, 3e-4, 0.9, 0.999, 1e-8);
    adam.write([g], 'g');
    adamw.write([g], 'g');
    adam.adamStep(3e-4, 0.9, 0.999, 1e-8);
    adamw.adamStep(3e-4, 0.9, 0.999, 1e-8, 0);
  }
  t.same(adam.read('p')[0], ref.p, 'Adam equals the float32 reference bit for bit');
  t.same(adamw.read('p')[0], ref.p, 'AdamW λ = 0 equals it bit for bit');
  t.same(adamw.read('m')[0], ref.m, 'and its moments');

  const plain = new OffPolicyLearner(small(), OBS, ACT, new Rng(1));
  const w0 = new OffPolicyLearner(small({ qOptimizer: 'adamw', policyOptimizer: 'adamw' }), OBS, ACT, new Rng(1));
  const w1 = new OffPolicyLearner(small({ qOptimizer: 'adamw', qWeightDecay: 0.01, policyOptimizer: 'adamw', policyWeightDecay: 0.01 }), OBS, ACT, new Rng(1));
  for (const l of [plain, w0, w1]) train(l, 6);
  t.same(w0.getState(), plain.getState(), 'learner: adamw with weight decay 0 ≡ adam, every store bit for bit');
  t.notSame(w1.getState().stores['critics'], plain.getState().stores['critics'], 'qWeightDecay 0.01 changes the critics');
  t.notSame(w1.getState().stores['actor'], plain.getState().stores['actor'], 'policyWeightDecay 0.01 changes the actor');
});

// ---- resets -----------------------------------------------------------------------------------

t.test('a full reset from the init stream gives back the initial learner; the next update equals a fresh learner’s', async (t) => {
  for (const over of [{}, { policy: 'deterministic', autotune: false, actorAggregator: 'first', actorUpdatesPerDelay: 1, targetNetworkFrequency: 2 } as const]) {
    const kind = over.policy ?? 'tanh-gaussian';
    const learner = new OffPolicyLearner(small(over), OBS, ACT, new Rng(11));
    const initial = learner.getState();
    train(learner, 4);
    const trained = learner.getState();
    for (const name of Object.keys(initial.stores)) {
      t.notSame(trained.stores[name]!.p, initial.stores[name]!.p, `${kind}: ${name} moved in training`);
      if (!name.includes('arget')) t.equal(trained.stores[name]!.t, name === 'actor' && kind === 'deterministic' ? 2 : 4, `${kind}: ${name} took Adam steps`);
    }
    if (kind === 'tanh-gaussian') t.not(trained.alpha!.logValue, 0, 'α moved');
    learner.reset({ networks: ['critic', 'actor', 'temperature'], layers: 0 }, new Rng(11));
    t.same(nets(learner.getState()), nets(initial), `${kind}: parameters, targets, zero moments, step counts 0${kind === 'tanh-gaussian' ? ' and α₀ with a fresh Adam' : ''}: the initial learner`);
    t.equal(learner.updates, 4, 'the update counter runs on');
    const fresh = new OffPolicyLearner(small(over), OBS, ACT, new Rng(11));
    const b = randomBatch(32, 77);
    learner.update(b, new Rng(9));
    fresh.update(b, new Rng(9));
    t.same(nets(learner.getState()), nets(fresh.getState()), `${kind}: the update after the reset equals a freshly built learner’s`);
  }
});

t.test('a partial reset (critic, last layer) re-draws those tensors only; other layers, actor, α and their moments are untouched', async (t) => {
  const learner = new OffPolicyLearner(small(), OBS, ACT, new Rng(11));
  train(learner, 4);
  const before = learner.getState();
  const critics = learner.critics.store;
  const last = learner.critics.nets.flatMap((n) => resetTensors(n, 1));
  t.same(last, [8, 9, 18, 19], "each critic's output W and b (16-8-1 with LayerNorm: tensors W b g β W b g β W b)");
  learner.reset({ networks: ['critic'], layers: 1 }, new Rng(123));
  const fresh = new OffPolicyLearner(small(), OBS, ACT, new Rng(123));
  const after = learner.getState();
  const got = { p: critics.read('p'), m: critics.read('m'), v: critics.read('v'), target: learner.critics.targetStore.read('p') };
  const was = { p: before.stores['critics']!, target: before.stores['criticTargets']! };
  const freshP = fresh.critics.store.read('p');
  const untouched: number[] = [];
  for (let i = 0; i < critics.shapes.length; i++) {
    if (last.includes(i)) {
      t.same(got.p[i], freshP[i], `tensor ${i}: the fresh learner's draw`);
      t.same(got.target[i], freshP[i], `tensor ${i}: its target too`);
      t.ok(got.m[i]!.every((x) => x === 0) && got.v[i]!.every((x) => x === 0), `tensor ${i}: zero moments`);
      t.notSame(Array.from(got.p[i]!), Array.from(new Float32Array(got.p[i]!.length)), `tensor ${i}: not zero`);
    } else untouched.push(i);
  }
  const b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  t.ok(untouched.every((i) => b64(got.p[i]!) === was.p.p[i] && b64(got.m[i]!) === was.p.m[i] && b64(got.v[i]!) === was.p.v[i]), `the other ${untouched.length} critic tensors: parameters and moments unchanged`);
  t.ok(untouched.every((i) => b64(got.target[i]!) === was.target.p[i]), 'and their targets');
  t.same(critics.steps, critics.shapes.map((_, i) => (last.includes(i) ? 0 : 4)), 'Adam step counts: 0 for the reset tensors, 4 for the rest');
  t.same(after.stores['actor'], before.stores['actor'], 'the actor: parameters, moments and step unchanged');
  t.same(after.alpha, before.alpha, 'α and its Adam unchanged');
  t.same(after.stores['critics']!.steps, critics.steps, 'the checkpoint records per-tensor step counts');
  const copy = new OffPolicyLearner(small(), OBS, ACT, new Rng(0));
  copy.setState(JSON.parse(JSON.stringify(after)));
  t.same(copy.critics.store.steps, critics.steps, 'and restores them');
});

t.test('per-tensor Adam steps: after a partial reset each tensor steps with its own bias correction', async (t) => {
  const shapes = [[3, 2], [2], [2, 1], [1]];
  const rng = new Rng(8);
  const values = () => shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
  const mk = (p: Float32Array[]) => {
    const s = new ParamStore(new Arena(), shapes);
    s.write(p);
    return s;
  };
  const p0 = values();
  const a = mk(p0);
  const b = mk(p0);
  for (let k = 0; k < 3; k++) {
    const g = values();
    for (const s of [a, b]) {
      s.write(g, 'g');
      s.adamStep(1e-2, 0.9, 0.999, 1e-8);
    }
  }
  const freshP = values();
  const fresh = mk(freshP);
  const ref = mk(freshP); // what the fresh tensors become on their own first step
  b.copyTensorsFrom(fresh, [2, 3]);
  t.same(b.steps, [3, 3, 0, 0]);
  t.throws(() => b.t, /step counts differ/, 'a single t is refused while they differ');
  const g = values();
  for (const s of [a, b, ref]) {
    s.write(g, 'g');
    s.adamStep(1e-2, 0.9, 0.999, 1e-8);
  }
  t.same(b.steps, [4, 4, 1, 1]);
  t.same(b.read('p').slice(0, 2), a.read('p').slice(0, 2), 'untouched tensors: as if there had been no reset, bit for bit');
  t.same(b.read('p').slice(2), ref.read('p').slice(2), "reset tensors: a fresh store's first step, bit for bit");
});

// ---- the scheduler in the trainer --------------------------------------------------------------

const ENV = 'Pendulum-v1';
const trainer = (cfg: OffPolicyConfig) => new OffPolicyTrainer(cfg, make(ENV), make(ENV));
function run(tr: OffPolicyTrainer, untilStep = Infinity): OffPolicyMetrics[] {
  const rows: OffPolicyMetrics[] = [];
  while (!tr.done && tr.globalStep < untilStep) rows.push(tr.iterate().metrics);
  return rows;
}
const tiny = (over: Partial<OffPolicyConfig>) => agentConfig('sac-ln-reset', ENV, { seed: 1, totalTimesteps: 600, learningStarts: 100, bufferSize: 1000, batchSize: 32, criticHidden: [16, 16], actorHidden: [16, 16], logEvery: 50, ...over });
const SCHEDULES: [string, Partial<OffPolicyConfig>][] = [
  ['full resets after env steps 250 and 450', { resetAt: [250, 450] }],
  ['critic last-layer resets after updates 100 and 500 (UTD 2)', { resetAt: [100, 500], resetUnit: 'update', resetNetworks: ['critic'], resetLayers: 1, updatesPerStep: 2 }],
];

t.test('resets fire on schedule, from their own stream: rows before the first one equal a run without resets', async (t) => {
  for (const [name, over] of SCHEDULES) {
    const rows = run(trainer(tiny(over)));
    const none = run(trainer(tiny({ ...over, resetAt: [] })));
    const count = (r: OffPolicyMetrics) => (over.resetUnit === 'update' ? r.updates : r.global_step);
    t.same(rows.map((r) => r.resets), rows.map((r) => over.resetAt!.filter((s) => s <= count(r)).length), `${name}: each row counts the resets due by its ${over.resetUnit === 'update' ? 'update count' : 'step'}`);
    t.equal(rows.at(-1)!.resets, 2, `${name}: both fired`);
    const cut = rows.findIndex((r) => count(r) >= over.resetAt![0]!);
    t.same(rows.slice(0, cut), none.slice(0, cut), `${name}: the ${cut} rows before the first reset equal the run without resets`);
    t.notSame(rows.slice(cut + 1).map((r) => r.qf_loss), none.slice(cut + 1).map((r) => r.qf_loss), `${name}: after it they differ`);
  }
});

t.test('the trainer’s k-th reset builds its networks from the stream offpolicy/reset/k', async (t) => {
  const cfg = tiny({ resetAt: [250, 450] });
  const tr = trainer(cfg);
  for (const [k, at] of [[1, 250], [2, 450]] as const) {
    while (tr.globalStep < at - 1) tr.step();
    t.equal(tr.resets.done, k - 1);
    tr.step();
    t.equal(tr.resets.done, k, `reset ${k} after env step ${at}`);
    const fresh = new OffPolicyLearner(cfg, tr.obsDim, tr.actDim, new Rng(streamSeed(cfg.seed, `offpolicy/reset/${k}`)));
    t.same(nets(tr.learner.getState()), nets(fresh.getState()), `reset ${k}: the learner is the one built from offpolicy/reset/${k}`);
  }
});

t.test('checkpointed before or between resets and resumed in fresh objects: the uninterrupted run’s metrics', async (t) => {
  for (const [name, over] of SCHEDULES) {
    const straight = run(trainer(tiny(over)));
    for (const stop of [200, 300]) {
      const first = trainer(tiny(over));
      const head = run(first, stop);
      const state = JSON.parse(JSON.stringify(first.getState()));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvar-resets-'));
      t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
      saveReplaySegments(first.replay, dir, 128);
      const resumed = trainer(tiny(over));
      resumed.setState(state);
      loadReplaySegments(resumed.replay, dir, state.replayCount);
      t.same([...head, ...run(resumed)], straight, `${name}: resumed at step ${stop} (${state.resetsDone} reset(s) done), metrics equal the uninterrupted run's`);
    }
  }
});

// ---- dac and vpl: what a reset does to their extra state ----------------------------------------

const dacSmall = (over: Partial<LearnerConfig> = {}): LearnerConfig => ({ ...AGENT_DEFAULTS.dac, criticHidden: [16, 8], actorHidden: [16, 8], dualLr: 1e-2, ...over });

/** `k` DAC/VPL updates on random batches (VPL's β on a second, held-out one). */
function trainWithVal(learner: OffPolicyLearner, k: number, seed = 5): void {
  const rng = new Rng(seed);
  for (let i = 0; i < k; i++) learner.update(randomBatch(32, seed * 100 + i), rng, randomBatch(32, seed * 1000 + i));
}

t.test('dac: a full reset gives back the initial learner, its own fresh π_o and β_ub, λ restarted included; an actor last-layer reset takes π_o’s last layer too', async (t) => {
  const learner = new OffPolicyLearner(dacSmall(), OBS, ACT, new Rng(11));
  const initial = learner.getState();
  t.notSame(initial.stores['optimisticActor']!.p, initial.stores['actor']!.p, "π_o starts as its own network (optimisticInit 'fresh', DAC's code)");
  train(learner, 4);
  const trained = learner.getState();
  t.notSame(trained.stores['optimisticActor']!.p, trained.stores['actor']!.p, 'π_o moved away from π_c');
  t.notSame(trained.optimistic, initial.optimistic, 'β_ub and λ moved');
  learner.reset({ networks: ['critic', 'actor', 'temperature'], layers: 0 }, new Rng(11));
  const { updates: _u, ...after } = learner.getState();
  const { updates: _v, ...init } = initial;
  t.same(after, init, 'every store (π_o with its zero moments and step counts), α, β_ub and λ with their Adam: the initial learner');
  const fresh = new OffPolicyLearner(dacSmall(), OBS, ACT, new Rng(11));
  const b = randomBatch(32, 77);
  learner.update(b, new Rng(9));
  fresh.update(b, new Rng(9));
  t.same({ ...learner.getState(), updates: 0 }, { ...fresh.getState(), updates: 0 }, 'and the next update equals a fresh learner’s, π_o’s step and the duals’ included');

  // partial: the actor's last layer (π_c's and π_o's), the critics left alone
  const part = new OffPolicyLearner(dacSmall(), OBS, ACT, new Rng(11));
  train(part, 4);
  const before = part.getState();
  part.reset({ networks: ['actor'], layers: 1 }, new Rng(123));
  const other = new OffPolicyLearner(dacSmall(), OBS, ACT, new Rng(123)).getState();
  const now = part.getState();
  const last = resetTensors(part.policy.net, 1);
  const o = now.stores['optimisticActor']!;
  for (let i = 0; i < o.p.length; i++) {
    const was = before.stores['optimisticActor']!;
    const want = last.includes(i) ? other.stores['optimisticActor']! : was;
    t.same([o.p[i], o.m[i], o.v[i]], [want.p[i], want.m[i], want.v[i]], `π_o tensor ${i}: ${last.includes(i) ? "the fresh π_o's, zero moments" : 'untouched'}`);
  }
  t.notSame(o.p.filter((_, i) => last.includes(i)), now.stores['actor']!.p.filter((_, i) => last.includes(i)), 'π_o’s reset layer is its own (fresh π_o), not π_c’s');
  t.same(o.steps, o.p.map((_, i) => (last.includes(i) ? 0 : 4)), 'π_o’s step counts: 0 for the reset tensors');
  t.same(now.optimistic, other.optimistic, 'β_ub and λ restart (initial values, fresh Adam) with an actor reset');
  t.same([now.stores['critics'], now.alpha], [before.stores['critics'], before.alpha], 'critics and α untouched');

  // a critic-only reset leaves π_o and its coefficients alone
  const crit = new OffPolicyLearner(dacSmall(), OBS, ACT, new Rng(11));
  train(crit, 4);
  const c0 = crit.getState();
  crit.reset({ networks: ['critic'], layers: 0 }, new Rng(5));
  const c1 = crit.getState();
  t.same([c1.stores['optimisticActor'], c1.optimistic], [c0.stores['optimisticActor'], c0.optimistic], 'a critic reset leaves π_o, β_ub and λ');
});

t.test('vpl: β restarts with a critic reset (value and Adam), not with an actor or temperature reset', async (t) => {
  const cfg = (): LearnerConfig => ({ ...AGENT_DEFAULTS.vpl, criticHidden: [16, 8], actorHidden: [16, 8], dualLr: 1e-2 });
  const learner = new OffPolicyLearner(cfg(), OBS, ACT, new Rng(11));
  const initial = learner.getState().pessimism;
  trainWithVal(learner, 4);
  const trained = learner.getState().pessimism;
  t.not(trained!.logValue, initial!.logValue, 'β moved');
  learner.reset({ networks: ['actor', 'temperature'], layers: 0 }, new Rng(3));
  t.same(learner.getState().pessimism, trained, 'an actor and temperature reset leaves β');
  learner.reset({ networks: ['critic'], layers: 1 }, new Rng(3));
  t.same(learner.getState().pessimism, initial, 'a critic reset (even a last-layer one) restarts β');
});

const dacTiny = (over: Partial<OffPolicyConfig> = {}) =>
  agentConfig('dac', ENV, { seed: 1, totalTimesteps: 600, learningStarts: 100, bufferSize: 1000, batchSize: 32, updatesPerStep: 2, criticHidden: [16, 16], actorHidden: [16, 16], logEvery: 50, optimisticRefreshEvery: 200, dualLr: 1e-3, ...over });
const DAC_SCHEDULES: [string, OffPolicyConfig][] = [
  ['dac, full resets after env steps 250 and 450', dacTiny({ resetAt: [250, 450] })],
  ['dac, actor last-layer resets after updates 300 and 700', dacTiny({ resetAt: [300, 700], resetUnit: 'update', resetNetworks: ['actor'], resetLayers: 1 })],
  ['vpl, critic resets after env steps 250 and 450', agentConfig('vpl', ENV, { seed: 1, totalTimesteps: 600, learningStarts: 100, bufferSize: 1000, batchSize: 32, criticHidden: [16, 16], actorHidden: [16, 16], logEvery: 50, dualLr: 1e-2, validationEvery: 5, resetAt: [250, 450], resetNetworks: ['critic'] })],
];

t.test('dac and vpl with resets: the k-th reset is a fresh learner (π_o and the duals too); checkpointed before or between resets and resumed, the uninterrupted run’s rows and state', async (t) => {
  const cfg = DAC_SCHEDULES[0]![1];
  const tr = trainer(cfg);
  for (const [k, at] of [[1, 250], [2, 450]] as const) {
    while (tr.globalStep < at) tr.step();
    t.equal(tr.resets.done, k, `reset ${k} after env step ${at}`);
    const fresh = new OffPolicyLearner(cfg, tr.obsDim, tr.actDim, new Rng(streamSeed(cfg.seed, `offpolicy/reset/${k}`)));
    t.same({ ...tr.learner.getState(), updates: 0 }, { ...fresh.getState(), updates: 0 }, `reset ${k}: every store, π_o (= π_c), α, β_ub and λ are those of the learner built from offpolicy/reset/${k}`);
  }
  for (const [name, c] of DAC_SCHEDULES) {
    const whole = trainer(c);
    const straight = run(whole);
    const end = JSON.parse(JSON.stringify(whole.getState()));
    t.equal(straight.at(-1)!.resets, 2, `${name}: both resets fired`);
    for (const stop of [200, 300]) {
      const first = trainer(c);
      const head = run(first, stop);
      const state = JSON.parse(JSON.stringify(first.getState()));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvar-dac-resets-'));
      t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
      saveReplaySegments(first.replay, dir, 128);
      run(first, stop + 150); // goes on past the checkpoint (and a reset), then dies
      const resumed = trainer(c);
      resumed.setState(state);
      loadReplaySegments(resumed.replay, dir, state.replayCount);
      t.same([...head, ...run(resumed)], straight, `${name}: resumed at step ${stop} (${state.resetsDone} reset(s) done), rows equal the uninterrupted run's`);
      // the eval env never steps here; its seeded RNG words read back signed or unsigned (the same 32 bits), so it is left out
      const { evalEnv: _e, ...got } = JSON.parse(JSON.stringify(resumed.getState()));
      const { evalEnv: _f, ...want } = end;
      t.same(got, want, `${name}: and so does the final state (weights, π_o, Adam moments and steps, α, β_ub, λ or β, resets done, RNG streams)`);
    }
  }
});

// ---- learning ---------------------------------------------------------------------------------

function learn(flipTarget: boolean): { before: number; after: number; resets: number } {
  const cfg = agentConfig('sac-ln-reset', ENV, { seed: 1, totalTimesteps: 4000, learningStarts: 500, bufferSize: 20_000, batchSize: 64, criticHidden: [32, 32], actorHidden: [32, 32], qLr: 1e-3, policyLr: 1e-3, logEvery: 1000, resetAt: [1000] });
  const { before, after, rows } = learnWithMutant(cfg, flipTarget);
  return { before, after, resets: rows.at(-1)!.resets };
}

t.test('sac-ln-reset learns Pendulum-v1 in 4 000 steps through a full reset at step 1 000; with the TD target’s sign flipped it does not', async (t) => {
  const ok = learn(false);
  t.equal(ok.resets, 1, 'one reset');
  t.ok(ok.after > -500 && ok.after > ok.before + 700, `deterministic return ${ok.before.toFixed(0)} → ${ok.after.toFixed(0)}`);
  const bad = learn(true);
  t.ok(bad.after < -1000, `with −y: ${bad.before.toFixed(0)} → ${bad.after.toFixed(0)}`);
});

// ---- config ------------------------------------------------------------------------------------

t.test('sac-ln-reset is sac with LayerNorm critics and full resets at BRO’s steps; bad reset and optimiser settings are refused', async (t) => {
  const { algo: _a, criticLayerNorm, resetAt, ...rest } = AGENT_DEFAULTS['sac-ln-reset'];
  const { algo: _b, criticLayerNorm: sacLn, resetAt: sacResets, ...sacRest } = AGENT_DEFAULTS.sac;
  t.same(rest, sacRest, 'every other default is sac’s');
  t.same([criticLayerNorm, sacLn, sacResets], [true, false, []]);
  t.same(resetAt, BRO_RESET_STEPS);
  t.same(BRO_RESET_STEPS, [15001, 50001, 250001, 500001, 750001, 1000001, 1500001, 2000001], 'spec §6');
  t.same([rest.resetNetworks, rest.resetLayers, rest.resetUnit], [['critic', 'actor', 'temperature'], 0, 'env-step'], 'full resets');
  const bad: [Partial<OffPolicyConfig>, RegExp][] = [
    [{ resetAt: [500, 500] }, /resetAt must be strictly increasing; 500 follows 500/],
    [{ resetAt: [0] }, /'resetAt\.0'/],
    [{ resetNetworks: ['critic', 'critic'] }, /names a network twice/],
    [{ resetNetworks: [] }, /'resetNetworks'/],
    [{ resetLayers: 4 }, /resetLayers 4 exceeds the 3 Linear layers/],
    [{ qWeightDecay: 1e-4 }, /qWeightDecay 0.0001 is AdamW's decoupled weight decay; set qOptimizer 'adamw'/],
    [{ policyOptimizer: 'sgd' as 'adam' }, /'policyOptimizer'/],
  ];
  for (const [over, re] of bad) t.throws(() => agentConfig('sac-ln-reset', ENV, over), re, JSON.stringify(over));
  t.equal(agentConfig('sac-ln-reset', ENV, { qOptimizer: 'adamw', qWeightDecay: 1e-4 }).qWeightDecay, 1e-4, 'adamw takes a weight decay');
});
