/** Environment steps per second: single env and synchronous vector envs, uniformly random actions. */
import { Rng } from '../common/rng.js';
import { make } from '../envs/registry.js';
import { sample } from '../envs/spaces.js';
import { SyncVectorEnv } from '../envs/vector.js';

export function benchEnvSteps(envId: string, steps = 200_000): Record<string, number> {
  const rng = new Rng(0);
  const env = make(envId);
  env.reset({ seed: 0 });
  const discrete = env.actionSpace.kind === 'discrete';
  const act = () => (discrete ? sample(env.actionSpace, rng)[0]! : sample(env.actionSpace, rng));
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const r = env.step(act());
    if (r.terminated || r.truncated) env.reset();
  }
  const single = steps / ((performance.now() - t0) / 1000);
  const out: Record<string, number> = { single_env_sps: Math.round(single) };
  for (const n of [4, 8]) {
    const v = new SyncVectorEnv(Array.from({ length: n }, () => make(envId)));
    v.reset({ seed: 0 });
    const iters = Math.ceil(steps / n);
    t0 = performance.now();
    for (let i = 0; i < iters; i++) v.step(Array.from({ length: n }, act));
    out[`vector_${n}_sps`] = Math.round((iters * n) / ((performance.now() - t0) / 1000));
  }
  return out;
}
