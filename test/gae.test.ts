import t from 'tap';
import { computeGae } from '../ppo/gae.js';

// Hand-worked: γ = 0.9, λ = 0.5, T = 4, two envs (time-major rows t·2 + i).
// env 0: t1 terminates, t3 is truncated with V(final obs) = 2.0.
// env 1: never done, V(s_T) = 1.
const input = (bootstrapTruncation: boolean) => ({
  numSteps: 4,
  numEnvs: 2,
  rewards: [1, 0, 1, 0, 2, 0, 1, 1],
  values: [0.5, 1, 0.6, 1, 0.7, 1, 0.8, 1],
  terminated: [0, 0, 1, 0, 0, 0, 0, 0],
  truncated: [0, 0, 0, 0, 0, 0, 1, 0],
  finalValues: [0, 0, 0, 0, 0, 0, 2.0, 0],
  nextValues: [9, 1],
  gamma: 0.9,
  lambda: 0.5,
  bootstrapTruncation,
});

const close = (t: { ok: (c: boolean, m: string) => void }, got: ArrayLike<number>, want: number[], msg: string) =>
  t.ok(
    want.every((w, i) => Math.abs(got[i]! - w) < 1e-6),
    `${msg}: got [${Array.from(got).map((v) => v.toFixed(6))}], want [${want}]`,
  );

t.test('GAE with termination and truncation (bootstrapped), worked by hand', async (t) => {
  const { advantages, returns } = computeGae(input(true));
  // env 0: A3 = 1 + .9·2 − .8 = 2.0; A2 = (2 + .9·.8 − .7) + .45·2.0 = 2.92; A1 = 1 − .6 = 0.4; A0 = (1 + .9·.6 − .5) + .45·.4 = 1.22
  // env 1: A3 = 1 + .9·1 − 1 = .9; A2 = −.1 + .45·.9 = .305; A1 = −.1 + .45·.305 = .03725; A0 = −.1 + .45·.03725 = −.0832375
  const env0 = [0, 2, 4, 6].map((k) => advantages[k]!);
  const env1 = [1, 3, 5, 7].map((k) => advantages[k]!);
  close(t, env0, [1.22, 0.4, 2.92, 2.0], 'env 0 advantages');
  close(t, env1, [-0.0832375, 0.03725, 0.305, 0.9], 'env 1 advantages');
  close(t, [returns[0]!, returns[6]!], [1.72, 2.8], 'returns = advantages + values');
});

t.test('CleanRL-compatible mode treats truncation as termination', async (t) => {
  const { advantages } = computeGae(input(false));
  // A3 = 1 − .8 = .2; A2 = 2.02 + .45·.2 = 2.11
  close(t, [advantages[6]!, advantages[4]!, advantages[2]!, advantages[0]!], [0.2, 2.11, 0.4, 1.22], 'env 0');
});
