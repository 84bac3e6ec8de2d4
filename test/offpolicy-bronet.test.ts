/**
 * BroNet critics in the off-policy core (criticTrunk 'bronet', spec baselines.md §6, §12.2): BRO's
 * initialisation (orthogonal with gain √2 for every Dense, the head included; biases 0; LayerNorm
 * gain 1, bias 0), kept under dac's `init: 'orthogonal'` (which its actors take), the config's
 * checks, a last-layer reset that touches the head only, and
 * sac-ln-reset with a BroNet critic learning Pendulum-v1 (and not with the TD target's sign flipped).
 */
import t from 'tap';
import { Rng } from '../common/rng.js';
import { BroNet } from '../nets/engine/bronet.js';
import { AGENT_DEFAULTS, agentConfig } from '../offpolicy/agents.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { resetTensors } from '../offpolicy/resets.js';
import { learnWithMutant } from './offpolicy-helpers.js';

const ENV = 'Pendulum-v1';

t.test("a bronet critic: BRO's initialisation, two independent members, the head as its last layer", async (t) => {
  const cfg = { ...AGENT_DEFAULTS['sac-ln-reset'], criticTrunk: 'bronet' as const, criticHidden: [16], criticBlocks: 2, actorHidden: [8] };
  const learner = new OffPolicyLearner(cfg, 5, 2, new Rng(4));
  const [q1, q2] = learner.critics.nets;
  t.ok(q1 instanceof BroNet && q2 instanceof BroNet, 'both critics are BroNets');
  const st = learner.critics.store;
  const p = st.read('p');
  const per = st.shapes.length / 2;
  t.equal(per, 4 + 2 * 2 * 4 + 2, 'stem (W b g β), 2 blocks × 2 × (W b g β), head (W b)');
  for (let i = 0; i < per; i++) {
    const s = st.shapes[i]!;
    const w = p[i]!;
    if (s.length === 2) {
      // columns (fan_in ≥ fan_out) or rows are orthogonal with norm² 2
      const [r, c] = [s[0]!, s[1]!];
      let worst = 0;
      if (r >= c) {
        for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) {
          let dot = 0;
          for (let k = 0; k < r; k++) dot += w[k * c + a]! * w[k * c + b]!;
          worst = Math.max(worst, Math.abs(dot - (a === b ? 2 : 0)));
        }
      } else {
        for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) {
          let dot = 0;
          for (let k = 0; k < c; k++) dot += w[a * c + k]! * w[b * c + k]!;
          worst = Math.max(worst, Math.abs(dot - (a === b ? 2 : 0)));
        }
      }
      t.ok(worst < 1e-5, `tensor ${i} [${s}]: orthogonal with gain √2 (worst |WᵀW − 2I| ${worst.toExponential(1)})`);
    } else {
      const gain = i >= 2 && st.shapes[i - 2]!.length === 2;
      t.ok(w.every((x) => x === (gain ? 1 : 0)), `tensor ${i} [${s}]: ${gain ? 'LayerNorm gain 1' : 'bias 0'}`);
    }
  }
  t.notSame(p[0], p[per], 'the two critics are drawn independently');
  t.same(learner.critics.targetStore.read('p'), p, 'targets start equal');
  t.same(resetTensors(q1!, 1), [per - 2, per - 1], 'a last-layer reset takes the head');
});

t.test("dac with a bronet critic: the critics keep BRO's init, the actors DAC's orthogonal one; updates and a full reset work", async (t) => {
  const bro = { criticTrunk: 'bronet' as const, criticHidden: [16], criticBlocks: 1, actorHidden: [8, 8] };
  const dac = new OffPolicyLearner({ ...AGENT_DEFAULTS.dac, ...bro }, 5, 2, new Rng(4));
  const lnr = new OffPolicyLearner({ ...AGENT_DEFAULTS['sac-ln-reset'], ...bro }, 5, 2, new Rng(4));
  t.equal(AGENT_DEFAULTS.dac.init, 'orthogonal');
  t.ok(dac.critics.nets.every((n) => n instanceof BroNet), 'BroNet critics');
  t.same(dac.critics.store.read('p'), lnr.critics.store.read('p'), "init 'orthogonal' leaves a bronet critic's init alone: the same tensors as sac-ln-reset's (torch init) from the same stream");
  const w = dac.policy.store.read('p')[0]!; // π_c's first W, 5 × 8: rows orthogonal with norm² 2
  let worst = 0;
  for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) {
    let dot = 0;
    for (let k = 0; k < 8; k++) dot += w[a * 8 + k]! * w[b * 8 + k]!;
    worst = Math.max(worst, Math.abs(dot - (a === b ? 2 : 0)));
  }
  t.ok(worst < 1e-5, `the actor's hidden W is orthogonal with gain √2 (worst ${worst.toExponential(1)})`);
  t.same(dac.optimistic!.store.shapes, dac.policy.store.shapes, 'π_o has π_c\'s shapes');
  t.notSame(dac.optimistic!.store.read('p'), dac.policy.store.read('p'), "π_o starts as its own network (optimisticInit 'fresh', DAC's code)");
  const initial = dac.getState();
  const rng = new Rng(2);
  const b = { n: 8, obs: Float32Array.from({ length: 40 }, () => rng.normal()), act: Float32Array.from({ length: 16 }, () => rng.uniform(-1, 1)), rew: Float32Array.from({ length: 8 }, () => rng.normal()), nextObs: Float32Array.from({ length: 40 }, () => rng.normal()), terminated: new Float32Array(8), truncated: new Float32Array(8) };
  for (let i = 0; i < 3; i++) {
    const st = dac.update(b, rng);
    t.ok(Number.isFinite(st.qf_loss) && Number.isFinite(st.kl!), `update ${i}: finite losses and KL`);
  }
  dac.reset({ networks: ['critic', 'actor', 'temperature'], layers: 0 }, new Rng(4));
  t.same({ ...dac.getState(), updates: 0 }, { ...initial, updates: 0 }, 'a full reset from the init stream gives back the initial learner');
});

t.test('bronet config: one width, reset depth counted in its Linear layers', async (t) => {
  t.throws(() => agentConfig('sac-ln-reset', ENV, { criticTrunk: 'bronet', criticHidden: [64, 64] }), /a bronet critic has one width \(criticHidden \[64,64\] has 2\)/);
  t.throws(() => agentConfig('sac-ln-reset', ENV, { criticTrunk: 'bronet', criticHidden: [64], criticBlocks: 1, resetNetworks: ['critic'], resetLayers: 5 }), /resetLayers 5 exceeds the 4 Linear layers/);
  t.equal(agentConfig('sac-ln-reset', ENV, { criticTrunk: 'bronet', criticHidden: [64], resetNetworks: ['critic'], resetLayers: 6 }).resetLayers, 6, '2 blocks: 6 Linear layers');
});

function learn(flipTarget: boolean): { before: number; after: number } {
  return learnWithMutant(agentConfig('sac-ln-reset', ENV, { seed: 1, totalTimesteps: 4000, learningStarts: 500, bufferSize: 20_000, batchSize: 64, criticTrunk: 'bronet', criticHidden: [32], criticBlocks: 1, actorHidden: [32, 32], qLr: 1e-3, policyLr: 1e-3, logEvery: 1000, resetAt: [1000] }), flipTarget);
}

t.test('sac-ln-reset with a BroNet critic (W 32, 1 block) learns Pendulum-v1 in 4 000 steps through a reset; with −y it does not', async (t) => {
  const ok = learn(false);
  t.ok(ok.after > -500 && ok.after > ok.before + 700, `deterministic return ${ok.before.toFixed(0)} → ${ok.after.toFixed(0)}`);
  const bad = learn(true);
  t.ok(bad.after < -1000, `with −y: ${bad.before.toFixed(0)} → ${bad.after.toFixed(0)}`);
});
