/**
 * `npm run bench` — prints one JSON object with every benchmark. Flags: --backend auto|node|wasm|cpu,
 * --only env|update|sac|bro|fasttd3|brc|fasttd3-vector-env|replay|model|matmul|conv|e2e|loaders|estimators|estimators-paper|mujoco|pixel|async-env|variance, --e2e-steps N (default 51200), --pixel-steps N (default 2048), --pixel-estimator NAME,
 * --pixel-estimator-options JSON, --env-ids ID,ID (with --only env: just these envs), --learner-threads N (with --only pixel). `loaders` runs the `mujoco`
 * measurement once per MuJoCo loader, each in its own process (one WASM module per process).
 * `async-env` (issue 16: sync vs async vector env, random actions and PPO rollouts, alternating rounds): --async-cases ID:N,ID:N
 * (default CartPole-v1:8,Hopper-v5:4,dmc/cheetah-run:4), --async-rounds R (5), --async-seconds S (1), --async-layouts sync,async_w1,….
 * `fasttd3-vector-env` (issue 20: the fasttd3 cpu preset's loop, --vector-env sync vs async, alternating rounds): --async-rounds R (5).
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { initBackend, type BackendChoice } from '../nets/backend.js';
import { envIds, prepareAllEnvs } from '../envs/registry.js';
import { mujocoVersion } from '../envs/mujoco/runtime.js';
import { HOPPER_XML } from '../envs/mujoco/models/hopper.js';
import { HUMANOID_XML } from '../envs/mujoco/models/humanoid.js';
import { MUJOCO_LOADERS } from '../envs/mujoco/runtime.js';
import { benchEnvSteps, benchPhysics } from './env-steps.js';
import { benchMujocoLoader } from './mujoco-loader.js';
import { benchEstimatorCost, PAPER_CASE } from './estimator-cost.js';
import { benchPpoEndToEnd } from './ppo-e2e.js';
import { benchPolicyForward, benchPpoUpdate } from './ppo-update.js';
import { benchReplayCheckpoint } from './replay-checkpoint.js';
import { benchSacUpdate } from './sac-update.js';
import { benchBro } from './bro-update.js';
import { benchBrc } from './brc-update.js';
import { benchFastTd3 } from './fasttd3-update.js';
import { benchFastTd3VectorEnv } from './fasttd3-vector-env.js';
import { benchModelUpdate } from './model-update.js';
import { benchMatMulGradient } from './matmul-gradient.js';
import { benchConvGradient } from './conv-gradient.js';
import { benchAsyncEnv, DEFAULT_CASES } from './async-env.js';
import { benchVarianceThroughput } from './variance-throughput.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const only = arg('only', 'all');
const backend = await initBackend(arg('backend', 'auto') as BackendChoice).catch((e: Error) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exit(1);
});
const result: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? 'unknown', node: process.version, backend },
  date: new Date().toISOString(),
};
if (only === 'all' || only === 'env') {
  await prepareAllEnvs();
  const wanted = arg('env-ids', '');
  const ids = wanted ? wanted.split(',') : envIds().filter((id) => !id.startsWith('Test/'));
  const unknown = ids.filter((id) => !envIds().includes(id));
  if (unknown.length) throw new Error(`--env-ids: unknown env id(s) ${unknown.join(', ')} (see \`pgvar envs\`)`);
  result['env_steps'] = Object.fromEntries(ids.map((id) => [id, benchEnvSteps(id)]));
  result['mujoco'] = {
    version: mujocoVersion(),
    loader: 'mujoco-js 0.0.7',
    physics_steps_per_s: { Hopper: benchPhysics(HOPPER_XML, 'hopper'), Humanoid: benchPhysics(HUMANOID_XML, 'humanoid') },
  };
}
if (only === 'all' || only === 'update') {
  // alternate the engines, three rounds each: the machine is shared and noisy
  const rounds = (['wasm', 'tfjs', 'wasm', 'tfjs', 'wasm', 'tfjs'] as const).map((e) => benchPpoUpdate(e));
  const best = (e: string) => Math.min(...rounds.filter((r) => r['engine'] === e).map((r) => r['ms_per_minibatch_update'] as number));
  result['ppo_update_17_64_64_6_batch64'] = { rounds, best_ms_per_minibatch_update: { wasm: best('wasm'), tfjs: best('tfjs') } };
  result['policy_forward_one_env_17_64_64_6'] = [benchPolicyForward('wasm'), benchPolicyForward('tfjs')];
}
// the learner updates of shared/peers/cleanrl_update_bench.py's `sac` and `model` modes (--rounds N, default 5; --profile: SAC ms by phase)
const learnerRounds = Number(arg('rounds', '5'));
if (only === 'all' || only === 'sac') result['sac_update'] = benchSacUpdate(learnerRounds, 200, process.argv.includes('--profile'));
// issue 20: bro and bro-fast under the paper and cpu presets: ms per update and env steps/s on dmc/cheetah-run
if (only === 'all' || only === 'bro') result['bro'] = await benchBro('dmc/cheetah-run', Math.min(learnerRounds, 3));
// issue 20: fasttd3 under the paper (batch 4096: 32768 exceeds the wasm arena) and cpu presets: ms per update and env steps/s on dmc/cheetah-run
if (only === 'all' || only === 'fasttd3') result['fasttd3'] = await benchFastTd3('dmc/cheetah-run', Math.min(learnerRounds, 3));
// issue 20: brc under the paper (4096-wide critics exceed the wasm arena: timed at 1024) and cpu presets, single- and multi-task
if (only === 'all' || only === 'brc') result['brc'] = await benchBrc('dmc/cheetah-run', Math.min(learnerRounds, 3));
// issue 18: a 1M-transition Hopper-size replay checkpointed as append-only segments vs base64 JSON
if (only === 'all' || only === 'replay') result['replay_checkpoint'] = benchReplayCheckpoint();
if (only === 'all' || only === 'model') result['model_update'] = (['wasm', 'tfjs'] as const).map((e) => benchModelUpdate(e, learnerRounds));
if (only === 'all' || only === 'matmul') result['matmul_gradient'] = benchMatMulGradient();
// the variance lab's throughput (issue 17): `single` on CartPole-v1 at n = 2048, K = 16/64/125
if (only === 'all' || only === 'variance') result['variance_throughput'] = benchVarianceThroughput();
if (only === 'conv') result['conv_gradient_batch256'] = benchConvGradient();
if (only === 'all' || only === 'e2e') {
  const steps = Number(arg('e2e-steps', '51200'));
  await prepareAllEnvs();
  // both engines, alternated; Hopper-v5 with CleanRL's continuous defaults (one env, 2048 steps per iteration)
  result['ppo_end_to_end'] = Object.fromEntries(
    ['CartPole-v1', 'Hopper-v5'].map((id) => [id, (['wasm', 'tfjs'] as const).map((engine) => benchPpoEndToEnd(id, id === 'Hopper-v5' ? Math.max(2048, Math.round(steps / 2048) * 2048) : steps, 'single', {}, 1, engine))]),
  );
}
if (only === 'pixel') {
  // the pixel path: PPO with the Nature CNN on Pong-v0 frames (atari preset: 8 envs × 128 steps); 4 frames per step
  // --pixel-estimator wmpg --pixel-estimator-options '{"warmupSteps":0}' times the latent world model's share
  const steps = Number(arg('pixel-steps', '2048'));
  const estimator = arg('pixel-estimator', 'single');
  const r = benchPpoEndToEnd('Pong-v0', steps, estimator, JSON.parse(arg('pixel-estimator-options', '{}')) as Record<string, unknown>, Number(arg('learner-threads', '1')));
  result['ppo_pixel_pong'] = { estimator, ...r, frames_per_s: (r['sps'] as number) * 4, rollout_frames_per_s: (r['rollout_sps'] as number) * 4 };
}
if (only === 'async-env') {
  await prepareAllEnvs();
  const casesArg = arg('async-cases', '');
  const cases = casesArg
    ? casesArg.split(',').map((s) => {
        const [envId, n] = s.split(':');
        if (!envId || !envIds().includes(envId) || !Number.isInteger(Number(n)) || Number(n) < 1) throw new Error(`--async-cases: expected ID:N pairs such as Hopper-v5:4, got '${s}'`);
        return { envId, numEnvs: Number(n) };
      })
    : DEFAULT_CASES;
  const layouts = arg('async-layouts', '');
  result['async_vector_env'] = benchAsyncEnv(cases, { rounds: Number(arg('async-rounds', '5')), seconds: Number(arg('async-seconds', '1')), ...(layouts ? { layouts: layouts.split(',') } : {}) });
}
if (only === 'fasttd3-vector-env') result['fasttd3_vector_env'] = await benchFastTd3VectorEnv('dmc/cheetah-run', Number(arg('async-rounds', '5')));
if (only === 'mujoco') result['mujoco_loader'] = await benchMujocoLoader();
if (only === 'all' || only === 'estimators') {
  await prepareAllEnvs();
  result['estimator_cost_per_iteration_dmc_cheetah_run_ar4'] = benchEstimatorCost();
}
if (only === 'estimators-paper') {
  await prepareAllEnvs();
  result['estimator_cost_per_iteration_dmc_cheetah_run_ar4'] = benchEstimatorCost('dmc/cheetah-run', [PAPER_CASE]);
}
if (only === 'all' || only === 'loaders') {
  result['mujoco_loaders'] = MUJOCO_LOADERS.map((loader) => {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--only', 'mujoco', '--backend', 'cpu'], { env: { ...process.env, PGVAR_MUJOCO_LOADER: loader }, encoding: 'utf8' });
    if (r.status !== 0) return { loader, error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') };
    return (JSON.parse(r.stdout) as { mujoco_loader: unknown }).mujoco_loader;
  });
}
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
