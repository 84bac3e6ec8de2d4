// Plug-ins (issue 19 item 2): registerEstimator/registerEnv, the loader's errors, and the examples/
// plug-ins run through the API and through the CLI (recorded in config.json and loaded again on
// --resume, eval and variance).
import * as fs from 'node:fs';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { checkEnv, createEstimator, createTrainer, envIds, ESTIMATORS, estimatorInfo, loadedPlugins, loadPlugins, loadRun, makeEnv, registerEnv, registerEstimator, resolveConfig, trainRun, UsageError } from '../index.js';
import { backend, cli, cliInProcess, ROOT, tmpDir } from './helpers.js';
import { expandSweep, normalizeSpec } from '../experiment/sweep-spec.js';

const dir = tmpDir('pgvar-plugins-');
const ENV_PLUGIN = path.join('examples', 'custom-env.js');
const EST_PLUGIN = path.join('examples', 'custom-estimator.js');
const quiet = ['--quiet', '--backend', 'wasm'];

t.before(async () => {
  await backend();
});

/** Applies `edit` to a run's config.json and to the config inside its checkpoint. */
function editRunConfig(run: string, edit: (config: Record<string, unknown>) => void): void {
  const cfgFile = path.join(run, 'config.json');
  const ckFile = path.join(run, 'checkpoint', 'checkpoint.json');
  const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
  const ck = JSON.parse(fs.readFileSync(ckFile, 'utf8'));
  edit(cfg);
  edit(ck.config);
  fs.writeFileSync(cfgFile, JSON.stringify(cfg));
  fs.writeFileSync(ckFile, JSON.stringify(ck));
}

/** A copy of run `out` whose recorded plug-in no longer exists: eval stops with one line naming the file and the config.json. */
function checkMovedPlugin(t: Test, out: string, name: string, extra: string[]): void {
  const moved = path.join(dir, name);
  fs.cpSync(out, moved, { recursive: true });
  editRunConfig(moved, (c) => (c['plugins'] = [path.join(dir, 'gone.js')]));
  const g = cli(['eval', '--run', moved, '--episodes', '1', ...extra]);
  t.equal(g.status, 2);
  t.match(g.stderr, new RegExp(`^pgvar: error: plugin ${path.join(dir, 'gone.js')} \\(recorded in ${moved}/config.json\\): no such file`, 'm'));
}

t.test('registerEstimator extends the list without breaking built-in names and aliases', async (t) => {
  const n = ESTIMATORS.length;
  t.throws(() => registerEstimator({ name: 'single', create: () => createEstimator('single') }), new UsageError("estimator name 'single' is already registered (built in)"));
  t.throws(() => registerEstimator({ name: 'fresh', aliases: ['gae'], create: () => createEstimator('single') }), /estimator name 'gae' is already registered \(built in\)/, 'aliases clash too');
  t.throws(() => registerEstimator({ name: 'a,b', create: () => createEstimator('single') }), /estimator name "a,b" is not valid/);
  t.throws(() => registerEstimator({ name: 'no-create' } as never), /needs a create\(options\) function, got undefined/);
  t.equal(ESTIMATORS.length, n, 'failed registrations add nothing');
  registerEstimator({ name: 'test-copy', aliases: ['test-copy-alias'], create: () => createEstimator('single') });
  t.equal(estimatorInfo('test-copy-alias').name, 'test-copy');
  t.equal(estimatorInfo('gae').name, 'single', 'built-in aliases still resolve');
  t.equal(estimatorInfo('mbma').name, 'daa');
  t.throws(() => registerEstimator({ name: 'test-copy-alias', create: () => createEstimator('single') }), /'test-copy-alias' is already registered \(by the program\)/);
  registerEstimator({ name: 'test-broken', create: () => ({}) as never });
  t.throws(() => createEstimator('test-broken'), /estimator 'test-broken' \(registered by the program\): create\(\) must return an object with a prepare\(rollout, ctx\) method/);
  t.throws(() => registerEnv({ id: 'CartPole-v1', create: () => makeEnv('Pendulum-v1') }), /environment id 'CartPole-v1' is already registered \(built in\)/);
  t.throws(() => registerEnv({ id: 'bad id', create: () => makeEnv('Pendulum-v1') }), /environment id "bad id" is not valid/);
  t.throws(() => registerEnv({ id: 'test/Steps-v0', create: () => makeEnv('Pendulum-v1'), maxEpisodeSteps: 0 }), /maxEpisodeSteps must be a positive integer, got 0/);
  const spec = registerEnv({ id: 'test/Pendulum-copy-v0', create: () => makeEnv('Pendulum-v1') });
  t.equal(spec.family, 'continuous', 'the family follows the action space when not given');
});

t.test('the example plug-ins through the API: the env passes checkEnv, the estimator trains, runs reopen', async (t) => {
  const files = await loadPlugins([ENV_PLUGIN, EST_PLUGIN], { cwd: ROOT });
  t.same(files, [path.join(ROOT, ENV_PLUGIN), path.join(ROOT, EST_PLUGIN)], 'absolute paths');
  t.same(await loadPlugins([EST_PLUGIN], { cwd: ROOT }), [path.join(ROOT, EST_PLUGIN)], 'loading again is a no-op (no clash with itself)');
  t.ok(envIds().includes('examples/LineWalk-v0'));
  t.equal(estimatorInfo('mean-baseline').name, 'batch-mean');
  const r = checkEnv(makeEnv('examples/LineWalk-v0'), { factory: () => makeEnv('examples/LineWalk-v0') });
  t.ok(r.ok, r.checks.map((c) => c.message).join('\n'));
  t.same(r.checks.map((c) => c.status), ['ok', 'ok', 'ok', 'ok', 'ok']);

  const config = resolveConfig({}, { envId: 'examples/LineWalk-v0', estimator: 'batch-mean', totalTimesteps: 1024, numEnvs: 2, numSteps: 128, seed: 3 });
  const trainer = createTrainer(config);
  const { metrics } = trainer.iterate();
  t.equal(trainer.globalStep, 256);
  t.ok(Number.isFinite(metrics['estimator/baseline'] as number), 'the estimator reports its baseline');
  trainer.dispose();

  config.plugins = loadedPlugins();
  const out = path.join(dir, 'api-run');
  const summary = await trainRun({ out, config, progress: false });
  t.equal(summary.estimator, 'batch-mean');
  t.equal(summary.steps, 1024);
  const recorded = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
  t.same(recorded.plugins, [path.join(ROOT, ENV_PLUGIN), path.join(ROOT, EST_PLUGIN)]);
  const run = await loadRun(out);
  t.equal(run.trainer.globalStep, 1024);
  run.trainer.dispose();
});

t.test('the example estimator through the CLI; eval, variance and --resume load the recorded plug-in', async (t) => {
  const out = path.join(dir, 'cli-est');
  const r = cli(['train', '--plugin', EST_PLUGIN, '--estimator', 'batch-mean', '--env', 'CartPole-v1', '--steps', '2048', '--out', out, ...quiet]);
  t.equal(r.status, 0, r.stderr);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
  t.equal(config.estimator, 'batch-mean');
  t.same(config.plugins, [path.join(ROOT, EST_PLUGIN)], 'config.json records the plug-in, absolute');
  const e = cli(['eval', '--run', out, '--episodes', '1', '--backend', 'wasm']);
  t.equal(e.status, 0, e.stderr);
  const v = cli(['variance', '--run', out, '--batches', '2', '--batch-size', '64', '--reference-batches', '2', '--backend', 'wasm']);
  t.equal(v.status, 0, v.stderr);
  t.ok(JSON.parse(v.stdout).estimators['batch-mean'], 'the plug-in estimator is measured');
  const res = cli(['train', '--resume', out, ...quiet]);
  t.equal(res.status, 0, res.stderr);
  // a run whose plug-in moved away says which file and where it was recorded
  checkMovedPlugin(t, out, 'moved', ['--backend', 'wasm']);
});

t.test('the example env through the CLI, and plug-ins from a --config file', async (t) => {
  const out = path.join(dir, 'cli-env');
  const r = cli(['train', '--plugin', ENV_PLUGIN, '--env', 'examples/LineWalk-v0', '--steps', '2048', '--out', out, ...quiet]);
  t.equal(r.status, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).steps, 2048);
  // --vector-env async builds the sub-envs in a worker thread, which loads the plug-in first
  const a = cli(['train', '--plugin', ENV_PLUGIN, '--env', 'examples/LineWalk-v0', '--vector-env', 'async', '--num-envs', '2', '--steps', '1024', '--out', path.join(dir, 'cli-env-async'), ...quiet]);
  t.equal(a.status, 0, a.stderr);
  const cfgFile = path.join(dir, 'cfg.json');
  fs.writeFileSync(cfgFile, JSON.stringify({ plugins: [ENV_PLUGIN, EST_PLUGIN], envId: 'examples/LineWalk-v0', estimator: 'batch-mean', totalTimesteps: 1024 }));
  const out2 = path.join(dir, 'cli-config');
  const c = cli(['train', '--config', cfgFile, '--out', out2, ...quiet]);
  t.equal(c.status, 0, c.stderr);
  t.same(JSON.parse(fs.readFileSync(path.join(out2, 'config.json'), 'utf8')).plugins, [path.join(ROOT, ENV_PLUGIN), path.join(ROOT, EST_PLUGIN)]);
  fs.writeFileSync(cfgFile, JSON.stringify({ plugins: 'examples/custom-env.js', envId: 'CartPole-v1' }));
  const bad = cli(['train', '--config', cfgFile, '--out', out2, ...quiet]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^pgvar: error: --config .*cfg\.json: 'plugins' must be an array of file paths, got "examples\/custom-env\.js"\n$/);
  const list = cli(['estimators', '--plugin', EST_PLUGIN]);
  t.match(list.stdout, /^batch-mean .*\(aliases: mean-baseline\)$/m, '`pgvar estimators` lists it');
});

t.test('a plug-in that fails gives one line naming the file (exit code 2)', async (t) => {
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const cases: [string, RegExp][] = [
    [path.join(dir, 'missing.js'), /plugin .*missing\.js: no such file/],
    [write('syntax.js', 'export default (p) => {\n'), /plugin .*syntax\.js: cannot load it \(SyntaxError: /],
    [write('throws.js', 'throw new Error("boom");\n'), /plugin .*throws\.js: cannot load it \(Error: boom\)/],
    [write('dup.js', 'export default (p) => p.registerEstimator({ name: "single", create: () => null });\n'), /plugin .*dup\.js: estimator name 'single' is already registered \(built in\)/],
    [write('dup-env.js', 'export default (p) => p.registerEnv({ id: "CartPole-v1", create: () => p.makeEnv("Pendulum-v1") });\n'), /plugin .*dup-env\.js: environment id 'CartPole-v1' is already registered \(built in\)/],
    [write('nothing.js', 'export const x = 1;\n'), /plugin .*nothing\.js: registered no environment or estimator/],
    [write('default-throws.js', 'export default () => { throw new TypeError("bad"); };\n'), /plugin .*default-throws\.js: its default export threw TypeError: bad/],
  ];
  for (const [file, re] of cases) {
    const args = ['train', '--plugin', file, '--env', 'CartPole-v1', '--steps', '512', '--out', path.join(dir, 'never'), ...quiet];
    // the missing file in this process (runCli, what bin/pgvar.js runs; cli.test.ts compares the two); the
    // others are loaded, which a .js file outside the package cannot be in tap's process (its TypeScript loader)
    const r = file === cases[0]![0] ? await cliInProcess(args) : cli(args);
    t.equal(r.status, 2, file);
    t.match(r.stderr, re, file);
    t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr.trim()}`);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  t.notOk(fs.existsSync(path.join(dir, 'never')), 'nothing ran');
  // two plug-ins that claim the same name: the second is named, with who registered it first
  const a = write('first.js', 'export default (p) => p.registerEstimator({ name: "twin", create: () => p.createEstimator("single") });\n');
  const b = write('second.js', 'export default (p) => p.registerEstimator({ name: "twin", create: () => p.createEstimator("single") });\n');
  const r = cli(['estimators', '--plugin', a, '--plugin', b]);
  t.equal(r.status, 2);
  t.match(r.stderr, new RegExp(`plugin ${b}: estimator name 'twin' is already registered \\(by plugin ${a}\\)`));
});

t.test('an off-policy run on a plug-in env records the plug-in: --resume, eval and sweeps load it again', async (t) => {
  const out = path.join(dir, 'cli-sac');
  const small = ['--algo', 'sac', '--env', 'examples/LineWalkContinuous-v0', '--learning-starts', '100', '--batch-size', '16', '--hidden-sizes', '16,16', '--checkpoint-every', '100', '--quiet'];
  const r = cli(['train', '--plugin', ENV_PLUGIN, ...small, '--steps', '300', '--out', out]);
  t.equal(r.status, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).steps, 300);
  t.same(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).plugins, [path.join(ROOT, ENV_PLUGIN)], 'config.json records the plug-in, absolute');
  // a run cut at its 200-step checkpoint: --resume (no --plugin) finishes it from the recorded plug-in
  const cut = path.join(dir, 'cli-sac-cut');
  t.equal(cli(['train', '--plugin', ENV_PLUGIN, ...small, '--steps', '200', '--out', cut]).status, 0);
  editRunConfig(cut, (c) => (c['totalTimesteps'] = 300));
  const res = cli(['train', '--resume', cut, '--quiet']);
  t.equal(res.status, 0, res.stderr);
  t.equal(JSON.parse(res.stdout).steps, 300, 'the resumed run reaches its end');
  const e = cli(['eval', '--run', out, '--episodes', '1']);
  t.equal(e.status, 0, e.stderr);
  t.equal(JSON.parse(e.stdout).algo, 'sac');
  // a moved plug-in is named with where it was recorded
  checkMovedPlugin(t, out, 'cli-sac-moved', []);
  // a sweep's off-policy runs carry the spec's plug-ins too
  await loadPlugins([ENV_PLUGIN], { cwd: ROOT });
  const spec = normalizeSpec({ envs: ['examples/LineWalkContinuous-v0'], algos: ['sac', 'ppo'], seeds: [1], plugins: [ENV_PLUGIN] }, 'test', ROOT);
  const runs = await expandSweep(spec);
  t.same(runs.map((run) => [run.algo, run.config.plugins]), [['sac', [path.join(ROOT, ENV_PLUGIN)]], ['ppo', [path.join(ROOT, ENV_PLUGIN)]]]);
});
