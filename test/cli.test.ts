import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { BIN, cli, cliInProcess, deterministicMetrics, nodeCommand, ROOT, spawn, tmpDir } from './helpers.js';

const dir = tmpDir();
const quick = ['--env', 'CartPole-v1', '--steps', '3072', '--quiet', '--backend', 'wasm'];

t.test('same seed ⇒ identical metrics.jsonl and episodes.csv; another seed differs', async (t) => {
  const a = cli(['train', ...quick, '--seed', '7', '--out', path.join(dir, 'a')]);
  t.equal(a.status, 0, a.stderr);
  t.match(a.stderr, /tensor backend wasm/, 'the backend is printed');
  const b = cli(['train', ...quick, '--seed', '7', '--out', path.join(dir, 'b')]);
  const c = cli(['train', ...quick, '--seed', '8', '--out', path.join(dir, 'c')]);
  t.equal(b.status, 0);
  t.equal(c.status, 0);
  const ma = deterministicMetrics(path.join(dir, 'a', 'metrics.jsonl'));
  t.equal(ma.length, 6);
  t.same(deterministicMetrics(path.join(dir, 'b', 'metrics.jsonl')), ma);
  t.equal(fs.readFileSync(path.join(dir, 'a', 'episodes.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'b', 'episodes.csv'), 'utf8'));
  t.notSame(deterministicMetrics(path.join(dir, 'c', 'metrics.jsonl')), ma);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'a', 'summary.json'), 'utf8'));
  for (const k of ['env', 'seed', 'steps', 'final_return_mean', 'wall_s', 'backend']) t.ok(k in summary, `summary has ${k}`);
  t.equal(summary.steps, 3072);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'a', 'config.json'), 'utf8'));
  t.equal(config.learningRate, 2.5e-4, 'config.json is fully resolved');
  const row = ma[0]!;
  for (const k of ['global_step', 'episodic_return_mean', 'policy_loss', 'value_loss', 'entropy', 'approx_kl', 'clipfrac', 'explained_variance', 'learning_rate']) t.ok(k in row, `metrics has ${k}`);
});

t.test('a run killed at an arbitrary point resumes to the same result as an uninterrupted one', async (t) => {
  const args = ['--env', 'Pendulum-v1', '--steps', '4096', '--num-steps', '256', '--num-minibatches', '4', '--update-epochs', '2', '--seed', '4', '--quiet', '--backend', 'wasm'];
  const ref = cli(['train', ...args, '--out', path.join(dir, 'ref')]);
  t.equal(ref.status, 0, ref.stderr);
  for (const killAfter of [3, 9]) {
    const out = path.join(dir, `killed${killAfter}`);
    const child = spawn(process.execPath, [BIN, 'train', ...args, '--out', out], { stdio: 'ignore' });
    const metrics = path.join(out, 'metrics.jsonl');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const n = fs.existsSync(metrics) ? fs.readFileSync(metrics, 'utf8').split('\n').length - 1 : 0;
        if (n >= killAfter) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    await new Promise((r) => child.on('exit', r));
    const lines = fs.readFileSync(metrics, 'utf8').split('\n').length - 1;
    t.ok(lines < 16, `killed mid-run after ${lines} iterations`);
    const res = cli(['train', '--resume', out, '--quiet', '--backend', 'wasm']);
    t.equal(res.status, 0, res.stderr);
    t.same(deterministicMetrics(metrics), deterministicMetrics(path.join(dir, 'ref', 'metrics.jsonl')), 'metrics: nothing lost, nothing duplicated');
    t.equal(fs.readFileSync(path.join(out, 'episodes.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'ref', 'episodes.csv'), 'utf8'));
    const s1 = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const s0 = JSON.parse(fs.readFileSync(path.join(dir, 'ref', 'summary.json'), 'utf8'));
    t.equal(s1.final_return_mean, s0.final_return_mean);
  }
});

t.test('eval and variance read a run', async (t) => {
  const ev = cli(['eval', '--run', path.join(dir, 'a'), '--episodes', '3', '--deterministic', '--backend', 'wasm']);
  t.equal(ev.status, 0, ev.stderr);
  const e = JSON.parse(ev.stdout);
  t.equal(e.returns.length, 3);
  t.equal(e.deterministic, true);
  const out = path.join(dir, 'var.json');
  const v = cli(['variance', '--run', path.join(dir, 'a'), '--batches', '4', '--batch-size', '128', '--bootstrap', '50', '--out', out, '--backend', 'wasm']);
  t.equal(v.status, 0, v.stderr);
  const rep = JSON.parse(fs.readFileSync(out, 'utf8'));
  t.same(Object.keys(rep).slice(0, 5), ['env', 'step', 'num_params', 'batches', 'batch_size']);
  t.equal(rep.num_params, 4 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2);
  const s = rep.estimators.single;
  for (const k of ['mean_grad_norm', 'total_variance', 'mean_param_variance', 'relative_variance', 'mean_pairwise_cosine', 'cosine_to_reference', 'relative_bias', 'relative_variance_app_c4', 'robust_relative_bias']) t.ok(Number.isFinite(s[k]), `${k} = ${s[k]}`);
  t.ok(s.ci95.relative_variance[0] <= s.ci95.relative_variance[1], 'bootstrap interval (asked for with --bootstrap)');
  t.ok(s.intervals.trace_cov.lo <= s.intervals.trace_cov.hi && s.intervals.K === 4 && s.intervals.K_ref === 4, 'coverage-tested intervals, reference pool as large as the tested pool');
  t.ok(Math.abs(s.mean_param_variance * rep.num_params - s.total_variance) < 1e-9 * s.total_variance);
});

t.test('envs and estimators list themselves as JSON', async (t) => {
  // in this process (runCli, what bin/pgvar.js runs; the bad-input test below compares the two)
  const e = await cliInProcess(['envs', '--json']);
  t.equal(e.status, 0);
  const envs = JSON.parse(e.stdout);
  const cp = envs.find((x: { id: string }) => x.id === 'CartPole-v1');
  t.same(cp.action_space, { type: 'Discrete', n: 2, start: 0 });
  t.same(cp.observation_space.shape, [4]);
  const p = envs.find((x: { id: string }) => x.id === 'Pendulum-v1');
  t.same(p.action_space.low, [-2]);
  const est = JSON.parse((await cliInProcess(['estimators', '--json'])).stdout);
  t.equal(est[0].name, 'single');
});

t.test('--help, usage errors, listings and off-policy --print-config start without tfjs, the estimators or vega', async (t) => {
  // the modules each command line loads (test/fixtures/record-loads.mjs records them)
  const loads = (args: string[]) => {
    const file = path.join(dir, `loads-${args.join('_').replace(/[^\w.-]+/g, '-')}.txt`);
    const r = spawnSync(...nodeCommand(['--import', './test/fixtures/record-loads.mjs', BIN, ...args]), { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PGVAR_RECORD_LOADS: file } });
    return { status: r.status, stderr: r.stderr, urls: fs.readFileSync(file, 'utf8').trim().split('\n') };
  };
  const heavy = (urls: string[]) => urls.filter((u) => /\/node_modules\/(@tensorflow|vega|@box2d)\/|\/dist\/estimators\/(?!registry\.js)|\/dist\/(nets\/(actor-critic|mlp)|ppo\/trainer|envs\/registry)\.js/.test(u));
  for (const args of [['--help'], ['train', '--help'], ['train', '--env', 'CartPole-v1', '--steps', 'lots'], ['train', '--env', 'CartPole-v1', '--estimator', 'magic'], ['agents'], ['estimators', '--json'], ['train', '--algo', 'sac', '--print-config']]) {
    const r = loads(args);
    t.ok(r.urls.some((u) => u.endsWith('/dist/cli/commands.js')), `${args.join(' ')}: the recorder saw the CLI load`);
    t.same(heavy(r.urls), [], `${args.join(' ')}: exit ${r.status}, ${r.urls.length} modules, none of them tfjs, an estimator, vega, box2d or the env registry`);
  }
  // a command that builds an estimator loads them (the recorder sees tfjs, required, when it loads)
  const resolve = loads(['train', '--env', 'CartPole-v1', '--num-minibatches', '3']);
  t.equal(resolve.status, 2, resolve.stderr);
  t.ok(resolve.urls.some((u) => u.includes('/node_modules/@tensorflow/tfjs/')), 'train resolving a PPO config loads tfjs');
});

t.test('bad input gets a one-line error naming the problem, exit code 2', async (t) => {
  const cfg = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const cases: [string[], RegExp][] = [
    [['train', '--env', 'CartPol-v1', '--quiet'], /unknown environment id 'CartPol-v1'\. Valid ids: CartPole-v1, Pendulum-v1/],
    [['train', '--env', 'CartPole-v1', '--steps', 'lots'], /--steps.*expected a positive step count.*'lots'/],
    [['train', '--env', 'CartPole-v1', '--seed', '-3'], /--seed.*expected an integer ≥ 0, got '-3'/],
    [['train', '--env', 'CartPole-v1', '--lr', 'fast'], /--lr.*expected a number.*'fast'/],
    [['train', '--env', 'CartPole-v1', '--stepz', '10'], /unknown option '--stepz'/],
    [['train', '--env', 'CartPole-v1', '--estimator', 'magic'], /unknown estimator 'magic'\. Valid estimators: single/],
    [['train', '--env', 'CartPole-v1', '--num-minibatches', '3'], /batch size numEnvs×numSteps = 512 is not divisible by numMinibatches = 3/],
    [['train', '--env', 'CartPole-v1', '--backend', 'gpu'], /--backend.*gpu/],
    [['train', '--env', 'CartPole-v1', '--network', 'nature-cnn'], /network 'nature-cnn' needs C × 84 × 84 frame observations, got observation shape \[4\]/],
    [['train', '--env', 'Pong-v0', '--estimator', 'wmpg', '--estimator-options', '{"model":"state"}'], /estimator 'wmpg': model 'state' needs flat state-vector observations, got shape \[4, 84, 84\]/],
    [['train', '--env', 'CartPole-v1', '--config', cfg('bad.json', '{"learningRate": 0.001,')], /not valid JSON/],
    [['train', '--env', 'CartPole-v1', '--config', cfg('key.json', '{"learning_rate": 0.001}')], /unknown key\(s\) 'learning_rate'; valid keys: envId/],
    [['train', '--env', 'CartPole-v1', '--config', cfg('type.json', '{"gamma": "high"}')], /'gamma' Invalid input: expected number, received string/],
    [['train', '--env', 'CartPole-v1', '--config', cfg('range.json', '{"gamma": 1.5}')], /'gamma' Too big: expected number to be <=1/],
    [['train', '--env', 'CartPole-v1', '--config', path.join(dir, 'missing.json')], /cannot read the file \(ENOENT\)/],
    [['train', '--resume', path.join(dir, 'nothing-here')], /run directory .* does not exist/],
    [['train', '--resume', path.join(dir, 'a'), '--lr', '0.1'], /--resume continues the run with its saved config\.json; remove 'learningRate'/],
    [['train', '--env', 'CartPole-v1', '--learner-threads', '0'], /--learner-threads.*expected an integer ≥ 1, got '0'/],
    [['train', ...quick, '--seed', '7', '--out', path.join(dir, 'a')], /already holds a run; continue it with --resume/],
    [['train'], /missing environment: pass --env ID/],
    [['eval', '--run', dir], /has no checkpoint/],
    [['variance', '--run', path.join(dir, 'a'), '--batch-size', '6', '--backend', 'wasm'], /--batch-size 6 must be a multiple of the run's numEnvs = 4/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['train', '--env', 'Pendulum-v1', '--estimator', 'daa', '--estimator-options', '{"preset":"huge"}'], /estimator 'daa': preset must be one of paper, code, cpu, got 'huge'/],
    [['train', '--env', 'Pendulum-v1', '--estimator', 'mc', '--estimator-options', '{"actions":0}'], /estimator 'mc': option 'actions' must be a positive integer, got 0/],
    [['train', '--env', 'Pendulum-v1', '--estimator', 'daa', '--estimator-options', '{"hidden":[64,-1]}'], /estimator 'daa': option 'hidden' must be an array of positive integers, got \[64,-1\]/],
    [['train', '--env', 'Pendulum-v1', '--estimator', 'qma', '--estimator-options', '{"horizon":3}'], /estimator 'qma': unknown option 'horizon'; valid: actions, hidden/],
    [['train', '--env', 'Pendulum-v1', '--estimator-options', '{bad'], /--estimator-options.*expected a JSON object/],
  ];
  // in this process (runCli, what bin/pgvar.js runs): a process start per case would cost more than the cases
  for (const [args, re] of cases) {
    const r = await cliInProcess(args);
    t.equal(r.status, 2, `exit 2 for ${args.join(' ')} (stderr: ${r.stderr.trim()})`);
    t.match(r.stderr, re, args.join(' '));
    t.notMatch(r.stderr, /\n\s+at .*\.[jt]s:\d+/, 'no stack trace (in-process: the frames are .ts files)');
  }
  // and the binary answers exactly so: a commander error, an unknown command, a config file read before parsing, a config check, an estimator's option check
  for (const args of [['train', '--env', 'CartPole-v1', '--steps', 'lots'], ['frobnicate'], ['train', '--env', 'CartPole-v1', '--config', path.join(dir, 'bad.json')], ['train', '--env', 'CartPole-v1', '--num-minibatches', '3'], ['train', '--env', 'Pendulum-v1', '--estimator', 'mc', '--estimator-options', '{"actions":0}']]) {
    t.same(cli(args), await cliInProcess(args), `bin/pgvar.js ${args.join(' ')}: the same exit code, stdout and stderr as in-process`);
  }
});

t.test('--learner-threads is the one setting a resumed run may change, and it says so', async (t) => {
  const out = path.join(dir, 'threads');
  // learner threads share the update on the tfjs engine
  t.equal(cli(['train', '--env', 'CartPole-v1', '--steps', '1024', '--num-envs', '4', '--num-steps', '128', '--seed', '3', '--snapshot-every', '512', '--out', out, '--quiet', '--backend', 'wasm', '--engine', 'tfjs']).status, 0);
  const ev = cli(['eval', '--run', out, '--at', '512', '--episodes', '2', '--deterministic', '--backend', 'wasm']);
  t.equal(ev.status, 0, ev.stderr);
  t.equal(JSON.parse(ev.stdout).step, 512, 'eval --at evaluates the kept snapshot');
  t.match(cli(['eval', '--run', out, '--at', '600k']).stderr, /has no snapshot at or after step 600000 \(kept: 512, 1024\)/);
  // go back to the first iteration's snapshot, as if the run had stopped there
  fs.copyFileSync(path.join(out, 'checkpoint', 'step-512.json'), path.join(out, 'checkpoint', 'checkpoint.json'));
  const r = cli(['train', '--resume', out, '--learner-threads', '2', '--quiet', '--backend', 'wasm']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /resuming with learnerThreads 2 \(the run so far used 1\)/);
  const ck = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as { config: { learnerThreads: number } };
  t.equal(ck.config.learnerThreads, 2, 'the checkpoint written after the resumed iteration records the thread count it continued with');
});
