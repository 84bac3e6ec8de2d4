/**
 * AsyncVectorEnv (issue 16): the same numbers and infos as SyncVectorEnv over the same sub-envs, in
 * both autoreset modes and every slice layout; env facts (normalisers) read through main-thread
 * mirrors equal the sync env's; state round trips; worker errors surface as one-line errors; close()
 * ends the workers so the process exits; a PPO run gives the same logged numbers as with 'sync'.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { AsyncVectorEnv, makeSubEnv, type SubEnvSpec } from '../envs/async-vector.js';
import type { Info } from '../envs/env.js';
import { prepareEnv } from '../envs/registry.js';
import { SyncVectorEnv, type AutoresetMode, type VectorStepResult } from '../envs/vector.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { envFacts } from '../ppo/env-facts.js';
import { backend, cli, cliInProcess, deterministicMetrics, nodeCommand, ROOT, tmpDir } from './helpers.js';

await backend();
await prepareEnv('Hopper-v5');

const STACK = { actionRepeat: 1, clipAction: true, normalizeObservation: true, clipObservation: 10, normalizeReward: true, clipReward: 10, gamma: 0.99 };
const specs = (envId: string, n: number, stack = true): SubEnvSpec[] => Array.from({ length: n }, () => (stack ? { envId, stack: STACK } : { envId }));

/** Infos without RecordEpisodeStatistics' wall-clock seconds (`episode.t`), the one field that may differ. */
function scrub(info: Info | null | undefined): unknown {
  if (!info) return info;
  const ep = info['episode'] as { r: number; l: number } | undefined;
  return ep ? { ...info, episode: { r: ep.r, l: ep.l } } : info;
}
const comparable = (s: VectorStepResult) => ({ ...s, infos: s.infos.map(scrub), finalInfos: s.finalInfos.map(scrub) });

function actionsFor(v: { singleActionSpace: SyncVectorEnv['singleActionSpace']; numEnvs: number }, t: number) {
  const s = v.singleActionSpace;
  return Array.from({ length: v.numEnvs }, (_, i) => (s.kind === 'discrete' ? (t * 7 + i * 3 + (t >> 2)) % 2 : Float32Array.from({ length: s.low.length }, (_, d) => 1.5 * Math.sin(0.7 * t + i + 2 * d))));
}

/** Step both with the same actions; count the steps whose results (all fields) differ. */
function compare(t: typeof import("tap").default, a: AsyncVectorEnv, s: SyncVectorEnv, steps: number, what: string): { ended: number; rawSeen: boolean } {
  t.same(a.reset({ seed: 3 }), s.reset({ seed: 3 }), `${what}: reset`);
  let bad = 0;
  let ended = 0;
  let rawSeen = false;
  for (let k = 0; k < steps; k++) {
    const acts = actionsFor(s, k);
    const x = a.step(acts);
    const y = s.step(acts);
    if (JSON.stringify(comparable(x)) !== JSON.stringify(comparable(y)) || !x.obs.every((v, i) => Object.is(v, y.obs[i]))) {
      if (bad++ === 0) t.same(comparable(x), comparable(y), `${what}: first differing step ${k}`);
    }
    ended += y.finalObs.filter(Boolean).length + y.autoresetMask.reduce((p, q) => p + q, 0);
    rawSeen ||= x.infos.some((i) => i['raw_obs'] instanceof Float32Array);
  }
  t.equal(bad, 0, `${what}: ${steps} steps equal the sync env's (obs, rewards, flags, infos, final obs/infos, autoreset mask)`);
  return { ended, rawSeen };
}

t.test('same results as SyncVectorEnv: both autoreset modes, several slice layouts', async (t) => {
  const cases: [string, boolean, AutoresetMode, { workers?: number; mainThread?: boolean }, number][] = [
    ['CartPole-v1', false, 'same-step', {}, 150],
    ['CartPole-v1', false, 'next-step', { workers: 2 }, 150],
    ['Pendulum-v1', true, 'same-step', { workers: 2, mainThread: true }, 420],
    ['Pendulum-v1', true, 'next-step', { mainThread: true }, 420],
  ];
  for (const [envId, stack, mode, layout, steps] of cases) {
    const sp = specs(envId, 3, stack);
    const a = new AsyncVectorEnv(sp, { autoresetMode: mode, ...layout });
    const s = new SyncVectorEnv(sp.map(makeSubEnv), mode);
    const what = `${envId} ${mode} ${JSON.stringify(layout)}`;
    const { ended, rawSeen } = compare(t, a, s, steps, what);
    t.ok(ended >= 3, `${what}: episodes ended and were autoreset (${ended})`);
    if (stack) t.ok(rawSeen, `${what}: raw_obs infos came through`);
    t.same(a.getState(), s.getState(), `${what}: same state after the run`);
    a.close();
    await a.closed;
  }
});

t.test('infos are carried: episode statistics and raw values in final infos, other info keys, reset infos', async (t) => {
  const a = new AsyncVectorEnv(specs('Hopper-v5', 2), { autoresetMode: 'same-step' });
  const r0 = a.reset({ seed: 1 });
  t.ok(r0.infos.every((i) => i['raw_obs'] instanceof Float32Array && (i['raw_obs'] as Float32Array).length === a.obsDim), 'reset infos carry raw_obs');
  let finals = 0;
  for (let k = 0; k < 300 && finals < 2; k++) {
    const s = a.step(actionsFor(a, k));
    t.ok(s.infos.every((i) => typeof i['x_position'] === 'number' || i['raw_reward'] === undefined), 'step infos keep the env’s own keys');
    s.finalInfos.forEach((fi, i) => {
      if (!fi) return;
      finals++;
      const ep = fi['episode'] as { r: number; l: number };
      t.ok(ep && Number.isFinite(ep.r) && ep.l > 0, `final info of env ${i} has episode statistics (r ${ep?.r}, l ${ep?.l})`);
      t.type(fi['raw_reward'], 'number', 'final info has raw_reward');
      t.ok(fi['raw_obs'] instanceof Float32Array, 'final info has raw_obs');
      t.ok(s.finalObs[i] instanceof Float32Array && s.finalObs[i]!.length === a.obsDim, 'final obs is there');
      t.notOk(s.infos[i]!['episode'], 'the reset info of the new episode has no episode statistics');
    });
  }
  t.ok(finals >= 2, `episodes ended (${finals})`);
  a.close();
});

t.test('env facts: the normalisers read through mirrors equal the sync env’s at every moment', async (t) => {
  const sp = specs('Pendulum-v1', 3);
  const a = new AsyncVectorEnv(sp, { workers: 2 });
  const s = new SyncVectorEnv(sp.map(makeSubEnv));
  a.reset({ seed: 9 });
  s.reset({ seed: 9 });
  const fa = envFacts(a, 'Pendulum-v1');
  const fs = envFacts(s, 'Pendulum-v1');
  t.same(fa.actionBounds, fs.actionBounds, 'action bounds');
  t.equal(fa.canTerminate, fs.canTerminate);
  const raw = Float32Array.from({ length: 6 * 3 }, (_, i) => Math.sin(i) * 3);
  const rew = Float32Array.from({ length: 6 }, (_, i) => -i - 0.5);
  const envOf = (row: number) => row % 3;
  for (let k = 0; k < 60; k++) {
    a.step(actionsFor(a, k));
    s.step(actionsFor(s, k));
    if (k % 20 !== 19) continue;
    // the same context object is used after the envs moved: the numbers must follow the envs
    t.same(Array.from(fa.agentScaling!.observations(raw, 6, envOf)), Array.from(fs.agentScaling!.observations(raw, 6, envOf)), `observations transform equal after ${k + 1} steps`);
    t.same(Array.from(fa.agentScaling!.rewards(rew, envOf)), Array.from(fs.agentScaling!.rewards(rew, envOf)), `rewards transform equal after ${k + 1} steps`);
  }
  t.same(a.envStates(), s.envStates(), 'per-env states equal');
  a.close();
});

t.test('checkpoint round trip: getState → JSON → setState, into async and into sync envs', async (t) => {
  const sp = specs('Pendulum-v1', 3);
  const a = new AsyncVectorEnv(sp, { mainThread: true });
  a.reset({ seed: 4 });
  for (let k = 0; k < 30; k++) a.step(actionsFor(a, k));
  const st = JSON.parse(JSON.stringify(a.getState()));
  const future = (v: AsyncVectorEnv | SyncVectorEnv) => Array.from({ length: 20 }, (_, k) => comparable(v.step(actionsFor(v, 100 + k))));
  const expected = JSON.stringify(future(a));
  const b = new AsyncVectorEnv(sp, { workers: 2 });
  b.setState(st);
  t.equal(JSON.stringify(future(b)), expected, 'a fresh async env (other layout) continues exactly');
  const s = new SyncVectorEnv(sp.map(makeSubEnv));
  s.setState(st);
  t.equal(JSON.stringify(future(s)), expected, 'a sync env continues exactly from the async env’s state');
  a.close();
  b.close();
});

t.test('a worker error surfaces as a one-line error, and the env stays failed', async (t) => {
  const a = new AsyncVectorEnv(specs('CartPole-v1', 2, false), { workers: 2, timeoutMs: 20_000 });
  a.reset({ seed: 1 });
  const t0 = Date.now();
  let err: Error | undefined;
  try {
    a.step([0, 7]);
  } catch (e) {
    err = e as Error;
  }
  t.ok(err, 'step threw');
  t.match(err?.message, /^async vector env: worker 2 \(sub-envs 1–1\) failed stepping: CartPole-v1: action must be 0 or 1 \(Discrete\(2\)\), got 7$/, `message: ${err?.message}`);
  t.notOk(err?.message.includes('\n'), 'one line');
  t.ok(Date.now() - t0 < 10_000, 'no wait for the timeout');
  t.throws(() => a.step([0, 0]), /worker 2 .* failed/, 'later calls report the same failure');
  a.close();
  await a.closed;
});

t.test('close() ends the workers: closed resolves and a process exits after close', async (t) => {
  const a = new AsyncVectorEnv(specs('CartPole-v1', 2, false), { workers: 2 });
  a.reset({ seed: 1 });
  a.step([0, 1]);
  a.close();
  let timer: NodeJS.Timeout | undefined;
  const ok = await Promise.race([a.closed.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 10_000)))]);
  clearTimeout(timer);
  t.ok(ok, 'closed resolved');
  t.throws(() => a.step([0, 1]), /after close/);
  const r = spawnSync(...nodeCommand(['--import', 'tsx', 'test/fixtures/async-env-close.ts']), { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, `the process exited by itself (status ${r.status}, signal ${r.signal}; ${r.stderr.trim().split('\n').slice(-2).join(' ')})`);
  t.match(r.stdout, /closed/);
});

t.test("PPO with vectorEnv 'async' logs the same numbers as 'sync'; resume from an async checkpoint is exact", async (t) => {
  for (const [envId, numEnvs] of [['CartPole-v1', 4], ['Pendulum-v1', 2]] as const) {
    const cfg = (vectorEnv: 'sync' | 'async') => resolveConfig({}, { envId, totalTimesteps: 4 * numEnvs * 64, numEnvs, numSteps: 64, numMinibatches: 2, updateEpochs: 2, seed: 5, vectorEnv });
    const run = (vectorEnv: 'sync' | 'async', iters: number, from?: ReturnType<ReturnType<typeof createTrainer>['getState']>) => {
      const tr = createTrainer(cfg(vectorEnv));
      if (from) tr.setState(JSON.parse(JSON.stringify(from)));
      const out: unknown[] = [];
      for (let i = 0; i < iters; i++) out.push(tr.iterate());
      const state = tr.getState();
      tr.dispose();
      return { out: JSON.stringify(out), state };
    };
    const s = run('sync', 4);
    const a = run('async', 4);
    t.equal(a.out, s.out, `${envId}: metrics and episodes of 4 iterations bit-identical`);
    const half = run('async', 2);
    const rest = run('async', 2, half.state);
    const restSync = run('sync', 2, half.state);
    t.equal(JSON.stringify(JSON.parse(s.out).slice(2)), rest.out, `${envId}: resumed from an async checkpoint, the last 2 iterations equal the uninterrupted run`);
    t.equal(restSync.out, rest.out, `${envId}: an async checkpoint resumes exactly with 'sync' too`);
  }
});

t.test('pgvar train --vector-env (built CLI): recorded in config.json, same metrics as sync, may change on resume, bad values named', async (t) => {
  const dir = tmpDir();
  const args = ['train', '--env', 'CartPole-v1', '--steps', '1024', '--num-envs', '4', '--num-steps', '64', '--seed', '2', '--quiet', '--backend', 'wasm'];
  const runs: Record<string, string> = {};
  for (const v of ['sync', 'async']) {
    runs[v] = path.join(dir, v);
    const r = cli([...args, '--vector-env', v, '--out', runs[v]!]);
    t.equal(r.status, 0, r.stderr);
    t.equal(JSON.parse(fs.readFileSync(path.join(runs[v]!, 'config.json'), 'utf8')).vectorEnv, v, `config.json records vectorEnv ${v}`);
  }
  t.same(deterministicMetrics(path.join(runs['async']!, 'metrics.jsonl')), deterministicMetrics(path.join(runs['sync']!, 'metrics.jsonl')), 'same metrics');
  t.equal(fs.readFileSync(path.join(runs['async']!, 'episodes.csv'), 'utf8'), fs.readFileSync(path.join(runs['sync']!, 'episodes.csv'), 'utf8'), 'same episodes');
  // resume the sync run from its first snapshot with the async env: the same end
  const out = path.join(dir, 'resumed');
  t.equal(cli([...args, '--snapshot-every', '256', '--out', out]).status, 0);
  fs.copyFileSync(path.join(out, 'checkpoint', 'step-256.json'), path.join(out, 'checkpoint', 'checkpoint.json'));
  const r = cli(['train', '--resume', out, '--vector-env', 'async', '--quiet', '--backend', 'wasm']);
  t.equal(r.status, 0, r.stderr);
  t.same(deterministicMetrics(path.join(out, 'metrics.jsonl')), deterministicMetrics(path.join(runs['sync']!, 'metrics.jsonl')), 'resumed with async: same metrics as the sync run');
  t.equal(JSON.parse(fs.readFileSync(path.join(out, 'checkpoint', 'checkpoint.json'), 'utf8')).config.vectorEnv, 'async', 'the checkpoint records the vector env it continued with');
  // the errors in this process (runCli, what bin/pgvar.js runs; cli.test.ts compares the two)
  const bad = await cliInProcess([...args, '--vector-env', 'threads', '--out', path.join(dir, 'bad')]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--vector-env <kind>' argument 'threads' is invalid\. expected one of sync\|async, got 'threads'/);
  const cfgFile = path.join(dir, 'c.json');
  fs.writeFileSync(cfgFile, JSON.stringify({ vectorEnv: 'parallel' }));
  const badCfg = await cliInProcess([...args, '--config', cfgFile, '--out', path.join(dir, 'bad2')]);
  t.equal(badCfg.status, 2);
  t.match(badCfg.stderr, /'vectorEnv' expected one of 'sync' \| 'async', got "parallel"/);
  t.equal(badCfg.stderr.trim().split('\n').length, 1, `one line: ${badCfg.stderr.trim()}`);
});

t.test("daa and mbpo (estimators that read ctx.agentScaling through the mirrors) train bit-identically with 'async'", async (t) => {
  for (const estimator of ['daa', 'mbpo']) {
    const cfg = (vectorEnv: 'sync' | 'async') => resolveConfig({}, { envId: 'Pendulum-v1', estimator, totalTimesteps: 768, numEnvs: 2, numSteps: 128, numMinibatches: 2, updateEpochs: 1, seed: 7, vectorEnv, estimatorOptions: { actions: 2, horizon: 3, hidden: [16], modelUpdates: 5, warmupSteps: 0 } });
    const run = (v: 'sync' | 'async') => {
      const tr = createTrainer(cfg(v));
      const out = [tr.iterate(), tr.iterate(), tr.iterate()];
      tr.dispose();
      return JSON.stringify(out);
    };
    t.equal(run('async'), run('sync'), `${estimator}: 3 iterations, metrics (estimator statistics included) bit-identical`);
  }
});
