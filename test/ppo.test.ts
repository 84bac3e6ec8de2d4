import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from '../nets/tf.js';
import t from 'tap';
import { NonFiniteError } from '../common/errors.js';
import { prepareEnv } from '../envs/registry.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { Rng } from '../common/rng.js';
import { ppoUpdate, takeRows } from '../ppo/update.js';
import { policyGradient } from '../analysis/policy-gradient.js';
import { backend, ROOT } from './helpers.js';

await backend();
await prepareEnv('Hopper-v5');

const small = (envId: string, extra: Record<string, unknown> = {}) =>
  resolveConfig({}, { envId, totalTimesteps: 4096, numEnvs: 2, numSteps: 64, numMinibatches: 4, updateEpochs: 2, seed: 3, ...extra });

t.test('the first minibatch of the first epoch has ratio exactly 1 (categorical and Gaussian)', async (t) => {
  for (const env of ['CartPole-v1', 'Pendulum-v1']) {
    const tr = createTrainer(small(env));
    for (let i = 0; i < 3; i++) {
      const { metrics } = tr.iterate();
      t.equal(metrics.first_minibatch_max_ratio_dev, 0, `${env} iteration ${i + 1}: max |ρ−1| = ${metrics.first_minibatch_max_ratio_dev}`);
      t.ok(metrics.approx_kl >= 0 && metrics.approx_kl < 0.05, `approx_kl ${metrics.approx_kl}`);
    }
    tr.dispose();
  }
});

t.test('learning rate anneals linearly to 0 as CleanRL does', async (t) => {
  const tr = createTrainer(small('CartPole-v1'));
  const lrs: number[] = [];
  while (!tr.done) lrs.push(tr.iterate().metrics.learning_rate);
  t.equal(lrs.length, 32);
  t.equal(lrs[0], 2.5e-4);
  t.ok(Math.abs(lrs[31]! - 2.5e-4 / 32) < 1e-12);
  tr.dispose();
});

t.test('the tensor count stays flat over iterations (no leaks)', async (t) => {
  const tr = createTrainer(small('Pendulum-v1'));
  tr.iterate();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 4; i++) tr.iterate();
  t.equal(tf.memory().numTensors, before);
  tr.dispose();
});

t.test('trainer state round-trips through JSON: resumed iterations equal uninterrupted ones', async (t) => {
  for (const env of ['CartPole-v1', 'Pendulum-v1', 'Hopper-v5', 'dmc/walker-walk']) {
    const cfg = small(env, env.startsWith('dmc/') ? { actionRepeat: 2 } : {});
    const a = createTrainer(cfg);
    a.iterate();
    const snap = JSON.parse(JSON.stringify(a.getState()));
    const ma = [a.iterate().metrics, a.iterate().metrics];
    const b = createTrainer(cfg);
    b.setState(snap);
    const mb = [b.iterate().metrics, b.iterate().metrics];
    t.same(mb, ma, `${env}: identical metrics after restore`);
    t.same(Array.from(b.agent.actor.params[0]!.dataSync()), Array.from(a.agent.actor.params[0]!.dataSync()));
    a.dispose();
    b.dispose();
  }
});

t.test('NaN in the network stops the run with a named error', async (t) => {
  const tr = createTrainer(small('CartPole-v1'));
  tr.iterate();
  const w = tr.agent.actor.params[0]!;
  w.assign(tf.fill(w.shape, NaN));
  const err = t.throws(() => tr.iterate()) as unknown as NonFiniteError;
  t.type(err, NonFiniteError);
  t.match(err.message, /policy network/);
  t.match(err.message, /step \d+/);
  tr.dispose();
});

t.test('the PPO core imports no concrete estimator', async (t) => {
  const dir = path.join(ROOT, 'ppo');
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1]!).filter((p) => p.includes('estimators/'));
    t.same(imports.filter((p) => p !== '../estimators/estimator.js'), [], `${f} imports only the estimator interface`);
  }
});

t.test('the mc estimator trains through the same PPO core and resumes exactly', async (t) => {
  for (const env of ['CartPole-v1', 'Hopper-v5']) {
    const cfg = small(env, { estimator: 'mc', estimatorOptions: { actions: 2, horizon: 5, simulators: 16 } });
    const a = createTrainer(cfg);
    const m1 = a.iterate().metrics;
    t.equal(m1.first_minibatch_max_ratio_dev, 0, `${env}: ratio exactly 1 on the first minibatch with extra-action rows`);
    t.ok(m1['estimator/sim_env_steps']! > 0 && m1['estimator/sim_env_steps']! <= 128 * 2 * 5, `${env}: simulated steps counted (${m1['estimator/sim_env_steps']})`);
    const snap = JSON.parse(JSON.stringify(a.getState()));
    const ma = a.iterate().metrics;
    const b = createTrainer(cfg);
    b.setState(snap);
    t.same(b.iterate().metrics, ma, `${env}: identical iteration after restore`);
    a.dispose();
    b.dispose();
  }
});

t.test('rows that copy their state: one network pass per state gives the same update as one per row', async (t) => {
  const cfg = (envId: string, estimator: string) => resolveConfig({}, { envId, totalTimesteps: 4096, numEnvs: 4, numSteps: 64, seed: 4, estimator });
  for (const [envId, estimator] of [['CartPole-v1', 'mac'], ['Pendulum-v1', 'qma']] as const) {
    const a = createTrainer(cfg(envId, estimator));
    const b = createTrainer(cfg(envId, estimator));
    const r = a.collector.collect(a.config.numSteps, a.globalStep);
    const batch = a.estimator.prepare(r, { ...a.estimatorContext(), training: false });
    t.equal(batch.policy.rowsAreStates, true, `${estimator} marks its rows as copies of their states`);
    const perRow = { ...batch, policy: { ...batch.policy, rowsAreStates: false } };
    const ga = policyGradient(a.agent, batch);
    const gb = policyGradient(a.agent, perRow);
    const gdev = Math.max(...ga.map((g, i) => Math.abs(g - gb[i]!)));
    t.ok(gdev < 1e-6 * Math.max(1, ...ga.map(Math.abs)), `${estimator}: the analysis gradient agrees too (max deviation ${gdev.toExponential(2)})`);
    const sa = ppoUpdate(a.agent, a.optimizer, batch, a.config, 2.5e-4, new Rng(1), 0);
    const sb = ppoUpdate(b.agent, b.optimizer, perRow, b.config, 2.5e-4, new Rng(1), 0);
    let dev = 0;
    a.agent.allParams.forEach((p, i) => (dev = Math.max(dev, tf.max(tf.abs(tf.sub(p, b.agent.allParams[i]!))).dataSync()[0]!)));
    t.ok(dev < 1e-5, `${estimator}: parameters after the update agree (max deviation ${dev.toExponential(2)})`);
    t.ok(Math.abs(sa.policy_loss - sb.policy_loss) < 1e-5 && Math.abs(sa.entropy - sb.entropy) < 1e-5, `${estimator}: same policy loss and entropy`);
    a.dispose();
    b.dispose();
  }
});

t.test('minibatch observations are the listed rows, in order (host-side row copy)', async (t) => {
  const src = Float32Array.from({ length: 5 * 3 }, (_, i) => i);
  t.same(Array.from(takeRows(src, Int32Array.from([4, 0, 4, 2]), 3)), [12, 13, 14, 0, 1, 2, 12, 13, 14, 6, 7, 8]);
  t.equal(takeRows(src, [], 3).length, 0);
});
