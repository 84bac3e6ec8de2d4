/**
 * `npm run bench` — prints one JSON object with every benchmark. Flags: --backend auto|node|wasm|cpu,
 * --only env|update|e2e, --e2e-steps N (default 51200).
 */
import * as os from 'node:os';
import { initBackend, type BackendChoice } from '../nets/backend.js';
import { benchEnvSteps } from './env-steps.js';
import { benchPpoEndToEnd } from './ppo-e2e.js';
import { benchPpoUpdate } from './ppo-update.js';

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
if (only === 'all' || only === 'env') result['env_steps'] = { 'CartPole-v1': benchEnvSteps('CartPole-v1'), 'Pendulum-v1': benchEnvSteps('Pendulum-v1') };
if (only === 'all' || only === 'update') result['ppo_update_17_64_64_6_batch64'] = benchPpoUpdate();
if (only === 'all' || only === 'e2e') result['ppo_end_to_end'] = { 'CartPole-v1': benchPpoEndToEnd('CartPole-v1', Number(arg('e2e-steps', '51200'))) };
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
