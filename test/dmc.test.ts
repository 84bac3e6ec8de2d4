import t from 'tap';
import type { DmcState } from '../envs/dmc/dmc-env.js';
import { DmcBallInCupCatch } from '../envs/dmc/tasks/ball-in-cup.js';
import { DmcCartpole } from '../envs/dmc/tasks/cartpole.js';
import { DmcFinger } from '../envs/dmc/tasks/finger.js';
import { DmcCheetahRun } from '../envs/dmc/tasks/cheetah.js';
import { DmcHopper } from '../envs/dmc/tasks/hopper.js';
import { DmcHumanoid } from '../envs/dmc/tasks/humanoid.js';
import { DmcPendulumSwingup } from '../envs/dmc/tasks/pendulum.js';
import { DmcPointMassEasy } from '../envs/dmc/tasks/point-mass.js';
import { DmcQuadruped } from '../envs/dmc/tasks/quadruped.js';
import { DmcReacher } from '../envs/dmc/tasks/reacher.js';
import { DmcWalker } from '../envs/dmc/tasks/walker.js';
import { smallControl, tolerance } from '../envs/dmc/tolerance.js';
import { initMujoco } from '../envs/mujoco/runtime.js';
import { envIds, envSpec, make } from '../envs/registry.js';
import { makeTrainingEnv } from '../envs/stack.js';

await initMujoco();

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol;

t.test('tolerance matches dm_control’s definition', async (t) => {
  t.equal(tolerance(0.5, { bounds: [0, 1] }), 1, 'inside (inclusive)');
  t.equal(tolerance(1, { bounds: [0, 1] }), 1);
  t.equal(tolerance(1.5, { bounds: [0, 1] }), 0, 'margin 0 → 0 outside');
  t.ok(close(tolerance(2, { margin: 2 }), 0.1), 'gaussian: S(1) = value_at_margin');
  t.ok(close(tolerance(1, { margin: 2 }), 0.1 ** 0.25), 'gaussian: 0.1^(d²)');
  t.ok(close(tolerance(5, { bounds: [10, Infinity], margin: 10, valueAtMargin: 0, sigmoid: 'linear' }), 0.5), 'linear: clip(v/10)');
  t.equal(tolerance(0, { bounds: [10, Infinity], margin: 10, valueAtMargin: 0, sigmoid: 'linear' }), 0, 'linear reaches 0 at d = 1 (strict < 1)');
  t.ok(close(smallControl(0.5), 0.75), 'q(u) = 1 − u²');
  t.equal(smallControl(1), 0);
  t.ok(close(tolerance(1.5, { margin: 1, sigmoid: 'hyperbolic', valueAtMargin: 0.2 }), 1 / Math.cosh(1.5 * Math.acosh(5))));
  t.ok(close(tolerance(1, { margin: 1, sigmoid: 'long_tail', valueAtMargin: 0.2 }), 0.2));
  t.ok(close(tolerance(1, { margin: 1, sigmoid: 'reciprocal', valueAtMargin: 0.2 }), 0.2));
  t.ok(close(tolerance(1, { margin: 1, sigmoid: 'cosine', valueAtMargin: 0.2 }), 0.2));
  t.ok(close(tolerance(1, { margin: 1, sigmoid: 'tanh_squared', valueAtMargin: 0.2 }), 0.2));
  t.throws(() => tolerance(0, { bounds: [1, 0] }), /lower bound/);
  t.throws(() => tolerance(0, { margin: 1, valueAtMargin: 0 }), /value_at_margin/);
});

t.test('every DMC task: dims, 1000-step truncation, rewards in [0, 1], seeded resets', async (t) => {
  const ids = envIds().filter((id) => id.startsWith('dmc/'));
  t.equal(ids.length, 26);
  const dims: Record<string, [number, number]> = {
    'dmc/cartpole-balance': [5, 1], 'dmc/cartpole-two_poles': [8, 1], 'dmc/cartpole-three_poles': [11, 1], 'dmc/cheetah-run': [17, 6],
    'dmc/walker-walk': [24, 6], 'dmc/reacher-easy': [6, 2], 'dmc/point_mass-easy': [4, 2], 'dmc/acrobot-swingup': [6, 1],
    'dmc/pendulum-swingup': [3, 1], 'dmc/hopper-hop': [15, 4], 'dmc/finger-spin': [9, 2], 'dmc/finger-turn_hard': [12, 2], 'dmc/ball_in_cup-catch': [8, 2], 'dmc/humanoid-walk': [67, 21], 'dmc/quadruped-run': [78, 12],
  };
  for (const id of ids) {
    const env = make(id);
    const r0 = env.reset({ seed: 3 });
    const again = make(id);
    t.same(Array.from(again.reset({ seed: 3 }).obs), Array.from(r0.obs), `${id}: same seed, same first obs`);
    again.close?.();
    if (dims[id]) {
      t.equal(r0.obs.length, dims[id]![0], `${id} obs dim`);
      t.equal(env.actionSpace.kind === 'box' && env.actionSpace.shape[0], dims[id]![1], `${id} action dim`);
    }
    const steps = /walker|hopper|cheetah|finger|ball_in_cup|humanoid|quadruped/.test(id) ? 60 : 1000;
    let ok = true;
    let s;
    for (let k = 0; k < steps; k++) {
      s = env.step(Array.from({ length: (env.actionSpace as { shape: number[] }).shape[0]! }, (_, i) => Math.sin(0.1 * k + i)));
      if (!(s.reward >= 0 && s.reward <= 1) || s.terminated) ok = false;
    }
    t.ok(ok, `${id}: rewards in [0, 1], never terminates`);
    if (steps === 1000) t.equal(s!.truncated, true, `${id}: truncated at 1000 control steps`);
    env.close?.();
  }
  t.equal(envSpec('dmc/cheetah-run').maxEpisodeSteps, 1000);
});

t.test('reward functions on hand-made states', async (t) => {
  const cp = new DmcCartpole('cp', 1, true, false);
  cp.reset({ seed: 0 });
  const st = cp.getState() as DmcState;
  cp.setState({ ...st, sim: { ...st.sim, qpos: [0, 0], qvel: [0, 0] } });
  t.ok(close(cp['reward'](Float64Array.of(0)), 1), 'upright, centred, still, no control → 1');
  t.ok(close(cp['reward'](Float64Array.of(0.5)), (4 + 0.75) / 5), 'control term (4 + q(u))/5');
  cp.setState({ ...st, sim: { ...st.sim, qpos: [0, Math.PI], qvel: [0, 0] } });
  t.ok(cp['reward'](Float64Array.of(0)) < 1e-12, 'hanging pole → 0');
  const obs = cp.step([0]).obs;
  t.ok(close(obs[1]!, -1, 1e-3) && close(obs[2]!, 0, 2e-2), `obs holds cos/sin of the absolute angle: ${Array.from(obs)}`);
  cp.close();
  const sparse = new DmcCartpole('cps', 2, true, true);
  sparse.reset({ seed: 0 });
  const s2 = sparse.getState() as DmcState;
  sparse.setState({ ...s2, sim: { ...s2.sim, qpos: [0.25, 0, 0], qvel: [0, 0, 0] } });
  t.equal(sparse['reward'](Float64Array.of(0)), 1, 'sparse: |x| ≤ 0.25 inclusive and all poles up');
  sparse.setState({ ...s2, sim: { ...s2.sim, qpos: [0, 0, 0.2], qvel: [0, 0, 0] } });
  t.equal(sparse['reward'](Float64Array.of(0)), 0, 'second pole at 0.2 rad relative → cos < 0.995');
  sparse.close();

  const p = new DmcPendulumSwingup();
  p.reset({ seed: 0 });
  const ps = p.getState() as DmcState;
  p.setState({ ...ps, sim: { ...ps.sim, qpos: [(7.9 * Math.PI) / 180], qvel: [0] } });
  t.equal(p['reward'](), 1, 'within 8° of upright');
  p.setState({ ...ps, sim: { ...ps.sim, qpos: [(8.1 * Math.PI) / 180], qvel: [0] } });
  t.equal(p['reward'](), 0);
  p.close();

  const pm = new DmcPointMassEasy();
  pm.reset({ seed: 0 });
  const pms = pm.getState() as DmcState;
  pm.setState({ ...pms, sim: { ...pms.sim, qpos: [0, 0], qvel: [0, 0] } });
  t.ok(close(pm['reward'](Float64Array.of(0, 0)), 1), 'point mass on the target');
  pm.setState({ ...pms, sim: { ...pms.sim, qpos: [0.03, 0], qvel: [0, 0] } });
  t.ok(close(pm['reward'](Float64Array.of(0, 0)), 0.1, 1e-9), 'one margin beyond the bound → 0.1');
  pm.close();

  const w = new DmcWalker('dmc/walker-walk', 1);
  w.reset({ seed: 0 });
  const ws = w.getState() as DmcState;
  w.setState({ ...ws, sim: { ...ws.sim, qpos: new Array(9).fill(0), qvel: new Array(9).fill(0) } });
  t.ok(close(w.torsoHeight(), 1.3), 'torso starts at 1.3 (rootz = 0)');
  t.ok(close(w.standReward(), 1), 'upright at 1.3 → stand = 1');
  w.close();

  const h = new DmcHopper('dmc/hopper-stand', false);
  h.reset({ seed: 0 });
  const hs = h.getState() as DmcState;
  h.setState({ ...hs, sim: { ...hs.sim, qpos: [0, 0, 0, 0, 0, 0.1, 0], qvel: new Array(7).fill(0) } });
  t.ok(h.height() > 0.6 && h.height() < 2, `straight hopper stands (h = ${h.height()})`);
  t.ok(close(h['reward'](Float64Array.of(0, 0, 0, 0)), 1));
  h.close();
});

t.test('reacher edits the target in the model every episode; snapshots carry the edit', async (t) => {
  const r = new DmcReacher('dmc/reacher-hard', 0.015);
  r.reset({ seed: 1 });
  const [dx, dy] = r.toTarget();
  t.ok(Math.hypot(dx, dy) > 0, 'finger away from the target');
  const snap = JSON.parse(JSON.stringify(r.getState()));
  const t1 = r.toTarget();
  r.reset();
  t.notSame(r.toTarget(), t1, 'a new episode moves the target');
  r.setState(snap);
  t.same(r.toTarget(), t1, 'restored target position');
  const ex = (snap as DmcState).extra as { targetPos: [number, number]; targetSize: number };
  const rad = Math.hypot(ex.targetPos[0], ex.targetPos[1]);
  t.ok(rad >= 0.05 && rad <= 0.2 && ex.targetSize === 0.015, `target radius ${rad}`);
  r.close();
});

t.test('cheetah settles for 200 physics steps at reset and restarts the clock', async (t) => {
  const c = new DmcCheetahRun();
  c.reset({ seed: 2 });
  t.equal(c['sim'].data.time, 0);
  const v = Array.from(c['sim'].qvel).map(Math.abs);
  t.ok(Math.max(...v) < 1, `settled velocities ${Math.max(...v)}`);
  c.close();
});

t.test('action repeat sums rewards and shortens episodes', async (t) => {
  const base = { clipAction: false, normalizeObservation: false, clipObservation: 0, normalizeReward: false, clipReward: 0, gamma: 0.99 };
  const one = makeTrainingEnv('dmc/cartpole-balance', { ...base, actionRepeat: 1 });
  const four = makeTrainingEnv('dmc/cartpole-balance', { ...base, actionRepeat: 4 });
  one.reset({ seed: 5 });
  four.reset({ seed: 5 });
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += one.step([0.2]).reward;
  t.ok(close(four.step([0.2]).reward, sum, 1e-12), 'one repeated step = four steps');
  let n = 1;
  let s;
  do {
    s = four.step([0.2]);
    n++;
  } while (!s.truncated);
  t.equal(n, 250, '1000 control steps = 250 agent steps at repeat 4');
  t.equal((s.info['episode'] as { l: number }).l, 250);
  one.close?.();
  four.close?.();
});

t.test('finger and ball-in-cup: collision-free starts, model edits, rewards', async (t) => {
  const spin = new DmcFinger('dmc/finger-spin', null);
  for (let i = 0; i < 20; i++) {
    spin.reset({ seed: i });
    t.equal(spin['sim'].data.ncon, 0, 'collision-free initial pose');
  }
  t.equal((spin['sim'].model.dof_damping as Float64Array)[2], 0.03, 'spin sets the spinner damping to 0.03');
  const st = spin.getState() as DmcState;
  spin.setState({ ...st, sim: { ...st.sim, qvel: [0, 0, -20] } });
  t.equal(spin.step([0, 0]).reward, spin['sensor'](4) <= -15 ? 1 : 0);
  t.ok(spin['sensor'](4) < -15, 'spinning at −20 rad/s stays below −15 after one step');
  t.equal(spin['reward'](), 1);
  spin.close();
  const turn = new DmcFinger('dmc/finger-turn_easy', 0.07);
  turn.reset({ seed: 4 });
  const [gx, gz] = turn.targetPosition();
  t.ok(Math.abs(Math.hypot(gx, gz) - 0.13) < 1e-9, 'target on the 0.13 m circle around the hinge');
  t.equal((turn['sim'].model.site_size as Float64Array)[3 * turn['sim'].id('site', 'target')], 0.07);
  turn.close();
  const cup = new DmcBallInCupCatch();
  for (let i = 0; i < 20; i++) {
    cup.reset({ seed: i });
    t.equal(cup['sim'].data.ncon, 0, 'ball starts free of contact');
  }
  const cs = cup.getState() as DmcState;
  // ball body at (0, 0.2 + z); target site at (0, 0.6 − 0.05): put the ball at the target
  cup.setState({ ...cs, sim: { ...cs.sim, qpos: [0, 0, 0.01, 0.35], qvel: [0, 0, 0, 0] } });
  t.equal(cup['reward'](), 1, 'ball inside the target box');
  cup.setState({ ...cs, sim: { ...cs.sim, qpos: [0, 0, 0.025, 0.35], qvel: [0, 0, 0, 0] } });
  t.equal(cup['reward'](), 0, '|dx| = 0.025 is outside (strict)');
  cup.close();
});

t.test('DMC humanoid: masses, contact-free random starts, reward at an upright pose', async (t) => {
  const h = new DmcHumanoid('dmc/humanoid-stand', 0);
  const mass = Array.from(h['sim'].model.body_mass as Float64Array);
  t.ok(Math.abs(mass.reduce((a, b) => a + b, 0) - 40.844) < 1e-3, 'total mass 40.844');
  for (let i = 0; i < 10; i++) {
    h.reset({ seed: i });
    const q = (h.getState() as DmcState).sim.qpos;
    t.ok(h['sim'].data.ncon === 0 && q.slice(3, 7).every((c) => c >= 0), 'contact-free start, all quaternion components ≥ 0 (dm_control quirk)');
  }
  const st = h.getState() as DmcState;
  const upright = st.sim.qpos.map((_, k) => (k === 2 ? 1.5 : k === 3 ? 1 : 0));
  h.setState({ ...st, sim: { ...st.sim, qpos: upright, qvel: st.sim.qvel.map(() => 0) } });
  t.ok(Math.abs(h.headHeight() - 1.69) < 1e-9, 'head at 1.5 + 0.19');
  t.ok(Math.abs(h['reward'](new Float64Array(21)) - 1) < 1e-9, 'standing still upright with no control → 1');
  const obs = h.step(new Float64Array(21)).obs;
  t.equal(obs.length, 67);
  h.close();
  const w = new DmcHumanoid('dmc/humanoid-walk', 1);
  w.reset({ seed: 0 });
  const ws = w.getState() as DmcState;
  w.setState({ ...ws, sim: { ...ws.sim, qpos: upright, qvel: ws.sim.qvel.map(() => 0) } });
  t.ok(Math.abs(w['reward'](new Float64Array(21)) - 1 / 6) < 1e-9, 'walk: standing still earns (5·0 + 1)/6');
  w.close();
});

t.test('DMC quadruped: masses, lowest contact-free start, reward terms', async (t) => {
  const q = new DmcQuadruped('dmc/quadruped-walk', 0.5);
  const mass = Array.from(q['sim'].model.body_mass as Float64Array);
  t.ok(Math.abs(mass.reduce((a, b) => a + b, 0) - 107.118) < 1e-3, 'total mass 107.12');
  t.equal(q['sim'].model.na, 12, 'filter actuators carry 12 activations');
  for (let i = 0; i < 5; i++) {
    q.reset({ seed: i });
    const z = (q.getState() as DmcState).sim.qpos[2]!;
    t.equal(q['sim'].data.ncon, 0, `free of contact at z = ${z.toFixed(2)}`);
    t.ok(Math.abs(z * 100 - Math.round(z * 100)) < 1e-9, 'height on the 0.01 grid');
  }
  const st = q.getState() as DmcState;
  const upright = st.sim.qpos.map((_, k) => (k === 2 ? 1 : k === 3 ? 1 : 0));
  q.setState({ ...st, sim: { ...st.sim, qpos: upright, qvel: st.sim.qvel.map(() => 0) } });
  t.ok(Math.abs(q['reward']() - 0.5) < 1e-9, 'upright and still: upright 1 × move 0.5');
  const obs = q.step(new Float64Array(12)).obs;
  t.equal(obs.length, 78);
  q.close();
});
