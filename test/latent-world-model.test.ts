import t from 'tap';
import { Rng } from '../common/rng.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { FrameReplayBuffer } from '../worldmodels/frame-replay-buffer.js';
import { LatentWorldModel } from '../worldmodels/latent-world-model.js';
import { backend } from './helpers.js';

await backend();

type Trainer = ReturnType<typeof createTrainer>;
const collect = (tr: Trainer) => tr.collector.collect(tr.config.numSteps, tr.globalStep);

// Pong frames (4 × 84 × 84) from a tiny atari-preset run: 2 envs × 32 steps per iteration
const pong = (estimatorOptions: Record<string, unknown> = {}, seed = 5) =>
  resolveConfig({}, { envId: 'Pong-v0', totalTimesteps: 64 * 20, numEnvs: 2, numSteps: 32, numMinibatches: 2, updateEpochs: 1, seed, estimator: 'wmpg', estimatorOptions });
const small = { warmupSteps: 0, latent: 16, hidden: [32], latentUpdates: 2, latentBatch: 8, firstTrainMultiplier: 1, frameBufferSize: 256, horizon: 3 };

t.test('frame replay: stores bytes exactly, next observations follow the rollout, rejects non-pixels, restores', async (t) => {
  const tr = createTrainer(pong(small));
  const r = collect(tr);
  const S = r.numSteps * r.numEnvs;
  const nA = tr.agent.outDim;
  const lp = tr.agent.logProbsAll(r.obs, S);
  const buf = new FrameReplayBuffer(S + 8, r.obsDim, nA);
  buf.addRollout(r, lp);
  t.equal(buf.size, S);
  // sample everything with a fixed rng and find each drawn row's source in the rollout
  const s = buf.sample(64, new Rng(1));
  let matched = 0;
  for (let b = 0; b < s.n; b++) {
    const o = s.obs.subarray(b * r.obsDim, (b + 1) * r.obsDim);
    for (let k = 0; k < S; k++) {
      if (r.actions[k] !== s.actions[b] || r.rewards[k] !== s.rewards[b] || Math.abs(r.values[k]! - s.values[b]!) > 0) continue;
      let same = true;
      for (let i = 0; i < r.obsDim && same; i += 97) same = o[i] === r.obs[k * r.obsDim + i];
      if (!same) continue;
      const N = r.numEnvs;
      const next = r.finalObs.get(k) ?? (k + N < S ? r.obs.subarray((k + N) * r.obsDim, (k + N + 1) * r.obsDim) : r.nextObs.subarray((k % N) * r.obsDim, (k % N + 1) * r.obsDim));
      let nextSame = true;
      for (let i = 0; i < r.obsDim && nextSame; i += 31) nextSame = s.nextObs[b * r.obsDim + i] === next[i];
      let lpSame = true;
      for (let a = 0; a < nA; a++) lpSame &&= s.logProbs[b * nA + a] === lp[k * nA + a];
      if (nextSame && lpSame) {
        matched += 1;
        break;
      }
    }
  }
  t.equal(matched, 64, 'every sampled row is a rollout transition with its next frame stack, V_old and log π_old');
  const copy = new FrameReplayBuffer(S + 8, r.obsDim, nA);
  copy.setState(JSON.parse(JSON.stringify(buf.getState())));
  t.same(copy.sample(16, new Rng(9)), buf.sample(16, new Rng(9)), 'state round trip');
  const bad = { ...r, obs: r.obs.map((x, i) => (i === 5 ? x + 0.5 : x)) };
  t.throws(() => buf.addRollout(bad, lp), /must hold integer pixel values 0–255, got [\d.]+5 at index 5/);
  tr.dispose();
});

t.test('latent model: encodes deterministically, and training lowers its losses on Pong transitions', async (t) => {
  const tr = createTrainer(pong(small));
  const nA = tr.agent.outDim;
  const buf = new FrameReplayBuffer(512, 4 * 84 * 84, nA);
  // a fixed non-uniform π_old (the fresh agent's is uniform, which a uniform head already matches)
  const target = [0.5, 0.1, 0.1, 0.1, 0.1, 0.1];
  const entropy = -target.reduce((acc, p) => acc + p * Math.log(p), 0);
  for (let i = 0; i < 3; i++) {
    const r = collect(tr);
    const S = r.numSteps * r.numEnvs;
    buf.addRollout(r, Float32Array.from({ length: S * nA }, (_, j) => Math.log(target[j % nA]!)));
  }
  const m = new LatentWorldModel(4, nA, { latent: 16, hidden: [64], lr: 1e-3 }, new Rng(2));
  const probe = buf.sample(6, new Rng(3));
  const z1 = m.encode(probe.obs, 6);
  t.equal(z1.length, 6 * 16);
  t.same(Array.from(m.encode(probe.obs, 6)), Array.from(z1), 'same frames, same latents');
  t.ok(z1.every((x) => Math.abs(x) <= 1), 'tanh latents');
  const rng = new Rng(4);
  const first = m.train(buf, 4, 16, rng);
  let last = first;
  for (let i = 0; i < 5; i++) last = m.train(buf, 6, 16, rng);
  t.ok(Number.isFinite(last.consistencyLoss + last.rewardLoss + last.terminalLoss + last.valueLoss + last.policyLoss), 'finite losses');
  t.ok(last.policyLoss - entropy < 0.5 * (first.policyLoss - entropy), `policy distillation: KL(π_old ‖ π_z) = CE − H falls by more than half: ${(first.policyLoss - entropy).toFixed(4)} → ${(last.policyLoss - entropy).toFixed(4)}`);
  t.ok(last.valueLoss < first.valueLoss, `value distillation MSE falls: ${first.valueLoss.toFixed(4)} → ${last.valueLoss.toFixed(4)}`);
  t.ok(last.terminalLoss < first.terminalLoss, `termination BCE falls: ${first.terminalLoss.toFixed(4)} → ${last.terminalLoss.toFixed(4)}`);
  const p = m.predict(z1, Float32Array.from([0, 1, 2, 3, 4, 5]), 6);
  t.equal(p.next.length, 6 * 16);
  t.ok(p.terminal.every((x) => x >= 0 && x <= 1), 'termination probabilities');
  const acts = m.act(z1, 6, m.sampleNoise(6, new Rng(5))).actions;
  t.ok(acts.every((a) => Number.isInteger(a) && a >= 0 && a < nA), 'the policy head acts in the action set');
  m.dispose();
  tr.dispose();
});

t.test('wmpg on Pong-v0 frames: the latent model values k actions per state; exact resume', async (t) => {
  t.doesNotThrow(() => pong(), "model 'auto' takes frames");
  t.throws(() => pong({ model: 'state' }), /model 'state' needs flat state-vector observations, got shape \[4, 84, 84\]/);
  t.throws(() => resolveConfig({}, { envId: 'CartPole-v1', estimator: 'wmpg', estimatorOptions: { model: 'latent' } }), /model 'latent' needs C × 84 × 84 frame observations, got shape \[4\]/);
  const a = createTrainer(pong(small));
  const m1 = a.iterate().metrics;
  t.equal(m1['estimator/model_active'], 1);
  t.equal(m1['estimator/set_size'], 3, 'k = 3 of the 6 Pong actions');
  t.ok(Number.isFinite(m1['estimator/model_consistency_loss']!) && Number.isFinite(m1['estimator/model_policy_loss']!), 'latent losses logged');
  t.ok(m1['estimator/set_mass']! > 0.4 && m1['estimator/set_mass']! <= 1 + 1e-9, `the set holds ${m1['estimator/set_mass']!.toFixed(3)} of π's mass`);
  t.ok(Number.isFinite(m1.policy_loss!) && Number.isFinite(m1['estimator/q_spread']!), 'finite update');
  const snap = JSON.parse(JSON.stringify(a.getState()));
  const m2 = a.iterate().metrics;
  const b = createTrainer(pong(small));
  b.setState(snap);
  t.same(b.iterate().metrics, m2, 'identical iteration after restore (latent model, frame replay, RNG)');
  a.dispose();
  b.dispose();
});
