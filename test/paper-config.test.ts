/**
 * `--setting mbma-paper | mbma-code` (experiment/settings.ts): one switch for MBMA's PPO and estimator
 * settings (spec estimators.md §1.7 items 5–7, §1.8 table C.5 and "Code defaults that differ").
 * The expected values below are written out from the spec, not read from the settings table, so a
 * wrong or missing row in the table fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from '../nets/tf.js';
import t from 'tap';
import { resolveConfig } from '../experiment/build.js';
import { loadRun } from '../experiment/load-run.js';
import { createTrainer } from '../experiment/train-run.js';
import { prepareEnv } from '../envs/registry.js';
import { mlpForward } from '../nets/mlp.js';
import { derived, type PpoConfig } from '../ppo/config.js';
import { learnerSpec } from '../ppo/learner-pool.js';
import { backend, cli, cliInProcess, ROOT, tmpDir } from './helpers.js';

await backend();
await prepareEnv('dmc/cheetah-run');

const DMC = 'dmc/cheetah-run';
const dir = tmpDir('pgvar-setting-');

/** The PPO values both settings must set (spec §1.7 items 5–7, §1.8), the critic width aside. */
const PPO_COMMON: Partial<PpoConfig> = {
  normAdv: false,
  hiddenSizes: [512, 512],
  actorHiddenSizes: [512, 512],
  activation: 'leaky_relu',
  tanhMean: true,
  network: 'mlp',
  learningRate: 3e-4,
  annealLr: true,
  numSteps: 2048,
  numEnvs: 1,
  numMinibatches: 32,
  updateEpochs: 10,
  clipCoef: 0.2,
  clipVloss: true,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipAction: true,
  normalizeObservation: false,
  clipObservation: 0,
  normalizeReward: false,
  clipReward: 0,
  bootstrapTruncation: false,
};
const PPO: Record<'mbma-paper' | 'mbma-code', Partial<PpoConfig>> = {
  'mbma-paper': { ...PPO_COMMON, criticHiddenSizes: [1024, 1024] },
  'mbma-code': { ...PPO_COMMON, criticHiddenSizes: [512, 512] },
};
/** Estimator options each setting must give (resolved values checked, not only the preset's name). */
const ESTIMATOR: Record<'mbma-paper' | 'mbma-code', Record<string, Record<string, unknown>>> = {
  'mbma-paper': {
    daa: { preset: 'paper', horizon: 10, bufferSize: 25_000, modelUpdates: 320, adamEps: 1e-5, warmupSteps: 0, hidden: [1024, 1024], actions: 8 },
    mbpo: { preset: 'paper', horizon: 10, bufferSize: 25_000, modelUpdates: 320, adamEps: 1e-5 },
    qma: { hidden: [1024, 1024], lr: 3e-4, actions: 8 },
  },
  'mbma-code': {
    daa: { preset: 'code', horizon: 8, bufferSize: 200_000, modelUpdates: 640, adamEps: 1e-8, warmupSteps: 40_000, firstTrainMultiplier: 8 },
    mbpo: { preset: 'code', horizon: 8, bufferSize: 200_000, modelUpdates: 640, adamEps: 1e-8 },
    qma: { hidden: [1024, 1024], lr: 3e-4, actions: 8 },
  },
};
const SETTINGS = ['mbma-paper', 'mbma-code'] as const;

function pick(c: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, c[k]]));
}

t.test('each setting applies every listed PPO value and its estimator options', async (t) => {
  for (const s of SETTINGS) {
    // a classic-control env: its family defaults (lr 2.5e-4, 4 envs × 128 steps, 4 epochs, ent 0.01, tanh 64) differ from nearly every value
    for (const envId of [DMC, 'CartPole-v1']) {
      const c = resolveConfig({}, { envId, setting: s });
      t.same(pick(c, Object.keys(PPO[s])), PPO[s], `${s} on ${envId}: PPO values`);
      t.equal(c.setting, s, 'the setting is recorded');
      t.equal(c.actionRepeat, envId.startsWith('dmc/') ? 4 : 1, `${s} on ${envId}: action repeat 4 on DMC only`);
      t.equal(derived(c).minibatchSize, 64, 'minibatch 64');
      t.equal(c.estimator, 'single', 'the setting does not choose the estimator');
    }
    for (const [est, want] of Object.entries(ESTIMATOR[s])) {
      const c = resolveConfig({}, { envId: DMC, estimator: est, setting: s });
      t.same(pick(c.estimatorOptions, Object.keys(want)), want, `${s}: ${est} options`);
    }
    t.same(resolveConfig({}, { envId: DMC, estimator: 'mbma', setting: s }).estimatorOptions['preset'], ESTIMATOR[s]['daa']!['preset'], 'alias mbma → daa');
  }
  t.notOk('setting' in resolveConfig({}, { envId: DMC }), 'no setting: no key');
});

t.test('the agent gets the widths, LeakyReLU, the tanh mean and Adam ε 1e-5; learner threads get the same options', async (t) => {
  const c = resolveConfig({}, { envId: DMC, setting: 'mbma-paper', totalTimesteps: 2048 });
  const tr = createTrainer(c);
  const shapes = (ps: tf.Variable[]) => ps.map((p) => p.shape);
  t.same(shapes(tr.agent.actor.params), [[17, 512], [512], [512, 512], [512], [512, 6], [6]], 'actor 17 → 512 → 512 → 6');
  t.same(shapes(tr.agent.critic.params), [[17, 1024], [1024], [1024, 1024], [1024], [1024, 1], [1]], 'critic 17 → 1024 → 1024 → 1');
  t.equal(tr.agent.actor.activation, 'leaky_relu');
  t.equal(tr.optimizer.eps, 1e-5);
  // scale the head so the raw output leaves [-1, 1]: the mean must be its tanh
  const head = tr.agent.actor.params[4]!;
  head.assign(tf.mul(head, 1000));
  const obs = tf.randomNormal([5, 17], 0, 1, 'float32', 3) as tf.Tensor2D;
  const raw = mlpForward(tr.agent.actor, obs).dataSync();
  const mean = tr.agent.policyOut(obs).dataSync();
  t.ok(raw.some((x) => Math.abs(x) > 1.5), 'raw outputs outside [-1, 1]');
  t.ok(mean.every((m, i) => Math.abs(m - Math.tanh(raw[i]!)) < 1e-5), 'policyOut = tanh(MLP)');
  const det = tr.agent.act(obs.dataSync() as Float32Array, 5, null).actions;
  t.ok(det.every((m, i) => Math.abs(m - Math.tanh(raw[i]!)) < 1e-5), 'the deterministic action is the tanh mean');
  const spec = learnerSpec(tr.agent, tr.venv.singleObservationSpace, tr.venv.singleActionSpace, c, 'wasm');
  t.same(pick(spec.options as unknown as Record<string, unknown>, ['actorHiddenSizes', 'criticHiddenSizes', 'tanhMean']), { actorHiddenSizes: [512, 512], criticHiddenSizes: [1024, 1024], tanhMean: true });
  obs.dispose();
  tr.estimator.dispose?.();
  tr.agent.dispose();
  const plain = createTrainer(resolveConfig({}, { envId: 'Pendulum-v1', totalTimesteps: 2048 }));
  t.same(shapes(plain.agent.critic.params)[0], [3, 64], 'without a setting: the 64-wide default');
  const po = tf.tensor2d([[0.3, -0.2, 5]]);
  t.same(Array.from(plain.agent.policyOut(po).dataSync()), Array.from(mlpForward(plain.agent.actor, po).dataSync()), 'without a setting: linear mean');
  plain.agent.dispose();
});

t.test('the config file and flags override the setting (family defaults → setting → config file → flags)', async (t) => {
  const c = resolveConfig({ setting: 'mbma-paper', normAdv: true, learningRate: 1e-3 }, { envId: DMC, learningRate: 5e-4, numMinibatches: 16, actionRepeat: 2 });
  t.equal(c.normAdv, true, 'config file over setting');
  t.equal(c.learningRate, 5e-4, 'flag over config file over setting');
  t.equal(c.numMinibatches, 16, 'flag over setting');
  t.equal(c.actionRepeat, 2, 'flag over the DMC action repeat');
  t.equal(c.gamma, 0.99, 'the rest stays');
  const widths = resolveConfig({}, { envId: DMC, setting: 'mbma-paper', hiddenSizes: [64, 64] });
  const agent = createTrainer({ ...widths, totalTimesteps: 2048 }).agent;
  t.same([agent.actor.params[0]!.shape, agent.critic.params[0]!.shape], [[17, 64], [17, 64]], '--hidden-sizes replaces both widths of the setting');
  agent.dispose();
  const critic = resolveConfig({}, { envId: DMC, setting: 'mbma-paper', criticHiddenSizes: [256] });
  t.same([critic.actorHiddenSizes, critic.criticHiddenSizes], [[512, 512], [256]], '--critic-hidden-sizes alone keeps the actor');
  const est = resolveConfig({}, { envId: DMC, estimator: 'daa', setting: 'mbma-paper', estimatorOptions: { horizon: 3 } });
  t.same(pick(est.estimatorOptions, ['preset', 'horizon', 'bufferSize']), { preset: 'paper', horizon: 3, bufferSize: 25_000 }, 'estimator options merge over the setting');
  const preset = resolveConfig({}, { envId: DMC, estimator: 'daa', setting: 'mbma-paper', estimatorOptions: { preset: 'cpu' } });
  t.equal(preset.estimatorOptions['preset'], 'cpu', 'the user preset wins');
  const flagSetting = resolveConfig({ setting: 'mbma-paper' }, { envId: DMC, setting: 'mbma-code' });
  t.same(flagSetting.criticHiddenSizes, [512, 512], '--setting over the config file');
});

t.test('an unknown setting is rejected with the list of valid ones (one line, exit 2)', async (t) => {
  t.throws(() => resolveConfig({}, { envId: DMC, setting: 'mbma-papr' }), /unknown setting 'mbma-papr'; valid settings: mbma-paper, mbma-code/);
  const cfg = path.join(dir, 'bad-setting.json');
  fs.writeFileSync(cfg, JSON.stringify({ setting: 7 }));
  for (const [args, re] of [
    [['train', '--env', DMC, '--setting', 'paper'], /^pgvar: error: --setting: unknown setting 'paper'; valid settings: mbma-paper, mbma-code\n$/],
    [['train', '--env', DMC, '--config', cfg], /^pgvar: error: config .*bad-setting\.json: unknown setting 7; valid settings: mbma-paper, mbma-code\n$/],
  ] as [string[], RegExp][]) {
    // in this process (runCli, what bin/pgvar.js runs; cli.test.ts compares the two)
    const r = await cliInProcess(args);
    t.equal(r.status, 2, args.join(' '));
    t.match(r.stderr, re, `one line naming the value: ${r.stderr}`);
  }
});

t.test('config.json records the values, and the reopened run keeps them', async (t) => {
  const out = path.join(dir, 'run');
  const cfg = path.join(dir, 'cfg.json');
  fs.writeFileSync(cfg, JSON.stringify({ setting: 'mbma-code', updateEpochs: 1 }));
  const r = cli(['train', '--env', DMC, '--estimator', 'daa', '--config', cfg, '--steps', '128', '--num-steps', '128', '--num-minibatches', '2', '--seed', '3', '--out', out, '--quiet', '--backend', 'wasm']);
  t.equal(r.status, 0, r.stderr);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
  const { numMinibatches: _m, updateEpochs: _e, numSteps: _s, ...rest } = PPO['mbma-code'];
  t.same(pick(config, Object.keys(rest)), rest, 'the setting values');
  t.same(pick(config, ['setting', 'actionRepeat', 'numSteps', 'numMinibatches', 'updateEpochs']), { setting: 'mbma-code', actionRepeat: 4, numSteps: 128, numMinibatches: 2, updateEpochs: 1 }, 'the setting name, and the file and flag overrides');
  t.same(pick(config['estimatorOptions'] as Record<string, unknown>, Object.keys(ESTIMATOR['mbma-code']['daa']!)), ESTIMATOR['mbma-code']['daa'], 'the estimator preset written out');
  const metrics = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, number>);
  t.equal(metrics[0]!['first_minibatch_max_ratio_dev'], 0, 'rollout and update compute the same tanh-mean log-probs (ratio exactly 1)');
  const run = await loadRun(out);
  t.same(run.config, config, 'the checkpoint holds the same config');
  t.same(run.trainer.agent.critic.params[0]!.shape, [17, 512]);
  t.equal(run.trainer.agent.options.tanhMean, true, 'the reopened agent keeps the tanh mean');
  run.trainer.agent.dispose();
});

t.test('`pgvar train --help` lists each setting and what it sets; so does the README', async (t) => {
  const r = await cliInProcess(['train', '--help']); // in this process (runCli, what bin/pgvar.js runs)
  t.equal(r.status, 0);
  const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const key of Object.keys(PPO['mbma-paper'])) {
    const p = show(PPO['mbma-paper'][key as keyof PpoConfig]);
    const c = show(PPO['mbma-code'][key as keyof PpoConfig]);
    t.match(r.stdout, new RegExp(`\\n\\s+${key}\\s+${p.replace('.', '\\.')}\\s+${c.replace('.', '\\.')}\\s+\\S`), `help row ${key}: ${p} ${c}`);
    t.match(readme, new RegExp(`\\| \`${key}\` \\| ${p.replace('.', '\\.')} \\| ${c.replace('.', '\\.')} \\|`), `README row ${key}`);
  }
  t.match(r.stdout, /\n\s+actionRepeat\s+4\s+4\s+.*dmc/, 'action repeat 4 on DMC');
  t.match(readme, /\| `actionRepeat` \| 4 \| 4 \|.*dmc/);
  t.match(r.stdout, /--setting <name>.*mbma-paper \| mbma-code/s);
  t.match(r.stdout, /family defaults → setting → --config file → flags/);
  t.match(r.stdout, /daa\s+mbma-paper \{"preset":"paper"\}, mbma-code \{"preset":"code"\}/);
  t.match(r.stdout, /mbpo\s+mbma-paper \{"preset":"paper"\}, mbma-code \{"preset":"code"\}/);
  t.match(r.stdout, /qma\s+mbma-paper \{"actions":8,"hidden":\[1024,1024\],"lr":0\.0003\}/);
  t.match(r.stdout, /Sources: T = table C\.5, P = paper text, C = released code/);
  t.match(readme, /--setting mbma-paper/);
});
