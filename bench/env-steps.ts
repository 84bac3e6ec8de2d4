/**
 * Environment steps per second: single env and synchronous vector envs of 4 and 8, uniformly random
 * actions, each measurement run for about `seconds` of wall time.
 */
import { Rng } from '../common/rng.js';
import type { Env } from '../envs/env.js';
import { make } from '../envs/registry.js';
import { sample } from '../envs/spaces.js';
import { SyncVectorEnv } from '../envs/vector.js';
import { MjSim } from '../envs/mujoco/runtime.js';

function timed(seconds: number, stepBatch: () => number): number {
  let steps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    for (let i = 0; i < 100; i++) steps += stepBatch();
    elapsed = performance.now() - t0;
  }
  return Math.round(steps / (elapsed / 1000));
}

export function benchEnvSteps(envId: string, seconds = 1.5): Record<string, number> {
  const rng = new Rng(0);
  const env = make(envId);
  env.reset({ seed: 0 });
  const discrete = env.actionSpace.kind === 'discrete';
  const act = (e: Env) => (discrete ? sample(e.actionSpace, rng)[0]! : sample(e.actionSpace, rng));
  const out: Record<string, number> = {
    single_env_sps: timed(seconds, () => {
      const r = env.step(act(env));
      if (r.terminated || r.truncated) env.reset();
      return 1;
    }),
  };
  env.close?.();
  for (const n of [4, 8]) {
    const v = new SyncVectorEnv(Array.from({ length: n }, () => make(envId)));
    v.reset({ seed: 0 });
    out[`vector_${n}_sps`] = timed(seconds, () => {
      v.step(v.envs.map(act));
      return n;
    });
    v.close();
  }
  return out;
}

/** Raw `mj_step` calls per second on a model (no env logic), zero control. */
export function benchPhysics(xml: string, name: string, seconds = 1.5): number {
  const sim = new MjSim(xml, name);
  sim.resetData();
  sim.forward();
  const mj = sim.mj;
  const sps = timed(seconds, () => {
    mj.mj_step(sim.model, sim.data);
    return 1;
  });
  sim.free();
  return sps;
}
