/**
 * Entry of the engine's forward thread (see forward-pool.ts): keeps a copy of each network it is
 * sent, runs the forward passes of every job on the rows it is given, writes the outputs into the
 * shared result buffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Activation } from '../mlp.js';
import { Arena } from './arena.js';
import { DenseMlp, denseMlpShapes } from './dense-mlp.js';
import { FORWARD_DONE, FORWARD_ERROR_BYTES, FORWARD_FAILED } from './forward-pool.js';
import { ParamStore } from './param-store.js';

const { control, error } = workerData as { control: Int32Array; error: Uint8Array };
const nets = new Map<string, { sizes: string; net: DenseMlp; store: ParamStore }>();
let result: Float32Array | null = null;

function fail(e: unknown): void {
  const bytes = new TextEncoder().encode(e instanceof Error ? e.message : String(e)).subarray(0, FORWARD_ERROR_BYTES);
  error.set(bytes);
  Atomics.store(control, 1, bytes.length);
  Atomics.store(control, 0, FORWARD_FAILED);
  Atomics.notify(control, 0);
}

interface Msg {
  jobs: { key: string; sizes: number[]; activation: Activation; params: Float32Array[] | null }[];
  x: Float32Array;
  n: number;
  result?: Float32Array;
}

Atomics.store(control, 2, 1); // loaded: the pool may hand over rows
Atomics.notify(control, 2);

parentPort!.on('message', (msg: Msg) => {
  try {
    if (msg.result) result = msg.result;
    let o = 0;
    for (const j of msg.jobs) {
      let entry = nets.get(j.key);
      const sig = `${j.sizes.join('-')}/${j.activation}`;
      if (!entry || entry.sizes !== sig) {
        if (!j.params) throw new Error(`network '${j.key}' (${sig}) was never sent`);
        const arena = new Arena();
        const store = new ParamStore(arena, denseMlpShapes(j.sizes));
        entry = { sizes: sig, store, net: new DenseMlp(arena, store, 0, j.sizes, j.activation) };
        nets.set(j.key, entry);
      }
      if (j.params) entry.store.write(j.params);
      const out = entry.net.forward(msg.x, msg.n);
      result!.set(out, o);
      o += out.length;
    }
    Atomics.store(control, 0, FORWARD_DONE);
    Atomics.notify(control, 0);
  } catch (e) {
    fail(e);
  }
});
