import t from 'tap';
import { NonFiniteError } from '../common/errors.js';
import { RunningMeanStd } from '../common/running-mean-std.js';
import { make } from '../envs/registry.js';
import { ClipAction } from '../envs/wrappers/clip-action.js';
import { ClipObservation, ClipReward } from '../envs/wrappers/clip.js';
import { NanGuard } from '../envs/wrappers/nan-guard.js';
import { NormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { NormalizeReward } from '../envs/wrappers/normalize-reward.js';
import { ScriptedEnv } from './fixtures/scripted-env.js';

t.test('RunningMeanStd matches the batch mean and variance', async (t) => {
  const xs = [3, -1, 4, 1, -5, 9, 2, 6];
  const r = new RunningMeanStd(1);
  xs.forEach((x) => r.update([x]));
  const mean = xs.reduce((a, b) => a + b) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  // count starts at 1e-4 with mean 0 / var 1, so the match is to ~1e-4
  t.ok(Math.abs(r.mean[0]! - mean) < 1e-3 && Math.abs(r.var[0]! - v) < 1e-3, `mean ${r.mean[0]} vs ${mean}, var ${r.var[0]} vs ${v}`);
});

t.test('NormalizeReward divides by the running std of the discounted return, no mean subtraction', async (t) => {
  const base = new ScriptedEnv([{ obs: [0, 0], reward: 2 }, { obs: [0, 0], reward: 2 }, { obs: [0, 0], reward: 2, terminated: true }, { obs: [0, 0], reward: 2 }]);
  const env = new NormalizeReward(base, 0.5);
  env.reset();
  const rms = new RunningMeanStd(1);
  let g = 0;
  const terms = [false, false, true, false];
  for (const term of terms) {
    const r = env.step(0);
    g = g * 0.5 * (term ? 0 : 1) + 2; // G ← G·γ·(1 − terminated) + r
    rms.update([g]);
    t.ok(Math.abs(r.reward - 2 / Math.sqrt(rms.var[0]! + 1e-8)) < 1e-12);
    t.ok(r.reward > 0, 'sign kept: the mean is not subtracted');
  }
});

t.test('NormalizeObservation normalises and can be frozen; clips bound the result', async (t) => {
  const base = new ScriptedEnv([{ obs: [10, -10], reward: 0 }, { obs: [20, -20], reward: 0 }, { obs: [1000, 0], reward: 0 }]);
  const norm = new NormalizeObservation(base);
  const env = new ClipObservation(norm, 1.5);
  env.reset();
  env.step(0);
  norm.frozen = true;
  const before = norm.rms.getState();
  const r = env.step(0);
  t.same(norm.rms.getState(), before, 'frozen: statistics unchanged');
  const want = (20 - before.mean[0]!) / Math.sqrt(before.var[0]! + 1e-8);
  t.ok(Math.abs(r.obs[0]! - Math.fround(Math.max(-1.5, Math.min(1.5, want)))) < 1e-6);
  const r3 = env.step(0);
  t.equal(r3.obs[0], 1.5, 'clipped to +1.5');
});

t.test('ClipAction clips to the bounds; ClipReward clips rewards', async (t) => {
  const env = new ClipAction(make('Pendulum-v1'));
  t.equal(env.actionSpace.kind === 'box' && env.actionSpace.high[0], Infinity);
  env.reset({ seed: 0 });
  const st = env.getState();
  const a = env.step([100]);
  env.setState(st);
  const b = env.step([2]);
  t.same(Array.from(a.obs), Array.from(b.obs), 'action 100 acts like the bound 2');
  const cr = new ClipReward(new ScriptedEnv([{ obs: [0, 0], reward: -50 }]), 10);
  cr.reset();
  t.equal(cr.step(0).reward, -10);
});

t.test('NanGuard names the env, the step and the quantity', async (t) => {
  const env = new NanGuard(new ScriptedEnv([{ obs: [1, 2], reward: 0 }, { obs: [1, NaN], reward: 0 }], 'Broken-v0'));
  env.reset();
  env.step(0);
  const err = t.throws(() => env.step(0)) as unknown as NonFiniteError;
  t.type(err, NonFiniteError);
  t.match(err.message, /Broken-v0/);
  t.match(err.message, /observation\[1\] = NaN/);
  t.match(err.message, /step 2/);
  const env2 = new NanGuard(new ScriptedEnv([{ obs: [1, 2], reward: Infinity }], 'Broken-v1'));
  env2.reset();
  t.throws(() => env2.step(0), /non-finite reward = Infinity from environment Broken-v1 at step 1/);
});
