/**
 * Tensor backend selection. `auto` uses tfjs-node (native TensorFlow, an optional dependency that
 * cannot install without internet access) when it loads, else the WebAssembly backend (about 3×
 * faster than the pure-JS `cpu` backend for our MLPs). The chosen backend is always printed.
 * tfjs itself is imported by `initBackend`, not by this module: the CLI's commands that never touch a
 * network (`--help`, usage errors, `agents`, `analyze`, …) do not pay for loading it. Like tfjs
 * (./tf.ts), the backends are CommonJS packages loaded with `require`.
 */
import { createRequire } from 'node:module';
import { PgvarError, UsageError } from '../common/errors.js';

type Tf = typeof import('./tf.js').tf;

const require = createRequire(import.meta.url);

export const BACKEND_CHOICES = ['auto', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

let active: string | null = null;

async function tryNode(tf: Tf): Promise<boolean> {
  try {
    require('@tensorflow/tfjs-node');
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function useWasm(tf: Tf): Promise<boolean> {
  require('@tensorflow/tfjs-backend-wasm');
  return tf.setBackend('wasm');
}

/** Initialise once per process; later calls with the same choice return the active backend. */
export async function initBackend(choice: BackendChoice = 'auto', log: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<string> {
  if (!BACKEND_CHOICES.includes(choice)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join('|')}, got '${choice}'`);
  if (active !== null) return active;
  const { tf } = await import('./tf.js');
  tf.env().set('PROD', true); // silences tfjs' "install tfjs-node" banner; numerics are unaffected
  let ok = false;
  if (choice === 'node') {
    ok = await tryNode(tf);
    if (!ok) throw new PgvarError("--backend node: @tensorflow/tfjs-node did not load (it needs libtensorflow, which its install script downloads). Use --backend auto, wasm or cpu.");
  } else if (choice === 'auto') {
    ok = (await tryNode(tf)) || (await useWasm(tf));
  } else if (choice === 'wasm') {
    ok = await useWasm(tf);
  } else {
    ok = await tf.setBackend('cpu');
  }
  if (!ok) throw new PgvarError(`tensor backend '${choice}' failed to initialise`);
  await tf.ready();
  active = tf.getBackend();
  log(`pgvar: tensor backend ${active} (tfjs ${tf.version.tfjs}, requested ${choice})`);
  return active;
}

export function activeBackend(): string {
  if (active === null) throw new Error('tensor backend not initialised: call initBackend() first');
  return active;
}
