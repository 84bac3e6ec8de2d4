/**
 * Fixes from the review of `brc` and `fasttd3` (spec baselines.md §1, §8, §9): a multi-task run's
 * per-task step defaults scaled by the task count (BRC's train.py counts steps per task); the actor
 * and temperature steps of a multi-task learner reading the task embedding after the critic's
 * optimiser step; the floor ε² on FastTD3's normalisers' variance; FastTD3's CDQ choosing between the
 * projected target members; taskRewardNormalization's one-line config errors; the policy delay
 * counted within a vector step when updatesPerStep > 1.
 */
import t from 'tap';
import { fillNormal, Rng } from '../common/rng.js';
import { AGENT_DEFAULTS, agentConfig, scaledStepNote } from '../offpolicy/agents.js';
import { minByProjectedExpectation } from '../offpolicy/critics.js';
import { categoricalProjection } from '../offpolicy/distributional.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { OffPolicyTrainer } from '../offpolicy/trainer.js';
import { make } from '../envs/registry.js';
import { cliInProcess } from './helpers.js';
import { RewardNormalizer, RunningNorm } from '../offpolicy/normalizer.js';
import { allocBatch, type Batch } from '../offpolicy/replay.js';

const TASKS3 = 'Pendulum-v1,LunarLanderContinuous-v3,pgvar/GaussianBandit-v0';

t.test('multi-task: the per-task step defaults are scaled by the task count unless set (BRC counts steps per task)', async (t) => {
  const d = AGENT_DEFAULTS.brc;
  const c = agentConfig('brc', TASKS3);
  t.equal(c.learningStarts, 3 * 5000, 'learningStarts 3·5 000');
  t.equal(c.totalTimesteps, 3 * 1_000_000, 'totalTimesteps 3·1M');
  t.equal(c.evalEvery, 3 * 50_000, 'evalEvery 3·50k');
  t.equal(c.logEvery, 3 * d.logEvery, 'logEvery ×3');
  t.equal(c.checkpointEvery, 3 * d.checkpointEvery, 'checkpointEvery ×3');
  t.equal(c.batchSize, 1024, 'batch 1024 (not scaled)');
  t.equal(c.bufferSize, d.bufferSize, 'bufferSize is per task already (not scaled)');
  const cpu = agentConfig('brc', TASKS3, { preset: 'cpu' });
  t.equal(cpu.learningStarts, 15_000, 'the cpu preset scales too');
  const o = agentConfig('brc', TASKS3, { learningStarts: 700, totalTimesteps: 9000, evalEvery: 0 });
  t.same([o.learningStarts, o.totalTimesteps, o.evalEvery, o.logEvery], [700, 9000, 0, 3 * d.logEvery], 'a value set is taken as given; the rest scale');
  const s = agentConfig('brc', 'Pendulum-v1');
  t.same([s.learningStarts, s.totalTimesteps, s.evalEvery], [5000, 1_000_000, 50_000], 'single-task: unchanged');
  t.equal(scaledStepNote('Pendulum-v1'), undefined, 'single-task: no note');
  t.match(scaledStepNote(TASKS3, { evalEvery: 0 }) ?? '', /3 tasks: the defaults of learningStarts, totalTimesteps, logEvery, checkpointEvery are per task and scaled ×3/, 'the note names the scaled keys');
  // --print-config: the scaled values, and the note on stderr
  const r = await cliInProcess(['train', '--algo', 'brc', '--env', TASKS3, '--learning-starts', '700', '--print-config']);
  const printed = JSON.parse(r.stdout) as Record<string, number>;
  t.same([printed['learningStarts'], printed['totalTimesteps'], printed['evalEvery']], [700, 3_000_000, 150_000], '--print-config shows the scaled values (the flag as given)');
  t.match(r.stderr, /3 tasks: the defaults of totalTimesteps, evalEvery, logEvery, checkpointEvery are per task and scaled ×3/, `the note on stderr: ${r.stderr.trim()}`);
  const single = await cliInProcess(['train', '--algo', 'brc', '--env', 'Pendulum-v1', '--print-config']);
  t.notMatch(single.stderr, /scaled/, 'single-task: no note');
});

t.test('multi-task: the actor and α steps read the task embedding after the critic’s optimiser step (BRC’s new_critic)', async (t) => {
  const cfg = agentConfig('brc', TASKS3, { preset: 'cpu', bufferSize: 1000, batchSize: 16, criticHidden: [16], criticBlocks: 1, actorHidden: [16], atoms: 21, taskEmbeddingDim: 4, qLr: 0.05 });
  const O = 5, A = 2, n = 12;
  const learner = new OffPolicyLearner(cfg, O, A, new Rng(3), 3);
  const rng = new Rng(4);
  const batch: Batch = allocBatch(n, O, A);
  fillNormal(rng, batch.obs);
  fillNormal(rng, batch.nextObs);
  fillNormal(rng, batch.rew);
  batch.act.set(Float32Array.from({ length: n * A }, () => rng.uniform(-1, 1)));
  batch.task!.set(Array.from({ length: n }, (_, i) => i % 3));
  const W = learner.critics.stateDim;
  const eOf = (s: Float32Array) => Array.from({ length: n }, (_, i) => Array.from(s.subarray(i * W + O, (i + 1) * W)));
  const before = eOf(learner.critics.state(batch.obs, batch.task, n));
  const seen: { actor?: number[][]; alpha?: number[][] } = {};
  const actorStep = learner.actorStep.bind(learner);
  const temperatureStep = learner.temperatureStep.bind(learner);
  learner.actorStep = (b, r) => ((seen.actor = eOf(b.obs)), actorStep(b, r));
  learner.temperatureStep = (b, r) => ((seen.alpha = eOf(b.obs)), temperatureStep(b, r));
  learner.update(batch, new Rng(9));
  // the actor's and α's steps do not move the critic's table: the online e now is the post-critic-step e
  const after = eOf(learner.critics.state(batch.obs, batch.task, n));
  const dist = (x: number[][], y: number[][]) => Math.max(...x.flatMap((r, i) => r.map((v, j) => Math.abs(v - y[i]![j]!))));
  t.ok(dist(before, after) > 1e-4, `the critic step moved e (by ${dist(before, after).toExponential(2)})`);
  t.ok(seen.actor && seen.alpha, 'actor and α steps ran');
  t.equal(dist(seen.actor!, after), 0, 'the actor step read the post-critic-step e');
  t.equal(dist(seen.alpha!, after), 0, 'the α step read the post-critic-step e');
});

t.test('FastTD3 normalisers keep the reference’s std = √var with no floor (fast_td3_utils.py): identical and tiny G, a constant observation', async (t) => {
  // identical G's: var 0, so the divisor is max(0 + 1e-8, G_max/gMax) — the reference's, not a floor of ε = 1e-2
  const r = new RewardNormalizer(4, 0.99, 10);
  r.update([0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0]);
  t.equal(r.stats.var[0], 0, 'identical G: variance 0');
  t.equal(r.divisor(), 0.5 / 10, 'divisor G_max/gMax, the std term being 1e-8');
  const tiny = new RewardNormalizer(2, 0.99, 1e9);
  tiny.update([1e-6, 3e-6], [0, 0]);
  t.ok(Math.abs(tiny.divisor() - (1e-6 + 1e-8)) < 1e-15, `tiny G: divisor std + 1e-8 = ${tiny.divisor()}`);
  // observations: (x − mean)/(√var + 1e-2), a constant dimension giving (x − mean)/1e-2
  const o = new RunningNorm(2);
  o.update([3, 1, 3, 2, 3, 3], 3);
  const out = o.normalize(Float32Array.of(3.5, 3), 1);
  t.ok(Math.abs(out[0]! - 0.5 / 1e-2) < 1e-3, `constant dimension: ${out[0]} = 0.5/ε`);
  t.ok(Math.abs(out[1]! - 1 / (Math.sqrt(2 / 3) + 1e-2)) < 1e-6, `the other: (x − mean)/(std + ε) = ${out[1]}`);
});

t.test('FastTD3 CDQ: both target members projected, the projection with the smaller expectation chosen (ties to the last), through the learner', async (t) => {
  // z = −2 … 2; r = −1.5: member 1 (E = −0.4) is below member 2 (E = 0) before the projection, but its
  // mass at −2 is clipped up, so after it member 2 (E ≈ −1.5) is below member 1 (E ≈ −1.01)
  const cfg = agentConfig('fasttd3', 'Pendulum-v1', { numEnvs: 1, batchSize: 4, atoms: 5, vMin: -2, vMax: 2, criticHidden: [8, 8, 8], actorHidden: [8, 8, 8] });
  const learner = new OffPolicyLearner(cfg, 3, 1, new Rng(1));
  const p1 = [0.6, 0, 0, 0, 0.4];
  const p2 = [0, 0, 1, 0, 0];
  const n = 2;
  const logits = (p: number[]) => Float32Array.from({ length: n * 5 }, (_, j) => (p[j % 5]! > 0 ? Math.log(p[j % 5]!) : -1e4));
  const outputs = learner.critics.outputs.bind(learner.critics);
  learner.critics.outputs = (s, a, m, which = 'online') => (which === 'target' ? [logits(p1), logits(p2)] : outputs(s, a, m, which));
  const batch: Batch = allocBatch(n, 3, 1);
  batch.rew.fill(-1.5);
  const y = learner.tdTarget(batch, new Rng(2), new Float32Array(n * 5));
  const proj = (p: number[]) => categoricalProjection({ probs: Float64Array.from([...p, ...p]), rewards: Float32Array.of(-1.5, -1.5), continues: Float64Array.of(1, 1), discount: cfg.gamma, vMin: -2, vMax: 2, edge: 'fasttd3' });
  const z = [-2, -1, 0, 1, 2];
  const E = (p: ArrayLike<number>) => z.reduce((acc, v, k) => acc + v * p[k]!, 0);
  t.ok(E(p1) < E(p2) && E(proj(p1)) > E(proj(p2)), `the order reverses: ${E(p1)} < ${E(p2)}, projected ${E(proj(p1)).toFixed(3)} > ${E(proj(p2)).toFixed(3)}`);
  const want = proj(p2);
  t.ok(Array.from(y).every((v, j) => Math.abs(v - want[j]!) < 1e-6), `target = member 2's projection: ${Array.from(y.subarray(0, 5)).map((v) => v.toFixed(3))}`);
  // ties: the last member (torch.where(q1 < q2, proj1, proj2))
  const zz = Float64Array.of(-1, 0, 1);
  const tie = minByProjectedExpectation([Float32Array.of(0.5, 0, 0.5), Float32Array.of(0, 1, 0)], zz, 1, new Float32Array(3));
  t.same(Array.from(tie), [0, 1, 0], 'equal expectations: the last member');
  const lower = minByProjectedExpectation([Float32Array.of(0.6, 0, 0.4), Float32Array.of(0, 1, 0)], zz, 1, new Float32Array(3));
  t.same(Array.from(lower), [0.6000000238418579, 0, 0.4000000059604645], 'a strictly smaller expectation wins');
});

t.test('taskRewardNormalization: one-line errors for gamma 1, a non-categorical head and an asymmetric support', async (t) => {
  const one = (f: () => unknown, re: RegExp, what: string) => {
    try {
      f();
      t.fail(`${what}: no error`);
    } catch (e) {
      const m = (e as Error).message;
      t.equal((e as Error).name, 'UsageError', `${what}: a UsageError`);
      t.match(m, re, `${what}: ${m}`);
      t.notOk(m.includes('\n'), `${what}: one line`);
    }
  };
  one(() => agentConfig('brc', 'Pendulum-v1', { gamma: 1 }), /taskRewardNormalization .*gamma 1 .*expected gamma < 1/, 'gamma 1');
  one(() => agentConfig('brc', 'Pendulum-v1', { valueHead: 'quantile', targetAggregator: 'mean', actorAggregator: 'mean' }), /taskRewardNormalization .*valueHead 'quantile'.*expected valueHead 'categorical'/, 'quantile head');
  one(() => agentConfig('sac', 'Pendulum-v1', { taskRewardNormalization: true }), /valueHead 'scalar'.*expected valueHead 'categorical'/, 'scalar head');
  one(() => agentConfig('brc', 'Pendulum-v1', { vMin: -5, vMax: 10 }), /taskRewardNormalization .*vMin -5 with vMax 10 .*expected vMin -10/, 'asymmetric support');
  t.equal(agentConfig('brc', 'Pendulum-v1', { gamma: 0.995, vMin: -20, vMax: 20 }).vMax, 20, 'gamma < 1 and a symmetric support pass');
  t.equal(agentConfig('brc', 'Pendulum-v1', { gamma: 1, taskRewardNormalization: false }).gamma, 1, 'without the normaliser gamma 1 stays valid');
});

t.test('policy delay within the env step: UTD 3 gives exactly one actor step per vector step (FastTD3’s i % 2 == 1); UTD 1 keeps the run-wide count (CleanRL)', async (t) => {
  const actorSteps = (over: Record<string, unknown>, steps: number) => {
    const cfg = agentConfig('fasttd3', 'Pendulum-v1', { preset: 'cpu', numEnvs: 2, totalTimesteps: 1000, learningStarts: 20, bufferSize: 1000, batchSize: 16, criticHidden: [8, 8], actorHidden: [8, 8], atoms: 11, vMin: -1200, vMax: 100, ...over });
    const tr = new OffPolicyTrainer(cfg, Array.from({ length: cfg.numEnvs }, () => make(cfg.envId)));
    const per: number[] = [];
    while (per.length < steps) {
      const { stats } = tr.step();
      if (stats.length) per.push(stats.filter((s) => s.actor_loss !== null).length);
    }
    return per;
  };
  t.same(actorSteps({ updatesPerStep: 3 }, 6), [1, 1, 1, 1, 1, 1], 'UTD 3: one actor step per vector step');
  t.same(actorSteps({ updatesPerStep: 2 }, 4), [1, 1, 1, 1], 'UTD 2: one per vector step');
  t.same(actorSteps({ updatesPerStep: 1 }, 6), [0, 1, 0, 1, 0, 1], 'UTD 1: every second vector step (run-wide count, phase 1)');
  // TD3 as CleanRL: UTD 1, policy_frequency 2, phase 0 — the actor on updates 0, 2, 4, …
  const cfg = agentConfig('td3', 'Pendulum-v1', { totalTimesteps: 1000, learningStarts: 10, bufferSize: 1000, batchSize: 8, criticHidden: [8], actorHidden: [8] });
  const tr = new OffPolicyTrainer(cfg, make(cfg.envId));
  const per: number[] = [];
  while (per.length < 6) {
    const { stats } = tr.step();
    if (stats.length) per.push(stats.filter((s) => s.actor_loss !== null).length);
  }
  t.same(per, [1, 0, 1, 0, 1, 0], 'td3 (CleanRL): the actor on every second update from the first, unchanged');
});

t.test("sac, sac-ln-reset, vpl: α's learning rate is the critics' unless given, as CleanRL's a_optimizer uses q_lr (session-7 review)", async (t) => {
  for (const algo of ['sac', 'sac-ln-reset', 'vpl'] as const) {
    t.equal(agentConfig(algo, 'Pendulum-v1').alphaLr, AGENT_DEFAULTS[algo].qLr, `${algo}: defaults equal`);
    t.equal(agentConfig(algo, 'Pendulum-v1', { qLr: 3e-4 }).alphaLr, 3e-4, `${algo}: --q-lr moves it`);
    t.equal(agentConfig(algo, 'Pendulum-v1', { qLr: 3e-4, alphaLr: 1e-3 }).alphaLr, 1e-3, `${algo}: --alpha-lr wins`);
  }
  t.equal(agentConfig('dac', 'Pendulum-v1', { qLr: 1e-4 }).alphaLr, AGENT_DEFAULTS.dac.alphaLr, 'dac keeps its own α rate (its reference sets temp_lr apart)');
  const r = await cliInProcess(['train', '--algo', 'sac', '--env', 'Pendulum-v1', '--q-lr', '3e-4', '--print-config']);
  t.equal(r.status, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).alphaLr, 3e-4, 'through the CLI flags too');
});
