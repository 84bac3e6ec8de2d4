/**
 * The off-policy replay: no stored or sampled transition crosses an episode boundary (s′ of a
 * terminated or truncated row is the episode's true final observation, never the reset one), both
 * end kinds are kept apart; segment checkpoints round-trip exactly (contents and ring position, also
 * after the ring wrapped), a second checkpoint appends only new segments and leaves the old ones
 * untouched; and the agents' configs reject unknown keys with the list of valid ones.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Rng } from '../common/rng.js';
import type { Action, Env, ResetOptions, ResetResult, StepResult } from '../envs/env.js';
import { box } from '../envs/spaces.js';
import { TimeLimit } from '../envs/wrappers/time-limit.js';
import { agentConfig } from '../offpolicy/agents.js';
import { allocBatch, ReplayBuffer } from '../offpolicy/replay.js';
import { loadReplaySegments, readIndex, saveReplaySegments } from '../offpolicy/replay-segments.js';
import { OffPolicyTrainer } from '../offpolicy/trainer.js';

/** Observations [episode id, step in episode]; ends at random (p = 0.08) by termination, else by the time limit. */
class CountingEnv implements Env {
  readonly id = 'Counting-v0';
  readonly observationSpace = box(-Infinity, Infinity, [2]);
  readonly actionSpace = box(-1, 1, [1]);
  private rng = new Rng(0);
  private episode = 0;
  private k = 0;
  reset(options?: ResetOptions): ResetResult {
    if (options?.seed !== undefined) this.rng = new Rng(options.seed);
    this.episode += 1;
    this.k = 0;
    return { obs: Float32Array.of(this.episode, 0), info: {} };
  }
  step(_action: Action): StepResult {
    this.k += 1;
    return { obs: Float32Array.of(this.episode, this.k), reward: 1, terminated: this.rng.random() < 0.08, truncated: false, info: {} };
  }
  getState(): unknown {
    return { rng: this.rng.getState(), episode: this.episode, k: this.k };
  }
  setState(s: unknown): void {
    const st = s as { rng: [number, number, number, number]; episode: number; k: number };
    this.rng.setState(st.rng);
    this.episode = st.episode;
    this.k = st.k;
  }
}

t.test('no transition crosses an episode boundary; terminated and truncated rows are kept apart', async (t) => {
  const cfg = agentConfig('td3', 'Counting-v0', { totalTimesteps: 600, learningStarts: 100, bufferSize: 1000, batchSize: 16, criticHidden: [8], actorHidden: [8], logEvery: 600 });
  const tr = new OffPolicyTrainer(cfg, new TimeLimit(new CountingEnv(), 15));
  while (!tr.done) tr.iterate();
  const rb = tr.replay;
  let terminated = 0;
  let truncated = 0;
  let bad = 0;
  for (let i = 0; i < rb.size; i++) {
    if (rb.nextObs[2 * i] !== rb.obs[2 * i] || rb.nextObs[2 * i + 1] !== rb.obs[2 * i + 1]! + 1) bad += 1;
    terminated += rb.terminated[i]!;
    truncated += rb.truncated[i]!;
    if (rb.truncated[i] && rb.nextObs[2 * i + 1] !== 15) bad += 1;
  }
  t.equal(bad, 0, `every stored s′ continues its own episode (${rb.size} rows)`);
  t.ok(terminated > 10 && truncated > 10, `both end kinds stored: ${terminated} terminated, ${truncated} truncated`);
  const b = rb.sample(new Rng(1), allocBatch(4096, 2, 1));
  let crossing = 0;
  for (let k = 0; k < b.n; k++) if (b.nextObs[2 * k] !== b.obs[2 * k] || b.nextObs[2 * k + 1] !== b.obs[2 * k + 1]! + 1) crossing += 1;
  t.equal(crossing, 0, 'no sampled transition crosses a boundary');
  tr.close();
});

function fill(rb: ReplayBuffer, count: number, rng: Rng): void {
  const o = new Float32Array(rb.obsDim);
  const a = new Float32Array(rb.actDim);
  const o2 = new Float32Array(rb.obsDim);
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < o.length; j++) (o[j] = rng.normal()), (o2[j] = rng.normal());
    for (let j = 0; j < a.length; j++) a[j] = rng.uniform(-1, 1);
    rb.add(o, a, rng.normal(), o2, rng.random() < 0.1, rng.random() < 0.1);
  }
}

function sameBuffer(t: Tap.Test, got: ReplayBuffer, want: ReplayBuffer, label: string): void {
  t.equal(got.count, want.count, `${label}: count`);
  t.equal(got.pos, want.pos, `${label}: ring position`);
  const fields = ['obs', 'act', 'rew', 'nextObs', 'terminated', 'truncated'] as const;
  const diff = fields.filter((f) => Buffer.compare(Buffer.from(got[f].buffer), Buffer.from(want[f].buffer)) !== 0);
  t.same(diff, [], `${label}: every field bit-identical`);
}

t.test('segment checkpoints: exact round trip, appends only new segments, survive the ring wrapping', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvar-replay-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rng = new Rng(3);
  const rb = new ReplayBuffer(1000, 3, 2);
  fill(rb, 300, rng);
  const first = saveReplaySegments(rb, dir, 128);
  t.same([first.segmentsWritten, first.transitionsWritten], [3, 300], 'first checkpoint: 300 transitions in 3 segments');
  const back = new ReplayBuffer(1000, 3, 2);
  loadReplaySegments(back, dir);
  sameBuffer(t, back, rb, 'after 300');

  const before = new Map(fs.readdirSync(dir).filter((f) => f.endsWith('.bin')).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
  fill(rb, 200, rng);
  const second = saveReplaySegments(rb, dir, 128);
  t.same([second.transitionsWritten, second.bytesWritten], [200, 200 * (2 * 3 + 2 + 3) * 4], 'second checkpoint writes the 200 new transitions only');
  const after = fs.readdirSync(dir).filter((f) => f.endsWith('.bin'));
  t.ok([...before.keys()].every((f) => after.includes(f) && Buffer.compare(before.get(f)!, fs.readFileSync(path.join(dir, f))) === 0), 'earlier segments untouched');
  t.equal(after.length, before.size + second.segmentsWritten, 'new segments appended');
  const back2 = new ReplayBuffer(1000, 3, 2);
  loadReplaySegments(back2, dir);
  sameBuffer(t, back2, rb, 'after 500');

  fill(rb, 1234, rng); // wraps: 1734 added, the oldest 734 overwritten
  saveReplaySegments(rb, dir, 128);
  const back3 = new ReplayBuffer(1000, 3, 2);
  loadReplaySegments(back3, dir);
  sameBuffer(t, back3, rb, 'after wrapping');
  // the previous checkpoint (a trainer checkpoint may lag the index by one) still loads
  const older = new ReplayBuffer(1000, 3, 2);
  loadReplaySegments(older, dir, 500);
  sameBuffer(t, older, back2, 'the previous checkpoint');

  fill(rb, 900, rng);
  const fourth = saveReplaySegments(rb, dir, 128);
  t.ok(fourth.segmentsDeleted > 0, `segments only overwritten transitions held are deleted (${fourth.segmentsDeleted})`);
  const idx = readIndex(dir)!;
  t.ok(idx.segments.every((s) => fs.existsSync(path.join(dir, s.file))), 'every indexed segment exists');
  const back4 = new ReplayBuffer(1000, 3, 2);
  loadReplaySegments(back4, dir);
  sameBuffer(t, back4, rb, 'after deletion');
});

t.test('agent configs: defaults per agent, unknown keys rejected with the valid ones', async (t) => {
  const sac = agentConfig('sac', 'Hopper-v5');
  t.match(sac, { gamma: 0.99, tau: 0.005, batchSize: 256, learningStarts: 5000, policyLr: 3e-4, qLr: 1e-3, policyFrequency: 2, targetNetworkFrequency: 1, autotune: true, criticHidden: [256, 256], policy: 'tanh-gaussian' });
  const td3 = agentConfig('td3', 'Hopper-v5');
  t.match(td3, { explorationNoise: 0.1, policyNoise: 0.2, noiseClip: 0.5, policyFrequency: 2, policyLr: 3e-4, qLr: 3e-4, learningStarts: 25000, policy: 'deterministic', actorAggregator: 'first' });
  t.throws(() => agentConfig('sac', 'Hopper-v5', { learningRate: 1e-3 }), /unknown key\(s\) 'learningRate'; valid keys: envId, algo, seed/);
  t.throws(() => agentConfig('sac', 'Hopper-v5', { tau: 2 }), /'tau'/);
  t.throws(() => agentConfig('ddpg', 'Hopper-v5'), /valid agents: sac, td3/);
  t.throws(() => agentConfig('td3', 'Hopper-v5', { autotune: true }), /autotune/);
});
