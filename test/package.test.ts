// Issue 19's done-when: `npm pack` gives a package that a fresh project installs and imports with
// types. Without the registry: the tarball is unpacked into the project's node_modules/pgvar as npm
// would, and pgvar's declared `dependencies` (only those) are linked in from this checkout's
// node_modules, so a runtime import of an undeclared package fails here as it would for a user.
// Then a strict TypeScript file that uses the API compiles with tsc and runs, a deep import of an
// internal module is refused (types and runtime), and the installed CLI loads the example plug-in.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { ROOT, tmpDir } from './helpers.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

function link(project: string, name: string): void {
  const to = path.join(project, 'node_modules', name);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules', name)), to, 'dir');
}

const CONSUMER = `
import { checkEnv, createTrainer, ESTIMATORS, initBackend, loadPlugins, makeEnv, registerEstimator, createEstimator, resolveConfig, type Env, type Estimator, type PpoConfig, type StepResult } from 'pgvar';
import * as path from 'node:path';

await initBackend('wasm', () => {});
const env: Env = makeEnv('CartPole-v1');
const first = env.reset({ seed: 1 });
const step: StepResult = env.step(0);
registerEstimator({ name: 'consumer-single', create: (): Estimator => createEstimator('single') });
await loadPlugins([path.join('node_modules', 'pgvar', 'examples', 'custom-estimator.js')]);
const config: PpoConfig = resolveConfig({}, { envId: 'CartPole-v1', estimator: 'batch-mean', totalTimesteps: 512, numEnvs: 1, numSteps: 128, numMinibatches: 4 });
const trainer = createTrainer(config);
for (let i = 0; i < 2; i++) trainer.iterate();
let internal = 'importable';
try {
  await import('pgvar/dist/ppo/trainer.js' as string);
} catch (e) {
  internal = (e as { code?: string }).code ?? String(e);
}
console.log(JSON.stringify({
  obsLength: first.obs.length,
  reward: step.reward,
  steps: trainer.globalStep,
  estimators: ESTIMATORS.map((e) => e.name),
  checkOk: checkEnv(makeEnv('Pendulum-v1')).ok,
  internal,
}));
trainer.dispose();
`;

t.test('npm pack → install into a fresh project → strict tsc → run', async (t) => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js')) || !fs.existsSync(path.join(ROOT, 'dist', 'index.d.ts'))) {
    t.fail('dist/index.js and dist/index.d.ts are missing: run `npm run build` first');
    return;
  }
  const tmp = tmpDir('pgvar-pack-');
  // --ignore-scripts: dist/ is built already (prepare would rebuild it)
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT);
  t.equal(packed.status, 0, packed.out);
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const files = info[0]!.files.map((f) => f.path);
  for (const f of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'bin/pgvar.js', 'dist/wasm/kernels.wasm', 'examples/custom-estimator.js', 'examples/custom-env.js', 'README.md']) t.ok(files.includes(f), `the tarball has ${f}`);
  t.notOk(files.some((f) => f.startsWith('test/') || f === 'index.ts' || f.startsWith('node_modules/')), 'no tests, sources or node_modules');
  const tarball = path.join(tmp, info[0]!.filename);

  const project = path.join(tmp, 'consumer');
  fs.mkdirSync(path.join(project, 'node_modules'), { recursive: true });
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { [pkg.name]: `file:${tarball}` } }));
  const unpack = run('tar', ['-xzf', tarball, '-C', tmp], tmp);
  t.equal(unpack.status, 0, unpack.out);
  fs.renameSync(path.join(tmp, 'package'), path.join(project, 'node_modules', pkg.name));
  for (const dep of Object.keys(pkg.dependencies)) link(project, dep);
  link(project, '@types/node'); // the consumer's own dev dependency, for tsc

  fs.writeFileSync(path.join(project, 'main.ts'), CONSUMER);
  const tsconfig = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true, types: ['node'], outDir: 'out' }, files: ['main.ts'] };
  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
  const tsc = run(process.execPath, [TSC, '-p', '.'], project);
  t.equal(tsc.status, 0, `tsc: ${tsc.out}`);

  // internal modules are not part of the API: a deep import does not type-check
  fs.writeFileSync(path.join(project, 'deep.ts'), "import { PpoTrainer } from 'pgvar/dist/ppo/trainer.js';\nexport const x = PpoTrainer;\n");
  fs.writeFileSync(path.join(project, 'tsconfig.deep.json'), JSON.stringify({ ...tsconfig, files: ['deep.ts'] }));
  const deep = run(process.execPath, [TSC, '-p', 'tsconfig.deep.json', '--noEmit'], project);
  t.not(deep.status, 0, 'a deep import fails to compile');
  t.match(deep.out, /TS2307: Cannot find module 'pgvar\/dist\/ppo\/trainer\.js'/);

  const main = run(process.execPath, [path.join('out', 'main.js')], project);
  t.equal(main.status, 0, main.out);
  const res = JSON.parse(main.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  t.equal(res['obsLength'], 4);
  t.equal(res['reward'], 1);
  t.equal(res['steps'], 256, 'the trainer ran two iterations with the plug-in estimator');
  t.match(res['estimators'], ['single', 'qma', 'daa', 'mbpo', 'mc', 'ac', 'mac', 'wmpg', 'consumer-single', 'batch-mean']);
  t.equal(res['checkOk'], true);
  t.equal(res['internal'], 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'a deep import is refused at run time');

  const bin = run(process.execPath, [path.join('node_modules', 'pgvar', 'bin', 'pgvar.js'), 'estimators', '--plugin', path.join('node_modules', 'pgvar', 'examples', 'custom-estimator.js')], project);
  t.equal(bin.status, 0, bin.out);
  t.match(bin.stdout, /^batch-mean /m, "the installed CLI loads the package's example plug-in");
});
