import t from 'tap';
import { CartPoleEnv, THETA_THRESHOLD_RADIANS } from '../envs/classic/cartpole.js';
import { make } from '../envs/registry.js';

/** One Euler step of Gymnasium's CartPole, computed by hand from the published equations. */
function handStep(s: number[], action: number): number[] {
  const [x, xd, th, thd] = s as [number, number, number, number];
  const f = action === 1 ? 10 : -10;
  const temp = (f + 0.05 * thd * thd * Math.sin(th)) / 1.1;
  const thacc = (9.8 * Math.sin(th) - Math.cos(th) * temp) / (0.5 * (4 / 3 - (0.1 * Math.cos(th) ** 2) / 1.1));
  const xacc = temp - (0.05 * thacc * Math.cos(th)) / 1.1;
  return [x + 0.02 * xd, xd + 0.02 * xacc, th + 0.02 * thd, thd + 0.02 * thacc];
}

t.test('one step from a known state matches the hand-computed Euler step', async (t) => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  const s0 = [0.01, -0.02, 0.03, 0.04];
  env.setState({ state: s0, stepsBeyondTerminated: null, rng: [1, 2, 3, 4] });
  const r = env.step(1);
  const want = handStep(s0, 1);
  // float32 observation of the float64 state
  t.same(Array.from(r.obs), want.map(Math.fround));
  t.equal(r.reward, 1);
  t.equal(r.terminated, false);
  // a concrete number worked out by hand: θ̈ = (9.8 sin .03 − cos .03·(10 + .05·.0016 sin .03)/1.1) / (0.5(4/3 − .1 cos² .03/1.1))
  const temp = (10 + 0.05 * 0.0016 * Math.sin(0.03)) / 1.1;
  t.ok(Math.abs(want[3]! - (0.04 + 0.02 * ((9.8 * Math.sin(0.03) - Math.cos(0.03) * temp) / (0.5 * (4 / 3 - (0.1 * Math.cos(0.03) ** 2) / 1.1))))) < 1e-15);
  t.ok(Math.abs(want[3]! - -0.24307) < 1e-5, `θ̇' ≈ 0.04 + 0.02·(−8.79286/0.62125) = −0.24307, got ${want[3]}`);
  // the state stays float64
  const s1 = (env.getState() as { state: number[] }).state;
  t.same(s1, want);
});

t.test('termination thresholds are strict and the terminating step still pays +1', async (t) => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  // x moves by τ·ẋ: land exactly on 2.4 → not terminated (strict inequality)
  env.setState({ state: [2.4 - 0.02 * 1.0, 1.0, 0, 0], stepsBeyondTerminated: null, rng: [1, 2, 3, 4] });
  let r = env.step(0);
  const x = (env.getState() as { state: number[] }).state[0]!;
  t.equal(r.terminated, x > 2.4, `x = ${x}`);
  env.setState({ state: [2.39, 1.0, 0, 0], stepsBeyondTerminated: null, rng: [1, 2, 3, 4] });
  r = env.step(0);
  t.equal(r.terminated, true);
  t.equal(r.reward, 1, 'reward on the terminating step');
  r = env.step(0);
  t.equal(r.reward, 0, 'stepping past termination pays 0, as Gymnasium');
  env.setState({ state: [0, 0, THETA_THRESHOLD_RADIANS + 1e-6, 0], stepsBeyondTerminated: null, rng: [1, 2, 3, 4] });
  t.equal(env.step(1).terminated, true, 'angle beyond 12°');
  t.ok(Math.abs(THETA_THRESHOLD_RADIANS - 0.20943951) < 1e-8);
});

t.test('reset is U(±0.05), seeded and reproducible', async (t) => {
  const a = new CartPoleEnv();
  const b = new CartPoleEnv();
  const ra = a.reset({ seed: 42 }).obs;
  const rb = b.reset({ seed: 42 }).obs;
  t.same(Array.from(ra), Array.from(rb));
  t.notSame(Array.from(a.reset().obs), Array.from(ra), 'later resets continue the stream');
  const c = new CartPoleEnv();
  c.reset({ seed: 1 });
  let max = 0;
  for (let i = 0; i < 2000; i++) for (const v of c.reset().obs) max = Math.max(max, Math.abs(v));
  t.ok(max <= 0.05 && max > 0.049, `max |s0| = ${max}`);
});

t.test('CartPole-v1 truncates at 500 steps and rejects invalid actions', async (t) => {
  const env = make('CartPole-v1');
  env.reset({ seed: 3 });
  // keep the pole up by pushing toward the side it leans
  let steps = 0;
  let r;
  let obs = env.reset({ seed: 3 }).obs;
  do {
    r = env.step(obs[2]! + 0.5 * obs[3]! > 0 ? 1 : 0);
    obs = r.obs;
    steps += 1;
  } while (!r.terminated && !r.truncated);
  t.equal(steps, 500);
  t.equal(r.truncated, true);
  t.equal(r.terminated, false);
  t.throws(() => env.step(2), /action must be 0 or 1/);
});
