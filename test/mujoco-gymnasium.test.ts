import t from 'tap';
import { AntV5 } from '../envs/mujoco/gymnasium/ant-v5.js';
import { HalfCheetahV5 } from '../envs/mujoco/gymnasium/half-cheetah-v5.js';
import { HumanoidV5 } from '../envs/mujoco/gymnasium/humanoid-v5.js';
import { ANT_XML } from '../envs/mujoco/models/ant.js';
import { HUMANOID_XML } from '../envs/mujoco/models/humanoid.js';
import { HopperV5 } from '../envs/mujoco/gymnasium/hopper-v5.js';
import { Walker2dV5 } from '../envs/mujoco/gymnasium/walker2d-v5.js';
import type { GymMujocoState } from '../envs/mujoco/gymnasium-mujoco-env.js';
import { HALF_CHEETAH_XML } from '../envs/mujoco/models/half-cheetah.js';
import { HOPPER_XML } from '../envs/mujoco/models/hopper.js';
import { walker2dXml } from '../envs/mujoco/models/walker2d.js';
import { InvertedDoublePendulumV5 } from '../envs/mujoco/gymnasium/inverted-double-pendulum-v5.js';
import { InvertedPendulumV5 } from '../envs/mujoco/gymnasium/inverted-pendulum-v5.js';
import { ReacherV5 } from '../envs/mujoco/gymnasium/reacher-v5.js';
import { SwimmerV5 } from '../envs/mujoco/gymnasium/swimmer-v5.js';
import { INVERTED_DOUBLE_PENDULUM_XML } from '../envs/mujoco/models/inverted-double-pendulum.js';
import { INVERTED_PENDULUM_XML } from '../envs/mujoco/models/inverted-pendulum.js';
import { REACHER_XML } from '../envs/mujoco/models/reacher.js';
import { SWIMMER_XML } from '../envs/mujoco/models/swimmer.js';
import { initMujoco, MjSim, mujocoVersion } from '../envs/mujoco/runtime.js';
import { make, prepareEnv } from '../envs/registry.js';

await initMujoco();

// Golden values: spec mujoco-models.md §10 (MuJoCo 3.3.8 in mujoco-js 0.0.7, Gymnasium's XMLs).
const GOLDEN = [
  { name: 'Hopper', xml: HOPPER_XML, frameSkip: 4, totalMass: 15.820013, bodyMass: [0, 3.665191, 4.057891, 2.781357, 5.315575], qpos: [-0.048637, 1.198547, -0.220482, -0.119715, -0.169783, 0.03189] },
  { name: 'Walker2d', xml: walker2dXml(1.9), frameSkip: 4, totalMass: 23.677137, bodyMass: [0, 3.665191, 4.057891, 2.781357, 3.166725, 4.057891, 2.781357, 3.166725], qpos: [-0.090392, 1.180391, -0.48751, -0.191205, -0.502609, 0.15498, -0.51777, 0.066756, 0.799099] },
  { name: 'Ant', xml: ANT_XML, frameSkip: 5, totalMass: 0.91088, nefc: 4, bodyMass: [0, 0.327249, 0.039158, 0.039158, 0.067592, 0.039158, 0.039158, 0.067592, 0.039158, 0.039158, 0.067592, 0.039158, 0.039158, 0.067592], qpos: [0.008274, -0.370106, 0.704999, 0.969322, -0.061818, 0.012472, -0.237568, 0.566779, 1.222866, 0.498582, -1.289195, -0.525538, -1.209738, -0.524596, 0.59231] },
  { name: 'Humanoid', xml: HUMANOID_XML, frameSkip: 5, hi: 0.4, totalMass: 42.11603, nefc: 2, bodyMass: [0, 8.907462, 2.261947, 6.616194, 4.751751, 2.755696, 1.767146, 4.751751, 2.755696, 1.767146, 1.66108, 1.22954, 1.66108, 1.22954], qpos: [-0.057102, 0.015805, 1.200863, 0.991044, 0.129554, -0.00609, 0.0318, -0.079051, -0.407416, -0.361175, 0.044221, 0.311972, -0.1693, -1.26173, -0.057746, -0.270294, 0.267791, -1.071637, 0.357926, -0.119298, -0.030172, -0.642644, 0.137211, -0.352412] },
  { name: 'InvertedPendulum', xml: INVERTED_PENDULUM_XML, frameSkip: 2, hi: 3, totalMass: 15.490567, bodyMass: [0, 10.471976, 5.018592], qpos: [0.917977, -1.573478] },
  { name: 'InvertedDoublePendulum', xml: INVERTED_DOUBLE_PENDULUM_XML, frameSkip: 5, totalMass: 18.869453, bodyMass: [0, 10.471976, 4.198739, 4.198739], qpos: [-0.051046, -6.226309, -0.274281] },
  { name: 'Swimmer', xml: SWIMMER_XML, frameSkip: 4, totalMass: 106.81415, bodyMass: [0, 35.604717, 35.604717, 35.604717], qpos: [0.015132, 0.350371, -0.368522, 0.616854, -0.268437] },
  { name: 'Reacher', xml: REACHER_XML, frameSkip: 2, totalMass: 0.078452, bodyMass: [0, 0.035605, 0.035605, 0.004189, 0.003054], qpos: [2.313164, 1.427689, 0.1, -0.1] },
  { name: 'HalfCheetah', xml: HALF_CHEETAH_XML, frameSkip: 5, totalMass: 14, bodyMass: [0, 6.250209, 1.543515, 1.587448, 1.095397, 1.438075, 1.200837, 0.884519], qpos: [-0.059867, -0.098649, 0.080875, -0.257355, 0.010608, 0.185521, 0.396278, 0.03876, -0.183031] },
];

t.test('our MJCF compiles to the reference masses and reproduces the golden trajectories', async (t) => {
  t.equal(mujocoVersion(), '3.3.8');
  for (const g of GOLDEN) {
    const sim = new MjSim(g.xml, g.name);
    const mass = Array.from(sim.model.body_mass as Float64Array);
    t.ok(Math.abs(mass.reduce((a, b) => a + b, 0) - g.totalMass) < 1e-6, `${g.name} total mass`);
    t.ok(mass.every((m, i) => Math.abs(m - g.bodyMass[i]!) < 1e-6), `${g.name} body masses ${mass.map((m) => m.toFixed(6))}`);
    sim.resetData();
    sim.forward();
    t.equal(sim.data.nefc, (g as { nefc?: number }).nefc ?? 0, `${g.name}: active constraint rows at qpos0 (joint-limit violations by design)`);
    // protocol: ctrl_i = hi_i · 0.5 · sin(0.3 t + i), frame_skip mj_steps, mj_rnePostConstraint
    const hi = (g as { hi?: number }).hi ?? 1;
    for (let step = 0; step < 20; step++) sim.step(Array.from({ length: sim.model.nu }, (_, i) => hi * 0.5 * Math.sin(0.3 * step + i)), g.frameSkip);
    const q = Array.from(sim.qpos);
    t.ok(q.every((v, i) => Math.abs(v - g.qpos[i]!) < 1e-6), `${g.name} qpos after 20 steps: ${q.map((v) => v.toFixed(6))}`);
    sim.free();
  }
});

t.test('spaces, frame skip and registered limits', async (t) => {
  await prepareEnv('Hopper-v5');
  const classes = { 'Ant-v5': AntV5, 'Humanoid-v5': HumanoidV5, 'Hopper-v5': HopperV5, 'Walker2d-v5': Walker2dV5, 'HalfCheetah-v5': HalfCheetahV5, 'InvertedPendulum-v5': InvertedPendulumV5, 'InvertedDoublePendulum-v5': InvertedDoublePendulumV5, 'Swimmer-v5': SwimmerV5, 'Reacher-v5': ReacherV5 };
  const cases = [
    ['Ant-v5', 105, 8, 0.05, 1, 1000],
    ['Humanoid-v5', 348, 17, 0.015, 0.4, 1000],
    ['Hopper-v5', 11, 3, 0.008, 1, 1000],
    ['Walker2d-v5', 17, 6, 0.008, 1, 1000],
    ['HalfCheetah-v5', 17, 6, 0.05, 1, 1000],
    ['InvertedPendulum-v5', 4, 1, 0.04, 3, 1000],
    ['InvertedDoublePendulum-v5', 9, 1, 0.05, 1, 1000],
    ['Swimmer-v5', 8, 2, 0.04, 1, 1000],
    ['Reacher-v5', 10, 2, 0.02, 1, 50],
  ] as const;
  for (const [id, obs, act, dt, hi, limit] of cases) {
    const env = make(id);
    t.same(env.observationSpace.kind === 'box' && env.observationSpace.shape, [obs], `${id} obs dim`);
    t.same(env.actionSpace.kind === 'box' && [Array.from(env.actionSpace.low), Array.from(env.actionSpace.high)], [Array(act).fill(Math.fround(-hi)), Array(act).fill(Math.fround(hi))], `${id} action box`);
    const r = env.reset({ seed: 0 });
    t.equal(r.obs.length, obs);
    let steps = 0;
    let s;
    do {
      s = env.step(new Float64Array(act));
      steps++;
    } while (!s.terminated && !s.truncated && steps < 2000);
    if (['HalfCheetah-v5', 'Swimmer-v5', 'Reacher-v5'].includes(id)) t.ok(steps === limit && s.truncated && !s.terminated, `${id} never terminates, truncates at ${limit}`);
    else t.ok(s.terminated || steps === limit, `${id} ends by termination or at ${limit}`);
    env.close?.();
    const raw = new classes[id]();
    t.ok(Math.abs(raw.dt - dt) < 1e-12, `${id} dt = ${raw.dt}`);
    raw.close();
  }
});

/** Put a Hopper/Walker in a chosen configuration (qvel 0). */
function place(env: HopperV5 | Walker2dV5, qpos: number[]): void {
  const st = env.getState() as GymMujocoState;
  env.setState({ ...st, sim: { ...st.sim, qpos, qvel: st.sim.qvel.map(() => 0) } });
}

t.test('health boundaries are strict inequalities', async (t) => {
  const h = new HopperV5();
  h.reset({ seed: 1 });
  const base = [0, 1.25, 0, 0, 0, 0];
  place(h, base);
  t.equal(h.isHealthy(), true);
  place(h, [0, 0.7, 0, 0, 0, 0]);
  t.equal(h.isHealthy(), false, 'z = 0.7 exactly is unhealthy');
  place(h, [0, 0.7 + 1e-9, 0, 0, 0, 0]);
  t.equal(h.isHealthy(), true);
  place(h, [0, 1.25, 0.2, 0, 0, 0]);
  t.equal(h.isHealthy(), false, 'angle = 0.2 exactly is unhealthy');
  place(h, [0, 1.25, -0.2 + 1e-9, 0, 0, 0]);
  t.equal(h.isHealthy(), true);
  place(h, [0, 1.25, 0, 100, 0, 0]);
  t.equal(h.isHealthy(), false, 'state_vector[2:] entry = 100 is unhealthy');
  h.close();
  const w = new Walker2dV5();
  w.reset({ seed: 1 });
  const wq = (z: number, a: number) => [0, z, a, 0, 0, 0, 0, 0, 0];
  place(w, wq(2.0, 0));
  t.equal(w.isHealthy(), false, 'walker z = 2.0 unhealthy');
  place(w, wq(1.999, 0));
  t.equal(w.isHealthy(), true);
  place(w, wq(1.25, -1));
  t.equal(w.isHealthy(), false, 'walker angle = −1 unhealthy');
  place(w, wq(0.8, 0));
  t.equal(w.isHealthy(), false, 'walker z = 0.8 unhealthy');
  w.close();
});

t.test('reward decomposition: forward velocity, survive bonus and control cost on the raw action', async (t) => {
  const h = new HopperV5();
  h.reset({ seed: 2 });
  place(h, [0.3, 1.25, 0, 0, 0, 0]);
  const a = [2.0, -0.5, 0.25]; // 2.0 is outside ctrlrange: MuJoCo clamps the force, the cost uses 2.0
  const x0 = (h.getState() as GymMujocoState).sim.qpos[0]!;
  const r = h.step(a);
  const x1 = r.info['x_position'] as number;
  const ctrl = 1e-3 * (4 + 0.25 + 0.0625);
  t.ok(Math.abs((r.info['reward_ctrl'] as number) + ctrl) < 1e-15, 'ctrl cost = 1e-3·Σa² on the unclipped action');
  t.ok(Math.abs((r.info['x_velocity'] as number) - (x1 - x0) / 0.008) < 1e-12);
  t.equal(r.info['reward_survive'], 1);
  t.ok(Math.abs(r.reward - ((x1 - x0) / 0.008 + 1 - ctrl)) < 1e-12, `reward ${r.reward}`);
  t.equal(r.terminated, false);
  // the same step with the action clipped to the range gives the same physics
  const h2 = new HopperV5();
  h2.reset({ seed: 2 });
  place(h2, [0.3, 1.25, 0, 0, 0, 0]);
  const r2 = h2.step([1.0, -0.5, 0.25]);
  t.same(Array.from(r2.obs), Array.from(r.obs), 'MuJoCo clamps ctrl to ctrlrange');
  // an unhealthy step pays no survive bonus (v5) and terminates
  place(h, [0, 0.5, 0, 0, 0, 0]);
  const r3 = h.step([0, 0, 0]);
  t.equal(r3.terminated, true);
  t.equal(r3.info['reward_survive'], 0);
  h.close();
  h2.close();
  const c = new HalfCheetahV5();
  c.reset({ seed: 3 });
  const rc = c.step([1, 1, 1, 1, 1, 1]);
  t.ok(Math.abs((rc.info['reward_ctrl'] as number) + 0.6) < 1e-12, 'cheetah ctrl cost 0.1·Σa²');
  t.ok(Math.abs(rc.reward - ((rc.info['reward_forward'] as number) - 0.6)) < 1e-12);
  c.close();
});

t.test('reset noise: seeded, reproducible, with the task’s distribution', async (t) => {
  const a = new HopperV5();
  const b = new HopperV5();
  t.same(Array.from(a.reset({ seed: 5 }).obs), Array.from(b.reset({ seed: 5 }).obs));
  let maxDev = 0;
  for (let i = 0; i < 300; i++) {
    a.reset();
    const q = (a.getState() as GymMujocoState).sim.qpos;
    maxDev = Math.max(maxDev, Math.abs(q[1]! - 1.25), ...q.filter((_, k) => k !== 1).map(Math.abs));
  }
  t.ok(maxDev <= 5e-3 && maxDev > 4.5e-3, `Hopper qpos noise within ±5e-3 (max ${maxDev})`);
  a.close();
  b.close();
  const c = new HalfCheetahV5();
  c.reset({ seed: 1 });
  const vs: number[] = [];
  let qMax = 0;
  for (let i = 0; i < 300; i++) {
    c.reset();
    const st = (c.getState() as GymMujocoState).sim;
    vs.push(...st.qvel);
    qMax = Math.max(qMax, ...st.qpos.map(Math.abs));
  }
  const sd = Math.sqrt(vs.reduce((s, v) => s + v * v, 0) / vs.length);
  t.ok(Math.abs(sd - 0.1) < 0.01, `HalfCheetah qvel ~ 0.1·N(0,1): sd ${sd}`);
  t.ok(qMax <= 0.1 && qMax > 0.09, `HalfCheetah qpos U(±0.1): max ${qMax}`);
  c.close();
});

t.test('state snapshots restore the simulation exactly (warm start included)', async (t) => {
  const env = new HopperV5();
  env.reset({ seed: 7 });
  const act = (k: number) => [Math.sin(k), Math.cos(k), 0.3];
  for (let k = 0; k < 30; k++) env.step(act(k));
  const snap = JSON.parse(JSON.stringify(env.getState()));
  const first = Array.from({ length: 40 }, (_, k) => Array.from(env.step(act(100 + k)).obs));
  env.setState(snap);
  const second = Array.from({ length: 40 }, (_, k) => Array.from(env.step(act(100 + k)).obs));
  t.same(second, first);
  env.close();
});

t.test('closing envs frees WASM memory (400 Hopper sims would exceed the 2 GiB heap if leaked)', async (t) => {
  for (let i = 0; i < 400; i++) {
    const e = new HopperV5();
    e.reset({ seed: i });
    e.step([0.1, 0.1, 0.1]);
    e.close();
  }
  t.pass('created and closed 400 Hopper-v5 envs');
});

t.test('InvertedPendulum and InvertedDoublePendulum: termination and reward terms', async (t) => {
  const ip = new InvertedPendulumV5();
  ip.reset({ seed: 0 });
  const st = ip.getState() as GymMujocoState;
  ip.setState({ ...st, sim: { ...st.sim, qpos: [0, 0.19], qvel: [0, 0] } });
  const r = ip.step([0]);
  t.equal(r.terminated, (ip.getState() as GymMujocoState).sim.qpos[1]! > 0.2);
  ip.setState({ ...st, sim: { ...st.sim, qpos: [0, 0.5], qvel: [0, 0] } });
  const r2 = ip.step([0]);
  t.equal(r2.terminated, true);
  t.equal(r2.reward, 0, 'v5 pays 0 on the terminating step');
  ip.close();
  const idp = new InvertedDoublePendulumV5();
  idp.reset({ seed: 0 });
  const s0 = idp.getState() as GymMujocoState;
  idp.setState({ ...s0, sim: { ...s0.sim, qpos: [0, 0, 0], qvel: [0, 0, 0] } });
  t.same(Array.from(idp['sim'].data.site_xpos as Float64Array).map((v) => +v.toFixed(12)), [0, 0, 1.2], 'tip at z = 1.2 when upright');
  const r3 = idp.step([0]);
  const site = Array.from(idp['sim'].data.site_xpos as Float64Array);
  const v = (idp.getState() as GymMujocoState).sim.qvel;
  const want = 10 - (0.01 * site[0]! ** 2 + (site[2]! - 2) ** 2) - (1e-3 * v[1]! ** 2 + 5e-3 * v[2]! ** 2);
  t.ok(Math.abs(r3.reward - want) < 1e-12, `IDP reward ${r3.reward} vs ${want}`);
  t.equal(r3.obs.length, 9);
  idp.setState({ ...s0, sim: { ...s0.sim, qpos: [0, 1.5, 0], qvel: [0, 0, 0] } });
  t.equal(idp.step([0]).terminated, true, 'fallen pole: y ≤ 1 terminates');
  idp.close();
});

t.test('Reacher: goal inside the 0.2 disc, target at rest, distance and control reward after the step', async (t) => {
  const env = new ReacherV5();
  env.reset({ seed: 3 });
  for (let i = 0; i < 200; i++) {
    const o = env.reset().obs;
    const st = (env.getState() as GymMujocoState).sim;
    t.ok(Math.hypot(st.qpos[2]!, st.qpos[3]!) < 0.2 && st.qvel[2] === 0 && st.qvel[3] === 0, 'goal and target velocity');
    if (i === 0) t.same([o[4], o[5]], [Math.fround(st.qpos[2]!), Math.fround(st.qpos[3]!)], 'obs[4:6] is the target position');
  }
  const r = env.step([0.5, -0.5]);
  const dist = Math.hypot(r.obs[8]!, r.obs[9]!);
  t.ok(Math.abs((r.info['reward_dist'] as number) + dist) < 1e-6, 'reward_dist = −‖fingertip − target‖ (z difference 0)');
  t.ok(Math.abs((r.info['reward_ctrl'] as number) + 0.5) < 1e-12);
  env.close();
  const sw = new SwimmerV5();
  sw.reset({ seed: 1 });
  const rs = sw.step([1, -1]);
  t.ok(Math.abs(rs.reward - ((rs.info['x_velocity'] as number) - 2e-4)) < 1e-12, 'swimmer reward = vx − 1e-4·Σa²');
  sw.close();
});

t.test('Ant and Humanoid: reward terms add up, health bounds, contact observations, exact snapshots', async (t) => {
  const ant = new AntV5();
  ant.reset({ seed: 4 });
  let r = ant.step(new Float64Array(8).fill(0.3));
  for (let i = 0; i < 10; i++) r = ant.step(new Float64Array(8).fill(0.3));
  const i = r.info as Record<string, number>;
  t.ok(Math.abs(r.reward - (i['reward_forward']! + i['reward_survive']! + i['reward_ctrl']! + i['reward_contact']!)) < 1e-12, 'Ant reward = forward + survive + ctrl + contact terms');
  t.ok(Math.abs(i['reward_ctrl']! + 0.5 * 8 * 0.09) < 1e-12, 'Ant ctrl cost 0.5·Σa²');
  t.ok(r.obs.subarray(27).every((v) => v >= -1 && v <= 1), 'cfrc_ext part of the obs is clipped to ±1');
  const st = ant.getState() as GymMujocoState;
  const q = (z: number) => [0, 0, z, 1, 0, 0, 0, 0, 0.8, 0, -0.8, 0, -0.8, 0, 0.8];
  for (const [z, ok] of [[1.0, true], [1.0 + 1e-9, false], [0.2, true], [0.2 - 1e-9, false]] as const) {
    ant.setState({ ...st, sim: { ...st.sim, qpos: q(z) } });
    t.equal(ant.isHealthy(), ok, `Ant z = ${z} healthy: ${ok} (inclusive bounds)`);
  }
  ant.setState(JSON.parse(JSON.stringify(st)));
  const a1 = Array.from({ length: 5 }, () => ant.step(new Float64Array(8).fill(-0.2)).reward);
  ant.setState(JSON.parse(JSON.stringify(st)));
  const a2 = Array.from({ length: 5 }, () => ant.step(new Float64Array(8).fill(-0.2)).reward);
  t.same(a2, a1, 'Ant continues exactly after a restore (stale pre-step position kept in the state)');
  ant.close();

  const hum = new HumanoidV5();
  hum.reset({ seed: 4 });
  const rh = hum.step(new Float64Array(17).fill(0.5)); // beyond ctrlrange 0.4: the cost uses data.ctrl = the raw action
  const h = rh.info as Record<string, number>;
  t.ok(Math.abs(h['reward_ctrl']! + 0.1 * 17 * 0.25) < 1e-12, 'Humanoid ctrl cost 0.1·Σctrl² on the raw action');
  t.ok(Math.abs(rh.reward - (h['reward_forward']! + h['reward_survive']! + h['reward_ctrl']! + h['reward_contact']!)) < 1e-12);
  t.ok(h['reward_contact']! <= 0 && h['reward_contact']! >= -10, 'contact cost clipped at 10');
  t.equal(rh.obs.length, 348);
  const hs = hum.getState() as GymMujocoState;
  const hq = (z: number) => hs.sim.qpos.map((v, k) => (k === 2 ? z : v));
  for (const [z, ok] of [[2.0, false], [1.0, false], [1.5, true]] as const) {
    hum.setState({ ...hs, sim: { ...hs.sim, qpos: hq(z) } });
    t.equal(hum.isHealthy(), ok, `Humanoid z = ${z} healthy: ${ok} (strict)`);
  }
  hum.close();
});

t.test('no WASM heap growth over many steps, resets, snapshots and env lifetimes', async (t) => {
  const heap = (e: HopperV5) => (e['sim'].qpos.buffer as ArrayBuffer).byteLength;
  const env = new HopperV5();
  env.reset({ seed: 0 });
  for (let i = 0; i < 1000; i++) if (env.step([0.1, -0.1, 0.2]).terminated) env.reset();
  const before = heap(env);
  const rng = [0.3, -0.7, 0.5];
  for (let i = 0; i < 50_000; i++) {
    const r = env.step(rng.map((v, k) => Math.sin(i * 0.01 + k) * v));
    if (r.terminated || i % 997 === 0) env.reset();
    if (i % 5000 === 0) env.setState(env.getState());
  }
  t.equal(heap(env), before, `heap stays at ${before} bytes over 50k env steps (200k physics steps)`);
  for (let i = 0; i < 50; i++) new HopperV5().close();
  t.equal(heap(env), before, 'creating and closing envs reuses the freed memory');
  env.close();
});

t.test('the loader is swappable: @mujoco/mujoco (3.14) runs the same env code through the runtime module', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const script = `
    const rt = await import('./dist/envs/mujoco/runtime.js');
    const { HopperV5 } = await import('./dist/envs/mujoco/gymnasium/hopper-v5.js');
    await rt.initMujoco();
    const env = new HopperV5();
    const r = env.reset({ seed: 1 });
    const s = env.step([0.1, 0.2, 0.3]);
    env.close();
    console.log(JSON.stringify({ loader: rt.mujocoLoader(), version: rt.mujocoVersion(), obs: r.obs.length, reward: s.reward }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, PGVAR_MUJOCO_LOADER: '@mujoco/mujoco' }, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  t.equal(out.loader, '@mujoco/mujoco');
  t.equal(out.version, '3.14.0');
  t.equal(out.obs, 11);
  t.ok(Number.isFinite(out.reward));
  const bad = spawnSync(process.execPath, ['--input-type=module', '-e', "const rt = await import('./dist/envs/mujoco/runtime.js'); await rt.initMujoco();"], { env: { ...process.env, PGVAR_MUJOCO_LOADER: 'mujoco-9000' }, encoding: 'utf8' });
  t.match(bad.stderr, /unknown MuJoCo loader 'mujoco-9000'; expected one of mujoco-js, @mujoco\/mujoco/);
});
