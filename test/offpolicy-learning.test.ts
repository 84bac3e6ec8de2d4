/**
 * The off-policy trainer end to end on Pendulum-v1: the same seed gives identical metrics; a run
 * checkpointed mid-way (JSON state + replay segments) and resumed in fresh objects continues with the
 * same metrics as an uninterrupted run; and one learning test per family: SAC (5k steps) and TD3
 * (8k steps), with CleanRL's structure on 64-64 networks, improve clearly over the initial policy
 * (≈ −1 500), while a mutant whose TD target has its sign flipped does not.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { make } from '../envs/registry.js';
import { agentConfig } from '../offpolicy/agents.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import { loadReplaySegments, saveReplaySegments } from '../offpolicy/replay-segments.js';
import { OffPolicyTrainer, type OffPolicyMetrics } from '../offpolicy/trainer.js';
import { learnWithMutant } from './offpolicy-helpers.js';

const ENV = 'Pendulum-v1';
const trainer = (cfg: OffPolicyConfig) => new OffPolicyTrainer(cfg, make(ENV), make(ENV));

function tiny(algo: 'sac' | 'td3', seed = 1): OffPolicyConfig {
  return agentConfig(algo, ENV, { seed, totalTimesteps: 600, learningStarts: 100, bufferSize: 1000, batchSize: 32, criticHidden: [16, 16], actorHidden: [16, 16], logEvery: 100, evalEvery: 300, evalEpisodes: 1 });
}

function run(tr: OffPolicyTrainer, untilStep = Infinity): OffPolicyMetrics[] {
  const rows: OffPolicyMetrics[] = [];
  while (!tr.done && tr.globalStep < untilStep) rows.push(tr.iterate().metrics);
  return rows;
}

t.test('same seed → identical metrics; another seed → different ones', async (t) => {
  for (const algo of ['sac', 'td3'] as const) {
    const a = run(trainer(tiny(algo)));
    const b = run(trainer(tiny(algo)));
    const c = run(trainer(tiny(algo, 2)));
    t.same(b, a, `${algo}: two runs with seed 1 agree row by row`);
    t.notSame(c, a, `${algo}: seed 2 differs`);
    t.ok(a.at(-1)!.updates > 0 && a.at(-1)!.eval_return_mean !== null, `${algo}: updates ran and evaluation reported`);
  }
});

t.test('checkpoint at step 300 and resume in fresh objects: the same metrics as an uninterrupted run', async (t) => {
  for (const algo of ['sac', 'td3'] as const) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvar-offpolicy-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const straight = run(trainer(tiny(algo)));
    const first = trainer(tiny(algo));
    const head = run(first, 300);
    const state = JSON.parse(JSON.stringify(first.getState()));
    saveReplaySegments(first.replay, dir, 128);
    // the interrupted run goes on a little (its replay moves past the checkpoint), then dies
    run(first, 400);
    const resumed = trainer(tiny(algo));
    resumed.setState(state);
    loadReplaySegments(resumed.replay, dir, state.replayCount);
    const tail = run(resumed);
    t.same([...head, ...tail], straight, `${algo}: resumed metrics equal the uninterrupted run's (${straight.length} rows)`);
  }
});

function learn(algo: 'sac' | 'td3', steps: number, flipTarget: boolean): { before: number; after: number } {
  return learnWithMutant(agentConfig(algo, ENV, { seed: 1, totalTimesteps: steps, learningStarts: 1000, bufferSize: 20_000, batchSize: 128, criticHidden: [64, 64], actorHidden: [64, 64], qLr: 1e-3, policyLr: 1e-3, logEvery: 1000 }), flipTarget);
}

for (const [algo, steps] of [['sac', 5000], ['td3', 8000]] as const) {
  t.test(`${algo} learns Pendulum-v1 in ${steps} steps; with the TD target's sign flipped it does not`, async (t) => {
    const ok = learn(algo, steps, false);
    t.ok(ok.after > -500 && ok.after > ok.before + 700, `${algo}: deterministic return ${ok.before.toFixed(0)} → ${ok.after.toFixed(0)}`);
    const bad = learn(algo, steps, true);
    t.ok(bad.after < -1000, `${algo} with −y: ${bad.before.toFixed(0)} → ${bad.after.toFixed(0)}`);
  });
}
