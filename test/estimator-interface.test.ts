import t from 'tap';
import type { Estimator, EstimatorBatch, EstimatorContext } from '../estimators/estimator.js';
import { SingleActionEstimator } from '../estimators/single.js';
import { createEstimator, ESTIMATORS } from '../estimators/index.js';
import { resolveConfig } from '../experiment/build.js';
import { buildVectorEnv } from '../experiment/build.js';
import type { Rollout } from '../ppo/rollout.js';
import { PpoTrainer } from '../ppo/trainer.js';
import { backend } from './helpers.js';

await backend();

/**
 * A many-actions-shaped estimator: every visited state gets its sampled action twice, each row with
 * weight 1/2. The weighted policy loss equals the single-action one, so PPO must produce the same
 * update: this exercises the multi-row path (per-state row groups in minibatches, weights, separate
 * value states) without PPO knowing which estimator it runs.
 */
class DuplicatedRows implements Estimator {
  readonly name = 'duplicated-rows';
  private readonly inner = new SingleActionEstimator();
  prepare(r: Rollout, ctx: EstimatorContext): EstimatorBatch {
    const b = this.inner.prepare(r, ctx);
    const n = b.numStates;
    const D = r.obsDim;
    const A = r.actionDim;
    const dup = <T extends Float32Array | Int32Array>(src: T, width: number, make: (len: number) => T): T => {
      const out = make(2 * n * width);
      for (let s = 0; s < n; s++) for (let c = 0; c < 2; c++) out.set(src.subarray(s * width, (s + 1) * width), (2 * s + c) * width);
      return out;
    };
    const f32 = (len: number) => new Float32Array(len);
    return {
      ...b,
      policy: {
        obs: dup(b.policy.obs, D, f32),
        actions: dup(b.policy.actions, A, f32),
        oldLogProbs: dup(b.policy.oldLogProbs, 1, f32),
        advantages: dup(b.policy.advantages, 1, f32),
        weights: new Float32Array(2 * n).fill(0.5),
        stateIndex: dup(b.policy.stateIndex, 1, (len) => new Int32Array(len)),
      },
      stats: { rows_per_state: 2 },
    };
  }
}

t.test('PPO gives the same update for equivalent weighted multi-row batches', async (t) => {
  for (const envId of ['CartPole-v1', 'Pendulum-v1']) {
    const config = resolveConfig({}, { envId, totalTimesteps: 2048, numEnvs: 2, numSteps: 64, numMinibatches: 4, updateEpochs: 2, normAdv: false, seed: 9 });
    const a = new PpoTrainer(config, buildVectorEnv(config), new SingleActionEstimator());
    const b = new PpoTrainer(config, buildVectorEnv(config), new DuplicatedRows());
    for (let i = 0; i < 2; i++) {
      const ma = a.iterate().metrics;
      const mb = b.iterate().metrics;
      t.equal(mb['estimator/rows_per_state'], 2, 'estimator stats are logged under estimator/');
      t.ok(Math.abs(ma.policy_loss - mb.policy_loss) < 1e-5, `${envId}: policy loss ${ma.policy_loss} vs ${mb.policy_loss}`);
      t.ok(Math.abs(ma.value_loss - mb.value_loss) < 1e-4 * Math.max(1, ma.value_loss), `${envId}: value loss ${ma.value_loss} vs ${mb.value_loss}`);
    }
    const pa = a.agent.allParams.flatMap((p) => Array.from(p.dataSync()));
    const pb = b.agent.allParams.flatMap((p) => Array.from(p.dataSync()));
    const maxDiff = pa.reduce((m, v, i) => Math.max(m, Math.abs(v - pb[i]!)), 0);
    t.ok(maxDiff < 1e-5, `${envId}: parameters agree after two iterations (max diff ${maxDiff})`);
    a.dispose();
    b.dispose();
  }
});

t.test('config.json records every estimator option, so later default changes cannot alter a resumed run', async (t) => {
  for (const info of ESTIMATORS) {
    const envId = ['ac', 'mac', 'wmpg', 'single', 'mc'].includes(info.name) ? 'CartPole-v1' : 'Pendulum-v1';
    const given = info.name === 'daa' ? { preset: 'paper', actions: 3 } : {};
    const c = resolveConfig({}, { envId, estimator: info.name, estimatorOptions: given });
    const again = resolveConfig({}, { envId, estimator: info.name, estimatorOptions: JSON.parse(JSON.stringify(c.estimatorOptions)) as Record<string, unknown> });
    t.same(again.estimatorOptions, c.estimatorOptions, `${info.name}: the recorded options resolve to themselves`);
    const est = createEstimator(info.name, c.estimatorOptions);
    if (est.resolvedOptions) {
      const own = Object.entries(est.resolvedOptions()).filter(([, v]) => v !== null && v !== undefined);
      t.ok(own.every(([k, v]) => JSON.stringify(c.estimatorOptions[k]) === JSON.stringify(v)), `${info.name}: every set value recorded (${own.length})`);
    }
    est.dispose?.();
  }
  const w = resolveConfig({}, { envId: 'CartPole-v1', estimator: 'wmpg' });
  t.equal(w.estimatorOptions['horizon'], 20, "wmpg's default horizon is written down");
  const d = resolveConfig({}, { envId: 'Pendulum-v1', estimator: 'daa', estimatorOptions: { preset: 'paper', actions: 3 } });
  t.equal(d.estimatorOptions['preset'], 'paper', 'the preset name is kept (analyze labels)');
  t.equal(d.estimatorOptions['actions'], 3, 'an explicit option wins over the preset');
});
