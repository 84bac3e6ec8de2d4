import t from 'tap';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { backend } from './helpers.js';

await backend();

t.test('qma: Q-networks fit the TD(λ) targets, extra-action rows go through the PPO core, exact resume', async (t) => {
  for (const envId of ['CartPole-v1', 'Pendulum-v1']) {
    const cfg = resolveConfig({}, { envId, totalTimesteps: 512 * 8, numEnvs: 2, numSteps: 256, numMinibatches: 4, updateEpochs: 2, seed: 3, estimator: 'qma', estimatorOptions: { actions: 3, hidden: [32, 32], epochs: 3, lr: 1e-3 } });
    const a = createTrainer(cfg);
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const m = a.iterate().metrics;
      if (i === 0) t.equal(m.first_minibatch_max_ratio_dev, 0, `${envId}: ratio exactly 1 on the first minibatch`);
      t.equal(m['estimator/extra_actions'], 3);
      losses.push(m['estimator/q_loss']!);
    }
    t.ok(losses.every(Number.isFinite), `${envId}: Q losses ${losses.map((l) => l.toPrecision(3)).join(', ')}`);
    t.ok(losses[3]! < losses[0]!, `${envId}: the Q regression improves`);
    const snap = JSON.parse(JSON.stringify(a.getState()));
    const ma = a.iterate().metrics;
    const b = createTrainer(cfg);
    b.setState(snap);
    t.same(b.iterate().metrics, ma, `${envId}: identical iteration after restore`);
    a.dispose();
    b.dispose();
  }
});
