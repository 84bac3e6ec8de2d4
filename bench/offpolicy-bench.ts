/** Pieces shared by the off-policy update benchmarks (bench/bro-update.ts, bench/fasttd3-update.ts). */
import { fillNormal, type Rng } from '../common/rng.js';
import { make, prepareEnv } from '../envs/registry.js';
import { flatSize } from '../envs/spaces.js';
import type { OffPolicyLearner } from '../offpolicy/learner.js';
import type { Batch } from '../offpolicy/replay.js';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const r3 = (x: number) => +x.toFixed(3);

/** Fresh random data in b: N(0, 1) observations and rewards, uniform actions in [−1, 1]. */
export function randomBatch(b: Batch, rng: Rng): Batch {
  fillNormal(rng, b.obs);
  fillNormal(rng, b.nextObs);
  fillNormal(rng, b.rew);
  for (let k = 0; k < b.act.length; k++) b.act[k] = rng.uniform(-1, 1);
  return b;
}

/**
 * ms per update in each of `rounds` rounds of `updates` updates, after one warm-up update; drawing the
 * data (`fill`) is not timed. With `val`, each update also gets a fresh held-out batch (VPL's β step).
 */
export function timeUpdates(learner: OffPolicyLearner, b: Batch, rng: Rng, rounds: number, updates: number, fill: (b: Batch, rng: Rng) => Batch = randomBatch, val: Batch | null = null): number[] {
  learner.update(fill(b, rng), rng, val && fill(val, rng));
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let spent = 0;
    for (let u = 0; u < updates; u++) {
      fill(b, rng);
      if (val) fill(val, rng);
      const t0 = performance.now();
      learner.update(b, rng, val);
      spent += performance.now() - t0;
    }
    perRound.push(spent / updates);
  }
  return perRound;
}

/** ms of each named step, run once in order (one instrumented pass of an update's phases). */
export function timePhases(steps: Record<string, () => unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries(steps)) {
    const t0 = performance.now();
    f();
    out[name] = r3(performance.now() - t0);
  }
  return out;
}

/**
 * The cost of a learner's update on batches `fill` draws: ms per update in each round (timeUpdates)
 * and their median, one instrumented pass of the update's steps (on the batch as update() prepares
 * it), and the parameter counts.
 */
export function updateCost(learner: OffPolicyLearner, b: Batch, rng: Rng, rounds: number, updates: number, fill: (b: Batch, rng: Rng) => Batch = randomBatch): Record<string, unknown> {
  const perRound = timeUpdates(learner, b, rng, rounds, updates, fill);
  const nb = learner.prepareBatch(fill(b, rng));
  let y: Float32Array = new Float32Array(0);
  const phases = timePhases({
    target: () => (y = learner.tdTarget(nb, rng, new Float32Array(nb.n * learner.head.outputs))),
    critic: () => learner.criticStep(nb, y),
    actor: () => learner.actorStep(nb, rng),
    temperature: () => learner.temperatureStep(nb, rng),
    polyak: () => learner.updateTargets(),
  });
  return {
    ms_per_update_rounds: perRound.map(r3),
    ms_per_update: r3(median(perRound)),
    ms_by_phase_one_pass: phases,
    critic_pair_parameters: learner.critics.store.lengths.reduce((a, x) => a + x, 0),
    actor_parameters: learner.policy.store.lengths.reduce((a, x) => a + x, 0),
  };
}

/** The largest flat Box observation and action sizes over the envs (0 where a space is not a Box): a multi-task run pads to these. */
export async function envShapes(ids: string[]): Promise<{ obsDim: number; actDim: number }> {
  let obsDim = 0;
  let actDim = 0;
  for (const id of ids) {
    await prepareEnv(id);
    const env = make(id);
    if (env.observationSpace.kind === 'box') obsDim = Math.max(obsDim, flatSize(env.observationSpace));
    if (env.actionSpace.kind === 'box') actDim = Math.max(actDim, flatSize(env.actionSpace));
    env.close?.();
  }
  return { obsDim, actDim };
}
