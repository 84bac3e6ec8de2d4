import { tf } from '../nets/tf.js';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { LearnerPool, learnerSpec, type LearnerSpec } from '../ppo/learner-pool.js';
import type { PpoTrainer } from '../ppo/trainer.js';
import { ppoUpdate } from '../ppo/update.js';
import { backend } from './helpers.js';

await backend();

function specOf(tr: PpoTrainer): LearnerSpec {
  return learnerSpec(tr.agent, tr.venv.singleObservationSpace, tr.venv.singleActionSpace, tr.config, 'wasm');
}

const cfg = (envId: string, estimator: string, learnerThreads = 1) => resolveConfig({}, { envId, totalTimesteps: 4096, numEnvs: 4, numSteps: 64, seed: 6, estimator, learnerThreads, engine: 'tfjs' }); // learner threads run on tfjs

t.test('a minibatch shared by two threads takes the same step as one thread (all three row layouts)', async (t) => {
  for (const [estimator, layout] of [['single', 'one row per state'], ['mac', 'rows are copies of their states'], ['mac', 'rows with their own observations']] as const) {
    const a = createTrainer(cfg('CartPole-v1', estimator));
    const b = createTrainer(cfg('CartPole-v1', estimator));
    const r = a.collector.collect(a.config.numSteps, a.globalStep);
    let batch = a.estimator.prepare(r, { ...a.estimatorContext(), training: false });
    if (layout === 'rows with their own observations') batch = { ...batch, policy: { ...batch.policy, rowsAreStates: false } };
    const pool = new LearnerPool(specOf(b), 2);
    const sa = ppoUpdate(a.agent, a.optimizer, batch, a.config, 2.5e-4, new Rng(1), 0);
    const sb = ppoUpdate(b.agent, b.optimizer, batch, b.config, 2.5e-4, new Rng(1), 0, pool);
    let dev = 0;
    let scale = 0;
    a.agent.allParams.forEach((p, i) => {
      dev = Math.max(dev, tf.max(tf.abs(tf.sub(p, b.agent.allParams[i]!))).dataSync()[0]!);
      scale = Math.max(scale, tf.max(tf.abs(p)).dataSync()[0]!);
    });
    t.ok(dev < 1e-5 * Math.max(1, scale), `${estimator}, ${layout}: parameters agree after ${sa.minibatch_updates} minibatch steps (max deviation ${dev.toExponential(2)})`);
    for (const k of ['policy_loss', 'value_loss', 'entropy', 'approx_kl', 'clipfrac', 'grad_norm'] as const) {
      t.ok(Math.abs(sa[k] - sb[k]) <= 1e-4 * Math.max(1, Math.abs(sa[k])), `${estimator}, ${layout}: ${k} ${sa[k]} vs ${sb[k]}`);
    }
    t.equal(sb.first_minibatch_max_ratio_dev, 0, 'the first minibatch still has ratio exactly 1 in both shards');
    await pool.dispose();
    a.dispose();
    b.dispose();
  }
});

t.test('learnerThreads 2: the same seed gives the same iterations; resume is exact', async (t) => {
  const a = createTrainer(cfg('CartPole-v1', 'single', 2));
  const b = createTrainer(cfg('CartPole-v1', 'single', 2));
  const ma = [a.iterate().metrics, a.iterate().metrics];
  const mb = [b.iterate().metrics, b.iterate().metrics];
  t.same(mb, ma, 'two runs, two iterations each, identical metrics');
  const c = createTrainer(cfg('CartPole-v1', 'single', 2));
  c.setState(JSON.parse(JSON.stringify(a.getState())));
  t.same(c.iterate().metrics, a.iterate().metrics, 'restored from a snapshot: the next iteration is identical');
  a.dispose();
  b.dispose();
  c.dispose();
});

t.test('learner thread errors name the thread and the cause; too many shards are refused', async (t) => {
  const a = createTrainer(cfg('CartPole-v1', 'single'));
  const r = a.collector.collect(a.config.numSteps, a.globalStep);
  const batch = a.estimator.prepare(r, { ...a.estimatorContext(), training: false });
  const wrong = { ...specOf(a), shapes: [[1, 2, 3]] };
  const pool = new LearnerPool(wrong, 2);
  t.throws(() => ppoUpdate(a.agent, a.optimizer, batch, a.config, 2.5e-4, new Rng(1), 0, pool), /learner thread 1 failed: .*network shapes/);
  await pool.dispose();
  const tiny = { ...a.config, numMinibatches: 256 }; // 1 state per minibatch, 3 shards
  const pool3 = new LearnerPool(specOf(a), 3);
  t.throws(() => ppoUpdate(a.agent, a.optimizer, batch, tiny, 2.5e-4, new Rng(1), 0, pool3), /3 shards of a minibatch of 1 states/);
  await pool3.dispose();
  t.throws(() => new LearnerPool(specOf(a), 1), /threads must be an integer ≥ 2, got 1/);
  t.throws(() => resolveConfig({}, { envId: 'CartPole-v1', learnerThreads: 0 }), /learnerThreads/);
  a.dispose();
});
