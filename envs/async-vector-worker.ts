/**
 * Entry of an AsyncVectorEnv worker thread (envs/async-vector.ts): builds its slice of sub-envs from
 * their specs as a SyncVectorEnv, then serves requests forever, blocking in Atomics.wait between
 * them. A step's actions, observations, rewards, flags and RecordRaw's raw values travel through the
 * shared buffers; anything else (other info keys, final observations and infos, reset results,
 * states) as a message on the port, flagged by HAS_MSG. Errors go to the shared error bytes.
 */
import { workerData } from 'node:worker_threads';
import { envSpec } from './registry.js';
import { CTRL, ERROR_BYTES, FAILED, makeSubEnv, OP, receiveTagged, type StepExtras, type WorkerData } from './async-vector.js';
import type { Action, Info } from './env.js';
import { RAW_OBS, RAW_REWARD } from './wrappers/record-raw.js';
import { SyncVectorEnv } from './vector.js';

const { specs, preload, autoresetMode, buffers: b, port } = workerData as WorkerData;
const ctrl = b.ctrl;

function fail(e: unknown): void {
  const text = (e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e)).split('\n')[0]!;
  const bytes = new TextEncoder().encode(text).subarray(0, ERROR_BYTES);
  b.error.set(bytes);
  Atomics.store(ctrl, CTRL.ERRLEN, bytes.length);
  Atomics.store(ctrl, CTRL.STATUS, FAILED);
  Atomics.store(ctrl, CTRL.DONE, -1);
  Atomics.notify(ctrl, CTRL.DONE);
}

function answer(seq: number, msg?: unknown): void {
  if (msg !== undefined) port.postMessage({ seq, body: msg });
  Atomics.store(ctrl, CTRL.HAS_MSG, msg === undefined ? 0 : 1);
  Atomics.store(ctrl, CTRL.DONE, seq);
  Atomics.notify(ctrl, CTRL.DONE);
}

function step(v: SyncVectorEnv, actionDim: number, discrete: boolean): StepExtras | undefined {
  const n = v.numEnvs;
  const D = v.obsDim;
  const actions: Action[] = new Array(n);
  for (let j = 0; j < n; j++) actions[j] = discrete ? b.actions[j]! : b.actions.slice(j * actionDim, (j + 1) * actionDim);
  const r = v.step(actions);
  b.obs.set(r.obs);
  b.rewards.set(r.rewards);
  b.flags.set(r.terminated, 0);
  b.flags.set(r.truncated, n);
  b.flags.set(r.autoresetMask, 2 * n);
  let extras: StepExtras | undefined;
  for (let j = 0; j < n; j++) {
    const info = r.infos[j]!;
    let rest: Info | null = null;
    let hasRawObs = 0;
    let hasRawReward = 0;
    for (const k in info) {
      const val = info[k];
      if (k === RAW_OBS && val instanceof Float32Array && val.length === D) {
        b.rawObs.set(val, j * D);
        hasRawObs = 1;
      } else if (k === RAW_REWARD && typeof val === 'number') {
        b.rawRewards[j] = val;
        hasRawReward = 1;
      } else (rest ??= {})[k] = val;
    }
    b.flags[3 * n + j] = hasRawObs;
    b.flags[4 * n + j] = hasRawReward;
    if (rest) ((extras ??= {}).infos ??= {})[j] = rest;
    const fo = r.finalObs[j];
    if (fo) {
      ((extras ??= {}).finalObs ??= {})[j] = fo;
      (extras.finalInfos ??= {})[j] = r.finalInfos[j] ?? {};
    }
  }
  return extras;
}

async function main(): Promise<void> {
  if (preload) {
    const m = (await import(preload.module)) as Record<string, (args: unknown) => unknown>;
    await m[preload.exportName]!(preload.args);
  }
  await envSpec(specs[0]!.envId).prepare?.();
  const v = new SyncVectorEnv(specs.map(makeSubEnv), autoresetMode);
  const space = v.singleActionSpace;
  const discrete = space.kind === 'discrete';
  const actionDim = b.actions.length / v.numEnvs;
  let seen = 1;
  answer(seen);
  for (;;) {
    Atomics.wait(ctrl, CTRL.REQ, seen);
    seen = Atomics.load(ctrl, CTRL.REQ);
    const op = Atomics.load(ctrl, CTRL.OP);
    try {
      if (op === OP.STEP) {
        answer(seen, step(v, actionDim, discrete));
        continue;
      }
      const msg = receiveTagged(port, seen, 60_000, 'async vector env worker') as Record<string, unknown> | undefined;
      if (op === OP.RESET) {
        const seed = msg?.['seed'] as number[] | undefined;
        answer(seen, v.reset(seed === undefined ? {} : { seed }));
      } else if (op === OP.GET_STATE) answer(seen, v.getState());
      else if (op === OP.SET_STATE) {
        v.setState(msg);
        answer(seen, undefined);
      } else if (op === OP.ENV_STATES) answer(seen, v.envStates());
      else throw new Error(`unknown request ${op}`);
    } catch (e) {
      fail(e);
      return;
    }
  }
}

main().catch(fail);
