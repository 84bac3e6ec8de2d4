/**
 * The MuJoCo loader in this process (see envs/mujoco/runtime.ts): version, module load time, raw
 * physics steps/s on Hopper and Humanoid, Hopper-v5 env steps/s, and the Hopper golden trajectory
 * (spec mujoco-models.md §10) to show whether the build reproduces MuJoCo 3.3.8.
 */
import { initMujoco, mujocoLoader, mujocoVersion, MjSim } from '../envs/mujoco/runtime.js';
import { HOPPER_XML } from '../envs/mujoco/models/hopper.js';
import { HUMANOID_XML } from '../envs/mujoco/models/humanoid.js';
import { benchEnvSteps, benchPhysics } from './env-steps.js';

export const HOPPER_GOLDEN = [-0.048637, 1.198547, -0.220482, -0.119715, -0.169783, 0.03189];

export async function benchMujocoLoader(): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  await initMujoco();
  const loadMs = performance.now() - t0;
  const sim = new MjSim(HOPPER_XML, 'hopper');
  sim.resetData();
  sim.forward();
  for (let t = 0; t < 20; t++) sim.step(Array.from({ length: 3 }, (_, i) => 0.5 * Math.sin(0.3 * t + i)), 4);
  const qpos = Array.from(sim.qpos).map((v) => +v.toFixed(6));
  sim.free();
  return {
    loader: mujocoLoader(),
    mujoco_version: mujocoVersion(),
    module_load_ms: Math.round(loadMs),
    physics_steps_per_s: { Hopper: benchPhysics(HOPPER_XML, 'hopper'), Humanoid: benchPhysics(HUMANOID_XML, 'humanoid') },
    hopper_v5_env_steps_per_s: benchEnvSteps('Hopper-v5').single_env_sps,
    hopper_golden_qpos: qpos,
    hopper_golden_max_abs_error: Math.max(...qpos.map((v, i) => Math.abs(v - HOPPER_GOLDEN[i]!))),
  };
}
