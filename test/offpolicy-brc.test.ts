/**
 * The `brc` agent (spec baselines.md §8) as a configuration of the off-policy core: its presets and
 * multi-task defaults, one-line errors for bad task lists; the BRC target (mean of the target
 * members' probabilities, entropy-shifted, C51-projected with BRC's l = u rule) on a hand batch; the
 * per-task reward normaliser against a hand computation (terminated and truncated episodes, the
 * denominator, its use in the update) and against the episodes a multi-task trainer fed it; the task
 * embedding (unit norm, its gradient by finite differences, moved by the TD loss only — never by the
 * actor's); the multi-task replay drawing tasks uniformly (χ² on rings of unequal fill); padded
 * observations and actions; exact resume of a multi-task run through the CLI after SIGKILL; and a
 * learning test on Pendulum-v1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { fillNormal, Rng } from '../common/rng.js';
import { make } from '../envs/registry.js';
import type { ParamStore } from '../nets/engine/param-store.js';
import { AGENT_DEFAULTS, agentConfig } from '../offpolicy/agents.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import { categoricalProjection } from '../offpolicy/distributional.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { allocBatch, ReplayBuffer, type Batch } from '../offpolicy/replay.js';
import { returnRange, TaskRewardNormalizer } from '../offpolicy/task-reward-normalizer.js';
import { TaskReplay } from '../offpolicy/task-replay.js';
import { OffPolicyTrainer } from '../offpolicy/trainer.js';
import { analyze } from '../experiment/analyze.js';
import { resolveOffPolicyConfig } from '../experiment/offpolicy-config.js';
import { BIN, cli, cliInProcess, deterministicMetrics, spawn, tmpDir } from './helpers.js';
import { killAfterCheckpoint, learnWithMutant } from './offpolicy-helpers.js';

const ENV = 'Pendulum-v1';
const TASKS = 'Pendulum-v1,LunarLanderContinuous-v3';
const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
/** brc's structure at test scale. */
const tiny = (envId = ENV, over: Record<string, unknown> = {}) => agentConfig('brc', envId, { preset: 'cpu', totalTimesteps: 600, learningStarts: 100, bufferSize: 1000, batchSize: 16, criticHidden: [16], criticBlocks: 1, actorHidden: [16], atoms: 21, logEvery: 200, taskEmbeddingDim: 4, ...over });
const trainer = (cfg: OffPolicyConfig) => {
  const ids = cfg.envId.split(',');
  const envs = ids.flatMap((id) => Array.from({ length: cfg.numEnvs }, () => make(id)));
  return new OffPolicyTrainer(cfg, envs.length === 1 ? envs[0]! : envs, cfg.evalEvery > 0 ? ids.map((id) => make(id)) : undefined);
};

t.test('brc presets: paper = spec §8; cpu keeps the structure; a task list takes batch 1024; bad lists are one-line errors', async (t) => {
  const p = AGENT_DEFAULTS.brc;
  t.same(
    [p.numCritics, p.criticTrunk, p.criticHidden, p.criticBlocks, p.actorTrunk, p.actorHidden, p.actorBlocks, p.logStdMin, p.logStdMax, p.valueHead, p.atoms, p.vMin, p.vMax, p.categoricalTarget, p.c51Edge, p.targetAggregator, p.actorAggregator],
    [2, 'bronet', [4096], 2, 'bronet', [256], 1, -10, 2, 'categorical', 101, -10, 10, 'c51', 'brc', 'mean', 'mean'],
    '2 BroNet critics 4096 × 2 blocks, 101 atoms on ±10, mean of probabilities; BroNet actor 256 × 1, log σ ∈ [−10, 2]',
  );
  t.same(
    [p.alpha, p.autotune, p.targetEntropyScale, p.alphaLr, p.alphaBeta1, p.qOptimizer, p.qWeightDecay, p.qLr, p.policyOptimizer, p.policyWeightDecay, p.policyLr, p.gamma, p.tau, p.updatesPerStep, p.batchSize, p.learningStarts, p.bufferSize, p.resetAt, p.optimisticActor, p.taskRewardNormalization, p.taskEmbeddingDim, p.evalEvery, p.evalEpisodes],
    [0.1, true, 0.5, 3e-4, 0.5, 'adamw', 1e-4, 3e-4, 'adamw', 1e-4, 3e-4, 0.99, 0.005, 2, 256, 5000, 1e6, [], false, true, 32, 50_000, 10],
    'α₀ 0.1 toward −|A|/2 (Adam 3e-4, β1 0.5), AdamW 3e-4 / 1e-4, γ 0.99, τ 0.005, UTD 2, batch 256, 5 000 random steps, no resets or optimism, reward normalisation, a 32-dim embedding',
  );
  const c = agentConfig('brc', ENV, { preset: 'cpu' });
  t.same([c.preset, c.criticHidden, c.actorHidden, c.updatesPerStep, c.criticBlocks, c.atoms, c.batchSize], ['cpu', [256], [64], 2, 2, 101, 256]);
  t.same(agentConfig('brc', 'Pendulum-v1,pgvar/GaussianBandit-v0', { preset: 'cpu' }).batchSize, 1024, 'multi-task: batch 1024');
  t.same(agentConfig('brc', 'Pendulum-v1,pgvar/GaussianBandit-v0', { batchSize: 64 }).batchSize, 64, 'overrides win over the multi-task default');
  t.throws(() => agentConfig('sac', 'Pendulum-v1,LunarLanderContinuous-v3'), /envId 'Pendulum-v1,LunarLanderContinuous-v3' is a list of 2 tasks, but sac is a single-task agent; expected one env id, or a multi-task agent/);
  t.throws(() => agentConfig('brc', 'Pendulum-v1,Pendulum-v1'), /lists task 'Pendulum-v1' twice/);
  t.throws(() => agentConfig('brc', 'Pendulum-v1,'), /has an empty task/);
  await t.rejects(resolveOffPolicyConfig({}, { algo: 'brc', envId: 'Pendulum-v1,Pendulm-v9' }), /^unknown task 'Pendulm-v9' in --env Pendulum-v1,Pendulm-v9: expected env ids/);
  for (const [args, re] of [
    [['train', '--algo', 'brc', '--env', 'Pendulum-v1,Nope-v0'], /unknown task 'Nope-v0' in --env Pendulum-v1,Nope-v0: expected env ids/],
    [['train', '--algo', 'td3', '--env', TASKS], /td3 is a single-task agent; expected one env id, or a multi-task agent \(brc/],
  ] as const) {
    const r = await cliInProcess([...args]);
    t.equal(r.status, 2, r.stderr);
    t.match(r.stderr, re);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

/** Every target critic k outputs the constant row rows[k] (zero weights, head bias rows[k]); the task table, if any, stays. */
function constantRows(st: ParamStore, rows: number[][], tensorsPerMember: number): void {
  st.write(st.shapes.map((s, i) => {
    const member = Math.floor(i / tensorsPerMember);
    if (member >= rows.length) return st.param(i).slice();
    return i % tensorsPerMember === tensorsPerMember - 1 ? Float32Array.from(rows[member]!) : new Float32Array(s.reduce((x, y) => x * y, 1));
  }));
}

t.test('the BRC target on a hand batch: mean of the members’ probabilities, shifted by r + γm(z − α log π), C51 with BRC’s l = u rule', async (t) => {
  // 5 atoms on ±10 (Δ 5); member probabilities p1, p2 → mean [0.2, 0.25, 0.3, 0.15, 0.1]
  const learner = new OffPolicyLearner(agentConfig('brc', ENV, { atoms: 5, criticHidden: [8], criticBlocks: 1, actorHidden: [8] }), 3, 1, new Rng(1));
  const p1 = [0.1, 0.2, 0.4, 0.2, 0.1];
  const p2 = [0.3, 0.3, 0.2, 0.1, 0.1];
  constantRows(learner.critics.targetStore, [p1.map(Math.log), p2.map(Math.log)], learner.critics.nets[0]!.numTensors);
  const n = 2;
  const q = new Float32Array(n * 5);
  learner.critics.targetValue(new Float32Array(n * 3), new Float32Array(n), n, learner.targetAgg, q);
  t.ok([...q.subarray(0, 5)].every((x, k) => close(x, [0.2, 0.25, 0.3, 0.15, 0.1][k]!, 1e-6)), `mean of probabilities ${[...q.subarray(0, 5)].map((x) => x.toFixed(3))}`);
  // row 0: r 1, γ 0.5, α log π 2 → atoms at −5, −2.5, 0, 2.5, 5: positions 1, 1.5, 2, 2.5, 3 (three exact: whole to l);
  // row 1: terminated, r 12 → clipped at 10, all mass on the last atom
  const y = learner.head.target(q, Float32Array.of(1, 12), Float32Array.of(0, 1), 0.5, Float32Array.of(2, 2), n, new Float32Array(n * 5));
  const hand = [0, 0.2 + 0.125, 0.125 + 0.3 + 0.075, 0.075 + 0.1, 0, 0, 0, 0, 0, 1];
  t.ok([...y].every((x, k) => close(x, hand[k]!, 1e-6)), `projected ${[...y].map((x) => x.toFixed(3))} = hand ${hand}`);
  // the learner's own tdTarget is that, with α log π(a′|s′) of its sample
  const b = allocBatch(n, 3, 1);
  b.rew.set([1, 12]);
  b.terminated.set([0, 1]);
  const got = learner.tdTarget(b, new Rng(5), new Float32Array(n * 5));
  const pc = learner.policy;
  if (pc.kind !== 'tanh-gaussian') throw new Error('expected a tanh-Gaussian actor');
  const lp = pc.sampleFrom(b.nextObs, n, new Rng(5)).lp;
  const want = categoricalProjection({ probs: Float64Array.from(q), rewards: [1, 12], continues: [1, 0], discount: 0.99, vMin: -10, vMax: 10, entropy: [...lp].map((l) => 0.1 * l), edge: 'brc' });
  t.ok([...got].every((x, k) => close(x, want[k]!, 1e-5)), 'tdTarget = projection of the mean with α₀ = 0.1 times its log π');
});

t.test('reward normaliser: returns along terminated and truncated episodes, per task and env; the denominator; the update divides', async (t) => {
  // terminated [1, 2, 3], γ 0.5: G = 2.75, 3.5, 3; truncated [−2, 4]: G_2 = mean 1/(1 − 0.5) = 2, G = 0.5, 5
  t.same(returnRange([1, 2, 3], 0.5, false), { lo: 2.75, hi: 3.5 });
  t.same(returnRange([-2, 4], 0.5, true), { lo: 0.5, hi: 5 });
  const norm = new TaskRewardNormalizer(3, 2, 0.5, 10, -1);
  t.equal(norm.denominator(0, 0.2), 1, 'no finished episode: 1');
  // env 0 runs task 0, env 1 task 1, interleaved
  norm.observe(0, 0, 1, false, false);
  norm.observe(1, 1, -10, true, false);
  norm.observe(0, 0, 2, false, false);
  norm.observe(0, 0, 3, true, false);
  norm.observe(0, 0, -2, false, false);
  norm.observe(0, 0, 4, false, true);
  t.same([norm.min, norm.max], [[0.5, -10, null], [5, -10, null]], 'task 0: min 0.5, max 5; task 1: −10');
  // (max(|G_max|, |G_min|) − α·H̄/(2(1 − γ)))/v_max with α 0.2, H̄ −1, γ 0.5, v_max 10
  t.ok(close(norm.denominator(0, 0.2), (5 + 0.2) / 10, 1e-12) && close(norm.denominator(1, 0.2), (10 + 0.2) / 10, 1e-12) && norm.denominator(2, 0.2) === 1, 'denominators 0.52, 1.02, 1');
  t.same([...norm.normalize(Float32Array.of(1, 1, 1), Int32Array.of(0, 1, 2), 3, 0.2)].map((x) => +x.toFixed(6)), [+(1 / 0.52).toFixed(6), +(1 / 1.02).toFixed(6), 1]);
  const copy = new TaskRewardNormalizer(3, 2, 0.5, 10, -1);
  norm.observe(1, 1, 7, false, false); // a running episode goes into the state
  copy.setState(JSON.parse(JSON.stringify(norm.getState())));
  copy.observe(1, 1, 1, true, false);
  norm.observe(1, 1, 1, true, false);
  t.same(copy.getState(), norm.getState(), 'the state (running episodes included) resumes exactly');
  // the learner's update sees rewards divided by their task's denominator at the current α
  const learner = new OffPolicyLearner(tiny(TASKS), 8, 2, new Rng(1), 2);
  learner.taskRewardNorm!.setState({ min: [-100, 0.5], max: [20, 3], episodes: [[], []] });
  let seen: Float32Array | null = null;
  const tdTarget = learner.tdTarget.bind(learner);
  learner.tdTarget = (b, rng, y) => ((seen = b.rew.slice()), tdTarget(b, rng, y));
  const b = allocBatch(4, 8, 2);
  b.rew.set([10, 10, -3, 6]);
  b.task!.set([0, 1, 1, 0]);
  const alpha = learner.alpha;
  learner.update(b, new Rng(2));
  const d = [(100 + alpha / (2 * 0.01)) / 10, (3 + alpha / (2 * 0.01)) / 10];
  t.ok([...seen!].every((r, i) => close(r, [10 / d[0]!, 10 / d[1]!, -3 / d[1]!, 6 / d[0]!][i]!, 1e-6)), `rewards ÷ [${d.map((x) => x.toFixed(3))}] by task: ${[...seen!].map((x) => x.toFixed(4))}`);
});

t.test('multi-task trainer: padded observations and actions, per-task rings fed in lockstep, the normaliser fed each task’s episodes', async (t) => {
  const cfg = tiny(TASKS, { totalTimesteps: 800, learningStarts: 200, logEvery: 400 });
  const tr = trainer(cfg);
  t.same([tr.obsDim, tr.actDim, tr.replays.length, [...tr.taskOf]], [8, 2, 2, [0, 1]], 'obs 8 (3 padded), act 2 (1 used by Pendulum)');
  const pend = tr.vecs[0]!.envStacks()[0]!;
  const step = pend.step.bind(pend);
  let widths: number[] = [];
  pend.step = (a) => ((widths.push(a.length), step(a)));
  const rows = [];
  while (!tr.done) rows.push(tr.iterate());
  t.ok(widths.every((w) => w === 1), 'Pendulum gets 1 action dimension');
  widths = [];
  t.same(tr.replays.map((r) => r.count), [400, 400], 'one transition per task per vector step');
  const r0 = tr.replays[0]!;
  t.ok(Array.from({ length: r0.count }, (_, i) => [...r0.obs.subarray(i * 8 + 3, i * 8 + 8), ...r0.nextObs.subarray(i * 8 + 3, i * 8 + 8)]).flat().every((x) => x === 0), 'Pendulum observations zero-padded');
  t.ok(Array.from({ length: r0.count }, (_, i) => r0.act[i * 2 + 1]).some((x) => x !== 0), 'the replay keeps the whole action');
  // the normaliser's ranges are those of the episodes in each ring (split at their ends)
  for (let k = 0; k < 2; k++) {
    const ring = tr.replays[k]!;
    let lo = Infinity;
    let hi = -Infinity;
    let ep: number[] = [];
    for (let i = 0; i < ring.count; i++) {
      ep.push(ring.rew[i]!);
      if (ring.terminated[i] || ring.truncated[i]) {
        const r = returnRange(ep, cfg.gamma, !ring.terminated[i]);
        [lo, hi] = [Math.min(lo, r.lo), Math.max(hi, r.hi)];
        ep = [];
      }
    }
    t.ok(close(tr.learner.taskRewardNorm!.min[k]!, lo, 1e-5) && close(tr.learner.taskRewardNorm!.max[k]!, hi, 1e-5), `task ${k}: [${lo.toFixed(2)}, ${hi.toFixed(2)}]`);
  }
  const last = rows.at(-1)!;
  t.same(Object.keys(last.metrics.episodic_return_by_task!), ['Pendulum-v1', 'LunarLanderContinuous-v3'], 'per-task returns in the row');
  t.ok(rows.flatMap((r) => r.episodes).every((e) => e.task === 'Pendulum-v1' || e.task === 'LunarLanderContinuous-v3'), 'episodes carry their task');
});

t.test('multi-task replay: tasks drawn uniformly (χ², rings of 10, 100 and 1 000 transitions), the task column names the ring', async (t) => {
  const rings = [10, 100, 1000].map((n, k) => {
    const r = new ReplayBuffer(2000, 1, 1);
    for (let i = 0; i < n; i++) r.add([k], [0], 10_000 * k + i, [0], false, false);
    return r;
  });
  const replay = new TaskReplay(rings);
  const rng = new Rng(11);
  const b = allocBatch(1000, 1, 1);
  const counts = [0, 0, 0];
  const seen = [new Set<number>(), new Set<number>(), new Set<number>()];
  for (let k = 0; k < 30; k++) {
    replay.sample(rng, b);
    for (let i = 0; i < b.n; i++) {
      const task = b.task![i]!;
      counts[task]! += 1;
      if (b.obs[i] !== task || Math.floor(b.rew[i]! / 10_000) !== task) t.fail(`row ${i}: task ${task} but a transition of ring ${b.obs[i]}`);
      seen[task]!.add(b.rew[i]!);
    }
  }
  // χ² with 2 degrees of freedom; P(χ² > 27.6) = 1e-6
  const chi2 = counts.reduce((a, c) => a + (c - 10_000) ** 2 / 10_000, 0);
  t.ok(chi2 < 27.6, `task counts ${counts}: χ² ${chi2.toFixed(2)} < 27.6`);
  t.same(seen.map((s) => s.size), [10, 100, 1000], 'every transition of every ring drawn');
  // one task: the ring's own sampling, draw for draw
  const one = new TaskReplay([rings[2]!]);
  const [r1, r2] = [new Rng(3), new Rng(3)];
  t.same([...one.sample(r1, allocBatch(50, 1, 1)).rew], [...rings[2]!.sample(r2, allocBatch(50, 1, 1)).rew]);
});

t.test('task embedding: unit norm; its gradient by finite differences; moved by the TD loss only, never by the actor', async (t) => {
  const cfg = tiny(TASKS, { criticTrunk: 'mlp', criticHidden: [12, 12], activation: 'tanh', init: 'torch' });
  const learner = new OffPolicyLearner(cfg, 5, 2, new Rng(3), 3);
  const emb = learner.critics.embedding!;
  t.same([emb.tasks, emb.dim, learner.critics.inDim, learner.policy.store.shapes[0]], [3, 4, 5 + 2 + 4, [9, 16]], 'critic input [obs, act, e] (11), actor input [obs, e] (9)');
  const rng = new Rng(4);
  const n = 6;
  const obs = fillNormal(rng, new Float32Array(n * 5));
  const act = Float32Array.from({ length: n * 2 }, () => rng.uniform(-1, 1));
  const task = Int32Array.of(0, 1, 2, 1, 0, 2);
  const s = learner.critics.state(obs, task, n);
  for (let i = 0; i < n; i++) {
    const e = s.subarray(i * 9 + 5, i * 9 + 9);
    t.ok(close(Math.hypot(...e), 1, 1e-6), `row ${i}: ‖e‖ = 1`);
  }
  // ∂(Σ_k CE_k)/∂v against central differences, v the raw table
  const y = new Float32Array(n * 21);
  for (let i = 0; i < n; i++) y[i * 21 + ((i * 5) % 21)] = 1;
  const loss = () => learner.critics.regressionGrad(learner.critics.state(obs, task, n), act, y, n, task).loss;
  loss();
  const st = learner.critics.store;
  const grad = st.grad(emb.tensor).slice();
  const v = st.param(emb.tensor);
  let worst = 0;
  for (let j = 0; j < v.length; j++) {
    const x = v[j]!;
    const h = 1e-2;
    v[j] = x + h;
    const up = loss();
    v[j] = x - h;
    const down = loss();
    v[j] = x;
    worst = Math.max(worst, Math.abs((up - down) / (2 * h) - grad[j]!));
  }
  const scale = Math.max(...grad.map(Math.abs));
  t.ok(scale > 1e-3 && worst < 0.02 * scale, `largest error ${worst.toExponential(2)} vs largest gradient ${scale.toExponential(2)}`);
  // one full update (critic, Polyak, actor, α) moves the table exactly as the critic's step alone does
  const a = new OffPolicyLearner(cfg, 5, 2, new Rng(3), 3);
  const b = new OffPolicyLearner(cfg, 5, 2, new Rng(3), 3);
  const batch: Batch = allocBatch(16, 5, 2);
  fillNormal(rng, batch.obs);
  fillNormal(rng, batch.nextObs);
  fillNormal(rng, batch.rew);
  batch.act.set(Float32Array.from({ length: 32 }, () => rng.uniform(-1, 1)));
  batch.task!.set(Array.from({ length: 16 }, (_, i) => i % 3));
  const before = a.critics.store.param(emb.tensor).slice();
  const full = a.update(batch, new Rng(9));
  t.ok(full.actor_loss !== null, 'the update stepped the actor');
  // b: the same target and critic step, nothing else (the normalised batch as update() builds it)
  const nb = { ...batch, obs: b.normalizeObs(batch.obs, 16, batch.task), nextObs: b.normalizeObs(batch.nextObs, 16, batch.task), rew: b.taskRewardNorm!.normalize(batch.rew, batch.task, 16, b.alpha) };
  b.criticStep(nb, b.tdTarget(nb, new Rng(9), new Float32Array(16 * 21)));
  const after = a.critics.store.param(emb.tensor);
  t.notSame([...after], [...before], 'the TD loss moved the table');
  t.same([...after], [...b.critics.store.param(emb.tensor)], 'the actor and temperature steps left it as the critic step made it');
  t.ok(a.critics.targetStore.param(emb.tensor).every((x, j) => close(x, 0.995 * before[j]! + 0.005 * after[j]!, 1e-5)), 'the target table is its Polyak average');
  // the target critics read the target copy's table (made very different here), the actor the online one
  fillNormal(new Rng(8), a.critics.targetStore.param(emb.tensor));
  const na = { ...batch, obs: a.normalizeObs(batch.obs, 16, batch.task), nextObs: a.normalizeObs(batch.nextObs, 16, batch.task) };
  const y1 = a.tdTarget(na, new Rng(6), new Float32Array(16 * 21));
  const pa = a.policy;
  if (pa.kind !== 'tanh-gaussian') throw new Error('expected a tanh-Gaussian actor');
  const smp = pa.sampleFrom(na.nextObs, 16, new Rng(6));
  const yWith = (states: Float32Array) => {
    const q = a.critics.targetValue(states, smp.a, 16, a.targetAgg, new Float32Array(16 * 21));
    return [...a.head.target(q, na.rew, na.terminated, cfg.gamma, smp.lp.map((l) => a.alpha * l), 16, new Float32Array(16 * 21))];
  };
  const tgtStates = a.critics.targetState(na.nextObs, batch.task, 16);
  const e0 = new Float32Array(4);
  emb.write(a.critics.targetStore, batch.task![0]!, e0, 0);
  t.same([...tgtStates.subarray(5, 9)], [...e0], "the target states carry the target table's e");
  t.same([...y1], yWith(tgtStates), 'tdTarget: the target critics on [s′, a′, ē]');
  t.notSame([...y1], yWith(na.nextObs), 'not on the online e');
  // and the actor's step alone leaves the critic store untouched
  const critics = a.critics.store.read();
  a.actorStep({ ...nb, obs: a.normalizeObs(batch.obs, 16, batch.task) }, new Rng(1));
  t.same(a.critics.store.read(), critics, 'an actor step changes no critic tensor');
});

const dir = tmpDir('pgvar-brc-');
const small = ['train', '--algo', 'brc', '--preset', 'cpu', '--env', TASKS, '--steps', '1600', '--seed', '3', '--learning-starts', '400', '--buffer-size', '400', '--batch-size', '32', '--hidden-sizes', '16', '--critic-blocks', '1', '--atoms', '21', '--task-embedding-dim', '4', '--log-every', '200', '--checkpoint-every', '500', '--eval-every', '800', '--eval-episodes', '1', '--quiet'];
const json = (...p: string[]) => JSON.parse(fs.readFileSync(path.join(...p), 'utf8'));

t.test('multi-task brc through the CLI: killed with SIGKILL after a checkpoint, --resume gives the uninterrupted run', async (t) => {
  // the uninterrupted run beside the one to kill
  const ref = path.join(dir, 'ref');
  const refChild = spawn(process.execPath, [BIN, ...small, '--out', ref], { stdio: 'ignore' });
  const refDone = new Promise<number | null>((res) => refChild.on('exit', res));
  const out = path.join(dir, 'killed');
  await killAfterCheckpoint(small, out, 1000);
  t.equal(await refDone, 0, 'the uninterrupted run finished');
  t.notOk(fs.existsSync(path.join(out, 'summary.json')), 'killed mid-run');
  const ck = json(out, 'checkpoint', 'checkpoint.json').trainer;
  t.ok(ck.tasks.replayCounts.length === 2 && ck.learner.taskRewardNorm.min.every((x: number | null) => x !== null), `the checkpoint at ${ck.globalStep} holds both rings (${ck.tasks.replayCounts} transitions each, wrapped around 400) and the normaliser`);
  t.ok(ck.learner.taskRewardNorm.episodes[0].length % 200 === 100, `mid-episode: the normaliser holds Pendulum's running episode (${ck.learner.taskRewardNorm.episodes[0].length} rewards)`);
  t.same(fs.readdirSync(path.join(ref, 'checkpoint', 'replay')).sort(), ['task-0', 'task-1'], 'a replay directory per task');
  t.match(fs.readFileSync(path.join(ref, 'episodes.csv'), 'utf8'), /^step,return,length,task\n\d+,[-\d.e]+,\d+,(Pendulum-v1|LunarLanderContinuous-v3)\n/);
  const res = cli(['train', '--resume', out, '--quiet']);
  t.equal(res.status, 0, res.stderr);
  t.same(deterministicMetrics(path.join(out, 'metrics.jsonl')), deterministicMetrics(path.join(ref, 'metrics.jsonl')), 'metrics equal (per-task returns and evaluations included)');
  t.equal(fs.readFileSync(path.join(out, 'episodes.csv'), 'utf8'), fs.readFileSync(path.join(ref, 'episodes.csv'), 'utf8'), 'episodes equal');
  t.same(json(out, 'checkpoint', 'checkpoint.json').trainer, json(ref, 'checkpoint', 'checkpoint.json').trainer, 'final trainer state equal (weights, embedding, Adam, RNGs, envs, rings, normaliser)');
  const ev = JSON.parse(cli(['eval', '--run', ref, '--episodes', '1']).stdout);
  t.same(Object.keys(ev.by_task), ['Pendulum-v1', 'LunarLanderContinuous-v3'], '`pgvar eval` evaluates every task');
  const report = await analyze({ runs: [ref], variance: [], out: path.join(dir, 'report.html') });
  const groups = JSON.parse(fs.readFileSync(report.json, 'utf8')).groups.map((g: { group: string }) => g.group);
  t.same(groups, ['brc [Pendulum-v1]', 'brc [LunarLanderContinuous-v3]'], '`pgvar analyze`: one series per task');
});

t.test('brc learns Pendulum-v1 in 4 000 steps (BroNet critics 32 × 1 block, 101 atoms, reward normalisation)', async (t) => {
  // brc's structure at test scale: UTD 1, lr 1e-3, τ 0.01; α₀ 0.005 with α's lr 3e-3, since the normalised
  // Pendulum rewards are ~1/80 of the raw ones (÷ (max |G| − α·H̄/(2(1 − γ)))/10 ≈ 80), where BRC's α₀ 0.1
  // would be an entropy bonus that outweighs them for the whole run. Seed 1 ends at −347 (−124 with seed 2);
  // the update mutants end at −1 440 (the critic ascending its cross-entropy) and −1 879 (the actor's
  // gradient through the critic flipped), see the README
  const cfg = agentConfig('brc', ENV, { preset: 'cpu', seed: 1, totalTimesteps: 4000, learningStarts: 500, bufferSize: 20_000, batchSize: 64, updatesPerStep: 1, criticHidden: [32], criticBlocks: 1, actorHidden: [32], qLr: 1e-3, policyLr: 1e-3, alpha: 0.005, alphaLr: 3e-3, tau: 0.01, logEvery: 1000, evalEvery: 0 });
  const ok = learnWithMutant(cfg, false);
  t.ok(ok.after > -800 && ok.after > ok.before + 500, `deterministic return ${ok.before.toFixed(0)} → ${ok.after.toFixed(0)}`);
});
