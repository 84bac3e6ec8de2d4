/**
 * The PPO loss against numbers worked out by hand (issue 15, "tests that would catch a wrong sign").
 *
 * For tiny linear networks (hiddenSizes [], so the policy output and the value are obs·W + b) the
 * test recomputes, in plain float64 JS and independently of tfjs,
 *   L_clip = Σ w_i·max(−Â_i ρ_i, −Â_i clip(ρ_i, 1±ε)) / Σ w_i
 *   L_V    = 0.5·mean_s max((V−R)², (V_old + clip(V−V_old, ±ε) − R)²)        (CleanRL)
 *   H      = mean_s entropy(π(·|s))
 *   loss   = L_clip − entCoef·H + vfCoef·L_V
 * and the gradient of `loss` with respect to every parameter, and checks `ppoLoss` returns the same
 * loss, statistics and gradients. The designed ratios (set through oldLogProbs) and value errors put
 * rows on both sides of the clip range with both signs of advantage, so the clip is active for some
 * rows (zero gradient there) and not for others: flipping the sign of any term, dropping a term or
 * clipping the wrong branch changes a number here. Finally one `ppoUpdate` step is checked: its
 * reported losses (with the weighted advantage normalisation) and the first Adam step, which for
 * Adam is −lr·g/(|g| + ε) per parameter, i.e. exactly against the hand-computed gradient.
 */
import { tf } from '../nets/tf.js';
import t, { type Test } from 'tap';
import { Rng } from '../common/rng.js';
import { box, discrete } from '../envs/spaces.js';
import type { EstimatorBatch } from '../estimators/estimator.js';
import { Adam } from '../nets/adam.js';
import { ActorCritic } from '../nets/actor-critic.js';
import { ppoLoss, type LossCfg, type MinibatchTensors, type RowMode, type ShardTotals } from '../ppo/ppo-loss.js';
import { ppoUpdate } from '../ppo/update.js';
import { backend } from './helpers.js';

await backend();

const TOL = 1e-5;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EPS = 0.2;
/** Non-zero, distinct coefficients, so a dropped or sign-flipped term shows. */
const CFG: LossCfg = { clipCoef: EPS, clipVloss: true, entCoef: 0.1, vfCoef: 0.5 };

interface Case {
  name: string;
  kind: 'categorical' | 'gaussian';
  mode: RowMode;
  /** State observations (value loss, entropy; the policy rows' too unless 'own-observations'). */
  obsV: number[][];
  /** 'own-observations': each policy row's observation. */
  obsP?: number[][];
  /** The state each policy row belongs to (non-decreasing). */
  rowState: number[];
  actions: number[][];
  /** Designed ρ_i = π(a_i|s_i)/π_old(a_i|s_i): oldLogProbs are set to log π − log ρ. */
  ratios: number[];
  adv: number[];
  w: number[];
  /** Per state: V − V_old (beyond ±ε: the value clip bites) and V − R. */
  vDelta: number[];
  vErr: number[];
}

/*
 * ε = 0.2. Row by row (Â > 0 wants ρ up, Â < 0 wants ρ down; the max picks the pessimistic term):
 *   ρ 0.70, Â +1.5: below the range, unclipped term −Âρ is the max → gradient flows
 *   ρ 0.70, Â −0.8: below the range, clipped term −Â·0.8 is the max → no gradient
 *   ρ 1.35, Â +0.6: above the range, clipped term −Â·1.2 is the max → no gradient
 *   ρ 1.35, Â −1.2: above the range, unclipped term is the max → gradient flows
 *   ρ 1.10 / 0.95: inside the range, both terms agree
 * Value states: V − V_old = ±0.5 (clip active) with V − R chosen so that once the clipped and once
 * the unclipped square is the larger one, and two states inside the clip range.
 */
const CAT_ONE_ROW: Case = {
  name: 'categorical, one row per state',
  kind: 'categorical',
  mode: 'one-row-per-state',
  obsV: [[0.5, -1], [1, 0.3], [-0.7, 0.8], [0.2, 0.2], [-1, -0.4], [0.9, -0.6]],
  rowState: [0, 1, 2, 3, 4, 5],
  actions: [[0], [1], [2], [1], [0], [2]],
  ratios: [0.7, 0.7, 1.35, 1.35, 1.1, 0.95],
  adv: [1.5, -0.8, 0.6, -1.2, 2.0, -0.5],
  w: [1, 0.5, 2, 1.5, 0.25, 1],
  vDelta: [0.5, 0.5, -0.5, -0.5, 0.1, -0.05],
  vErr: [-1, 1, 1, -1, 0.4, -0.3],
};

/** Several rows per state sharing the state's network output (the mac / many-actions layout). */
const CAT_ROWS_ARE_STATES: Case = {
  name: 'categorical, several rows per state',
  kind: 'categorical',
  mode: 'rows-are-states',
  obsV: [[0.3, -0.2], [-0.8, 0.5], [0.6, 0.9]],
  rowState: [0, 0, 0, 1, 1, 2],
  actions: [[0], [1], [2], [0], [2], [1]],
  ratios: [1.3, 0.75, 1.05, 0.6, 1.4, 0.9],
  adv: [-0.7, 1.1, 0.4, -0.9, 0.8, 1.6],
  w: [0.2, 0.5, 0.3, 0.6, 0.4, 1],
  vDelta: [0.4, -0.3, 0.1],
  vErr: [-0.6, 0.5, -0.2],
};

/** Gaussian policy, policy rows at their own observations (the mbpo layout), entropy over the states. */
const GAUSS_OWN_OBS: Case = {
  name: 'Gaussian, rows with their own observations',
  kind: 'gaussian',
  mode: 'own-observations',
  obsV: [[0.4, -0.5], [-0.3, 0.7]],
  obsP: [[0.4, -0.5], [0.1, 0.2], [-0.3, 0.7], [0.8, -0.9], [-0.6, -0.2]],
  rowState: [0, 0, 1, 1, 1],
  actions: [[0.3, -0.5], [1.2, 0.4], [-0.8, 0.1], [0.05, -1.1], [0.6, 0.9]],
  ratios: [1.4, 0.65, 1.02, 0.85, 1.3],
  adv: [0.9, 1.3, -2.0, -0.4, -0.7],
  w: [1, 1, 1, 1, 1],
  vDelta: [-0.35, 0.25],
  vErr: [0.8, 0.9],
};

/** A small agent with fixed, hand-chosen weights (2 observation dims, 3 actions / action dims 2). */
function makeAgent(c: Case): ActorCritic {
  const act = c.kind === 'categorical' ? discrete(3) : box(-1, 1, [2]);
  const agent = new ActorCritic(box(-5, 5, [2]), act, { hiddenSizes: [], activation: 'tanh' }, new Rng(0));
  const K = agent.outDim;
  const [aW, aB] = agent.actor.params;
  aW!.assign(tf.tensor2d(K === 3 ? [0.8, -0.4, 0.3, -0.6, 0.5, 0.9] : [0.7, -0.3, 0.2, 0.6], [2, K]));
  aB!.assign(tf.tensor1d(K === 3 ? [0.1, -0.2, 0.3] : [0.05, -0.1]));
  agent.logStd?.assign(tf.tensor2d([[-0.3, 0.2]]));
  const [cW, cB] = agent.critic.params;
  cW!.assign(tf.tensor2d([0.9, -0.7], [2, 1]));
  cB!.assign(tf.tensor1d([0.25]));
  return agent;
}

interface Params {
  aW: number[];
  aB: number[];
  logStd: number[] | null;
  cW: number[];
  cB: number[];
}

function readParams(agent: ActorCritic): Params {
  const arr = (v: tf.Variable) => Array.from(v.dataSync());
  const [aW, aB] = agent.actor.params;
  const [cW, cB] = agent.critic.params;
  return { aW: arr(aW!), aB: arr(aB!), logStd: agent.logStd ? arr(agent.logStd) : null, cW: arr(cW!), cB: arr(cB!) };
}

/** x·W + b with W row-major (inputs × outputs). */
const linear = (x: number[], W: number[], b: number[]) => b.map((bk, k) => bk + x.reduce((s, xd, d) => s + xd * W[d * b.length + k]!, 0));

/** log π(a|s) from the policy output, and its derivatives with respect to the output and to log σ. */
function logProb(kind: Case['kind'], out: number[], a: number[], logStd: number[] | null) {
  if (kind === 'categorical') {
    const m = Math.max(...out);
    const lse = m + Math.log(out.reduce((s, z) => s + Math.exp(z - m), 0));
    const p = out.map((z) => Math.exp(z - lse));
    return { lp: out[a[0]!]! - lse, dOut: p.map((pk, k) => (k === a[0] ? 1 : 0) - pk), dLogStd: [] as number[] };
  }
  const ls = logStd!;
  const z = out.map((mu, k) => (a[k]! - mu) / Math.exp(ls[k]!));
  return {
    lp: z.reduce((s, zk, k) => s - 0.5 * zk * zk - ls[k]! - LOG_SQRT_2PI, 0),
    dOut: z.map((zk, k) => zk / Math.exp(ls[k]!)),
    dLogStd: z.map((zk) => zk * zk - 1),
  };
}

/** Entropy of π(·|s) and its derivatives with respect to the output and to log σ. */
function entropy(kind: Case['kind'], out: number[], logStd: number[] | null) {
  if (kind === 'categorical') {
    const m = Math.max(...out);
    const lse = m + Math.log(out.reduce((s, z) => s + Math.exp(z - m), 0));
    const logp = out.map((z) => z - lse);
    const H = -logp.reduce((s, l) => s + Math.exp(l) * l, 0);
    // ∂H/∂z_k = −p_k (log p_k + H)
    return { H, dOut: logp.map((l) => -Math.exp(l) * (l + H)), dLogStd: [] as number[] };
  }
  return { H: logStd!.reduce((s, l) => s + l + 0.5 + LOG_SQRT_2PI, 0), dOut: out.map(() => 0), dLogStd: logStd!.map(() => 1) };
}

const rowObs = (c: Case, i: number) => (c.mode === 'own-observations' ? c.obsP![i]! : c.obsV[c.rowState[i]!]!);

/** The minibatch inputs: oldLogProbs, returns and old values placed to give the designed ρ and value errors. */
function inputs(c: Case, p: Params) {
  const oldLogProbs = c.actions.map((a, i) => logProb(c.kind, linear(rowObs(c, i), p.aW, p.aB), a, p.logStd).lp - Math.log(c.ratios[i]!));
  const v = c.obsV.map((o) => linear(o, p.cW, p.cB)[0]!);
  return { oldLogProbs, returns: v.map((vs, s) => vs - c.vErr[s]!), oldValues: v.map((vs, s) => vs - c.vDelta[s]!) };
}

interface Expected {
  /** [pg, v, H, oldKL, KL, clipfrac, max|ρ−1|], as ppoLoss pushes them. */
  stats: number[];
  loss: number;
  /** ∂loss/∂θ in the order of agent.allParams: actor W, actor b, (log σ), critic W, critic b. */
  grads: number[][];
}

/** The loss, statistics and gradients by hand (float64), for the given advantages and config. */
function byHand(c: Case, p: Params, cfg: LossCfg, adv: number[] = c.adv): Expected {
  const inp = inputs(c, p);
  const K = p.aB.length;
  const D = c.obsV[0]!.length;
  const gAW = new Array<number>(D * K).fill(0);
  const gAB = new Array<number>(K).fill(0);
  const gLS = new Array<number>(K).fill(0);
  const gCW = new Array<number>(D).fill(0);
  let gCB = 0;
  const addPolicyGrad = (x: number[], dOut: number[], scale: number) => {
    dOut.forEach((g, k) => {
      gAB[k]! += scale * g;
      x.forEach((xd, d) => (gAW[d * K + k]! += scale * g * xd));
    });
  };
  // clipped surrogate over the rows
  const W = c.w.reduce((a, b) => a + b, 0);
  const R = c.rowState.length;
  let pg = 0;
  let oldKl = 0;
  let kl = 0;
  let clipped = 0;
  let dev = 0;
  c.actions.forEach((a, i) => {
    const x = rowObs(c, i);
    const lpi = logProb(c.kind, linear(x, p.aW, p.aB), a, p.logStd);
    const logratio = lpi.lp - inp.oldLogProbs[i]!;
    const rho = Math.exp(logratio);
    const A = adv[i]!;
    const rhoClip = Math.min(Math.max(rho, 1 - cfg.clipCoef), 1 + cfg.clipCoef);
    const unclippedTerm = -A * rho;
    const clippedTerm = -A * rhoClip;
    pg += (c.w[i]! * Math.max(unclippedTerm, clippedTerm)) / W;
    // gradient only where the unclipped term is the max (inside the range both terms are the same)
    const flows = unclippedTerm > clippedTerm || rho === rhoClip;
    if (flows) {
      const dRho = (-A * c.w[i]!) / W; // ∂L/∂ρ; ∂ρ/∂θ = ρ ∂log π/∂θ
      addPolicyGrad(x, lpi.dOut, dRho * rho);
      lpi.dLogStd.forEach((g, k) => (gLS[k]! += dRho * rho * g));
    }
    oldKl += -logratio / R;
    kl += (rho - 1 - logratio) / R;
    if (Math.abs(rho - 1) > cfg.clipCoef) clipped += 1 / R;
    dev = Math.max(dev, Math.abs(rho - 1));
  });
  // entropy and (clipped) value loss over the states
  const S = c.obsV.length;
  let H = 0;
  let vLoss = 0;
  c.obsV.forEach((x, s) => {
    const e = entropy(c.kind, linear(x, p.aW, p.aB), p.logStd);
    H += e.H / S;
    addPolicyGrad(x, e.dOut, -cfg.entCoef / S); // loss has −entCoef·H
    e.dLogStd.forEach((g, k) => (gLS[k]! += (-cfg.entCoef * g) / S));
    const v = linear(x, p.cW, p.cB)[0]!;
    const ret = inp.returns[s]!;
    const vOld = inp.oldValues[s]!;
    const unclipped = (v - ret) ** 2;
    const delta = v - vOld;
    const vClipped = vOld + Math.min(Math.max(delta, -cfg.clipCoef), cfg.clipCoef);
    const clippedSq = (vClipped - ret) ** 2;
    let dV: number; // ∂(0.5·max(...))/∂V
    if (!cfg.clipVloss || unclipped >= clippedSq) {
      vLoss += (0.5 * unclipped) / S;
      dV = v - ret;
    } else {
      vLoss += (0.5 * clippedSq) / S;
      dV = Math.abs(delta) < cfg.clipCoef ? vClipped - ret : 0; // V_clipped is constant in V once the clip bites
    }
    gCB += (cfg.vfCoef * dV) / S;
    x.forEach((xd, d) => (gCW[d]! += (cfg.vfCoef * dV * xd) / S));
  });
  const grads = [gAW, gAB, ...(p.logStd ? [gLS] : []), gCW, [gCB]];
  return { stats: [pg, vLoss, H, oldKl, kl, clipped, dev], loss: pg - cfg.entCoef * H + cfg.vfCoef * vLoss, grads };
}

/** The minibatch tensors of the given states (all of them by default), as update.ts builds them. */
function minibatch(c: Case, p: Params, states = c.obsV.map((_, s) => s)): MinibatchTensors {
  const inp = inputs(c, p);
  const rows = c.rowState.map((s, i) => i).filter((i) => states.includes(c.rowState[i]!));
  const local = rows.map((i) => states.indexOf(c.rowState[i]!));
  const col = (a: number[], idx: number[]) => tf.tensor1d(idx.map((i) => a[i]!));
  return {
    mode: c.mode,
    obsP: c.mode === 'own-observations' ? tf.tensor2d(rows.map((i) => c.obsP![i]!)) : null,
    obsV: tf.tensor2d(states.map((s) => c.obsV[s]!)),
    rowState: c.mode === 'rows-are-states' ? Int32Array.from(local) : null,
    actions: tf.tensor2d(rows.map((i) => c.actions[i]!)),
    oldLogProbs: col(inp.oldLogProbs, rows),
    advantages: col(c.adv, rows),
    weights: col(c.w, rows),
    returns: col(inp.returns, states),
    oldValues: col(inp.oldValues, states),
  };
}

/** ppoLoss's loss, statistics and gradients (as update.ts differentiates it). */
function byCode(agent: ActorCritic, mb: MinibatchTensors, cfg: LossCfg, totals?: ShardTotals): Expected {
  const params = agent.allParams;
  const kept: tf.Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => ppoLoss(agent, mb, cfg, kept, totals), params);
  const out = { stats: Array.from(kept[0]!.dataSync()), loss: value.dataSync()[0]!, grads: params.map((q) => Array.from(grads[q.name]!.dataSync())) };
  tf.dispose([value, kept[0]!, ...Object.values(grads)]);
  return out;
}

const STAT_NAMES = ['policy loss', 'value loss', 'entropy', 'old approx KL', 'approx KL', 'clipfrac', 'max |ρ−1|'];
const PARAM_NAMES = (c: Case) => ['actor W', 'actor b', ...(c.kind === 'gaussian' ? ['log σ'] : []), 'critic W', 'critic b'];

function expectClose(t: Test, got: Expected, want: Expected, c: Case, what: string) {
  const fmt = (a: number[]) => a.map((x) => x.toFixed(6)).join(', ');
  want.stats.forEach((w, k) => t.ok(Math.abs(got.stats[k]! - w) < TOL, `${what}: ${STAT_NAMES[k]} ${got.stats[k]!.toFixed(6)} = ${w.toFixed(6)} by hand`));
  t.ok(Math.abs(got.loss - want.loss) < TOL, `${what}: loss ${got.loss.toFixed(6)} = pg − entCoef·H + vfCoef·L_V = ${want.loss.toFixed(6)} by hand`);
  want.grads.forEach((g, k) => {
    const err = Math.max(...g.map((x, j) => Math.abs(got.grads[k]![j]! - x)));
    t.ok(err < TOL, `${what}: ∂loss/∂(${PARAM_NAMES(c)[k]}) [${fmt(got.grads[k]!)}] = [${fmt(g)}] by hand (max error ${err.toExponential(1)})`);
  });
}

t.test('the designed cases really hit both sides of the clip with both signs of advantage', async (t) => {
  // a check of the test's own construction, in plain numbers: which rows get a policy gradient
  const flows = CAT_ONE_ROW.ratios.map((r, i) => {
    const A = CAT_ONE_ROW.adv[i]!;
    const rc = Math.min(Math.max(r, 1 - EPS), 1 + EPS);
    return -A * r > -A * rc || r === rc;
  });
  t.same(flows, [true, false, false, true, true, true], 'ρ<1−ε,Â>0 and ρ>1+ε,Â<0 flow; ρ<1−ε,Â<0 and ρ>1+ε,Â>0 are clipped');
  const vClipWins = CAT_ONE_ROW.vDelta.map((d, s) => {
    const e = CAT_ONE_ROW.vErr[s]!;
    return (e - d + Math.min(Math.max(d, -EPS), EPS)) ** 2 > e * e;
  });
  t.same(vClipWins, [true, false, true, false, false, false], 'value clip: states 0 and 2 take the clipped square');
});

t.test('ppoLoss equals the hand-computed loss, statistics and gradients', async (t) => {
  const cfgs: [string, LossCfg][] = [
    ['clipped value loss', CFG],
    ['unclipped value loss', { ...CFG, clipVloss: false }],
    ['larger entropy bonus, other ε', { clipCoef: 0.12, clipVloss: true, entCoef: 0.5, vfCoef: 1.5 }],
  ];
  for (const c of [CAT_ONE_ROW, CAT_ROWS_ARE_STATES, GAUSS_OWN_OBS]) {
    const agent = makeAgent(c);
    const p = readParams(agent);
    for (const [label, cfg] of cfgs) {
      const mb = minibatch(c, p);
      expectClose(t, byCode(agent, mb, cfg), byHand(c, p, cfg), c, `${c.name}, ${label}`);
      tf.dispose(Object.values(mb).filter((x): x is tf.Tensor => x instanceof tf.Tensor));
    }
    agent.dispose();
  }
});

t.test('the clips are active where designed: clipped rows and states get no gradient', async (t) => {
  const agent = makeAgent(CAT_ONE_ROW);
  const p = readParams(agent);
  // one row at a time (the others weighted 0), entropy and value terms off: ρ 0.7 with Â < 0 and ρ 1.35 with
  // Â > 0 are clipped (zero gradient); ρ 0.7 with Â > 0 and ρ 1.35 with Â < 0 are not
  const cfg: LossCfg = { ...CFG, entCoef: 0, vfCoef: 0 };
  for (const [row, clipped] of [[1, true], [2, true], [0, false], [3, false]] as const) {
    const c: Case = { ...CAT_ONE_ROW, w: CAT_ONE_ROW.w.map((w, i) => (i === row ? w : 0)) };
    const mb = minibatch(c, p);
    const got = byCode(agent, mb, cfg);
    const want = byHand(c, p, cfg);
    const norm = Math.hypot(...got.grads.flat());
    t.ok(clipped ? norm < 1e-7 : norm > 0.05, `row ${row} alone: |∇L_clip| = ${norm.toExponential(2)} (${clipped ? 'clipped' : 'not clipped'})`);
    t.ok(Math.abs(got.stats[0]! - want.stats[0]!) < TOL, `row ${row} alone: L_clip ${got.stats[0]!.toFixed(6)} = ${want.stats[0]!.toFixed(6)}`);
    tf.dispose(Object.values(mb).filter((x): x is tf.Tensor => x instanceof tf.Tensor));
  }
  // one state at a time: states 0 and 2 take the clipped square with V − V_old beyond ±ε (no critic gradient),
  // states 1 and 3 the unclipped one
  for (const [state, clipped] of [[0, true], [2, true], [1, false], [3, false]] as const) {
    const mb = minibatch(CAT_ONE_ROW, p, [state]);
    const got = byCode(agent, mb, CFG);
    const critic = Math.hypot(...got.grads.slice(-2).flat());
    t.ok(clipped ? critic < 1e-7 : critic > 0.05, `state ${state} alone: |∇_critic L| = ${critic.toExponential(2)} (${clipped ? 'clipped' : 'not clipped'})`);
    tf.dispose(Object.values(mb).filter((x): x is tf.Tensor => x instanceof tf.Tensor));
  }
  agent.dispose();
});

t.test('shards with the minibatch totals add up to the whole minibatch (learner threads)', async (t) => {
  const c = CAT_ONE_ROW;
  const agent = makeAgent(c);
  const p = readParams(agent);
  const want = byHand(c, p, CFG);
  const shards = [[0, 1, 2], [3, 4, 5]].map((states) => {
    const mb = minibatch(c, p, states);
    const totals: ShardTotals = { weightSum: c.w.reduce((a, b) => a + b, 0), rows: 6, states: 6 };
    const r = byCode(agent, mb, CFG, totals);
    tf.dispose(Object.values(mb).filter((x): x is tf.Tensor => x instanceof tf.Tensor));
    return r;
  });
  const sum: Expected = {
    stats: want.stats.map((_, k) => (k === 6 ? Math.max(shards[0]!.stats[k]!, shards[1]!.stats[k]!) : shards[0]!.stats[k]! + shards[1]!.stats[k]!)),
    loss: shards[0]!.loss + shards[1]!.loss,
    grads: shards[0]!.grads.map((g, k) => g.map((x, j) => x + shards[1]!.grads[k]![j]!)),
  };
  expectClose(t, sum, want, c, 'two shards summed');
  agent.dispose();
});

t.test('one ppoUpdate step: reported losses by hand (normalised advantages), parameters move against the hand gradient', async (t) => {
  const c = CAT_ONE_ROW;
  const agent = makeAgent(c);
  const p = readParams(agent);
  const inp = inputs(c, p);
  const S = c.obsV.length;
  const obs = Float32Array.from(c.obsV.flat());
  const batch: EstimatorBatch = {
    numStates: S,
    policy: {
      obs,
      actions: Float32Array.from(c.actions.flat()),
      oldLogProbs: Float32Array.from(inp.oldLogProbs),
      advantages: Float32Array.from(c.adv),
      weights: Float32Array.from(c.w),
      stateIndex: Int32Array.from(c.rowState),
    },
    value: { obs, returns: Float32Array.from(inp.returns), oldValues: Float32Array.from(inp.oldValues) },
    stats: {},
  };
  // weighted mean and unbiased (reliability-weights) std of the advantages, as update.ts documents
  const sw = c.w.reduce((a, b) => a + b, 0);
  const sw2 = c.w.reduce((a, b) => a + b * b, 0);
  const mean = c.w.reduce((s, w, i) => s + w * c.adv[i]!, 0) / sw;
  const sd = Math.sqrt(c.w.reduce((s, w, i) => s + w * (c.adv[i]! - mean) ** 2, 0) / (sw - sw2 / sw));
  const advN = c.adv.map((a) => (a - mean) / (sd + 1e-8));
  const want = byHand(c, p, CFG, advN);
  t.same(advN.map((a, i) => Math.sign(a) === Math.sign(c.adv[i]!)), [true, true, true, true, true, true], 'normalisation keeps every advantage’s sign here');

  const lr = 1e-3;
  const opt = new Adam(agent.allParams, 0.9, 0.999, 1e-5);
  const before = agent.allParams.map((q) => Array.from(q.dataSync()));
  const cfg = { ...CFG, numMinibatches: 1, updateEpochs: 1, normAdv: true, maxGradNorm: 1e6, targetKl: null };
  const st = ppoUpdate(agent, opt, batch, cfg, lr, new Rng(0), 0);
  const got = [st.policy_loss, st.value_loss, st.entropy, st.old_approx_kl, st.approx_kl, st.clipfrac];
  got.forEach((g, k) => t.ok(Math.abs(g - want.stats[k]!) < TOL, `ppoUpdate ${STAT_NAMES[k]} ${g.toFixed(6)} = ${want.stats[k]!.toFixed(6)} by hand`));
  t.ok(Math.abs(st.first_minibatch_max_ratio_dev - 0.35) < TOL, `max |ρ−1| ${st.first_minibatch_max_ratio_dev}`);
  const gNorm = Math.hypot(...want.grads.flat());
  t.ok(Math.abs(st.grad_norm - gNorm) < TOL, `gradient norm ${st.grad_norm.toFixed(6)} = ${gNorm.toFixed(6)} by hand`);
  // first Adam step (bias-corrected): Δθ = −lr·g/(|g| + ε)
  agent.allParams.forEach((q, k) => {
    const delta = Array.from(q.dataSync()).map((x, j) => x - before[k]![j]!);
    const wantDelta = want.grads[k]!.map((g) => (-lr * g) / (Math.abs(g) + 1e-5));
    const err = Math.max(...delta.map((d, j) => Math.abs(d - wantDelta[j]!)));
    t.ok(err < 2e-6, `${PARAM_NAMES(c)[k]}: Δθ [${delta.map((d) => d.toExponential(2)).join(', ')}] = −lr·g/(|g|+ε) (max error ${err.toExponential(1)})`);
  });
  opt.dispose();
  agent.dispose();
});
