// checkEnv / `pgvar check-env` (issue 19): registered envs pass; deliberately broken envs fail with
// the check's one-line message.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { box, checkEnv, discrete, envSpec, makeEnv, prepareEnv, Rng, type Action, type Env, type ResetOptions, type Space } from '../index.js';
import { cli, cliInProcess, tmpDir } from './helpers.js';

/** A small correct env (1-D walk); subclasses break one thing each. */
class Walk implements Env {
  readonly id: string = 'test/Walk-v0';
  observationSpace: Space = box(-10, 10, [2]);
  actionSpace: Space = discrete(2);
  protected rng = new Rng(0);
  protected x = 0;
  protected t = 0;
  reset(o: ResetOptions = {}) {
    if (o.seed !== undefined) this.rng.seed(o.seed);
    this.x = this.rng.uniform(-1, 1);
    this.t = 0;
    return { obs: this.obs(), info: {} };
  }
  step(a: Action) {
    this.x += (a === 1 ? 0.1 : -0.1) + this.rng.uniform(-0.01, 0.01);
    this.t += 1;
    return { obs: this.obs(), reward: -Math.abs(this.x), terminated: Math.abs(this.x) > 2, truncated: this.t >= 30, info: {} };
  }
  protected obs(): Float32Array {
    return Float32Array.of(this.x, this.t / 10);
  }
  getState(): unknown {
    return { x: this.x, t: this.t, rng: this.rng.getState() };
  }
  setState(s: unknown): void {
    const st = s as { x: number; t: number; rng: [number, number, number, number] };
    this.x = st.x;
    this.t = st.t;
    this.rng.setState(st.rng);
  }
}

const failed = (env: Env, factory?: () => Env) => {
  const r = checkEnv(env, { factory });
  return { ok: r.ok, failed: r.checks.filter((c) => c.status === 'failed').map((c) => c.message), skipped: r.checks.filter((c) => c.status === 'skipped').map((c) => c.name) };
};

t.test('fast registered envs pass every check, also on fresh instances', async (t) => {
  for (const id of ['CartPole-v1', 'Pendulum-v1', 'pgvar/GaussianBandit-v0', 'Hopper-v5', 'InvertedPendulum-v5']) {
    await prepareEnv(id);
    const spec = envSpec(id);
    const env = spec.create();
    const r = checkEnv(env, { factory: spec.create, steps: 100 });
    env.close?.();
    t.ok(r.ok, `${id}: ${r.checks.filter((c) => c.status !== 'ok').map((c) => c.message).join('; ')}`);
    t.same(r.checks.map((c) => c.status), ['ok', 'ok', 'ok', 'ok', 'ok'], id);
  }
  const wrapped = makeEnv('CartPole-v1');
  t.ok(checkEnv(wrapped).ok, 'the wrapped env (NanGuard, TimeLimit) passes too');
  t.ok(checkEnv(new Walk(), { factory: () => new Walk() }).ok, 'the test env is correct');
});

t.test('broken envs fail the right check with a clear message', async (t) => {
  class WrongDtype extends Walk {
    protected override obs(): Float32Array {
      return Float64Array.of(this.x, this.t / 10) as unknown as Float32Array;
    }
  }
  let r = failed(new WrongDtype());
  t.notOk(r.ok);
  t.same(r.failed, ['reset: observation is Float64Array, expected a Float32Array of length 2']);
  t.same(r.skipped, ['step', 'determinism', 'snapshot']);

  class WrongLength extends Walk {
    protected override obs(): Float32Array {
      return Float32Array.of(this.x);
    }
  }
  t.same(failed(new WrongLength()).failed, ["reset: observation has length 1, expected 2 (the observation space's flat size)"]);

  class NaNAfter3 extends Walk {
    protected override obs(): Float32Array {
      return Float32Array.of(this.x, this.t >= 3 ? NaN : this.t / 10);
    }
  }
  t.same(failed(new NaNAfter3()).failed, ['step 3: observation[1] = NaN, expected a finite number']);

  class InfReward extends Walk {
    override step(a: Action) {
      return { ...super.step(a), reward: Infinity };
    }
  }
  t.same(failed(new InfReward()).failed, ['step 1: reward = Infinity, expected a finite number']);

  class OutOfBounds extends Walk {
    override observationSpace = box(-10, 0.05, [2]);
  }
  t.match(failed(new OutOfBounds()).failed[0], /^(reset|step \d+): observation\[1\] = [\d.]+ is outside the observation space's bounds \[-10, 0\.05\]$/);

  class StringFlags extends Walk {
    override step(a: Action) {
      return { ...super.step(a), terminated: 0 as unknown as boolean };
    }
  }
  t.same(failed(new StringFlags()).failed, ['step 1: terminated is number 0, expected a boolean']);

  class NoInfo extends Walk {
    override reset(o: ResetOptions = {}) {
      return { obs: super.reset(o).obs } as never;
    }
  }
  t.same(failed(new NoInfo()).failed, ['reset: reset({seed: 0}) returned Object, expected {obs, info}']);

  class BadSpace extends Walk {
    override observationSpace = { ...box(-1, 1, [2]), low: Float64Array.of(2, 0) };
  }
  t.same(failed(new BadSpace()).failed, ['spaces: observation space Box low[0] = 2 > high[0] = 1']);
  t.same(failed(new BadSpace()).skipped, ['reset', 'step', 'determinism', 'snapshot']);

  class BadDiscrete extends Walk {
    override actionSpace = { kind: 'discrete', n: 0, start: 0 } as Space;
  }
  t.same(failed(new BadDiscrete()).failed, ['spaces: action space Discrete n = 0, expected a positive integer']);

  class Unseeded extends Walk {
    override reset(o: ResetOptions = {}) {
      this.rng.seed(Math.random() * 1e9); // ignores the seed
      return super.reset({ ...o, seed: undefined });
    }
  }
  r = failed(new Unseeded());
  t.same(r.failed.length, 1);
  t.match(r.failed[0], /^determinism: reset\(\{seed: 0\}\) twice gave different observations \(observation\[0\] \S+ vs \S+\): the env must seed all its randomness from reset's seed$/);

  class NoisySteps extends Walk {
    override step(a: Action) {
      const s = super.step(a);
      s.obs[0] = s.obs[0]! + Math.random() * 1e-3; // transitions use an unseeded source
      return s;
    }
  }
  t.match(failed(new NoisySteps()).failed, [/^determinism: the same seed and actions gave different transitions \(step 1: observation\[0\] /]);

  let created = 0; // the first observation depends on how many instances exist: each alone is deterministic
  class SharedState extends Walk {
    private readonly k = created++;
    override reset(o: ResetOptions = {}) {
      const r = super.reset(o);
      r.obs[1] = this.k;
      return r;
    }
  }
  t.same(failed(new SharedState()).failed, [], 'one instance cannot tell');
  t.match(failed(new SharedState(), () => new SharedState()).failed, [/^determinism: a fresh instance reset with seed 0 gave a different observation \(observation\[1\] 1 vs 2\): randomness shared between instances or not seeded by reset$/]);

  class ForgetfulSnapshot extends Walk {
    override getState(): unknown {
      return { x: this.x, t: this.t }; // no RNG state
    }
    override setState(s: unknown): void {
      const st = s as { x: number; t: number };
      this.x = st.x;
      this.t = st.t;
    }
  }
  t.match(failed(new ForgetfulSnapshot()).failed, [/^snapshot: setState\(getState\(\)\) then the same actions gave different transitions \(step 1: observation\[0\] .*\): the state misses something/]);

  class NoSnapshot extends Walk {}
  const plain = new NoSnapshot() as Partial<Env>;
  Object.defineProperty(plain, 'getState', { value: undefined });
  const ns = checkEnv(plain as Env);
  t.ok(ns.ok);
  t.same(ns.checks.map((c) => c.status), ['ok', 'ok', 'ok', 'ok', 'skipped'], 'an env without getState/setState skips the snapshot check');
});

t.test('pgvar check-env: one line per check, exit code 1 on failure, 2 for an unknown id', async (t) => {
  // in this process (runCli, what bin/pgvar.js runs; cli.test.ts compares the two), but for the plug-in:
  // a .js file outside the package does not load in tap's process (its TypeScript loader), so that one spawns
  const ok = await cliInProcess(['check-env', 'CartPole-v1', 'Pendulum-v1']);
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /^ok {6}CartPole-v1 determinism: /m);
  t.match(ok.stdout, /^Pendulum-v1: all checks passed$/m);
  const dir = tmpDir('pgvar-check-env-');
  const plugin = path.join(dir, 'broken.js');
  fs.writeFileSync(
    plugin,
    `export default (p) => p.registerEnv({ id: 'test/Unseeded-v0', family: 'classic', create: () => ({
      id: 'test/Unseeded-v0', observationSpace: p.box(-1, 1, [1]), actionSpace: p.discrete(2),
      reset() { return { obs: Float32Array.of(Math.random()), info: {} }; },
      step() { return { obs: Float32Array.of(Math.random()), reward: 0, terminated: false, truncated: false, info: {} }; },
    }) });\n`,
  );
  const bad = cli(['check-env', '--plugin', plugin, 'test/Unseeded-v0']);
  t.equal(bad.status, 1);
  t.match(bad.stdout, /^FAILED {2}determinism: reset\(\{seed: 0\}\) twice gave different observations/m);
  t.match(bad.stdout, /^skipped snapshot: skipped \(the env has no getState\/setState\)$/m);
  t.match(bad.stdout, /^test\/Unseeded-v0: 1 check failed$/m);
  const json = cli(['check-env', '--json', '--plugin', plugin, 'test/Unseeded-v0']);
  t.equal(json.status, 1);
  t.equal(JSON.parse(json.stdout)[0].ok, false);
  const unknown = await cliInProcess(['check-env', 'NoSuchEnv-v0']);
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /^pgvar: error: unknown environment id 'NoSuchEnv-v0'\. Valid ids: /);
});
