/**
 * FastTD3's remaining parts (issue 20, spec baselines.md §9, §1, §12.8): n-step rows of the replay
 * against a brute-force reference that walks each env's own list of transitions (hand-made episodes
 * with terminations and truncations, several envs interleaved in the ring, wrap-around, a segment
 * checkpoint round trip); per-row discounts in every head; the reward normaliser against a hand
 * computation and against the replay's rewards; exact resume of a trainer with both; the async
 * vector env giving the sync env's transitions; the options' flags, help and one-line errors.
 */
import * as path from 'node:path';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { AsyncVectorEnv } from '../envs/async-vector.js';
import { make } from '../envs/registry.js';
import { SyncVectorEnv } from '../envs/vector.js';
import { createOffPolicyTrainer } from '../experiment/offpolicy-run.js';
import { agentConfig } from '../offpolicy/agents.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import { categoricalProjection } from '../offpolicy/distributional.js';
import { makeHead } from '../offpolicy/heads.js';
import { RewardNormalizer } from '../offpolicy/normalizer.js';
import { nStepRow, sampleNStep, transitionAt, type NStepOptions } from '../offpolicy/nstep.js';
import { allocBatch, ReplayBuffer, type Batch } from '../offpolicy/replay.js';
import { loadReplaySegments, saveReplaySegments } from '../offpolicy/replay-segments.js';
import { OffPolicyTrainer } from '../offpolicy/trainer.js';
import { cliInProcess, tmpDir } from './helpers.js';

/** One transition as the test wrote it: env e's k-th, run-wide index g. */
interface Tr {
  g: number;
  rew: number;
  next: [number, number];
  term: boolean;
  trunc: boolean;
}

/**
 * Writes `steps` vector steps of N envs (env 0 first, as the trainer) into a ring of `capacity`;
 * env e's step v ends its episode as `end(e, v)` says. Returns each env's list of transitions.
 */
function fill(buf: ReplayBuffer, N: number, steps: number, end: (e: number, v: number) => 'term' | 'trunc' | null, rew: (e: number, v: number) => number): Tr[][] {
  const streams: Tr[][] = Array.from({ length: N }, () => []);
  for (let v = 0; v < steps; v++) {
    for (let e = 0; e < N; e++) {
      const x: Tr = { g: buf.count, rew: rew(e, v), next: [e, v + 0.5], term: end(e, v) === 'term', trunc: end(e, v) === 'trunc' };
      buf.add([e, v], [0], x.rew, x.next, x.term, x.trunc);
      streams[e]!.push(x);
    }
  }
  return streams;
}

/** The brute-force n-step row of transition g: its env's list from g on, ≤ n rewards, stopping after an episode's end. */
function reference(streams: Tr[][], g: number, n: number, gamma: number) {
  const list = streams.find((s) => s.some((x) => x.g === g))!;
  const p = list.findIndex((x) => x.g === g);
  let rew = 0;
  let m = 0;
  let last = list[p]!;
  for (let q = p; q < list.length && m < n; q++) {
    last = list[q]!;
    rew += Math.pow(gamma, m) * last.rew;
    m += 1;
    if (last.term || last.trunc) break;
  }
  return { rew, next: last.next, term: last.term ? 1 : 0, trunc: last.trunc ? 1 : 0, discount: Math.pow(gamma, m) };
}

const withDiscount = (n: number): Batch & { discount: Float64Array } => ({ ...allocBatch(n, 2, 1), discount: new Float64Array(n) });

/** Every transition the ring holds against the reference; returns the number of mismatches (each reported). */
function checkAll(t: { fail(msg: string): unknown }, buf: ReplayBuffer, streams: Tr[][], o: NStepOptions, label: string): number {
  const out = withDiscount(1);
  let bad = 0;
  for (let g = buf.count - buf.size; g < buf.count; g++) {
    nStepRow(buf, g, o, out, 0);
    const ref = reference(streams, g, o.n, o.gamma);
    const got = { rew: out.rew[0]!, next: [out.nextObs[0]!, out.nextObs[1]!], term: out.terminated[0]!, trunc: out.truncated[0]!, discount: out.discount[0]! };
    const same = Math.abs(got.rew - ref.rew) < 1e-4 * Math.max(1, Math.abs(ref.rew)) && got.next[0] === ref.next[0] && got.next[1] === ref.next[1] && got.term === ref.term && got.trunc === ref.trunc && Math.abs(got.discount - ref.discount) < 1e-12;
    if (!same) {
      bad += 1;
      if (bad <= 3) t.fail(`${label}: transition ${g}: got ${JSON.stringify(got)}, reference ${JSON.stringify(ref)}`);
    }
  }
  return bad;
}

t.test('n-step rows: a hand computation (2 envs interleaved, γ = 0.5)', async (t) => {
  const buf = new ReplayBuffer(16, 2, 1);
  // env 0: rewards 1, 2, 4, 8 with a termination at its 2nd step; env 1: 10, 20, 40, 80, truncated at its 3rd
  fill(buf, 2, 4, (e, v) => (e === 0 && v === 1 ? 'term' : e === 1 && v === 2 ? 'trunc' : null), (e, v) => (e === 0 ? 1 : 10) * 2 ** v);
  const out = withDiscount(1);
  const row = (g: number, n: number) => {
    nStepRow(buf, g, { n, gamma: 0.5, stride: 2 }, out, 0);
    return [out.rew[0], out.nextObs[1], out.terminated[0], out.truncated[0], out.discount[0]];
  };
  t.same(row(0, 3), [1 + 0.5 * 2, 1.5, 1, 0, 0.25], 'env 0 from its 1st step: stops at the termination, r0 + γ r1, no bootstrap');
  t.same(row(1, 3), [10 + 0.5 * 20 + 0.25 * 40, 2.5, 0, 1, 0.125], 'env 1 from its 1st step: three rewards up to the truncation, bootstrap from its final obs with γ³');
  t.same(row(1, 2), [10 + 0.5 * 20, 1.5, 0, 0, 0.25], 'n = 2: two rewards, γ²');
  t.same(row(4, 3), [4 + 0.5 * 8, 3.5, 0, 0, 0.25], "env 0's new episode: stops at its newest transition (step 4), bootstrap with γ²");
  t.same(row(7, 3), [80, 3.5, 0, 0, 0.5], "env 1's newest transition alone: γ¹");
  t.same(row(2, 1), [2, 1.5, 1, 0, 0.5], 'n = 1 is the one-step row with γ');
});

t.test('n-step rows = the brute-force reference: many envs interleaved, terminations, truncations, wrap-around', async (t) => {
  const rng = new Rng(11);
  let cases = 0;
  for (const [N, capacity, steps, n] of [
    [1, 40, 30, 3],
    [3, 32, 15, 3],
    [3, 32, 37, 5],
    [4, 50, 60, 8],
    [5, 23, 19, 2],
  ] as const) {
    const ends = Array.from({ length: N * steps }, () => {
      const u = rng.random();
      return u < 0.12 ? 'term' : u < 0.22 ? 'trunc' : null;
    });
    const buf = new ReplayBuffer(capacity, 2, 1);
    const streams = fill(buf, N, steps, (e, v) => ends[v * N + e]!, () => Math.round(rng.uniform(-5, 5) * 100) / 100);
    for (const gamma of [0.9, 0.5]) {
      const o = { n, gamma, stride: N };
      t.equal(checkAll(t, buf, streams, o, `N ${N}, capacity ${capacity}, ${N * steps} written, n ${n}, γ ${gamma}`), 0, `N ${N}, capacity ${capacity} (${buf.count > capacity ? 'wrapped' : 'not wrapped'}), n ${n}, γ ${gamma}: every held transition`);
      cases += 1;
    }
  }
  t.equal(cases, 10);
});

t.test('sampling: the same draws as ReplayBuffer.sample (n = 1 gives its rows), and a segment round trip samples the same rows', async (t) => {
  const buf = new ReplayBuffer(30, 2, 1);
  const rng = new Rng(5);
  fill(buf, 3, 17, () => (rng.random() < 0.15 ? 'term' : null), (e, v) => e + v / 10);
  const one = sampleNStep(buf, new Rng(9), allocBatch(64, 2, 1), { n: 1, gamma: 0.99, stride: 3 });
  const plain = buf.sample(new Rng(9), allocBatch(64, 2, 1));
  t.same([one.obs, one.rew, one.nextObs, one.terminated, one.truncated], [plain.obs, plain.rew, plain.nextObs, plain.terminated, plain.truncated], 'n = 1: the plain sample');
  t.ok(one.discount!.every((d) => Math.abs(d - 0.99) < 1e-15), 'with discount γ');
  for (let slot = 0; slot < buf.size; slot++) {
    if (transitionAt(buf, slot) % buf.capacity !== slot || transitionAt(buf, slot) < buf.count - buf.size) t.fail(`slot ${slot} → transition ${transitionAt(buf, slot)}`);
  }
  const dir = path.join(tmpDir('pgvar-nstep-'), 'replay');
  saveReplaySegments(buf, dir, 7);
  const back = new ReplayBuffer(30, 2, 1);
  loadReplaySegments(back, dir);
  const o = { n: 4, gamma: 0.9, stride: 3 };
  t.same(sampleNStep(back, new Rng(2), allocBatch(50, 2, 1), o), sampleNStep(buf, new Rng(2), allocBatch(50, 2, 1), o), 'the restored ring samples the same n-step rows');
  t.throws(() => sampleNStep(new ReplayBuffer(10, 2, 1, 2), new Rng(1), allocBatch(1, 2, 1), o), /would read held-out transitions/);
});

t.test('per-row discounts: each head treats row i as a scalar γ_i would', async (t) => {
  const next = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.05, 0.15, 0.3, 0.5);
  const rew = Float32Array.of(1, -2);
  const term = Float32Array.of(0, 0);
  const gammas = [0.99, 0.99 ** 3];
  for (const head of [makeHead({ valueHead: 'scalar' }), makeHead({ valueHead: 'quantile', quantiles: 4 }), makeHead({ valueHead: 'categorical', atoms: 4, vMin: -3, vMax: 3, c51Edge: 'fasttd3' }), makeHead({ valueHead: 'categorical', atoms: 4, vMin: -3, vMax: 3, categoricalTarget: 'hl-gauss' })]) {
    const D = head.outputs;
    const rows = head.target(next, rew, term, Float64Array.from(gammas), null, 2, new Float32Array(2 * D));
    const each = gammas.map((g, i) => head.target(next.slice(i * D, (i + 1) * D), rew.slice(i, i + 1), term.slice(i, i + 1), g, null, 1, new Float32Array(D)));
    t.same(Array.from(rows), [...each[0]!, ...each[1]!], `${head.kind} (${D} outputs)`);
  }
  const probs = Float64Array.of(0.5, 0.5, 0, 0, 0.25, 0.75);
  const p = categoricalProjection({ probs, rewards: [0.3, 0.3], continues: [1, 1], discount: [0.9, 0.5], vMin: -1, vMax: 1 });
  const q = categoricalProjection({ probs: probs.slice(3), rewards: [0.3], continues: [1], discount: 0.5, vMin: -1, vMax: 1 });
  t.same(Array.from(p.slice(3)), Array.from(q), 'the C51 projection reads row b’s discount');
  t.throws(() => categoricalProjection({ probs, rewards: [0, 0], continues: [1, 1], discount: [0.9], vMin: -1, vMax: 1 }), /one value per row/);
});

t.test('reward normaliser: a hand computation (2 envs, γ 0.9); the cap |G| ≤ gMax', async (t) => {
  const free = new RewardNormalizer(2, 0.9, 5);
  const capped = new RewardNormalizer(2, 0.9, 0.5);
  for (const r of [free, capped]) r.update([1, -2], [false, false]);
  // G = [1, −2]: mean −0.5, var 2.25, std 1.5; max |G| 2; 2/5 = 0.4 < 1.5, 2/0.5 = 4 > 1.5
  t.ok(Math.abs(free.divisor() - 1.5) < 1e-7, `divisor ${free.divisor()} = std 1.5`);
  t.equal(capped.divisor(), 4, 'capped: max|G|/gMax = 2/0.5');
  for (const r of [free, capped]) r.update([3, 0.5], [true, false]);
  // env 0's episode ended at this step: G0 = 3 (fresh); G1 = 0.9·(−2) + 0.5 = −1.3
  t.same(Array.from(free.returns), [3, 0.9 * -2 + 0.5]);
  // G's seen: 1, −2, 3, −1.3 → mean 0.175, var (0.825² + 2.175² + 2.825² + 1.475²)/4 = 3.891875
  t.ok(Math.abs(free.stats.var[0]! - 3.891875) < 1e-12 && Math.abs(free.stats.mean[0]! - 0.175) < 1e-12, `running var ${free.stats.var[0]}`);
  t.ok(Math.abs(free.divisor() - (Math.sqrt(3.891875) + 1e-8)) < 1e-12, 'divisor std + 1e-8');
  t.equal(capped.divisor(), 6, 'capped: 3/0.5');
  t.same(Array.from(capped.normalize(Float32Array.of(6, -3, 1.5), 3)), [1, -0.5, 0.25], 'rewards divided by the divisor');
  const back = new RewardNormalizer(2, 0.9, 0.5);
  back.setState(JSON.parse(JSON.stringify(capped.getState())));
  t.same([Array.from(back.returns), back.maxAbsReturn, back.stats.count, back.divisor()], [Array.from(capped.returns), 3, 4, 6], 'state round trip');
});

const ENV = 'Pendulum-v1';
/** A state as JSON, every `rng` word as an unsigned 32-bit integer (an env's setState may keep them signed). */
const canon = (s: unknown): unknown => JSON.parse(JSON.stringify(s, (k, v) => (k === 'rng' && Array.isArray(v) ? v.map((x: number) => x >>> 0) : v)));
const envs = (cfg: OffPolicyConfig) => Array.from({ length: cfg.numEnvs }, () => make(cfg.envId));
const tiny = (over: Record<string, unknown> = {}) => agentConfig('fasttd3', ENV, { preset: 'cpu', numEnvs: 4, totalTimesteps: 400, learningStarts: 200, bufferSize: 300, batchSize: 16, criticHidden: [8], actorHidden: [8], atoms: 11, vMin: -20, vMax: 5, logEvery: 400, ...over });

t.test('in the trainer: n-step rows reach the learner, the reward normaliser sees every vector step and divides the minibatch rewards', async (t) => {
  const cfg = tiny({ nStep: 3, rewardNormalization: true });
  const tr = new OffPolicyTrainer(cfg, envs(cfg));
  const seen: { rew: number[]; discount: number[] | null }[] = [];
  const update = tr.learner.update.bind(tr.learner);
  tr.learner.update = (b, rng, val) => {
    seen.push({ rew: Array.from(b.rew), discount: b.discount ? Array.from(b.discount) : null });
    return update(b, rng, val);
  };
  const head = tr.learner.head;
  const target = head.target.bind(head);
  // the minibatches whose rewards reached the head divided (FastTD3's CDQ projects each target member: a call per member)
  const divided = new Set<number>();
  head.target = (next, rew, term, gamma, ent, n, out) => {
    const last = seen.at(-1)!;
    const d = tr.learner.rewardNorm!.divisor();
    if (last.rew.every((r, i) => Math.abs(rew[i]! - Math.fround(r / d)) <= 1e-6 * Math.abs(r / d))) divided.add(seen.length);
    if (typeof gamma === 'number' || Array.from(gamma).some((g, i) => g !== last.discount![i])) t.fail('the head gets the rows’ discounts');
    return target(next, rew, term, gamma, ent, n, out);
  };
  while (tr.globalStep < 280) tr.step();
  t.ok(seen.length > 0 && seen.every((s) => s.discount !== null), `${seen.length} minibatches, all n-step rows`);
  const powers = new Set(seen.flatMap((s) => s.discount!.map((d) => Math.round(Math.log(d) / Math.log(0.99)))));
  t.same([...powers].sort(), [1, 2, 3], 'effective n in 1…3 (1, 2 at each env’s newest transitions)');
  t.equal(divided.size, seen.length, 'every minibatch’s rewards divided by the normaliser');
  // the normaliser's G per env, recomputed from the replay's rewards and ends (env e: transitions g ≡ e mod 4)
  const rb = tr.replay;
  const G = [0, 0, 0, 0];
  let maxAbs = 0;
  for (let g = 0; g < rb.count; g++) {
    const i = g % rb.capacity;
    if (g >= rb.count - rb.size) {
      G[g % 4] = 0.99 * (rb.terminated[i] || rb.truncated[i] ? 0 : 1) * G[g % 4]! + rb.rew[i]!;
      maxAbs = Math.max(maxAbs, Math.abs(G[g % 4]!));
    }
  }
  // the ring holds the last 300 of 280 transitions: all of them
  const rn = tr.learner.rewardNorm!;
  t.ok(G.every((x, e) => Math.abs(x - rn.returns[e]!) < 1e-6 * Math.max(1, Math.abs(x))), `G per env ${rn.returns.join(', ')}`);
  t.equal(rn.stats.count, 280, 'one G per env and vector step');
  t.ok(Math.abs(rn.maxAbsReturn - maxAbs) < 1e-6 * maxAbs, `the largest |G| ${rn.maxAbsReturn} (from the replay's float32 rewards: ${maxAbs})`);
  const plain = new OffPolicyTrainer(tiny(), envs(tiny()));
  t.equal(plain.learner.rewardNorm, null, 'off by default');
  const b = plain.replay;
  while (plain.learner.updates === 0) plain.step();
  t.ok(b.count > 0 && plain.getState().learner.rewardNorm === undefined, 'nothing in the state when off');
});

t.test('exact resume with nStep 3 and reward normalisation: state + replay segments give the uninterrupted run', async (t) => {
  const cfg = tiny({ nStep: 3, rewardNormalization: true, totalTimesteps: 320 });
  const ref = new OffPolicyTrainer(cfg, envs(cfg));
  while (!ref.done) ref.step();
  const first = new OffPolicyTrainer(cfg, envs(cfg));
  while (first.globalStep < 260) first.step();
  const dir = path.join(tmpDir('pgvar-nstep-resume-'), 'replay');
  saveReplaySegments(first.replay, dir);
  const state = JSON.parse(JSON.stringify(first.getState()));
  t.ok(state.learner.rewardNorm.stats.count === 260, 'the normaliser is in the checkpoint');
  const resumed = new OffPolicyTrainer(cfg, envs(cfg));
  resumed.setState(state);
  loadReplaySegments(resumed.replay, dir, state.replayCount);
  while (!resumed.done) resumed.step();
  t.same(canon(resumed.getState()), canon(ref.getState()), 'weights, Adam, normalisers, RNGs, envs equal');
});

t.test("vectorEnv 'async': the worker-thread env gives the sync env's transitions and states", async (t) => {
  // past Pendulum's 200-step truncation, with updates, so autoresets and the actor are both exercised
  const cfg = tiny({ numEnvs: 3, totalTimesteps: 3 * 215, learningStarts: 3 * 205, bufferSize: 700, nStep: 2 });
  const sync = new OffPolicyTrainer(cfg, envs(cfg));
  // built as a run builds it
  const async = createOffPolicyTrainer({ ...cfg, vectorEnv: 'async' });
  const vec = async.vec;
  t.ok(vec instanceof AsyncVectorEnv && vec.workerCount === 1, "vectorEnv 'async': the envs live in a worker thread");
  try {
    while (!sync.done) sync.step();
    while (!async.done) async.step();
    const rows = (tr: OffPolicyTrainer) => [tr.replay.obs, tr.replay.act, tr.replay.rew, tr.replay.nextObs, tr.replay.terminated, tr.replay.truncated].map((a) => Array.from(a.subarray(0, tr.replay.size * (a.length / tr.replay.capacity))));
    t.ok(sync.replay.truncated.reduce((a, x) => a + x, 0) === 3 && sync.learner.updates > 0, 'each env truncated once, updates ran');
    t.same(rows(async), rows(sync), 'the same transitions');
    t.same(async.getState(), sync.getState(), 'the same trainer state (envs read back from the worker)');
    const back = new OffPolicyTrainer(cfg, envs(cfg));
    back.setState(async.getState());
    t.same(canon({ ...back.getState(), replayCount: async.replay.count }), canon(async.getState()), "an async run's state loads into a sync trainer");
  } finally {
    async.close();
    if (vec instanceof AsyncVectorEnv) await vec.closed;
  }
  t.throws(() => new OffPolicyTrainer(tiny({ numEnvs: 1 }), new SyncVectorEnv([make(ENV)], 'next-step')), /must autoreset 'same-step'/);
});

t.test('options: flags, --help lines, agents sources, one-line errors naming the bad value', async (t) => {
  const pc = await cliInProcess(['train', '--algo', 'fasttd3', '--env', ENV, '--n-step', '3', '--reward-normalization', '--vector-env', 'async', '--print-config']);
  t.equal(pc.status, 0, pc.stderr);
  const c = JSON.parse(pc.stdout);
  t.same([c.nStep, c.rewardNormalization, c.vectorEnv], [3, true, 'async']);
  const d = agentConfig('fasttd3', ENV);
  t.same([d.nStep, d.rewardNormalization, d.vectorEnv], [1, false, 'sync'], 'defaults: n 1, no reward normalisation, sync');
  const h = await cliInProcess(['train', '--help']);
  t.match(h.stdout, /--n-step <n>\s+n-step returns/);
  t.match(h.stdout, /--reward-normalization\s+FastTD3's reward normaliser/);
  t.match(h.stdout, /--vector-env <kind>\s+where the sub-envs step/);
  const ag = await cliInProcess(['agents']);
  t.match(ag.stdout, /\nnStep --n-step\s.*fasttd3: n-step 1 \(HumanoidBench, §9 \[code\]/);
  t.match(ag.stdout, /\nrewardNormalization --reward-normalization\s.*fasttd3: off \(§9 \[code\]/);
  t.match(ag.stdout, /\nvectorEnv --vector-env\s.*fasttd3: sync/);
  const cases: [string[], RegExp][] = [
    [['--n-step', '0'], /--n-step.*expected an integer ≥ 1, got '0'/],
    [['--vector-env', 'threads'], /--vector-env.*expected one of sync\|async, got 'threads'/],
    [['--reward-normalization', '--value-head', 'scalar'], /rewardNormalization caps \|G\| at min\(\|vMin\|, \|vMax\|\), the categorical support; valueHead 'scalar' has none/],
  ];
  for (const [args, re] of cases) {
    const r = await cliInProcess(['train', '--algo', 'fasttd3', '--env', ENV, ...args, '--print-config']);
    t.equal(r.status, 2, args.join(' '));
    t.match(r.stderr.split('\n')[0], re, `${args.join(' ')}: the first line (commander adds a usage hint below a flag's error)`);
  }
  t.throws(() => agentConfig('vpl', ENV, { nStep: 3 }), /nStep 3 with validationEvery 10: an n-step row would sum held-out rewards/);
  t.throws(() => agentConfig('fasttd3', ENV, { nStep: 1.5 }), /nStep/);
});
